package joinery_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/joinerytest"
)

// postsWithTags is what the tests' queries of posts with their tags return.
func postsWithTags() []Post {
	alice := "alice"
	return []Post{
		{ID: 10, UserID: 1, Title: "hello", Published: true, Tags: []Tag{{ID: 1, Name: "go", AddedBy: &alice}, {ID: 2, Name: "sql"}}},
		{ID: 11, UserID: 1, Title: "draft", Tags: []Tag{}},
	}
}

// dropColumn removes the column named name from every statement that has it, values and
// all, and reports whether one had it.
func dropColumn(sts []joinerytest.Statement, name string) bool {
	found := false
	for i := range sts {
		k := slices.Index(sts[i].Columns, name)
		if k < 0 {
			continue
		}
		found = true
		sts[i].Columns = slices.Delete(slices.Clone(sts[i].Columns), k, k+1)
		for j, r := range sts[i].Rows {
			sts[i].Rows[j] = slices.Delete(slices.Clone(r), k, k+1)
		}
	}
	return found
}

// expectStatements registers sts on a new sqlmock (exact SQL, arguments, rows, rows closed).
func expectStatements(t *testing.T, sts []joinerytest.Statement) (joinery.Querier, sqlmock.Sqlmock) {
	t.Helper()
	db, mock := newMock(t)
	for _, st := range sts {
		st.Expect(mock).RowsWillBeClosed()
	}
	return db, mock
}

// linkOf returns the include's node in p's map and the result column that links it to its
// parent, checking that the plan selects that column only as a key ("key only").
func linkOf(t *testing.T, p *builder.Plan) (*hydrate.Node, string) {
	t.Helper()
	n := p.Map.Root.Children[0]
	if len(n.Link) == 0 {
		t.Fatalf("%s: include %q has no link column", p.Shape, n.Path)
	}
	link := n.Cols[n.Link[0]].Column
	for _, c := range p.Columns {
		if c.Alias == link && c.Reported {
			t.Fatalf("%s: link column %s is reported", p.Shape, link)
		}
	}
	if !strings.Contains(p.Explain(), "(key only)") {
		t.Fatalf("%s: Explain shows no key-only column:\n%s", p.Shape, p.Explain())
	}
	return n, link
}

// A result without the column that links an include to its parent used to fold into
// parents without their children and no error (labels=[] err=<nil>). It is refused, and the
// error names the column, the include and what the column is for; the same rows with every
// column fold into the fixture (the positive control). The UNION ALL of branches and the
// pipelined statements (through database/sql) both carry links; the pipelined statements are
// checked one by one, also when the include's statement returns no row.
func TestHydrateColumnsMissingLink(t *testing.T) {
	s := blogSchema(t)
	base := joinery.Query[Post](s, dialects.SQLite).Include(include.New("tags").ThroughColumns("added_by")).OrderBy("id", "tags.id")
	ctx := context.Background()
	for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeUnion, joinery.ShapePipeline} {
		t.Run(shape.String(), func(t *testing.T) {
			q := base.Shape(shape)
			p, err := q.Plan()
			if err != nil {
				t.Fatal(err)
			}
			if p.Shape == builder.ShapeFlat {
				t.Fatalf("%s compiled to a flat statement, which has no links", shape)
			}
			tags, link := linkOf(t, p)
			wantErr := fmt.Sprintf(`column %q (link of include %q to its parent) is missing from`, link, tags.Path)

			// the positive control: every column
			sts, err := joinerytest.AllStatements(q, postsWithTags())
			if err != nil {
				t.Fatal(err)
			}
			db, _ := expectStatements(t, sts)
			got, err := q.All(ctx, db)
			if err != nil || !reflect.DeepEqual(got, postsWithTags()) {
				t.Fatalf("all columns: %+v, %v", got, err)
			}

			// the rows without the link column
			if !dropColumn(sts, link) {
				t.Fatalf("no statement returns %s", link)
			}
			db, _ = expectStatements(t, sts)
			got, err = q.All(ctx, db)
			if !errors.Is(err, hydrate.ErrColumns) || !strings.Contains(err.Error(), wantErr) {
				t.Fatalf("without %s: %+v, %v\nwant ErrColumns with %s", link, got, err, wantErr)
			}

			// no tag at all: the include's rows (none) still need their link column
			noTags := postsWithTags()
			noTags[0].Tags = []Tag{}
			sts, err = joinerytest.AllStatements(q, noTags)
			if err != nil {
				t.Fatal(err)
			}
			dropColumn(sts, link)
			db, _ = expectStatements(t, sts)
			got, err = q.All(ctx, db)
			if !errors.Is(err, hydrate.ErrColumns) || !strings.Contains(err.Error(), wantErr) {
				t.Fatalf("no tags, without %s: %+v, %v\nwant ErrColumns with %s", link, got, err, wantErr)
			}
		})
	}
}

// A flat JOIN has no links, and its keys selected only for identity are as needed: a tag's
// key missing from the result is refused, naming the include.
func TestHydrateColumnsMissingKeyFlat(t *testing.T) {
	s := blogSchema(t)
	q := joinery.Query[Post](s, dialects.SQLite).Include(include.New("tags").Columns("name")).OrderBy("id", "tags.id").Shape(joinery.ShapeFlat)
	p, err := q.Plan()
	if err != nil {
		t.Fatal(err)
	}
	tags := p.Map.Root.Children[0]
	key := tags.Cols[tags.Key[0]].Column
	if tags.Cols[tags.Key[0]].Field != "" {
		t.Fatalf("the tag's key %s is reported:\n%s", key, p.Explain())
	}
	want := postsWithTags()
	sts, err := joinerytest.AllStatements(q, want)
	if err != nil {
		t.Fatal(err)
	}
	db, _ := expectStatements(t, sts)
	got, err := q.All(context.Background(), db)
	// the tags' names were selected (and the join-table column, which has a field), not
	// their keys
	for i := range want {
		for j := range want[i].Tags {
			want[i].Tags[j].ID = 0
		}
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("all columns: %+v, %v", got, err)
	}
	dropColumn(sts, key)
	db, _ = expectStatements(t, sts)
	wantErr := fmt.Sprintf(`column %q (key of include %q) is missing from the result`, key, tags.Path)
	if _, err := q.All(context.Background(), db); !errors.Is(err, hydrate.ErrColumns) || !strings.Contains(err.Error(), wantErr) {
		t.Fatalf("without %s: %v\nwant ErrColumns with %s", key, err, wantErr)
	}
}

// Run-time (map) models hold exactly the attributes the query selected: a root and an
// include that select Columns(...) get no key, link or other attribute they did not ask
// for, in every shape and on every database; join-table values stay under the join model's
// name.
func TestHydrateColumnsMapModels(t *testing.T) {
	s := blogMapSchema(t)

	const wantSimple = `[{"name":"alice","posts":[{"title":"hello"},{"title":"draft"}]},` +
		`{"name":"bob","posts":[{"title":"bobs post"}]},{"name":"carol","posts":[]}]`
	const wantDeep = `[{"name":"alice","posts":[` +
		`{"title":"hello","author":{"name":"alice"},"tags":[{"name":"go","PostTag":{"addedBy":"alice"}},{"name":"sql","PostTag":{"addedBy":null}}]},` +
		`{"title":"draft","author":{"name":"alice"},"tags":[]}]},` +
		`{"name":"bob","posts":[{"title":"bobs post","author":{"name":"bob"},"tags":[{"name":"go","PostTag":{"addedBy":"bob"}}]}]},` +
		`{"name":"carol","posts":[]}]`
	for _, tdb := range openDBs(t, "joinery_hydrate_columns") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
				q := joinery.QueryMap(s, tdb.dialect, "User").Columns("name").
					Include(include.New("posts").Columns("title")).OrderBy("id", "posts.id").Shape(shape)
				got, err := q.All(context.Background(), tdb.db)
				if err != nil {
					t.Fatalf("%s: %v", shape, err)
				}
				assertJSON(t, got, wantSimple)
				for _, u := range got {
					if len(u) != 2 || u["name"] == nil || u["posts"] == nil {
						t.Fatalf("%s: root %v, want only name and posts", shape, u)
					}
					for _, p := range u["posts"].([]any) {
						if pm := p.(map[string]any); len(pm) != 1 || pm["title"] == nil {
							t.Fatalf("%s: post %v, want only title", shape, pm)
						}
					}
				}

				q = joinery.QueryMap(s, tdb.dialect, "User").Columns("name").
					Include(include.New("posts").Columns("title"), include.New("posts.author").Columns("name"),
						include.New("posts.tags").Columns("name").ThroughColumns("addedBy")).
					OrderBy("id", "posts.id", "posts.tags.id").Shape(shape)
				got, err = q.All(context.Background(), tdb.db)
				if err != nil {
					t.Fatalf("%s: %v", shape, err)
				}
				assertJSON(t, got, wantDeep)
			}
		})
	}
}
