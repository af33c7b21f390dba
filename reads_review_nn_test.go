package joinery_test

import (
	"context"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

type NUser struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Email string `db:"email"`
}

func TestReview8NonPointerNullable(t *testing.T) {
	s := include.NewSchema()
	s.Define(NUser{}, "users")
	tdb := openDBs(t, "review8_nn")[0]
	seedBlog(t, tdb.db)
	seedRandom(t, tdb, 1)
	ctx := context.Background()
	base := joinery.Query[NUser](s, tdb.dialect).OrderBy("email")
	all, err := base.OrderBy("id").All(ctx, tdb.db)
	t.Logf("all: %d %v", len(all), err)
	if err != nil {
		return
	}
	var paged []NUser
	page := base.Limit(3)
	for i := 0; i < 50; i++ {
		got, err := page.All(ctx, tdb.db)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, got...)
		if len(got) < 3 {
			break
		}
		c, _ := base.Cursor(got[len(got)-1])
		page = base.After(c).Limit(3)
	}
	t.Logf("paged %d", len(paged))
	if len(paged) != len(all) {
		t.Fatalf("keyset pages gave %d roots, All %d", len(paged), len(all))
	}
}
