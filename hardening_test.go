package joinery_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// Regression tests for the hardening issue (10): each case returned wrong or incomplete
// data, or the wrong error, before its fix.

// shapesOf runs fn for every shape on every database the run has.
func shapesOf(t *testing.T, isolate string, seed func(t *testing.T, tdb testDB), fn func(t *testing.T, tdb testDB, shape joinery.Shape)) {
	for _, tdb := range openDBs(t, isolate) {
		t.Run(tdb.name, func(t *testing.T) {
			seed(t, tdb)
			for _, shape := range allShapes {
				if shape == joinery.ShapeLevels && !tdb.dialect.Features().AnyArray {
					continue // (ErrShape: no array parameters)
				}
				t.Run(shape.String(), func(t *testing.T) { fn(t, tdb, shape) })
			}
		})
	}
}

type KsItem struct {
	ID    int64    `db:"id"`
	Score *int64   `db:"score"`
	Notes []KsNote `json:",omitempty"`
}

type KsNote struct {
	ID     int64 `db:"id"`
	ItemID int64 `db:"item_id"`
}

func ksSchema(t testing.TB) *include.Schema {
	s := include.NewSchema()
	for _, err := range []error{
		second(s.Define(KsItem{}, "ks_items")),
		second(s.Define(KsNote{}, "ks_notes")),
		second(s.HasMany("KsItem", "KsNote", include.As("notes"), include.ForeignKey("item_id"))),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func second(_ any, err error) error { return err }

// Item 1: keyset paging over a nullable column visits every root once, in either NULLS
// order and direction, in every shape (the cursor's comparisons dropped NULLs: 2-4 of 6
// roots were returned).
func TestHardeningKeysetNulls(t *testing.T) {
	s := ksSchema(t)
	seed := func(t *testing.T, tdb testDB) {
		mustExec(t, tdb.db, "DROP TABLE IF EXISTS ks_notes", "DROP TABLE IF EXISTS ks_items",
			"CREATE TABLE ks_items (id BIGINT PRIMARY KEY, score BIGINT NULL)",
			"CREATE TABLE ks_notes (id BIGINT PRIMARY KEY, item_id BIGINT NOT NULL)",
			"INSERT INTO ks_items (id, score) VALUES (1, 20), (2, NULL), (3, 10), (4, NULL), (5, 20), (6, 5)",
			"INSERT INTO ks_notes (id, item_id) VALUES (10, 1), (11, 2), (12, 2), (13, 6)")
	}
	orders := []string{"score", "score DESC", "score NULLS FIRST", "score NULLS LAST", "score DESC NULLS FIRST", "score DESC NULLS LAST"}
	shapesOf(t, "joinery_hard_ks", seed, func(t *testing.T, tdb testDB, shape joinery.Shape) {
		ctx := context.Background()
		for _, order := range orders {
			base := joinery.Query[KsItem](s, tdb.dialect).Include("notes").OrderBy(order, "id").Shape(shape)
			all, err := base.All(ctx, tdb.db)
			if err != nil {
				t.Fatalf("%s: %v", order, err)
			}
			want := ids(all)
			if len(want) != 6 {
				t.Fatalf("%s: all roots: %v", order, want)
			}
			for _, size := range []uint64{1, 2, 4} {
				var got []int64
				page := base.Limit(size)
				for round := 0; round < 10; round++ {
					items, err := page.All(ctx, tdb.db)
					if err != nil {
						t.Fatalf("%s, pages of %d: %v", order, size, err)
					}
					if len(items) == 0 {
						break
					}
					got = append(got, ids(items)...)
					for _, it := range items {
						if want := map[int64]int{1: 1, 2: 2, 6: 1}[it.ID]; len(it.Notes) != want {
							t.Fatalf("%s: root %d has %d notes, want %d", order, it.ID, len(it.Notes), want)
						}
					}
					c, err := base.Cursor(items[len(items)-1])
					if err != nil {
						t.Fatal(err)
					}
					page = base.After(c).Limit(size)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s, pages of %d: %v, want %v", order, size, got, want)
				}
			}
		}
	})
}

func ids(items []KsItem) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

// A cursor value for a nullable column cannot be a Param: whether it is NULL decides the
// statement. The error says so at compile time.
func TestHardeningKeysetNullableParam(t *testing.T) {
	s := ksSchema(t)
	q := joinery.Query[KsItem](s, dialects.SQLite).OrderBy("score").After(joinery.Cursor{Values: []any{joinery.Param("r"), joinery.Param("id")}})
	_, err := q.Plan()
	if !errors.Is(err, builder.ErrInclude) || !strings.Contains(err.Error(), "score can be NULL") {
		t.Fatalf("got %v", err)
	}
	// the key column is not nullable: a Param is fine there
	q = joinery.Query[KsItem](s, dialects.SQLite).After(joinery.Cursor{Values: []any{joinery.Param("id")}})
	if _, err := q.Plan(); err != nil {
		t.Fatal(err)
	}
}

// Item 2: an include's Offset plus a Limit of math.MaxUint64 wrapped around and kept
// nothing; a root Limit of math.MaxUint64 was refused by the driver.
func TestHardeningLimitOverflow(t *testing.T) {
	s := blogSchema(t)
	shapesOf(t, "joinery_hard_lim", func(t *testing.T, tdb testDB) { seedBlog(t, tdb.db) }, func(t *testing.T, tdb testDB, shape joinery.Shape) {
		ctx := context.Background()
		users, err := joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Order("id").Offset(1).Limit(math.MaxUint64)).
			OrderBy("id").Limit(math.MaxUint64).Shape(shape).All(ctx, tdb.db)
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, users, `[{`+alice+`,"Posts":[{`+p11+`}]},{`+bob+`},{`+carol+`}]`)
		users, err = joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Order("id").Offset(math.MaxUint64).Limit(math.MaxUint64)).
			OrderBy("id").Offset(math.MaxUint64-1).Shape(shape).All(ctx, tdb.db)
		if err != nil || len(users) != 0 {
			t.Fatalf("offset past everything: %v %v", users, err)
		}
	})
}

type JrP struct {
	ID    int64  `db:"id"`
	JrO0  string `db:"jr_o0"`
	Items []JrItem
}

type JrItem struct {
	ID   int64 `db:"id"`
	PID  int64 `db:"p_id"`
	JrRn int64 `db:"jr_rn"`
}

// Item 3: a table named like the page CTE (jr_p) under a root limit, and columns named like
// the row-number (jr_rn) and root-order (jr_o0) columns, gave empty children or errors.
func TestHardeningInternalNames(t *testing.T) {
	s := include.NewSchema()
	for _, err := range []error{
		second(s.Define(JrP{}, "jr_p")),
		second(s.Define(JrItem{}, "jr_items")),
		second(s.HasMany("JrP", "JrItem", include.As("items"), include.ForeignKey("p_id"))),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	seed := func(t *testing.T, tdb testDB) {
		mustExec(t, tdb.db, "DROP TABLE IF EXISTS jr_items", "DROP TABLE IF EXISTS jr_p",
			"CREATE TABLE jr_p (id BIGINT PRIMARY KEY, jr_o0 VARCHAR(20) NOT NULL)",
			"CREATE TABLE jr_items (id BIGINT PRIMARY KEY, p_id BIGINT NOT NULL, jr_rn BIGINT NOT NULL)",
			"INSERT INTO jr_p (id, jr_o0) VALUES (1, 'b'), (2, 'a'), (3, 'c')",
			"INSERT INTO jr_items (id, p_id, jr_rn) VALUES (10, 1, 7), (11, 1, 8), (12, 2, 9), (13, 3, 6)")
	}
	shapesOf(t, "joinery_hard_names", seed, func(t *testing.T, tdb testDB, shape joinery.Shape) {
		ctx := context.Background()
		// root limit + to-many order term: the page CTE and the root-order column
		got, err := joinery.Query[JrP](s, tdb.dialect).Include(include.New("items").Order("id")).
			OrderBy("items.jr_rn DESC", "id").Limit(2).Shape(shape).All(ctx, tdb.db)
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, got, `[{"ID":2,"JrO0":"a","Items":[{"ID":12,"PID":2,"JrRn":9}]},{"ID":1,"JrO0":"b","Items":[{"ID":11,"PID":1,"JrRn":8},{"ID":10,"PID":1,"JrRn":7}]}]`)
		// per-include limit: the row-number column
		got, err = joinery.Query[JrP](s, tdb.dialect).Include(include.New("items").Order("id DESC").Limit(1)).
			Where(sq.NotEq{"jr_o0": "zz"}).OrderBy("id").Shape(shape).All(ctx, tdb.db)
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, got, `[{"ID":1,"JrO0":"b","Items":[{"ID":11,"PID":1,"JrRn":8}]},{"ID":2,"JrO0":"a","Items":[{"ID":12,"PID":2,"JrRn":9}]},{"ID":3,"JrO0":"c","Items":[{"ID":13,"PID":3,"JrRn":6}]}]`)
	})
}

// Item 7: a root IN list of 20,000 values works in every shape (the UNION ALL repeated its
// arguments per branch: "too many SQL variables" on SQLite), and on PostgreSQL 32,766
// values work too; the arguments are sent once.
func TestHardeningLongInList(t *testing.T) {
	s := blogSchema(t)
	shapesOf(t, "joinery_hard_in", func(t *testing.T, tdb testDB) { seedBlog(t, tdb.db) }, func(t *testing.T, tdb testDB, shape joinery.Shape) {
		n := 20000
		if tdb.dialect == dialects.Postgres {
			n = 32766
		}
		list := make([]int64, n)
		for i := range list {
			list[i] = int64(i + 2) // bob, carol and ids no row has
		}
		qq := joinery.Query[User](s, tdb.dialect).Where(sq.Eq{"id": list}).Include(include.New("posts").Order("id"), "projects").OrderBy("id").Shape(shape)
		p, err := qq.Plan()
		if err != nil {
			t.Fatal(err)
		}
		if shape != joinery.ShapePipeline && shape != joinery.ShapeLevels && len(p.Args) != n && !(tdb.dialect == dialects.MySQL && len(p.Args) <= 65535) {
			// (MySQL repeats the list per branch while that stays under its limit)
			t.Errorf("%d arguments for a list of %d", len(p.Args), n)
		}
		got, err := qq.All(context.Background(), tdb.db)
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, got, `[{`+bob+`,"Posts":[{`+p12+`}],"Projects":[`+m3+`]},{`+carol+`}]`)
	})
}

// Past the dialect's bind-parameter limit the query fails before anything is sent, with an
// error naming the limit and the way out.
func TestHardeningParamLimit(t *testing.T) {
	s := blogSchema(t)
	for _, d := range []dialects.Dialect{dialects.SQLite, dialects.Postgres, dialects.MySQL} {
		limit := d.Features().MaxParams
		list := make([]int64, limit+1)
		db, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
		if err != nil {
			t.Fatal(err)
		}
		_, err = joinery.Query[User](s, d).Where(sq.Eq{"id": list}).Include("posts").All(context.Background(), db)
		if !errors.Is(err, builder.ErrTooManyParams) || !strings.Contains(err.Error(), fmt.Sprintf("allows %d", limit)) || !strings.Contains(err.Error(), "ANY(?)") {
			t.Errorf("%s: %v", d.Name(), err)
		}
		if err := mock.ExpectationsWereMet(); err != nil {
			t.Error(err)
		}
		db.Close()
	}
}

// Item 9: raw fragments with comments, E” strings and dollar quotes keep PostgreSQL's
// numbering right (they gave syntax errors); on every database the statement runs and binds
// the value to the placeholder outside the literal.
func TestHardeningRawFragments(t *testing.T) {
	s := blogSchema(t)
	frags := map[string][]sq.Sqlizer{
		"common": {
			sq.Expr("{{self}}.name <> '?' AND {{self}}.name = ? -- not ? here\n", "bob"),
			sq.Expr("/* ? */ {{self}}.name = ?", "bob"),
		},
		"postgres": {
			sq.Expr(`{{self}}.name <> E'\'?' AND {{self}}.name = ?`, "bob"),
			sq.Expr(`{{self}}.name <> $$it's ?$$ AND {{self}}.name = ?`, "bob"),
			sq.Expr(`{{self}}.name <> $q$ ? $q$ /* a /* ? */ b */ AND {{self}}.name = ?`, "bob"),
		},
		"mysql": {
			sq.Expr(`{{self}}.name <> 'it\'s ?' AND {{self}}.name = ? # ?`+"\n", "bob"),
		},
		"sqlite": {
			sq.Expr(`{{self}}.[name] = ?`, "bob"),
		},
	}
	shapesOf(t, "joinery_hard_raw", func(t *testing.T, tdb testDB) { seedBlog(t, tdb.db) }, func(t *testing.T, tdb testDB, shape joinery.Shape) {
		for _, f := range append(frags["common"], frags[tdb.name]...) {
			got, err := joinery.Query[User](s, tdb.dialect).Where(f).Include(include.New("posts").Where(sq.Expr("{{self}}.title <> '?' -- ?\n AND {{self}}.id > ?", 0))).
				Shape(shape).All(context.Background(), tdb.db)
			if err != nil {
				t.Fatalf("%v: %v", f, err)
			}
			assertJSON(t, got, `[{`+bob+`,"Posts":[{`+p12+`}]}]`)
		}
	})
}
