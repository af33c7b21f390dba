package joinerytest_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/joinerytest"
)

var (
	allDialects = []dialects.Dialect{dialects.Postgres, dialects.MySQL, dialects.SQLite}
	allShapes   = []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline}
)

// A second fixture: books belong to an author and have chapters; the author is a to-one that
// several books share.

type Writer struct {
	ID    int64   `db:"id"`
	Name  string  `db:"name"`
	Email *string `db:"email"`
	Books []Book
}

type Book struct {
	ID       int64  `db:"id"`
	WriterID int64  `db:"writer_id"`
	Title    string `db:"title"`
	Price    Money  `db:"price"`
	Writer   *Writer
	Chapters []*Chapter
}

// Money is a column type of the application's: a Scanner, and a Valuer with a pointer
// receiver.
type Money struct{ Cents int64 }

func (m *Money) Scan(src any) error {
	c, ok := src.(int64)
	if !ok {
		return fmt.Errorf("money from %T", src)
	}
	m.Cents = c
	return nil
}

func (m *Money) Value() (driver.Value, error) { return m.Cents, nil }

type Chapter struct {
	ID     int64  `db:"id"`
	BookID int64  `db:"book_id"`
	Title  string `db:"title"`
}

func booksSchema(t *testing.T) *include.Schema {
	t.Helper()
	s := include.NewSchema()
	s.Define(Writer{}, "writers")
	s.Define(Book{}, "books")
	s.Define(Chapter{}, "chapters")
	s.HasMany("Writer", "Book")
	s.BelongsTo("Book", "Writer")
	s.HasMany("Book", "Chapter")
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

func blogSchema(t *testing.T) *include.Schema {
	t.Helper()
	s, err := newSchema()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newMock(t *testing.T) (*sql.DB, sqlmock.Sqlmock) {
	t.Helper()
	db, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, mock
}

func met(t *testing.T, mock sqlmock.Sqlmock) {
	t.Helper()
	if err := mock.ExpectationsWereMet(); err != nil {
		t.Fatal(err)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sameJSON compares two JSON texts as values (map keys in any order).
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

func ptr[T any](v T) *T { return &v }

func books() []Book {
	le := &Writer{ID: 1, Name: "le guin", Email: ptr("ursula@example.com")}
	return []Book{
		{ID: 10, WriterID: 1, Title: "the dispossessed", Price: Money{1250}, Writer: le, Chapters: []*Chapter{{ID: 100, BookID: 10, Title: "one"}, {ID: 101, BookID: 10, Title: "two"}}},
		{ID: 11, WriterID: 1, Title: "earthsea", Writer: le, Chapters: []*Chapter{}},
		{ID: 12, WriterID: 2, Title: "dune", Price: Money{999}, Writer: &Writer{ID: 2, Name: "herbert"}, Chapters: []*Chapter{{ID: 102, BookID: 12, Title: "one"}}},
	}
}

// Every shape and dialect: the statements the kit registers are the ones All, One, Each and
// Count send, and the rows fold back into the fixture (pointer elements, a shared to-one, a
// NULL column, an empty list).
func TestEveryShapeAndDialect(t *testing.T) {
	s := booksSchema(t)
	ctx := context.Background()
	want := books()
	for _, d := range allDialects {
		for _, shape := range allShapes {
			t.Run(d.Name()+"/"+shape.String(), func(t *testing.T) {
				q := joinery.Query[Book](s, d).Include("writer", include.New("chapters").Order("id")).Shape(shape)
				p, err := q.Plan()
				if err != nil {
					t.Fatal(err)
				}
				db, mock := newMock(t)
				exp, err := joinerytest.ExpectAll(mock, q, want)
				if err != nil {
					t.Fatal(err)
				}
				if n := max(1, len(p.Statements)); len(exp) != n {
					t.Fatalf("%d expectations for %d statements", len(exp), n)
				}
				exp.RowsWillBeClosed()
				got, err := q.All(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("got %s\nwant %s", jsonOf(t, got), jsonOf(t, want))
				}
				met(t, mock)

				if _, err := joinerytest.ExpectOne(mock, q, want[2]); err != nil {
					t.Fatal(err)
				}
				one, err := q.One(ctx, db)
				if err != nil || !reflect.DeepEqual(one, want[2]) {
					t.Fatalf("One: %s, %v", jsonOf(t, one), err)
				}
				met(t, mock)

				if _, err := joinerytest.ExpectEach(mock, q, want); err != nil {
					if shape == joinery.ShapeUnion && strings.Contains(err.Error(), "flat shape") {
						return // Each cannot stream a union: the kit says so as Each does
					}
					t.Fatal(err)
				}
				var each []Book
				if err := q.Each(ctx, db, func(b Book) error { each = append(each, b); return nil }); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(each, want) {
					t.Fatalf("Each: %s", jsonOf(t, each))
				}
				met(t, mock)

				if _, err := joinerytest.ExpectCount(mock, q, 3); err != nil {
					t.Fatal(err)
				}
				if n, err := q.Count(ctx, db); err != nil || n != 3 {
					t.Fatalf("Count: %d, %v", n, err)
				}
				met(t, mock)
			})
		}
	}
}

// A to-one that several parents share is sent once in the UNION ALL, as the database sends
// it; the flat JOIN repeats it on every row.
func TestSharedToOneSentOnce(t *testing.T) {
	s := booksSchema(t)
	q := joinery.Query[Book](s, dialects.Postgres).Include("writer")
	for _, c := range []struct {
		shape       joinery.Shape
		rows        int
		writerNames int
	}{{joinery.ShapeUnion, 3 + 2, 2}, {joinery.ShapeFlat, 3, 3}} {
		sts, err := joinerytest.AllStatements(q.Shape(c.shape), books())
		if err != nil {
			t.Fatal(err)
		}
		names := 0
		for _, r := range sts[0].Rows {
			for _, v := range r {
				if v == "le guin" || v == "herbert" {
					names++
				}
			}
		}
		if len(sts[0].Rows) != c.rows || names != c.writerNames {
			t.Fatalf("%s: %d rows, %d writer names: %v", c.shape, len(sts[0].Rows), names, sts[0].Rows)
		}
	}
}

// Columns selected only for identity and joining are not in the fixture: the kit makes them
// up, distinct, and linking each child to its parent.
func TestMadeUpKeys(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()
	want := []User{
		{Name: "ada", Posts: []Post{{Title: "notes"}, {Title: "loops"}}},
		{Name: "grace", Posts: []Post{{Title: "cobol"}}},
		{Name: "linus", Posts: []Post{}},
	}
	for _, shape := range allShapes {
		q := joinery.Query[User](s, dialects.MySQL).Columns("name").Include(include.New("posts").Columns("title")).Shape(shape)
		db, mock := newMock(t)
		if _, err := joinerytest.ExpectAll(mock, q, want); err != nil {
			t.Fatal(err)
		}
		got, err := q.All(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: got %s", shape, jsonOf(t, got))
		}
		met(t, mock)
	}
}

// Bound Params are the arguments the kit expects; a run with other values does not match.
func TestParams(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()
	q := joinery.Query[User](s, dialects.Postgres).Where(sq.Eq{"name": joinery.Param("name")}).Include("posts")
	want := []User{{ID: 1, Name: "ada", Posts: []Post{}}}

	_, mock := newMock(t)
	if _, err := joinerytest.ExpectAll(mock, q, want); err == nil || !strings.Contains(err.Error(), `parameter "name" is not bound`) {
		t.Fatalf("an unbound Param: %v", err)
	}

	db, mock := newMock(t)
	if _, err := joinerytest.ExpectAll(mock, q.Bind(map[string]any{"name": "ada"}), want); err != nil {
		t.Fatal(err)
	}
	if got, err := q.Bind(map[string]any{"name": "ada"}).All(ctx, db); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%v %v", got, err)
	}
	met(t, mock)

	if _, err := joinerytest.ExpectAll(mock, q.Bind(map[string]any{"name": "ada"}), want); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Bind(map[string]any{"name": "bob"}).All(ctx, db); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("a run with another value matched the expectation: %v", err)
	}

	if _, err := joinerytest.ExpectCount(mock, q, 1); err == nil || !strings.Contains(err.Error(), "not bound") {
		t.Fatalf("Count with an unbound Param: %v", err)
	}
}

// A pipeline's statements run one after another over database/sql, in no transaction: one
// expectation each, nothing else. ExpectAllError fails the first one, where the run stops.
func TestPipeline(t *testing.T) {
	s := booksSchema(t)
	ctx := context.Background()
	q := joinery.Query[Writer](s, dialects.Postgres).Include(include.New("books").Include("chapters")).Shape(joinery.ShapePipeline)
	p, err := q.Plan()
	if err != nil {
		t.Fatal(err)
	}
	want := []Writer{{ID: 1, Name: "le guin", Books: []Book{{ID: 10, WriterID: 1, Title: "the dispossessed", Chapters: []*Chapter{{ID: 100, BookID: 10}}}}}}
	db, mock := newMock(t)
	exp, err := joinerytest.ExpectAll(mock, q, want)
	if err != nil {
		t.Fatal(err)
	}
	if len(exp) != 3 || len(p.Statements) != 3 {
		t.Fatalf("%d expectations, %d statements", len(exp), len(p.Statements))
	}
	if got, err := q.All(ctx, db); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%s %v", jsonOf(t, got), err)
	}
	met(t, mock)

	boom := errors.New("boom")
	if _, err := joinerytest.ExpectAllError(mock, q, boom); err != nil {
		t.Fatal(err)
	}
	if _, err := q.All(ctx, db); !errors.Is(err, boom) {
		t.Fatalf("want boom, got %v", err)
	}
	met(t, mock)
}

// ExpectOneError fails the first statement q.One sends (its roots under LIMIT 1), in every
// shape.
func TestExpectOneError(t *testing.T) {
	s := booksSchema(t)
	ctx := context.Background()
	boom := errors.New("boom")
	for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
		q := joinery.Query[Writer](s, dialects.Postgres).Include(include.New("books").Include("chapters")).OrderBy("id").Shape(shape)
		db, mock := newMock(t)
		if _, err := joinerytest.ExpectOneError(mock, q, boom); err != nil {
			t.Fatal(err)
		}
		if _, err := q.One(ctx, db); !errors.Is(err, boom) {
			t.Fatalf("%v: want boom, got %v", shape, err)
		}
		met(t, mock)
	}
}

// A test that runs the query in its own transaction registers Begin and Commit around the
// kit's expectations; the query runs on database/sql's rows there.
func TestInTransaction(t *testing.T) {
	s := booksSchema(t)
	ctx := context.Background()
	q := joinery.Query[Book](s, dialects.SQLite).Include("chapters").Shape(joinery.ShapePipeline)
	want := []Book{{ID: 12, WriterID: 2, Title: "dune", Chapters: []*Chapter{{ID: 102, BookID: 12, Title: "one"}}}}
	db, mock := newMock(t)
	mock.ExpectBegin()
	if _, err := joinerytest.ExpectAll(mock, q, want); err != nil {
		t.Fatal(err)
	}
	mock.ExpectCommit()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.All(ctx, tx)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%s %v", jsonOf(t, got), err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	met(t, mock)
}

// The statements' rows can be extended before they are registered: a row error surfaces
// from All, mid-stream.
func TestRowError(t *testing.T) {
	s := booksSchema(t)
	q := joinery.Query[Book](s, dialects.Postgres).Include("chapters")
	sts, err := joinerytest.AllStatements(q, books())
	if err != nil {
		t.Fatal(err)
	}
	db, mock := newMock(t)
	boom := errors.New("connection reset")
	st := sts[0]
	mock.ExpectQuery(st.SQL).WithArgs(st.Args...).WillReturnRows(st.NewRows(mock).RowError(2, boom)).RowsWillBeClosed()
	if _, err := q.All(context.Background(), db); !errors.Is(err, boom) {
		t.Fatalf("want the row error, got %v", err)
	}
	met(t, mock)
}

// Queries chain like sqlmock's expectations: a delay longer than the context's deadline
// fails the run.
func TestWillDelayFor(t *testing.T) {
	s := booksSchema(t)
	q := joinery.Query[Book](s, dialects.Postgres).Include("chapters")
	db, mock := newMock(t)
	exp, err := joinerytest.ExpectAll(mock, q, books())
	if err != nil {
		t.Fatal(err)
	}
	exp.WillDelayFor(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := q.All(ctx, db); err == nil || time.Since(start) > 900*time.Millisecond {
		t.Fatalf("want a cancelled query, got %v after %v", err, time.Since(start))
	}
}

// Nothing to return: One reports joinery.ErrNoRows.
func TestNoRows(t *testing.T) {
	s := booksSchema(t)
	q := joinery.Query[Book](s, dialects.Postgres).Where(sq.Eq{"id": 99}).Include("chapters")
	db, mock := newMock(t)
	if _, err := joinerytest.ExpectOneMissing(mock, q); err != nil {
		t.Fatal(err)
	}
	if _, err := q.One(context.Background(), db); !errors.Is(err, joinery.ErrNoRows) {
		t.Fatalf("want ErrNoRows, got %v", err)
	}
	met(t, mock)
}

// A fixture no database could return is an ErrFixture naming the objects, never rows that
// fold into something else.
func TestImpossibleFixtures(t *testing.T) {
	s := booksSchema(t)
	le := Writer{ID: 1, Name: "le guin"}
	for _, c := range []struct {
		name string
		run  func(mock sqlmock.Sqlmock) error
		want string
	}{
		{"a to-one that does not match its parent's key", func(mock sqlmock.Sqlmock) error {
			q := joinery.Query[Book](s, dialects.Postgres).Include("writer").Shape(joinery.ShapeUnion)
			_, err := joinerytest.ExpectAll(mock, q, []Book{{ID: 10, WriterID: 2, Writer: &le}})
			return err
		}, "[0].Writer id is 1, but it links to [0] writer_id, which is 2"},
		{"siblings with one key", func(mock sqlmock.Sqlmock) error {
			q := joinery.Query[Book](s, dialects.SQLite).Include("chapters")
			_, err := joinerytest.ExpectAll(mock, q, []Book{{ID: 10, Chapters: []*Chapter{{ID: 1, BookID: 10}, {ID: 1, BookID: 10}}}})
			return err
		}, "[0].Chapters[0] and [0].Chapters[1] have the same key (id = 1)"},
		{"a nil root", func(mock sqlmock.Sqlmock) error {
			_, err := joinerytest.ExpectAll(mock, joinery.Query[*Book](s, dialects.SQLite), []*Book{nil})
			return err
		}, "[0] is nil"},
		{"a nil element", func(mock sqlmock.Sqlmock) error {
			q := joinery.Query[Book](s, dialects.SQLite).Include("chapters")
			_, err := joinerytest.ExpectAll(mock, q, []Book{{ID: 10, Chapters: []*Chapter{nil}}})
			return err
		}, "[0].Chapters[0] is nil"},
		{"a map object with a NULL key", func(mock sqlmock.Sqlmock) error {
			ms := include.NewSchema()
			ms.DefineMap("Writer", "writers", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}})
			_, err := joinerytest.ExpectAll(mock, joinery.QueryMap(ms, dialects.SQLite, "Writer"), []map[string]any{{"id": nil, "name": "x"}})
			return err
		}, "[0] has a NULL key (id)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, mock := newMock(t)
			err := c.run(mock)
			if !errors.Is(err, joinerytest.ErrFixture) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an ErrFixture saying %q, got %v", c.want, err)
			}
			met(t, mock) // nothing was registered
		})
	}
}

// Two parents that link their children by the same values hold the same children in any
// rows a database sends: a fixture where they differ is refused.
func TestInconsistentSharedParents(t *testing.T) {
	s := booksSchema(t)
	q := joinery.Query[Book](s, dialects.Postgres).Include("writer.books").Shape(joinery.ShapeUnion)
	a := &Writer{ID: 1, Name: "le guin", Books: []Book{{ID: 10, WriterID: 1, Title: "x"}}}
	b := &Writer{ID: 1, Name: "le guin", Books: []Book{}}
	_, mock := newMock(t)
	_, err := joinerytest.ExpectAll(mock, q, []Book{{ID: 10, WriterID: 1, Title: "x", Writer: a}, {ID: 11, WriterID: 1, Writer: b}})
	if !errors.Is(err, joinerytest.ErrFixture) || !strings.Contains(err.Error(), "[0] and [1] link their Writer by the same values, but hold different ones") {
		t.Fatalf("got %v", err)
	}
	// consistent, it folds back: writer 1 under both books, with both of its books
	a.Books = []Book{{ID: 10, WriterID: 1, Title: "x"}, {ID: 11, WriterID: 1}}
	b.Books = a.Books
	db, mock := newMock(t)
	want := []Book{{ID: 10, WriterID: 1, Title: "x", Writer: a}, {ID: 11, WriterID: 1, Writer: b}}
	if _, err := joinerytest.ExpectAll(mock, q, want); err != nil {
		t.Fatal(err)
	}
	got, err := q.All(context.Background(), db)
	if err != nil || jsonOf(t, got) != jsonOf(t, want) {
		t.Fatalf("%s %v", jsonOf(t, got), err)
	}
	met(t, mock)
}

// Map models: the fixture as a JSON API has it (numbers decoded as float64, the join table's
// columns nested under the join model's name).
func TestMapModels(t *testing.T) {
	s := include.NewSchema(include.WithNaming(include.CamelCase))
	s.DefineMap("User", "users", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name", Type: include.String}})
	s.DefineMap("Post", "posts", []include.Attr{{Name: "id"}, {Name: "userId", Column: "user_id"}, {Name: "title"}, {Name: "score", Type: include.Float}})
	s.DefineMap("Tag", "tags", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}})
	s.DefineMap("PostTag", "post_tags", []include.Attr{{Name: "postId", Column: "post_id", Type: include.Int},
		{Name: "tagId", Column: "tag_id", Type: include.Int}, {Name: "addedBy", Column: "added_by"}}, include.PrimaryKey("postId", "tagId"))
	s.HasMany("User", "Post", include.As("posts"))
	s.BelongsToMany("Post", "Tag", include.ThroughModel("PostTag"), include.As("tags"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	const want = `[{"id":1,"name":"ada","posts":[{"id":10,"userId":1,"title":"notes","score":2,"tags":[` +
		`{"id":1,"name":"go","PostTag":{"addedBy":"ada"}},{"id":2,"name":"sql","PostTag":{"addedBy":null}}]},` +
		`{"id":11,"userId":1,"title":"loops","score":2.5,"tags":[]}]},{"id":2,"name":"grace","posts":[]}]`
	ctx := context.Background()
	for _, d := range allDialects {
		for _, shape := range allShapes {
			q := joinery.QueryMap(s, d, "User").Include(include.New("posts.tags").ThroughColumns("addedBy")).Shape(shape)
			var fixture []map[string]any
			if err := json.Unmarshal([]byte(want), &fixture); err != nil {
				t.Fatal(err)
			}
			db, mock := newMock(t)
			if _, err := joinerytest.ExpectAll(mock, q, fixture); err != nil {
				t.Fatal(err)
			}
			got, err := q.All(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if g := jsonOf(t, got); !sameJSON(t, g, want) {
				t.Fatalf("%s %s:\n got %s\nwant %s", d.Name(), shape, g, want)
			}
			met(t, mock)
		}
	}
}

// Rows serves a handwritten statement folded with hydrate alone: the map says where each
// value goes, the kit lays the fixture out in the statement's columns.
func TestRowsForHandwrittenSQL(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{Name: "Book", Type: reflect.TypeOf(Book{}),
		Cols: []hydrate.Col{{Column: "book_id", Field: "id"}, {Column: "book_title", Field: "title"}}, Key: []int{0},
		Children: []*hydrate.Node{{Path: "chapters", Field: "Chapters", Type: reflect.TypeOf(Chapter{}), Many: true,
			Cols: []hydrate.Col{{Column: "chapter_id", Field: "id"}, {Column: "chapter_title", Field: "title"}}, Key: []int{0}}}}}
	const query = `SELECT c.title AS chapter_title, b.id AS book_id, b.title AS book_title, c.id AS chapter_id FROM books b LEFT JOIN chapters c ON c.book_id = b.id ORDER BY b.id, c.id`
	columns := []string{"chapter_title", "book_id", "book_title", "chapter_id"}
	want := []Book{{ID: 1, Title: "a", Chapters: []*Chapter{{ID: 1, Title: "x"}, {ID: 2, Title: "y"}}}, {ID: 2, Title: "b", Chapters: []*Chapter{}}}
	rows, err := joinerytest.Rows(m, columns, want)
	if err != nil {
		t.Fatal(err)
	}
	db, mock := newMock(t)
	mr := mock.NewRows(columns)
	for _, r := range rows {
		mr.AddRow(r...)
	}
	mock.ExpectQuery(query).WillReturnRows(mr)
	sqlRows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	got, err := hydrate.All[Book](sqlRows, m)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%s %v", jsonOf(t, got), err)
	}
	met(t, mock)

	if _, err := joinerytest.Rows(m, columns[:3], want); err == nil || !strings.Contains(err.Error(), `"chapter_id" is not among`) {
		t.Fatalf("a map column missing from the result: %v", err)
	}
}

// The kit reads the plan it expects from the query's public methods; a query whose Each
// cannot stream is refused with Each's own error.
func TestEachRefusedAsEachRefuses(t *testing.T) {
	s := booksSchema(t)
	q := joinery.Query[Writer](s, dialects.Postgres).Include("books").OrderBy("books.title")
	db, mock := newMock(t)
	_, kerr := joinerytest.ExpectEach(mock, q, nil)
	eerr := q.Each(context.Background(), db, func(Writer) error { return nil })
	if kerr == nil || eerr == nil || kerr.Error() != eerr.Error() {
		t.Fatalf("kit: %v; Each: %v", kerr, eerr)
	}
	met(t, mock)
}
