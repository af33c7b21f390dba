package joinery_test

import (
	"context"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// A query built once with Params compiles once; each Bind only puts values in the cached
// plan's arguments, in every place the value appears (each UNION ALL branch, each pipelined
// statement, the Count statement).
func TestParams(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "unused")[0]
	seedBlog(t, tdb.db)
	ctx := context.Background()
	base := joinery.Query[User](s, dialects.SQLite).
		Where(sq.LtOrEq{"id": joinery.Param("max")}).
		Include(include.New("posts").Where(sq.Eq{"published": joinery.Param("pub")}).Order("id"), "posts.tags").
		OrderBy("id")
	for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapePipeline} {
		q := base.Shape(shape)
		unbound, err := q.Plan()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			max  int
			pub  bool
			want string
		}{
			{1, true, `alice:[hello]`},
			{2, true, `alice:[hello] bob:[bobs post]`},
			{3, false, `alice:[draft] bob:[] carol:[]`},
		} {
			b := q.Bind(map[string]any{"max": c.max, "pub": c.pub})
			p, err := b.Plan()
			if err != nil {
				t.Fatal(err)
			}
			if p.SQL != unbound.SQL {
				t.Fatalf("%s: binding changed the SQL", shape)
			}
			users, err := b.All(ctx, tdb.db)
			if err != nil {
				t.Fatalf("%s: %v", shape, err)
			}
			var got []string
			for _, u := range users {
				var titles []string
				for _, p := range u.Posts {
					titles = append(titles, p.Title)
				}
				got = append(got, u.Name+":["+strings.Join(titles, ",")+"]")
			}
			if strings.Join(got, " ") != c.want {
				t.Fatalf("%s max=%d pub=%v: got %s, want %s", shape, c.max, c.pub, got, c.want)
			}
			n, err := b.Count(ctx, tdb.db)
			if err != nil || n != int64(c.max) {
				t.Fatalf("%s: Count %d, %v", shape, n, err)
			}
		}
	}
	// binding reuses the compiled plan: a handful of allocations, no compilation
	q := base.Shape(joinery.ShapeAuto)
	if _, err := q.Plan(); err != nil {
		t.Fatal(err)
	}
	vals := map[string]any{"max": 2, "pub": true}
	if a := testing.AllocsPerRun(100, func() { _, _, _ = q.Bind(vals).ToSql() }); a > 4 {
		t.Fatalf("Bind + ToSql allocates %v times", a)
	}
}

func TestParamErrors(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "unused")[0]
	seedBlog(t, tdb.db)
	ctx := context.Background()
	q := joinery.Query[User](s, dialects.SQLite).Where(sq.Eq{"id": joinery.Param("id")}).Include("posts")
	for _, c := range []struct {
		q    joinery.Q[User]
		want string
	}{
		{q, `parameter "id" is not bound: call Bind`},
		{q.Bind(map[string]any{}), `parameter "id" is not bound (its parameters: [id])`},
		{q.Bind(map[string]any{"id": 1, "name": "x"}), `Bind of "name", which is not a parameter of the query (its parameters: [id])`},
	} {
		_, err := c.q.All(ctx, tdb.db)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %s", err, c.want)
		}
	}
	u, err := q.Bind(map[string]any{"id": 2}).One(ctx, tdb.db)
	if err != nil || u.Name != "bob" {
		t.Fatalf("bound: %+v %v", u, err)
	}
}
