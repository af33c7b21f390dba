package joinerytest

import (
	"database/sql/driver"
	"fmt"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery/write"
)

// Planner is a write operation: a write.Op or a write.CreateOp.
type Planner interface {
	Plan() (write.Plan, error)
}

// ExpectWrite registers on mock the statements a write operation that reads nothing sends
// (a belongsToMany remove, a hasMany add or set, a belongsTo set, a nested create whose
// keys are all given), each with its exact SQL and arguments, each reporting one row
// affected; inside Begin and Commit when the operation, handed a pool, opens a transaction
// (pass inTx when the data layer runs it in a *sql.Tx of its own, whose Begin and Commit
// the test registers: an operation of several statements then runs inside a savepoint,
// SAVEPOINT joinery_write .. RELEASE SAVEPOINT joinery_write, which this registers too).
// An operation that reads first (add and set of a belongsToMany, generated keys) is an
// error: register its statements with ExpectWriteSteps.
func ExpectWrite(mock sqlmock.Sqlmock, op Planner, inTx bool) error {
	p, err := op.Plan()
	if err != nil {
		return err
	}
	if !p.Complete {
		return fmt.Errorf("joinerytest: the operation reads before it writes (%d statements known); use ExpectWriteSteps", len(p.Statements))
	}
	steps := make([]WriteStep, len(p.Statements))
	for i, st := range p.Statements {
		steps[i] = WriteStep{Statement: st, Affected: 1}
	}
	switch {
	case p.Transaction && inTx:
		return expectSteps(mock, inSavepoint, steps)
	case p.Transaction:
		return expectSteps(mock, inOwnTx, steps)
	}
	return expectSteps(mock, bare, steps)
}

// How an operation's statements are wrapped.
const (
	bare        = iota
	inOwnTx     // Begin .. Commit: the operation, handed a pool, opened a transaction
	inSavepoint // SAVEPOINT .. RELEASE: in the caller's transaction
)

// WriteStep is one statement of a write operation with what the database answers: rows
// (Columns, Rows) for a read or an INSERT .. RETURNING, else rows affected and the last
// insert id.
type WriteStep struct {
	write.Statement
	Columns  []string
	Rows     [][]driver.Value
	Affected int64
	LastID   int64
}

// ExpectWriteSteps registers the steps of an operation as the test spells them out (the
// statements after a read depend on its rows), inside Begin and Commit when tx is set. The
// SQL and arguments of the steps the operation's Plan already knows must agree with it.
func ExpectWriteSteps(mock sqlmock.Sqlmock, op Planner, tx bool, steps ...WriteStep) error {
	p, err := op.Plan()
	if err != nil {
		return err
	}
	mode := bare
	if tx {
		mode = inOwnTx
	}
	return expectPlanned(mock, p, mode, steps)
}

// ExpectWriteStepsInTx registers the steps of an operation run in the test's own *sql.Tx:
// an operation of several statements inside SAVEPOINT joinery_write .. RELEASE SAVEPOINT
// joinery_write, one of one statement as it is.
func ExpectWriteStepsInTx(mock sqlmock.Sqlmock, op Planner, steps ...WriteStep) error {
	p, err := op.Plan()
	if err != nil {
		return err
	}
	mode := bare
	if p.Transaction {
		mode = inSavepoint
	}
	return expectPlanned(mock, p, mode, steps)
}

// expectPlanned checks steps against an operation's plan p and registers them wrapped as
// mode says.
func expectPlanned(mock sqlmock.Sqlmock, p write.Plan, mode int, steps []WriteStep) error {
	for i, st := range p.Statements {
		if i >= len(steps) {
			return fmt.Errorf("joinerytest: the operation runs at least %d statements, %d given", len(p.Statements), len(steps))
		}
		if steps[i].SQL != st.SQL {
			return fmt.Errorf("joinerytest: statement %d is\n\t%s\nnot\n\t%s", i+1, st.SQL, steps[i].SQL)
		}
		if fmt.Sprint(steps[i].Args) != fmt.Sprint(st.Args) {
			return fmt.Errorf("joinerytest: statement %d has arguments %v, not %v", i+1, st.Args, steps[i].Args)
		}
	}
	return expectSteps(mock, mode, steps)
}

// ExpectWriteCount registers the statement of a count (or has) operation, returning n (for
// has: the number of the given targets found).
func ExpectWriteCount(mock sqlmock.Sqlmock, op Planner, n int64) error {
	p, err := op.Plan()
	if err != nil {
		return err
	}
	if len(p.Statements) != 1 {
		return fmt.Errorf("joinerytest: a count or has runs one statement, this operation %d", len(p.Statements))
	}
	return expectSteps(mock, bare, []WriteStep{{Statement: p.Statements[0], Columns: []string{"count"}, Rows: [][]driver.Value{{n}}}})
}

func expectSteps(mock sqlmock.Sqlmock, mode int, steps []WriteStep) error {
	switch mode {
	case inOwnTx:
		mock.ExpectBegin()
	case inSavepoint:
		mock.ExpectExec("SAVEPOINT joinery_write").WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 0))
	}
	for _, s := range steps {
		args, err := driverArgs(s.Args)
		if err != nil {
			return err
		}
		if s.Columns != nil {
			e := mock.ExpectQuery(s.SQL)
			if len(args) == 0 {
				e.WithoutArgs()
			} else {
				e.WithArgs(args...)
			}
			rows := mock.NewRows(s.Columns)
			for _, r := range s.Rows {
				rows.AddRow(r...)
			}
			e.WillReturnRows(rows)
			continue
		}
		e := mock.ExpectExec(s.SQL)
		if len(args) == 0 {
			e.WithoutArgs()
		} else {
			e.WithArgs(args...)
		}
		e.WillReturnResult(sqlmock.NewResult(s.LastID, s.Affected))
	}
	switch mode {
	case inOwnTx:
		mock.ExpectCommit()
	case inSavepoint:
		mock.ExpectExec("RELEASE SAVEPOINT joinery_write").WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 0))
	}
	return nil
}
