package builder

import (
	"strings"
	"testing"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// A link recorded without an index (include.Schema.SetIndexed) is matched by a semi-join
// the planner can hash, in the per-level statement and in a small page's pipeline; an
// indexed one keeps = ANY, which probes the index; dialects without arrays are unchanged.
func TestUnindexedLinks(t *testing.T) {
	s := schema(t)
	m := s.Model("User")
	posts := []include.Node{include.New("posts")}
	levels := Query{Model: m, Include: posts, Shape: ShapeLevels}
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
