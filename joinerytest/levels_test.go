package joinerytest_test

import (
	"context"
	"reflect"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/joinerytest"
)

// The kit registers a ShapeLevels plan's statements with the parent keys joinery sends
// over database/sql (an array literal per include), and none for an include whose parent
// returned nothing; with roots that go with their includes (no root filter: the chapters
// by a semi-join on the books), the include's statement whatever the roots.
func TestLevelsShape(t *testing.T) {
	s := booksSchema(t)
	ctx := context.Background()
	all := joinery.Query[Book](s, dialects.Postgres).Include("writer", include.New("chapters").Order("id")).Shape(joinery.ShapeLevels)
	filtered := all.Where(sq.Gt{"id": 0})
	for _, c := range []struct {
		q          joinery.Q[Book]
		want       []Book
		statements int
	}{{filtered, books(), 3}, {filtered, nil, 1}, {all, books(), 3}, {all, nil, 2}} {
		q, want := c.q, c.want
		if want == nil {
			want = []Book{}
		}
		db, mock := newMock(t)
		exp, err := joinerytest.ExpectAll(mock, q, want)
		if err != nil {
			t.Fatal(err)
		}
		if len(exp) != c.statements {
			t.Fatalf("%d expectations, want %d", len(exp), c.statements)
		}
		exp.RowsWillBeClosed()
		got, err := q.All(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 && len(got) == 0 {
			got = want
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %s\nwant %s", jsonOf(t, got), jsonOf(t, want))
		}
		met(t, mock)
	}
}
