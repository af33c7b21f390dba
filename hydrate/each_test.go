package hydrate_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery/hydrate"
)

type eUser struct {
	ID    int64   `db:"id"`
	Posts []ePost `db:"-"`
}

type ePost struct {
	ID int64 `db:"id"`
}

func eMap() *hydrate.Map {
	return &hydrate.Map{Root: &hydrate.Node{Name: "User", Type: reflect.TypeOf(eUser{}), Key: []int{0},
		Cols: []hydrate.Col{{Column: "u", Field: "id"}},
		Children: []*hydrate.Node{{Path: "posts", Field: "Posts", Type: reflect.TypeOf(ePost{}), Many: true, Key: []int{0},
			Cols: []hydrate.Col{{Column: "p", Field: "id"}}}}}}
}

func TestEachHandsOutOneRootAtATime(t *testing.T) {
	rows := query(t, sqlmock.NewRows([]string{"u", "p"}).AddRow(1, 10).AddRow(1, 11).AddRow(2, nil).AddRow(3, 30))
	var got []eUser
	err := hydrate.Each(rows, eMap(), func(u eUser) error {
		got = append(got, u)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []eUser{{ID: 1, Posts: []ePost{{10}, {11}}}, {ID: 2, Posts: []ePost{}}, {ID: 3, Posts: []ePost{{30}}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v", got)
	}
	// each root is its own value: the first is not overwritten by the next
	if got[0].Posts[1].ID != 11 {
		t.Fatalf("first root changed: %+v", got[0])
	}
}

func TestEachStopsOnError(t *testing.T) {
	rows := query(t, sqlmock.NewRows([]string{"u", "p"}).AddRow(1, 10).AddRow(2, 20))
	stop := errors.New("stop")
	n := 0
	err := hydrate.Each(rows, eMap(), func(eUser) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("got %v after %d", err, n)
	}
}

func TestEachMapForm(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{Name: "User", Key: []int{0}, Cols: []hydrate.Col{{Column: "u", Field: "id", Kind: hydrate.Int}},
		Children: []*hydrate.Node{{Path: "posts", Field: "posts", Many: true, Key: []int{0}, Cols: []hydrate.Col{{Column: "p", Field: "id", Kind: hydrate.Int}}}}}}
	rows := query(t, sqlmock.NewRows([]string{"u", "p"}).AddRow(1, 10).AddRow(2, 20).AddRow(2, 21))
	var got []map[string]any
	if err := hydrate.Each(rows, m, func(v map[string]any) error { got = append(got, v); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[1]["posts"].([]any)) != 2 || got[0]["id"] != int64(1) {
		t.Fatalf("got %v", got)
	}
}
