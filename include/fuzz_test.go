package include_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// FuzzIncludePath feeds arbitrary path strings to include.New, include.Tree, Node.Include and
// include.Normalize, and compiles the trees against a small schema. paths holds up to six
// paths separated by '|'; the bits of layout choose how they are put together (strings or
// Nodes, nested under the first path or side by side). Properties:
//
//   - nothing panics; New(p).Path() == p;
//   - Normalize fails exactly when a path is blank or has an empty segment, and the error
//     names that path (the first one, in the order merge visits them);
//   - otherwise the normalized tree is the reference trie of the paths: split on '.',
//     siblings merged ignoring case with the first spelling kept, in first-seen order;
//   - a path means the same tree however it is split into nested Include calls, and a
//     dotted node's options land on its last segment only; forking a node leaves it as is;
//   - builder.Build fails with builder.ErrInclude naming the first unknown segment and its
//     path, else compiles, and the same tree spelled with the aliases compiles to the same
//     SQL (valid paths round-trip; aliases match ignoring case).
func FuzzIncludePath(f *testing.F) {
	for _, seed := range []struct {
		paths  string
		layout uint8
	}{
		{"posts", 0},
		{"posts.comments.author", 1},
		{"POSTS.Comments.AUTHOR.posts.tags", 2},
		{"posts|posts.comments|Posts.tags|posts.COMMENTS.author", 0},
		{"posts|comments.author|tags", 2},
		{"posts.comments|posts.tags", 3},
		{"poſts.comments", 1}, // U+017F folds to 's'
		{"", 0},
		{"  ", 1},
		{".", 0},
		{"posts.", 1},
		{".posts", 2},
		{"posts..comments", 3},
		{"posts.\t.comments", 1}, // a blank segment: an unknown include, not an empty path
		{"posts|posts.|tags", 0},
		{"nope", 0},
		{"posts.nope.comments", 1},
		{"posts.comments.nope|nope2", 2},
		{" posts", 0},
		{"posts.comments\x00", 1},
		{"\xff\xfe.posts", 2},
		{"a.b.c|A.B.d|a.C", 3},
	} {
		f.Add(seed.paths, seed.layout)
	}
	s := fuzzPathSchema(f)
	f.Fuzz(func(t *testing.T, paths string, layout uint8) {
		list := strings.Split(paths, "|")
		if len(list) > 6 {
			list = list[:6]
		}
		for _, p := range list {
			if got := include.New(p).Path(); got != p {
				t.Fatalf("New(%q).Path() = %q", p, got)
			}
			checkOnePath(t, p)
		}
		nodes, ref, wantErr := buildPathTree(t, list, layout)
		rs, err := include.Normalize(nodes)
		switch {
		case wantErr != "" && err == nil:
			t.Fatalf("%q (layout %d): Normalize accepted a bad path; want an error naming %s", list, layout, wantErr)
		case wantErr != "" && !strings.Contains(err.Error(), wantErr):
			t.Fatalf("%q (layout %d): Normalize error %q does not name %s", list, layout, err, wantErr)
		case wantErr == "" && err != nil:
			t.Fatalf("%q (layout %d): Normalize: %v", list, layout, err)
		case wantErr == "":
			if got, want := trieString(rs), refString(ref); got != want {
				t.Fatalf("%q (layout %d): normalized\n got %s\nwant %s", list, layout, got, want)
			}
		}
		checkCompile(t, s, list, layout, nodes, ref, wantErr)
	})
}

// checkOnePath: Normalize of one path (its error, or the chain of its segments); the same
// path nested segment by segment and split in two; options on the last segment only; a
// fork leaves the node alone.
func checkOnePath(t *testing.T, p string) {
	t.Helper()
	segs := strings.Split(p, ".")
	rs, err := include.Normalize([]include.Node{include.New(p)})
	if want := badPath(p); want != "" {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Normalize(New(%q)): error %v; want one naming %s", p, err, want)
		}
		return
	}
	if err != nil {
		t.Fatalf("Normalize(New(%q)): %v", p, err)
	}
	chain := chainString(segs)
	if got := trieString(rs); got != chain {
		t.Fatalf("Normalize(New(%q)) = %s, want %s", p, got, chain)
	}
	// (a blank segment is a path of its own only inside a dotted path: New(" ") is an empty
	// path, "posts. " an unknown include " ")
	splittable := true
	for _, seg := range segs {
		splittable = splittable && strings.TrimSpace(seg) != ""
	}
	var variants []include.Node
	if splittable {
		variants = append(variants, nestedChain(segs))
		for cut := 1; cut < len(segs); cut++ {
			variants = append(variants, include.New(strings.Join(segs[:cut], ".")).Include(strings.Join(segs[cut:], ".")))
		}
	}
	for i, n := range variants {
		rs, err := include.Normalize([]include.Node{n})
		if err != nil {
			t.Fatalf("%q nested (variant %d): %v", p, i, err)
		}
		if got := trieString(rs); got != chain {
			t.Fatalf("%q nested (variant %d) = %s, want %s", p, i, got, chain)
		}
	}
	// options apply to the last segment; the ones before are plain includes
	n := include.New(p).Where(sq.Eq{"x": 1}).Order("x DESC").Columns("x").Required().Limit(3).Offset(1).
		ThroughColumns("y").ThroughWhere(sq.Eq{"y": 2}).Unscoped()
	rs, err = include.Normalize([]include.Node{n})
	if err != nil {
		t.Fatalf("New(%q) with options: %v", p, err)
	}
	r := rs[0]
	for i := 0; ; i++ {
		last := i == len(segs)-1
		plain := len(r.Where) == 0 && len(r.Order) == 0 && !r.HasColumns && !r.Required && !r.HasLimit && !r.HasThCols &&
			len(r.ThroughWhere) == 0 && !r.Unscoped
		full := len(r.Where) == 1 && len(r.Order) == 1 && r.Order[0] == "x DESC" && r.HasColumns && len(r.Columns) == 1 &&
			r.Required && r.HasLimit && r.LimitSet && r.Limit == 3 && r.Offset == 1 && r.HasThCols && len(r.ThroughWhere) == 1 && r.Unscoped
		if last && !full || !last && !plain {
			t.Fatalf("New(%q) with options: segment %d (%q) got %+v", p, i, r.Segment, *r)
		}
		if last {
			break
		}
		r = r.Children[0]
	}
	// forks do not share children
	base := include.New(p)
	a, b := base.Include("fork_a"), base.Include("fork_b")
	for _, c := range []struct {
		n    include.Node
		want string
	}{{base, chain}, {a, chainString(append(segs[:len(segs):len(segs)], "fork_a"))}, {b, chainString(append(segs[:len(segs):len(segs)], "fork_b"))}} {
		rs, err := include.Normalize([]include.Node{c.n})
		if err != nil || trieString(rs) != c.want {
			t.Fatalf("forks of New(%q): got %s (%v), want %s", p, trieString(rs), err, c.want)
		}
	}
}

func nestedChain(segs []string) include.Node {
	n := include.New(segs[len(segs)-1])
	for i := len(segs) - 2; i >= 0; i-- {
		n = include.New(segs[i]).Include(n)
	}
	return n
}

// badPath is what Normalize's error must name for p, or "" when p is well-formed.
func badPath(p string) string {
	if strings.TrimSpace(p) == "" {
		return "empty include path"
	}
	for _, seg := range strings.Split(p, ".") {
		if seg == "" {
			return strconv.Quote(p)
		}
	}
	return ""
}

// refNode is the reference trie of include paths.
type refNode struct {
	seg  string
	kids []*refNode
}

func refInsert(list *[]*refNode, segs []string) {
	for _, seg := range segs {
		var r *refNode
		for _, x := range *list {
			if strings.EqualFold(x.seg, seg) {
				r = x
				break
			}
		}
		if r == nil {
			r = &refNode{seg: seg}
			*list = append(*list, r)
		}
		list = &r.kids
	}
}

// buildPathTree puts the paths together as layout says and returns the nodes, the reference
// trie and what the error must name ("" for none).
func buildPathTree(t *testing.T, list []string, layout uint8) ([]include.Node, []*refNode, string) {
	t.Helper()
	var items []any
	for i, p := range list {
		switch {
		case layout&1 == 0:
			items = append(items, p)
		case i%2 == 0:
			items = append(items, include.New(p))
		default:
			n := include.New(p)
			items = append(items, &n)
		}
	}
	var ref []*refNode
	wantErr := ""
	note := func(p string) bool {
		if wantErr == "" {
			wantErr = badPath(p)
		}
		return wantErr == ""
	}
	if layout&2 != 0 && len(list) > 1 {
		// the rest nested under the first
		head := include.New(list[0]).Include(items[1:]...)
		if note(list[0]) {
			refInsert(&ref, strings.Split(list[0], "."))
			for _, p := range list[1:] {
				if !note(p) {
					break
				}
				refInsert(&ref, append(strings.Split(list[0], "."), strings.Split(p, ".")...))
			}
		}
		return []include.Node{head}, ref, wantErr
	}
	nodes, err := include.Tree(items...)
	if err != nil {
		t.Fatalf("Tree(%q): %v", list, err)
	}
	for _, p := range list {
		if !note(p) {
			break
		}
		refInsert(&ref, strings.Split(p, "."))
	}
	return nodes, ref, wantErr
}

func trieString(rs []*include.Resolved) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(r.Segment))
		if len(r.Children) > 0 {
			b.WriteString(trieString(r.Children))
		}
	}
	b.WriteByte(']')
	return b.String()
}

func refString(rs []*refNode) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(r.seg))
		if len(r.kids) > 0 {
			b.WriteString(refString(r.kids))
		}
	}
	b.WriteByte(']')
	return b.String()
}

func chainString(segs []string) string {
	var ref []*refNode
	refInsert(&ref, segs)
	return refString(ref)
}

// fuzzPathSchema: users have posts (with an author, comments and tags through post_tags),
// comments have an author.
func fuzzPathSchema(f *testing.F) *include.Schema {
	s := include.NewSchema()
	at := func(names ...string) []include.Attr {
		var out []include.Attr
		for _, n := range names {
			out = append(out, include.Attr{Name: n, Type: include.Any})
		}
		return out
	}
	for _, err := range []error{
		second(s.DefineMap("User", "users", at("id", "name"))),
		second(s.DefineMap("Post", "posts", at("id", "user_id", "title"))),
		second(s.DefineMap("Comment", "comments", at("id", "post_id", "user_id", "body"))),
		second(s.DefineMap("Tag", "tags", at("id", "name"))),
		second(s.HasMany("User", "Post", include.As("posts"))),
		second(s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id"))),
		second(s.HasMany("Post", "Comment", include.As("comments"))),
		second(s.BelongsTo("Comment", "User", include.As("author"), include.ForeignKey("user_id"))),
		second(s.BelongsToMany("Post", "Tag", include.As("tags"), include.Through("post_tags"))),
	} {
		if err != nil {
			f.Fatal(err)
		}
	}
	return s
}

func second[T any](_ T, err error) error { return err }

// checkCompile: builder.Build of the tree fails with ErrInclude (naming the bad path, or the
// first unknown segment and its path in the merged tree's pre-order), else compiles, and the
// tree spelled with the schema's aliases compiles to the same SQL.
func checkCompile(t *testing.T, s *include.Schema, list []string, layout uint8, nodes []include.Node, ref []*refNode, badPath string) {
	t.Helper()
	users := s.Model("User")
	p, err := builder.Build(s, dialects.Postgres, builder.Query{Model: users, Include: nodes})
	if badPath != "" {
		if err == nil || !errors.Is(err, builder.ErrInclude) || !strings.Contains(err.Error(), badPath) {
			t.Fatalf("%q (layout %d): Build error %v; want builder.ErrInclude naming %s", list, layout, err, badPath)
		}
		return
	}
	// the first unknown segment in pre-order, and the tree spelled with aliases
	var unknown, unknownPath string
	var canon func(m *include.Model, prefix string, rs []*refNode) []include.Node
	canon = func(m *include.Model, prefix string, rs []*refNode) []include.Node {
		var out []include.Node
		for _, r := range rs {
			if unknown != "" {
				return nil
			}
			var a *include.Association
			for _, x := range m.Associations() {
				if strings.EqualFold(x.As, r.seg) {
					a = x
					break
				}
			}
			if a == nil {
				unknown, unknownPath = r.seg, prefix+r.seg
				return nil
			}
			kids := canon(a.Target, prefix+a.As+".", r.kids)
			n := include.New(a.As)
			if len(kids) > 0 {
				n = n.Include(kids)
			}
			out = append(out, n)
		}
		return out
	}
	tree := canon(users, "", ref)
	if unknown != "" {
		if err == nil || !errors.Is(err, builder.ErrInclude) || !strings.Contains(err.Error(), strconv.Quote(unknown)) ||
			!strings.Contains(err.Error(), strconv.Quote(unknownPath)) {
			t.Fatalf("%q (layout %d): Build error %v; want builder.ErrInclude naming %q at path %q", list, layout, err, unknown, unknownPath)
		}
		return
	}
	if err != nil {
		t.Fatalf("%q (layout %d): Build: %v", list, layout, err)
	}
	p2, err := builder.Build(s, dialects.Postgres, builder.Query{Model: users, Include: tree})
	if err != nil || p2.SQL != p.SQL {
		t.Fatalf("%q (layout %d): spelled with the aliases the tree compiles differently:\n%s\n%v\n%s", list, layout, p.SQL, err, p2.SQL)
	}
}
