package builder

import (
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// TestPlanCacheKeyCoversQuery: the key writer writes every field of Query, of the resolved
// include tree and of a computed value. A field added to one of them fails here until the
// key writes it (and the list below names it): a field the key leaves out would serve one
// query another's plan.
func TestPlanCacheKeyCoversQuery(t *testing.T) {
	for _, c := range []struct {
		v    any
		want []string
	}{
		{Query{}, []string{"Model", "Where", "OrderBy", "Columns", "HasColumns", "Unscoped", "Include", "Computed",
			"Limit", "Offset", "HasLimit", "LimitArg", "OffsetArg", "After", "AfterOrder", "OneTenant", "TenantValue", "Shape",
			"Stream", "Pipelining", "Distant", "shareRoots"}},
		{include.Resolved{}, []string{"Segment", "Where", "Order", "Columns", "HasColumns", "Required", "ThroughCols",
			"HasThCols", "ThroughWhere", "Unscoped", "Limit", "Offset", "HasLimit", "LimitSet", "FilterOnly", "Children",
			"Computed"}},
		{include.Computed{}, []string{"Func", "Name", "Assoc", "Column", "Where", "ThroughWhere", "Unscoped", "Expr"}},
	} {
		typ := reflect.TypeOf(c.v)
		var got []string
		for i := range typ.NumField() {
			got = append(got, typ.Field(i).Name)
		}
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s has fields %v; the plan cache's key writes %v: write the new field in keyWriter and name it here", typ, got, want)
		}
	}
}

// keyOf is the key of q, and whether it has one.
func keyOf(q Query) (string, bool) {
	w := &keyWriter{ok: true}
	w.query(&q)
	return string(w.buf), w.ok
}

type cacheParam string

func (p cacheParam) ParamName() string { return string(p) }

type otherParam string

func (p otherParam) ParamName() string { return string(p) }

// TestPlanCacheKeyDistinguishes: queries that differ anywhere, a value's Go type included,
// have different keys; values the key cannot write exactly leave the query without one.
func TestPlanCacheKeyDistinguishes(t *testing.T) {
	s := poolSchema(t)
	user := s.Model("poolUser")
	base := func() Query { return Query{Model: user} }
	variants := map[string]Query{}
	add := func(name string, f func(q *Query)) {
		q := base()
		f(&q)
		variants[name] = q
	}
	add("plain", func(q *Query) {})
	add("eq", func(q *Query) { q.Where = []sq.Sqlizer{sq.Eq{"id": cacheParam("a")}} })
	add("eq b", func(q *Query) { q.Where = []sq.Sqlizer{sq.Eq{"id": cacheParam("b")}} })
	add("eq other param type", func(q *Query) { q.Where = []sq.Sqlizer{sq.Eq{"id": otherParam("a")}} })
	add("eq nil", func(q *Query) { q.Where = []sq.Sqlizer{sq.Eq{"id": nil}} })
	add("eq list", func(q *Query) { q.Where = []sq.Sqlizer{sq.Eq{"id": []any{cacheParam("a")}}} })
	add("eq list 2", func(q *Query) { q.Where = []sq.Sqlizer{sq.Eq{"id": []any{cacheParam("a"), cacheParam("b")}}} })
	add("noteq", func(q *Query) { q.Where = []sq.Sqlizer{sq.NotEq{"id": cacheParam("a")}} })
	add("lt", func(q *Query) { q.Where = []sq.Sqlizer{sq.Lt{"id": cacheParam("a")}} })
	add("gt", func(q *Query) { q.Where = []sq.Sqlizer{sq.Gt{"id": cacheParam("a")}} })
	add("lteq", func(q *Query) { q.Where = []sq.Sqlizer{sq.LtOrEq{"id": cacheParam("a")}} })
	add("gteq", func(q *Query) { q.Where = []sq.Sqlizer{sq.GtOrEq{"id": cacheParam("a")}} })
	add("like", func(q *Query) { q.Where = []sq.Sqlizer{sq.Like{"name": cacheParam("a")}} })
	add("notlike", func(q *Query) { q.Where = []sq.Sqlizer{sq.NotLike{"name": cacheParam("a")}} })
	add("ilike", func(q *Query) { q.Where = []sq.Sqlizer{sq.ILike{"name": cacheParam("a")}} })
	add("notilike", func(q *Query) { q.Where = []sq.Sqlizer{sq.NotILike{"name": cacheParam("a")}} })
	add("two keys", func(q *Query) { q.Where = []sq.Sqlizer{sq.Eq{"id": cacheParam("a"), "name": cacheParam("a")}} })
	add("two preds", func(q *Query) { q.Where = []sq.Sqlizer{sq.Eq{"id": cacheParam("a")}, sq.Eq{"name": cacheParam("a")}} })
	add("and", func(q *Query) {
		q.Where = []sq.Sqlizer{sq.And{sq.Eq{"id": cacheParam("a")}, sq.Eq{"name": cacheParam("a")}}}
	})
	add("or", func(q *Query) {
		q.Where = []sq.Sqlizer{sq.Or{sq.Eq{"id": cacheParam("a")}, sq.Eq{"name": cacheParam("a")}}}
	})
	add("expr", func(q *Query) { q.Where = []sq.Sqlizer{sq.Expr("id = ?", cacheParam("a"))} })
	add("expr text", func(q *Query) { q.Where = []sq.Sqlizer{sq.Expr("id > ?", cacheParam("a"))} })
	add("expr no args", func(q *Query) { q.Where = []sq.Sqlizer{sq.Expr("id > 0")} })
	add("order", func(q *Query) { q.OrderBy = []string{"name"} })
	add("order desc", func(q *Query) { q.OrderBy = []string{"name DESC"} })
	add("columns", func(q *Query) { q.Columns, q.HasColumns = []string{"name"}, true })
	add("no columns", func(q *Query) { q.HasColumns = true })
	add("unscoped", func(q *Query) { q.Unscoped = true })
	add("include", func(q *Query) { q.Include = []include.Node{include.New("posts")} })
	add("include required", func(q *Query) { q.Include = []include.Node{include.New("posts").Required()} })
	add("include where", func(q *Query) {
		q.Include = []include.Node{include.New("posts").Where(sq.Eq{"title": cacheParam("a")})}
	})
	add("include order", func(q *Query) { q.Include = []include.Node{include.New("posts").Order("title")} })
	add("include limit", func(q *Query) { q.Include = []include.Node{include.New("posts").Limit(2)} })
	add("include offset", func(q *Query) { q.Include = []include.Node{include.New("posts").Offset(2)} })
	add("include filter only", func(q *Query) { q.Include = []include.Node{include.New("posts").FilterOnly()} })
	add("include columns", func(q *Query) { q.Include = []include.Node{include.New("posts").Columns("title")} })
	add("include deeper", func(q *Query) { q.Include = []include.Node{include.New("posts.tags")} })
	add("include through", func(q *Query) {
		q.Include = []include.Node{include.New("posts").Include(include.New("tags").ThroughWhere(sq.Eq{"tag_id": cacheParam("a")}))}
	})
	add("computed", func(q *Query) { q.Computed = []include.Computed{{Func: include.FuncCount, Name: "n", Assoc: "posts"}} })
	add("limit", func(q *Query) { q.Limit, q.HasLimit = 5, true })
	add("limit 6", func(q *Query) { q.Limit, q.HasLimit = 6, true })
	add("offset", func(q *Query) { q.Offset = 5 })
	add("limit arg", func(q *Query) { q.LimitArg = cacheParam("n") })
	add("offset arg", func(q *Query) { q.OffsetArg = cacheParam("n") })
	add("after", func(q *Query) { q.After = []any{cacheParam("a")} })
	add("after empty", func(q *Query) { q.After = []any{} })
	add("tenant", func(q *Query) { q.OneTenant, q.TenantValue = true, cacheParam("t") })
	add("shape", func(q *Query) { q.Shape = ShapeFlat })
	add("stream", func(q *Query) { q.Stream = true })
	add("pipelining", func(q *Query) { q.Pipelining = true })
	add("distant", func(q *Query) { q.Distant = true })
	add("share roots", func(q *Query) { q.shareRoots = true })
	seen := map[string]string{}
	for name, q := range variants {
		k, ok := keyOf(q)
		if !ok {
			t.Errorf("%s: no key", name)
			continue
		}
		if other, dup := seen[k]; dup {
			t.Errorf("%s and %s have one key", name, other)
		}
		seen[k] = name
		if k2, _ := keyOf(q); k2 != k {
			t.Errorf("%s: two keys for one query", name)
		}
	}
	for name, q := range map[string]Query{
		"int value":          {Model: user, Where: []sq.Sqlizer{sq.Eq{"id": 1}}},
		"string value":       {Model: user, Where: []sq.Sqlizer{sq.Eq{"name": "a"}}},
		"list of values":     {Model: user, Where: []sq.Sqlizer{sq.Eq{"id": []int{1, 2}}}},
		"time value":         {Model: user, Where: []sq.Sqlizer{sq.Eq{"id": time.Unix(0, 0)}}},
		"subquery value":     {Model: user, Where: []sq.Sqlizer{sq.Eq{"id": sq.Select("1")}}},
		"pointer":            {Model: user, Where: []sq.Sqlizer{sq.Eq{"id": new(int)}}},
		"expr value":         {Model: user, Where: []sq.Sqlizer{sq.Expr("id = ?", 1)}},
		"include value":      {Model: user, Include: []include.Node{include.New("posts").Where(sq.Eq{"title": "x"})}},
		"include nested":     {Model: user, Include: []include.Node{include.New("posts").Include(include.New("tags").ThroughWhere(sq.Eq{"tag_id": 1}))}},
		"after value":        {Model: user, After: []any{1}},
		"tenant value":       {Model: user, OneTenant: true, TenantValue: 1},
		"limit value":        {Model: user, LimitArg: 5},
		"unnamed param type": {Model: user, Where: []sq.Sqlizer{sq.Eq{"id": (*cacheParam)(nil)}}},
		"bad include":        {Model: user, Include: []include.Node{include.New("")}},
	} {
		if _, ok := keyOf(q); ok {
			t.Errorf("%s: has a key; it should be compiled without the cache", name)
		}
	}
}

// TestPlanCacheServesBuild: Compile returns what Build does, the second time from the
// cache (the same plan); an error is not kept; a schema changed since gets a new compile;
// a size of 0 turns the cache off.
func TestPlanCacheServesBuild(t *testing.T) {
	s := poolSchema(t)
	q := Query{Model: s.Model("poolUser"), Where: []sq.Sqlizer{sq.Eq{"id": cacheParam("id")}},
		Include: []include.Node{include.New("posts").Include("tags", "comments.author")}}
	for _, d := range []dialects.Dialect{dialects.Postgres, dialects.MySQL, dialects.SQLite} {
		want, err := Build(s, d, q)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Compile(s, d, q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Compile(s, d, q)
		if err != nil {
			t.Fatal(err)
		}
		if planText(a) != planText(want) || a != b {
			t.Fatalf("%s: the cached plan is not Build's, or not served again:\n%s\nwant:\n%s", d.Name(), planText(b), planText(want))
		}
		c, err := CompileCount(s, d, q)
		if err != nil {
			t.Fatal(err)
		}
		wantCount, _ := Count(s, d, q)
		if c.SQL != wantCount.SQL || c == a {
			t.Fatalf("%s: count plan %s, want %s", d.Name(), c.SQL, wantCount.SQL)
		}
	}
	bad := Query{Model: s.Model("poolUser"), Include: []include.Node{include.New("nope")}}
	for range 2 {
		if _, err := Compile(s, dialects.Postgres, bad); err == nil {
			t.Fatal("an unknown include compiled")
		}
	}
	// a registration after the compile: the plan is compiled again
	a, _ := Compile(s, dialects.Postgres, q)
	type poolExtra struct {
		ID int64 `db:"id"`
	}
	if _, err := s.Define(poolExtra{}, "extras"); err != nil {
		t.Fatal(err)
	}
	if b, _ := Compile(s, dialects.Postgres, q); b == a || b.SQL != a.SQL {
		t.Fatal("a plan of an earlier schema generation was served, or the new one differs")
	}
	size := PlanCacheSize()
	defer SetPlanCacheSize(size)
	SetPlanCacheSize(0)
	if a, b := mustCompile(t, s, q), mustCompile(t, s, q); a == b {
		t.Fatal("the cache is off and served a plan")
	}
	// a literal value: compiled every time, never kept
	lit := q
	lit.Where = []sq.Sqlizer{sq.Eq{"id": 1}}
	if a, b := mustCompile(t, s, lit), mustCompile(t, s, lit); a == b || a.SQL != b.SQL {
		t.Fatal("a query with a literal value was served from the cache")
	}
	// a full cache empties and fills again
	SetPlanCacheSize(2)
	for i := range 5 {
		q := q
		q.Where = []sq.Sqlizer{sq.Eq{"id": cacheParam(strconv.Itoa(i))}}
		mustCompile(t, s, q)
	}
	if a, b := mustCompile(t, s, q), mustCompile(t, s, q); a != b {
		t.Fatal("a cache of 2 did not serve the plan compiled just before")
	}
}

func mustCompile(t *testing.T, s *include.Schema, q Query) *Plan {
	t.Helper()
	p, err := Compile(s, dialects.Postgres, q)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPlanCacheConcurrent: compiles of one query and of others from several goroutines
// (under -race) all get Build's text.
func TestPlanCacheConcurrent(t *testing.T) {
	s := poolSchema(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				q := Query{Model: s.Model("poolUser"), Where: []sq.Sqlizer{sq.Eq{"id": cacheParam(strconv.Itoa((g + i) % 5))}},
					Include: []include.Node{include.New("posts.tags")}}
				p, err := Compile(s, dialects.Postgres, q)
				if err != nil {
					t.Error(err)
					return
				}
				want, _ := Build(s, dialects.Postgres, q)
				if p.SQL != want.SQL || len(p.Args) != len(want.Args) || p.Args[0] != want.Args[0] {
					t.Errorf("plan %s %v, want %s %v", p.SQL, p.Args, want.SQL, want.Args)
					return
				}
			}
		}()
	}
	wg.Wait()
}
