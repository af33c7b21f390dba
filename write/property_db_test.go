package write_test

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/joinery/joinery/write"
)

// TestRandomOperationsDB runs a fixed-seed random sequence of add / set / remove on a unique
// join table (User.projects, with a role), a non-unique join model (User.purchases) and a
// polymorphic hasMany (Post.comments, Video.comments sharing the table), on every database,
// and after each operation compares the tables with a model kept in memory, and has / count
// with the model's answer.
func TestRandomOperationsDB(t *testing.T) {
	for _, seed := range []int64{15, 16, 17} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { randomOperations(t, seed) })
	}
}

func randomOperations(t *testing.T, seed int64) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		rng := rand.New(rand.NewSource(seed))
		// the model: the fixture's rows
		links := map[[2]int64]string{{1, 1}: "lead", {1, 2}: "dev", {2, 1}: "qa"} // (user, project) -> role ("" = NULL)
		purchases := map[int64][]int64{1: {1}}                                    // user -> products, one entry per purchase
		type owner struct {
			typ string
			id  int64
		}
		comments := map[int64]*owner{1: {"post", 1}, 2: {"video", 1}, 3: {"post", 2}} // comment -> owner (nil: unlinked)
		commentType := map[int64]string{1: "post", 2: "video", 3: "post"}
		keys := func(n int, max int64) []int64 {
			out := make([]int64, n)
			for i := range out {
				out[i] = 1 + rng.Int63n(max)
			}
			return out
		}
		asTargets := func(ids []int64) []any {
			out := make([]any, len(ids))
			for i, id := range ids {
				out[i] = write.Key(id)
			}
			return out
		}
		roles := []string{"", "lead", "dev", "qa"}
		for step := 0; step < 150; step++ {
			user := 1 + rng.Int63n(3)
			var what string
			switch rng.Intn(9) {
			case 0, 1: // projects add, maybe with a role
				ids := keys(rng.Intn(4), 4)
				role := roles[rng.Intn(len(roles))]
				op := w.Assoc("User", "projects").Add(write.Key(user), asTargets(ids)...)
				if role != "" {
					op = op.Through(map[string]any{"role": role})
				}
				must(t)(op.Exec(ctx, tdb.db))
				for _, id := range ids {
					k := [2]int64{user, id}
					if _, ok := links[k]; !ok || role != "" {
						links[k] = role
					}
				}
				what = fmt.Sprintf("add projects %v role %q to user %d", ids, role, user)
			case 2: // projects set
				ids := keys(rng.Intn(4), 4)
				must(t)(w.Assoc("User", "projects").Set(write.Key(user), asTargets(ids)...).Exec(ctx, tdb.db))
				want := map[int64]bool{}
				for _, id := range ids {
					want[id] = true
				}
				for k := range links {
					if k[0] == user && !want[k[1]] {
						delete(links, k)
					}
				}
				for id := range want {
					if _, ok := links[[2]int64{user, id}]; !ok {
						links[[2]int64{user, id}] = ""
					}
				}
				what = fmt.Sprintf("set projects %v of user %d", ids, user)
			case 3: // projects remove
				ids := keys(1+rng.Intn(3), 4)
				must(t)(w.Assoc("User", "projects").Remove(write.Key(user), asTargets(ids)...).Exec(ctx, tdb.db))
				for _, id := range ids {
					delete(links, [2]int64{user, id})
				}
				what = fmt.Sprintf("remove projects %v of user %d", ids, user)
			case 4: // purchases add: every one a purchase
				ids := keys(1+rng.Intn(2), 2)
				must(t)(w.Assoc("User", "purchases").Add(write.Key(user), asTargets(ids)...).Through(map[string]any{"quantity": 1}).Exec(ctx, tdb.db))
				purchases[user] = append(purchases[user], ids...)
				what = fmt.Sprintf("add purchases %v to user %d", ids, user)
			case 5: // purchases set: a multiset
				ids := keys(rng.Intn(4), 2)
				must(t)(w.Assoc("User", "purchases").Set(write.Key(user), asTargets(ids)...).Through(map[string]any{"quantity": 1}).Exec(ctx, tdb.db))
				purchases[user] = append([]int64(nil), ids...)
				what = fmt.Sprintf("set purchases %v of user %d", ids, user)
			case 6, 7: // comments: add / set / remove on a post or a video
				typ, model := "post", "Post"
				if rng.Intn(2) == 0 {
					typ, model = "video", "Video"
				}
				src := 1 + rng.Int63n(2)
				ids := keys(rng.Intn(3), 3)
				a := w.Assoc(model, "comments")
				switch rng.Intn(3) {
				case 0:
					must(t)(a.Add(write.Key(src), asTargets(ids)...).Exec(ctx, tdb.db))
					for _, id := range ids {
						comments[id], commentType[id] = &owner{typ, src}, typ
					}
					what = fmt.Sprintf("add comments %v to %s %d", ids, typ, src)
				case 1:
					must(t)(a.Set(write.Key(src), asTargets(ids)...).Exec(ctx, tdb.db))
					keep := map[int64]bool{}
					for _, id := range ids {
						keep[id] = true
					}
					for id, o := range comments {
						if o != nil && o.typ == typ && o.id == src && !keep[id] {
							comments[id] = nil
						}
					}
					for _, id := range ids {
						comments[id], commentType[id] = &owner{typ, src}, typ
					}
					what = fmt.Sprintf("set comments %v of %s %d", ids, typ, src)
				default:
					must(t)(a.Remove(write.Key(src), asTargets(ids)...).Exec(ctx, tdb.db))
					for _, id := range ids {
						if o := comments[id]; o != nil && o.typ == typ && o.id == src {
							comments[id] = nil
						}
					}
					what = fmt.Sprintf("remove comments %v from %s %d", ids, typ, src)
				}
			default: // has and count against the model
				ids := keys(rng.Intn(3), 4)
				has, err := w.Assoc("User", "projects").Has(write.Key(user), asTargets(ids)...).Bool(ctx, tdb.db)
				if err != nil {
					t.Fatal(err)
				}
				want := true
				for _, id := range ids {
					if _, ok := links[[2]int64{user, id}]; !ok {
						want = false
					}
				}
				n, err := w.Assoc("User", "purchases").Count(write.Key(user)).Int(ctx, tdb.db)
				if err != nil {
					t.Fatal(err)
				}
				if has != want || n != int64(len(purchases[user])) {
					t.Fatalf("step %d: user %d has projects %v: %v, want %v; purchases %d, want %d", step, user, ids, has, want, n, len(purchases[user]))
				}
				continue
			}
			// the tables against the model
			var wantLinks, wantPurchases, wantComments []string
			for k, role := range links {
				r := role
				if r == "" {
					r = "NULL"
				}
				wantLinks = append(wantLinks, fmt.Sprintf("%d|%d|%s", k[0], k[1], r))
			}
			for u, ps := range purchases {
				for _, p := range ps {
					wantPurchases = append(wantPurchases, fmt.Sprintf("%d|%d", u, p))
				}
			}
			for id, o := range comments {
				if o == nil {
					wantComments = append(wantComments, fmt.Sprintf("%d|%s|NULL", id, commentType[id]))
				} else {
					wantComments = append(wantComments, fmt.Sprintf("%d|%s|%d", id, o.typ, o.id))
				}
			}
			for _, c := range []struct {
				query string
				want  []string
			}{
				{"SELECT user_id, project_id, role FROM user_projects", wantLinks},
				{"SELECT user_id, product_id FROM purchases", wantPurchases},
				{"SELECT id, commentable, commentable_id FROM comments", wantComments},
			} {
				got := dumpQuery(t, tdb.db, c.query)
				sort.Strings(c.want)
				if strings.Join(got, ",") != strings.Join(c.want, ",") {
					t.Fatalf("step %d (%s): %s\n got %v\nwant %v", step, what, c.query, got, c.want)
				}
			}
		}
	})
}
