package joinery_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/include"
)

// TestDDLLearn: ddl.Learn records which links have an index, from the catalog; on
// PostgreSQL the unindexed link's statements change (a hashed semi-join on the keys, in the
// per-level and the pipelined statements) and load what the indexed ones load; on every
// database; an index created later is learned on the next call.
func TestDDLLearn(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openDBs(t, "joinery_ddl_learn") {
		stmts, err := ddl.Statements(driftSchema(t, "constraint"), tdb.dialect)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range stmts {
			if strings.Contains(st, tdb.dialect.Quote("d_books_author_id_idx")) {
				continue // no index on d_books.author_id (nor a constraint: MySQL would index it)
			}
			mustExec(t, tdb.db, st)
		}
		mustExec(t, tdb.db,
			`INSERT INTO d_authors (id, name) VALUES (1, 'Ann'), (2, 'Bo'), (3, 'Cy')`,
			`INSERT INTO d_books (id, author_id, title) VALUES (10, 1, 'a'), (11, 1, 'b'), (12, 2, 'c'), (13, NULL, 'd')`,
			`INSERT INTO d_tags (id, label) VALUES (100, 'x'), (101, 'y')`,
			`INSERT INTO d_book_tags (book_id, tag_id, added_by) VALUES (10, 100, 'ann'), (10, 101, NULL), (12, 101, 'bo')`)

		plain, learned := driftSchema(t, ""), driftSchema(t, "")
		if err := ddl.Learn(ctx, tdb.db, learned, tdb.dialect); err != nil {
			t.Fatalf("%s: %v", tdb.name, err)
		}
		if learned.Indexed("d_books", []string{"author_id"}) {
			t.Errorf("%s: d_books.author_id has no index, Learn says it has", tdb.name)
		}
		for _, l := range [][2]string{{"d_book_tags", "book_id"}, {"d_authors", "id"}} {
			if !learned.Indexed(l[0], []string{l[1]}) {
				t.Errorf("%s: %s.%s is indexed (a primary key starts with it), Learn says it is not", tdb.name, l[0], l[1])
			}
		}
		// every shape whose statements match a link by its parent's keys: the per-level
		// one (array parameters only) and a small page's pipeline
		shapes := []builder.Shape{builder.ShapePipeline}
		if tdb.dialect.Features().AnyArray {
			shapes = append(shapes, builder.ShapeLevels)
		}
		for _, shape := range shapes {
			load := func(s *include.Schema) (string, string) {
				t.Helper()
				q := joinery.Query[DAuthor](s, tdb.dialect).Include(include.New("books").Include(include.New("tags"))).OrderBy("id").Limit(2).Shape(shape)
				got, err := q.All(ctx, tdb.db)
				if err != nil {
					t.Fatalf("%s: %v", tdb.name, err)
				}
				b, _ := json.Marshal(got)
				p, err := q.Plan()
				if err != nil {
					t.Fatal(err)
				}
				sql := p.SQL
				for _, st := range p.Statements {
					sql += "\n" + st.SQL
				}
				return string(b), p.Why + "\n" + sql
			}
			want, plainSQL := load(plain)
			got, why := load(learned)
			if got != want || !strings.Contains(want, `"Title":"b"`) || strings.Contains(want, "Cy") {
				t.Errorf("%s, shape %d: learned schema loads\n%s\nthe plain one\n%s", tdb.name, shape, got, want)
			}
			hashed := strings.Contains(why, "matched by a hashed semi-join on their parents' keys: d_books(author_id)")
			if arrays := tdb.dialect.Features().AnyArray; hashed != arrays || (why == plainSQL) == arrays {
				t.Errorf("%s, shape %d: hashed semi-join %v, want %v (array parameters)\n%s", tdb.name, shape, hashed, arrays, why)
			}
		}
		// Check's advice names Learn where it changes the statements
		var probs *ddl.Problems
		if err := ddl.Check(ctx, tdb.db, plain, tdb.dialect); !errors.As(err, &probs) {
			t.Fatalf("%s: Check: %v", tdb.name, err)
		}
		advised := false
		for _, p := range probs.List {
			if p.Kind == ddl.MissingIndex {
				advised = strings.Contains(p.Message, "call ddl.Learn at start-up")
			}
		}
		if advised != tdb.dialect.Features().AnyArray {
			t.Errorf("%s: the missing index's advice names ddl.Learn: %v\n%v", tdb.name, advised, probs)
		}
		mustExec(t, tdb.db, `CREATE INDEX d_books_author_id_idx ON d_books (author_id)`)
		if err := ddl.Learn(ctx, tdb.db, learned, tdb.dialect); err != nil {
			t.Fatal(err)
		}
		if !learned.Indexed("d_books", []string{"author_id"}) {
			t.Errorf("%s: the index created later is not learned", tdb.name)
		}
	}
}
