package joinery_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/joinerytest"
)

// The test kit's property: for every scenario of the corpus, in every shape and dialect, the
// scenario's wanted result used as the fixture, registered with joinerytest and run through
// sqlmock, comes back equal (as JSON) with every expectation met: All over a *sql.DB (the
// driver connection), All over database/sql's rows, One, Each and Count. And the same for
// random fixtures of the blog schema, and for map models.

var kitShapes = []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline}

// kitQuery is a scenario's query with the kit's checks, whatever its root type.
type kitQuery interface {
	kitCheck(t *testing.T, want string, tally *kitTally)
}

// kitTally counts the cases that ran.
type kitTally struct {
	mu     sync.Mutex
	counts map[string]int
}

func (k *kitTally) add(what string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.counts == nil {
		k.counts = map[string]int{}
	}
	k.counts[what]++
}

func (k *kitTally) String() string {
	var names []string
	for n := range k.counts {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s=%d ", n, k.counts[n])
	}
	return b.String()
}

// sqlPath is a Querier that is not a *sql.DB: joinery reads database/sql's rows through it
// instead of the driver connection.
type sqlPath struct{ db *sql.DB }

func (s sqlPath) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, query, args...)
}

func newKitMock(t *testing.T) (*sql.DB, sqlmock.Sqlmock) {
	t.Helper()
	db, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, mock
}

func met(t *testing.T, mock sqlmock.Sqlmock) {
	t.Helper()
	if err := mock.ExpectationsWereMet(); err != nil {
		t.Fatal(err)
	}
}

// cannotExpress reports a shape the builder refuses for the tree.
func cannotExpress(err error) bool { return errors.Is(err, builder.ErrShape) }

func (w wrap[T]) kitCheck(t *testing.T, want string, tally *kitTally) {
	ctx := context.Background()
	q := w.Q
	var fixture []T
	if err := json.Unmarshal([]byte(want), &fixture); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Plan(); cannotExpress(err) {
		tally.add("shape-not-expressible")
		return
	} else if err != nil {
		t.Fatal(err)
	}

	// All over the *sql.DB: the driver connection
	db, mock := newKitMock(t)
	if _, err := joinerytest.ExpectAll(mock, q, fixture); err != nil {
		t.Fatal(err)
	}
	got, err := q.All(ctx, db)
	if err != nil {
		t.Fatalf("All (driver connection): %v", err)
	}
	assertJSON(t, got, want)
	met(t, mock)
	tally.add("all-driver")

	// All over database/sql's rows, rows closed
	db, mock = newKitMock(t)
	exp, err := joinerytest.ExpectAll(mock, q, fixture)
	if err != nil {
		t.Fatal(err)
	}
	exp.RowsWillBeClosed()
	got, err = q.All(ctx, sqlPath{db})
	if err != nil {
		t.Fatalf("All (database/sql): %v", err)
	}
	assertJSON(t, got, want)
	met(t, mock)
	tally.add("all-database/sql")

	// One
	if len(fixture) > 0 {
		db, mock = newKitMock(t)
		if _, err := joinerytest.ExpectOne(mock, q, fixture[0]); err != nil {
			t.Fatal(err)
		}
		one, err := q.One(ctx, db)
		if err != nil {
			t.Fatalf("One: %v", err)
		}
		assertJSON(t, one, jsonString(t, fixture[0]))
		met(t, mock)
		tally.add("one")
	}

	// Each and Iter: the streamed statement
	db, mock = newKitMock(t)
	if _, err := joinerytest.ExpectEach(mock, q, fixture); err != nil {
		// the kit refuses exactly what Each refuses
		eerr := q.Each(ctx, db, func(T) error { return nil })
		if eerr == nil || eerr.Error() != err.Error() {
			t.Fatalf("the kit refused Each (%v), Each returned %v", err, eerr)
		}
		met(t, mock)
		tally.add("each-refused-alike")
	} else {
		var each []T
		if err := q.Each(ctx, db, func(v T) error { each = append(each, v); return nil }); err != nil {
			t.Fatalf("Each: %v", err)
		}
		assertJSON(t, each, want)
		met(t, mock)
		if _, err := joinerytest.ExpectEach(mock, q, fixture); err != nil {
			t.Fatal(err)
		}
		var iter []T
		for v, err := range q.Iter(ctx, sqlPath{db}) {
			if err != nil {
				t.Fatalf("Iter: %v", err)
			}
			iter = append(iter, v)
		}
		assertJSON(t, iter, want)
		met(t, mock)
		tally.add("each+iter")
	}

	// Count
	db, mock = newKitMock(t)
	n := int64(len(fixture) + 7)
	if _, err := joinerytest.ExpectCount(mock, q, n); err != nil {
		t.Fatal(err)
	}
	if c, err := q.Count(ctx, db); err != nil || c != n {
		t.Fatalf("Count: %d, %v; want %d", c, err, n)
	}
	met(t, mock)
	tally.add("count")
}

// TestKitScenarios runs the kit's property over the scenario corpus (the blog scenarios, the
// paging scenarios and the scopes scenarios) in every shape and dialect.
func TestKitScenarios(t *testing.T) {
	var tally kitTally
	cases := 0
	for _, su := range suites {
		s := su.schema(t)
		for _, sc := range su.scenarios {
			for _, shape := range kitShapes {
				for _, d := range allDialects {
					t.Run(fmt.Sprintf("%s/%s/%s/%s", su.name, sc.name, shape, d.Name()), func(t *testing.T) {
						kq, ok := sc.build(s, d).shape(shape).(kitQuery)
						if !ok {
							t.Fatalf("scenario query %T has no kit check", sc.build(s, d))
						}
						kq.kitCheck(t, sc.want, &tally)
					})
					cases++
				}
			}
		}
	}
	t.Logf("%d scenario x shape x dialect cases: %s", cases, &tally)
	if tally.counts["all-driver"] < len(suites[0].scenarios)*len(allDialects)*2 {
		t.Fatalf("too few cases ran: %s", &tally)
	}
}

// TestKitRowsAreTheDatabases compares the kit's rows for a scenario's wanted result with the
// rows SQLite returns for the scenario's statement, where the statement selects no column
// the result leaves out (those the kit makes up): the same rows, as a multiset, in the flat
// and the UNION ALL shapes (ordinals aside: the kit numbers a branch in the fixture's order,
// the database in the statement's).
func TestKitRowsAreTheDatabases(t *testing.T) {
	compared := 0
	for _, su := range suites {
		s := su.schema(t)
		fixture := openDBs(t, "unused")[0]
		su.seed(t, fixture.db)
		for _, sc := range su.scenarios {
			for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion} {
				qq := sc.build(s, dialects.SQLite).shape(shape)
				p, err := qq.Plan()
				if cannotExpress(err) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if !allReported(p) {
					continue
				}
				t.Run(sc.name+"/"+shape.String(), func(t *testing.T) {
					cols, dbRows := captureRows(t, fixture.db, p.SQL, p.Args)
					kitRows := qq.(kitRowser).kitRows(t, sc.want)
					if strings.Join(cols, ",") != strings.Join(kitRows.Columns, ",") {
						t.Fatalf("columns: database %v, kit %v", cols, kitRows.Columns)
					}
					ord := -1
					if p.Map.Ordinal != "" {
						ord = 1
					}
					a, b := rowSet(dbRows, ord), rowSet(kitRows.Rows, ord)
					if !reflect.DeepEqual(a, b) {
						t.Fatalf("rows differ\ndatabase: %v\n     kit: %v", a, b)
					}
					compared++
				})
			}
		}
	}
	if compared < 20 {
		t.Fatalf("only %d statements compared", compared)
	}
	t.Logf("%d statements: the kit's rows are the database's", compared)
}

type kitRowser interface {
	kitRows(t *testing.T, want string) joinerytest.Statement
}

func (w wrap[T]) kitRows(t *testing.T, want string) joinerytest.Statement {
	var fixture []T
	if err := json.Unmarshal([]byte(want), &fixture); err != nil {
		t.Fatal(err)
	}
	sts, err := joinerytest.AllStatements(w.Q, fixture)
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 1 {
		t.Fatalf("%d statements", len(sts))
	}
	return sts[0]
}

// allReported: every column of the plan lands in the result.
func allReported(p *builder.Plan) bool {
	for _, c := range p.Columns {
		if !c.Reported {
			return false
		}
	}
	return true
}

// rowSet prints rows sorted, values normalized (SQLite sends booleans as integers), the
// column skip left out.
func rowSet[V any](rows [][]V, skip int) []string {
	var out []string
	for _, r := range rows {
		var parts []string
		for i, v := range r {
			if i == skip {
				continue
			}
			switch x := any(v).(type) {
			case bool:
				if x {
					v = any(int64(1)).(V)
				} else {
					v = any(int64(0)).(V)
				}
			case []byte:
				v = any(string(x)).(V)
			}
			parts = append(parts, fmt.Sprintf("%#v", v))
		}
		out = append(out, strings.Join(parts, "|"))
	}
	sort.Strings(out)
	return out
}

// TestKitMapModels runs the property for map models: the fixture is what SQLite returns for
// the query, decoded from JSON (numbers as float64, as a JSON API's fixtures are).
func TestKitMapModels(t *testing.T) {
	s := include.NewSchema(include.WithNaming(include.CamelCase))
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.DefineMap("User", "users", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name", Type: include.String}, {Name: "email"}}))
	must(s.DefineMap("Post", "posts", []include.Attr{{Name: "id", Type: include.Int}, {Name: "userId", Column: "user_id", Type: include.Int},
		{Name: "title", Type: include.String}, {Name: "published", Type: include.Bool}}))
	must(s.DefineMap("Comment", "comments", []include.Attr{{Name: "id"}, {Name: "postId", Column: "post_id"},
		{Name: "authorId", Column: "author_id", Type: include.Int}, {Name: "body"}}))
	must(s.DefineMap("Tag", "tags", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}}))
	must(s.DefineMap("PostTag", "post_tags", []include.Attr{{Name: "postId", Column: "post_id", Type: include.Int},
		{Name: "tagId", Column: "tag_id", Type: include.Int}, {Name: "addedBy", Column: "added_by"}}, include.PrimaryKey("postId", "tagId")))
	must(s.HasMany("User", "Post", include.As("posts")))
	must(s.HasMany("Post", "Comment", include.As("comments")))
	must(s.BelongsTo("Comment", "User", include.As("author"), include.ForeignKey("authorId")))
	must(s.BelongsToMany("Post", "Tag", include.ThroughModel("PostTag"), include.As("tags")))
	must(s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("userId")))

	queries := map[string]func(d dialects.Dialect) joinery.Q[map[string]any]{
		"posts.comments.author+tags": func(d dialects.Dialect) joinery.Q[map[string]any] {
			return joinery.QueryMap(s, d, "User").Include("posts.comments.author", include.New("posts.tags").ThroughColumns("addedBy")).
				OrderBy("id", "posts.id", "posts.comments.id", "posts.tags.id")
		},
		"posts.author, columns subset": func(d dialects.Dialect) joinery.Q[map[string]any] {
			return joinery.QueryMap(s, d, "User").Columns("name").Include(include.New("posts").Columns("title").Include("author")).
				OrderBy("id", "posts.id")
		},
		"bound params": func(d dialects.Dialect) joinery.Q[map[string]any] {
			return joinery.QueryMap(s, d, "Post").Where(sq.Eq{"published": joinery.Param("pub")}).
				Include(include.New("tags").Where(sq.Eq{"name": joinery.Param("tag")})).OrderBy("id").
				Bind(map[string]any{"pub": true, "tag": "go"})
		},
	}
	lite := openDBs(t, "unused")[0]
	seedBlog(t, lite.db)
	ctx := context.Background()
	cases := 0
	for name, build := range queries {
		res, err := build(dialects.SQLite).All(ctx, lite.db)
		if err != nil {
			t.Fatal(name, err)
		}
		want := jsonString(t, res)
		for _, shape := range kitShapes {
			for _, d := range allDialects {
				t.Run(fmt.Sprintf("%s/%s/%s", name, shape, d.Name()), func(t *testing.T) {
					q := build(d).Shape(shape)
					if _, err := q.Plan(); cannotExpress(err) {
						return
					}
					var fixture []map[string]any
					if err := json.Unmarshal([]byte(want), &fixture); err != nil {
						t.Fatal(err)
					}
					for _, viaDriver := range []bool{true, false} {
						db, mock := newKitMock(t)
						var run joinery.Querier = db
						if !viaDriver {
							run = sqlPath{db}
						}
						if _, err := joinerytest.ExpectAll(mock, q, fixture); err != nil {
							t.Fatal(err)
						}
						got, err := q.All(ctx, run)
						if err != nil {
							t.Fatal(err)
						}
						assertJSON(t, got, want)
						met(t, mock)
					}
					cases++
				})
			}
		}
	}
	if cases < 30 {
		t.Fatalf("only %d cases ran", cases)
	}
}

// TestKitRandomFixtures: random users, posts, comments with their authors, tags with a
// join-table column, profiles, projects with their join model and invoices (linked by email),
// under a random include tree, in random order, in every shape and dialect: expect, run,
// equal.
func TestKitRandomFixtures(t *testing.T) {
	s := blogSchema(t)
	rng := rand.New(rand.NewSource(20240612))
	ctx := context.Background()
	runs := 0
	for iter := 0; iter < 100; iter++ {
		inc := randomIncludes(rng)
		users := randomUsers(rng, inc)
		want := jsonString(t, users)
		base := inc.query(s, dialects.Postgres)
		for _, shape := range kitShapes {
			for _, d := range allDialects {
				q := inc.query(s, d).Shape(shape)
				if _, err := q.Plan(); cannotExpress(err) {
					continue
				}
				db, mock := newKitMock(t)
				if _, err := joinerytest.ExpectAll(mock, q, users); err != nil {
					t.Fatalf("iteration %d (%s, %s, %v): %v\nfixture %s", iter, shape, d.Name(), inc, err, want)
				}
				got, err := q.All(ctx, db)
				if err != nil {
					t.Fatalf("iteration %d (%s, %s, %v): %v", iter, shape, d.Name(), inc, err)
				}
				if g := jsonString(t, got); g != want {
					t.Fatalf("iteration %d (%s, %s, %v):\n got %s\nwant %s", iter, shape, d.Name(), inc, g, want)
				}
				met(t, mock)
				runs++
			}
		}
		// Each, over database/sql's rows
		db, mock := newKitMock(t)
		if _, err := joinerytest.ExpectEach(mock, base, users); err != nil {
			t.Fatal(err)
		}
		var each []User
		if err := base.Each(ctx, db, func(u User) error { each = append(each, u); return nil }); err != nil {
			t.Fatal(err)
		}
		if g := jsonString(t, each); g != want && !(len(users) == 0 && g == "null") {
			t.Fatalf("Each, iteration %d (%v):\n got %s\nwant %s", iter, inc, g, want)
		}
		met(t, mock)
	}
	t.Logf("%d random fixtures expected and folded back", runs)
}

// includes is a random include tree of the blog schema.
type includes struct {
	posts, comments, author, tags, addedBy, profile, projects, invoices bool
	// rootName: the root selects its name only (Columns("name")): its key and email are
	// selected for identity and joining, and left out of the result
	rootName bool
}

func (in includes) String() string {
	type plain includes // (no String method)
	return fmt.Sprintf("%+v", plain(in))
}

func randomIncludes(rng *rand.Rand) includes {
	in := includes{posts: rng.Intn(4) > 0, profile: rng.Intn(2) == 0, projects: rng.Intn(2) == 0, invoices: rng.Intn(3) == 0,
		rootName: rng.Intn(4) == 0}
	if in.posts {
		in.comments = rng.Intn(3) > 0
		in.author = in.comments && rng.Intn(2) == 0
		in.tags = rng.Intn(2) == 0
		in.addedBy = in.tags && rng.Intn(2) == 0
	}
	return in
}

func (in includes) query(s *include.Schema, d dialects.Dialect) joinery.Q[User] {
	q := joinery.Query[User](s, d).Include(in.nodes()...)
	if in.rootName {
		q = q.Columns("name")
	}
	return q
}

func (in includes) nodes() []any {
	var out []any
	if in.posts {
		p := include.New("posts")
		var kids []any
		if in.comments {
			c := include.New("comments")
			if in.author {
				c = c.Include("author")
			}
			kids = append(kids, c)
		}
		if in.tags {
			tg := include.New("tags")
			if in.addedBy {
				tg = tg.ThroughColumns("added_by")
			}
			kids = append(kids, tg)
		}
		out = append(out, p.Include(kids...))
	}
	if in.profile {
		out = append(out, "profile")
	}
	if in.projects {
		out = append(out, "projects")
	}
	if in.invoices {
		out = append(out, "invoices")
	}
	return out
}

// randomUsers makes a consistent fixture for the tree: children carry their parents' keys,
// a comment's author is one of the users (as stored, without includes), a tag or project has
// one name wherever it appears.
func randomUsers(rng *rand.Rand, in includes) []User {
	word := func() string {
		const letters = "abcdefghij"
		b := make([]byte, 1+rng.Intn(6))
		for i := range b {
			b[i] = letters[rng.Intn(len(letters))]
		}
		return string(b)
	}
	ids := rng.Perm(50)
	nextID := 100
	id := func() int64 { nextID += 1 + rng.Intn(3); return int64(nextID) }
	var pool []User
	for i := 0; i < 1+rng.Intn(5); i++ {
		u := User{ID: int64(ids[i] + 1), Name: word()}
		if rng.Intn(3) > 0 {
			e := fmt.Sprintf("%s%d@example.com", word(), u.ID)
			u.Email = &e
		}
		pool = append(pool, u)
	}
	type named struct {
		id   int64
		name string
	}
	var tags, projects []named
	for i := 0; i < 4; i++ {
		tags = append(tags, named{int64(i + 1), word()})
		projects = append(projects, named{int64(i + 1), word()})
	}
	users := make([]User, rng.Intn(len(pool)+1))
	for i := range users {
		u := pool[i]
		if in.posts {
			u.Posts = []Post{}
			for j := 0; j < rng.Intn(4); j++ {
				p := Post{ID: id(), UserID: u.ID, Title: word(), Published: rng.Intn(2) == 0}
				if in.comments {
					for k := 0; k < rng.Intn(4); k++ {
						a := pool[rng.Intn(len(pool))]
						c := Comment{ID: id(), PostID: p.ID, AuthorID: a.ID, Body: word()}
						if in.author {
							c.Author = &a
						}
						p.Comments = append(p.Comments, c)
					}
				}
				if in.tags {
					for _, k := range rng.Perm(len(tags))[:rng.Intn(len(tags)+1)] {
						tg := Tag{ID: tags[k].id, Name: tags[k].name}
						if in.addedBy && rng.Intn(3) > 0 {
							by := word()
							tg.AddedBy = &by
						}
						p.Tags = append(p.Tags, tg)
					}
				}
				u.Posts = append(u.Posts, p)
			}
		}
		if in.profile && rng.Intn(2) == 0 {
			u.Profile = &Profile{ID: id(), UserID: u.ID, Bio: word()}
		}
		if in.projects {
			for _, k := range rng.Perm(len(projects))[:rng.Intn(len(projects)+1)] {
				u.Projects = append(u.Projects, Project{ID: projects[k].id, Name: projects[k].name,
					Membership: UserProject{UserID: u.ID, ProjectID: projects[k].id, Role: word()}})
			}
		}
		if in.invoices && u.Email != nil {
			for k := 0; k < rng.Intn(3); k++ {
				u.Invoices = append(u.Invoices, Invoice{ID: id(), UserEmail: *u.Email, Amount: float64(rng.Intn(1000)) / 4})
			}
		}
		if in.rootName {
			u.ID, u.Email = 0, nil // (its children keep the values they link by)
		}
		users[i] = u
	}
	return users
}

// TestKitRefusesImpossibleFixtures: a fixture no database could return through the query is
// an error naming what is wrong, not rows that fold into something else.
func TestKitRefusesImpossibleFixtures(t *testing.T) {
	s := blogSchema(t)
	q := joinery.Query[User](s, dialects.Postgres).Include("posts")
	for _, c := range []struct {
		name  string
		users []User
		want  string
	}{
		{"child under the wrong parent", []User{{ID: 1, Posts: []Post{{ID: 10, UserID: 2}}}}, "[0].Posts[0] user_id is 2, but it links to [0] id, which is 1"},
		{"two siblings with one key", []User{{ID: 1, Posts: []Post{{ID: 10, UserID: 1}, {ID: 10, UserID: 1}}}}, "[0].Posts[0] and [0].Posts[1] have the same key (id = 10)"},
		{"two roots with one key", []User{{ID: 1}, {ID: 1}}, "[0] and [1] have the same key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, mock := newKitMock(t)
			_, err := joinerytest.ExpectAll(mock, q, c.users)
			if !errors.Is(err, joinerytest.ErrFixture) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an ErrFixture saying %q, got %v", c.want, err)
			}
			met(t, mock) // nothing registered
		})
	}
}
