package joinerytest_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/joinerytest"
)

// The kit registers a ShapeLevels plan's statements with the parent keys joinery sends
// over database/sql (an array literal per include), and none for an include whose parent
// returned nothing.
func TestLevelsShape(t *testing.T) {
	s := booksSchema(t)
	ctx := context.Background()
	q := joinery.Query[Book](s, dialects.Postgres).Include("writer", include.New("chapters").Order("id")).Shape(joinery.ShapeLevels)
	for _, want := range [][]Book{books(), {}} {
		db, mock := newMock(t)
		exp, err := joinerytest.ExpectAll(mock, q, want)
		if err != nil {
			t.Fatal(err)
		}
		if n := map[bool]int{true: 3, false: 1}[len(want) > 0]; len(exp) != n {
			t.Fatalf("%d expectations, want %d", len(exp), n)
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
