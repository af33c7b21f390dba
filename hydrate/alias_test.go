package hydrate_test

import (
	"database/sql/driver"
	"reflect"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery/hydrate"
)

type alUser struct {
	ID    int64    `db:"id"`
	Team  int64    `db:"team"`
	Posts []alPost `db:"-"`
}

type alPost struct {
	ID   int64 `db:"id"`
	Team int64 `db:"team"`
}

// aliasMap: users (branch 0) -> posts (branch 1) linked by team, a column that is not the
// users' key, so that two users of one team share one group of posts.
func aliasMap() *hydrate.Map {
	return &hydrate.Map{Branch: "jb", Root: &hydrate.Node{
		Name: "User", Type: reflect.TypeOf(alUser{}), Key: []int{0}, Branch: 0, Distinct: true,
		Cols: []hydrate.Col{{Column: "u", Field: "id"}, {Column: "ut", Field: "team"}},
		Children: []*hydrate.Node{{
			Path: "posts", Field: "Posts", Type: reflect.TypeOf(alPost{}), Many: true, Key: []int{0}, Branch: 1, Distinct: true,
			Cols: []hydrate.Col{{Column: "p", Field: "id"}, {Column: "pt", Field: "team"}},
			Link: []int{1}, ParentLink: []int{1},
		}},
	}}
}

// A node's objects become their parent's slice as they lie in the fold's arena when one
// parent alone links to them and they arrived one after another in one chunk; otherwise
// they are copied. Either way: the values are right, every slice's capacity is its length
// (an append reallocates, and changes no other slice), two parents never share elements,
// and a second fold of the same Map (whose lists start at the last fold's sizes, one chunk)
// gives the same result.
func TestFoldAliasesAdjacentObjects(t *testing.T) {
	cols := []string{"jb", "u", "ut", "p", "pt"}
	n := any(nil)
	var data [][]driver.Value
	// users 1 and 2 share team 10; user 3 is team 30, user 4 team 40
	for _, u := range [][2]int64{{1, 10}, {2, 10}, {3, 30}, {4, 40}} {
		data = append(data, []driver.Value{0, u[0], u[1], n, n})
	}
	// team 30: 100 posts in a row (across the first fold's chunk boundary at 64); team 40
	// and team 10: interleaved
	for i := range int64(100) {
		data = append(data, []driver.Value{1, n, n, 1000 + i, 30})
	}
	for i := range int64(6) {
		team := int64(40)
		if i%2 == 1 {
			team = 10
		}
		data = append(data, []driver.Value{1, n, n, 2000 + i, team})
	}
	m := aliasMap()
	check := func(users []alUser) {
		t.Helper()
		if len(users) != 4 || cap(users) != 4 {
			t.Fatalf("%d users, cap %d", len(users), cap(users))
		}
		want := map[int64][]int64{1: {2001, 2003, 2005}, 2: {2001, 2003, 2005}, 4: {2000, 2002, 2004}}
		for i := range int64(100) {
			want[3] = append(want[3], 1000+i)
		}
		for _, u := range users {
			var ids []int64
			for _, p := range u.Posts {
				ids = append(ids, p.ID)
			}
			if !reflect.DeepEqual(ids, want[u.ID]) || cap(u.Posts) != len(u.Posts) {
				t.Fatalf("user %d: posts %v (cap %d), want %v", u.ID, ids, cap(u.Posts), want[u.ID])
			}
		}
		if &users[0].Posts[0] == &users[1].Posts[0] {
			t.Fatal("two users share their posts' elements")
		}
		users[0].Posts[0].ID = -1
		if users[1].Posts[0].ID != 2001 {
			t.Fatal("a change to one user's post changed another's")
		}
		users[2].Posts = append(users[2].Posts, alPost{ID: -2})
		if users[3].Posts[0].ID != 2000 || len(users[3].Posts) != 3 {
			t.Fatalf("an append to one user's posts changed another's: %v", users[3].Posts)
		}
	}
	for fold := 1; fold <= 2; fold++ {
		rs := sqlmock.NewRows(cols)
		for _, r := range data {
			rs.AddRow(r...)
		}
		users, err := hydrate.All[alUser](query(t, rs), m)
		if err != nil {
			t.Fatal(err)
		}
		check(users)
	}
}
