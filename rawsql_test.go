package joinery

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/joinery/joinery/hydrate"
	_ "modernc.org/sqlite"
)

// Without an adapter for its connections, a *sql.DB or *sql.Conn runs through database/sql;
// a pool's driver is remembered, so the next load takes no connection to ask again. A
// *sql.Tx lends no connection.
func TestWithDriverWithoutAdapter(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	noAdapter.Clear()
	for name, q := range map[string]Querier{"*sql.DB": db, "*sql.Conn": conn} {
		calls := 0
		ok, err := withDriver(ctx, q, func(c *driverConn) error {
			calls++
			if c.runner() != nil {
				t.Errorf("%s: an adapter for SQLite", name)
			}
			return errNoAdapter
		})
		if ok || err != nil || calls != 1 {
			t.Fatalf("%s: ok %v, err %v, %d calls", name, ok, err, calls)
		}
	}
	if ok, _ := withDriver(ctx, db, func(*driverConn) error { t.Error("asked again"); return nil }); ok {
		t.Fatal("the pool's driver has no adapter: database/sql")
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if ok, _ := withDriver(ctx, tx, func(*driverConn) error { return nil }); ok {
		t.Fatal("a *sql.Tx has no driver connection to lend")
	}
}

// badOnce fails the first query of the process with driver.ErrBadConn, as a stale pooled
// connection does; database/sql would retry on another connection, and so does withDriver.
// Its connections are the only ones testAdapter runs.
type badOnce struct {
	inner  driver.Driver
	failed *atomic.Bool
}

func (d badOnce) Open(name string) (driver.Conn, error) {
	c, err := d.inner.Open(name)
	if err != nil {
		return nil, err
	}
	return &badOnceConn{Conn: c, failed: d.failed}, nil
}

type badOnceConn struct {
	driver.Conn
	failed *atomic.Bool
}

func (c *badOnceConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if !c.failed.Swap(true) {
		return nil, driver.ErrBadConn
	}
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

// adapterRuns counts the statements testAdapter ran.
var adapterRuns atomic.Int64

// testAdapter runs statements on a badOnceConn through its driver interface.
func testAdapter(ctx context.Context, dc any) *DriverRunner {
	c, ok := dc.(*badOnceConn)
	if !ok {
		return nil
	}
	return &DriverRunner{Query: func(query string, args []any) (hydrate.Rows, error) {
		adapterRuns.Add(1)
		nvs := make([]driver.NamedValue, len(args))
		for i, a := range args {
			v, err := driver.DefaultParameterConverter.ConvertValue(a)
			if err != nil {
				return nil, err
			}
			nvs[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
		}
		r, err := c.QueryContext(ctx, query, nvs)
		if err != nil {
			return nil, err
		}
		return &rowsOf{r: r, vals: make([]driver.Value, len(r.Columns()))}, nil
	}}
}

// rowsOf is driver.Rows as hydrate.Rows.
type rowsOf struct {
	r    driver.Rows
	vals []driver.Value
	err  error
}

func (x *rowsOf) Columns() ([]string, error) { return x.r.Columns(), nil }
func (x *rowsOf) Err() error                 { return x.err }
func (x *rowsOf) Close() error               { return x.r.Close() }
func (x *rowsOf) Next() bool {
	if err := x.r.Next(x.vals); err != nil {
		if err != io.EOF {
			x.err = err
		}
		return false
	}
	return true
}
func (x *rowsOf) Scan(dest ...any) error {
	for i, d := range dest {
		if err := d.(sql.Scanner).Scan(x.vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// An adapter that recognizes the connection runs the load; a bad pooled connection is
// retried on another, as database/sql does.
func TestWithDriverAdapter(t *testing.T) {
	RegisterDriverAdapter(testAdapter)
	lite, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	failed := &atomic.Bool{}
	sql.Register("joinery_badonce", badOnce{inner: lite.Driver(), failed: failed})
	lite.Close()
	db, err := sql.Open("joinery_badonce", filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got int64
	ok, err := withDriver(context.Background(), db, func(c *driverConn) error {
		r := c.runner()
		if r == nil {
			return errNoAdapter
		}
		rows, err := r.Query("SELECT ? + 1", []any{41})
		if err != nil {
			return err
		}
		defer rows.Close()
		var n sql.NullInt64
		for rows.Next() {
			if err := rows.Scan(&n); err != nil {
				return err
			}
		}
		got = n.Int64
		return rows.Err()
	})
	if !ok || err != nil || got != 42 || !failed.Load() || adapterRuns.Load() != 2 {
		t.Fatalf("ok %v, err %v, got %d, failed once %v, %d adapter runs", ok, err, got, failed.Load(), adapterRuns.Load())
	}
}

// A type embedding *sql.DB may override QueryContext (tracing, routing): joinery keeps the
// database/sql path for it, so the override runs.
type tracingDB struct {
	*sql.DB
	queries int
}

func (t *tracingDB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	t.queries++
	return t.DB.QueryContext(ctx, q, args...)
}

func TestWrappersKeepTheirQueryContext(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tr := &tracingDB{DB: db}
	if ok, _ := withDriver(context.Background(), tr, func(*driverConn) error { return nil }); ok {
		t.Fatal("a wrapper of *sql.DB was run on the driver connection, bypassing its QueryContext")
	}
}
