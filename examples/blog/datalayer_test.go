package main

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/joinerytest"
)

// A data layer on the example's models, and its tests both ways: against sqlmock with the
// statements and rows joinerytest derives from the nested result the test wants, and against
// the embedded SQLite database the example runs on.

// dataLayer loads the blog. Its queries are built once, when it is made, and bound per call.
type dataLayer struct {
	db             joinery.Querier
	usersWithPosts joinery.Q[User]
}

func newDataLayer(db joinery.Querier, d dialects.Dialect) (*dataLayer, error) {
	s, err := newSchema()
	if err != nil {
		return nil, err
	}
	return &dataLayer{db: db, usersWithPosts: joinery.Query[User](s, d).
		Include(
			include.New("posts").Where(sq.Eq{"published": joinery.Param("published")}).Order("id").Include(
				include.New("comments").Order("id").Include("author"),
				include.New("tags").Order("name").ThroughColumns("added_by"),
			),
			include.New("projects").Order("name").ThroughColumns("role"),
		).
		OrderBy("name")}, nil
}

// LoadUsersWithPosts loads every user with their posts that are (or are not) published, each
// post's comments with their authors and its tags, and the user's projects.
func (l *dataLayer) LoadUsersWithPosts(ctx context.Context, published bool) ([]User, error) {
	users, err := l.usersWithPosts.Bind(map[string]any{"published": published}).All(ctx, l.db)
	if err != nil {
		return nil, errors.Join(errors.New("load users with posts"), err)
	}
	return users, nil
}

func ptr[T any](v T) *T { return &v }

// wantPublished is what the example's seed holds, published posts only: the fixture of the
// sqlmock test, and what the SQLite test must find.
func wantPublished() []User {
	ada := User{ID: 1, Name: "ada", Email: ptr("ada@example.com")}
	linus := User{ID: 2, Name: "linus", Email: ptr("linus@example.com")}
	grace := User{ID: 3, Name: "grace"}
	// the include selects the join model's role only
	engine := func(role string) Project { return Project{ID: 1, Name: "engine", Membership: UserProject{Role: role}} }
	a, g, l := ada, grace, linus
	a.Posts = []Post{
		{ID: 10, UserID: 1, Title: "Notes on the analytical engine", Published: true,
			Comments: []Comment{
				{ID: 100, PostID: 10, AuthorID: 2, Body: "Where is the source?", Author: &linus},
				{ID: 101, PostID: 10, AuthorID: 3, Body: "Have you tried a compiler?", Author: &grace},
			},
			Tags: []Tag{{ID: 1, Name: "go", AddedBy: ptr("ada")}, {ID: 3, Name: "history"}}},
		{ID: 12, UserID: 1, Title: "Loops, before they were cool", Published: true, Comments: []Comment{},
			Tags: []Tag{{ID: 2, Name: "sql", AddedBy: ptr("grace")}}},
	}
	a.Projects = []Project{engine("owner")}
	g.Posts = []Post{}
	g.Projects = []Project{{ID: 3, Name: "cobol", Membership: UserProject{Role: "owner"}}, engine("member")}
	l.Posts = []Post{{ID: 20, UserID: 2, Title: "Just a hobby, won't be big", Published: true,
		Comments: []Comment{{ID: 102, PostID: 20, AuthorID: 1, Body: "Famous last words.", Author: &ada}},
		Tags:     []Tag{{ID: 1, Name: "go", AddedBy: ptr("linus")}}}}
	l.Projects = []Project{engine("reviewer"), {ID: 2, Name: "kernel", Membership: UserProject{Role: "owner"}}}
	return []User{a, g, l} // by name
}

// The data layer against sqlmock, on every dialect: the exact statement, its bound argument,
// and rows that fold into the fixture.
func TestDataLayerSQLMock(t *testing.T) {
	ctx := context.Background()
	for _, d := range []dialects.Dialect{dialects.Postgres, dialects.MySQL, dialects.SQLite} {
		t.Run(d.Name(), func(t *testing.T) {
			db, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			l, err := newDataLayer(db, d)
			if err != nil {
				t.Fatal(err)
			}
			want := wantPublished()
			exp, err := joinerytest.ExpectAll(mock, l.usersWithPosts.Bind(map[string]any{"published": true}), want)
			if err != nil {
				t.Fatal(err)
			}
			exp.RowsWillBeClosed()
			got, err := l.LoadUsersWithPosts(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
			if err := mock.ExpectationsWereMet(); err != nil {
				t.Fatal(err)
			}

			// a call with the other value sends another argument: the expectation for
			// published posts does not match it
			if _, err := joinerytest.ExpectAll(mock, l.usersWithPosts.Bind(map[string]any{"published": true}), want); err != nil {
				t.Fatal(err)
			}
			if _, err := l.LoadUsersWithPosts(ctx, false); err == nil {
				t.Fatal("drafts were loaded with the expectation for published posts")
			}

			// the database failing: the data layer says what it was doing
			db2, mock2, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			l2, err := newDataLayer(db2, d)
			if err != nil {
				t.Fatal(err)
			}
			down := errors.New("server closed the connection")
			if _, err := joinerytest.ExpectAllError(mock2, l2.usersWithPosts.Bind(map[string]any{"published": true}), down); err != nil {
				t.Fatal(err)
			}
			if _, err := l2.LoadUsersWithPosts(ctx, true); !errors.Is(err, down) || err.Error() != "load users with posts\njoinery: "+down.Error() {
				t.Fatalf("want the load's error, got %v", err)
			}
			if err := mock2.ExpectationsWereMet(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The same data layer on the embedded SQLite database the example seeds: it finds what the
// sqlmock test's fixture says, and what it finds, used as a fixture, replays through sqlmock.
func TestDataLayerSQLite(t *testing.T) {
	ctx := context.Background()
	db, d, err := open("sqlite", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := setup(ctx, db); err != nil {
		t.Fatal(err)
	}
	l, err := newDataLayer(db, d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := l.LoadUsersWithPosts(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := wantPublished(); !reflect.DeepEqual(got, want) {
		t.Fatalf("SQLite returned %+v\nthe sqlmock test expects %+v", got, want)
	}
	drafts, err := l.LoadUsersWithPosts(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(drafts) != 3 || len(drafts[0].Posts) != 1 || drafts[0].Posts[0].Title != "Half-finished thoughts" {
		t.Fatalf("drafts: %+v", drafts)
	}

	// both results, as fixtures, come back through sqlmock in every shape
	for published, fixture := range map[bool][]User{true: got, false: drafts} {
		for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapePipeline} {
			mdb, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
			if err != nil {
				t.Fatal(err)
			}
			ml, err := newDataLayer(mdb, d)
			if err != nil {
				t.Fatal(err)
			}
			ml.usersWithPosts = ml.usersWithPosts.Shape(shape)
			if _, err := joinerytest.ExpectAll(mock, ml.usersWithPosts.Bind(map[string]any{"published": published}), fixture); err != nil {
				t.Fatal(err)
			}
			replayed, err := ml.LoadUsersWithPosts(ctx, published)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(replayed, fixture) {
				t.Fatalf("%s: replayed %+v\nwant %+v", shape, replayed, fixture)
			}
			if err := mock.ExpectationsWereMet(); err != nil {
				t.Fatal(err)
			}
			mdb.Close()
		}
	}
}
