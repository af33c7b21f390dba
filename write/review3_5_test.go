package write_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

type tpPost struct {
	ID     int64  `db:"id"`
	Title  string `db:"title"`
	Tags   []Tag  `joinery:"tags"`
	Topics []Tag  `joinery:"topics"`
	PTags  []*Tag `joinery:"ptags"`
	PTops  []*Tag `joinery:"ptopics"`
}

// TestReview3S13SliceAtTwoNodes: one value, or one slice of values, given under two
// associations of a row is refused before any statement runs.
func TestReview3S13SliceAtTwoNodes(t *testing.T) {
	ctx := context.Background()
	s := include.NewSchema()
	s.Define(tpPost{}, "posts", include.Name("Post"))
	s.Define(Tag{}, "tags")
	s.Define(ItemTag{}, "item_tags")
	for _, as := range [][2]string{{"tags", "post"}, {"topics", "topic"}, {"ptags", "post"}, {"ptopics", "topic"}} {
		s.BelongsToMany("Post", "Tag", include.As(as[0]), include.ThroughModel("ItemTag"),
			include.ForeignKey("taggable_id"), include.OtherKey("tag_id"), include.Polymorphic("taggable", as[1]))
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	eachS(t, s, func(t *testing.T, tdb testDB, w *write.Writer) {
		tg := &Tag{Name: "ptr"}
		ts := []Tag{{Name: "sl"}}
		for name, c := range map[string]struct {
			op  write.CreateOp
			msg string
		}{
			"pointer at two nodes": {w.Create(&tpPost{Title: "p", PTags: []*Tag{tg}, PTops: []*Tag{tg}}, "ptags", "ptopics"), "this Tag value is also given at another place of the tree"},
			"slice at two nodes":   {w.Create(&tpPost{Title: "q", Tags: ts, Topics: ts}, "tags", "topics"), "a slice of Tag values is also given at another place of the tree"},
		} {
			res, err := c.op.Exec(ctx, tdb.db)
			if !errors.Is(err, write.ErrBadInput) || !strings.Contains(err.Error(), c.msg) || len(res.Statements) != 0 {
				t.Errorf("%s: %v (%d statements)", name, err, len(res.Statements))
			}
		}
		wantRows(t, tdb, "SELECT COUNT(*) FROM tags WHERE name IN ('sl', 'ptr')", "0")
		// two different slices under the two associations are fine
		must(t)(w.Create(&tpPost{Title: "r", Tags: []Tag{{Name: "a"}}, Topics: []Tag{{Name: "b"}}}, "tags", "topics").Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT x.taggable, t.name FROM item_tags x JOIN tags t ON t.id = x.tag_id WHERE t.name IN ('a', 'b')", "post|a", "topic|b")
	})
}
