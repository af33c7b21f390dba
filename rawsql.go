package joinery

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/hydrate"
)

// The driver path. database/sql hands each value of each row through convertAssign into the
// Scan destination, NULLs included; a UNION ALL row is mostly NULLs, and on W1 that per-value
// work is a fifth of the load. A Querier that lends its driver connection (*sql.DB and
// *sql.Conn: sql.Conn.Raw) has the statement run on the driver itself and each row's
// driver.Values handed to the hydrator's typed cells, the way joinery/pgx does with pgx's raw
// values. Other Queriers (*sql.Tx, wrappers) use database/sql's rows.

// poolOf returns the *sql.DB behind db when db is one (or a *sqlx.DB), else nil. Other types
// that embed a *sql.DB may override QueryContext (logging, tracing, routing): they keep the
// database/sql path.
func poolOf(db Querier) *sql.DB {
	switch x := db.(type) {
	case *sql.DB:
		return x
	case *sqlx.DB:
		return x.DB
	}
	return nil
}

// withDriver runs fn over the driver connection of db when db lends one: a *sql.DB (or
// *sqlx.DB), whose connection it takes from the pool, or a *sql.Conn. ok is false, and fn
// not called, for other Queriers. As database/sql does for QueryContext, a pooled connection
// that turns out bad (driver.ErrBadConn) is discarded and the load retried on another; after
// the last try the caller falls back to the database/sql path.
func withDriver(ctx context.Context, db Querier, fn func(conn *driverConn) error) (ok bool, err error) {
	if c, isConn := db.(*sql.Conn); isConn {
		return true, c.Raw(func(dc any) error { return fn(&driverConn{ctx: ctx, dc: dc}) })
	}
	pool := poolOf(db)
	if pool == nil {
		return false, nil
	}
	for try := 0; try < 3; try++ {
		var c *sql.Conn
		if c, err = pool.Conn(ctx); err != nil {
			return true, err
		}
		err = c.Raw(func(dc any) error { return fn(&driverConn{ctx: ctx, dc: dc}) })
		c.Close()
		if !errors.Is(err, driver.ErrBadConn) {
			return true, err
		}
	}
	return false, nil
}

// DriverRunner runs statements natively on a database/sql driver connection (see
// RegisterDriverAdapter).
type DriverRunner struct {
	// Query runs one statement and returns its rows; a hydrate.CellRows hands the values
	// over typed.
	Query func(query string, args []any) (hydrate.Rows, error)
	// Pipeline, when set, sends a ShapePipeline plan's statements in one round trip and
	// returns their rows as one result (hydrate.Parts); queries on the connection are then
	// compiled as for a pipelining driver (Q.PlanPipelined).
	Pipeline func(p *builder.Plan) (hydrate.Rows, error)
}

// DriverAdapter recognizes a database/sql driver connection it can run statements on
// natively (joinery/pgx: pgx's stdlib connection, whose rows it decodes from the wire
// format, and whose pipelines it sends as one batch) and returns how, or nil.
type DriverAdapter func(ctx context.Context, driverConn any) *DriverRunner

var (
	adaptersMu sync.RWMutex
	adapters   []DriverAdapter
)

// RegisterDriverAdapter adds a DriverAdapter: All over a *sql.DB or *sql.Conn whose driver
// connection it recognizes runs the statements through it. joinery/pgx registers one for
// pgx's stdlib driver when imported.
func RegisterDriverAdapter(a DriverAdapter) {
	adaptersMu.Lock()
	defer adaptersMu.Unlock()
	adapters = append(adapters, a)
}

// runner is a registered adapter's way of running statements on c, or the database/sql
// driver interfaces'.
func (c *driverConn) runner() *DriverRunner {
	adaptersMu.RLock()
	defer adaptersMu.RUnlock()
	for _, a := range adapters {
		if r := a(c.ctx, c.dc); r != nil && r.Query != nil {
			return r
		}
	}
	return &DriverRunner{Query: c.query}
}

// driverConn runs statements on a driver connection.
type driverConn struct {
	ctx context.Context
	dc  any
}

// query runs one statement and returns its rows as a hydrate.CellRows. The context is
// honoured as database/sql honours it: a context that has ended runs nothing (the driver
// never sees it, so a driver that would close its connection on cancellation, as lib/pq does,
// keeps it); the ctx-less driver interfaces are checked around, as database/sql's
// ctxDriverQuery and ctxDriverPrepare do; and the rows stop when the context ends (see
// driverRows).
func (c *driverConn) query(query string, args []any) (hydrate.Rows, error) {
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	qc, isQC := c.dc.(driver.QueryerContext)
	q, isQ := c.dc.(driver.Queryer) //nolint:staticcheck // (database/sql still calls it)
	if isQC || isQ {
		nvs, err := c.namedValues(args, nil)
		if err != nil {
			return nil, err
		}
		var r driver.Rows
		if isQC {
			r, err = qc.QueryContext(c.ctx, query, nvs)
		} else {
			r, err = queryNoContext(c.ctx, nvs, func(vals []driver.Value) (driver.Rows, error) { return q.Query(query, vals) })
		}
		if err == nil {
			return c.newRows(r, nil), nil
		}
		if !errors.Is(err, driver.ErrSkip) {
			return nil, ctxError(c.ctx, err)
		}
	}
	// the driver prepares statements with arguments (go-sql-driver/mysql without
	// interpolateParams): prepare, query, close the statement with the rows
	var st driver.Stmt
	var err error
	if p, ok := c.dc.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(c.ctx, query)
	} else if p, ok := c.dc.(driver.Conn); ok {
		if st, err = p.Prepare(query); err == nil {
			if cerr := c.ctx.Err(); cerr != nil {
				st.Close()
				return nil, cerr
			}
		}
	} else {
		return nil, fmt.Errorf("driver connection %T runs no queries", c.dc)
	}
	if err != nil {
		return nil, ctxError(c.ctx, err)
	}
	nvs, err := c.namedValues(args, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	var r driver.Rows
	if sq, ok := st.(driver.StmtQueryContext); ok {
		r, err = sq.QueryContext(c.ctx, nvs)
	} else {
		r, err = queryNoContext(c.ctx, nvs, st.Query) //nolint:staticcheck // (database/sql still calls it)
	}
	if err != nil {
		st.Close()
		return nil, ctxError(c.ctx, err)
	}
	return c.newRows(r, st), nil
}

// ctxError is err, a driver's failure, together with the context's error when the context
// has ended: a driver's own report of the cancellation (PostgreSQL's SQLSTATE 57014,
// "canceling statement due to user request") then also matches context.Canceled or
// context.DeadlineExceeded, and keeps its code.
func ctxError(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if cerr == nil || errors.Is(err, cerr) {
		return err
	}
	return fmt.Errorf("%w: %w", cerr, err)
}

// queryNoContext runs a query through a driver interface that takes no context, after
// checking the context, as database/sql does.
func queryNoContext(ctx context.Context, nvs []driver.NamedValue, query func([]driver.Value) (driver.Rows, error)) (driver.Rows, error) {
	vals := make([]driver.Value, len(nvs))
	for i, nv := range nvs {
		if nv.Name != "" {
			return nil, errors.New("sql: driver does not support the use of Named Parameters")
		}
		vals[i] = nv.Value
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return query(vals)
}

// namedValues converts arguments as database/sql does (driverArgsConnLocked, Go 1.26), with
// the same errors: a sql.NamedArg gives its name (which must begin with a letter) and value;
// then the statement's NamedValueChecker, or else the connection's; on driver.ErrSkip the
// statement's ColumnConverter (when the checker was one, or there is no checker), then
// driver.DefaultParameterConverter (which calls Valuers); driver.ErrRemoveArgument drops
// the argument. A prepared statement that knows its number of placeholders gets that many
// arguments.
func (c *driverConn) namedValues(args []any, st driver.Stmt) ([]driver.NamedValue, error) {
	want := -1
	var nvc driver.NamedValueChecker
	var cci driver.ColumnConverter
	if st != nil {
		want = st.NumInput()
		nvc, _ = st.(driver.NamedValueChecker)
		cci, _ = st.(driver.ColumnConverter)
	}
	if nvc == nil {
		nvc, _ = c.dc.(driver.NamedValueChecker)
	}
	// database/sql's ccChecker
	columnConverter := func(nv *driver.NamedValue) error {
		if cci == nil {
			return driver.ErrSkip
		}
		index := nv.Ordinal - 1
		if want >= 0 && want <= index {
			return nil // (the count check below reports it)
		}
		if vr, ok := nv.Value.(driver.Valuer); ok {
			sv, err := callValuerValue(vr)
			if err != nil {
				return err
			}
			if !driver.IsValue(sv) {
				return fmt.Errorf("non-subset type %T returned from Value", sv)
			}
			nv.Value = sv
		}
		conv := cci.ColumnConverter(index)
		if conv == nil {
			return driver.ErrSkip
		}
		arg := nv.Value
		v, err := conv.ConvertValue(arg)
		if err != nil {
			return err
		}
		if !driver.IsValue(v) {
			return fmt.Errorf("driver ColumnConverter error converted %T to unsupported type %T", arg, v)
		}
		nv.Value = v
		return nil
	}
	defaultConverter := func(nv *driver.NamedValue) (err error) {
		nv.Value, err = driver.DefaultParameterConverter.ConvertValue(nv.Value)
		return err
	}
	nvs := make([]driver.NamedValue, 0, len(args))
	for _, a := range args {
		nv := driver.NamedValue{Ordinal: len(nvs) + 1, Value: a}
		if na, ok := a.(sql.NamedArg); ok {
			if r, _ := utf8.DecodeRuneInString(na.Name); na.Name != "" && !unicode.IsLetter(r) {
				return nil, fmt.Errorf("name %q does not begin with a letter", na.Name)
			}
			nv.Name, nv.Value = na.Name, na.Value
		}
		check, nextCC := defaultConverter, false
		switch {
		case nvc != nil:
			check, nextCC = nvc.CheckNamedValue, cci != nil
		case cci != nil:
			check = columnConverter
		}
	convert:
		switch err := check(&nv); err {
		case nil:
			nvs = append(nvs, nv)
		case driver.ErrRemoveArgument:
		case driver.ErrSkip:
			if nextCC {
				check, nextCC = columnConverter, false
			} else {
				check = defaultConverter
			}
			goto convert
		default:
			at := fmt.Sprintf("$%d", nv.Ordinal)
			if nv.Name != "" {
				at = fmt.Sprintf("with name %q", nv.Name)
			}
			return nil, fmt.Errorf("sql: converting argument %s type: %w", at, err)
		}
	}
	if want != -1 && len(nvs) != want {
		return nil, fmt.Errorf("sql: expected %d arguments, got %d", want, len(nvs))
	}
	return nvs, nil
}

// callValuerValue is database/sql's: a nil pointer whose type has Value on the value
// receiver is a NULL, not a panic.
func callValuerValue(vr driver.Valuer) (driver.Value, error) {
	if rv := reflect.ValueOf(vr); rv.Kind() == reflect.Pointer && rv.IsNil() &&
		rv.Type().Elem().Implements(reflect.TypeFor[driver.Valuer]()) {
		return nil, nil
	}
	return vr.Value()
}

// driverRows adapts driver.Rows to the hydrator: each value goes to its cell by its Go
// type, with no convertAssign.
//
// database/sql's Rows watch the query's context (Rows.awaitDone): when it ends, the rows
// are closed, Next returns false and Err returns the context's error. Not every driver
// watches it while rows are read (modernc.org/sqlite interrupts only the call that runs the
// statement, so a long read ran to its end), so the rows check the context before each row
// themselves, without a goroutine: a non-blocking receive on ctx.Done() per row, nothing
// for a context that never ends. A driver call in progress is left to the driver, as
// database/sql leaves it (its close waits for the call in progress): lib/pq and
// go-sql-driver/mysql interrupt theirs.
type driverRows struct {
	r      driver.Rows
	st     driver.Stmt // closed with the rows, when the rows came from a prepared statement
	ctx    context.Context
	ctxEnd <-chan struct{} // ctx.Done(); nil when ctx never ends
	vals   []driver.Value
	err    error
	done   bool
}

func (c *driverConn) newRows(r driver.Rows, st driver.Stmt) *driverRows {
	return &driverRows{r: r, st: st, ctx: c.ctx, ctxEnd: c.ctx.Done(), vals: make([]driver.Value, len(r.Columns()))}
}

func (x *driverRows) Columns() ([]string, error) { return x.r.Columns(), nil }

func (x *driverRows) Next() bool {
	if x.done {
		return false
	}
	if x.ctxEnd != nil {
		select {
		case <-x.ctxEnd:
			x.done, x.err = true, x.ctx.Err()
			return false
		default:
		}
	}
	if err := x.r.Next(x.vals); err != nil {
		x.done = true
		if err != io.EOF {
			// (when the context has ended, database/sql's Err reports only the context's
			// error; this keeps the driver's too)
			x.err = ctxError(x.ctx, err)
		}
		return false
	}
	return true
}

func (x *driverRows) Err() error { return x.err }

func (x *driverRows) Close() error {
	x.done = true
	err := x.r.Close()
	if x.st != nil {
		if serr := x.st.Close(); err == nil {
			err = serr
		}
	}
	return err
}

func (x *driverRows) ScanCells(cells []hydrate.Cell) error {
	for i, c := range cells {
		if err := hydrate.SetValue(c, x.vals[i]); err != nil {
			return fmt.Errorf("column %q: %w", x.r.Columns()[i], err)
		}
	}
	return nil
}

// Scan stores the current row in dest, which must be sql.Scanners (the hydrator's cells are).
func (x *driverRows) Scan(dest ...any) error {
	if len(dest) != len(x.vals) {
		return fmt.Errorf("joinery: Scan of %d destinations, %d columns", len(dest), len(x.vals))
	}
	for i, d := range dest {
		s, ok := d.(sql.Scanner)
		if !ok {
			return fmt.Errorf("joinery: Scan destination %T is not an sql.Scanner", d)
		}
		v := x.vals[i]
		if b, ok := v.([]byte); ok {
			v = append([]byte(nil), b...) // the driver may reuse it
		}
		if err := s.Scan(v); err != nil {
			return fmt.Errorf("column %q: %w", x.r.Columns()[i], err)
		}
	}
	return nil
}
