package write_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/joinery/joinery/write"
)

// Concurrent adds of the same links given in different orders: the doc promises one row
// per link and no error.
func TestConcurrentAddOrderDB(t *testing.T) {
	ctx := context.Background()
	s := schema(t)
	for _, tdb := range openDBs(t) {
		if tdb.name == "sqlite" {
			continue
		}
		t.Run(tdb.name, func(t *testing.T) {
			seed(t, tdb)
			var targets []any
			for i := 0; i < 200; i++ {
				targets = append(targets, Project{Name: fmt.Sprint("x", i)})
			}
			ps := make([]Project, 200)
			for i := range ps {
				ps[i] = Project{Name: fmt.Sprint("x", i)}
			}
			must(t)(write.New(s, tdb.dialect).Create(&ps).Exec(ctx, tdb.db))
			fwd := make([]any, len(ps))
			rev := make([]any, len(ps))
			for i := range ps {
				fwd[i] = write.Key(ps[i].ID)
				rev[len(ps)-1-i] = write.Key(ps[i].ID)
			}
			a := write.New(s, tdb.dialect).Assoc("User", "projects")
			fails := 0
			for round := 0; round < 20; round++ {
				mustExec(t, tdb.db, "DELETE FROM user_projects WHERE user_id = 3")
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for g, list := range [][]any{fwd, rev} {
					wg.Add(1)
					go func(g int, list []any) {
						defer wg.Done()
						_, errs[g] = a.Add(write.Key(int64(3)), list...).Exec(ctx, tdb.db)
					}(g, list)
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						fails++
						if fails == 1 {
							t.Errorf("round %d: concurrent add failed: %v", round, err)
						}
					}
				}
			}
			if fails > 0 {
				t.Errorf("%d of 40 concurrent adds failed", fails)
			}
		})
	}
}
