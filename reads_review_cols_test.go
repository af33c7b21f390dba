package joinery_test

import (
	"context"
	"strings"
	"testing"

	"github.com/joinery/joinery"
)

func TestReview8CursorColumns(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "review8_cols")[0]
	seedBlog(t, tdb.db)
	ctx := context.Background()
	base := joinery.Query[User](s, tdb.dialect).Columns("id").OrderBy("name DESC")
	page1, err := base.Limit(2).All(ctx, tdb.db)
	if err != nil {
		t.Fatal(err)
	}
	// the roots were loaded without the order's column: Cursor refuses them, rather than
	// take the field's zero value and skip or repeat roots
	if _, err := base.Cursor(page1[len(page1)-1]); err == nil || !strings.Contains(err.Error(), `the order's "name" is not among the query's Columns`) {
		t.Fatalf("Cursor of a root loaded without the order's column: %v", err)
	}
	withName := joinery.Query[User](s, tdb.dialect).Columns("id", "name").OrderBy("name DESC")
	page1, err = withName.Limit(2).All(ctx, tdb.db)
	if err != nil {
		t.Fatal(err)
	}
	c, err := withName.Cursor(page1[len(page1)-1])
	if err != nil {
		t.Fatal(err)
	}
	page2, err := withName.After(c).Limit(2).All(ctx, tdb.db)
	if err != nil {
		t.Fatal(err)
	}
	if len(page2) != 1 || page2[0].ID != 1 {
		t.Fatalf("page 2: got %d roots %+v, want [alice(1)]", len(page2), page2)
	}
}
