package builder

import (
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

// A link recorded without an index (include.Schema.SetIndexed) is matched by a semi-join
// the planner can hash, in the per-level statement and in a small page's pipeline; an
// indexed one keeps = ANY, which probes the index; dialects without arrays are unchanged.
func TestUnindexedLinks(t *testing.T) {
	s := schema(t)
	m := s.Model("User")
	posts := []include.Node{include.New("posts")}
	// (a root filter: roots without one go with their includes, rootsCheap)
	levels := Query{Model: m, Include: posts, Shape: ShapeLevels, Where: []sq.Sqlizer{sq.Gt{"id": 0}}}
	page := Query{Model: m, Include: posts, Shape: ShapePipeline, HasLimit: true, Limit: 50}
	build := func(q Query) *Plan {
		t.Helper()
		p, err := Build(s, dialects.Postgres, q)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const probe = `WHERE "t1"."user_id" = ANY($1)`
	const hashed = `WHERE "t1"."user_id" IN (SELECT unnest(COALESCE($1, ARRAY(SELECT "jr_k"."user_id" FROM "posts" AS "jr_k" WHERE false))))`
	const pageProbe = `WHERE "t1"."user_id" = ANY(ARRAY(SELECT "jr_p"."id" FROM "jr_p"))`
	const pageHashed = `WHERE "t1"."user_id" IN (SELECT "jr_p"."id" FROM "jr_p")`

	if !s.Indexed("posts", []string{"user_id"}) {
		t.Fatal("a link without a record is indexed")
	}
	if p := build(levels); !strings.Contains(p.Statements[1].SQL, probe) || strings.Contains(p.Why, "hashed") {
		t.Fatalf("indexed: %s\n%s", p.Statements[1].SQL, p.Why)
	}
	if p := build(page); !strings.Contains(p.Statements[1].SQL, pageProbe) {
		t.Fatalf("indexed, small page: %s", p.Statements[1].SQL)
	}

	gen := s.Generation()
	s.SetIndexed("posts", []string{"user_id"}, false)
	if s.Generation() == gen || s.Indexed("posts", []string{"user_id"}) {
		t.Fatal("SetIndexed(false) is a change of the schema")
	}
	gen = s.Generation()
	s.SetIndexed("posts", []string{"user_id"}, false)
	if s.Generation() != gen {
		t.Fatal("recording the same again changes nothing")
	}
	if !s.Indexed("posts", []string{"author_id"}) || !s.Indexed("users", []string{"user_id"}) {
		t.Fatal("the record is for one table and its columns")
	}
	p := build(levels)
	if !strings.Contains(p.Statements[1].SQL, hashed) {
		t.Fatalf("unindexed, per level:\n%s", p.Statements[1].SQL)
	}
	if !strings.HasSuffix(p.Why, "; links without an index (include.Schema.SetIndexed), matched by a hashed semi-join on their parents' keys: posts(user_id)") {
		t.Fatalf("why: %s", p.Why)
	}
	if len(p.Statements[1].Args) != 1 || p.Statements[1].KeyArgs[0] != 0 {
		t.Fatalf("the keys are still the statement's one argument: %v %v", p.Statements[1].Args, p.Statements[1].KeyArgs)
	}
	if p := build(page); !strings.Contains(p.Statements[1].SQL, pageHashed) {
		t.Fatalf("unindexed, small page:\n%s", p.Statements[1].SQL)
	}
	// (no array parameters: nothing to change)
	lite, err := Build(s, dialects.SQLite, Query{Model: m, Include: posts})
	if err != nil || strings.Contains(lite.SQL, "unnest") || strings.Contains(lite.Why, "hashed") {
		t.Fatalf("sqlite: %v\n%s", err, lite.SQL)
	}

	s.SetIndexed("posts", []string{"user_id"}, true)
	if p := build(levels); !strings.Contains(p.Statements[1].SQL, probe) {
		t.Fatalf("indexed again: %s", p.Statements[1].SQL)
	}
}

// Roots that cost next to nothing to read again (rootsCheap: no filter, and all of them or
// a first small page in key order) send their includes with them, linked by the pipeline's
// semi-join; any filter, another order, an offset or a large page keeps the keys.
func TestRootsCheap(t *testing.T) {
	type cUser struct {
		ID    int64   `db:"id"`
		Name  string  `db:"name"`
		Posts []bPost `db:"-"`
	}
	type cAdmin cUser
	s := include.NewSchema()
	s.Define(cUser{}, "users", include.Name("User"))
	s.Define(bPost{}, "posts", include.Name("Post"))
	s.Define(cAdmin{}, "admins", include.Name("Admin"), include.DefaultScope(scope.New(sq.Gt{"id": 100})))
	s.HasMany("User", "Post", include.As("posts"))
	s.HasMany("Admin", "Post", include.As("posts"), include.ForeignKey("user_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	u, a := s.Model("User"), s.Model("Admin")
	posts := []include.Node{include.New("posts")}
	cases := []struct {
		what string
		q    Query
		with bool
	}{
		{"every root", Query{Model: u, Include: posts}, true},
		{"every root, ordered by name", Query{Model: u, Include: posts, OrderBy: []string{"name"}}, true},
		{"a first page by key", Query{Model: u, Include: posts, OrderBy: []string{"id"}, HasLimit: true, Limit: 50}, true},
		{"a first page by key, descending", Query{Model: u, Include: posts, OrderBy: []string{"id DESC", "name"}, HasLimit: true, Limit: 50}, true},
		{"a page size bound per run", Query{Model: u, Include: posts, OrderBy: []string{"id"}, LimitArg: paramName("n")}, true},
		{"the default scope lifted", Query{Model: a, Include: posts, Unscoped: true}, true},
		{"a filter", Query{Model: u, Include: posts, Where: []sq.Sqlizer{sq.Gt{"id": 3}}}, false},
		{"a default scope", Query{Model: a, Include: posts}, false},
		{"a required include", Query{Model: u, Include: []include.Node{include.New("posts").Required()}}, false},
		{"a page by name", Query{Model: u, Include: posts, OrderBy: []string{"name", "id"}, HasLimit: true, Limit: 50}, false},
		{"a page in no order", Query{Model: u, Include: posts, HasLimit: true, Limit: 50}, false},
		{"an offset", Query{Model: u, Include: posts, OrderBy: []string{"id"}, HasLimit: true, Limit: 50, Offset: 50}, false},
		{"a large page", Query{Model: u, Include: posts, OrderBy: []string{"id"}, HasLimit: true, Limit: 5000}, false},
	}
	for _, c := range cases {
		c.q.Shape = ShapeLevels
		p, err := Build(s, dialects.Postgres, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		with := p.Statements[1].Keys.From < 0
		if with != c.with || with != strings.Contains(p.Explain(), "statement 2: branch 1, with the roots") || with == strings.Contains(p.Statements[1].SQL, "= ANY($") {
			t.Errorf("%s: posts with the roots %v, want %v\n%s\n%s", c.what, with, c.with, p.Explain(), p.Statements[1].SQL)
		}
	}
}
