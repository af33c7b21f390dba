package write_test

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

type exUser struct {
	ID    int64    `db:"id"`
	Name  string   `db:"name"`
	Posts []exPost `joinery:"posts"`
}

type exPost struct {
	ID     int64   `db:"id"`
	UserID int64   `db:"user_id"`
	Title  string  `db:"title"`
	Tags   []exTag `joinery:"tags"`
}

type exTag struct {
	ID      int64   `db:"id"`
	Name    string  `db:"name"`
	AddedBy *string `joinery:"through:added_by"`
}

func exSchema() *include.Schema {
	s := include.NewSchema()
	s.Define(exUser{}, "users")
	s.Define(exPost{}, "posts")
	s.Define(exTag{}, "tags")
	s.HasMany("exUser", "exPost", include.As("posts"), include.ForeignKey("user_id"))
	s.BelongsToMany("exPost", "exTag", include.As("tags"), include.Through("post_tags"),
		include.ForeignKey("post_id"), include.OtherKey("tag_id"))
	return s
}

// The statements of a belongsToMany remove, without a database.
func ExampleOp_Statements() {
	w := write.New(exSchema(), dialects.Postgres)
	sts, err := w.Assoc("exPost", "tags").Remove(write.Key(int64(1)), write.Key(int64(2)), write.Key(int64(3))).Statements()
	if err != nil {
		panic(err)
	}
	for _, st := range sts {
		fmt.Println(st.SQL, st.Args)
	}
	// Output:
	// DELETE FROM "post_tags" WHERE "post_tags"."post_id" = $1 AND "post_tags"."tag_id" IN ($2, $3) [1 2 3]
}

// A nested create on SQLite: one INSERT per table and level, generated keys flowing down
// and written back.
func ExampleWriter_Create() {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, ddl := range []string{
		`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)`,
		`CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT)`,
		`CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT)`,
		`CREATE TABLE post_tags (post_id INTEGER, tag_id INTEGER, added_by TEXT, PRIMARY KEY (post_id, tag_id))`,
	} {
		if _, err := db.Exec(ddl); err != nil {
			panic(err)
		}
	}
	ann := "ann"
	users := []exUser{
		{Name: "ann", Posts: []exPost{{Title: "hello", Tags: []exTag{{Name: "go", AddedBy: &ann}, {Name: "sql"}}}}},
		{Name: "ben", Posts: []exPost{{Title: "hi"}}},
	}
	w := write.New(exSchema(), dialects.SQLite)
	res, err := w.Create(&users, "posts.tags").Exec(context.Background(), db)
	if err != nil {
		panic(err)
	}
	for _, st := range res.Statements {
		fmt.Println(st.SQL, st.Args)
	}
	fmt.Println(users[1].ID, users[1].Posts[0].ID, users[1].Posts[0].UserID, users[0].Posts[0].Tags[1].ID)
	// Output:
	// INSERT INTO "users" ("name") VALUES (?), (?) RETURNING "id" [ann ben]
	// INSERT INTO "posts" ("user_id", "title") VALUES (?, ?), (?, ?) RETURNING "id" [1 hello 2 hi]
	// INSERT INTO "tags" ("name") VALUES (?), (?) RETURNING "id" [go sql]
	// INSERT INTO "post_tags" ("post_id", "tag_id", "added_by") VALUES (?, ?, ?), (?, ?, ?) [1 1 ann 1 2 <nil>]
	// 2 2 2 2
}
