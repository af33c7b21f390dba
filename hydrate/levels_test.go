package hydrate_test

import (
	"errors"
	"fmt"
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

// LevelsBatched hands the runner waves: the roots first (sent before it returns), then, when
// the fold needs the next part, that part and every later one whose keys are read (the tags
// and the authors of the posts together); a wave with nothing to send (no post: no keys for
// the tags or the authors) is not sent; Last marks the wave that ends the parts. The fold
// is Levels's, and a wave that fails to send fails the read, naming the statement.
func TestLevelsBatched(t *testing.T) {
	cols := []string{"jb", "jo", "u", "p", "pu", "pa", "t", "tp", "a"}
	parts := []hydrate.Part{{Branch: 0, Cols: []int{2}}, {Branch: 1, Cols: []int{3, 4, 5}}, {Branch: 2, Cols: []int{6, 7}}, {Branch: 3, Cols: []int{8}}}
	keys := []hydrate.Keys{{From: -1}, {From: 0, Cols: []int{2}}, {From: 1, Cols: []int{3}}, {From: 1, Cols: []int{5}}}
	if ends := []int{hydrate.WaveEnd(keys, 0), hydrate.WaveEnd(keys, 1), hydrate.WaveEnd(keys, 2)}; !reflect.DeepEqual(ends, []int{1, 2, 4}) {
		t.Fatalf("wave ends %v", ends)
	}
	run := func(data []*sqlmock.Rows, failAt int) ([]hydrate.Wave, []uUser, error) {
		var waves []hydrate.Wave
		rows, err := hydrate.LevelsBatched(branchMap(), cols, parts, keys, func(w hydrate.Wave) (func() (hydrate.Rows, error), error) {
			waves = append(waves, w)
			if len(waves) == failAt {
				return nil, errors.New("the batch failed")
			}
			k := 0
			return func() (hydrate.Rows, error) {
				i := w.Parts[k]
				k++
				return query(t, data[i]), nil
			}, nil
		}, nil)
		if err != nil {
			return waves, nil, err
		}
		if len(waves) != 1 {
			t.Fatalf("LevelsBatched returned after sending %d waves, want the roots' one", len(waves))
		}
		users, err := hydrate.All[uUser](rows, branchMap())
		return waves, users, err
	}
	data := func(posts bool) []*sqlmock.Rows {
		p := sqlmock.NewRows([]string{"p", "pu", "pa"})
		if posts {
			p.AddRow(10, 1, 1).AddRow(11, 1, 1)
		}
		return []*sqlmock.Rows{
			sqlmock.NewRows([]string{"u"}).AddRow(2).AddRow(1), p,
			sqlmock.NewRows([]string{"t", "tp"}).AddRow(7, 10).AddRow(8, 10).AddRow(7, 11),
			sqlmock.NewRows([]string{"a"}).AddRow(1),
		}
	}
	waves, users, err := run(data(true), 0)
	if err != nil || len(users) != 2 {
		t.Fatalf("users %v, %v", users, err)
	}
	want := []hydrate.Wave{
		{Parts: []int{0}, Arrays: [][]any{nil}},
		{Parts: []int{1}, Arrays: [][]any{{[]int64{2, 1}}}},
		{Parts: []int{2, 3}, Arrays: [][]any{{[]int64{10, 11}}, {[]int64{1}}}, Last: true},
	}
	if !reflect.DeepEqual(waves, want) {
		t.Fatalf("waves\n%+v\nwant\n%+v", waves, want)
	}
	// no posts: the third wave is not sent
	if waves, users, err = run(data(false), 0); err != nil || len(users) != 2 || len(waves) != 2 || waves[1].Last {
		t.Fatalf("no posts: waves %+v, users %v, %v", waves, users, err)
	}
	for _, at := range []int{1, 2} {
		if _, _, err := run(data(true), at); err == nil || !strings.Contains(err.Error(), "the batch failed") || !strings.Contains(err.Error(), fmt.Sprintf("statement %d of 4", at)) {
			t.Fatalf("a failed wave %d: %v", at, err)
		}
	}
	if _, err := hydrate.LevelsBatched(branchMap(), cols, parts, keys, nil, nil); err == nil {
		t.Fatal("a nil send is accepted")
	}
}

// Keys.Distinct: the parent rows' own keys are collected without a set, as they come (a
// repeated value, which a table without a key constraint can send, only lengthens the
// array); without it each value once.
func TestLevelsDistinctKeys(t *testing.T) {
	cols := []string{"jb", "jo", "u", "p", "pu", "pa", "t", "tp", "a"}
	parts := []hydrate.Part{{Branch: 0, Cols: []int{2}}, {Branch: 1, Cols: []int{3, 4, 5}}, {Branch: 2, Cols: []int{6, 7}}, {Branch: 3, Cols: []int{8}}}
	for _, distinct := range []bool{true, false} {
		keys := []hydrate.Keys{{From: -1}, {From: 0, Cols: []int{2}, Distinct: distinct}, {From: 1, Cols: []int{3}}, {From: 1, Cols: []int{5}}}
		data := []*sqlmock.Rows{
			sqlmock.NewRows([]string{"u"}).AddRow(2).AddRow(1).AddRow(2),
			sqlmock.NewRows([]string{"p", "pu", "pa"}).AddRow(10, 1, 1),
			sqlmock.NewRows([]string{"t", "tp"}),
			sqlmock.NewRows([]string{"a"}).AddRow(1),
		}
		var got []any
		rows, err := hydrate.Levels(branchMap(), cols, parts, keys, func(i int, arrays []any) (hydrate.Rows, error) {
			if i == 1 {
				got = arrays
			}
			return query(t, data[i]), nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		users, err := hydrate.All[uUser](rows, branchMap())
		if err != nil || len(users) != 2 {
			t.Fatalf("users %v, %v", users, err)
		}
		want := []any{[]int64{2, 1}}
		if distinct {
			want = []any{[]int64{2, 1, 2}}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("distinct %v: keys %v, want %v", distinct, got, want)
		}
	}
}
