package hydrate_test

import (
	"database/sql"
	"reflect"
	"testing"

	"github.com/joinery/joinery/hydrate"
)

// memRows replays rows from memory: the hydrator alone, no driver.
type memRows struct {
	cols []string
	data [][]any
	i    int
}

func (m *memRows) Columns() ([]string, error) { return m.cols, nil }
func (m *memRows) Next() bool                 { m.i++; return m.i <= len(m.data) }
func (m *memRows) Err() error                 { return nil }
func (m *memRows) Close() error               { return nil }
func (m *memRows) Scan(dest ...any) error {
	for i, d := range dest {
		if err := d.(sql.Scanner).Scan(m.data[m.i-1][i]); err != nil {
			return err
		}
	}
	return nil
}

type aUser struct {
	ID    int64   `db:"id"`
	Posts []aPost `db:"-"`
}

type aPost struct {
	ID    int64  `db:"id"`
	Title string `db:"title"`
}

// A flat fold of 1,000 users x 10 posts allocates about one slice per user, not one per
// doubling: the first slice of a parent is sized by the average so far.
func TestFoldAllocations(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{Name: "User", Type: reflect.TypeOf(aUser{}), Key: []int{0},
		Cols: []hydrate.Col{{Column: "u", Field: "id"}},
		Children: []*hydrate.Node{{Path: "posts", Field: "Posts", Type: reflect.TypeOf(aPost{}), Many: true, Key: []int{0},
			Cols: []hydrate.Col{{Column: "p", Field: "id"}, {Column: "t", Field: "title"}}}}}}
	var data [][]any
	for u := int64(1); u <= 1000; u++ {
		for p := int64(0); p < 10; p++ {
			data = append(data, []any{u, u*100 + p, "title"})
		}
	}
	allocs := testing.AllocsPerRun(5, func() {
		users, err := hydrate.All[aUser](&memRows{cols: []string{"u", "p", "t"}, data: data}, m)
		if err != nil || len(users) != 1000 || len(users[999].Posts) != 10 {
			t.Fatalf("%d %v", len(users), err)
		}
	})
	t.Logf("%.0f allocations for 1,000 users x 10 posts", allocs)
	if allocs > 2500 {
		t.Fatalf("%.0f allocations: more than about two per user", allocs)
	}
}
