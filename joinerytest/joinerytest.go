// Package joinerytest is a test kit for data layers written on joinery: from the nested
// values a query should return, it registers on a go-sqlmock mock the exact statements the
// query will send (SQL text, arguments) and the rows that fold back into those values, laid
// out for the statement's shape: a flat JOIN's rows (one per combination of included
// children, NULLs where there are none), a UNION ALL's branch-tagged rows with their
// ordinals, or one statement per branch for a pipeline.
//
//	db, mock, _ := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
//	want := []User{{ID: 1, Name: "ada", Posts: []Post{{ID: 10, UserID: 1, Title: "notes"}}}}
//	if _, err := joinerytest.ExpectAll(mock, usersWithPosts, want); err != nil {
//		t.Fatal(err)
//	}
//	got, err := LoadUsersWithPosts(ctx, db) // the data layer under test runs usersWithPosts.All
//	// got equals want; mock.ExpectationsWereMet() is nil
//
// The mock must compare SQL text exactly (sqlmock.QueryMatcherEqual): joinery's statements
// are not regular expressions.
//
// A fixture is what a database could return through the query. Columns the query selects
// only for identity or joining (a subset of Columns, a join table's keys) are not in the
// values, so the kit makes them up, distinct and linking where the fixture says. A fixture
// no database could return is an error wrapping ErrFixture: two siblings with the same key,
// an object with a NULL key, and in the shapes whose rows link to their parents by key
// (UNION ALL, pipeline) a child whose link column does not match its parent (a Post under
// User 1 whose UserID is 2). Included to-many lists come back non-nil: an empty or nil list
// in a fixture returns as an empty one.
//
// Over database/sql every statement of a pipeline runs on its own, one after another, in
// no transaction: the kit registers no Begin or Commit. A test that runs the query in a
// transaction of its own registers those around the kit's expectations.
package joinerytest

import (
	"database/sql/driver"
	"fmt"
	"reflect"
	"time"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/hydrate"
)

// Statement is one statement a query sends, with the rows it returns.
type Statement struct {
	SQL     string
	Args    []driver.Value
	Columns []string
	Rows    [][]driver.Value
}

// NewRows returns the statement's rows as sqlmock rows (made with mock's value converter),
// for a test that adds to them (RowError, CloseError) before registering them.
func (s Statement) NewRows(mock sqlmock.Sqlmock) *sqlmock.Rows {
	rows := mock.NewRows(s.Columns)
	for _, r := range s.Rows {
		rows.AddRow(r...)
	}
	return rows
}

// Expect registers the statement on mock: its exact SQL, its arguments, its rows.
func (s Statement) Expect(mock sqlmock.Sqlmock) *sqlmock.ExpectedQuery {
	e := mock.ExpectQuery(s.SQL)
	if len(s.Args) == 0 {
		e.WithoutArgs()
	} else {
		e.WithArgs(s.Args...)
	}
	return e.WillReturnRows(s.NewRows(mock))
}

// Queries are the expectations of a query's statements, in the order it runs them: one, or
// one per statement of a pipeline.
type Queries []*sqlmock.ExpectedQuery

// RowsWillBeClosed expects the rows of every statement to be closed.
func (qs Queries) RowsWillBeClosed() Queries {
	for _, e := range qs {
		e.RowsWillBeClosed()
	}
	return qs
}

// WillDelayFor delays every statement by d.
func (qs Queries) WillDelayFor(d time.Duration) Queries {
	for _, e := range qs {
		e.WillDelayFor(d)
	}
	return qs
}

// AllStatements returns the statements q.All and q.One send through database/sql (a
// *sql.DB, *sql.Conn, *sql.Tx, sqlx, sqlmock: the same on the driver connection and on
// database/sql's rows) and the rows that fold into want.
func AllStatements[T any](q joinery.Q[T], want []T) ([]Statement, error) {
	p, err := q.Plan()
	if err != nil {
		return nil, err
	}
	return planStatements(p, want)
}

// ExpectAll registers on mock the statements q.All sends and the rows that fold into want;
// nil or empty want: no rows.
func ExpectAll[T any](mock sqlmock.Sqlmock, q joinery.Q[T], want []T) (Queries, error) {
	sts, err := AllStatements(q, want)
	if err != nil {
		return nil, err
	}
	return expect(mock, sts), nil
}

// OneStatements returns the statements q.One sends (the roots limited to one, every child
// of that root loaded) and the rows that fold into want.
func OneStatements[T any](q joinery.Q[T], want T) ([]Statement, error) {
	p, err := q.PlanOne()
	if err != nil {
		return nil, err
	}
	return planStatements(p, []T{want})
}

// ExpectOneMissing registers on mock the statements q.One sends, returning no rows: One then
// returns joinery.ErrNoRows.
func ExpectOneMissing[T any](mock sqlmock.Sqlmock, q joinery.Q[T]) (Queries, error) {
	p, err := q.PlanOne()
	if err != nil {
		return nil, err
	}
	sts, err := planStatements(p, []T(nil))
	if err != nil {
		return nil, err
	}
	return expect(mock, sts), nil
}

// ExpectOne registers on mock the statements q.One sends and the rows that fold into want.
func ExpectOne[T any](mock sqlmock.Sqlmock, q joinery.Q[T], want T) (Queries, error) {
	sts, err := OneStatements(q, want)
	if err != nil {
		return nil, err
	}
	return expect(mock, sts), nil
}

// ExpectAllError registers on mock the first statement q.All sends, failing with err: the
// query stops there, whatever its shape. (q.One sends other statements: ExpectOneError.)
func ExpectAllError[T any](mock sqlmock.Sqlmock, q joinery.Q[T], err error) (*sqlmock.ExpectedQuery, error) {
	sts, perr := AllStatements(q, nil)
	if perr != nil {
		return nil, perr
	}
	return expectError(mock, sts[0], err), nil
}

// ExpectOneError registers on mock the first statement q.One sends (its roots under LIMIT 1),
// failing with err.
func ExpectOneError[T any](mock sqlmock.Sqlmock, q joinery.Q[T], err error) (*sqlmock.ExpectedQuery, error) {
	sts, perr := OneStatements(q, *new(T))
	if perr != nil {
		return nil, perr
	}
	return expectError(mock, sts[0], err), nil
}

// expectError registers st on mock, failing with err.
func expectError(mock sqlmock.Sqlmock, st Statement, err error) *sqlmock.ExpectedQuery {
	e := mock.ExpectQuery(st.SQL)
	if len(st.Args) == 0 {
		e.WithoutArgs()
	} else {
		e.WithArgs(st.Args...)
	}
	return e.WillReturnError(err)
}

// EachStatement returns the statement q.Each and q.Iter send (a flat JOIN ordered so that
// each root's rows are contiguous) and the rows that fold into want, one root at a time.
func EachStatement[T any](q joinery.Q[T], want []T) (Statement, error) {
	p, err := eachPlan(q)
	if err != nil {
		return Statement{}, err
	}
	sts, err := planStatements(p, want)
	if err != nil {
		return Statement{}, err
	}
	return sts[0], nil
}

// ExpectEach registers on mock the statement q.Each (or q.Iter) sends and the rows that fold
// into want.
func ExpectEach[T any](mock sqlmock.Sqlmock, q joinery.Q[T], want []T) (*sqlmock.ExpectedQuery, error) {
	st, err := EachStatement(q, want)
	if err != nil {
		return nil, err
	}
	return st.Expect(mock), nil
}

// CountStatement returns the statement q.Count sends and its one row: n.
func CountStatement[T any](q joinery.Q[T], n int64) (Statement, error) {
	sqlText, args, err := q.CountSql()
	if err != nil {
		return Statement{}, err
	}
	dargs, err := driverArgs(args)
	if err != nil {
		return Statement{}, err
	}
	return Statement{SQL: sqlText, Args: dargs, Columns: []string{"count"}, Rows: [][]driver.Value{{n}}}, nil
}

// ExpectCount registers on mock the statement q.Count sends, returning n.
func ExpectCount[T any](mock sqlmock.Sqlmock, q joinery.Q[T], n int64) (*sqlmock.ExpectedQuery, error) {
	st, err := CountStatement(q, n)
	if err != nil {
		return nil, err
	}
	return st.Expect(mock), nil
}

func expect(mock sqlmock.Sqlmock, sts []Statement) Queries {
	out := make(Queries, len(sts))
	for i, st := range sts {
		out[i] = st.Expect(mock)
	}
	return out
}

// eachPlan is the plan q.Each runs (the flat shape, each root's rows contiguous).
func eachPlan[T any](q joinery.Q[T]) (*builder.Plan, error) { return q.PlanEach() }

// planStatements lays want out as the rows of p's statements.
func planStatements(p *builder.Plan, want any) ([]Statement, error) {
	cols := p.ResultColumns()
	if len(p.Statements) == 0 {
		rows, err := Rows(p.Map, cols, want)
		if err != nil {
			return nil, err
		}
		args, err := driverArgs(p.Args)
		if err != nil {
			return nil, err
		}
		return []Statement{{SQL: p.SQL, Args: args, Columns: cols, Rows: rows}}, nil
	}
	// a pipeline: the branch-tagged result, split by branch, each statement carrying the
	// result columns its Part names
	all, err := Rows(p.Map, cols, want)
	if err != nil {
		return nil, err
	}
	bi := -1
	for i, c := range cols {
		if c == p.Map.Branch {
			bi = i
		}
	}
	if bi < 0 {
		return nil, fmt.Errorf("joinerytest: the pipeline's columns %v lack the branch column %q", cols, p.Map.Branch)
	}
	out := make([]Statement, 0, len(p.Statements))
	for i, st := range p.Statements {
		args, err := driverArgs(st.Args)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i+1, err)
		}
		if p.Shape == builder.ShapeLevels && st.Keys.From >= 0 {
			// a per-level statement: its parent statement's keys, as joinery sends them
			// over database/sql; none, and it is not sent
			ok, err := levelKeys(p, st, all, bi, args)
			if err != nil {
				return nil, fmt.Errorf("statement %d: %w", i+1, err)
			}
			if !ok {
				continue
			}
		}
		s := Statement{SQL: st.SQL, Args: args}
		for _, c := range st.Part.Cols {
			s.Columns = append(s.Columns, cols[c])
		}
		for _, r := range all {
			if r[bi] != int64(st.Part.Branch) {
				continue
			}
			vals := make([]driver.Value, len(st.Part.Cols))
			for j, c := range st.Part.Cols {
				vals[j] = r[c]
			}
			s.Rows = append(s.Rows, vals)
		}
		out = append(out, s)
	}
	return out, nil
}

// levelKeys puts in args the keys of a ShapeLevels statement st: the distinct tuples of
// non-NULL values of its key columns in the rows of its parent's branch, in order, one
// array per column, as the array literals joinery sends over database/sql
// (joinery.ArrayLiteral). ok is false when there is none: joinery then does not send st.
func levelKeys(p *builder.Plan, st builder.Statement, all [][]driver.Value, bi int, args []driver.Value) (ok bool, err error) {
	if len(st.KeyArgs) != len(st.Keys.Cols) {
		return false, fmt.Errorf("joinerytest: a per-level statement with %d key columns and %d key arguments", len(st.Keys.Cols), len(st.KeyArgs))
	}
	parent := int64(p.Statements[st.Keys.From].Part.Branch)
	arrays := make([][]any, len(st.Keys.Cols))
	seen := map[string]bool{}
rows:
	for _, r := range all {
		if r[bi] != parent {
			continue
		}
		tuple := make([]any, len(st.Keys.Cols))
		for k, c := range st.Keys.Cols {
			v := any(r[c])
			if v == nil {
				continue rows
			}
			if b, isBytes := v.([]byte); isBytes {
				v = string(b)
			}
			tuple[k] = v
		}
		id := fmt.Sprintf("%#v", tuple)
		if seen[id] {
			continue
		}
		seen[id] = true
		for k, v := range tuple {
			arrays[k] = append(arrays[k], v)
		}
	}
	if len(arrays[0]) == 0 {
		return false, nil
	}
	for k, a := range st.KeyArgs {
		lit, err := joinery.ArrayLiteral(arrays[k])
		if err != nil {
			return false, err
		}
		args[a] = lit
	}
	return true, nil
}

// driverArgs are a statement's arguments for sqlmock's WithArgs. A joinery.Param left
// unbound would fail at the driver; it is an error here.
func driverArgs(args []any) ([]driver.Value, error) {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		if p, ok := a.(joinery.Param); ok {
			return nil, fmt.Errorf("joinerytest: parameter %q is not bound: expect the query with its values bound (q.Bind), as the data layer runs it", string(p))
		}
		out[i] = a
	}
	return out, nil
}

// Rows lays want, the values a fold of m should return (a slice of the root's structs, of
// pointers to them, or of maps), out as the rows of a statement with the given result
// columns: flat rows for a flat map, branch-tagged rows (m.Branch, and m.Ordinal numbering
// each branch in the order of want) for a map of branches. Every column of m must be among
// columns; result columns m does not name are NULL. It serves handwritten SQL folded with
// hydrate as well as joinery's plans.
func Rows(m *hydrate.Map, columns []string, want any) ([][]driver.Value, error) {
	t, err := newTree(m)
	if err != nil {
		return nil, err
	}
	rv := reflect.ValueOf(want)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	switch {
	case want == nil || (rv.Kind() == reflect.Slice && rv.IsNil()):
		rv = reflect.ValueOf([]any{})
	case rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array:
		return nil, fmt.Errorf("joinerytest: want a slice of the query's results, got %T", want)
	}
	if err := t.read(rv); err != nil {
		return nil, err
	}
	t.resolve()
	if err := t.check(); err != nil {
		return nil, err
	}
	pos := map[string]int{}
	for i, c := range columns {
		pos[c] = i
	}
	mapCols := m.Columns()
	at := make([]int, len(mapCols))
	for j, c := range mapCols {
		i, ok := pos[c]
		if !ok {
			return nil, fmt.Errorf("joinerytest: the map's column %q is not among the result columns %v", c, columns)
		}
		at[j] = i
	}
	var rows []row
	bi, oi := -1, -1
	if t.union {
		var ok bool
		if bi, ok = pos[m.Branch]; !ok {
			return nil, fmt.Errorf("joinerytest: the branch column %q is not among the result columns %v", m.Branch, columns)
		}
		if m.Ordinal != "" {
			if oi, ok = pos[m.Ordinal]; !ok {
				return nil, fmt.Errorf("joinerytest: the ordinal column %q is not among the result columns %v", m.Ordinal, columns)
			}
		}
		rows = t.branchRows(oi >= 0)
	} else {
		rows = t.flatRows()
	}
	out := make([][]driver.Value, len(rows))
	for k, r := range rows {
		vals := make([]driver.Value, len(columns))
		for j, v := range r.vals {
			vals[at[j]] = v
		}
		if bi >= 0 {
			vals[bi] = int64(r.branch)
		}
		if oi >= 0 {
			vals[oi] = r.ordinal
		}
		out[k] = vals
	}
	return out, nil
}
