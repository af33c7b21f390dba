package ddl_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// Cases a review found (each failed before its fix).

func openLite(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	mustDo(t, errOf(db.Exec("PRAGMA foreign_keys = ON")))
	return db
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestNilInputs: nil databases (a typed nil *sql.DB too), schemas and dialects are errors.
func TestNilInputs(t *testing.T) {
	ctx, db, s := context.Background(), openLite(t), exSchema()
	var typed *sql.DB
	for name, err := range map[string]error{
		"Learn nil schema":   ddl.Learn(ctx, db, nil, dialects.SQLite),
		"Learn nil dialect":  ddl.Learn(ctx, db, s, nil),
		"Check nil db":       ddl.Check(ctx, nil, s, dialects.SQLite),
		"Check typed nil db": ddl.Check(ctx, typed, s, dialects.SQLite),
		"Create nil db":      ddl.Create(ctx, nil, s, dialects.SQLite),
		"Learn nil db":       ddl.Learn(ctx, nil, s, dialects.SQLite),
	} {
		if err == nil || !strings.Contains(err.Error(), "nil") {
			t.Errorf("%s: %v, want an error naming the nil", name, err)
		}
	}
}

// TestCatalogOddObjects: an expression index, a generated column and a view are read, not
// errors or false problems.
func TestCatalogOddObjects(t *testing.T) {
	ctx, db, s := context.Background(), openLite(t), exSchema()
	mustDo(t, ddl.Create(ctx, db, s, dialects.SQLite))
	mustDo(t, errOf(db.Exec(`CREATE INDEX authors_lower_name ON authors (lower(name))`)))
	if err := ddl.Check(ctx, db, s, dialects.SQLite); err != nil {
		t.Errorf("Check with an expression index: %v", err)
	}
	if err := ddl.Learn(ctx, db, s, dialects.SQLite); err != nil {
		t.Errorf("Learn with an expression index: %v", err)
	}
	type person struct {
		ID       int64   `db:"id"`
		First    string  `db:"first"`
		FullName *string `db:"full_name"`
	}
	ps := include.NewSchema()
	mustDo(t, errOf(ps.Define(person{}, "people")))
	mustDo(t, errOf(db.Exec(`CREATE TABLE people (id INTEGER PRIMARY KEY, first TEXT NOT NULL,
		full_name TEXT GENERATED ALWAYS AS (first || '!') VIRTUAL)`)))
	if err := ddl.Check(ctx, db, ps, dialects.SQLite); err != nil {
		t.Errorf("Check with a generated column: %v", err)
	}
	vs := include.NewSchema()
	mustDo(t, errOf(vs.Define(person{}, "people_v")))
	mustDo(t, errOf(db.Exec(`CREATE VIEW people_v AS SELECT id, first, full_name FROM people`)))
	err := ddl.Check(ctx, db, vs, dialects.SQLite)
	var p *ddl.Problems
	if err != nil && (!errors.As(err, &p) || strings.Contains(err.Error(), "missing")) {
		t.Errorf("Check of a model over a view: %v", err)
	}
}

// TestDerivedNamesDistinct: derived index and constraint names that come out alike for
// different tables and columns get distinct names, and Create runs.
func TestDerivedNamesDistinct(t *testing.T) {
	type author struct {
		ID int64 `db:"id"`
	}
	type userPost struct {
		ID       int64 `db:"id"`
		AuthorID int64 `db:"author_id"`
	}
	type user struct {
		ID           int64 `db:"id"`
		PostAuthorID int64 `db:"post_author_id"`
	}
	s := include.NewSchema()
	mustDo(t, errOf(s.Define(author{}, "authors", include.Name("Author"))))
	mustDo(t, errOf(s.Define(userPost{}, "user_post", include.Name("UserPost"))))
	mustDo(t, errOf(s.Define(user{}, "user", include.Name("User"))))
	mustDo(t, errOf(s.BelongsTo("UserPost", "Author", include.NoField(), include.ForeignKey("author_id"))))
	mustDo(t, errOf(s.BelongsTo("User", "Author", include.NoField(), include.As("postAuthor"), include.ForeignKey("post_author_id"))))
	stmts, err := ddl.Statements(s, dialects.SQLite)
	mustDo(t, err)
	all := strings.Join(stmts, "\n")
	if !strings.Contains(all, `"user_post_author_id_idx"`) || !strings.Contains(all, `"user_post_author_id_idx_`) {
		t.Errorf("want user_post_author_id_idx and a hashed variant:\n%s", all)
	}
	mustDo(t, ddl.Create(context.Background(), openLite(t), s, dialects.SQLite))
	again, _ := ddl.Statements(s, dialects.SQLite)
	if strings.Join(again, "\n") != all {
		t.Errorf("not deterministic")
	}
}

// TestShortNamesValidUTF8: a name shortened to the dialect's limit is cut between characters.
func TestShortNamesValidUTF8(t *testing.T) {
	type parent struct {
		ID int64 `db:"id"`
	}
	type child struct {
		ID  int64 `db:"id"`
		PID int64 `db:"é"`
	}
	for n := 20; n < 35; n++ {
		s := include.NewSchema()
		mustDo(t, errOf(s.Define(parent{}, "parents", include.Name("P"))))
		mustDo(t, errOf(s.Define(child{}, "x"+strings.Repeat("é", n), include.Name("C"))))
		mustDo(t, errOf(s.BelongsTo("C", "P", include.NoField(), include.ForeignKey("é"))))
		stmts, err := ddl.Statements(s, dialects.Postgres)
		mustDo(t, err)
		for _, st := range stmts {
			if !utf8.ValidString(st) {
				t.Fatalf("%d characters: invalid UTF-8 in %q", n, st)
			}
		}
	}
}

// TestPolymorphicJoinTableKey: a join table declared by name for a polymorphic
// belongsToMany keys its links by the type column too: a post and a video with one id may
// both have a tag.
func TestPolymorphicJoinTableKey(t *testing.T) {
	type tag struct {
		ID       int64   `db:"id"`
		Taggable *string `joinery:"through:taggable"`
	}
	type post struct {
		ID   int64 `db:"id"`
		Tags []tag
	}
	type video struct {
		ID   int64 `db:"id"`
		Tags []tag
	}
	s := include.NewSchema()
	mustDo(t, errOf(s.Define(tag{}, "tags", include.Name("Tag"))))
	mustDo(t, errOf(s.Define(post{}, "posts", include.Name("Post"))))
	mustDo(t, errOf(s.Define(video{}, "videos", include.Name("Video"))))
	for _, m := range []string{"Post", "Video"} {
		mustDo(t, errOf(s.BelongsToMany(m, "Tag", include.Through("taggings"), include.ForeignKey("taggable_id"), include.OtherKey("tag_id"),
			include.Polymorphic("taggable", strings.ToLower(m)))))
	}
	db := openLite(t)
	mustDo(t, ddl.Create(context.Background(), db, s, dialects.SQLite))
	for _, st := range []string{
		`INSERT INTO tags (id) VALUES (1)`, `INSERT INTO posts (id) VALUES (1)`, `INSERT INTO videos (id) VALUES (1)`,
		`INSERT INTO taggings (taggable_id, tag_id, taggable) VALUES (1, 1, 'post')`,
		`INSERT INTO taggings (taggable_id, tag_id, taggable) VALUES (1, 1, 'video')`,
	} {
		if _, err := db.Exec(st); err != nil {
			t.Errorf("%s: %v", st, err)
		}
	}
	if _, err := db.Exec(`INSERT INTO taggings (taggable_id, tag_id, taggable) VALUES (1, 1, 'video')`); err == nil {
		t.Errorf("the same link twice: accepted")
	}
}

// TestCheckJoinTableWithoutKey: a join table without its primary key (so no index leads
// with its first key, and a link may be written twice) is reported.
func TestCheckJoinTableWithoutKey(t *testing.T) {
	type group struct {
		ID int64 `db:"id"`
	}
	type acct struct {
		ID     int64 `db:"id"`
		Groups []group
	}
	s := include.NewSchema()
	mustDo(t, errOf(s.Define(acct{}, "accts", include.Name("Acct"))))
	mustDo(t, errOf(s.Define(group{}, "groups", include.Name("Group"))))
	mustDo(t, errOf(s.BelongsToMany("Acct", "Group", include.Through("memberships"))))
	db := openLite(t)
	for _, st := range []string{
		`CREATE TABLE accts (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE groups (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE memberships (acct_id BIGINT NOT NULL REFERENCES accts (id) ON DELETE CASCADE ON UPDATE CASCADE,
		   group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE ON UPDATE CASCADE)`,
		`CREATE INDEX memberships_group_id_idx ON memberships (group_id)`,
	} {
		mustDo(t, errOf(db.Exec(st)))
	}
	err := ddl.Check(context.Background(), db, s, dialects.SQLite)
	var p *ddl.Problems
	if !errors.As(err, &p) {
		t.Fatalf("Check: %v, want problems", err)
	}
	kinds := map[ddl.ProblemKind]bool{}
	for _, x := range p.List {
		kinds[x.Kind] = true
	}
	if !kinds[ddl.MissingIndex] || !kinds[ddl.MissingConstraint] || !strings.Contains(err.Error(), "memberships.acct_id has no index") ||
		!strings.Contains(err.Error(), "join table memberships has no primary key (acct_id, group_id)") {
		t.Errorf("Check: %v", err)
	}
}

// TestTenantKeyRules: a nullable foreign key that carries the tenant column does not
// cascade deletes (the tenant column alone is NOT NULL); SET NULL on it is refused.
func TestTenantKeyRules(t *testing.T) {
	ctx := context.Background()
	s := include.NewSchema(include.Tenant("tenant_id"))
	mustDo(t, errOf(s.Define(exAuthor{}, "authors", include.Name("Author"))))
	mustDo(t, errOf(s.Define(exBook{}, "books", include.Name("Book"))))
	mustDo(t, errOf(s.HasMany("Author", "Book", include.As("books")))) // author_id is nullable
	db := openLite(t)
	mustDo(t, ddl.Create(ctx, db, s, dialects.SQLite))
	mustDo(t, errOf(db.Exec(`INSERT INTO authors (tenant_id, id, name) VALUES (1, 1, 'a')`)))
	mustDo(t, errOf(db.Exec(`INSERT INTO books (tenant_id, id, author_id, title) VALUES (1, 1, 1, 'x')`)))
	if _, err := db.Exec(`DELETE FROM authors WHERE id = 1`); err == nil {
		t.Errorf("deleting an author with a book: accepted")
	}
	var n int
	mustDo(t, db.QueryRow(`SELECT COUNT(*) FROM books`).Scan(&n))
	if n != 1 {
		t.Errorf("%d books left, want the book kept", n)
	}
	s2 := include.NewSchema(include.Tenant("tenant_id"))
	mustDo(t, errOf(s2.Define(exAuthor{}, "authors", include.Name("Author"))))
	mustDo(t, errOf(s2.Define(exBook{}, "books", include.Name("Book"))))
	mustDo(t, errOf(s2.HasMany("Author", "Book", include.As("books"), include.OnDelete(include.SetNull))))
	if _, err := ddl.Statements(s2, dialects.SQLite); err == nil || !strings.Contains(err.Error(), "would write the tenant column too") {
		t.Errorf("SET NULL on a tenant key: %v", err)
	}
}

// TestRegistrationChecks: a column type that is not one type, a key naming a column twice,
// two unique keys of one name are refused when registered; NOT NULL advice on a pointer
// field names the option.
func TestRegistrationChecks(t *testing.T) {
	type u struct {
		ID    int64   `db:"id"`
		Name  string  `db:"name"`
		Org   int64   `db:"org"`
		Email *string `db:"email"`
	}
	for opt, want := range map[string]include.ModelOption{
		"it holds a ; (a second statement)":          include.ColumnType("name", "TEXT); DROP TABLE victims; --"),
		"it holds a comment":                         include.ColumnType("name", "TEXT /* x */"),
		"its parentheses do not balance":             include.ColumnType("name", "VARCHAR(20"),
		"include.PrimaryKey names column org twice":  include.PrimaryKey("org", "org"),
		`include.Unique("") names column name twice`: include.Unique("", "name", "name"),
	} {
		if _, err := include.NewSchema().Define(u{}, "us", want); err == nil || !strings.Contains(err.Error(), opt) {
			t.Errorf("%s: %v", opt, err)
		}
	}
	if _, err := include.NewSchema().Define(u{}, "us", include.Unique("dup", "name"), include.Unique("dup", "org")); err == nil || !strings.Contains(err.Error(), `two include.Unique keys are named "dup"`) {
		t.Errorf("two unique keys of one name: %v", err)
	}
	if _, err := include.NewSchema().Define(u{}, "us", include.ColumnType("name", `TEXT COLLATE "C"`)); err != nil {
		t.Errorf("a type with a collation: %v", err)
	}
	s := include.NewSchema()
	mustDo(t, errOf(s.Define(u{}, "us", include.NotNull("email"))))
	db := openLite(t)
	mustDo(t, errOf(db.Exec(`CREATE TABLE us (id INTEGER PRIMARY KEY, name TEXT NOT NULL, org INTEGER NOT NULL, email TEXT)`)))
	if err := ddl.Check(context.Background(), db, s, dialects.SQLite); err == nil || !strings.Contains(err.Error(), "the declarations say NOT NULL (include.NotNull)") {
		t.Errorf("NOT NULL advice on a pointer field: %v", err)
	}
}
