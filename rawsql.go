package joinery

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/jmoiron/sqlx"

	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/hydrate"
)

// The driver path, for registered adapters only. A Querier that lends its driver
// connection (*sql.DB and *sql.Conn: sql.Conn.Raw) has the statements run by a
// DriverAdapter that recognizes the connection (joinery/pgx: pgx's stdlib connection, whose
// raw values it decodes into the hydrator's typed cells and whose pipelines it sends as one
// batch). Every other driver runs through database/sql's rows: a generic path over the
// driver interfaces was measured (BenchmarkDriverPath: SQLite, lib/pq, MariaDB) to save no
// allocation and no CPU beyond noise, while it had to re-implement database/sql's context,
// argument conversion and connection handling, and differed from it where a caller could see.

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
// *sqlx.DB), whose connection it takes from the pool, or a *sql.Conn. ok is false, and the
// caller uses database/sql, for other Queriers and when fn finds no adapter for the
// connection (errNoAdapter; a pool's driver is then remembered, so its next loads take no
// connection to ask again). As database/sql does for QueryContext, a pooled connection that
// turns out bad (driver.ErrBadConn) is discarded and the load retried on another; after the
// last try the caller falls back to the database/sql path.
func withDriver(ctx context.Context, db Querier, fn func(conn *driverConn) error) (ok bool, err error) {
	if c, isConn := db.(*sql.Conn); isConn {
		err = c.Raw(func(dc any) error { return fn(&driverConn{ctx: ctx, dc: dc}) })
		if errors.Is(err, errNoAdapter) {
			return false, nil
		}
		return true, err
	}
	pool := poolOf(db)
	if pool == nil {
		return false, nil
	}
	drv := reflect.TypeOf(pool.Driver())
	if _, none := noAdapter.Load(drv); none {
		return false, nil
	}
	for try := 0; try < 3; try++ {
		var c *sql.Conn
		if c, err = pool.Conn(ctx); err != nil {
			return true, err
		}
		err = c.Raw(func(dc any) error { return fn(&driverConn{ctx: ctx, dc: dc}) })
		c.Close()
		if errors.Is(err, errNoAdapter) {
			noAdapter.Store(drv, true)
			return false, nil
		}
		if !errors.Is(err, driver.ErrBadConn) {
			return true, err
		}
	}
	return false, nil
}

// noAdapter holds the driver types (of a *sql.DB's Driver) whose connections no registered
// adapter recognized; RegisterDriverAdapter forgets them.
var noAdapter sync.Map

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
	// Levels, when set, runs a ShapeLevels plan's statements (hydrate.Levels), sending
	// each one's parent keys natively as arrays; without it they go through Query as
	// array literals (ArrayLiteral).
	Levels func(p *builder.Plan) (hydrate.Rows, error)
	// Counted, when set, sends the Count statement count and p's statements (of any shape)
	// in one round trip, seen in one snapshot unless the connection is in a transaction,
	// and returns the count and p's rows: AllAndCount over a *sql.DB or *sql.Conn runs
	// through it, with p compiled as for a pipelining driver.
	Counted func(p, count *builder.Plan) (hydrate.Rows, int64, error)
	// Distant, when set, reports that a round trip on the connection costs more than
	// computing the roots again: queries are then compiled as Q.PlanPipelinedDistant.
	Distant func() bool
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
	noAdapter.Clear()
}

// runner is a registered adapter's way of running statements on c, or nil.
func (c *driverConn) runner() *DriverRunner {
	adaptersMu.RLock()
	defer adaptersMu.RUnlock()
	for _, a := range adapters {
		if r := a(c.ctx, c.dc); r != nil && r.Query != nil {
			return r
		}
	}
	return nil
}

// errNoAdapter is what a load over a driver connection returns when no adapter recognizes
// it: withDriver then reports that the caller should use database/sql.
var errNoAdapter = errors.New("joinery: no driver adapter for this connection")

// driverConn runs statements on a driver connection.
type driverConn struct {
	ctx context.Context
	dc  any
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
