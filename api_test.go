package joinery_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/DATA-DOG/go-sqlmock"
	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/include"
)

func TestMapModelsDerivedKeysError(t *testing.T) {
	s := include.NewSchema(include.WithNaming(include.CamelCase))
	s.DefineMap("User", "users", []include.Attr{{Name: "id"}})
	s.DefineMap("Post", "posts", []include.Attr{{Name: "id"}, {Name: "userId", Column: "user_id"}})
	_, err := s.BelongsTo("Post", "User", include.As("author"))
	if !errors.Is(err, include.ErrDefinition) || !strings.Contains(err.Error(), `"authorId"`) || !strings.Contains(err.Error(), "include.ForeignKey") {
		t.Fatalf("want an error naming authorId and the ForeignKey option, got %v", err)
	}
}

// blogMapSchema is the blog fixture's users, posts and tags as run-time (map) models.
func blogMapSchema(t *testing.T) *include.Schema {
	t.Helper()
	s := include.NewSchema(include.WithNaming(include.CamelCase))
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.DefineMap("User", "users", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name", Type: include.String}}))
	must(s.DefineMap("Post", "posts", []include.Attr{{Name: "id", Type: include.Int}, {Name: "userId", Column: "user_id", Type: include.Int},
		{Name: "title", Type: include.String}, {Name: "published", Type: include.Bool}}))
	must(s.DefineMap("Tag", "tags", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}}))
	must(s.DefineMap("PostTag", "post_tags", []include.Attr{{Name: "postId", Column: "post_id", Type: include.Int},
		{Name: "tagId", Column: "tag_id", Type: include.Int}, {Name: "addedBy", Column: "added_by"}}, include.PrimaryKey("postId", "tagId")))
	must(s.HasMany("User", "Post", include.As("posts")))
	must(s.BelongsToMany("Post", "Tag", include.ThroughModel("PostTag"), include.As("tags")))
	must(s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("userId")))
	return s
}

func TestMapModelsRealDatabases(t *testing.T) {
	s := blogMapSchema(t)

	want := `[{"id":1,"name":"alice","posts":[` +
		`{"id":10,"userId":1,"title":"hello","published":true,"author":{"id":1,"name":"alice"},"tags":[` +
		`{"id":1,"name":"go","PostTag":{"addedBy":"alice"}},{"id":2,"name":"sql","PostTag":{"addedBy":null}}]},` +
		`{"id":11,"userId":1,"title":"draft","published":false,"author":{"id":1,"name":"alice"},"tags":[]}]},` +
		`{"id":2,"name":"bob","posts":[{"id":12,"userId":2,"title":"bobs post","published":true,"author":{"id":2,"name":"bob"},"tags":[` +
		`{"id":1,"name":"go","PostTag":{"addedBy":"bob"}}]}]},` +
		`{"id":3,"name":"carol","posts":[]}]`
	for _, tdb := range openDBs(t, "joinery_root_maps") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			got, err := joinery.QueryMap(s, tdb.dialect, "User").
				Include("posts.author", include.New("posts.tags").ThroughColumns("addedBy")).
				OrderBy("id", "posts.id", "posts.tags.id").All(context.Background(), tdb.db)
			if err != nil {
				t.Fatal(err)
			}
			assertJSON(t, got, want)
			// every to-many the query included is a non-nil slice, empty or not
			if p := got[2]["posts"].([]any); p == nil || len(p) != 0 {
				t.Fatalf("carol's posts: %#v", got[2]["posts"])
			}
		})
	}
}

func TestEmptyToManyIsNonNilSlice(t *testing.T) {
	s := blogSchema(t)
	for _, tdb := range openDBs(t, "joinery_root_empty") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			users, err := joinery.Query[User](s, tdb.dialect).Include("posts.tags", "profile").OrderBy("id", "posts.id").All(context.Background(), tdb.db)
			if err != nil {
				t.Fatal(err)
			}
			carol := users[2]
			if carol.Posts == nil || len(carol.Posts) != 0 || carol.Profile != nil {
				t.Fatalf("carol: posts %#v profile %#v", carol.Posts, carol.Profile)
			}
			if draft := users[0].Posts[1]; draft.Tags == nil || len(draft.Tags) != 0 {
				t.Fatalf("draft tags %#v", draft.Tags)
			}
			if users[0].Profile == nil || users[0].Profile.Bio != "likes go" {
				t.Fatalf("alice's profile %#v", users[0].Profile)
			}
			// a Tag shared by two posts is under both, each with its own join-table column
			var byPost = map[int64]string{}
			for _, u := range users {
				for _, p := range u.Posts {
					for _, tg := range p.Tags {
						if tg.ID == 1 {
							byPost[p.ID] = *tg.AddedBy
						}
					}
				}
			}
			if byPost[10] != "alice" || byPost[12] != "bob" {
				t.Fatalf("shared tag: %v", byPost)
			}
		})
	}
}

func TestOne(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "unused")[0]
	seedBlog(t, tdb.db)
	ctx := context.Background()
	bob, err := joinery.Query[User](s, dialects.SQLite).Where(sq.Eq{"id": 2}).Include("posts").One(ctx, tdb.db)
	if err != nil || bob.Name != "bob" || len(bob.Posts) != 1 || bob.Posts[0].ID != 12 {
		t.Fatalf("One: %+v %v", bob, err)
	}
	ptr, err := joinery.Query[*User](s, dialects.SQLite).Where(sq.Eq{"id": 2}).One(ctx, tdb.db)
	if err != nil || ptr == nil || ptr.Name != "bob" {
		t.Fatalf("Query[*User] returns pointers: %v %v", ptr, err)
	}
	_, err = joinery.Query[User](s, dialects.SQLite).Where(sq.Eq{"id": 99}).One(ctx, tdb.db)
	if !errors.Is(err, sql.ErrNoRows) || !errors.Is(err, joinery.ErrNoRows) {
		t.Fatalf("want ErrNoRows, got %v", err)
	}
}

func TestQueriers(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "unused")[0]
	seedBlog(t, tdb.db)
	ctx := context.Background()
	base := joinery.Query[User](s, dialects.SQLite).Include("posts").OrderBy("id", "posts.id")
	tx, err := tdb.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for name, db := range map[string]joinery.Querier{"sql.Tx": tx} {
		users, err := base.All(ctx, db)
		if err != nil || len(users) != 3 || len(users[0].Posts) != 2 {
			t.Fatalf("%s: %v %v", name, users, err)
		}
	}
	tx.Rollback()
	xdb := sqlx.NewDb(tdb.db, "sqlite")
	users, err := base.All(ctx, xdb)
	if err != nil || len(users) != 3 || users[1].Posts[0].Title != "bobs post" {
		t.Fatalf("sqlx: %v %v", users, err)
	}
}

func TestForkedQueriesAreIndependent(t *testing.T) {
	s := blogSchema(t)
	base := joinery.Query[User](s, dialects.Postgres).Where(sq.Eq{"id": 1})
	a := base.Include("posts")
	b := base.Include("profile").OrderBy("name")
	sa, _, err := a.ToSql()
	if err != nil {
		t.Fatal(err)
	}
	sb, _, _ := b.ToSql()
	s0, _, _ := base.ToSql()
	if strings.Contains(s0, "JOIN") || !strings.Contains(sa, `"posts"`) || strings.Contains(sa, `"profiles"`) ||
		!strings.Contains(sb, `"profiles"`) || strings.Contains(sb, `"posts"`) {
		t.Fatalf("forks leaked into each other:\n%s\n%s\n%s", s0, sa, sb)
	}
}

func TestQueryErrors(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()
	type Unregistered struct {
		ID int64 `db:"id"`
	}
	cases := []struct {
		name string
		err  func() error
		want []string
	}{
		{"unknown include names the valid ones", func() error {
			_, _, err := joinery.Query[User](s, dialects.Postgres).Include("post").ToSql()
			return err
		}, []string{`unknown include "post" on User`, "valid: Invoices, Posts, Profile, Projects"}},
		{"unknown nested include", func() error {
			_, _, err := joinery.Query[User](s, dialects.Postgres).Include("posts.coments").ToSql()
			return err
		}, []string{`unknown include "coments" on Post`, `"Posts.coments"`, "Comments, Tags, author"}},
		{"unknown column in include where", func() error {
			_, _, err := joinery.Query[User](s, dialects.Postgres).Include(include.New("posts").Where(sq.Eq{"titel": "x"})).ToSql()
			return err
		}, []string{`unknown column "titel" of Post`, "valid: id, user_id, title, published"}},
		{"unknown root column in where", func() error {
			_, _, err := joinery.Query[User](s, dialects.Postgres).Where(sq.Eq{"nme": "x"}).ToSql()
			return err
		}, []string{`unknown column "nme" of User`}},
		{"order by a path that is not included", func() error {
			_, _, err := joinery.Query[User](s, dialects.Postgres).OrderBy("posts.id").ToSql()
			return err
		}, []string{`"posts" is not an included path`}},
		{"bad order term", func() error {
			_, _, err := joinery.Query[User](s, dialects.Postgres).OrderBy("name; DROP TABLE users").ToSql()
			return err
		}, []string{"bad order term"}},
		{"unknown column in Columns", func() error {
			_, _, err := joinery.Query[User](s, dialects.Postgres).Columns("nam").ToSql()
			return err
		}, []string{`unknown column "nam" of User`}},
		{"through options on a non-BelongsToMany", func() error {
			_, _, err := joinery.Query[User](s, dialects.Postgres).Include(include.New("posts").ThroughColumns("x")).ToSql()
			return err
		}, []string{"apply only to a BelongsToMany"}},
		{"unknown join-table column", func() error {
			_, _, err := joinery.Query[User](s, dialects.Postgres).Include(include.New("projects").ThroughColumns("rol")).ToSql()
			return err
		}, []string{`unknown join-table column "rol" of UserProject`, "role"}},
		{"unregistered type", func() error {
			_, err := joinery.Query[Unregistered](s, dialects.Postgres).All(ctx, nil)
			return err
		}, []string{"not a registered model", "schema.Define"}},
		{"bad include item", func() error {
			_, _, err := joinery.Query[User](s, dialects.Postgres).Include(42).Include("posts").ToSql()
			return err
		}, []string{"cannot include a int"}},
		{"no dialect", func() error {
			_, _, err := joinery.Query[User](s, nil).ToSql()
			return err
		}, []string{"no dialect"}},
		{"per-include limit on a belongsTo", func() error {
			_, _, err := joinery.Query[Post](s, dialects.Postgres).Include(include.New("author").Limit(1)).ToSql()
			return err
		}, []string{`include "author"`, "applies to HasMany, HasOne and BelongsToMany includes", "is a BelongsTo"}},
		{"empty path segment", func() error {
			_, _, err := joinery.Query[User](s, dialects.Postgres).Include("posts..tags").ToSql()
			return err
		}, []string{"empty segment"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	_, _, err := joinery.Query[User](s, dialects.Postgres).Include("post").ToSql()
	if !errors.Is(err, builder.ErrInclude) {
		t.Fatalf("want builder.ErrInclude, got %v", err)
	}
}

// Values are never spliced into SQL text: hostile strings travel as arguments.
func TestValuesAreBindArguments(t *testing.T) {
	s := blogSchema(t)
	evil := `x' OR '1'='1' -- ? $1`
	for _, d := range allDialects {
		sqlText, args, err := joinery.Query[User](s, d).Where(sq.Eq{"name": evil}).
			Include(include.New("posts").Where(sq.Like{"title": evil})).ToSql()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sqlText, "OR '1'") || len(args) < 2 {
			t.Fatalf("%s: %s %v", d.Name(), sqlText, args)
		}
		for _, a := range args {
			if a != evil {
				t.Fatalf("%s: argument %v", d.Name(), a)
			}
		}
		if d == dialects.Postgres && (!strings.Contains(sqlText, "$1") || !strings.Contains(sqlText, "$2")) {
			t.Fatalf("placeholders not numbered: %s", sqlText)
		}
	}
	tdb := openDBs(t, "unused")[0]
	seedBlog(t, tdb.db)
	users, err := joinery.Query[User](s, dialects.SQLite).Where(sq.Eq{"name": evil}).All(context.Background(), tdb.db)
	if err != nil || len(users) != 0 {
		t.Fatalf("%v %v", users, err)
	}
}

func TestMidStreamErrorAndScanError(t *testing.T) {
	s := blogSchema(t)
	q := joinery.Query[User](s, dialects.Postgres).Include("posts").Shape(joinery.ShapeFlat)
	p, err := q.Plan()
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("connection reset")
	db, mock := newMock(t)
	rows := sqlmock.NewRows(p.Map.Columns()).
		AddRow(1, "alice", nil, 10, 1, "hello", true).
		AddRow(1, "alice", nil, 11, 1, "draft", false).
		RowError(1, boom)
	mock.ExpectQuery(p.SQL).WillReturnRows(rows).RowsWillBeClosed()
	if _, err := q.All(context.Background(), db); !errors.Is(err, boom) {
		t.Fatalf("want the row error, got %v", err)
	}

	db2, mock2 := newMock(t)
	rows2 := sqlmock.NewRows(p.Map.Columns()).AddRow(1, "alice", nil, "ten", 1, "hello", true)
	mock2.ExpectQuery(p.SQL).WillReturnRows(rows2).RowsWillBeClosed()
	_, err = q.All(context.Background(), db2)
	var se *hydrate.ScanError
	if !errors.As(err, &se) || se.Column != "c3" || se.Field != "User.Posts[].ID" {
		t.Fatalf("want a ScanError for c3 into User.Posts[].ID, got %v", err)
	}
}

func TestExplain(t *testing.T) {
	s := blogSchema(t)
	p, err := joinery.Query[User](s, dialects.Postgres).Include("posts.tags").Plan()
	if err != nil {
		t.Fatal(err)
	}
	ex := p.Explain()
	for _, want := range []string{"t0   (root)", "t1   Posts ", "t2   Posts.Tags.@through", "post_tags", "t3   Posts.Tags ", "c3   t1.id = Posts.id"} {
		if !strings.Contains(ex, want) {
			t.Fatalf("Explain lacks %q:\n%s", want, ex)
		}
	}
	// and why the shape was chosen, for each reason
	q := joinery.Query[User](s, dialects.Postgres)
	lite := joinery.Query[User](s, dialects.SQLite) // (no array parameters)
	noWindows := mysql57()
	for _, c := range []struct {
		q     joinery.Q[User]
		pipe  bool
		shape joinery.Shape
		why   string
	}{
		{q, false, joinery.ShapeFlat, "why: no includes that load rows"},
		{q.Include("profile"), false, joinery.ShapeUnion, "why: the tree has includes: one branch per include"},
		{q.Include("posts"), true, joinery.ShapeLevels, "why: the tree has includes, the driver pipelines statements (PlanPipelined) and the database takes array parameters"},
		{q.Include("posts").Limit(10), true, joinery.ShapeLevels, "statement 2: branch 1, argument 1 = the distinct c0 (id) of statement 1's rows, round trip 2"},
		{lite.Include("posts"), true, joinery.ShapePipeline, "why: the tree has includes and the driver pipelines statements"},
		{lite.Include("posts").Limit(10), true, joinery.ShapeUnion, "why: the tree has includes; the roots are a small page"},
		{lite.Include("posts").LimitParam("n"), true, joinery.ShapeUnion, "the roots are a small page (a Limit of at most 1,000, or a parameter)"},
		{q.Include("posts").Where(sq.Eq{"posts.title": "x"}), false, joinery.ShapeFlat, "why: the UNION ALL of branches cannot express this query: the root filter names an included column"},
		{q.Include("posts").Shape(joinery.ShapeFlat), false, joinery.ShapeFlat, "why: asked for (Shape)"},
		{joinery.Query[User](s, noWindows).Include(include.New("posts").Order("id")), false, joinery.ShapeFlat, "why: the UNION ALL of branches cannot express this query: ordered branches carry ROW_NUMBER() ordinals, and the dialect has no window functions"},
	} {
		plan := c.q.Plan
		if c.pipe {
			plan = c.q.PlanPipelined
		}
		p, err := plan()
		if err != nil {
			t.Fatal(err)
		}
		if ex := p.Explain(); p.Shape != c.shape || !strings.Contains(ex, c.why) {
			t.Errorf("shape %s, want %s; Explain lacks %q:\n%s", p.Shape, c.shape, c.why, ex)
		}
	}
	p, _ = q.Include("posts").PlanEach()
	if !strings.Contains(p.Explain(), "why: streaming (Each, Iter)") {
		t.Errorf("PlanEach's Explain:\n%s", p.Explain())
	}
}

// The same pair linked twice keeps both links in the map form too, each with its own
// join-table columns (Sequelize collapses them).
func TestJoinRowsTwiceMapForm(t *testing.T) {
	s := include.NewSchema(include.WithNaming(include.CamelCase))
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.DefineMap("Customer", "p_customers", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name", Type: include.String}}))
	must(s.DefineMap("Product", "p_products", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name", Type: include.String}}))
	must(s.DefineMap("Purchase", "p_purchases", []include.Attr{{Name: "id", Type: include.Int}, {Name: "customerId", Column: "customer_id", Type: include.Int},
		{Name: "productId", Column: "product_id", Type: include.Int}, {Name: "quantity", Type: include.Int}}))
	must(s.BelongsToMany("Customer", "Product", include.ThroughModel("Purchase"), include.NonUnique(), include.As("products")))
	want := `[{"id":1,"name":"ann","products":[` +
		`{"id":1,"name":"widget","Purchase":{"id":1,"customerId":1,"productId":1,"quantity":1}},` +
		`{"id":1,"name":"widget","Purchase":{"id":2,"customerId":1,"productId":1,"quantity":3}},` +
		`{"id":2,"name":"gadget","Purchase":{"id":3,"customerId":1,"productId":2,"quantity":2}}]},` +
		`{"id":2,"name":"ben","products":[]}]`
	for _, tdb := range openDBs(t, "joinery_root_purchases") {
		t.Run(tdb.name, func(t *testing.T) {
			suites[1].seed(t, tdb.db)
			got, err := joinery.QueryMap(s, tdb.dialect, "Customer").Include("products").
				OrderBy("id", "products.@through.id").All(context.Background(), tdb.db)
			if err != nil {
				t.Fatal(err)
			}
			assertJSON(t, got, want)
		})
	}
}

// A query value compiles once; a changed copy compiles anew.
func TestPlanIsCachedPerQueryValue(t *testing.T) {
	s := blogSchema(t)
	q := joinery.Query[User](s, dialects.Postgres).Include("posts.comments")
	a, err := q.Plan()
	if err != nil {
		t.Fatal(err)
	}
	// each call hands out a copy of the one compiled plan: the text is the same string
	same := func(x, y *builder.Plan) bool { return unsafe.StringData(x.SQL) == unsafe.StringData(y.SQL) }
	b, _ := q.Plan()
	if a == b || !same(a, b) {
		t.Fatal("the same query value compiled twice, or handed out its cached plan itself")
	}
	c, _ := q.OrderBy("name").Plan()
	if same(c, a) || c.SQL == a.SQL {
		t.Fatal("a changed copy reused its base's plan")
	}
	if d, _ := q.Plan(); !same(d, a) {
		t.Fatal("forking changed the base's plan")
	}
}

// A plan handed out is the caller's: writing into every part of it changes neither what the
// query runs nor the plans handed out after it.
func TestPlanCannotBeCorrupted(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()
	for _, tdb := range openDBs(t, "jr_plan_protect") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion} {
				q := joinery.Query[User](s, tdb.dialect).Where(sq.Gt{"id": 0}).Include("posts.comments").OrderBy("id").Shape(shape)
				want, err := q.All(ctx, tdb.db)
				if err != nil {
					t.Fatal(err)
				}
				p, err := q.Plan()
				if err != nil {
					t.Fatal(err)
				}
				orig := p.Clone()
				// write into everything the plan exposes
				for i := range p.Args {
					p.Args[i] = int64(-1)
				}
				for i := range p.Columns {
					p.Columns[i].Alias = "zz"
				}
				for i := range p.Tables {
					p.Tables[i].Table = "nope"
				}
				var walk func(n *hydrate.Node)
				walk = func(n *hydrate.Node) {
					n.Field = "Nope"
					for i := range n.Cols {
						n.Cols[i].Column, n.Cols[i].Field = "zz", "zz"
					}
					for i := range n.Key {
						n.Key[i] = 99
					}
					for _, c := range n.Children {
						walk(c)
					}
					n.Children = nil
				}
				walk(p.Map.Root)
				p.Map.Branch = "zz"
				got, err := q.All(ctx, tdb.db)
				if err != nil {
					t.Fatalf("%v after writing into a plan: %v", shape, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%v: writing into a handed-out plan changed the result:\n%+v\nwant %+v", shape, got, want)
				}
				again, err := q.Plan()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(again.Args, orig.Args) || !reflect.DeepEqual(again.Columns, orig.Columns) ||
					!reflect.DeepEqual(again.Tables, orig.Tables) || again.Map.Branch != orig.Map.Branch ||
					len(again.Map.Root.Children) != len(orig.Map.Root.Children) {
					t.Fatalf("%v: the next plan handed out carries the writes", shape)
				}
				// and the copy folds as the plan was compiled
				rows, err := tdb.db.QueryContext(ctx, again.SQL, again.Args...)
				if err != nil {
					t.Fatal(err)
				}
				folded, err := hydrate.All[User](rows, again.Map)
				if err != nil || !reflect.DeepEqual(folded, want) {
					t.Fatalf("%v: folding with the handed-out map: %v\n%+v", shape, err, folded)
				}
			}
		})
	}
}

// Under a root limit on PostgreSQL, a small page links its branches by = ANY(ARRAY(..)) (index
// probes) and holds the roots' columns, which the root's branch reads (one sort of the
// roots); a large page links by IN (SELECT ..) (a hashed semi-join) and holds only keys and
// link columns, the root's branch reading the limited scan itself.
func TestPageLinkSpelling(t *testing.T) {
	s := blogSchema(t)
	for _, c := range []struct {
		limit              uint64
		link, page, branch string
		notWant            string
	}{
		{10, `"t1"."user_id" = ANY(ARRAY(SELECT "jr_p"."id" FROM "jr_p"))`,
			`WITH "jr_p" AS MATERIALIZED (SELECT "t0"."id", "t0"."name", "t0"."email" FROM "users" AS "t0" ORDER BY`,
			`ROW_NUMBER() OVER (ORDER BY "t0"."name", "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6" FROM "jr_p" AS "t0" UNION ALL`,
			`IN (SELECT "jr_p"`},
		{5000, `"t1"."user_id" IN (SELECT "jr_p"."id" FROM "jr_p")`,
			`WITH "jr_p" AS MATERIALIZED (SELECT "t0"."id" FROM "users" AS "t0" ORDER BY`,
			`ROW_NUMBER() OVER (ORDER BY "t0"."name", "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6" FROM (SELECT "t0"."id", "t0"."name", "t0"."email" FROM "users" AS "t0" ORDER BY "t0"."name", "t0"."id" LIMIT $2) AS "t0"`,
			`= ANY(ARRAY(`},
	} {
		sql, _, err := joinery.Query[User](s, dialects.Postgres).Include("posts").OrderBy("name").Limit(c.limit).ToSql()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{c.link, c.page, c.branch} {
			if !strings.Contains(sql, want) {
				t.Errorf("limit %d: want %s in\n%s", c.limit, want, sql)
			}
		}
		if strings.Contains(sql, c.notWant) {
			t.Errorf("limit %d: want no %s in\n%s", c.limit, c.notWant, sql)
		}
	}
}

// PlanPipelined (for drivers that pipeline, joinery/pgx) turns the default UNION ALL into
// ShapeLevels where the dialect takes array parameters (PostgreSQL), whatever the page, and
// into ShapePipeline elsewhere; it keeps explicit shapes and trees without includes; it is
// cached per value.
func TestPlanPipelined(t *testing.T) {
	s := blogSchema(t)
	q := joinery.Query[User](s, dialects.Postgres).Include("posts.tags")
	lite := joinery.Query[User](s, dialects.SQLite).Include("posts.tags")
	for _, c := range []struct {
		q    joinery.Q[User]
		want joinery.Shape
	}{
		{q, joinery.ShapeLevels},
		{q.Limit(10), joinery.ShapeLevels},
		{lite, joinery.ShapePipeline},
		{q.Shape(joinery.ShapePipeline), joinery.ShapePipeline},
		{q.Shape(joinery.ShapeUnion), joinery.ShapeUnion},
		{q.Shape(joinery.ShapeFlat), joinery.ShapeFlat},
		{joinery.Query[User](s, dialects.Postgres), joinery.ShapeFlat},
	} {
		p, err := c.q.PlanPipelined()
		if err != nil {
			t.Fatal(err)
		}
		if p.Shape != c.want {
			t.Errorf("PlanPipelined shape %s, want %s", p.Shape, c.want)
		}
		if p2, _ := c.q.PlanPipelined(); unsafe.StringData(p2.SQL) != unsafe.StringData(p.SQL) {
			t.Error("PlanPipelined is not cached per query value")
		}
	}
	p, _ := q.PlanPipelined()
	if len(p.Statements) != 3 || p.Statements[2].SQL != `SELECT "t3"."id" AS "c7", "t3"."name" AS "c8", "t2"."added_by" AS "c9", "t2"."post_id" AS "c10" FROM ("post_tags" AS "t2" INNER JOIN "tags" AS "t3" ON "t3"."id" = "t2"."tag_id") WHERE "t2"."post_id" = ANY($1)` {
		t.Fatalf("statements: %+v", p.Statements)
	}
	// the keys of a parent's own rows need no set; a link column's values repeat. (Every
	// user is read again by the posts' semi-join, with the roots: no keys.)
	if p.Statements[1].Keys.From != -1 || !p.Statements[2].Keys.Distinct {
		t.Fatalf("the posts with the roots, keys of the posts' own ids: %+v", p.Statements)
	}
	if pf, err := q.Where(sq.Gt{"id": 0}).PlanPipelined(); err != nil || !pf.Statements[1].Keys.Distinct || pf.Statements[1].Keys.From != 0 {
		t.Fatalf("keys of the users' own ids: %+v %v", pf, err)
	}
	if pa, err := joinery.Query[Post](s, dialects.Postgres).Include("author").PlanPipelined(); err != nil || pa.Statements[1].Keys.Distinct {
		t.Fatalf("keys of the posts' user_id: %+v %v", pa, err)
	}
	p, _ = lite.PlanPipelined()
	if len(p.Statements) != 3 || !strings.HasPrefix(p.Statements[2].SQL, `SELECT "t3"."id" AS "c7", "t3"."name" AS "c8", "t2"."added_by" AS "c9", "t2"."post_id" AS "c10" FROM ("post_tags" AS "t2" INNER JOIN "tags" AS "t3"`) {
		t.Fatalf("statements: %+v", p.Statements)
	}
	if auto, _ := q.Plan(); auto.Shape != joinery.ShapeUnion {
		t.Fatalf("Plan (database/sql) shape %s, want union", auto.Shape)
	}
}

// Over a pipelining driver without array parameters a small page of roots stays one UNION
// ALL statement.
func TestPlanPipelinedSmallPage(t *testing.T) {
	s := blogSchema(t)
	q := joinery.Query[User](s, dialects.SQLite).Include("posts").OrderBy("name")
	for limit, want := range map[uint64]joinery.Shape{10: joinery.ShapeUnion, 1000: joinery.ShapeUnion, 1001: joinery.ShapePipeline} {
		p, err := q.Limit(limit).PlanPipelined()
		if err != nil {
			t.Fatal(err)
		}
		if p.Shape != want {
			t.Errorf("limit %d: %s, want %s", limit, p.Shape, want)
		}
	}
}

// Order terms after the root's primary key cannot change the order of the roots: they order
// only the children (no per-root MIN/MAX subquery), with the results the flat JOIN gives.
func TestOrderTermsAfterRootKeyOrderOnlyChildren(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()
	for _, tdb := range openDBs(t, "jr_order_children") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			for _, c := range []struct {
				order   []string
				perRoot bool // the roots are ordered by a to-many column
			}{
				{[]string{"id", "posts.id DESC", "posts.comments.id"}, false},
				{[]string{"name", "id", "posts.title"}, false},
				{[]string{"posts.id DESC", "id"}, true},
			} {
				base := joinery.Query[User](s, tdb.dialect).Include("posts.comments").OrderBy(c.order...)
				want, err := base.Shape(joinery.ShapeFlat).All(ctx, tdb.db)
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range []joinery.Q[User]{base.Shape(joinery.ShapeUnion), base.Shape(joinery.ShapeUnion).Limit(2), base.Shape(joinery.ShapeFlat).Limit(2)} {
					p, err := q.Plan()
					if err != nil {
						t.Fatal(err)
					}
					if got := strings.Contains(p.SQL, "MIN(") || strings.Contains(p.SQL, "MAX("); got != c.perRoot {
						t.Errorf("%v: per-root subquery %v, want %v:\n%s", c.order, got, c.perRoot, p.Readable())
					}
					got, err := q.All(ctx, tdb.db)
					if err != nil {
						t.Fatal(err)
					}
					w := want
					if strings.Contains(p.SQL, "LIMIT") && len(w) > 2 {
						w = w[:2]
					}
					if !reflect.DeepEqual(got, w) {
						t.Errorf("%v %s: got %+v\nwant %+v", c.order, p.Shape, got, w)
					}
				}
			}
		})
	}
}
