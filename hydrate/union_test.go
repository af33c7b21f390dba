package hydrate_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery/hydrate"
)

type uUser struct {
	ID    int64   `db:"id"`
	Posts []uPost `db:"-"`
}

type uPost struct {
	ID       int64   `db:"id"`
	UserID   int64   `db:"user_id"`
	Tags     []*uTag `db:"-"`
	Author   *uUser  `db:"-"`
	AuthorID int64   `db:"author_id"`
}

type uTag struct {
	ID int64 `db:"id"`
}

// branchMap: users (branch 0) -> posts (1, by user_id) -> {tags (2, by post_tags.post_id),
// author (3, a user by posts.author_id)}.
func branchMap() *hydrate.Map {
	return &hydrate.Map{Branch: "jb", Ordinal: "jo", Root: &hydrate.Node{
		Name: "User", Type: reflect.TypeOf(uUser{}), Key: []int{0}, Branch: 0, Distinct: true,
		Cols: []hydrate.Col{{Column: "u", Field: "id"}},
		Children: []*hydrate.Node{{
			Path: "posts", Field: "Posts", Type: reflect.TypeOf(uPost{}), Many: true, Key: []int{0}, Branch: 1, Distinct: true,
			Cols: []hydrate.Col{{Column: "p", Field: "id"}, {Column: "pu", Field: "user_id"}, {Column: "pa", Field: "author_id"}},
			Link: []int{1}, ParentLink: []int{0},
			Children: []*hydrate.Node{
				{Path: "posts.tags", Field: "Tags", Type: reflect.TypeOf(uTag{}), Many: true, Key: []int{0}, Branch: 2,
					Cols: []hydrate.Col{{Column: "t", Field: "id"}, {Column: "tp", Kind: hydrate.Int}},
					Link: []int{1}, ParentLink: []int{0}},
				{Path: "posts.author", Field: "Author", Type: reflect.TypeOf(uUser{}), Key: []int{0}, Branch: 3, Distinct: true,
					Cols: []hydrate.Col{{Column: "a", Field: "id"}}, Link: []int{0}, ParentLink: []int{2}},
			},
		}},
	}}
}

// foldBranches folds rows of branchMap's layout and checks the nested value both the union
// and the pipelined tests expect.
func foldBranches(t *testing.T, rows hydrate.Rows) []uUser {
	t.Helper()
	users, err := hydrate.All[uUser](rows, branchMap())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(users)
	want := `[{"ID":2,"Posts":[]},{"ID":1,"Posts":[` +
		`{"ID":10,"UserID":1,"Tags":[{"ID":7},{"ID":8}],"Author":{"ID":1,"Posts":null},"AuthorID":1},` +
		`{"ID":11,"UserID":1,"Tags":[{"ID":7}],"Author":{"ID":1,"Posts":null},"AuthorID":1}]}]`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	return users
}

// Branch rows may arrive in any order (a parallel append interleaves them): children before
// their parents, roots out of order. The ordinal orders roots and children; a tag linked to
// two posts is under both; a join row repeated under a unique association appears once.
func TestBranchRowsInAnyOrder(t *testing.T) {
	cols := []string{"jb", "jo", "u", "p", "pu", "pa", "t", "tp", "a"}
	n := any(nil)
	rows := sqlmock.NewRows(cols).
		AddRow(2, n, n, n, n, n, 7, 10, n). // tag 7 on post 10, before the post
		AddRow(3, n, n, n, n, n, n, n, 1).  // author 1
		AddRow(1, 2, n, 11, 1, 1, n, n, n). // post 11 of user 1 (second by ordinal)
		AddRow(0, 2, 1, n, n, n, n, n, n).  // user 1 (second)
		AddRow(1, 1, n, 10, 1, 1, n, n, n). // post 10 of user 1 (first)
		AddRow(2, n, n, n, n, n, 7, 11, n). // tag 7 on post 11 too
		AddRow(0, 1, 2, n, n, n, n, n, n).  // user 2 (first)
		AddRow(2, n, n, n, n, n, 8, 10, n). // tag 8 on post 10
		AddRow(2, n, n, n, n, n, 8, 10, n)  // the same link again
	users := foldBranches(t, query(t, rows))
	// the author is one object, referenced by both posts
	if users[1].Posts[0].Author != users[1].Posts[1].Author {
		t.Fatal("a to-one target loaded once should be shared")
	}
	if users[0].Posts == nil {
		t.Fatal("an included to-many with no rows is an empty, non-nil slice")
	}
}

func TestBranchRowsUnknownBranch(t *testing.T) {
	cols := []string{"jb", "jo", "u", "p", "pu", "pa", "t", "tp", "a"}
	rows := sqlmock.NewRows(cols).AddRow(9, nil, 1, nil, nil, nil, nil, nil, nil)
	_, err := hydrate.All[uUser](query(t, rows), branchMap())
	var se *hydrate.ScanError
	if err == nil || !errorsAs(err, &se) || se.Column != "jb" {
		t.Fatalf("want a ScanError on jb, got %v", err)
	}
}

func errorsAs(err error, target **hydrate.ScanError) bool { return errors.As(err, target) }
