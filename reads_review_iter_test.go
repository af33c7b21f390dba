package joinery_test

import (
	"context"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

func TestReview8IterLeak(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "review8_iter")[0]
	seedBlog(t, tdb.db)
	seedRandom(t, tdb, 5)
	ctx := context.Background()
	q := joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Order("id")).OrderBy("id")
	for i := 0; i < 3; i++ {
		for _, err := range q.Iter(ctx, tdb.db) {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if n := tdb.db.Stats().InUse; n != 0 {
		t.Fatalf("in use after break: %d", n)
	}
	// cancel the context inside the loop then break
	for i := 0; i < 3; i++ {
		c, cancel := context.WithCancel(ctx)
		k := 0
		for _, err := range q.Iter(c, tdb.db) {
			if err != nil {
				break
			}
			k++
			if k == 2 {
				cancel()
			}
		}
		cancel()
	}
	if n := tdb.db.Stats().InUse; n != 0 {
		t.Fatalf("in use after cancel: %d", n)
	}
	// panic in Each
	func() {
		defer func() { recover() }()
		q.Each(ctx, tdb.db, func(User) error { panic("x") })
	}()
	if n := tdb.db.Stats().InUse; n != 0 {
		t.Fatalf("in use after panic: %d", n)
	}
	// One, Count
	if _, err := q.Limit(0).One(ctx, tdb.db); err == nil {
		t.Log("one with limit 0 found")
	}
	tx, _ := tdb.db.Begin()
	for _, err := range q.Iter(ctx, tx) {
		_ = err
		break
	}
	if _, err := q.All(ctx, tx); err != nil {
		t.Fatalf("tx after break: %v", err)
	}
	tx.Rollback()
}
