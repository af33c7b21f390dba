package hydrate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery/hydrate"
)

// Parts folds several statements, one per branch, each sending only its own columns, as one
// branch-tagged result: the same nested value as the UNION ALL form. A column no part sends
// (the ordinal here) reads as NULL: rows keep their arrival order.
func TestParts(t *testing.T) {
	cols := []string{"jb", "jo", "u", "p", "pu", "pa", "t", "tp", "a"}
	parts := []hydrate.Part{{Branch: 0, Cols: []int{2}}, {Branch: 1, Cols: []int{3, 4, 5}}, {Branch: 2, Cols: []int{6, 7}}, {Branch: 3, Cols: []int{8}}}
	data := []*sqlmock.Rows{
		sqlmock.NewRows([]string{"u"}).AddRow(2).AddRow(1),
		sqlmock.NewRows([]string{"p", "pu", "pa"}).AddRow(10, 1, 1).AddRow(11, 1, 1),
		sqlmock.NewRows([]string{"t", "tp"}).AddRow(7, 10).AddRow(8, 10).AddRow(7, 11),
		sqlmock.NewRows([]string{"a"}).AddRow(1),
	}
	var opened []int
	done := 0
	rows, err := hydrate.Parts(branchMap(), cols, parts, func(i int) (hydrate.Rows, error) {
		opened = append(opened, i)
		return query(t, data[i]), nil
	}, func() error { done++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	foldBranches(t, rows)
	if len(opened) != 4 || done != 1 {
		t.Fatalf("opened %v, done called %d times", opened, done)
	}
}

func TestPartsErrors(t *testing.T) {
	cols := []string{"jb", "u", "p"}
	noop := func(int) (hydrate.Rows, error) { return nil, errors.New("unused") }
	if _, err := hydrate.Parts(&hydrate.Map{Branch: "branch"}, cols, []hydrate.Part{{Cols: []int{1}}}, noop, nil); !errors.Is(err, hydrate.ErrColumns) || !strings.Contains(err.Error(), `"branch"`) {
		t.Fatalf("missing branch column: %v", err)
	}
	if _, err := hydrate.Parts(&hydrate.Map{Branch: "jb"}, cols, []hydrate.Part{{Cols: []int{0}}}, noop, nil); !errors.Is(err, hydrate.ErrColumns) {
		t.Fatalf("a part sending the branch column: %v", err)
	}
	if _, err := hydrate.Parts(&hydrate.Map{Branch: "jb"}, cols, []hydrate.Part{{Cols: []int{3}}}, noop, nil); !errors.Is(err, hydrate.ErrColumns) {
		t.Fatalf("a part naming a column out of range: %v", err)
	}
	m := &hydrate.Map{Branch: "jb", Root: branchMap().Root}
	m.Root.Children = nil
	// a statement returning the wrong number of columns
	rows, err := hydrate.Parts(m, []string{"jb", "u"}, []hydrate.Part{{Branch: 0, Cols: []int{1}}}, func(int) (hydrate.Rows, error) {
		return query(t, sqlmock.NewRows([]string{"u", "x"}).AddRow(1, 2)), nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hydrate.All[uUser](rows, m); !errors.Is(err, hydrate.ErrColumns) || !strings.Contains(err.Error(), "returned 2 columns") {
		t.Fatalf("wrong column count: %v", err)
	}
	// a statement that cannot run: its number in the error
	boom := errors.New("boom")
	rows, err = hydrate.Parts(m, []string{"jb", "u"}, []hydrate.Part{{Branch: 0, Cols: []int{1}}}, func(int) (hydrate.Rows, error) { return nil, boom }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hydrate.All[uUser](rows, m); !errors.Is(err, boom) || !strings.Contains(err.Error(), "statement 1 of 1") {
		t.Fatalf("failing statement: %v", err)
	}
}

// A part that does not send the Map's ordinal reads it as NULL (its rows keep their arrival
// order), never as the previous part's last value.
func TestPartsOrdinalNotSent(t *testing.T) {
	m := &hydrate.Map{Branch: "jb", Ordinal: "jo", Root: &hydrate.Node{
		Name: "User", Type: typeOf[uUser](), Key: []int{0}, Branch: 0, Distinct: true,
		Cols: []hydrate.Col{{Column: "u", Field: "id"}},
	}}
	data := []*sqlmock.Rows{
		sqlmock.NewRows([]string{"jo", "u"}).AddRow(5, 1).AddRow(9, 2),
		sqlmock.NewRows([]string{"u"}).AddRow(3),
	}
	rows, err := hydrate.Parts(m, []string{"jb", "jo", "u"}, []hydrate.Part{{Branch: 0, Cols: []int{1, 2}}, {Branch: 0, Cols: []int{2}}},
		func(i int) (hydrate.Rows, error) { return query(t, data[i]), nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	users, err := hydrate.All[uUser](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	// user 3's ordinal is its arrival (3), not the 9 of the row before it
	if len(ids) != 3 || ids[0] != 3 || ids[1] != 1 || ids[2] != 2 {
		t.Fatalf("order %v, want [3 1 2]", ids)
	}
}
