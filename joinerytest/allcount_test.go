package joinerytest_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/joinerytest"
)

// ExpectAllAndCount registers what AllAndCount sends over a *sql.DB in every shape and
// dialect: the page of want and the count n, in one transaction; AllAndCountStatements, the
// same statements inside a caller's transaction.
func TestExpectAllAndCount(t *testing.T) {
	s := booksSchema(t)
	ctx := context.Background()
	page := books()[1:]
	for _, d := range allDialects {
		for _, shape := range allShapes {
			t.Run(d.Name()+"/"+shape.String(), func(t *testing.T) {
				q := joinery.Query[Book](s, d).Include("writer", include.New("chapters").Order("id")).OrderBy("id").Limit(2).Offset(1).Shape(shape)
				p, err := q.Plan()
				if err != nil {
					t.Fatal(err)
				}
				db, mock := newMock(t)
				exp, err := joinerytest.ExpectAllAndCount(mock, q, page, 40)
				if err != nil {
					t.Fatal(err)
				}
				if n := 1 + max(1, len(p.Statements)); len(exp) != n {
					t.Fatalf("%d expectations for %d statements", len(exp), n)
				}
				exp.RowsWillBeClosed()
				got, n, err := q.AllAndCount(ctx, db)
				if err != nil || n != 40 || !reflect.DeepEqual(got, page) {
					t.Fatalf("got %s, %d, %v", jsonOf(t, got), n, err)
				}
				met(t, mock)

				sts, err := joinerytest.AllAndCountStatements(q, page, 40)
				if err != nil {
					t.Fatal(err)
				}
				mock.ExpectBegin()
				for _, st := range sts {
					st.Expect(mock)
				}
				mock.ExpectCommit()
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				got, n, err = q.AllAndCount(ctx, tx)
				if err != nil || n != 40 || !reflect.DeepEqual(got, page) {
					t.Fatalf("in a transaction: got %s, %d, %v", jsonOf(t, got), n, err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				met(t, mock)
			})
		}
	}
}
