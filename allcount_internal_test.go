package joinery

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/include"
)

// countConn is a SQLite connection that begins transactions; countAdapter runs its
// statements (Query) but batches no count (no Counted).
type countConn struct{ driver.Conn }

func (c countConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c countConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

type countDriver struct{ inner driver.Driver }

func (d countDriver) Open(name string) (driver.Conn, error) {
	c, err := d.inner.Open(name)
	if err != nil {
		return nil, err
	}
	return countConn{c}, nil
}

var countAdapterRuns atomic.Int64

func countAdapter(ctx context.Context, dc any) *DriverRunner {
	c, ok := dc.(countConn)
	if !ok {
		return nil
	}
	return &DriverRunner{Query: func(query string, args []any) (hydrate.Rows, error) {
		countAdapterRuns.Add(1)
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

// An adapter without Counted: AllAndCount takes the database/sql path (its own read-only
// transaction), and the driver is not marked as one without an adapter: All still runs
// through it.
func TestAllAndCountAdapterWithoutCounted(t *testing.T) {
	RegisterDriverAdapter(countAdapter)
	lite, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	sql.Register("joinery_allcount_adapter", countDriver{inner: lite.Driver()})
	lite.Close()
	db, err := sql.Open("joinery_allcount_adapter", filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, st := range []string{`CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`, `INSERT INTO things VALUES (1, 'a'), (2, 'b'), (3, 'c')`} {
		if _, err := db.Exec(st); err != nil {
			t.Fatal(err)
		}
	}
	type thing struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	s := include.NewSchema()
	s.Define(thing{}, "things")
	q := Query[thing](s, dialects.SQLite).OrderBy("id").Limit(1).Offset(2)
	ctx := context.Background()
	before := countAdapterRuns.Load()
	got, n, err := q.AllAndCount(ctx, db)
	if err != nil || n != 3 || len(got) != 1 || got[0].Name != "c" {
		t.Fatalf("%+v %d %v", got, n, err)
	}
	if countAdapterRuns.Load() != before {
		t.Fatal("AllAndCount ran a statement through an adapter that batches no count")
	}
	if all, err := q.All(ctx, db); err != nil || len(all) != 1 || countAdapterRuns.Load() != before+1 {
		t.Fatalf("All after AllAndCount: %v, %d adapter runs", err, countAdapterRuns.Load()-before)
	}
}
