package write_test

import (
	"context"
	"testing"

	"github.com/joinery/joinery/write"
)

func TestReview3S11SameTargetTwiceOnePost(t *testing.T) {
	ctx := context.Background()
	eachS(t, sSchema(t), func(t *testing.T, tdb testDB, w *write.Writer) {
		tg := &Tag{Name: "tw"}
		p := &sPost{Title: "a", Tags: []*Tag{tg, tg}}
		res, err := w.Create(p, "tags").Exec(ctx, tdb.db)
		t.Logf("err=%v statements=%d", err, len(res.Statements))
		// Op-level add of the same target twice: one link
		_, err = w.Assoc("Post", "tags").Add(write.Key(int64(2)), write.Key(int64(3)), write.Key(int64(3))).Exec(ctx, tdb.db)
		t.Logf("op add twice: %v", err)
	})
}
