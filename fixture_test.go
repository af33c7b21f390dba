package joinery_test

import (
	"testing"

	"github.com/joinery/joinery/include"
)

// The fixture: a blog with every association kind and option.

type User struct {
	ID    int64   `db:"id"`
	Name  string  `db:"name"`
	Email *string `db:"email"`
	// (a value computed by the queries that ask for it: include.Count("posts").As("post_count"))
	PostCount int64     `joinery:"computed:post_count" json:",omitempty"`
	Posts     []Post    `json:",omitempty"`
	Profile   *Profile  `json:",omitempty"`
	Projects  []Project `json:",omitempty"`
	Invoices  []Invoice `json:",omitempty"`
}

type Profile struct {
	ID     int64  `db:"id"`
	UserID int64  `db:"user_id"`
	Bio    string `db:"bio"`
}

type Post struct {
	ID           int64     `db:"id"`
	UserID       int64     `db:"user_id"`
	Title        string    `db:"title"`
	Published    bool      `db:"published"`
	CommentCount int64     `joinery:"computed:comment_count" json:",omitempty"`
	Author       *User     `json:",omitempty"`
	Comments     []Comment `json:",omitempty"`
	Tags         []Tag     `json:",omitempty"`
}

type Comment struct {
	ID       int64  `db:"id"`
	PostID   int64  `db:"post_id"`
	AuthorID int64  `db:"author_id"`
	Body     string `db:"body"`
	Author   *User  `json:",omitempty"`
}

type Tag struct {
	ID      int64   `db:"id"`
	Name    string  `db:"name"`
	AddedBy *string `joinery:"through:added_by" json:",omitempty"`
}

type Project struct {
	ID         int64       `db:"id"`
	Name       string      `db:"name"`
	Membership UserProject `joinery:"through"`
}

type UserProject struct {
	UserID    int64    `db:"user_id"`
	ProjectID int64    `db:"project_id"`
	Role      string   `db:"role"`
	Project   *Project `json:",omitempty"`
	User      *User    `json:",omitempty"`
}

type Person struct {
	ID       int64    `db:"id"`
	Name     string   `db:"name"`
	Children []Person `json:",omitempty"`
	Parents  []Person `json:",omitempty"`
}

type Team struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

type Game struct {
	ID         int64 `db:"id"`
	HomeTeamID int64 `db:"home_team_id"`
	AwayTeamID int64 `db:"away_team_id"`
	HomeTeam   *Team `json:",omitempty"`
	AwayTeam   *Team `json:",omitempty"`
}

type Invoice struct {
	ID        int64   `db:"id"`
	UserEmail string  `db:"user_email"`
	Amount    float64 `db:"amount"`
	Customer  *User   `json:",omitempty"`
}

func blogSchema(t testing.TB, opts ...include.SchemaOption) *include.Schema {
	t.Helper()
	s := include.NewSchema(opts...)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Define(User{}, "users"))
	must(s.Define(Profile{}, "profiles"))
	must(s.Define(Post{}, "posts"))
	must(s.Define(Comment{}, "comments"))
	must(s.Define(Tag{}, "tags"))
	must(s.Define(Project{}, "projects"))
	must(s.Define(UserProject{}, "user_projects", include.PrimaryKey("user_id", "project_id")))
	must(s.Define(Person{}, "people"))
	must(s.Define(Team{}, "teams"))
	must(s.Define(Game{}, "games"))
	must(s.Define(Invoice{}, "invoices"))

	must(s.HasMany("User", "Post"))
	must(s.HasOne("User", "Profile"))
	must(s.BelongsToMany("User", "Project", include.ThroughModel("UserProject")))
	must(s.HasMany("User", "Invoice", include.SourceKey("email"), include.ForeignKey("user_email")))
	must(s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id")))
	must(s.HasMany("Post", "Comment"))
	must(s.BelongsToMany("Post", "Tag", include.Through("post_tags")))
	must(s.BelongsTo("Comment", "User", include.As("author")))
	must(s.BelongsTo("UserProject", "Project"))
	must(s.BelongsTo("UserProject", "User"))
	must(s.BelongsToMany("Person", "Person", include.As("children"), include.Through("person_children"),
		include.ForeignKey("parent_id"), include.OtherKey("child_id")))
	must(s.BelongsToMany("Person", "Person", include.As("parents"), include.Through("person_children"),
		include.ForeignKey("child_id"), include.OtherKey("parent_id")))
	must(s.BelongsTo("Game", "Team", include.As("homeTeam")))
	must(s.BelongsTo("Game", "Team", include.As("awayTeam")))
	must(s.BelongsTo("Invoice", "User", include.As("customer"), include.TargetKey("email"), include.ForeignKey("user_email")))
	return s
}

// blogDDL works unchanged on SQLite, PostgreSQL and MySQL/MariaDB.
var blogDDL = []string{
	`CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, email VARCHAR(255) NULL UNIQUE)`,
	`CREATE TABLE profiles (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, bio VARCHAR(255) NOT NULL)`,
	`CREATE TABLE posts (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, title VARCHAR(255) NOT NULL, published BOOLEAN NOT NULL)`,
	`CREATE INDEX posts_user_id ON posts (user_id)`,
	`CREATE TABLE comments (id BIGINT PRIMARY KEY, post_id BIGINT NOT NULL, author_id BIGINT NOT NULL, body VARCHAR(255) NOT NULL)`,
	`CREATE TABLE tags (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL)`,
	`CREATE TABLE post_tags (post_id BIGINT NOT NULL, tag_id BIGINT NOT NULL, added_by VARCHAR(255) NULL, PRIMARY KEY (post_id, tag_id))`,
	`CREATE TABLE projects (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL)`,
	`CREATE TABLE user_projects (user_id BIGINT NOT NULL, project_id BIGINT NOT NULL, role VARCHAR(255) NOT NULL, PRIMARY KEY (user_id, project_id))`,
	`CREATE TABLE people (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL)`,
	`CREATE TABLE person_children (parent_id BIGINT NOT NULL, child_id BIGINT NOT NULL, PRIMARY KEY (parent_id, child_id))`,
	`CREATE TABLE teams (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL)`,
	`CREATE TABLE games (id BIGINT PRIMARY KEY, home_team_id BIGINT NOT NULL, away_team_id BIGINT NOT NULL)`,
	`CREATE TABLE invoices (id BIGINT PRIMARY KEY, user_email VARCHAR(255) NOT NULL, amount DOUBLE PRECISION NOT NULL)`,
}

var blogTables = []string{"users", "profiles", "posts", "comments", "tags", "post_tags", "projects",
	"user_projects", "people", "person_children", "teams", "games", "invoices"}

var blogData = []string{
	`INSERT INTO users (id, name, email) VALUES (1, 'alice', 'a@example.com'), (2, 'bob', 'b@example.com'), (3, 'carol', NULL)`,
	`INSERT INTO profiles (id, user_id, bio) VALUES (1, 1, 'likes go')`,
	`INSERT INTO posts (id, user_id, title, published) VALUES (10, 1, 'hello', TRUE), (11, 1, 'draft', FALSE), (12, 2, 'bobs post', TRUE)`,
	`INSERT INTO comments (id, post_id, author_id, body) VALUES (100, 10, 2, 'nice'), (101, 10, 3, 'meh'), (102, 12, 1, 'ok')`,
	`INSERT INTO tags (id, name) VALUES (1, 'go'), (2, 'sql'), (3, 'misc')`,
	`INSERT INTO post_tags (post_id, tag_id, added_by) VALUES (10, 1, 'alice'), (10, 2, NULL), (12, 1, 'bob')`,
	`INSERT INTO projects (id, name) VALUES (1, 'apollo'), (2, 'gemini')`,
	`INSERT INTO user_projects (user_id, project_id, role) VALUES (1, 1, 'owner'), (1, 2, 'member'), (2, 1, 'member')`,
	`INSERT INTO people (id, name) VALUES (1, 'grandpa'), (2, 'dad'), (3, 'kid'), (4, 'aunt')`,
	`INSERT INTO person_children (parent_id, child_id) VALUES (1, 2), (2, 3), (1, 4)`,
	`INSERT INTO teams (id, name) VALUES (1, 'reds'), (2, 'blues')`,
	`INSERT INTO games (id, home_team_id, away_team_id) VALUES (1, 1, 2), (2, 2, 1)`,
	`INSERT INTO invoices (id, user_email, amount) VALUES (1, 'a@example.com', 9.5), (2, 'a@example.com', 3.25), (3, 'b@example.com', 1)`,
}
