// Command blog is a runnable tour of joinery: it creates a small blog database, seeds it, loads
// users with their published posts, each post's comments and their authors, each post's tags
// (with a column of the post_tags join table) and each user's projects (with the role stored
// on the user_projects join model) in ONE statement, and prints the statement, its
// arguments, its alias map and the nested result as JSON.
//
//	go run ./examples/blog                       # embedded SQLite, in memory: no set-up
//	go run ./examples/blog -dsn 'postgres://postgres@127.0.0.1:5432/blog?sslmode=disable'
//	go run ./examples/blog -dsn 'user:pass@tcp(127.0.0.1:3306)/blog?parseTime=true'
//
// WARNING: against PostgreSQL or MySQL/MariaDB the program DROPS and recreates the tables
// users, posts, comments, tags, post_tags, projects and user_projects in the database (and,
// for PostgreSQL, the schema on the search_path) that the DSN names. Point it at a scratch
// database.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/go-sql-driver/mysql"
	_ "github.com/lib/pq"  // driver "postgres"
	_ "modernc.org/sqlite" // driver "sqlite" (pure Go)

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// The models. Columns are the db-tagged fields (sqlx semantics); association fields are the
// slices and pointers of other models. The json tags only shape the printed output.
//
// To-many lists use omitzero (Go 1.24+): a list that was loaded is printed even when it is
// empty ("posts": [], joinery hydrates an included to-many with no rows as an empty, non-nil
// slice), while a list that was not included (nil) is left out, such as a comment author's
// posts. Built with an older Go, omitzero is ignored and such lists print as null.

// User has many posts and belongs to many projects through user_projects.
type User struct {
	ID       int64     `db:"id" json:"id"`
	Name     string    `db:"name" json:"name"`
	Email    *string   `db:"email" json:"email,omitempty"`
	Posts    []Post    `json:"posts,omitzero"`
	Projects []Project `json:"projects,omitzero"`
}

// Post belongs to a user, has many comments and belongs to many tags through post_tags.
type Post struct {
	ID        int64     `db:"id" json:"id"`
	UserID    int64     `db:"user_id" json:"user_id"`
	Title     string    `db:"title" json:"title"`
	Published bool      `db:"published" json:"published"`
	Comments  []Comment `json:"comments,omitzero"`
	Tags      []Tag     `json:"tags,omitzero"`
}

// Comment belongs to a post and to its author, a User.
type Comment struct {
	ID       int64  `db:"id" json:"id"`
	PostID   int64  `db:"post_id" json:"post_id"`
	AuthorID int64  `db:"author_id" json:"author_id"`
	Body     string `db:"body" json:"body"`
	Author   *User  `json:"author,omitempty"`
}

// Tag is linked to posts by the post_tags join table, which has no model of its own; AddedBy
// receives its added_by column when the include asks for it (ThroughColumns("added_by")).
type Tag struct {
	ID      int64   `db:"id" json:"id"`
	Name    string  `db:"name" json:"name"`
	AddedBy *string `joinery:"through:added_by" json:"added_by,omitempty"`
}

// Project is linked to users by the UserProject join model; Membership receives the join
// row's columns (only role here: the include selects ThroughColumns("role")).
type Project struct {
	ID         int64       `db:"id" json:"id"`
	Name       string      `db:"name" json:"name"`
	Membership UserProject `joinery:"through" json:"membership"`
}

// UserProject is the join model of User <-> Project, with a composite primary key.
type UserProject struct {
	UserID    int64  `db:"user_id" json:"user_id,omitempty"`
	ProjectID int64  `db:"project_id" json:"project_id,omitempty"`
	Role      string `db:"role" json:"role"`
}

// newSchema registers the models and their associations, Sequelize style.
func newSchema() (*include.Schema, error) {
	s := include.NewSchema()
	steps := []func() error{
		func() error { _, err := s.Define(User{}, "users"); return err },
		func() error { _, err := s.Define(Post{}, "posts"); return err },
		func() error { _, err := s.Define(Comment{}, "comments"); return err },
		func() error { _, err := s.Define(Tag{}, "tags"); return err },
		func() error { _, err := s.Define(Project{}, "projects"); return err },
		func() error {
			_, err := s.Define(UserProject{}, "user_projects", include.PrimaryKey("user_id", "project_id"))
			return err
		},
		// users.id <- posts.user_id
		func() error { _, err := s.HasMany("User", "Post"); return err },
		// posts.id <- comments.post_id
		func() error { _, err := s.HasMany("Post", "Comment"); return err },
		// comments.author_id -> users.id, loaded as "author"
		func() error { _, err := s.BelongsTo("Comment", "User", include.As("author")); return err },
		// posts.id <- post_tags.post_id, post_tags.tag_id -> tags.id
		func() error { _, err := s.BelongsToMany("Post", "Tag", include.Through("post_tags")); return err },
		// users.id <- user_projects.user_id, user_projects.project_id -> projects.id
		func() error {
			_, err := s.BelongsToMany("User", "Project", include.ThroughModel("UserProject"))
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// tables in creation order; dropped in reverse.
var tables = []string{"users", "posts", "comments", "tags", "post_tags", "projects", "user_projects"}

// ddl is portable: it runs unchanged on SQLite, PostgreSQL and MySQL/MariaDB, one statement
// at a time (so MySQL needs no multiStatements).
var ddl = []string{
	`CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, email VARCHAR(255) NULL)`,
	`CREATE TABLE posts (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, title VARCHAR(255) NOT NULL, published BOOLEAN NOT NULL)`,
	`CREATE INDEX posts_user_id ON posts (user_id)`,
	`CREATE TABLE comments (id BIGINT PRIMARY KEY, post_id BIGINT NOT NULL, author_id BIGINT NOT NULL, body VARCHAR(255) NOT NULL)`,
	`CREATE INDEX comments_post_id ON comments (post_id)`,
	`CREATE TABLE tags (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL)`,
	`CREATE TABLE post_tags (post_id BIGINT NOT NULL, tag_id BIGINT NOT NULL, added_by VARCHAR(255) NULL, PRIMARY KEY (post_id, tag_id))`,
	`CREATE TABLE projects (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL)`,
	`CREATE TABLE user_projects (user_id BIGINT NOT NULL, project_id BIGINT NOT NULL, role VARCHAR(255) NOT NULL, PRIMARY KEY (user_id, project_id))`,
}

// seed: ada has a published post with comments, a published post without comments and a
// draft; linus has one published post; grace has no posts. The tag "go" is on two posts.
var seed = []string{
	`INSERT INTO users (id, name, email) VALUES (1, 'ada', 'ada@example.com'), (2, 'linus', 'linus@example.com'), (3, 'grace', NULL)`,
	`INSERT INTO posts (id, user_id, title, published) VALUES
		(10, 1, 'Notes on the analytical engine', TRUE),
		(11, 1, 'Half-finished thoughts', FALSE),
		(12, 1, 'Loops, before they were cool', TRUE),
		(20, 2, 'Just a hobby, won''t be big', TRUE)`,
	`INSERT INTO comments (id, post_id, author_id, body) VALUES
		(100, 10, 2, 'Where is the source?'),
		(101, 10, 3, 'Have you tried a compiler?'),
		(102, 20, 1, 'Famous last words.')`,
	`INSERT INTO tags (id, name) VALUES (1, 'go'), (2, 'sql'), (3, 'history')`,
	`INSERT INTO post_tags (post_id, tag_id, added_by) VALUES (10, 1, 'ada'), (10, 3, NULL), (12, 2, 'grace'), (20, 1, 'linus')`,
	`INSERT INTO projects (id, name) VALUES (1, 'engine'), (2, 'kernel'), (3, 'cobol')`,
	`INSERT INTO user_projects (user_id, project_id, role) VALUES (1, 1, 'owner'), (2, 2, 'owner'), (2, 1, 'reviewer'), (3, 3, 'owner'), (3, 1, 'member')`,
}

// inferDriver picks the driver for a DSN when -driver is not given: SQLite without a DSN,
// PostgreSQL for a postgres:// or postgresql:// URL, MySQL/MariaDB otherwise.
func inferDriver(driver, dsn string) string {
	if driver != "" {
		return driver
	}
	switch {
	case dsn == "":
		return "sqlite"
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return "postgres"
	default:
		return "mysql"
	}
}

// open opens the database and returns it with joinery's dialect for it.
func open(driver, dsn string) (*sql.DB, dialects.Dialect, error) {
	var d dialects.Dialect
	switch driver {
	case "sqlite":
		d = dialects.SQLite
		if dsn == "" {
			dsn = ":memory:"
		}
	case "postgres":
		d = dialects.Postgres
	case "mysql":
		d = dialects.MySQL
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			return nil, nil, fmt.Errorf("mysql DSN: %w", err)
		}
		cfg.ParseTime = true // scan DATETIME/TIMESTAMP into time.Time
		dsn = cfg.FormatDSN()
	default:
		return nil, nil, fmt.Errorf("unknown driver %q: use sqlite, postgres or mysql", driver)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, nil, err
	}
	if driver == "sqlite" {
		// Every connection to ":memory:" is a database of its own: keep exactly one.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	return db, d, nil
}

// setup drops (if they exist) and creates the tables, then seeds them.
func setup(ctx context.Context, db *sql.DB) error {
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+tables[i]); err != nil {
			return fmt.Errorf("drop %s: %w", tables[i], err)
		}
	}
	for _, stmt := range append(append([]string(nil), ddl...), seed...) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%w\n  in: %s", err, stmt)
		}
	}
	return nil
}

// run is the whole program: open, set up, query, print to w.
func run(ctx context.Context, w io.Writer, driver, dsn string) error {
	driver = inferDriver(driver, dsn)
	db, d, err := open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to %s: %w", driver, err)
	}
	if err := setup(ctx, db); err != nil {
		return fmt.Errorf("set up the blog tables: %w", err)
	}
	schema, err := newSchema()
	if err != nil {
		return err
	}

	// Users by name, each with their published posts (by id), each post's comments (by id)
	// with the comment's author and the post's tags with who added them, and each user's
	// projects with the user's role in it.
	q := joinery.Query[User](schema, d).
		Include(
			include.New("posts").Where(sq.Eq{"published": true}).Order("id").Include(
				include.New("comments").Order("id").Include("author"),
				include.New("tags").Order("name").ThroughColumns("added_by"),
			),
			include.New("projects").Order("name").ThroughColumns("role"),
		).
		OrderBy("name")

	p, err := q.Plan()
	if err != nil {
		return err
	}
	users, err := q.All(ctx, db)
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "== joinery blog example (%s) ==\n", d.Name())
	fmt.Fprintln(w, "users -> posts (published, by id) -> comments (by id) -> author")
	fmt.Fprintln(w, "      -> posts.tags (+ post_tags.added_by), projects (+ user_projects.role); users by name")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "-- the data the program inserted")
	for _, stmt := range seed {
		fmt.Fprintln(w, stmt)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "-- SQL (Plan.Readable, a clause per line. Plan.SQL is the same statement on one line)")
	fmt.Fprintln(w, p.Readable())
	fmt.Fprintln(w)
	fmt.Fprintln(w, "-- args")
	for i, a := range p.Args {
		fmt.Fprintf(w, "%d: %#v\n", i+1, a)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "-- aliases")
	fmt.Fprint(w, p.Explain())
	fmt.Fprintln(w)
	fmt.Fprintf(w, "-- result (%d users)\n", len(users))
	out, err := json.MarshalIndent(users, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}

func main() {
	driver := flag.String("driver", "", `database/sql driver: "sqlite", "postgres" or "mysql" (default: inferred from -dsn; sqlite in memory without one)`)
	dsn := flag.String("dsn", "", "data source name; for postgres or mysql the program DROPS and recreates its tables (users, posts, comments, tags, post_tags, projects, user_projects)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, *driver, *dsn); err != nil {
		fmt.Fprintln(os.Stderr, "blog:", err)
		os.Exit(1)
	}
}
