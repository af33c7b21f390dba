package hydrate_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery/hydrate"
)

// Levels opens each part with the distinct non-NULL keys its parent part's rows brought, in
// arrival order, once that part is read; parts with one source share its keys; the fold is
// the one Parts gives.
func TestLevels(t *testing.T) {
	cols := []string{"jb", "jo", "u", "p", "pu", "pa", "t", "tp", "a"}
	parts := []hydrate.Part{{Branch: 0, Cols: []int{2}}, {Branch: 1, Cols: []int{3, 4, 5}}, {Branch: 2, Cols: []int{6, 7}}, {Branch: 3, Cols: []int{8}}}
	// posts link to users by u (col 2); tags to posts by p (3); the author by pa (5)
	keys := []hydrate.Keys{{From: -1}, {From: 0, Cols: []int{2}}, {From: 1, Cols: []int{3}}, {From: 1, Cols: []int{5}}}
	data := []*sqlmock.Rows{
		sqlmock.NewRows([]string{"u"}).AddRow(2).AddRow(1),
		sqlmock.NewRows([]string{"p", "pu", "pa"}).AddRow(10, 1, 1).AddRow(11, 1, 1),
		sqlmock.NewRows([]string{"t", "tp"}).AddRow(7, 10).AddRow(8, 10).AddRow(7, 11),
		sqlmock.NewRows([]string{"a"}).AddRow(1),
	}
	var got [][]any
	rows, err := hydrate.Levels(branchMap(), cols, parts, keys, func(i int, arrays []any) (hydrate.Rows, error) {
		got = append(got, arrays)
		return query(t, data[i]), nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	foldBranches(t, rows)
	want := [][]any{nil, {[]int64{2, 1}}, {[]int64{10, 11}}, {[]int64{1}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
}

// A part whose parent rows bring no key is not opened: it has no rows (no post: neither
// the tags' nor the author's statement runs).
func TestLevelsNoKeys(t *testing.T) {
	cols := []string{"jb", "jo", "u", "p", "pu", "pa", "t", "tp", "a"}
	parts := []hydrate.Part{{Branch: 0, Cols: []int{2}}, {Branch: 1, Cols: []int{3, 4, 5}}, {Branch: 2, Cols: []int{6, 7}}, {Branch: 3, Cols: []int{8}}}
	keys := []hydrate.Keys{{From: -1}, {From: 0, Cols: []int{2}}, {From: 1, Cols: []int{3}}, {From: 1, Cols: []int{5}}}
	data := []*sqlmock.Rows{sqlmock.NewRows([]string{"u"}).AddRow(2), sqlmock.NewRows([]string{"p", "pu", "pa"})}
	var opened []int
	rows, err := hydrate.Levels(branchMap(), cols, parts, keys, func(i int, arrays []any) (hydrate.Rows, error) {
		opened = append(opened, i)
		return query(t, data[i]), nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	users, err := hydrate.All[uUser](rows, branchMap())
	if err != nil || len(users) != 1 || !reflect.DeepEqual(opened, []int{0, 1}) {
		t.Fatalf("users %v, opened %v, %v", users, opened, err)
	}
}

func TestLevelsErrors(t *testing.T) {
	cols := []string{"jb", "jo", "u", "p", "pu", "pa", "t", "tp", "a"}
	parts := []hydrate.Part{{Branch: 0, Cols: []int{2}}, {Branch: 1, Cols: []int{3, 4, 5}}, {Branch: 2, Cols: []int{6, 7}}, {Branch: 3, Cols: []int{8}}}
	open := func(int, []any) (hydrate.Rows, error) { return nil, errors.New("unused") }
	for _, c := range []struct {
		keys []hydrate.Keys
		want string
	}{
		{[]hydrate.Keys{{From: -1}}, "4 parts and 1 key sources"},
		{[]hydrate.Keys{{From: -1}, {From: 1, Cols: []int{2}}, {From: 1}, {From: 1}}, "does not come before it"},
		{[]hydrate.Keys{{From: -1}, {From: 0}, {From: 1, Cols: []int{3}}, {From: 1, Cols: []int{5}}}, "from no column"},
		{[]hydrate.Keys{{From: -1}, {From: 0, Cols: []int{3}}, {From: 1, Cols: []int{3}}, {From: 1, Cols: []int{5}}}, "which part 0 does not send"},
	} {
		_, err := hydrate.Levels(branchMap(), cols, parts, c.keys, open, nil)
		if !errors.Is(err, hydrate.ErrColumns) || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%v: %v, want %q", c.keys, err, c.want)
		}
	}
}
