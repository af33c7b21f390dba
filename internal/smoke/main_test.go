package smoke

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"

	sq "github.com/Masterminds/squirrel"
	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	_ "modernc.org/sqlite"
)

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
	Author *User
}
type Tag struct {
	ID      int64   `db:"id"`
	Name    string  `db:"name"`
	AddedBy *string `joinery:"through:added_by"`
}

func TestSmoke(t *testing.T) {
	s := include.NewSchema()
	must := func(_ any, err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Define(User{}, "users"))
	must(s.Define(Post{}, "posts"))
	must(s.Define(Tag{}, "tags"))
	must(s.HasMany("User", "Post"))
	must(s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id")))
	must(s.BelongsToMany("Post", "Tag", include.Through("post_tags")))
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT NOT NULL);
CREATE TABLE tags(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE post_tags(post_id INTEGER, tag_id INTEGER, added_by TEXT);
INSERT INTO users VALUES (1,'alice'),(2,'bob'),(3,'carol');
INSERT INTO posts VALUES (10,1,'hello'),(11,1,'again'),(12,2,'bobs');
INSERT INTO tags VALUES (100,'go'),(101,'sql');
INSERT INTO post_tags VALUES (10,100,'x'),(10,101,NULL),(12,100,'y');`)
	if err != nil {
		t.Fatal(err)
	}
	q := joinery.Query[User](s, dialects.SQLite).Include("posts.tags", include.New("posts.author")).
		Where(sq.NotEq{"name": "zed"}).OrderBy("name", "posts.id")
	p, err := q.Plan()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(p.SQL, p.Args)
	t.Log("\n" + p.Explain())
	users, err := q.All(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(users, "", " ")
	t.Log(string(b))
	pg, pa, _ := joinery.Query[User](s, dialects.Postgres).Include(include.New("posts").Required().Where(sq.Eq{"title": []string{"a", "b"}}).Include("tags")).Where(sq.Eq{"id": 1}).ToSql()
	t.Log(pg, pa)
}
