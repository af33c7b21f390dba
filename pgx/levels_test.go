package pgx_test

import (
	"context"
	"database/sql"
	"os"
	"reflect"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	jpgx "github.com/joinery/joinery/pgx"
)

// ShapeLevels gives what the UNION ALL gives on every path: pgx native (keys as native
// arrays), database/sql over pgx's stdlib driver in a transaction (no adapter: keys as array
// literals) and AllAndCount (count first, then the levels).
func TestLevelsEveryPath(t *testing.T) {
	conn, db, s := setup(t)
	ctx := context.Background()
	base := joinery.Query[User](s, dialects.Postgres).
		Include(include.New("posts").Order("id").Include("author", include.New("tags").Order("id").ThroughColumns("added_by"))).
		OrderBy("name")
	want, err := base.Shape(joinery.ShapeUnion).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	normalize(want)
	q := base.Shape(joinery.ShapeLevels)
	got, err := jpgx.All(ctx, conn, q)
	if err != nil {
		t.Fatal(err)
	}
	normalize(got)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pgx native\n%+v\nunion\n%+v", got, want)
	}
	sdb, err := sql.Open("pgx", os.Getenv("JOINERY_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	tx, err := sdb.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SET LOCAL search_path = "+schemaName); err != nil {
		t.Fatal(err)
	}
	got, err = q.All(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	normalize(got)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("database/sql over pgx stdlib\n%+v\nunion\n%+v", got, want)
	}
	page, n, err := jpgx.AllAndCount(ctx, conn, q.Limit(1))
	if err != nil || len(page) != 1 || n != int64(len(want)) {
		t.Fatalf("AllAndCount: %d roots, count %d, %v", len(page), n, err)
	}
	// a filter that leaves no root sends no statement for the includes
	none, err := jpgx.All(ctx, conn, q.Where(sq.Eq{"name": "nobody"}))
	if err != nil || len(none) != 0 {
		t.Fatalf("no roots: %v %v", none, err)
	}
}
