// Package pgx runs joinery queries over pgx (github.com/jackc/pgx/v5): *pgx.Conn,
// *pgxpool.Pool and pgx.Tx. It is a module of its own, so the library does not depend on
// pgx.
//
// Rows are folded straight from pgx's raw values: integers, floats, booleans, text, bytea,
// uuid, date and timestamps are decoded from the wire format into the hydrator's typed cells,
// with no database/sql layer and no boxing of each value in an any. Other types go through
// pgx's own decoding.
package pgx

import (
	"context"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/internal/meta"
)

// Importing this package also speeds up joinery over database/sql with pgx's stdlib driver:
// Q.All over a *sql.DB (or *sql.Conn) opened with driver "pgx" runs on the underlying
// *pgx.Conn as All does here (the same default shape, levels and pipelines in batches) and
// folds the raw values the same way; Q.AllAndCount sends its count in the first batch, as
// AllAndCount does here.
func init() {
	joinery.RegisterDriverAdapter(func(ctx context.Context, dc any) *joinery.DriverRunner {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return nil
		}
		conn := sc.Conn()
		stdlibRuns.Add(1)
		return &joinery.DriverRunner{
			Query: func(query string, args []any) (hydrate.Rows, error) {
				rows, err := conn.Query(ctx, query, append([]any{resultFormats}, args...)...)
				if err != nil {
					return nil, err
				}
				return Rows(rows), nil
			},
			Pipeline: func(p *builder.Plan) (hydrate.Rows, error) { return run(ctx, conn, p) },
			Levels:   func(p *builder.Plan) (hydrate.Rows, error) { return levels(ctx, conn, p, nil) },
			Distant:  distant,
			Counted: func(p, count *builder.Plan) (hydrate.Rows, int64, error) {
				c := &counted{sql: count.SQL, args: count.Args}
				rows, err := send(ctx, conn, p, c)
				return rows, c.n, err
			},
		}
	})
}

// stdlibRuns counts the loads run natively under pgx's stdlib driver (for tests).
var stdlibRuns atomic.Int64

// Querier runs a query and a batch: *pgx.Conn, *pgxpool.Pool and pgx.Tx satisfy it.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// All runs q (compiled for dialects.Postgres) over db and returns every root.
//
// The default shape here is ShapeLevels wherever joinery would otherwise send the UNION ALL
// of branches (see joinery.Q.PlanPipelined): a statement per level, each filtered by its
// parent rows' keys as one array, the statements whose keys are in hand sent together in
// one batch (users; posts; their tags and comments; the comments' authors: four round
// trips). Where the round trips measured on earlier loads (each load's first batch times
// its BEGIN) are longer than half a millisecond, the root's to-many includes go in the
// roots' batch instead, linked by a semi-join on the roots (joinery.Q.PlanPipelinedDistant):
// a round trip less; and so do those of a root found by its key (sq.Eq{"id": ..}), at any
// distance, as computing one row again by its key costs nothing. An explicit Shape is kept; a plan of ShapePipeline is sent as one
// batch, its statements' results back in one round trip. Over a *pgx.Conn or a *pgxpool.Pool the
// statements run in one REPEATABLE READ, READ ONLY transaction (BEGIN in the first batch,
// COMMIT in the last), so every statement sees the same snapshot; in a pgx.Tx they run in
// it, under its isolation level; over another Querier, whose batches may each take another
// connection, without one.
func All[T any](ctx context.Context, db Querier, q joinery.Q[T]) ([]T, error) {
	if err := checkRun("All", ctx, db); err != nil {
		return nil, err
	}
	p, err := pipelined(q)
	if err != nil {
		return nil, err
	}
	rows, err := run(ctx, db, p)
	if err != nil {
		return nil, fmt.Errorf("joinery/pgx: %w", err)
	}
	out, err := hydrate.All[T](rows, p.Map)
	if err != nil {
		return nil, fmt.Errorf("joinery/pgx: %w", err)
	}
	return out, nil
}

// AllAndCount runs q over db as All does and returns, with its page (every root with its
// includes under Limit and Offset), the number of roots q matches as joinery.Q.Count counts
// them (Limit, Offset and After aside), in no round trip of its own: the count statement
// goes in the same pgx.Batch as the plan's statements (the first batch of a ShapeLevels
// plan, a pipelined plan's batch, or with the one statement of another shape). Over a
// *pgx.Conn or a *pgxpool.Pool they run in one REPEATABLE READ, READ ONLY transaction, so
// the page and the count see the same snapshot; in a pgx.Tx they run in it, under its
// isolation level. Both plans are the query's cached ones
// (joinery.Q.PlanPipelined and the Count statement).
//
// A statement is prepared the first time a connection sees it (pgx's default
// QueryExecModeCacheStatement): that first batch takes one more round trip per new
// statement, as a first Query does. A batch's columns come in the formats one statement's
// do (resultFormats: sendBatch), so a value of a type off the fast path is PostgreSQL's
// text (an interval "1 day", a two-dimensional array, a range) in every shape.
func AllAndCount[T any](ctx context.Context, db Querier, q joinery.Q[T]) ([]T, int64, error) {
	if err := checkRun("AllAndCount", ctx, db); err != nil {
		return nil, 0, err
	}
	p, err := pipelined(q)
	if err != nil {
		return nil, 0, err
	}
	countSQL, countArgs, err := q.CountSql()
	if err != nil {
		return nil, 0, err
	}
	c := &counted{sql: countSQL, args: countArgs}
	rows, err := send(ctx, db, p, c)
	if err != nil {
		return nil, 0, fmt.Errorf("joinery/pgx: %w", err)
	}
	out, err := hydrate.All[T](rows, p.Map)
	if err != nil {
		return nil, 0, fmt.Errorf("joinery/pgx: %w", err)
	}
	return out, c.n, nil
}

// pipelined is q's plan for this driver: PlanPipelined, or PlanPipelinedDistant when the
// round trips the loads measured are long (distant).
func pipelined[T any](q joinery.Q[T]) (*builder.Plan, error) {
	if distant() {
		return q.PlanPipelinedDistant()
	}
	return q.PlanPipelined()
}

// counted is a count statement sent in the batch ahead of a plan's statements, and the
// number it returned.
type counted struct {
	sql  string
	args []any
	n    int64
}

// run runs p's statement, or sends a pipelined plan's statements in one batch.
func run(ctx context.Context, db Querier, p *builder.Plan) (hydrate.Rows, error) {
	return send(ctx, db, p, nil)
}

// send runs p's statement, or sends a pipelined plan's statements in one batch; with a
// count statement c, the count and p's statements (one or many) in one batch, c read first.
func send(ctx context.Context, db Querier, p *builder.Plan, c *counted) (hydrate.Rows, error) {
	if p.Shape == builder.ShapeLevels {
		return levels(ctx, db, p, c)
	}
	if p.Shape != builder.ShapePipeline && c == nil {
		args := make([]any, 0, len(p.Args)+1)
		args = append(append(args, resultFormats), p.Args...)
		rows, err := db.Query(ctx, p.SQL, args...)
		if err != nil {
			return nil, err
		}
		return Rows(rows), nil
	}
	return onConn(ctx, db, func(db Querier, conn *pgx.Conn, inTx bool, release func()) (hydrate.Rows, error) {
		return batch(ctx, db, conn, inTx, p, c, release)
	})
}

// onConn runs f with db on one connection joinery can inspect afterwards (conn, nil when db
// does not say which): a pool's is acquired here and released when f's rows are closed
// (release, which f calls last, or here when f fails). inTx says db is a pgx.Tx.
func onConn(ctx context.Context, db Querier, f func(db Querier, conn *pgx.Conn, inTx bool, release func()) (hydrate.Rows, error)) (hydrate.Rows, error) {
	switch x := db.(type) {
	case pgx.Tx:
		return f(x, x.Conn(), true, nil)
	case *pgxpool.Pool:
		conn, err := x.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		rows, err := f(conn.Conn(), conn.Conn(), false, conn.Release)
		if err != nil {
			conn.Release()
		}
		return rows, err
	case *pgx.Conn:
		return f(x, x, false, nil)
	case interface{ Conn() *pgx.Conn }: // *pgxpool.Conn
		return f(db, x.Conn(), false, nil)
	}
	return f(db, nil, false, nil)
}

// batch sends p's statements through db as one pgx.Batch and reads their results as one,
// after the count statement c's number when c is set (p may then be of any shape: its one
// statement goes in the batch). conn is db's connection when known (nil otherwise): a
// transaction the caller began on it is kept (the statements run inside it), and one the
// batch leaves open after a failure is rolled back. Unless in a transaction, the batch is one
// REPEATABLE READ, READ ONLY transaction, so every statement sees the same snapshot.
// release, when set, is called last.
func batch(ctx context.Context, db Querier, conn *pgx.Conn, inTx bool, p *builder.Plan, c *counted, release func()) (hydrate.Rows, error) {
	if conn != nil && conn.PgConn().TxStatus() != 'I' {
		inTx = true // a transaction the caller began on the connection
	}
	stmts := p.Statements
	if p.Shape != builder.ShapePipeline {
		stmts = []builder.Statement{{SQL: p.SQL, Args: p.Args}}
	}
	if len(stmts) == 1 && c == nil {
		// one statement sees one snapshot by itself: no transaction statements around it
		inTx = true
	}
	b := &pgx.Batch{}
	if !inTx {
		b.Queue("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
	}
	if c != nil {
		b.Queue(c.sql, c.args...)
	}
	for _, st := range stmts {
		b.Queue(st.SQL, st.Args...)
	}
	if !inTx {
		b.Queue("COMMIT")
	}
	br := sendBatch(ctx, db, conn, b)
	began, opened := inTx, 0
	begin := func() error {
		if began {
			return nil
		}
		began = true
		_, err := br.Exec()
		return err
	}
	open := func(i int) (hydrate.Rows, error) {
		if err := begin(); err != nil {
			return nil, err
		}
		r, err := br.Query()
		if err != nil {
			return nil, err
		}
		opened++
		return Rows(r), nil
	}
	done := func() error {
		var err error
		if opened == len(stmts) && !inTx {
			_, err = br.Exec() // COMMIT
		}
		if cerr := closeBatch(br, conn); err == nil {
			err = cerr
		}
		err = endRead(ctx, conn, inTx, err)
		if release != nil {
			release()
			release = nil
		}
		return err
	}
	if c != nil {
		err := begin()
		if err == nil {
			err = br.QueryRow().Scan(&c.n)
		}
		if err != nil {
			done()
			return nil, err
		}
	}
	if p.Shape != builder.ShapePipeline {
		r, err := open(0)
		if err != nil {
			done()
			return nil, err
		}
		return &closing{CellRows: r.(hydrate.CellRows), done: done}, nil
	}
	rows, err := hydrate.Parts(p.Map, p.ResultColumns(), p.Parts(), open, done)
	if err != nil {
		closeBatch(br, conn)
		return nil, err
	}
	return rows, nil
}

// closeBatch closes br. On a connection joinery holds (conn) it closes it twice: pgx v5.7
// returns a failed statement's error from the first Close without reading the rest of the
// batch, and a second Close drains it (a pool's batch results release the connection on
// the first Close).
func closeBatch(br batchResults, conn *pgx.Conn) error {
	err := br.Close()
	if conn != nil {
		br.Close()
	}
	return err
}

// endRead ends a read on conn that began its own transaction (not inTx): a transaction
// still open (a statement failed and aborted it, or the read stopped before its COMMIT) is
// rolled back, which ends a READ ONLY transaction as a COMMIT would. It returns err, or the
// rollback's error.
func endRead(ctx context.Context, conn *pgx.Conn, inTx bool, err error) error {
	if !inTx && conn != nil && conn.PgConn().TxStatus() != 'I' {
		if _, rerr := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err == nil {
			err = rerr
		}
	}
	return err
}

// closing is a batch's rows that end the batch (done) when closed.
type closing struct {
	hydrate.CellRows
	done func() error
}

func (r *closing) Close() error {
	err := r.CellRows.Close()
	if r.done != nil {
		if derr := r.done(); err == nil {
			err = derr
		}
		r.done = nil
	}
	return err
}

// One runs q for its first root (joinery.Q.PlanOne: LIMIT 1 on the roots, as joinery.Q.One
// sends it) and returns it, or an error matching joinery.ErrNoRows.
func One[T any](ctx context.Context, db Querier, q joinery.Q[T]) (T, error) {
	var zero T
	if err := checkRun("One", ctx, db); err != nil {
		return zero, err
	}
	p, err := q.PlanOne()
	if err != nil {
		return zero, err
	}
	rows, err := run(ctx, db, p)
	if err != nil {
		return zero, fmt.Errorf("joinery/pgx: %w", err)
	}
	all, err := hydrate.All[T](rows, p.Map)
	if err != nil {
		return zero, fmt.Errorf("joinery/pgx: %w", err)
	}
	if len(all) == 0 {
		return zero, joinery.ErrNoRows
	}
	return all[0], nil
}

// checkRun refuses a nil context or Querier (a typed nil *pgxpool.Pool, *pgx.Conn or
// pgx.Tx too) before anything is compiled or acquired.
func checkRun(op string, ctx context.Context, db Querier) error {
	if ctx == nil {
		return fmt.Errorf("joinery/pgx: %s: nil context", op)
	}
	if db == nil {
		return fmt.Errorf("joinery/pgx: %s: nil Querier", op)
	}
	if meta.NilRef(db) {
		return fmt.Errorf("joinery/pgx: %s: a nil %T", op, db)
	}
	return nil
}

// Rows adapts pgx rows to the hydrator: a hydrate.CellRows.
func Rows(r pgx.Rows) hydrate.CellRows {
	if m, ok := r.(*mapRows); ok {
		return &rows{r: m.Rows, tm: m.tm}
	}
	return &rows{r: r}
}

type rows struct {
	r      pgx.Rows
	tm     *pgtype.Map // the type map of rows that know no connection (mapRows), else nil
	fields []pgconn.FieldDescription
	slow   []func([]byte) (driver.Value, error) // per column, planned when first needed
	peeked bool                                 // Columns read the first row: Next returns it
}

// Columns returns the result's column names, or the error of a query that failed before its
// first row. pgx returns such a query's rows without an error (an argument it cannot
// encode, a statement the server rejects, more parameters than the protocol allows) and
// reports the failure only once the rows are read, so a result that describes no columns is
// read here: its first row, kept for Next, or its error.
func (x *rows) Columns() ([]string, error) {
	if err := x.r.Err(); err != nil {
		return nil, err
	}
	fds := x.r.FieldDescriptions()
	if len(fds) == 0 && !x.peeked {
		if !x.r.Next() {
			if err := x.r.Err(); err != nil {
				return nil, err
			}
		} else {
			x.peeked = true
		}
		fds = x.r.FieldDescriptions()
	}
	out := make([]string, len(fds))
	for i, f := range fds {
		out[i] = f.Name
	}
	return out, nil
}

func (x *rows) Next() bool {
	if x.peeked {
		x.peeked = false
		return true
	}
	return x.r.Next()
}
func (x *rows) Err() error   { return x.r.Err() }
func (x *rows) Close() error { x.r.Close(); return x.r.Err() }

func (x *rows) Scan(dest ...any) error { return x.r.Scan(dest...) }

// PostgreSQL type OIDs decoded here.
const (
	oidBool        = 16
	oidBytea       = 17
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidFloat4      = 700
	oidFloat8      = 701
	oidBPChar      = 1042
	oidVarchar     = 1043
	oidDate        = 1082
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidUUID        = 2950
	oidName        = 19
)

// resultFormats asks for the binary format for the types decoded from it here and the text
// format for every other type, as pgx's stdlib driver does for its own (so numeric,
// intervals, arrays arrive as PostgreSQL prints them). pgx applies it to a query, not to a
// batch: joinery sends its batches itself with it (sendBatch); a batch pgx sends (another
// Querier, or a connection in the exec or simple-protocol mode) has its values of other
// types binary, decoded by pgx and given as their driver.Value or pgx's text form.
var resultFormats = pgx.QueryResultFormatsByOID{
	oidBool: 1, oidBytea: 1, oidInt8: 1, oidInt2: 1, oidInt4: 1, oidText: 1, oidFloat4: 1, oidFloat8: 1,
	oidBPChar: 1, oidVarchar: 1, oidDate: 1, oidTimestamp: 1, oidTimestamptz: 1, oidUUID: 1, oidName: 1,
	pgtype.CIDOID: 1, pgtype.OIDOID: 1, pgtype.XIDOID: 1,
}

// pgEpochUnix is PostgreSQL's epoch for binary dates and timestamps (2000-01-01), in Unix
// seconds.
const pgEpochUnix = 946684800

var pgEpoch = time.Unix(pgEpochUnix, 0).UTC()

// ScanCells decodes the common types (integers, floats, booleans, text, bytea, uuid, finite
// dates and timestamps in binary format) straight from the wire bytes; every other value
// (numeric, intervals, arrays, json, infinite timestamps, the text format) is decoded the
// way pgx's database/sql driver (stdlib) decodes it, so a load gives the same values over
// both.
func (x *rows) ScanCells(cells []hydrate.Cell) error {
	if x.fields == nil {
		x.fields = x.r.FieldDescriptions()
		x.slow = make([]func([]byte) (driver.Value, error), len(x.fields))
	}
	raw := x.r.RawValues()
	for i, c := range cells {
		b := raw[i]
		if b == nil {
			if err := c.SetNull(); err != nil {
				return err
			}
			continue
		}
		f := x.fields[i]
		var err error
		fast := f.Format == pgx.BinaryFormatCode
		if fast {
			switch f.DataTypeOID {
			case oidInt8:
				err = c.SetInt(int64(binary.BigEndian.Uint64(b)))
			case oidInt4:
				err = c.SetInt(int64(int32(binary.BigEndian.Uint32(b))))
			case oidInt2:
				err = c.SetInt(int64(int16(binary.BigEndian.Uint16(b))))
			case oidFloat8:
				err = c.SetFloat(math.Float64frombits(binary.BigEndian.Uint64(b)))
			case oidFloat4:
				err = c.SetFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(b))))
			case oidBool:
				err = c.SetBool(b[0] != 0)
			case oidText, oidVarchar, oidBPChar, oidName:
				err = c.SetString(string(b))
			case oidBytea:
				err = c.SetBytes(b)
			case oidUUID:
				err = c.SetString(uuidString(b))
			case oidTimestamptz, oidTimestamp:
				us := int64(binary.BigEndian.Uint64(b))
				if us == math.MaxInt64 || us == math.MinInt64 {
					fast = false // infinity
					break
				}
				t := pgTime(us)
				if f.DataTypeOID == oidTimestamp {
					t = t.UTC()
				}
				err = c.SetTime(t)
			case oidDate:
				days := int32(binary.BigEndian.Uint32(b))
				if days == math.MaxInt32 || days == math.MinInt32 {
					fast = false // infinity
					break
				}
				err = c.SetTime(pgEpoch.AddDate(0, 0, int(days)))
			default:
				fast = false
			}
		} else if f.DataTypeOID == oidText || f.DataTypeOID == oidVarchar || f.DataTypeOID == oidBPChar || f.DataTypeOID == oidName {
			err, fast = c.SetString(string(b)), true
		}
		if !fast {
			var v driver.Value
			if v, err = x.slowDecoder(i)(b); err == nil {
				err = hydrate.SetValue(c, v)
			}
		}
		if err != nil {
			return fmt.Errorf("column %q: %w", f.Name, err)
		}
	}
	return nil
}

// pgTime is the instant us microseconds after PostgreSQL's epoch, in the local zone (as pgx
// gives a timestamptz), without overflowing time.Duration far from 2000.
func pgTime(us int64) time.Time {
	secs, rem := us/1e6, us%1e6
	if rem < 0 {
		secs, rem = secs-1, rem+1e6
	}
	return time.Unix(pgEpochUnix+secs, rem*1e3)
}

// slowDecoder returns column i's decoder for the values off the fast path: the one pgx's
// stdlib driver uses for the column's type (its Rows.Next), planned once per result.
func (x *rows) slowDecoder(i int) func([]byte) (driver.Value, error) {
	if d := x.slow[i]; d != nil {
		return d
	}
	m := x.tm
	if m == nil {
		m = x.r.Conn().TypeMap()
	}
	oid, format := x.fields[i].DataTypeOID, x.fields[i].Format
	var d func([]byte) (driver.Value, error)
	switch oid {
	case pgtype.BoolOID:
		d = decodeAs(m, oid, format, func(v bool) (driver.Value, error) { return v, nil })
	case pgtype.ByteaOID, pgtype.JSONOID, pgtype.JSONBOID, pgtype.XMLOID:
		d = decodeAs(m, oid, format, func(v []byte) (driver.Value, error) { return v, nil })
	case pgtype.CIDOID, pgtype.OIDOID, pgtype.XIDOID:
		d = decodeAs(m, oid, format, pgtype.Uint32.Value)
	case pgtype.DateOID:
		d = decodeAs(m, oid, format, pgtype.Date.Value)
	case pgtype.Float4OID:
		d = decodeAs(m, oid, format, func(v float32) (driver.Value, error) { return float64(v), nil })
	case pgtype.Float8OID:
		d = decodeAs(m, oid, format, func(v float64) (driver.Value, error) { return v, nil })
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID:
		d = decodeAs(m, oid, format, func(v int64) (driver.Value, error) { return v, nil })
	case pgtype.TimestampOID:
		d = decodeAs(m, oid, format, pgtype.Timestamp.Value)
	case pgtype.TimestamptzOID:
		d = decodeAs(m, oid, format, pgtype.Timestamptz.Value)
	default:
		if format == pgx.TextFormatCode {
			d = decodeAs(m, oid, format, func(v string) (driver.Value, error) { return v, nil })
			break
		}
		// binary (a batch): pgx's own value, as a driver.Value or in pgx's text form
		d = decodeAs(m, oid, format, func(v any) (driver.Value, error) {
			if dv, ok := v.(driver.Valuer); ok {
				return dv.Value()
			}
			if driver.IsValue(v) {
				return v, nil
			}
			text, err := m.Encode(oid, pgx.TextFormatCode, v, nil)
			return string(text), err
		})
	}
	x.slow[i] = d
	return d
}

// decodeAs scans a column's bytes into a T with the scan plan pgx's type map gives (planned
// once) and converts the T to a driver.Value.
func decodeAs[T any](m *pgtype.Map, oid uint32, format int16, conv func(T) (driver.Value, error)) func([]byte) (driver.Value, error) {
	var v T
	plan := m.PlanScan(oid, format, &v)
	return func(src []byte) (driver.Value, error) {
		if err := plan.Scan(src, &v); err != nil {
			return nil, err
		}
		return conv(v)
	}
}

func uuidString(b []byte) string {
	if len(b) != 16 {
		return hex.EncodeToString(b)
	}
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
