package joinerytest

import (
	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery"
)

// AllAndCountStatements returns the statements q.AllAndCount sends, in the order it sends
// them: the count (its one row: n), then the statements of q.All with the rows that fold
// into want. n is the number of roots the whole query matches, not len(want): the page is
// limited, the count is not.
func AllAndCountStatements[T any](q joinery.Q[T], want []T, n int64) ([]Statement, error) {
	count, err := CountStatement(q, n)
	if err != nil {
		return nil, err
	}
	page, err := AllStatements(q, want)
	if err != nil {
		return nil, err
	}
	return append([]Statement{count}, page...), nil
}

// ExpectAllAndCount registers on mock what q.AllAndCount sends over a *sql.DB (sqlmock's DB
// is one): the beginning of its read-only transaction, the count returning n, the
// statements of q.All returning the rows that fold into want, and the commit. The Queries
// returned are the count's and then All's. A data layer that runs AllAndCount in a
// transaction of its own (a *sql.Tx: no BEGIN or COMMIT of AllAndCount's) is tested with
// AllAndCountStatements registered between the test's own ExpectBegin and ExpectCommit.
func ExpectAllAndCount[T any](mock sqlmock.Sqlmock, q joinery.Q[T], want []T, n int64) (Queries, error) {
	sts, err := AllAndCountStatements(q, want, n)
	if err != nil {
		return nil, err
	}
	mock.ExpectBegin()
	qs := expect(mock, sts)
	mock.ExpectCommit()
	return qs, nil
}
