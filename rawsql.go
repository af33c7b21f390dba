package joinery

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sync"

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

// query runs one statement and returns its rows as a hydrate.CellRows.
func (c *driverConn) query(query string, args []any) (hydrate.Rows, error) {
	if q, ok := c.dc.(driver.QueryerContext); ok {
		nvs, err := c.namedValues(args, nil)
		if err != nil {
			return nil, err
		}
		r, err := q.QueryContext(c.ctx, query, nvs)
		if err == nil {
			return newDriverRows(r, nil), nil
		}
		if !errors.Is(err, driver.ErrSkip) {
			return nil, err
		}
	}
	// the driver prepares statements with arguments (go-sql-driver/mysql without
	// interpolateParams): prepare, query, close the statement with the rows
	var st driver.Stmt
	var err error
	if p, ok := c.dc.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(c.ctx, query)
	} else if p, ok := c.dc.(driver.Conn); ok {
		st, err = p.Prepare(query)
	} else {
		return nil, fmt.Errorf("driver connection %T runs no queries", c.dc)
	}
	if err != nil {
		return nil, err
	}
	sq, ok := st.(driver.StmtQueryContext)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("driver statement %T has no QueryContext", st)
	}
	nvs, err := c.namedValues(args, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	r, err := sq.QueryContext(c.ctx, nvs)
	if err != nil {
		st.Close()
		return nil, err
	}
	return newDriverRows(r, st), nil
}

// namedValues converts arguments the way database/sql does (driverArgsConnLocked): a
// sql.NamedArg gives its name and value; then the statement's NamedValueChecker (when
// converting for a prepared statement), the connection's, the statement's ColumnConverter,
// and driver.DefaultParameterConverter (which calls Valuers), each ErrSkip passing to the
// next; driver.ErrRemoveArgument drops the argument.
func (c *driverConn) namedValues(args []any, st driver.Stmt) ([]driver.NamedValue, error) {
	nvs := make([]driver.NamedValue, 0, len(args))
	var checkers []func(*driver.NamedValue) error
	if st != nil {
		if ch, ok := st.(driver.NamedValueChecker); ok {
			checkers = append(checkers, ch.CheckNamedValue)
		}
	}
	if ch, ok := c.dc.(driver.NamedValueChecker); ok {
		checkers = append(checkers, ch.CheckNamedValue)
	}
	if cc, ok := st.(driver.ColumnConverter); ok && st != nil {
		checkers = append(checkers, func(nv *driver.NamedValue) error {
			conv := cc.ColumnConverter(nv.Ordinal - 1)
			if conv == nil {
				return driver.ErrSkip
			}
			v, err := conv.ConvertValue(nv.Value)
			if err != nil {
				return err
			}
			if !driver.IsValue(v) {
				return fmt.Errorf("driver ColumnConverter error converted %T to unsupported type %T", nv.Value, v)
			}
			nv.Value = v
			return nil
		})
	}
	checkers = append(checkers, func(nv *driver.NamedValue) error {
		v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
		nv.Value = v
		return err
	})
	for i, a := range args {
		nv := driver.NamedValue{Ordinal: len(nvs) + 1, Value: a}
		if na, ok := a.(sql.NamedArg); ok {
			nv.Name, nv.Value = na.Name, na.Value
		}
		var err error
		removed := false
		for _, check := range checkers {
			err = check(&nv)
			if errors.Is(err, driver.ErrSkip) {
				continue
			}
			removed = errors.Is(err, driver.ErrRemoveArgument)
			break
		}
		if removed {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		nvs = append(nvs, nv)
	}
	return nvs, nil
}

// driverRows adapts driver.Rows to the hydrator: each value goes to its cell by its Go
// type, with no convertAssign.
type driverRows struct {
	r    driver.Rows
	st   driver.Stmt // closed with the rows, when the rows came from a prepared statement
	vals []driver.Value
	err  error
	done bool
}

func newDriverRows(r driver.Rows, st driver.Stmt) *driverRows {
	return &driverRows{r: r, st: st, vals: make([]driver.Value, len(r.Columns()))}
}

func (x *driverRows) Columns() ([]string, error) { return x.r.Columns(), nil }

func (x *driverRows) Next() bool {
	if x.done {
		return false
	}
	if err := x.r.Next(x.vals); err != nil {
		x.done = true
		if err != io.EOF {
			x.err = err
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
