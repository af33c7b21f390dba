package ddl_test

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

var update = flag.Bool("update", false, "rewrite the golden DDL files")

type User struct {
	ID       int64     `db:"id"`
	Email    *string   `db:"email"`
	Name     string    `db:"name"`
	Posts    []Post    `json:",omitempty"`
	Profile  *Profile  `json:",omitempty"`
	Projects []Project `json:",omitempty"`
	Events   []Event   `json:",omitempty"`
	Invoices []Invoice `json:",omitempty"`
}

type Profile struct {
	ID     int64  `db:"id"`
	UserID *int64 `db:"user_id"`
}

type Post struct {
	ID        int64     `db:"id"`
	UserID    int64     `db:"user_id"`
	Title     string    `db:"title"`
	Score     float32   `db:"score"`
	Published bool      `db:"published"`
	Body      []byte    `db:"body"`
	Tags      []Tag     `json:",omitempty"`
	Comments  []Comment `json:",omitempty"`
}

type Comment struct {
	ID            int64  `db:"id"`
	Commentable   string `db:"commentable"`
	CommentableID int64  `db:"commentable_id"`
}

type Tag struct {
	ID      int64   `db:"id"`
	Name    string  `db:"name"`
	AddedBy *string `joinery:"through:added_by"`
}

type Project struct {
	ID         int64       `db:"id"`
	Membership UserProject `joinery:"through"`
}

type UserProject struct {
	UserID    int64  `db:"user_id"`
	ProjectID int64  `db:"project_id"`
	Role      string `db:"role"`
}

type Event struct {
	ID int64 `db:"id"`
}

type Attendance struct {
	ID      int64  `db:"id"`
	UserID  *int64 `db:"user_id"`
	EventID *int64 `db:"event_id"`
	Seat    int16  `db:"seat"`
}

type Invoice struct {
	ID        int64   `db:"id"`
	UserEmail *string `db:"user_email"`
}

type Person struct {
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id"`
	Children []Person `json:",omitempty"`
}

// goldenSchema has every kind of association and every DDL option.
func goldenSchema(t testing.TB) *include.Schema {
	t.Helper()
	s := include.NewSchema()
	for _, err := range []error{
		errOf(s.Define(User{}, "users")),
		errOf(s.Define(Profile{}, "profiles")),
		errOf(s.Define(Post{}, "posts", include.ColumnType("title", "string"))),
		errOf(s.Define(Comment{}, "comments")),
		errOf(s.Define(Tag{}, "tags", include.Unique("", "name"))),
		errOf(s.Define(Project{}, "projects")),
		errOf(s.Define(UserProject{}, "user_projects", include.PrimaryKey("user_id", "project_id"))),
		errOf(s.Define(Event{}, "events")),
		errOf(s.Define(Attendance{}, "attendances")),
		errOf(s.Define(Invoice{}, "invoices")),
		errOf(s.Define(Person{}, "people")),
		// NOT NULL foreign key: CASCADE for a hasMany
		errOf(s.HasMany("User", "Post")),
		// nullable: SET NULL; explicit rules
		errOf(s.HasOne("User", "Profile", include.OnDelete(include.Restrict), include.OnUpdate(include.NoAction))),
		// a join model keyed by the pair: its primary key
		errOf(s.BelongsToMany("User", "Project", include.ThroughModel("UserProject"))),
		// a join model with its own id: a unique key, named
		errOf(s.BelongsToMany("User", "Event", include.ThroughModel("Attendance"), include.UniqueKey("attendance_pair"))),
		// a non-primary target key: a unique key on it
		errOf(s.HasMany("User", "Invoice", include.SourceKey("email"), include.ForeignKey("user_email"))),
		// a join table declared by name with a column the target receives
		errOf(s.BelongsToMany("Post", "Tag", include.Through("post_tags"))),
		// polymorphic: no constraint, an index
		errOf(s.HasMany("Post", "Comment", include.ForeignKey("commentable_id"), include.Polymorphic("commentable", "post"))),
		// self-reference
		errOf(s.HasMany("Person", "Person", include.As("children"), include.ForeignKey("parent_id"))),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func errOf[T any](_ T, err error) error { return err }

// TestGolden: the statements per dialect, byte for byte (testdata/<dialect>.sql; -update
// rewrites them), the same on every run.
func TestGolden(t *testing.T) {
	for _, d := range []dialects.Dialect{dialects.Postgres, dialects.MySQL, dialects.SQLite} {
		stmts, err := ddl.Statements(goldenSchema(t), d)
		if err != nil {
			t.Fatalf("%s: %v", d.Name(), err)
		}
		again, _ := ddl.Statements(goldenSchema(t), d)
		got := strings.Join(stmts, ";\n\n") + ";\n"
		if strings.Join(again, ";\n\n")+";\n" != got {
			t.Fatalf("%s: two runs differ", d.Name())
		}
		path := filepath.Join("testdata", d.Name()+".sql")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if got != string(want) {
			t.Errorf("%s: DDL differs from %s:\n%s", d.Name(), path, got)
		}
	}
}

// TestOptions: IfNotExists, TableOptions, NoIndexes.
func TestOptions(t *testing.T) {
	stmts, err := ddl.Statements(goldenSchema(t), dialects.MySQL, ddl.IfNotExists(), ddl.TableOptions("ENGINE=InnoDB"), ddl.NoIndexes())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stmts {
		if !strings.HasPrefix(st, "CREATE TABLE IF NOT EXISTS `") || !strings.HasSuffix(st, ") ENGINE=InnoDB") {
			t.Errorf("statement %q", st)
		}
	}
}

// TestRules: Sequelize's defaults per kind and NOT NULL, and the options that change them.
func TestRules(t *testing.T) {
	stmts, err := ddl.Statements(goldenSchema(t), dialects.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(stmts, "\n")
	for _, want := range []string{
		`CONSTRAINT "posts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE`,
		`CONSTRAINT "profiles_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
		`CONSTRAINT "attendances_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE`,
		`CONSTRAINT "attendance_pair" UNIQUE ("user_id", "event_id")`,
		`CONSTRAINT "users_email_key" UNIQUE ("email")`,
		`CONSTRAINT "people_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "people" ("id") ON DELETE SET NULL ON UPDATE CASCADE`,
		`CREATE INDEX "comments_commentable_id_idx" ON "comments" ("commentable_id")`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("lacks %s", want)
		}
	}
	if strings.Contains(all, `"comments_commentable_id_fkey"`) {
		t.Error("a polymorphic foreign key got a constraint")
	}
	type Person struct {
		ID       int64    `db:"id"`
		ParentID *int64   `db:"parent_id"`
		Children []Person `json:",omitempty"`
		Parent   *Person  `json:",omitempty"`
	}
	s := include.NewSchema()
	for _, err := range []error{
		errOf(s.Define(Person{}, "people")),
		errOf(s.HasMany("Person", "Person", include.As("children"), include.ForeignKey("parent_id"), include.OnDelete(include.Cascade))),
		errOf(s.BelongsTo("Person", "Person", include.As("parent"), include.ForeignKey("parent_id"), include.OnDelete(include.Restrict))),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = ddl.Statements(s, dialects.Postgres)
	if !errors.Is(err, ddl.ErrSchema) || !strings.Contains(err.Error(), "associations Person.children (HasMany) and Person.parent (BelongsTo) declare the same foreign key people(parent_id) with different rules") {
		t.Errorf("conflicting rules: %v", err)
	}
}

// TestLongNames: derived names longer than the dialect's limit are shortened, deterministically
// and distinctly.
func TestLongNames(t *testing.T) {
	type Parent struct {
		ID int64 `db:"id"`
	}
	type Child struct {
		ID int64 `db:"id"`
		A  int64 `db:"a_very_long_foreign_key_column_name_that_goes_on_and_on"`
		B  int64 `db:"a_very_long_foreign_key_column_name_that_goes_on_and_on_too"`
		P  *Parent
		Q  *Parent
	}
	s := include.NewSchema()
	for _, err := range []error{
		errOf(s.Define(Parent{}, "parents")),
		errOf(s.Define(Child{}, "children_with_a_long_table_name")),
		errOf(s.BelongsTo("Child", "Parent", include.As("p"), include.ForeignKey("a_very_long_foreign_key_column_name_that_goes_on_and_on"))),
		errOf(s.BelongsTo("Child", "Parent", include.As("q"), include.ForeignKey("a_very_long_foreign_key_column_name_that_goes_on_and_on_too"))),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	stmts, err := ddl.Statements(s, dialects.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, st := range stmts {
		for _, f := range strings.Split(st, `"`) {
			if strings.HasSuffix(f, "_fkey") || strings.HasSuffix(f, "_idx") || len(f) == 63 {
				if len(f) > 63 {
					t.Errorf("name %s is longer than 63", f)
				}
				names[f] = true
			}
		}
	}
	if len(names) != 4 {
		t.Errorf("want 4 distinct constraint and index names, got %v", names)
	}
}

// TestBadInput: errors, never panics.
func TestBadInput(t *testing.T) {
	if _, err := ddl.Statements(nil, dialects.Postgres); !errors.Is(err, ddl.ErrSchema) {
		t.Errorf("nil schema: %v", err)
	}
	if _, err := ddl.Statements(include.NewSchema(), nil); !errors.Is(err, ddl.ErrSchema) {
		t.Errorf("nil dialect: %v", err)
	}
	s := include.NewSchema()
	_, _ = s.Define(User{}, "users", include.PrimaryKey("nope"))
	if _, err := ddl.Statements(s, dialects.Postgres); !errors.Is(err, ddl.ErrSchema) || !errors.Is(err, include.ErrDefinition) {
		t.Errorf("a schema with a registration error: %v", err)
	}
	type Odd struct {
		ID int64 `db:"id"`
		M  money `db:"m"`
	}
	s = include.NewSchema()
	if _, err := s.Define(Odd{}, "odds"); err != nil {
		t.Fatal(err)
	}
	if _, err := ddl.Statements(s, dialects.Postgres); !errors.Is(err, ddl.ErrSchema) || !strings.Contains(err.Error(), `model Odd: column odds.m: dialect postgres has no column type for ddl_test.money; pass include.ColumnType("m", "...")`) {
		t.Errorf("a field without a column type: %v", err)
	}
	s = include.NewSchema()
	if _, err := s.Define(Odd{}, "odds", include.ColumnType("m", "JSONB")); err != nil {
		t.Fatal(err)
	}
	stmts, err := ddl.Statements(s, dialects.Postgres)
	if err != nil || !strings.Contains(stmts[0], `"m" JSONB`) {
		t.Errorf("a type as written: %v %v", stmts, err)
	}
}

// money is a column type joinery has no DDL type for.
type money struct{ cents int64 }

func (m *money) Scan(v any) error { return nil }

// TestCheckNamesReferencedKey: a missing key that associations refer to names them.
func TestCheckNamesReferencedKey(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, st := range []string{
		`CREATE TABLE authors (author_key INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER, title TEXT NOT NULL)`,
		`CREATE INDEX books_author_id_idx ON books (author_id)`,
	} {
		if _, err := db.Exec(st); err != nil {
			t.Fatal(err)
		}
	}
	err = ddl.Check(context.Background(), db, exSchema(), dialects.SQLite, ddl.NoAdvice())
	want := "model Author, field exAuthor.ID; source key of association Author.books (HasMany): column authors.id is missing"
	var p *ddl.Problems
	if !errors.As(err, &p) || len(p.List) != 1 || p.List[0].Message != want {
		t.Fatalf("got %v\nwant one problem: %s", err, want)
	}
}
