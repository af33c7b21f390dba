package joinery

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/joinery/joinery/hydrate"
	_ "modernc.org/sqlite"
)

// *sql.DB and *sql.Conn lend their driver connection: statements run on the driver and rows
// reach the hydrator as typed cells; a *sql.Tx goes through database/sql.
func TestWithDriver(t *testing.T) {
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
	for name, q := range map[string]Querier{"*sql.DB": db, "*sql.Conn": conn} {
		var got []any
		ok, err := withDriver(ctx, q, func(c *driverConn) error {
			rows, err := c.query("SELECT ? + 1, ?, NULL", []any{41, "x"})
			if err != nil {
				return err
			}
			defer rows.Close()
			if _, ok := rows.(hydrate.CellRows); !ok {
				t.Errorf("%s: driver rows are not CellRows", name)
			}
			for rows.Next() {
				var a sql.NullInt64
				var b sql.NullString
				var n sql.NullString
				if err := rows.Scan(&a, &b, &n); err != nil {
					return err
				}
				got = append(got, a.Int64, b.String, n.Valid)
			}
			return rows.Err()
		})
		if !ok || err != nil || len(got) != 3 || got[0] != int64(42) || got[1] != "x" || got[2] != false {
			t.Fatalf("%s: ok %v, err %v, got %v", name, ok, err, got)
		}
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

func TestWithDriverRetriesBadConn(t *testing.T) {
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
		rows, err := c.runner().Query("SELECT ? + 1", []any{41})
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
	if !ok || err != nil || got != 42 || !failed.Load() {
		t.Fatalf("ok %v, err %v, got %d, failed once %v", ok, err, got, failed.Load())
	}
}

// sql.Named arguments reach the driver named, as through database/sql.
func TestNamedValues(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	ok, err := withDriver(context.Background(), db, func(c *driverConn) error {
		rows, err := c.query("SELECT @who || '!'", []any{sql.Named("who", "bob")})
		if err != nil {
			return err
		}
		defer rows.Close()
		var s sql.NullString
		for rows.Next() {
			if err := rows.Scan(&s); err != nil {
				return err
			}
		}
		got = s.String
		return rows.Err()
	})
	if !ok || err != nil || got != "bob!" {
		t.Fatalf("ok %v, err %v, got %q", ok, err, got)
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
