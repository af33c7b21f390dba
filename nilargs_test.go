package joinery_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/joinery/joinery"
)

// nilQuerier is a Querier of the caller's own whose nil pointer would panic if used.
type nilQuerier struct{ db *sql.DB }

func (q *nilQuerier) QueryContext(ctx context.Context, s string, args ...any) (*sql.Rows, error) {
	return q.db.QueryContext(ctx, s, args...)
}

// A nil context, a nil Querier (also a nil pointer of any Querier type inside the interface)
// and a nil Each callback are errors that name the method and what is nil, where
// database/sql would panic; a query that does not compile reports that first.
func TestNilArguments(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "unused")[0]
	seedBlog(t, tdb.db)
	q := joinery.Query[User](s, tdb.dialect).Include("posts").OrderBy("id")
	ctx := context.Background()

	type run struct {
		method string
		call   func(ctx context.Context, db joinery.Querier) error
	}
	runs := []run{
		{"All", func(ctx context.Context, db joinery.Querier) error { _, err := q.All(ctx, db); return err }},
		{"One", func(ctx context.Context, db joinery.Querier) error { _, err := q.One(ctx, db); return err }},
		{"Count", func(ctx context.Context, db joinery.Querier) error { _, err := q.Count(ctx, db); return err }},
		{"Each", func(ctx context.Context, db joinery.Querier) error {
			return q.Each(ctx, db, func(User) error { return nil })
		}},
		{"Iter", func(ctx context.Context, db joinery.Querier) error {
			var last error
			n := 0
			for _, err := range q.Iter(ctx, db) {
				n++
				last = err
			}
			if n > 1 {
				return nil // (roots came: no error)
			}
			return last
		}},
	}
	nils := map[string]joinery.Querier{
		"nil":              nil,
		"(*sql.DB)(nil)":   (*sql.DB)(nil),
		"(*sql.Conn)(nil)": (*sql.Conn)(nil),
		"(*sql.Tx)(nil)":   (*sql.Tx)(nil),
		"(*sqlx.DB)(nil)":  (*sqlx.DB)(nil),
		"&sqlx.DB{}":       &sqlx.DB{},
		"(*sqlx.Tx)(nil)":  (*sqlx.Tx)(nil),
		"own type nil":     (*nilQuerier)(nil),
	}
	for _, r := range runs {
		for name, db := range nils {
			err := catchErr(t, func() error { return r.call(ctx, db) })
			if want := "joinery: " + r.method + ": nil Querier"; err == nil || err.Error() != want {
				t.Errorf("%s(ctx, %s): want %q, got %v", r.method, name, want, err)
			}
		}
		//lint:ignore SA1012 the nil context is the point
		err := catchErr(t, func() error { return r.call(nil, tdb.db) }) //nolint:staticcheck
		if want := "joinery: " + r.method + ": nil context"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s(nil, db): want %q..., got %v", r.method, want, err)
		}
		// and a working Querier of each kind still runs
		if err := r.call(ctx, tdb.db); err != nil {
			t.Errorf("%s(ctx, db): %v", r.method, err)
		}
		if err := r.call(ctx, &nilQuerier{tdb.db}); err != nil {
			t.Errorf("%s(ctx, &nilQuerier{db}): %v", r.method, err)
		}
	}
	err := catchErr(t, func() error { return q.Each(ctx, tdb.db, nil) })
	if want := "joinery: Each: nil callback"; err == nil || err.Error() != want {
		t.Errorf("Each(ctx, db, nil): want %q, got %v", want, err)
	}
	// a query that does not compile says so first
	if _, err := joinery.Query[User](s, nil).All(ctx, nil); err == nil || !strings.Contains(err.Error(), "no dialect") {
		t.Errorf("All of a query without a dialect, on a nil Querier: want the query's error, got %v", err)
	}
}

// catchErr runs fn and fails the test if it panics.
func catchErr(t *testing.T, fn func() error) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("panic: %v", p)
		}
	}()
	return fn()
}
