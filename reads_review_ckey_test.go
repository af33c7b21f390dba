package joinery_test

import (
	"context"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

func TestReview8KeysetComputed(t *testing.T) {
	cs := computeSchema(t)
	tdb := openDBs(t, "review8_ckey")[0]
	seedBlog(t, tdb.db)
	seedRandom(t, tdb, 11)
	mustExec(t, tdb.db, `INSERT INTO invoices (id, user_email, amount) VALUES (4, 'a@example.com', 1.1), (5, 'b@example.com', 0.1), (6, 'b@example.com', 0.2)`)
	mustExec(t, tdb.db, `UPDATE users SET email = 'u' || id || '@x' WHERE id >= 100 AND id % 2 = 0`)
	mustExec(t, tdb.db, `INSERT INTO invoices (id, user_email, amount) SELECT 1000 + id, email, (id % 3) * 0.1 FROM users WHERE email LIKE 'u%'`)
	ctx := context.Background()
	vals := []include.Value{
		include.Max("posts", "id").Where(sq.Eq{"published": true}).As("last_post"),
		include.Sum("invoices", "amount").As("spent"),
		include.Count("posts").As("post_count"),
	}
	for _, o := range [][]string{{"last_post"}, {"last_post DESC"}, {"last_post NULLS LAST"}, {"last_post DESC NULLS FIRST"}, {"spent DESC"}, {"spent", "post_count DESC"}, {"post_count", "last_post"}} {
		for _, withInc := range []bool{false, true} {
			base := joinery.Query[cUser](cs, tdb.dialect).Compute(vals...).OrderBy(o...)
			if withInc {
				base = base.Include(include.New("posts").Order("id"))
			}
			var all []cUser
			var err error
			all, err = base.OrderBy("id").All(ctx, tdb.db)
			if err != nil {
				t.Fatal(o, err)
			}
			var paged []cUser
			page := base.Limit(3)
			for i := 0; i < 100; i++ {
				got, err := page.All(ctx, tdb.db)
				if err != nil {
					t.Fatal(o, err)
				}
				paged = append(paged, got...)
				if len(got) < 3 {
					break
				}
				c, err := base.Cursor(got[len(got)-1])
				if err != nil {
					t.Fatal(err)
				}
				page = base.After(c).Limit(3)
			}
			if jsonString(t, all) != jsonString(t, paged) {
				t.Errorf("%v inc=%v: keyset pages (%d roots) differ from All (%d)", o, withInc, len(paged), len(all))
			}
		}
	}
	_ = joinery.ShapeFlat
}
