package joinery_test

import (
	"context"
	"testing"

	"github.com/joinery/joinery"
)

func TestReview8CursorOtherQuery(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "review8_cursor")[0]
	seedBlog(t, tdb.db)
	ctx := context.Background()
	byName := joinery.Query[User](s, tdb.dialect).OrderBy("name")          // alice, bob, carol
	byNameDesc := joinery.Query[User](s, tdb.dialect).OrderBy("name DESC") // carol, bob, alice
	first, err := byName.Limit(1).All(ctx, tdb.db)
	if err != nil {
		t.Fatal(err)
	}
	c, err := byName.Cursor(first[0]) // {"alice", 1}
	if err != nil {
		t.Fatal(err)
	}
	next, err := byNameDesc.After(c).Limit(2).All(ctx, tdb.db)
	t.Logf("cursor %v used with name DESC: %d roots, err %v", c.Values, len(next), err)
	if err == nil {
		t.Fatalf("a cursor of OrderBy(name) accepted by OrderBy(name DESC): %d roots, no error", len(next))
	}
}
