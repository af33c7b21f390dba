package write_test

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/testdbs"
)

// isolate names the PostgreSQL schema and MySQL database the write tests work in.
const isolate = "joinery_writes"

type testDB struct {
	name    string
	dialect dialects.Dialect
	db      *sql.DB
}

// openDBs opens SQLite always, PostgreSQL and MySQL/MariaDB when JOINERY_PG_DSN /
// JOINERY_MYSQL_DSN are set; one that is asked for and unreachable fails the test.
func openDBs(t *testing.T) []testDB {
	t.Helper()
	var out []testDB
	// immediate transactions and a busy timeout: concurrent writers wait instead of failing
	for _, d := range testdbs.Open(t, isolate, testdbs.Options{
		SQLite:      "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_txlock=immediate",
		MySQLCreate: "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
	}) {
		out = append(out, testDB{d.Name, d.Dialect, d.DB})
	}
	return out
}

func mustExec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	testdbs.Exec(t, db, stmts...)
}

type User struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	Projects  []Project `joinery:"projects"`
	Posts     []Post    `joinery:"posts"`
	Profile   *Profile  `joinery:"profile"`
	Purchases []Product `joinery:"purchases"`
}

type Project struct {
	ID         int64       `db:"id"`
	Name       string      `db:"name"`
	Membership UserProject `joinery:"through"`
}

type UserProject struct {
	UserID    int64   `db:"user_id"`
	ProjectID int64   `db:"project_id"`
	Role      *string `db:"role"`
}

type Post struct {
	ID       int64     `db:"id"`
	UserID   *int64    `db:"user_id"`
	Title    string    `db:"title"`
	Author   *User     `joinery:"author"`
	Tags     []Tag     `joinery:"tags"`
	Comments []Comment `joinery:"comments"`
}

type Video struct {
	ID       int64     `db:"id"`
	Title    string    `db:"title"`
	Tags     []Tag     `joinery:"tags"`
	Comments []Comment `joinery:"comments"`
}

type Comment struct {
	ID            int64  `db:"id"`
	Commentable   string `db:"commentable"`
	CommentableID *int64 `db:"commentable_id"`
	Body          string `db:"body"`
}

type Tag struct {
	ID      int64   `db:"id"`
	Name    string  `db:"name"`
	AddedBy *string `joinery:"through:added_by"`
}

type ItemTag struct {
	ID         int64   `db:"id"`
	TagID      int64   `db:"tag_id"`
	Taggable   string  `db:"taggable"`
	TaggableID int64   `db:"taggable_id"`
	AddedBy    *string `db:"added_by"`
}

type Profile struct {
	ID     int64  `db:"id"`
	UserID *int64 `db:"user_id"`
	Bio    string `db:"bio"`
}

type Product struct {
	ID       int64    `db:"id"`
	Name     string   `db:"name"`
	Purchase Purchase `joinery:"through"`
}

type Purchase struct {
	ID        int64 `db:"id"`
	UserID    int64 `db:"user_id"`
	ProductID int64 `db:"product_id"`
	Quantity  int64 `db:"quantity"`
}

func schema(t testing.TB) *include.Schema {
	t.Helper()
	s := include.NewSchema()
	s.Define(User{}, "users")
	s.Define(Project{}, "projects")
	s.Define(UserProject{}, "user_projects", include.PrimaryKey("user_id", "project_id"))
	s.Define(Post{}, "posts")
	s.Define(Video{}, "videos")
	s.Define(Comment{}, "comments")
	s.Define(Tag{}, "tags")
	s.Define(ItemTag{}, "item_tags")
	s.Define(Profile{}, "profiles")
	s.Define(Product{}, "products")
	s.Define(Purchase{}, "purchases")
	s.BelongsToMany("User", "Project", include.As("projects"), include.ThroughModel("UserProject"))
	s.HasMany("User", "Post", include.As("posts"))
	s.HasOne("User", "Profile", include.As("profile"), include.ForeignKey("user_id"))
	s.BelongsToMany("User", "Product", include.As("purchases"), include.ThroughModel("Purchase"), include.NonUnique())
	s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id"))
	s.BelongsToMany("Post", "Tag", include.As("tags"), include.ThroughModel("ItemTag"),
		include.ForeignKey("taggable_id"), include.OtherKey("tag_id"), include.Polymorphic("taggable", "post"))
	s.BelongsToMany("Video", "Tag", include.As("tags"), include.ThroughModel("ItemTag"),
		include.ForeignKey("taggable_id"), include.OtherKey("tag_id"), include.Polymorphic("taggable", "video"))
	s.HasMany("Post", "Comment", include.As("comments"), include.ForeignKey("commentable_id"), include.Polymorphic("commentable", "post"))
	s.HasMany("Video", "Comment", include.As("comments"), include.ForeignKey("commentable_id"), include.Polymorphic("commentable", "video"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// ddl creates the fixture's tables; {{serial}} is the dialect's generated integer key.
var ddl = []string{
	`CREATE TABLE users (id {{serial}}, name VARCHAR(100) NOT NULL)`,
	`CREATE TABLE projects (id {{serial}}, name VARCHAR(100) NOT NULL)`,
	`CREATE TABLE user_projects (user_id INTEGER NOT NULL REFERENCES users(id), project_id INTEGER NOT NULL REFERENCES projects(id), role VARCHAR(50), PRIMARY KEY (user_id, project_id))`,
	`CREATE TABLE posts (id {{serial}}, user_id INTEGER REFERENCES users(id), title VARCHAR(100) NOT NULL)`,
	`CREATE TABLE videos (id {{serial}}, title VARCHAR(100) NOT NULL)`,
	`CREATE TABLE comments (id {{serial}}, commentable VARCHAR(20) NOT NULL, commentable_id INTEGER, body VARCHAR(100) NOT NULL)`,
	`CREATE TABLE tags (id {{serial}}, name VARCHAR(100) NOT NULL CHECK (name <> ''))`,
	`CREATE TABLE item_tags (id {{serial}}, tag_id INTEGER NOT NULL REFERENCES tags(id), taggable VARCHAR(20) NOT NULL, taggable_id INTEGER NOT NULL, added_by VARCHAR(50))`,
	`CREATE TABLE profiles (id {{serial}}, user_id INTEGER REFERENCES users(id), bio VARCHAR(100) NOT NULL)`,
	`CREATE TABLE products (id {{serial}}, name VARCHAR(100) NOT NULL)`,
	`CREATE TABLE purchases (id {{serial}}, user_id INTEGER NOT NULL REFERENCES users(id), product_id INTEGER NOT NULL REFERENCES products(id), quantity INTEGER NOT NULL)`,
}

var tables = []string{"users", "projects", "user_projects", "posts", "videos", "comments", "tags", "item_tags", "profiles", "products", "purchases"}

var data = []string{
	`INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'ben'), (3, 'cid')`,
	`INSERT INTO projects (id, name) VALUES (1, 'apollo'), (2, 'gemini'), (3, 'mercury'), (4, 'skylab')`,
	`INSERT INTO user_projects (user_id, project_id, role) VALUES (1, 1, 'lead'), (1, 2, 'dev'), (2, 1, 'qa')`,
	`INSERT INTO posts (id, user_id, title) VALUES (1, 1, 'p1'), (2, 1, 'p2'), (3, 2, 'p3'), (4, NULL, 'p4')`,
	`INSERT INTO videos (id, title) VALUES (1, 'v1'), (2, 'v2')`,
	`INSERT INTO comments (id, commentable, commentable_id, body) VALUES (1, 'post', 1, 'c1'), (2, 'video', 1, 'c2'), (3, 'post', 2, 'c3')`,
	`INSERT INTO tags (id, name) VALUES (1, 'news'), (2, 'howto'), (3, 'fun')`,
	`INSERT INTO item_tags (id, tag_id, taggable, taggable_id) VALUES (1, 1, 'post', 1), (2, 1, 'video', 1)`,
	`INSERT INTO profiles (id, user_id, bio) VALUES (1, 1, 'ann bio')`,
	`INSERT INTO products (id, name) VALUES (1, 'pear'), (2, 'plum')`,
	`INSERT INTO purchases (id, user_id, product_id, quantity) VALUES (1, 1, 1, 2)`,
}

// seed recreates the fixture on tdb and moves every sequence past the rows inserted.
func seed(t testing.TB, tdb testDB) {
	t.Helper()
	for i := len(tables) - 1; i >= 0; i-- {
		stmt := "DROP TABLE IF EXISTS " + tables[i]
		if tdb.name == "postgres" {
			stmt += " CASCADE"
		}
		mustExec(t, tdb.db, stmt)
	}
	serial := map[string]string{"sqlite": "INTEGER PRIMARY KEY", "postgres": "SERIAL PRIMARY KEY", "mysql": "INTEGER AUTO_INCREMENT PRIMARY KEY"}[tdb.name]
	for _, s := range ddl {
		mustExec(t, tdb.db, strings.ReplaceAll(s, "{{serial}}", serial))
	}
	mustExec(t, tdb.db, "CREATE UNIQUE INDEX item_tags_link ON item_tags (tag_id, taggable, taggable_id)")
	mustExec(t, tdb.db, data...)
	if tdb.name == "postgres" {
		for _, tb := range tables {
			if tb == "user_projects" {
				continue
			}
			mustExec(t, tdb.db, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM %s), false)`, tb, tb))
		}
	}
}

// dump returns a table's rows as text, sorted, for comparing contents.
func dump(t testing.TB, db *sql.DB, table string) []string {
	t.Helper()
	return dumpQuery(t, db, "SELECT * FROM "+table)
}

func dumpQuery(t testing.TB, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if b, ok := v.(bool); ok {
				v = map[bool]int{false: 0, true: 1}[b]
			}
			if v == nil {
				v = "NULL"
			}
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func wantTable(t *testing.T, tdb testDB, table string, want ...string) {
	t.Helper()
	got := dump(t, tdb.db, table)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: table %s:\n got %q\nwant %q", tdb.name, table, got, want)
	}
}

func wantRows(t *testing.T, tdb testDB, query string, want ...string) {
	t.Helper()
	got := dumpQuery(t, tdb.db, query)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: %s:\n got %q\nwant %q", tdb.name, query, got, want)
	}
}
