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
// the test registers). An operation that reads first (add and set of a belongsToMany,
// generated keys) is an error: register its statements with ExpectWriteSteps.
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
	return expectSteps(mock, p.Transaction && !inTx, steps)
}

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
	return expectSteps(mock, tx, steps)
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
	return expectSteps(mock, false, []WriteStep{{Statement: p.Statements[0], Columns: []string{"count"}, Rows: [][]driver.Value{{n}}}})
}

func expectSteps(mock sqlmock.Sqlmock, tx bool, steps []WriteStep) error {
	if tx {
		mock.ExpectBegin()
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
	if tx {
		mock.ExpectCommit()
	}
	return nil
}
