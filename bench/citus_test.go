package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// The Citus benchmark: the single-tenant W1-like tree on a Citus cluster, its tables
// distributed by tenant_id, against plain PostgreSQL holding the same rows in the same
// multi-tenant layout (citus.go), joinery declaring the schema with include.Tenant. The
// Citus coordinator's URL is BENCH_CITUS_DSN or else JOINERY_CITUS_DSN; PostgreSQL's is
// BENCH_PG_DSN or else JOINERY_PG_DSN. Both servers get schema bench_citus (dropped and
// reloaded when it does not hold this data set; nothing else is touched). A test or
// benchmark skips when a URL is not set, and fails when one is set and the server cannot
// be reached or loaded.

// citusTarget is one server the benchmark runs on, with the dialect joinery compiles for it.
type citusTarget struct {
	name    string
	dialect dialects.Dialect
	db      *sql.DB
}

// citusShape is one of joinery's statement shapes ("" is joinery's default: over the pgx
// stdlib pool, the pipeline as one batch on this tree).
type citusShape struct{ name, shape string }

var citusShapes = []citusShape{{"auto", ""}, {"flat", "flat"}, {"union", "union"}, {"pipeline", "pipeline"}}

var citusScopes = []TenantScope{OneTenant, AllTenants}

type citusEnv struct {
	targets []citusTarget // pg, citus
	schema  *include.Schema
	data    *TenantData
	queries sync.Map // citusQueryKey -> joinery.Q[User], built once with the tenant a Param
}

type citusQueryKey struct {
	target string
	scope  TenantScope
	shape  string
}

// query is the prepared TenantQuery of a target, scope and shape.
func (e *citusEnv) query(tg citusTarget, scope TenantScope, shape string) joinery.Q[User] {
	k := citusQueryKey{tg.name, scope, shape}
	if q, ok := e.queries.Load(k); ok {
		return q.(joinery.Q[User])
	}
	q := TenantQuery(e.schema, tg.dialect, scope, shape)
	e.queries.Store(k, q)
	return q
}

var (
	citusOnce sync.Once
	citusVal  *citusEnv
	citusErr  error
)

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// citusBenchEnv connects to both servers and loads the data set where it is missing.
func citusBenchEnv(tb testing.TB) *citusEnv {
	tb.Helper()
	citusDSN := firstEnv("BENCH_CITUS_DSN", "JOINERY_CITUS_DSN")
	pgDSN := firstEnv("BENCH_PG_DSN", "JOINERY_PG_DSN")
	if citusDSN == "" {
		tb.Skip("neither BENCH_CITUS_DSN nor JOINERY_CITUS_DSN is set: the Citus benchmark needs a Citus coordinator")
	}
	if pgDSN == "" {
		tb.Skip("neither BENCH_PG_DSN nor JOINERY_PG_DSN is set: the Citus benchmark compares with plain PostgreSQL")
	}
	citusOnce.Do(func() { citusVal, citusErr = openCitusEnv(context.Background(), pgDSN, citusDSN) })
	if citusErr != nil {
		tb.Fatalf("the Citus benchmark's servers are set but: %v", citusErr)
	}
	return citusVal
}

func openCitusEnv(ctx context.Context, pgDSN, citusDSN string) (*citusEnv, error) {
	e := &citusEnv{data: GenerateTenants()}
	var err error
	if e.schema, err = NewTenantSchema(); err != nil {
		return nil, err
	}
	for _, s := range []struct {
		name, dsn string
		d         dialects.Dialect
	}{{"pg", pgDSN, dialects.Postgres}, {"citus", citusDSN, dialects.Citus}} {
		conn, err := pgx.Connect(ctx, s.dsn)
		if err != nil {
			return nil, fmt.Errorf("%s: connect: %w", s.name, err)
		}
		_, err = LoadTenants(ctx, conn, e.data, s.d == dialects.Citus)
		conn.Close(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: load %s: %w", s.name, TenantSchema, err)
		}
		dsn, err := TenantDSN(s.dsn)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		db.SetMaxOpenConns(4)
		db.SetMaxIdleConns(4)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		e.targets = append(e.targets, citusTarget{s.name, s.d, db})
	}
	return e, nil
}

// TestCitusSameResult loads the tree in every shape from both servers, held to a tenant
// (two of them) and across tenants, and compares each result with the one built from the
// generated rows (children and, across tenants, roots compared sorted by id).
func TestCitusSameResult(t *testing.T) {
	e := citusBenchEnv(t)
	ctx := context.Background()
	for _, scope := range citusScopes {
		tenants := []int64{0}
		if scope == OneTenant {
			tenants = []int64{1, 7}
		}
		for _, tenant := range tenants {
			want := e.data.Expected(tenant)
			exp := Counts{Roots: NormalUsers, Posts: NormalUsers * PostsPerUser, Tags: NormalUsers * PostsPerUser * TagsPerPost, Comments: NormalUsers * PostsPerUser * CommentsPerPost}
			if tenant != 0 {
				exp = Counts{Roots: exp.Roots / TenantCount, Posts: exp.Posts / TenantCount, Tags: exp.Tags / TenantCount, Comments: exp.Comments / TenantCount}
			}
			if got := CountOf(want); got != exp {
				t.Fatalf("tenant %d: the generated data has sizes %+v, want %+v", tenant, got, exp)
			}
			for _, sh := range citusShapes {
				for _, tg := range e.targets {
					t.Run(fmt.Sprintf("%s/tenant%d/%s/%s", scope, tenant, sh.name, tg.name), func(t *testing.T) {
						got, err := TenantBind(e.query(tg, scope, sh.shape), scope, tenant).All(ctx, tg.db)
						if err != nil {
							t.Fatal(err)
						}
						if d := Diff(want, Normalize(got, false)); d != "" {
							t.Errorf("differs from the generated data: %s", d)
						}
					})
				}
			}
		}
	}
}

// TestCitusBenchRouter reads EXPLAIN ANALYZE on the coordinator: held to one tenant, every
// statement of every shape is a router statement (one task, no distributed subplan, no
// repartition). It logs whether joinery's statements for Citus and for PostgreSQL are the
// same text (the UNION ALL's typing branch differs: on Citus it joins its tables by their
// links), the tuple bytes the coordinator received from the worker, and both servers'
// execution times (one run each).
func TestCitusBenchRouter(t *testing.T) {
	e := citusBenchEnv(t)
	ctx := context.Background()
	pg, citus := e.targets[0], e.targets[1]
	for _, sh := range citusShapes {
		t.Run(sh.name, func(t *testing.T) {
			plan := func(tg citusTarget) []builder.Statement {
				q := TenantBind(e.query(tg, OneTenant, sh.shape), OneTenant, 3)
				p, err := q.Plan()
				if sh.shape == "" {
					p, err = q.PlanPipelined() // what joinery/pgx's adapter sends over the pgx stdlib pool
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Statements) == 0 {
					return []builder.Statement{{SQL: p.SQL, Args: p.Args}}
				}
				return p.Statements
			}
			cs, ps := plan(citus), plan(pg)
			same := len(cs) == len(ps)
			var received []string
			var citusMS, pgMS float64
			for i := range cs {
				same = same && cs[i].SQL == ps[i].SQL
				lines, ms := explainAnalyze(t, ctx, citus.db, cs[i].SQL, cs[i].Args)
				citusMS += ms
				for j, l := range lines {
					lines[j] = strings.TrimSpace(l)
					if v, ok := strings.CutPrefix(lines[j], "Tuple data received from nodes: "); ok {
						received = append(received, v)
					}
				}
				text := strings.Join(lines, "\n") + "\n"
				if !strings.Contains(text, "Task Count: 1\n") || strings.Contains(text, "Subplan") || strings.Contains(text, "Repartition") {
					t.Errorf("statement %d is not a router statement:\n%s\n\nEXPLAIN:\n%s", i, cs[i].SQL, text)
				}
			}
			for i := range ps {
				_, ms := explainAnalyze(t, ctx, pg.db, ps[i].SQL, ps[i].Args)
				pgMS += ms
			}
			t.Logf("%d statement(s), the same SQL text for Citus and PostgreSQL: %v; tuple data from the worker: %s; execution ms: Citus %.1f, PostgreSQL %.1f",
				len(cs), same, strings.Join(received, " + "), citusMS, pgMS)
		})
	}
}

// BenchmarkCitus/<scope>/<shape>/<server>: one load of the W1-like tree, joinery's query
// built once and bound per call. one-tenant: Tenant(t), t going round the 10 tenants call by
// call (100 users, 1,000 posts, 3,000 tags, 5,000 comments with authors per call); all-tenants:
// no tenant filter (1,000 users). The two servers run each scope and shape back to back, their
// order alternating round by round ($BENCH_ROUNDS rounds, default 3; later rounds are named
// <shape>#01, #02 ...) and run by run ($BENCH_RUN), so that their samples pair up:
// cmd/citusreport prints the medians and the paired Citus/PostgreSQL ratios.
func BenchmarkCitus(b *testing.B) {
	e := citusBenchEnv(b)
	ctx := context.Background()
	rounds, _ := strconv.Atoi(os.Getenv("BENCH_ROUNDS"))
	if rounds < 1 {
		rounds = 3
	}
	run, _ := strconv.Atoi(os.Getenv("BENCH_RUN"))
	for _, scope := range Rotate(citusScopes) {
		b.Run(string(scope), func(b *testing.B) {
			for round := range rounds {
				for _, sh := range Rotate(citusShapes) {
					b.Run(sh.name, func(b *testing.B) {
						targets := slices.Clone(e.targets)
						if (round+run)%2 == 1 {
							slices.Reverse(targets)
						}
						for _, tg := range targets {
							q := e.query(tg, scope, sh.shape)
							b.Run(tg.name, func(b *testing.B) {
								b.ReportAllocs()
								n := 0
								for b.Loop() {
									tenant := int64(n%TenantCount + 1)
									n++
									if _, err := TenantBind(q, scope, tenant).All(ctx, tg.db); err != nil {
										b.Fatal(err)
									}
								}
							})
						}
					})
				}
			}
		})
	}
}
