package joinery_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"

	sq "github.com/Masterminds/squirrel"
	_ "modernc.org/sqlite"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

type exUser struct {
	ID    int64    `db:"id" json:"id"`
	Name  string   `db:"name" json:"name"`
	Posts []exPost `json:"posts"`
}

type exPost struct {
	ID     int64   `db:"id" json:"id"`
	UserID int64   `db:"user_id" json:"-"`
	Title  string  `db:"title" json:"title"`
	Tags   []exTag `json:"tags"`
}

type exTag struct {
	ID      int64  `db:"id" json:"id"`
	Name    string `db:"name" json:"name"`
	AddedBy string `joinery:"through:added_by" json:"added_by"`
}

func exSchema() *include.Schema {
	s := include.NewSchema()
	s.Define(exUser{}, "users", include.Name("User"))
	s.Define(exPost{}, "posts", include.Name("Post"))
	s.Define(exTag{}, "tags", include.Name("Tag"))
	s.HasMany("User", "Post", include.As("posts"))
	s.BelongsToMany("Post", "Tag", include.As("tags"), include.Through("post_tags"))
	return s
}

func exDB() *sql.DB {
	db, _ := sql.Open("sqlite", ":memory:")
	db.SetMaxOpenConns(1)
	for _, stmt := range []string{
		`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title TEXT NOT NULL)`,
		`CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE TABLE post_tags (post_id INTEGER, tag_id INTEGER, added_by TEXT)`,
		`INSERT INTO users VALUES (1, 'alice'), (2, 'bob')`,
		`INSERT INTO posts VALUES (10, 1, 'hello'), (11, 1, 'again')`,
		`INSERT INTO tags VALUES (1, 'go')`,
		`INSERT INTO post_tags VALUES (10, 1, 'alice'), (11, 1, 'bob')`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			panic(err)
		}
	}
	return db
}

// Load users with their posts and each post's tags, with a column of the join table, in one
// statement.
func ExampleQ_All() {
	db := exDB()
	defer db.Close()
	users, err := joinery.Query[exUser](exSchema(), dialects.SQLite).
		Include(include.New("posts").Order("id").Include(include.New("tags").ThroughColumns("added_by"))).
		OrderBy("name").
		All(context.Background(), db)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(users)
	fmt.Println(string(out))
	// Output:
	// [{"id":1,"name":"alice","posts":[{"id":10,"title":"hello","tags":[{"id":1,"name":"go","added_by":"alice"}]},{"id":11,"title":"again","tags":[{"id":1,"name":"go","added_by":"bob"}]}]},{"id":2,"name":"bob","posts":[]}]
}

// The statement a query compiles to: filters on an include go in its JOIN's ON clause, every
// value is a bind argument.
func ExampleQ_ToSql() {
	sqlText, args, err := joinery.Query[exUser](exSchema(), dialects.Postgres).
		Where(sq.Eq{"name": "alice"}).
		Include(include.New("posts").Where(sq.Like{"title": "h%"})).
		Shape(joinery.ShapeFlat).
		ToSql()
	fmt.Println(sqlText, args, err)
	// Output:
	// SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t1"."id" AS "c2", "t1"."user_id" AS "c3", "t1"."title" AS "c4" FROM "users" AS "t0" LEFT JOIN "posts" AS "t1" ON "t1"."user_id" = "t0"."id" AND "t1"."title" LIKE $1 WHERE "t0"."name" = $2 [h% alice] <nil>
}

// Limit counts roots, not rows: the roots are limited in a subquery and their posts joined
// outside it. Count counts the roots of the whole result.
func ExampleQ_Limit() {
	db := exDB()
	defer db.Close()
	q := joinery.Query[exUser](exSchema(), dialects.SQLite).Include("posts").OrderBy("name")
	page, _ := q.Limit(1).All(context.Background(), db)
	total, _ := q.Count(context.Background(), db)
	fmt.Println(page[0].Name, len(page[0].Posts), total)
	// Output:
	// alice 2 2
}

// Registration errors say what to change.
func Example_registrationError() {
	s := include.NewSchema()
	s.Define(exUser{}, "users", include.Name("User"))
	s.Define(exPost{}, "posts", include.Name("Post"))
	_, err := s.BelongsTo("Post", "User", include.As("author"))
	fmt.Fprintln(os.Stdout, err)
	// Output:
	// include: bad definition: BelongsTo(Post, User) as "author": foreign key "author_id" is not a column of Post (table posts; columns: id, user_id, title): add a field tagged `db:"author_id"` to exPost, or pass include.ForeignKey(...) with the right column
}
