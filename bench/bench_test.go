package bench

import (
	"context"
	"database/sql"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/joinery/joinery/builder"
)

// Tests and benchmarks that need PostgreSQL read its URL from BENCH_PG_DSN (bench/run.sh
// starts a server, generates the data and sets it); without it they are skipped, which is
// the only reason any of them skips. The tables must hold the data of cmd/gendata.

var (
	envOnce sync.Once
	envVal  *Env
	envErr  error
)

func benchEnv(tb testing.TB) *Env {
	tb.Helper()
	dsn := os.Getenv("BENCH_PG_DSN")
	if dsn == "" {
		tb.Skip("BENCH_PG_DSN is not set (bench/run.sh sets it)")
	}
	envOnce.Do(func() { envVal, envErr = Open(context.Background(), dsn) })
	if envErr != nil {
		tb.Fatalf("BENCH_PG_DSN is set but: %v", envErr)
	}
	return envVal
}

// expected sizes of each workload's result (W4's posts depend on whether the heavy user is
// among the first 50 by name, so they are not fixed).
var expected = map[string]Counts{
	"W1": {Roots: NormalUsers, Posts: NormalUsers * PostsPerUser, Tags: NormalUsers * PostsPerUser * TagsPerPost, Comments: NormalUsers * PostsPerUser * CommentsPerPost},
	"W2": {Roots: W2Posts, Posts: W2Posts, Authors: W2Posts},
	"W3": {Roots: 1, Posts: HeavyPosts, Tags: HeavyPosts * TagsPerPost},
	"W5": {Roots: W5Users, Posts: W5Users * PostsPerUser, Tags: W5Users * PostsPerUser * TagsPerPost, Comments: W5Users * PostsPerUser * CommentsPerPost},
}

// TestSameResult runs every contender on every workload and checks that all return the same
// nested value (children compared sorted by id, roots too where the workload leaves their
// order open), that the reference has the expected sizes, and that ordered roots are in
// order. It also checks every hydrator over the replayed rows.
func TestSameResult(t *testing.T) {
	e := benchEnv(t)
	ctx := context.Background()
	const reference = "hand-level"
	var ref Contender
	for _, c := range Contenders {
		if c.Name == reference {
			ref = c
		}
	}
	for _, w := range Workloads {
		t.Run(w.Name, func(t *testing.T) {
			want, err := ref.Load(ctx, e, w.Name)
			if err != nil {
				t.Fatalf("%s: %v", reference, err)
			}
			checkOrder(t, w.Name, want)
			Normalize(want, w.Ordered)
			got := CountOf(want)
			if exp, ok := expected[w.Name]; ok && got != exp {
				t.Fatalf("%s: sizes %+v, want %+v", reference, got, exp)
			}
			t.Logf("%s: %+v", w.Name, got)
			for _, c := range Contenders {
				v, err := c.Load(ctx, e, w.Name)
				if err != nil {
					t.Errorf("%s: %v", c.Name, err)
					continue
				}
				if d := Diff(want, Normalize(v, w.Ordered)); d != "" {
					t.Errorf("%s differs from %s: %s", c.Name, reference, d)
				}
			}
			for _, h := range Hydrators {
				v, err := replayOnce(ctx, e, w.Name, h)
				if err != nil {
					t.Errorf("hydrator %s: %v", h.Name, err)
					continue
				}
				if d := Diff(want, Normalize(v, w.Ordered)); d != "" {
					t.Errorf("hydrator %s differs from %s: %s", h.Name, reference, d)
				}
			}
		})
	}
}

func checkOrder(t *testing.T, w string, v any) {
	t.Helper()
	switch x := v.(type) {
	case []Post:
		if !sort.SliceIsSorted(x, func(i, j int) bool { return x[i].ID < x[j].ID }) {
			t.Errorf("%s: posts not ordered by id", w)
		}
	case []User:
		if w == "W4" || w == "W5" {
			less := func(i, j int) bool {
				if x[i].Name != x[j].Name {
					return x[i].Name < x[j].Name
				}
				return x[i].ID < x[j].ID
			}
			if !sort.SliceIsSorted(x, less) {
				t.Errorf("%s: users not ordered by name, id", w)
			}
		}
	}
}

// replayCache keeps captured result sets per statement.
var (
	replayMu    sync.Mutex
	replayCache = map[string]*Replay{}
)

func replayFor(ctx context.Context, e *Env, query string, args []any) (*Replay, error) {
	replayMu.Lock()
	defer replayMu.Unlock()
	if r, ok := replayCache[query]; ok {
		return r, nil
	}
	r, err := Capture(ctx, e.PGX, query, args...)
	if err != nil {
		return nil, err
	}
	replayCache[query] = r
	return r, nil
}

func replayOnce(ctx context.Context, e *Env, w string, h Hydrator) (any, error) {
	query, args, fold, err := h.Setup(e, w)
	if err != nil {
		return nil, err
	}
	r, err := replayFor(ctx, e, query, args)
	if err != nil {
		return nil, err
	}
	db := r.DB()
	defer db.Close()
	return ReplayFold(ctx, db, query, args, fold)
}

// BenchmarkEndToEnd/<workload>/<contender>: one full load from PostgreSQL. Workloads and
// contenders are rotated by $BENCH_RUN, and each workload goes round its contenders
// $BENCH_ROUNDS times (default 1): rounds after the first are reported as
// <contender>#01, #02 ... (cmd/report folds them into the contender's samples), so that
// contenders alternate at a finer grain than one process run.
func BenchmarkEndToEnd(b *testing.B) {
	e := benchEnv(b)
	ctx := context.Background()
	rounds, _ := strconv.Atoi(os.Getenv("BENCH_ROUNDS"))
	if rounds < 1 {
		rounds = 1
	}
	for _, w := range Rotate(Workloads) {
		b.Run(w.Name, func(b *testing.B) {
			for round := 0; round < rounds; round++ {
				for _, c := range Rotate(Contenders) {
					b.Run(c.Name, func(b *testing.B) {
						b.ReportAllocs()
						for b.Loop() {
							if _, err := c.Load(ctx, e, w.Name); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}

// BenchmarkHydrate/<workload>/<hydrator>: folding rows captured once from PostgreSQL and
// replayed from memory by a fake database/sql driver (Replay), so driver decoding and the
// network are out. joinery and hand-join fold the same rows (joinery's flat statement).
func BenchmarkHydrate(b *testing.B) {
	e := benchEnv(b)
	ctx := context.Background()
	for _, w := range Rotate(Workloads) {
		b.Run(w.Name, func(b *testing.B) {
			type prepared struct {
				h     Hydrator
				db    *sql.DB
				query string
				args  []any
				fold  func(*sql.Rows) (any, error)
			}
			var list []prepared
			for _, h := range Hydrators {
				query, args, fold, err := h.Setup(e, w.Name)
				if err != nil {
					b.Fatal(err)
				}
				r, err := replayFor(ctx, e, query, args)
				if err != nil {
					b.Fatal(err)
				}
				list = append(list, prepared{h, r.DB(), query, args, fold})
			}
			for _, p := range Rotate(list) {
				b.Run(p.h.Name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := ReplayFold(ctx, p.db, p.query, p.args, p.fold); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			for _, p := range list {
				p.db.Close()
			}
		})
	}
}

// BenchmarkCompile/<workload>: joinery's Plan() of the workload's prebuilt query (default
// shape; joinery caches the plan in the query value). BenchmarkCompile/<workload>-fresh[-shape]:
// building the query and compiling it, every time: after the first, the compile is served
// by builder's plan cache (the query is the same). BenchmarkCompile/<workload>-cold[-shape]:
// the same with the plan cache off (builder.SetPlanCacheSize(0)), a compile from the include
// tree to the text every time. It needs no database.
func BenchmarkCompile(b *testing.B) {
	s, err := NewSchema()
	if err != nil {
		b.Fatal(err)
	}
	type variant struct {
		suffix, shape, mode string
	}
	variants := []variant{{"", "", ""}, {"-bound", "", "bound"}}
	for _, mode := range []string{"fresh", "cold"} {
		for _, shape := range JoineryShapes {
			v := variant{"-" + mode, shape, mode}
			if shape != "" {
				v.suffix += "-" + shape
			}
			variants = append(variants, v)
		}
	}
	for _, w := range Workloads {
		for _, v := range variants {
			if v.mode == "bound" && bindValues(w.Name) == nil {
				continue // no values: the prebuilt query is the "" variant
			}
			b.Run(w.Name+v.suffix, func(b *testing.B) {
				mode := v.mode
				if mode == "cold" {
					size := builder.PlanCacheSize()
					builder.SetPlanCacheSize(0)
					defer builder.SetPlanCacheSize(size)
					mode = "fresh"
				}
				compile, err := JoineryCompiler(s, w.Name, v.shape, mode)
				if err != nil {
					b.Fatal(err)
				}

				b.ReportAllocs()
				for b.Loop() {
					if err := compile(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
