package joinery_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"unsafe"

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

// A page size and offset bound per run: the same results as literal Limit/Offset, in every
// shape and on every database, from one compiled plan; a bad bound value is an error.
func TestLimitOffsetParams(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()
	for _, tdb := range openDBs(t, "jr_limit_params") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			base := joinery.Query[User](s, tdb.dialect).Include("posts.comments", "posts.tags").OrderBy("name DESC")
			for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
				q := base.Shape(shape).LimitParam("size").OffsetParam("skip")
				first, err := q.Plan()
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range []struct{ size, skip int }{{1, 0}, {2, 1}, {10, 0}, {0, 0}, {2, 5}} {
					want, err := base.Shape(shape).Limit(uint64(c.size)).Offset(uint64(c.skip)).All(ctx, tdb.db)
					if err != nil {
						t.Fatal(err)
					}
					bq := q.Bind(map[string]any{"size": c.size, "skip": uint32(c.skip)})
					got, err := bq.All(ctx, tdb.db)
					if err != nil {
						t.Fatalf("%v %+v: %v", shape, c, err)
					}
					if len(got) != min(c.size, max(0, 3-c.skip)) || !reflect.DeepEqual(got, want) {
						t.Fatalf("%v %+v: got %d roots %+v, want %+v", shape, c, len(got), got, want)
					}
					p, err := bq.Plan()
					if err != nil {
						t.Fatal(err)
					}
					if unsafe.StringData(p.SQL) != unsafe.StringData(first.SQL) {
						t.Fatalf("%v: binding a page size compiled again", shape)
					}
					if n, err := bq.Count(ctx, tdb.db); err != nil || n != 3 {
						t.Fatalf("%v: Count under a bound page: %d %v", shape, n, err)
					}
				}
				for _, bad := range []any{-1, "10", 1.5, nil} {
					_, err := q.Bind(map[string]any{"size": bad, "skip": 0}).All(ctx, tdb.db)
					if err == nil || !strings.Contains(err.Error(), `parameter "size" is the root User Limit`) {
						t.Fatalf("%v: size %v: %v", shape, bad, err)
					}
				}
				one, err := q.Bind(map[string]any{"size": 5, "skip": 1}).One(ctx, tdb.db)
				if err != nil {
					t.Fatal(err)
				}
				w, _ := base.Shape(shape).Offset(1).Limit(1).All(ctx, tdb.db)
				if !reflect.DeepEqual([]User{one}, w) {
					t.Fatalf("%v: One under LimitParam: %+v, want %+v", shape, one, w)
				}
			}
		})
	}
}
