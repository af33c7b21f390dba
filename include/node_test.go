package include_test

import (
	"reflect"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/include"
)

func normalize(t *testing.T, items ...any) []*include.Resolved {
	t.Helper()
	nodes, err := include.Tree(items...)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := include.Normalize(nodes)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// shape renders a resolved tree as "a(b,c(d)),e" to compare structure and order.
func shape(rs []*include.Resolved) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Segment
		if len(r.Children) > 0 {
			parts[i] += "(" + shape(r.Children) + ")"
		}
	}
	return strings.Join(parts, ",")
}

func find(rs []*include.Resolved, path string) *include.Resolved {
	var r *include.Resolved
	for _, seg := range strings.Split(path, ".") {
		r = nil
		for _, x := range rs {
			if x.Segment == seg {
				r = x
			}
		}
		if r == nil {
			return nil
		}
		rs = r.Children
	}
	return r
}

func TestNewAndPath(t *testing.T) {
	if got := include.New("posts.comments").Path(); got != "posts.comments" {
		t.Fatalf("Path = %q", got)
	}
}

func TestNormalizeMergesDottedPaths(t *testing.T) {
	published := sq.Eq{"published": true}
	rs := normalize(t, "posts", "posts.comments", include.New("posts").Where(published))
	if got := shape(rs); got != "posts(comments)" {
		t.Fatalf("shape = %s, want posts(comments)", got)
	}
	posts := rs[0]
	if !reflect.DeepEqual(posts.Where, []sq.Sqlizer{published}) {
		t.Fatalf("posts.Where = %#v", posts.Where)
	}
	if c := posts.Children[0]; len(c.Where) != 0 || c.Required || c.HasColumns || len(c.Children) != 0 {
		t.Fatalf("comments = %+v, want a plain include", *c)
	}
}

func TestNormalizeKeepsFirstSeenOrder(t *testing.T) {
	rs := normalize(t, "tags", "posts.comments.author", "author", "posts", "posts.tags", "tags.owner", "posts.comments.likes")
	if got, want := shape(rs), "tags(owner),posts(comments(author,likes),tags),author"; got != want {
		t.Fatalf("shape = %s, want %s", got, want)
	}
	// the same list normalizes the same way every time
	for i := 0; i < 20; i++ {
		if got := shape(normalize(t, "tags", "posts.comments.author", "author", "posts", "posts.tags", "tags.owner", "posts.comments.likes")); got != shape(rs) {
			t.Fatalf("run %d: shape = %s", i, got)
		}
	}
}

func TestDottedNodeOptionsApplyToTheLastSegment(t *testing.T) {
	w := sq.Gt{"likes": 3}
	rs := normalize(t, include.New("posts.comments").Where(w).Required().Order("id DESC").Columns("body").Unscoped())
	posts, comments := find(rs, "posts"), find(rs, "posts.comments")
	if posts == nil || comments == nil {
		t.Fatalf("shape = %s", shape(rs))
	}
	if posts.Required || len(posts.Where) != 0 || len(posts.Order) != 0 || posts.HasColumns || posts.Unscoped {
		t.Fatalf("intermediate segment must be a plain optional include: %+v", *posts)
	}
	if !comments.Required || !reflect.DeepEqual(comments.Where, []sq.Sqlizer{w}) || !reflect.DeepEqual(comments.Order, []string{"id DESC"}) ||
		!comments.HasColumns || !reflect.DeepEqual(comments.Columns, []string{"body"}) || !comments.Unscoped {
		t.Fatalf("last segment = %+v", *comments)
	}
}

func TestNormalizeCombinesOptions(t *testing.T) {
	w1, w2 := sq.Eq{"a": 1}, sq.Eq{"b": 2}
	t1, t2 := sq.Eq{"role": "x"}, sq.Eq{"since": 1}
	rs := normalize(t,
		include.New("tags").Where(w1).Order("name").Columns("id", "name").Required().ThroughColumns("role").ThroughWhere(t1),
		include.New("tags").Where(w2).Order("id").Columns("label").Optional().ThroughColumns("since").ThroughWhere(t2).Unscoped(),
		include.New("tags"), // no explicit options: changes nothing
	)
	if len(rs) != 1 {
		t.Fatalf("shape = %s", shape(rs))
	}
	r := rs[0]
	if !reflect.DeepEqual(r.Where, []sq.Sqlizer{w1, w2}) {
		t.Errorf("Where = %#v, want both filters", r.Where)
	}
	if !reflect.DeepEqual(r.Order, []string{"name", "id"}) {
		t.Errorf("Order = %v, want appended", r.Order)
	}
	if !r.HasColumns || !reflect.DeepEqual(r.Columns, []string{"label"}) {
		t.Errorf("Columns = %v (%v), want the later [label]", r.Columns, r.HasColumns)
	}
	if r.Required {
		t.Error("Required: the later Optional must win")
	}
	if !r.HasThCols || !reflect.DeepEqual(r.ThroughCols, []string{"since"}) {
		t.Errorf("ThroughCols = %v, want the later [since]", r.ThroughCols)
	}
	if !reflect.DeepEqual(r.ThroughWhere, []sq.Sqlizer{t1, t2}) {
		t.Errorf("ThroughWhere = %#v, want both", r.ThroughWhere)
	}
	if !r.Unscoped {
		t.Error("Unscoped on any node must stick")
	}

	// a later node without Required/Optional keeps an earlier Required
	rs = normalize(t, include.New("tags").Required(), "tags")
	if !rs[0].Required {
		t.Error("a later plain node must not reset Required")
	}
}

func TestColumnsWithNoNames(t *testing.T) {
	rs := normalize(t, include.New("posts").Columns(), include.New("tags").ThroughColumns())
	if !rs[0].HasColumns || len(rs[0].Columns) != 0 {
		t.Fatalf("Columns() = %v, %v; want explicit and empty", rs[0].Columns, rs[0].HasColumns)
	}
	if !rs[1].HasThCols || len(rs[1].ThroughCols) != 0 {
		t.Fatalf("ThroughColumns() = %v, %v", rs[1].ThroughCols, rs[1].HasThCols)
	}
	rs = normalize(t, "posts")
	if rs[0].HasColumns || rs[0].HasThCols {
		t.Fatal("a plain include has no explicit columns")
	}
}

func TestIncludeChildren(t *testing.T) {
	n := include.New("posts").Include("comments.author", include.New("tags").Required(), &[]include.Node{include.New("likes")}[0],
		[]include.Node{include.New("editor"), include.New("comments").Order("id")})
	rs := normalize(t, n, include.New("posts.comments").Where(sq.Eq{"spam": false}))
	if got, want := shape(rs), "posts(comments(author),tags,likes,editor)"; got != want {
		t.Fatalf("shape = %s, want %s", got, want)
	}
	c := find(rs, "posts.comments")
	if !reflect.DeepEqual(c.Order, []string{"id"}) || len(c.Where) != 1 {
		t.Fatalf("posts.comments = %+v, want merged order and filter", *c)
	}
	if !find(rs, "posts.tags").Required {
		t.Fatal("posts.tags must be required")
	}
}

func TestNodeIsImmutable(t *testing.T) {
	cols := []string{"id", "title"}
	base := include.New("posts").Where(sq.Eq{"a": 1}).Order("id").Columns(cols...).Include("comments")
	cols[0] = "changed" // the caller's slice is copied

	// fork the base many ways
	f1 := base.Where(sq.Eq{"b": 2}).Order("title").Columns("x").Required().Include("tags").
		ThroughColumns("role").ThroughWhere(sq.Eq{"r": 1}).Unscoped()
	f2 := base.Where(sq.Eq{"c": 3}).Include("author")
	f3 := base.Optional()

	b := normalize(t, base)[0]
	if !reflect.DeepEqual(b.Where, []sq.Sqlizer{sq.Eq{"a": 1}}) || !reflect.DeepEqual(b.Order, []string{"id"}) ||
		!reflect.DeepEqual(b.Columns, []string{"id", "title"}) || b.Required || b.Unscoped || b.HasThCols ||
		len(b.ThroughWhere) != 0 || shape([]*include.Resolved{b}) != "posts(comments)" {
		t.Fatalf("base changed by its forks: %+v shape %s", *b, shape([]*include.Resolved{b}))
	}
	r1 := normalize(t, f1)[0]
	if !reflect.DeepEqual(r1.Where, []sq.Sqlizer{sq.Eq{"a": 1}, sq.Eq{"b": 2}}) || !reflect.DeepEqual(r1.Order, []string{"id", "title"}) ||
		!reflect.DeepEqual(r1.Columns, []string{"x"}) || !r1.Required || !r1.Unscoped || shape([]*include.Resolved{r1}) != "posts(comments,tags)" {
		t.Fatalf("fork 1 = %+v shape %s", *r1, shape([]*include.Resolved{r1}))
	}
	r2 := normalize(t, f2)[0]
	if !reflect.DeepEqual(r2.Where, []sq.Sqlizer{sq.Eq{"a": 1}, sq.Eq{"c": 3}}) || shape([]*include.Resolved{r2}) != "posts(comments,author)" || r2.Required {
		t.Fatalf("fork 2 = %+v shape %s (must not see fork 1)", *r2, shape([]*include.Resolved{r2}))
	}
	if r3 := normalize(t, f3)[0]; r3.Required {
		t.Fatal("fork 3 is optional")
	}
	// appending to a fork of a fork does not clobber its sibling sharing a backing array
	g := base.Where(sq.Eq{"d": 4})
	h1, h2 := g.Where(sq.Eq{"e": 5}), g.Where(sq.Eq{"f": 6})
	if w := normalize(t, h1)[0].Where; !reflect.DeepEqual(w[2], sq.Eq{"e": 5}) {
		t.Fatalf("h1 where = %#v", w)
	}
	if w := normalize(t, h2)[0].Where; !reflect.DeepEqual(w[2], sq.Eq{"f": 6}) {
		t.Fatalf("h2 where = %#v", w)
	}
}

func TestNormalizeDoesNotMutateNodes(t *testing.T) {
	nodes := []include.Node{include.New("posts").Where(sq.Eq{"a": 1}), include.New("posts").Where(sq.Eq{"b": 2})}
	first, err := include.Normalize(nodes)
	if err != nil {
		t.Fatal(err)
	}
	second, err := include.Normalize(nodes)
	if err != nil {
		t.Fatal(err)
	}
	if len(first[0].Where) != 2 || len(second[0].Where) != 2 {
		t.Fatalf("Where lengths %d, %d, want 2 and 2", len(first[0].Where), len(second[0].Where))
	}
	first[0].Where[0] = sq.Eq{"x": 0}
	if !reflect.DeepEqual(second[0].Where[0], sq.Eq{"a": 1}) {
		t.Fatal("two Normalize results share a Where slice")
	}
}

func TestTreeErrors(t *testing.T) {
	_, err := include.Tree("posts", 42)
	if err == nil || !strings.Contains(err.Error(), "cannot include a int") ||
		!strings.Contains(err.Error(), "pass a dotted path string or an include.Node") {
		t.Fatalf("Tree(42) err = %v", err)
	}
	_, err = include.Tree(sq.Eq{"a": 1})
	if err == nil || !strings.Contains(err.Error(), "cannot include a squirrel.Eq") {
		t.Fatalf("Tree(sq.Eq) err = %v", err)
	}
	_, err = include.Tree((*include.Node)(nil))
	if err == nil || !strings.Contains(err.Error(), "nil *Node") {
		t.Fatalf("Tree(nil *Node) err = %v", err)
	}
	nodes, err := include.Tree()
	if err != nil || len(nodes) != 0 {
		t.Fatalf("Tree() = %v, %v", nodes, err)
	}
	// an invalid child poisons the node; Normalize reports it
	n := include.New("posts").Include(3.5)
	if _, err := include.Normalize([]include.Node{n}); err == nil || !strings.Contains(err.Error(), "cannot include a float64") {
		t.Fatalf("Normalize of a node with a bad child: err = %v", err)
	}
	// the error survives further forks, and the first one is kept
	n2 := n.Include(true).Where(sq.Eq{"a": 1})
	if _, err := include.Normalize([]include.Node{n2}); err == nil || !strings.Contains(err.Error(), "float64") {
		t.Fatalf("fork of a poisoned node: err = %v", err)
	}
	// a poisoned node deep in the tree
	deep := include.New("a").Include(include.New("b").Include(include.New("c").Include([]string{"d"})))
	if _, err := include.Normalize([]include.Node{deep}); err == nil || !strings.Contains(err.Error(), "[]string") {
		t.Fatalf("deep bad child: err = %v", err)
	}
}

func TestNormalizeBadPaths(t *testing.T) {
	for _, p := range []string{"", "  ", "posts..comments", ".posts", "posts."} {
		_, err := include.Normalize([]include.Node{include.New(p)})
		if err == nil {
			t.Errorf("Normalize(%q): want an error", p)
			continue
		}
		if !strings.Contains(err.Error(), "empty") {
			t.Errorf("Normalize(%q) err = %v, want it to say what is empty", p, err)
		}
	}
	rs, err := include.Normalize(nil)
	if err != nil || len(rs) != 0 {
		t.Fatalf("Normalize(nil) = %v, %v", rs, err)
	}
}

// Association aliases are matched ignoring case (and are unique ignoring case), so paths that
// differ only in case are the same include: joining it twice would multiply the rows.
func TestNormalizeMergesSegmentsIgnoringCase(t *testing.T) {
	rs := normalize(t, "posts", include.New("Posts").Required(), "POSTS.comments", "posts.Comments.author")
	if got, want := shape(rs), "posts(comments(author))"; got != want {
		t.Fatalf("shape = %s, want %s (the first spelling is kept)", got, want)
	}
	if !rs[0].Required {
		t.Fatal("options of the differently-cased node must merge into the first")
	}
}
