package builder

import (
	"errors"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

type bUser struct {
	ID    int64   `db:"id"`
	Posts []bPost `db:"-"` // db:"-" keeps sqlx away; joinery still fills it
}

type bPost struct {
	ID     int64 `db:"id"`
	UserID int64 `db:"user_id"`
}

func schema(t *testing.T) *include.Schema {
	s := include.NewSchema()
	s.Define(bUser{}, "users", include.Name("User"))
	s.Define(bPost{}, "posts", include.Name("Post"))
	if _, err := s.HasMany("User", "Post", include.As("posts")); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestShapes(t *testing.T) {
	s := schema(t)
	m := s.Model("User")
	auto, err := Build(s, dialects.SQLite, Query{Model: m, Include: []include.Node{include.New("posts")}})
	if err != nil || auto.Shape != ShapeUnion || !strings.Contains(auto.SQL, "UNION ALL") || auto.Map.Branch != "jb" {
		t.Fatalf("a to-many include defaults to the union shape: %v %v", auto, err)
	}
	if !strings.HasPrefix(auto.Explain(), "shape: union\n") || !strings.Contains(auto.Explain(), "branch 1") {
		t.Fatalf("explain: %s", auto.Explain())
	}
	if got := auto.ResultColumns(); strings.Join(got, ",") != "jb,c0,c1,c2" {
		t.Fatalf("result columns %v", got)
	}
	flat, _ := Build(s, dialects.SQLite, Query{Model: m, Include: []include.Node{include.New("posts")}, Shape: ShapeFlat})
	if flat.Shape != ShapeFlat || strings.Contains(flat.SQL, "UNION") || flat.Map.Branch != "" {
		t.Fatalf("forced flat: %s", flat.SQL)
	}
	none, _ := Build(s, dialects.SQLite, Query{Model: m})
	if none.Shape != ShapeFlat {
		t.Fatalf("no includes: %v", none.Shape)
	}
	// a per-parent limit on a hasMany: a ROW_NUMBER() window inside the branch
	limited := []include.Node{include.New("posts").Order("id DESC").Limit(2)}
	p, err := Build(s, dialects.SQLite, Query{Model: m, Include: limited})
	if err != nil || p.Shape != ShapeUnion || !strings.Contains(p.SQL, `ROW_NUMBER() OVER (PARTITION BY "t1"."user_id" ORDER BY "t1"."id" DESC) AS "jr_rn"`) {
		t.Fatalf("limited include: %v %v", p, err)
	}
	// a root filter on an included column needs the flat JOIN
	_, err = Build(s, dialects.SQLite, Query{Model: m, Include: []include.Node{include.New("posts")},
		Where: []sq.Sqlizer{sq.Eq{"posts.id": 1}}, Shape: ShapeUnion})
	if !errors.Is(err, ErrInclude) || !strings.Contains(err.Error(), "root filter names an included column") {
		t.Fatalf("forced union with a root filter on an include: %v", err)
	}
	for s, want := range map[Shape]string{ShapeAuto: "auto", ShapeFlat: "flat", ShapeUnion: "union"} {
		if s.String() != want {
			t.Errorf("%d: %s", s, s.String())
		}
	}
}

func TestCountIgnoresPaging(t *testing.T) {
	s := schema(t)
	p, err := Count(s, dialects.Postgres, Query{Model: s.Model("User"), HasLimit: true, Limit: 5, Offset: 3,
		Include: []include.Node{include.New("posts").Required()}})
	want := `SELECT COUNT(*) FROM "users" AS "t0" WHERE EXISTS (SELECT 1 FROM "posts" AS "t1" WHERE "t1"."user_id" = "t0"."id")`
	if err != nil || p.SQL != want || len(p.Args) != 0 {
		t.Fatalf("got %s %v %v", p.SQL, p.Args, err)
	}
}

func TestStreamNeedsRootOrder(t *testing.T) {
	s := schema(t)
	_, err := Build(s, dialects.SQLite, Query{Model: s.Model("User"), Include: []include.Node{include.New("posts")},
		OrderBy: []string{"posts.id"}, Stream: true})
	if err == nil || !strings.Contains(err.Error(), `"posts.id" is a to-many include's column`) {
		t.Fatalf("got %v", err)
	}
	p, err := Build(s, dialects.SQLite, Query{Model: s.Model("User"), Include: []include.Node{include.New("posts")}, Stream: true})
	if err != nil || p.Shape != ShapeFlat || !strings.HasSuffix(p.SQL, `ORDER BY "t0"."id"`) {
		t.Fatalf("stream: %v %v", p, err)
	}
}

type failing struct{ err error }

func (f failing) ToSql() (string, []any, error) { return "", nil, f.err }

// Errors are wrapped once: the sentinel once in the message, the cause reachable with
// errors.Is, the message naming the model, include path and column.
func TestErrorsWrappedOnce(t *testing.T) {
	s := schema(t)
	m := s.Model("User")
	_, err := Build(s, dialects.SQLite, Query{Model: m, Where: []sq.Sqlizer{sq.Eq{"nope": 1}}})
	if !errors.Is(err, ErrInclude) || strings.Count(err.Error(), "bad query") != 1 || !strings.Contains(err.Error(), `root User: unknown column "nope" of User`) {
		t.Fatalf("unknown root column: %v", err)
	}
	_, err = Build(s, dialects.SQLite, Query{Model: m, Include: []include.Node{include.New("posts").Where(sq.Eq{"nope": 1})}})
	if !errors.Is(err, ErrInclude) || strings.Count(err.Error(), "bad query") != 1 || !strings.Contains(err.Error(), `include "posts": unknown column "nope" of Post`) {
		t.Fatalf("unknown include column: %v", err)
	}
	cause := errors.New("the cause")
	_, err = Build(s, dialects.SQLite, Query{Model: m, Include: []include.Node{include.New("posts").Where(failing{cause})}})
	if !errors.Is(err, ErrInclude) || !errors.Is(err, cause) || strings.Count(err.Error(), "bad query") != 1 || !strings.Contains(err.Error(), `include "posts"`) {
		t.Fatalf("failing predicate: %v", err)
	}
	_, err = Build(s, dialects.SQLite, Query{Model: m, Include: []include.Node{include.New("posts")},
		Where: []sq.Sqlizer{sq.Eq{"posts.id": 1}}, Shape: ShapeUnion})
	if !errors.Is(err, ErrShape) || !errors.Is(err, ErrInclude) || strings.Count(err.Error(), "bad query") != 1 {
		t.Fatalf("shape: %v", err)
	}
}

// Every argument says what it is for.
func TestArgSource(t *testing.T) {
	s := schema(t)
	p, err := Build(s, dialects.Postgres, Query{Model: s.Model("User"), Where: []sq.Sqlizer{sq.Eq{"id": 7}},
		Include: []include.Node{include.New("posts").Where(sq.Gt{"id": 3}).Order("id").Limit(2)}, HasLimit: true, Limit: 10, Shape: ShapeFlat})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := range p.Args {
		got = append(got, p.ArgSource(i))
	}
	want := []string{`root User filter`, `root User Limit`, `include "posts" filter`, `include "posts" Limit`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sources %q, want %q\n%s", got, want, p.SQL)
	}
	if p.ArgSource(-1) != "" || p.ArgSource(len(p.Args)) != "" {
		t.Fatal("out of range")
	}
}

type paramName string

func (p paramName) ParamName() string { return string(p) }

// TestRootPinned: a root found by its key (an equality with one value on every key column,
// alone or in an sq.And) sends its to-many includes in the roots' batch of the per-level
// plan, linked by = ANY(ARRAY(SELECT its key ..)); any other filter waits for the roots' keys.
func TestRootPinned(t *testing.T) {
	s := schema(t)
	m := s.Model("User")
	cases := []struct {
		where  []sq.Sqlizer
		pinned bool
	}{
		{[]sq.Sqlizer{sq.Eq{"id": 7}}, true},
		{[]sq.Sqlizer{sq.Eq{"id": paramName("id")}}, true},
		{[]sq.Sqlizer{sq.Gt{"id": 0}, sq.And{sq.Expr("1 = 1"), sq.Eq{"id": 7}}}, true},
		{nil, true}, // (not pinned: roots without a filter, rootsCheap)
		{[]sq.Sqlizer{sq.Eq{"id": []int{1, 2}}}, false}, // a list: IN
		{[]sq.Sqlizer{sq.Eq{"id": nil}}, false},
		{[]sq.Sqlizer{sq.Or{sq.Eq{"id": 7}, sq.Eq{"id": 8}}}, false},
		{[]sq.Sqlizer{sq.LtOrEq{"id": 7}}, false},
		{[]sq.Sqlizer{sq.Expr("id = ?", 7)}, false},
		{[]sq.Sqlizer{sq.Eq{"posts.id": 7}}, false},
	}
	for _, c := range cases {
		p, err := Build(s, dialects.Postgres, Query{Model: m, Where: c.where, Include: []include.Node{include.New("posts")}, Shape: ShapeLevels})
		if err != nil {
			if c.where != nil && strings.Contains(err.Error(), "included column") {
				continue // (posts.id: a root filter on an include needs the flat JOIN)
			}
			t.Fatalf("%v: %v", c.where, err)
		}
		with := p.Statements[1].Keys.From < 0
		if with != c.pinned || with != strings.Contains(p.Explain(), "statement 2: branch 1, with the roots") {
			t.Errorf("%v: posts with the roots %v, want %v\n%s", c.where, with, c.pinned, p.Explain())
		}
		// (one root by its key: an array of its key, which the planner probes the index
		// with; the roots without a filter: the semi-join it hashes)
		want := `"t1"."user_id" IN (SELECT "t0"."id" FROM "users" AS "t0"`
		if c.where != nil {
			want = `"t1"."user_id" = ANY(ARRAY(SELECT "t0"."id" FROM "users" AS "t0" WHERE `
		}
		if with && !strings.Contains(p.Statements[1].SQL, want) {
			t.Errorf("%v: %s\nwant %s", c.where, p.Statements[1].SQL, want)
		}
	}
	// a composite key is pinned by all of its columns only
	same := func(name string) string { return name }
	key := []string{"tenant_id", "id"}
	if !pinsKey([]sq.Sqlizer{sq.Eq{"tenant_id": 1}, sq.Eq{"id": 7}}, key, same) ||
		!pinsKey([]sq.Sqlizer{sq.Eq{"tenant_id": 1, "id": 7}}, key, same) ||
		pinsKey([]sq.Sqlizer{sq.Eq{"id": 7}}, key, same) ||
		pinsKey([]sq.Sqlizer{sq.Eq{"tenant_id": 1, "id": []int{7, 8}}}, key, same) ||
		pinsKey([]sq.Sqlizer{sq.Eq{"id": 7}}, nil, same) {
		t.Fatal("pinsKey on a two-column key")
	}
}

// TestFirstGrouped: roots ordered by a to-many column under a limit get each root's first
// value from one grouped derived table when every root is a candidate, and from a correlated
// subquery per root under a filter; where NULLs sort first (DESC on PostgreSQL), a group
// with a NULL gives NULL.
func TestFirstGrouped(t *testing.T) {
	s := schema(t)
	m := s.Model("User")
	limit := uint64(10)
	build := func(order string, where ...sq.Sqlizer) string {
		t.Helper()
		p, err := Build(s, dialects.Postgres, Query{Model: m, Where: where, Include: []include.Node{include.New("posts")}, OrderBy: []string{order}, Limit: limit, HasLimit: limit > 0, Shape: ShapePipeline})
		if err != nil {
			t.Fatal(err)
		}
		return p.Statements[0].SQL
	}
	asc := build("posts.id")
	if want := `LEFT JOIN (SELECT "t1"."user_id" AS "k0", MIN("t1"."id") AS "v" FROM "posts" AS "t1" GROUP BY "t1"."user_id") AS "t3" ON "t3"."k0" = "t0"."id" ORDER BY "jr_o0", "t0"."id" LIMIT $1`; !strings.Contains(asc, want) || strings.Contains(asc, "WHERE \"t1\".\"user_id\" = \"t0\".\"id\"") {
		t.Fatalf("ASC, no filter:\n%s\nwant %s", asc, want)
	}
	desc := build("posts.id DESC")
	if want := `CASE WHEN COUNT(*) > COUNT("t1"."id") THEN NULL ELSE MAX("t1"."id") END AS "v"`; !strings.Contains(desc, want) {
		t.Fatalf("DESC, no filter:\n%s\nwant %s", desc, want)
	}
	filtered := build("posts.id", sq.Gt{"id": 5})
	if strings.Contains(filtered, "GROUP BY") || !strings.Contains(filtered, `(SELECT MIN("t1"."id") FROM "posts" AS "t1" WHERE "t1"."user_id" = "t0"."id")`) {
		t.Fatalf("filtered roots: a subquery per candidate:\n%s", filtered)
	}
	if again := build("posts.id DESC"); again != desc {
		t.Fatalf("not deterministic:\n%s\n%s", desc, again)
	}
	// every root returned: the roots' statement is ordered by the grouped value
	limit = 0
	all := build("posts.id")
	if want := `SELECT "t0"."id" AS "c0" FROM "users" AS "t0" LEFT JOIN (SELECT "t1"."user_id" AS "k0", MIN("t1"."id") AS "v" FROM "posts" AS "t1" GROUP BY "t1"."user_id") AS "t2" ON "t2"."k0" = "t0"."id" ORDER BY "t2"."v", "t0"."id"`; all != want {
		t.Fatalf("no limit:\n%s\nwant\n%s", all, want)
	}
}
