package pgx_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/hydrate"
	jpgx "github.com/joinery/joinery/pgx"
)

// connect opens a connection of its own on the test schema: a failed statement must not
// leave a shared one in a state the next case sees.
func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, os.Getenv("JOINERY_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	if _, err := c.Exec(ctx, "SET search_path = "+schemaName); err != nil {
		t.Fatal(err)
	}
	return c
}

// A statement that fails before its first row returns the database's error, with its
// SQLSTATE, natively and over the stdlib adapter, in every shape: never a column mismatch
// (pgx describes no columns for such a statement and reports the failure only when its rows
// are read).
func TestPgxErrorBeforeFirstRow(t *testing.T) {
	_, _, s := setup(t)
	ctx := context.Background()
	sdb, err := sql.Open("pgx", os.Getenv("JOINERY_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	base := joinery.Query[User](s, dialects.Postgres).Include("posts")
	cases := []struct {
		name  string
		q     joinery.Q[User]
		state string
	}{
		{"division by zero", base.Where(sq.Expr("{{self}}.id / ? = 1", 0)), "22012"},
		{"NUL byte in an argument", base.Where(sq.Eq{"name": "a\x00b"}), "22021"},
	}
	for _, c := range cases {
		for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
			q := c.q.Shape(shape)
			_, native := jpgx.All(ctx, connect(t), q)
			sc, err := sdb.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sc.ExecContext(ctx, "SET search_path = "+schemaName); err != nil {
				t.Fatal(err)
			}
			_, stdlib := q.All(ctx, sc)
			sc.Close()
			for via, err := range map[string]error{"native": native, "stdlib": stdlib} {
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != c.state || errors.Is(err, hydrate.ErrColumns) {
					t.Errorf("%s, %s, %s: want SQLSTATE %s, got %v", c.name, shape, via, c.state, err)
				}
			}
		}
	}
}

// The rows adapter reports the error of a query that failed before its first row from
// Columns, where the hydrator looks first; a result that describes no columns but has rows
// keeps its first row.
func TestRowsColumnsReportQueryError(t *testing.T) {
	setup(t)
	ctx := context.Background()
	conn := connect(t)
	r, err := conn.Query(ctx, "SELECT id FROM users WHERE name = $1", "a\x00b")
	if err != nil {
		t.Fatalf("pgx reported the error at once (%v): the case this test guards is gone", err)
	}
	rows := jpgx.Rows(r)
	cols, err := rows.Columns()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "22021" {
		t.Fatalf("Columns() = %v, %v; want the encoding error", cols, err)
	}
	rows.Close()

	// more parameters than the protocol's 65,535: pgx's own error, not an empty column list
	conn = connect(t)
	var b strings.Builder
	args := make([]any, 70000)
	b.WriteString("SELECT id FROM users WHERE id IN (")
	for i := range args {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("$" + strconv.Itoa(i+1))
		args[i] = int64(i)
	}
	b.WriteString(")")
	r, err = conn.Query(ctx, b.String(), args...)
	if err == nil {
		rows := jpgx.Rows(r)
		_, err = rows.Columns()
		rows.Close()
	}
	if err == nil || errors.Is(err, hydrate.ErrColumns) {
		t.Fatalf("70,000 parameters: want pgx's error, got %v", err)
	}

	// no columns, two rows: Columns reads the first row to look for an error, Next keeps it
	conn = connect(t)
	r, err = conn.Query(ctx, "SELECT FROM users")
	if err != nil {
		t.Fatal(err)
	}
	rows = jpgx.Rows(r)
	if cols, err := rows.Columns(); err != nil || len(cols) != 0 {
		t.Fatalf("Columns() = %v, %v", cols, err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Close(); err != nil || n != 2 {
		t.Fatalf("%d rows (want 2), %v", n, err)
	}
}
