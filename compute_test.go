package joinery_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// The blog's users and posts with fields for computed values.
type cUser struct {
	ID        int64   `db:"id"`
	Name      string  `db:"name"`
	Email     *string `db:"email"`
	PostCount int64   `joinery:"computed:post_count"`
	Published int64   `joinery:"computed:published"`
	HasPosts  bool    `joinery:"computed:has_posts"`
	LastPost  *int64  `joinery:"computed:last_post"`
	Spent     float64 `joinery:"computed:spent"`
	Shout     string  `joinery:"computed:shout"`
	Tenfold   int64   `joinery:"computed:tenfold"`
	Posts     []cPost
	Invoices  []cInvoice
}

type cPost struct {
	ID           int64  `db:"id"`
	UserID       int64  `db:"user_id"`
	Title        string `db:"title"`
	Published    bool   `db:"published"`
	CommentCount int64  `joinery:"computed:comment_count"`
	TagCount     int64  `joinery:"computed:tag_count"`
	TagsAdded    int64  `joinery:"computed:tags_added"`
	ByAlice      int64  `joinery:"computed:by_alice"`
	Author       *cUser
	Comments     []cComment
	Tags         []cTag
}

type cComment struct {
	ID       int64  `db:"id"`
	PostID   int64  `db:"post_id"`
	AuthorID int64  `db:"author_id"`
	Body     string `db:"body"`
}

type cTag struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

type cInvoice struct {
	ID        int64   `db:"id"`
	UserEmail string  `db:"user_email"`
	Amount    float64 `db:"amount"`
}

func computeSchema(t testing.TB) *include.Schema {
	t.Helper()
	s := include.NewSchema()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Define(cUser{}, "users", include.Name("User")))
	must(s.Define(cPost{}, "posts", include.Name("Post")))
	must(s.Define(cComment{}, "comments", include.Name("Comment")))
	must(s.Define(cTag{}, "tags", include.Name("Tag")))
	must(s.Define(cInvoice{}, "invoices", include.Name("Invoice")))
	must(s.HasMany("User", "Post"))
	must(s.HasMany("User", "Invoice", include.SourceKey("email"), include.ForeignKey("user_email")))
	must(s.HasMany("Post", "Comment"))
	must(s.BelongsToMany("Post", "Tag", include.Through("post_tags")))
	must(s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id")))
	return s
}

// Values computed for the roots and for an include, in every shape and on every database,
// equal what counting the loaded children in Go gives; ordering and paging by them work.
func TestComputedValues(t *testing.T) {
	cs := computeSchema(t)
	bs := blogSchema(t)
	ctx := context.Background()
	for _, tdb := range openDBs(t, "jr_computed") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			// the children, loaded, counted in Go
			full, err := joinery.Query[User](bs, tdb.dialect).Include("posts.comments", "posts.tags", "invoices").OrderBy("id").All(ctx, tdb.db)
			if err != nil {
				t.Fatal(err)
			}
			var want []cUser
			for _, u := range full {
				w := cUser{ID: u.ID, Name: u.Name, Email: u.Email, Shout: strings.ToUpper(u.Name), Tenfold: 10 * u.ID, Posts: []cPost{}}
				for _, p := range u.Posts {
					w.PostCount++
					w.HasPosts = true
					if p.Published {
						w.Published++
						id := p.ID
						if w.LastPost == nil || id > *w.LastPost {
							w.LastPost = &id
						}
					}
					cp := cPost{ID: p.ID, UserID: p.UserID, Title: p.Title, Published: p.Published, CommentCount: int64(len(p.Comments)), TagCount: int64(len(p.Tags))}
					for _, c := range p.Comments {
						if c.AuthorID == 1 {
							cp.ByAlice++
						}
					}
					for _, tg := range p.Tags {
						if tg.AddedBy != nil {
							cp.TagsAdded++
						}
					}
					w.Posts = append(w.Posts, cp)
				}
				slices.SortFunc(w.Posts, func(a, b cPost) int { return int(b.CommentCount-a.CommentCount)*100 + int(a.ID-b.ID) })
				for _, inv := range u.Invoices {
					w.Spent += inv.Amount
				}
				want = append(want, w)
			}
			posts := include.New("posts").Compute(
				include.Count("comments").As("comment_count"),
				include.Count("tags").As("tag_count"),
				include.Count("tags").ThroughWhere(sq.NotEq{"added_by": nil}).As("tags_added"),
				include.Count("comments").Where(sq.Eq{"author_id": 1}).As("by_alice"),
			).Order("comment_count DESC")
			base := joinery.Query[cUser](cs, tdb.dialect).Include(posts).Compute(
				include.Count("posts").As("post_count"),
				include.Count("posts").Where(sq.Eq{"published": true}).As("published"),
				include.Exists("posts").As("has_posts"),
				include.Max("posts", "id").Where(sq.Eq{"published": true}).As("last_post"),
				include.Sum("invoices", "amount").As("spent"),
				include.Expr("UPPER({{self}}.name)").As("shout"),
				include.Expr("{{self}}.id * ?", 10).As("tenfold"),
			)
			byCount := slices.Clone(want)
			slices.SortStableFunc(byCount, func(a, b cUser) int { return int(b.PostCount-a.PostCount)*100 + int(a.ID-b.ID) })
			for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
				got, err := base.Shape(shape).OrderBy("id").All(ctx, tdb.db)
				if err != nil {
					t.Fatalf("%v: %v", shape, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%v:\n got %+v\nwant %+v", shape, got, want)
				}
				// the roots ordered by a computed value, paged
				for _, page := range [][2]uint64{{2, 0}, {2, 1}, {5, 0}} {
					got, err := base.Shape(shape).OrderBy("post_count DESC", "id").Limit(page[0]).Offset(page[1]).All(ctx, tdb.db)
					if err != nil {
						t.Fatalf("%v: %v", shape, err)
					}
					w := byCount[min(int(page[1]), len(byCount)):min(int(page[0]+page[1]), len(byCount))]
					if !reflect.DeepEqual(got, w) {
						t.Fatalf("%v page %v:\n got %+v\nwant %+v", shape, page, got, w)
					}
				}
				n, err := base.Shape(shape).OrderBy("post_count DESC").Count(ctx, tdb.db)
				if err != nil || n != int64(len(want)) {
					t.Fatalf("%v: Count %d %v", shape, n, err)
				}
				// the roots filtered by a computed value (with an argument of its own), paged,
				// counted; an include filtered by its own
				var active []cUser
				for _, u := range want {
					if u.Published >= 1 {
						var commented []cPost
						for _, p := range u.Posts {
							if p.CommentCount > 0 {
								commented = append(commented, p)
							}
						}
						u.Posts = commented
						if u.Posts == nil {
							u.Posts = []cPost{}
						}
						active = append(active, u)
					}
				}
				filtered := base.Shape(shape).Include(include.New("posts").Where(sq.Gt{"comment_count": 0})).Where(sq.GtOrEq{"published": 1})
				got, err = filtered.OrderBy("id").All(ctx, tdb.db)
				if err != nil {
					t.Fatalf("%v: %v", shape, err)
				}
				if len(active) != 2 || !reflect.DeepEqual(got, active) {
					t.Fatalf("%v filtered:\n got %+v\nwant %+v", shape, got, active)
				}
				got, err = filtered.OrderBy("id").Limit(1).Offset(1).All(ctx, tdb.db)
				if err != nil || !reflect.DeepEqual(got, active[1:]) {
					t.Fatalf("%v filtered page: %v\n got %+v\nwant %+v", shape, err, got, active[1:])
				}
				if n, err := filtered.Count(ctx, tdb.db); err != nil || n != 2 {
					t.Fatalf("%v: filtered Count %d %v", shape, n, err)
				}
			}
			// keyset pages over a computed value (and one that can be NULL), in every shape
			for _, order := range [][]string{{"post_count DESC"}, {"last_post"}, {"last_post DESC NULLS LAST", "name"}, {"spent", "id DESC"}} {
				all, err := base.OrderBy(order...).All(ctx, tdb.db)
				if err != nil {
					t.Fatal(err)
				}
				for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
					q := base.Shape(shape).OrderBy(order...).Limit(1)
					var got []cUser
					page, err := q.All(ctx, tdb.db)
					for len(page) > 0 && err == nil && len(got) < 10 {
						got = append(got, page...)
						var c joinery.Cursor
						if c, err = q.Cursor(page[len(page)-1]); err == nil {
							page, err = q.After(c).All(ctx, tdb.db)
						}
					}
					if err != nil || !reflect.DeepEqual(got, all) {
						t.Fatalf("%v keyset over %v: %v\n got %+v\nwant %+v", shape, order, err, got, all)
					}
				}
			}
			// without loading the children
			got, err := joinery.Query[cUser](cs, tdb.dialect).Compute(include.Count("posts").As("post_count")).OrderBy("post_count", "id").All(ctx, tdb.db)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[0].PostCount != 0 || got[1].PostCount != 1 || got[2].PostCount != 2 || got[2].Posts != nil {
				t.Fatalf("count only: %+v", got)
			}
			// map models
			ms := blogMapSchema(t)
			rows, err := joinery.QueryMap(ms, tdb.dialect, "User").Compute(include.Count("posts").As("n")).OrderBy("id").All(ctx, tdb.db)
			if err != nil {
				t.Fatal(err)
			}
			var ns []int64
			for _, r := range rows {
				n, _ := r["n"].(int64)
				ns = append(ns, n)
			}
			if !reflect.DeepEqual(ns, []int64{2, 1, 0}) {
				t.Fatalf("map model: %v from %v", ns, rows)
			}
		})
	}
}

// Bad computed values are refused when the query is built, naming what to change.
func TestComputedValueErrors(t *testing.T) {
	cs := computeSchema(t)
	q := joinery.Query[cUser](cs, dialects.SQLite)
	for _, c := range []struct {
		q    joinery.Q[cUser]
		want string
	}{
		{q.Compute(include.Count("posts")), `needs a name: .As("name")`},
		{q.Compute(include.Count("nope").As("post_count")), `User has no association "nope"; valid: Invoices, Posts`},
		{q.Compute(include.Count("posts").As("nope")), "has no field to receive it: tag one `joinery:\"computed:nope\"`"},
		{q.Compute(include.Sum("posts", "nope").As("post_count")), `unknown column "nope" of Post`},
		{q.Compute(include.Count("posts").As("name")), `already has a column of that name`},
		{q.Compute(include.Sum("posts", "title").As("post_count")), `Post.title is not a number, and Sum is computed only over numbers`},
		{q.Compute(include.Avg("invoices", "user_email").As("spent")), `Invoice.user_email is not a number, and Avg is computed only over numbers`},
		{q.Include(include.New("posts.author").Compute(include.Count("posts").As("post_count"))), ``},
		{q.Include(include.New("posts").Compute(include.Count("author").As("comment_count"))), `aggregates the rows of a to-many association, and author is a BelongsTo`},
		{q.Include(include.New("posts").Compute(include.Count("comments").As("comment_count"))).OrderBy("posts.comment_count"), `order the include by it (Order)`},
	} {
		_, err := c.q.Plan()
		if c.want == "" {
			if err != nil {
				t.Errorf("a to-one include computing values: %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, builder.ErrInclude) {
			t.Errorf("want an ErrInclude error containing %q, got %v", c.want, err)
		}
	}
}

// An association declared with NoField (no field to load it into) serves computed values
// and filters; including it to load it is refused, naming the option.
func TestComputedOverNoFieldAssociation(t *testing.T) {
	type spender struct {
		ID    int64   `db:"id"`
		Name  string  `db:"name"`
		Email *string `db:"email"`
		Spent float64 `joinery:"computed:spent"`
	}
	s := include.NewSchema()
	for _, err := range []error{
		func() error { _, err := s.Define(spender{}, "users", include.Name("User")); return err }(),
		func() error { _, err := s.Define(cInvoice{}, "invoices", include.Name("Invoice")); return err }(),
		func() error {
			_, err := s.HasMany("User", "Invoice", include.SourceKey("email"), include.ForeignKey("user_email"), include.NoField())
			return err
		}(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	for _, tdb := range openDBs(t, "jr_computed_nofield") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			q := joinery.Query[spender](s, tdb.dialect).Compute(include.Sum("invoices", "amount").As("spent"))
			got, err := q.Include(include.New("invoices").FilterOnly().Required()).OrderBy("id").All(ctx, tdb.db)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].Spent != 12.75 || got[1].Spent != 1 {
				t.Fatalf("spent: %+v", got)
			}
			_, err = q.Include("invoices").All(ctx, tdb.db)
			if err == nil || !strings.Contains(err.Error(), "declared with include.NoField and is never loaded") {
				t.Fatalf("loading a NoField association: %v", err)
			}
		})
	}
	if _, err := s.HasMany("User", "Invoice", include.As("bills"), include.SourceKey("email"), include.ForeignKey("user_email"), include.NoField(), include.Field("X")); err == nil || !strings.Contains(err.Error(), "contradict") {
		t.Fatalf("NoField with Field: %v", err)
	}
}
