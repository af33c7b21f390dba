package joinery_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

func TestReview8BindConcurrent(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "review8_bind")[0]
	seedBlog(t, tdb.db)
	seedRandom(t, tdb, 5)
	ctx := context.Background()
	base := joinery.Query[User](s, tdb.dialect).
		Where(sq.GtOrEq{"id": joinery.Param("min")}).
		Include(include.New("posts").Where(sq.Eq{"published": joinery.Param("pub")}).Order("id")).
		OrderBy("id").LimitParam("lim").OffsetParam("off")
	want := map[string]string{}
	type args struct {
		min, lim, off int64
		pub           bool
	}
	var cases []args
	for _, mn := range []int64{0, 105, 120} {
		for _, lim := range []int64{1, 3} {
			for _, off := range []int64{0, 2} {
				for _, pub := range []bool{true, false} {
					a := args{mn, lim, off, pub}
					cases = append(cases, a)
					lit := joinery.Query[User](s, tdb.dialect).Where(sq.GtOrEq{"id": mn}).
						Include(include.New("posts").Where(sq.Eq{"published": pub}).Order("id")).OrderBy("id").Limit(uint64(lim)).Offset(uint64(off))
					all, err := lit.All(ctx, tdb.db)
					if err != nil {
						t.Fatal(err)
					}
					n, _ := lit.Count(ctx, tdb.db)
					one, _ := lit.One(ctx, tdb.db)
					var each []User
					lit.Each(ctx, tdb.db, func(u User) error { each = append(each, u); return nil })
					want[fmt.Sprint(a)] = jsonString(t, all) + fmt.Sprint(n) + jsonString(t, one) + jsonString(t, each)
				}
			}
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	errs := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := 0; k < 5; k++ {
				for i := range cases {
					a := cases[(i+g)%len(cases)]
					b := base.Bind(map[string]any{"min": a.min, "lim": a.lim, "off": a.off, "pub": a.pub})
					all, err := b.All(ctx, tdb.db)
					if err != nil {
						t.Error(err)
						return
					}
					n, err := b.Count(ctx, tdb.db)
					if err != nil {
						t.Error(err)
						return
					}
					one, _ := b.One(ctx, tdb.db)
					var each []User
					if err := b.Each(ctx, tdb.db, func(u User) error { each = append(each, u); return nil }); err != nil {
						t.Error(err)
						return
					}
					got := jsonString(t, all) + fmt.Sprint(n) + jsonString(t, one) + jsonString(t, each)
					if got != want[fmt.Sprint(a)] {
						mu.Lock()
						errs++
						if errs < 4 {
							t.Errorf("%v: got %s\nwant %s", a, got, want[fmt.Sprint(a)])
						}
						mu.Unlock()
					}
				}
			}
		}(g)
	}
	wg.Wait()
}
