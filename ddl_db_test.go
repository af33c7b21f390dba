package joinery_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// The schema the check tests drift from: a belongsTo, a hasMany and a join table declared by
// name whose target receives a join-table column.

type DAuthor struct {
	ID    int64   `db:"id"`
	Name  string  `db:"name"`
	Books []DBook `json:",omitempty"`
}

type DBook struct {
	ID       int64    `db:"id"`
	AuthorID *int64   `db:"author_id"`
	Title    string   `db:"title"`
	Author   *DAuthor `json:",omitempty"`
	Tags     []DTag   `json:",omitempty"`
}

type DTag struct {
	ID      int64   `db:"id"`
	Label   string  `db:"label"`
	AddedBy *string `joinery:"through:added_by"`
}

func driftSchema(t testing.TB, drift string) *include.Schema {
	t.Helper()
	s := include.NewSchema()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Define(DAuthor{}, "d_authors", include.Name("Author")))
	switch drift {
	case "type":
		must(s.Define(DBook{}, "d_books", include.Name("Book"), include.ColumnType("title", "integer")))
	default:
		must(s.Define(DBook{}, "d_books", include.Name("Book")))
	}
	must(s.Define(DTag{}, "d_tags", include.Name("Tag")))
	var noFK []include.AssocOption
	if strings.HasPrefix(drift, "constraint") {
		noFK = append(noFK, include.NoConstraint())
	}
	if drift == "rules" {
		noFK = append(noFK, include.OnDelete(include.Restrict))
	}
	must(s.HasMany("Author", "Book", append(noFK, include.As("books"), include.ForeignKey("author_id"))...))
	must(s.BelongsTo("Book", "Author", append(noFK, include.As("author"))...))
	if drift != "table" {
		must(s.BelongsToMany("Book", "Tag", include.As("tags"), include.Through("d_book_tags"), include.ForeignKey("book_id"), include.OtherKey("tag_id")))
	}
	return s
}

// TestDDLCheckDrift: a database created from the declarations checks clean; each kind of
// drift produces its problem, naming the model, association and column; on every database.
func TestDDLCheckDrift(t *testing.T) {
	ctx := context.Background()
	want := driftSchema(t, "")
	cases := []struct {
		drift   string
		edit    string // a statement, or a line of one, left out of the DDL (nullable: its NOT NULL)
		kind    ddl.ProblemKind
		message []string // substrings of the one problem's message
	}{
		{"", "", 0, nil},
		{"table", "", ddl.MissingTable, []string{"join table of association Book.tags (BelongsToMany): table d_book_tags is missing"}},
		{"column", `"title"`, ddl.MissingColumn, []string{"model Book, field DBook.Title: column d_books.title is missing"}},
		{"type", "", ddl.WrongType, []string{"model Book, field DBook.Title: column d_books.title has type ", "which does not hold a string"}},
		{"joincolumn", `"added_by"`, ddl.MissingColumn, []string{"model Tag, field DTag.AddedBy, received through association Book.tags (BelongsToMany): column d_book_tags.added_by is missing"}},
		{"fkcolumn", `"author_id"`, ddl.MissingColumn, []string{"model Book, field DBook.AuthorID; foreign key of association Author.books (HasMany); foreign key of association Book.author (BelongsTo): column d_books.author_id is missing"}},
		{"joinkey", `"tag_id"`, ddl.MissingColumn, []string{"other key of association Book.tags (BelongsToMany): column d_book_tags.tag_id is missing"}},
		{"nullable", `"title"`, ddl.NullableColumn, []string{"model Book, field DBook.Title: column d_books.title allows NULL, which the field's type string cannot hold: make the field a pointer or the column NOT NULL"}},
		{"constraint+index", `"d_books_author_id_idx"`, ddl.MissingIndex, []string{"association Author.books (HasMany) and Book.author (BelongsTo): foreign-key column d_books.author_id has no index", "CREATE INDEX"}},
		{"rules", "", ddl.ConstraintRules, []string{"association Author.books (HasMany) and Book.author (BelongsTo): foreign key d_books(author_id) has ON DELETE RESTRICT ON UPDATE CASCADE, the declarations say ON DELETE SET NULL ON UPDATE CASCADE"}},
		{"constraint", "", ddl.MissingConstraint, []string{"association Author.books (HasMany) and Book.author (BelongsTo): no foreign-key constraint d_books(author_id) REFERENCES d_authors(id)", "include.NoConstraint()"}},
	}
	for _, c := range cases {
		name := c.drift
		if name == "" {
			name = "clean"
		}
		t.Run(name, func(t *testing.T) {
			for _, tdb := range openDBs(t, "joinery_ddl_drift") {
				stmts, err := ddl.Statements(driftSchema(t, c.drift), tdb.dialect)
				if err != nil {
					t.Fatalf("%s: %v", tdb.name, err)
				}
				for _, st := range stmts {
					if c.edit == "" || !strings.Contains(st, tdb.dialect.Quote(strings.Trim(c.edit, `"`))) {
						mustExec(t, tdb.db, st)
						continue
					}
					if strings.HasPrefix(st, "CREATE INDEX") {
						continue
					}
					var keep []string
					for _, line := range strings.Split(st, "\n") {
						if !strings.Contains(line, tdb.dialect.Quote(strings.Trim(c.edit, `"`))) {
							keep = append(keep, line)
						} else if c.drift == "nullable" {
							keep = append(keep, strings.Replace(line, " NOT NULL", "", 1))
						}
					}
					mustExec(t, tdb.db, strings.Replace(strings.Join(keep, "\n"), ",\n)", "\n)", 1))
				}
				err = ddl.Check(ctx, tdb.db, want, tdb.dialect)
				if c.kind == 0 {
					if err != nil {
						t.Fatalf("%s: a database created from the declarations: %v", tdb.name, err)
					}
					continue
				}
				var p *ddl.Problems
				if !errors.As(err, &p) || !errors.Is(err, ddl.ErrDrift) {
					t.Fatalf("%s: want *ddl.Problems, got %v", tdb.name, err)
				}
				// MySQL indexes a foreign key's columns itself: a missing index needs a
				// missing constraint too
				n := 1 + strings.Count(c.drift, "+")
				got := p.List[len(p.List)-1]
				if len(p.List) != n || got.Kind != c.kind {
					t.Fatalf("%s: want %d problem(s), the last a %s, got %v", tdb.name, n, c.kind, err)
				}
				for _, m := range c.message {
					if !strings.Contains(got.Message, m) {
						t.Errorf("%s: message %q lacks %q", tdb.name, got.Message, m)
					}
				}
				if c.kind.Advice() != (len(p.Errors()) == 0) {
					t.Errorf("%s: %s: Errors() = %v", tdb.name, c.kind, p.Errors())
				}
			}
		})
	}
}

// TestDDLCheckEveryProblem: one error lists every problem, errors before advice.
func TestDDLCheckEveryProblem(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openDBs(t, "joinery_ddl_all") {
		mustExec(t, tdb.db, `CREATE TABLE d_books (id INTEGER PRIMARY KEY, author_id INTEGER)`)
		err := ddl.Check(ctx, tdb.db, driftSchema(t, ""), tdb.dialect)
		var p *ddl.Problems
		if !errors.As(err, &p) {
			t.Fatalf("%s: %v", tdb.name, err)
		}
		var kinds []string
		for _, x := range p.List {
			kinds = append(kinds, x.Kind.String()+" "+x.Table+"."+x.Column)
		}
		got := strings.Join(kinds, "; ")
		wantKinds := "missing table d_authors.; missing column d_books.title; missing table d_tags.; missing table d_book_tags.; missing constraint d_books.author_id; missing index d_books.author_id"
		if got != wantKinds {
			t.Errorf("%s: problems\n got %s\nwant %s\n%v", tdb.name, got, wantKinds, err)
		}
		if n := strings.Count(err.Error(), "\n"); n != len(p.List) {
			t.Errorf("%s: the message has %d lines for %d problems:\n%v", tdb.name, n, len(p.List), err)
		}
	}
}

// TestDDLBlogCheckTime: the blog fixture's tables, created from its declarations, check clean;
// the check's time is logged.
func TestDDLBlogCheckTime(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openDBs(t, "joinery_ddl_blog") {
		s := blogSchema(t)
		if err := ddl.Create(ctx, tdb.db, s, tdb.dialect); err != nil {
			t.Fatalf("%s: %v", tdb.name, err)
		}
		if err := ddl.Check(ctx, tdb.db, s, tdb.dialect); err != nil {
			t.Fatalf("%s: %v", tdb.name, err)
		}
		const n = 20
		start := time.Now()
		for i := 0; i < n; i++ {
			if err := ddl.Check(ctx, tdb.db, s, tdb.dialect); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: Check of the blog schema (%d tables): %v", tdb.name, len(blogTables), time.Since(start)/n)
	}
}

// TestDDLCycle: documents <-> versions. PostgreSQL and MySQL close the cycle with ALTER TABLE,
// SQLite refers forward; a dialect that can do neither gets an error naming the cycle and the
// associations to mark.
func TestDDLCycle(t *testing.T) {
	type Version struct {
		ID         int64  `db:"id"`
		DocumentID *int64 `db:"document_id"`
	}
	type Document struct {
		ID               int64     `db:"id"`
		CurrentVersionID *int64    `db:"current_version_id"`
		Versions         []Version `json:",omitempty"`
		CurrentVersion   *Version  `json:",omitempty"`
	}
	schema := func(opts ...include.AssocOption) *include.Schema {
		s := include.NewSchema()
		for _, err := range []error{
			errOf(s.Define(Document{}, "documents")),
			errOf(s.Define(Version{}, "versions")),
			errOf(s.HasMany("Document", "Version", include.As("versions"))),
			errOf(s.BelongsTo("Document", "Version", append(opts, include.As("currentVersion"))...)),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	s := schema()
	ctx := context.Background()
	for _, tdb := range openDBs(t, "joinery_ddl_cycle") {
		stmts, err := ddl.Statements(s, tdb.dialect)
		if err != nil {
			t.Fatalf("%s: %v", tdb.name, err)
		}
		alters := 0
		for _, st := range stmts {
			if strings.HasPrefix(st, "ALTER TABLE") {
				alters++
			}
		}
		if wantAlters := map[bool]int{true: 1, false: 0}[tdb.dialect.Features().DDL.AlterAddForeignKey && !tdb.dialect.Features().DDL.ForwardForeignKeys]; alters != wantAlters {
			t.Errorf("%s: %d ALTER TABLE statements, want %d:\n%s", tdb.name, alters, wantAlters, strings.Join(stmts, ";\n"))
		}
		if err := ddl.Create(ctx, tdb.db, s, tdb.dialect); err != nil {
			t.Fatalf("%s: %v", tdb.name, err)
		}
		if err := ddl.Check(ctx, tdb.db, s, tdb.dialect); err != nil {
			t.Fatalf("%s: %v", tdb.name, err)
		}
	}
	_, err := ddl.Statements(s, noCycleDialect{dialects.Postgres})
	if !errors.Is(err, ddl.ErrCycle) {
		t.Fatalf("want ErrCycle, got %v", err)
	}
	for _, m := range []string{"documents -> versions -> documents", "Document.currentVersion (BelongsTo)", "Document.versions (HasMany)", "include.NoConstraint()"} {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("%v\nlacks %q", err, m)
		}
	}
	// marking one association lifts the error
	if _, err := ddl.Statements(schema(include.NoConstraint()), noCycleDialect{dialects.Postgres}); err != nil {
		t.Fatal(err)
	}
}

// noCycleDialect is a dialect defined outside the package that can neither add a foreign key
// with ALTER TABLE nor refer to a table not yet created.
type noCycleDialect struct{ dialects.Dialect }

func (d noCycleDialect) Features() dialects.Features {
	f := d.Dialect.Features()
	f.DDL.AlterAddForeignKey, f.DDL.ForwardForeignKeys = false, false
	return f
}

func errOf[T any](_ T, err error) error { return err }

// TestThroughColumnsDeclared: an include may select only the declared columns of a join table
// declared by name, unless it is declared loosely.
func TestThroughColumnsDeclared(t *testing.T) {
	schema := func(opts ...include.AssocOption) *include.Schema {
		s := include.NewSchema()
		for _, err := range []error{
			errOf(s.DefineMap("Post", "posts", []include.Attr{{Name: "id", Type: include.Int}})),
			errOf(s.DefineMap("Tag", "tags", []include.Attr{{Name: "id", Type: include.Int}})),
			errOf(s.BelongsToMany("Post", "Tag", append(opts, include.As("tags"))...)),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	compile := func(s *include.Schema) error {
		_, _, err := joinery.QueryMap(s, dialects.Postgres, "Post").Include(include.New("tags").ThroughColumns("added_by")).ToSql()
		return err
	}
	err := compile(schema(include.Through("post_tags")))
	if !errors.Is(err, builder.ErrInclude) || !strings.Contains(err.Error(), `join-table column "added_by" of post_tags is not declared (declared: post_id, tag_id): list it in include.Through("post_tags", ...)`) {
		t.Errorf("an undeclared join-table column: %v", err)
	}
	if err := compile(schema(include.Through("post_tags", "post_id", "tag_id", "added_by"))); err != nil {
		t.Errorf("a declared join-table column: %v", err)
	}
	if err := compile(schema(include.Through("post_tags"), include.LooseThrough())); err != nil {
		t.Errorf("a join table declared loosely: %v", err)
	}
	// the DDL of a declared column needs a type
	_, err = ddl.Statements(schema(include.Through("post_tags", "post_id", "tag_id", "added_by")), dialects.Postgres)
	if !errors.Is(err, ddl.ErrSchema) || !strings.Contains(err.Error(), "join-table column post_tags.added_by has no type") {
		t.Errorf("an untyped join-table column: %v", err)
	}
}
