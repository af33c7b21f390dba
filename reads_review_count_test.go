package joinery_test

import (
	"context"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

func TestReview8CountVariety(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "review8_count")[0]
	seedBlog(t, tdb.db)
	seedRandom(t, tdb, 17)
	ctx := context.Background()
	qs := map[string]joinery.Q[User]{
		"filteronly required":         joinery.Query[User](s, tdb.dialect).Include(include.New("posts").FilterOnly().Required().Where(sq.Eq{"published": true})),
		"filteronly optional where":   joinery.Query[User](s, tdb.dialect).Include(include.New("posts").FilterOnly().Where(sq.Eq{"published": true})),
		"optional posts req comm":     joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Include(include.New("comments").Required())),
		"req posts opt comm req auth": joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Required().Include(include.New("comments").Include(include.New("author").Required()))),
		"req projects through":        joinery.Query[User](s, tdb.dialect).Include(include.New("projects").Required().ThroughWhere(sq.Eq{"role": "member"}).Where(sq.Eq{"name": "apollo"})),
		"req profile":                 joinery.Query[User](s, tdb.dialect).Include(include.New("profile").Required()),
		"req invoices":                joinery.Query[User](s, tdb.dialect).Include(include.New("invoices").Required()),
		"req posts.comments path":     joinery.Query[User](s, tdb.dialect).Include(include.New("posts.comments").Required()),
		"req posts author profile":    joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Required().Include(include.New("author").Required().Include(include.New("profile").Required()))),
		"req posts tags":              joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Required().Include(include.New("tags").Required().ThroughWhere(sq.Eq{"added_by": nil}))),
	}
	for name, q := range qs {
		all, err := q.OrderBy("id").All(ctx, tdb.db)
		if err != nil {
			t.Fatal(name, err)
		}
		n, err := q.Count(ctx, tdb.db)
		if err != nil {
			t.Fatal(name, err)
		}
		paged, err := q.OrderBy("id").Limit(1000).All(ctx, tdb.db)
		if err != nil {
			t.Fatal(name, err)
		}
		page2, err := q.OrderBy("id").Limit(2).Offset(1).All(ctx, tdb.db)
		if err != nil {
			t.Fatal(name, err)
		}
		var each []User
		q.OrderBy("id").Each(ctx, tdb.db, func(u User) error { each = append(each, u); return nil })
		if n != int64(len(all)) || jsonString(t, paged) != jsonString(t, all) || (len(all) > 0 && jsonString(t, each) != jsonString(t, all)) {
			t.Errorf("%s: count %d, all %d, paged %d, each %d", name, n, len(all), len(paged), len(each))
		}
		lo, hi := min(1, len(all)), min(3, len(all))
		if jsonString(t, page2) != jsonString(t, all[lo:hi]) && len(page2)+hi-lo > 0 {
			t.Errorf("%s: limit 2 offset 1 differs", name)
		}
		for _, sh := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
			got, err := q.OrderBy("id").Shape(sh).All(ctx, tdb.db)
			if err != nil {
				continue
			}
			if jsonString(t, got) != jsonString(t, all) {
				t.Errorf("%s: shape %s differs", name, sh)
			}
		}
	}
}
