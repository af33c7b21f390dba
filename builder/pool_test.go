package builder

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/include"
)

type poolUser struct {
	ID    int64  `db:"id" sql:"primary_key"`
	Name  string `db:"name"`
	Posts []poolPost
}

type poolPost struct {
	ID       int64  `db:"id" sql:"primary_key"`
	UserID   int64  `db:"user_id"`
	Title    string `db:"title"`
	Author   *poolUser
	Tags     []poolTag
	Comments []poolComment
}

type poolComment struct {
	ID       int64     `db:"id" sql:"primary_key"`
	PostID   int64     `db:"post_id"`
	AuthorID int64     `db:"author_id"`
	Author   *poolUser `alias:"author"`
}

type poolTag struct {
	ID      int64   `db:"id" sql:"primary_key"`
	Name    string  `db:"name"`
	AddedBy *string `joinery:"through:added_by"`
}

func poolSchema(t *testing.T) *include.Schema {
	t.Helper()
	s := include.NewSchema()
	s.Define(poolUser{}, "users")
	s.Define(poolPost{}, "posts")
	s.Define(poolComment{}, "comments")
	s.Define(poolTag{}, "tags")
	s.HasMany("poolUser", "poolPost", include.As("posts"), include.ForeignKey("user_id"))
	s.BelongsTo("poolPost", "poolUser", include.As("author"), include.ForeignKey("user_id"))
	s.HasMany("poolPost", "poolComment", include.As("comments"), include.ForeignKey("post_id"))
	s.BelongsTo("poolComment", "poolUser", include.As("author"), include.ForeignKey("author_id"))
	s.BelongsToMany("poolPost", "poolTag", include.As("tags"), include.Through("post_tags"),
		include.ForeignKey("post_id"), include.OtherKey("tag_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// planText is everything a plan shows: its text, readable form, arguments, aliases, map.
func planText(p *Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n%v\n%s\n%s\n%v\n", p.SQL, p.Readable(), p.Args, p.Explain(), p.Map.String(), p.ResultColumns())
	p.Map.Walk(func(n *hydrate.Node, _ int) {
		fmt.Fprintf(&b, "%s %d %v %v %v %v\n", n.Path, n.Branch, n.Key, n.Link, n.ParentLink, n.Cols)
	})
	for i := range p.Args {
		b.WriteString(p.ArgSource(i) + "\n")
	}
	for _, st := range p.Statements {
		fmt.Fprintf(&b, "%s\n%s\n%v %v\n", st.SQL, st.Readable(), st.Args, st.Part)
	}
	return b.String()
}

// TestPooledBuildersShareNothingWithPlans: builders (their tree nodes and SQL trees) are
// reused by the next compiles, concurrent ones included; a plan compiled before must read
// the same afterwards, and the same as a plan compiled anew.
func TestPooledBuildersShareNothingWithPlans(t *testing.T) {
	s := poolSchema(t)
	root := s.Model("poolUser")
	tree := include.New("posts").Include(include.New("tags").ThroughColumns("added_by"), "comments.author", "author")
	queries := []Query{
		{Model: root, Where: []sq.Sqlizer{sq.LtOrEq{"id": 10}}, Include: []include.Node{tree}},
		{Model: root, Where: []sq.Sqlizer{sq.Eq{"name": []string{"a", "b"}}}, Include: []include.Node{tree}, OrderBy: []string{"name DESC"}, Limit: 5, HasLimit: true},
		{Model: root, Include: []include.Node{tree}, OrderBy: []string{"posts.title"}, Shape: ShapeFlat},
		{Model: root, Include: []include.Node{tree}, Shape: ShapePipeline, Limit: 2000, HasLimit: true},
		{Model: root, Include: []include.Node{include.New("posts").Where(sq.Gt{"id": 3}).Required()}},
	}
	ds := []dialects.Dialect{dialects.Postgres, dialects.MySQL, dialects.SQLite}
	compile := func() ([]*Plan, []string) {
		var plans []*Plan
		var texts []string
		for _, d := range ds {
			for i, q := range queries {
				p, err := Build(s, d, q)
				if err != nil {
					t.Errorf("%s query %d: %v", d.Name(), i, err)
					continue
				}
				plans = append(plans, p)
				texts = append(texts, planText(p))
				c, err := Count(s, d, q)
				if err != nil {
					t.Errorf("%s count %d: %v", d.Name(), i, err)
					continue
				}
				plans = append(plans, c)
				texts = append(texts, planText(c))
			}
		}
		return plans, texts
	}
	plans, texts := compile()
	if t.Failed() {
		return
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				_, again := compile()
				for i := range again {
					if again[i] != texts[i] {
						t.Errorf("compile %d differs from the first:\n%s\nfirst:\n%s", i, again[i], texts[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for i, p := range plans {
		if got := planText(p); got != texts[i] {
			t.Errorf("plan %d changed after later compiles:\n%s\nwas:\n%s", i, got, texts[i])
		}
	}
}

// TestReadableOfChangedText: Readable breaks the lines where the renderer recorded; a plan
// whose SQL a caller replaced reads as that SQL, without a panic.
func TestReadableOfChangedText(t *testing.T) {
	s := poolSchema(t)
	p, err := Build(s, dialects.Postgres, Query{Model: s.Model("poolUser"), Include: []include.Node{include.New("posts")}})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Readable(); !strings.Contains(r, "\nUNION ALL\n") || strings.Join(strings.Fields(r), " ") != p.SQL {
		t.Fatalf("readable form:\n%s\nof: %s", r, p.SQL)
	}
	for _, text := range []string{"", "SELECT 1", p.SQL[:len(p.SQL)/2], strings.Repeat("x", len(p.SQL))} {
		p.SQL = text
		if got := p.Readable(); got != text {
			t.Fatalf("Readable of a replaced text %q: %q", text, got)
		}
	}
}
