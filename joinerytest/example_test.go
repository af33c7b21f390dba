package joinerytest_test

import (
	"context"
	"fmt"
	"log"
	"reflect"

	"github.com/DATA-DOG/go-sqlmock"
	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/joinerytest"
)

// The models of a small blog.

type User struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Posts []Post
}

type Post struct {
	ID     int64  `db:"id"`
	UserID int64  `db:"user_id"`
	Title  string `db:"title"`
	Tags   []Tag
}

type Tag struct {
	ID      int64   `db:"id"`
	Name    string  `db:"name"`
	AddedBy *string `joinery:"through:added_by"` // a column of the post_tags join table
}

func newSchema() (*include.Schema, error) {
	s := include.NewSchema()
	s.Define(User{}, "users")
	s.Define(Post{}, "posts")
	s.Define(Tag{}, "tags")
	s.HasMany("User", "Post")
	s.BelongsToMany("Post", "Tag", include.Through("post_tags"))
	return s, s.Err() // the first registration error, if any
}

// Store is the data layer under test. Its queries are built once and bound per call, and
// they are fields the package's tests can reach.
type Store struct {
	db         joinery.Querier
	usersNamed joinery.Q[User]
}

func NewStore(db joinery.Querier, s *include.Schema, d dialects.Dialect) *Store {
	return &Store{db: db, usersNamed: joinery.Query[User](s, d).
		Where(sq.Eq{"name": joinery.Param("name")}).
		Include(include.New("posts").Order("id").Include(include.New("tags").ThroughColumns("added_by"))).
		OrderBy("id")}
}

// UsersNamed loads the users called name, each with their posts and each post's tags.
func (st *Store) UsersNamed(ctx context.Context, name string) ([]User, error) {
	return st.usersNamed.Bind(map[string]any{"name": name}).All(ctx, st.db)
}

// A data-layer test: the nested values the database should return are the fixture; the kit
// registers the exact statement the store sends and the rows that fold into them.
func Example() {
	s, err := newSchema()
	if err != nil {
		log.Fatal(err)
	}
	db, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	store := NewStore(db, s, dialects.Postgres)

	ada := "ada"
	want := []User{{ID: 1, Name: "ada", Posts: []Post{
		{ID: 10, UserID: 1, Title: "Notes", Tags: []Tag{{ID: 1, Name: "go", AddedBy: &ada}, {ID: 2, Name: "history"}}},
		{ID: 11, UserID: 1, Title: "Loops", Tags: []Tag{}}, // included, none: an empty list
	}}}
	// the query as the store runs it for "ada"
	q := store.usersNamed.Bind(map[string]any{"name": "ada"})
	if _, err := joinerytest.ExpectAll(mock, q, want); err != nil {
		log.Fatal(err)
	}

	got, err := store.UsersNamed(context.Background(), "ada")
	fmt.Println("error:", err)
	fmt.Println("got what the database returned:", reflect.DeepEqual(got, want))
	fmt.Println("expectations met:", mock.ExpectationsWereMet() == nil)
	// Output:
	// error: <nil>
	// got what the database returned: true
	// expectations met: true
}
