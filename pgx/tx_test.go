package pgx_test

import (
	"context"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	jpgx "github.com/joinery/joinery/pgx"
)

// batchLog is a pgx tracer recording the statements of each batch.
type batchLog struct {
	mu    sync.Mutex
	stmts []string
}

func (l *batchLog) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (l *batchLog) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	l.mu.Lock()
	l.stmts = append(l.stmts, d.SQL)
	l.mu.Unlock()
}
func (l *batchLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
func (l *batchLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (l *batchLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// schemaConn connects to the test schema, with the config changed by tune (a tracer, a
// dialer).
func schemaConn(t *testing.T, tune func(*pgx.ConnConfig)) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(os.Getenv("JOINERY_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schemaName
	tune(cfg)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

// A pipelined plan of several statements runs in one REPEATABLE READ transaction (one
// snapshot); a pipeline of one statement needs none, and gets no BEGIN and COMMIT.
func TestPipelineTransactionOnlyWhereNeeded(t *testing.T) {
	_, db, s := setup(t)
	ctx := context.Background()
	log := &batchLog{}
	conn := schemaConn(t, func(cfg *pgx.ConnConfig) { cfg.Tracer = log })
	for _, c := range []struct {
		q      joinery.Q[User]
		stmts  int
		wantTx bool
	}{
		{joinery.Query[User](s, dialects.Postgres).OrderBy("id").Shape(joinery.ShapePipeline), 1, false},
		{joinery.Query[User](s, dialects.Postgres).Include("posts").OrderBy("id").Shape(joinery.ShapePipeline), 2, true},
	} {
		want, err := c.q.Shape(joinery.ShapeFlat).All(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		log.stmts = nil
		got, err := jpgx.All(ctx, conn, c.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("%d roots, want %d", len(got), len(want))
		}
		hasTx := slices.ContainsFunc(log.stmts, func(s string) bool { return s == "COMMIT" })
		if hasTx != c.wantTx || len(log.stmts) != c.stmts+map[bool]int{true: 2, false: 0}[c.wantTx] {
			t.Fatalf("a pipeline of %d statements sent %q", c.stmts, log.stmts)
		}
		if st := conn.PgConn().TxStatus(); st != 'I' {
			t.Fatalf("transaction status %c after the load", st)
		}
	}
}

// batchCount is a batchLog that also counts the batches (round trips) and the statements
// sent outside a batch.
type batchCount struct {
	batchLog
	batches int
	queries []string
}

func (l *batchCount) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	l.mu.Lock()
	l.batches++
	l.mu.Unlock()
	return ctx
}

func (l *batchCount) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	l.queries = append(l.queries, d.SQL)
	l.mu.Unlock()
	return ctx
}

// The default over pgx is the per-level shape: a statement per level with its parent keys as
// one array, the levels whose keys are in hand in one batch (users; posts; tags and authors:
// three round trips), in one REPEATABLE READ, READ ONLY transaction whose BEGIN goes in the
// first batch and COMMIT in the last (no round trip of their own); the count of AllAndCount
// in the first batch too; in the caller's transaction none of its own; a read whose last
// levels have no keys, or that fails, ends its transaction (the connection is idle after
// it, and the next read runs).
func TestLevelsBatchesAndSnapshot(t *testing.T) {
	_, db, s := setup(t)
	ctx := context.Background()
	log := &batchCount{}
	conn := schemaConn(t, func(cfg *pgx.ConnConfig) { cfg.Tracer = log })
	defer jpgx.SetRoundTrip(jpgx.SetRoundTrip(100 * time.Microsecond)) // (a nearby server)
	// (a root filter: roots without one are read again by the posts' statement, in the
	// first batch; see the end)
	q := joinery.Query[User](s, dialects.Postgres).Where(sq.Gt{"id": 0}).Include("posts.tags", "posts.author").OrderBy("id")
	if p, err := q.PlanPipelined(); err != nil || p.Shape != joinery.ShapeLevels || len(p.Statements) != 4 {
		t.Fatalf("PlanPipelined: %v %v", p, err)
	}
	want, err := q.Shape(joinery.ShapeUnion).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	normalize(want)
	reset := func() { log.stmts, log.batches, log.queries = nil, 0, nil }
	idle := func(what string) {
		t.Helper()
		if st := conn.PgConn().TxStatus(); st != 'I' {
			t.Fatalf("%s: transaction status %c after the load", what, st)
		}
	}
	isLevel := func(sql string) bool { return strings.HasPrefix(sql, "SELECT") && !strings.Contains(sql, "COUNT(") }

	reset()
	got, err := jpgx.All(ctx, conn, q)
	if err != nil {
		t.Fatal(err)
	}
	normalize(got)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("levels\n%+v\nunion\n%+v", got, want)
	}
	if log.batches != 3 || len(log.stmts) != 6 || log.stmts[0] != "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" ||
		!isLevel(log.stmts[1]) || log.stmts[5] != "COMMIT" || len(log.queries) != 0 {
		t.Fatalf("%d batches: %q; other statements %q", log.batches, log.stmts, log.queries)
	}
	if !strings.Contains(log.stmts[3], `"post_id" = ANY($1)`) || !strings.Contains(log.stmts[4], `"id" = ANY($1)`) {
		t.Fatalf("the third batch is not the tags and the authors by key arrays: %q", log.stmts[3:5])
	}
	idle("All")

	// AllAndCount: the count in the first batch
	reset()
	page, n, err := jpgx.AllAndCount(ctx, conn, q.Limit(1))
	if err != nil || len(page) != 1 || n != int64(len(want)) {
		t.Fatalf("AllAndCount: %d roots, count %d, %v", len(page), n, err)
	}
	if log.batches != 3 || len(log.stmts) != 7 || !strings.Contains(log.stmts[1], "COUNT(") || log.stmts[6] != "COMMIT" {
		t.Fatalf("AllAndCount: %d batches: %q", log.batches, log.stmts)
	}
	idle("AllAndCount")

	// in the caller's transaction: no BEGIN or COMMIT of its own, and it stays open
	reset()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	if got, err = jpgx.All(ctx, tx, q); err != nil || len(got) != len(want) {
		t.Fatalf("in a transaction: %d roots, %v", len(got), err)
	}
	if slices.ContainsFunc(log.stmts, func(s string) bool { return !isLevel(s) }) || log.batches != 3 {
		t.Fatalf("in a transaction: %d batches: %q", log.batches, log.stmts)
	}
	if st := conn.PgConn().TxStatus(); st != 'T' {
		t.Fatalf("the caller's transaction: status %c", st)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	// posts without tags or authors to read: the last batch is never sent, and the
	// transaction ends all the same. (The root is found by its key: its posts go in the
	// first batch, by an array of its key.)
	reset()
	none, err := jpgx.All(ctx, conn, q.Where(sq.Eq{"id": 2}).Include(include.New("posts").Where(sq.Eq{"title": "nothing"})))
	if err != nil || len(none) != 1 || len(none[0].Posts) != 0 {
		t.Fatalf("no posts: %+v %v", none, err)
	}
	if log.batches != 1 || len(log.stmts) != 3 || !strings.Contains(log.stmts[2], `"user_id" = ANY(ARRAY(SELECT "t0"."id" FROM "users" AS "t0" WHERE "t0"."id" > $1 AND "t0"."id" = $2))`) ||
		slices.Contains(log.stmts, "COMMIT") || !slices.Contains(log.queries, "ROLLBACK") {
		t.Fatalf("no posts: %d batches: %q, then %q", log.batches, log.stmts, log.queries)
	}
	idle("no posts")

	// roots without a filter: the posts go with them, by a semi-join on every user (two
	// batches)
	reset()
	all := joinery.Query[User](s, dialects.Postgres).Include("posts.tags", "posts.author").OrderBy("id")
	if got, err = jpgx.All(ctx, conn, all); err != nil {
		t.Fatal(err)
	}
	normalize(got)
	if !reflect.DeepEqual(got, want) || log.batches != 2 || !strings.Contains(log.stmts[2], `"user_id" IN (SELECT "t0"."id" FROM "users" AS "t0")`) {
		t.Fatalf("roots without a filter: %d batches: %q", log.batches, log.stmts)
	}
	idle("roots without a filter")

	// a failing level: its error, the transaction ended, the connection usable
	bad := q.Include(include.New("posts.tags").Where(sq.Expr("{{self}}.id / ? = 1", 0)))
	if _, err := jpgx.All(ctx, conn, bad); err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Fatalf("want division by zero, got %v", err)
	}
	idle("a failure")
	if got, err = jpgx.All(ctx, conn, q); err != nil || len(got) != len(want) {
		t.Fatalf("after a failure: %d roots, %v", len(got), err)
	}
}

// Over a distant server (a measured round trip above half a millisecond) the root's to-many
// includes go in the roots' batch, linked by a semi-join on the roots: users and posts in
// the first batch, tags and authors (by the posts' keys) in the second, one round trip
// less, the same result. The round trip is measured on every load's first batch (its
// BEGIN), following the shortest samples: a nearby server brings the estimate down at once.
func TestLevelsDistant(t *testing.T) {
	_, db, s := setup(t)
	ctx := context.Background()
	log := &batchCount{}
	conn := schemaConn(t, func(cfg *pgx.ConnConfig) { cfg.Tracer = log })
	// (a root filter: roots without one go with their posts at any distance)
	q := joinery.Query[User](s, dialects.Postgres).Where(sq.Gt{"id": 0}).Include("posts.tags", "posts.author").OrderBy("id")
	far, err := q.PlanPipelinedDistant()
	if err != nil || far.Shape != joinery.ShapeLevels || far.Statements[1].Keys.From != -1 || far.Statements[2].Keys.From != 1 ||
		!strings.Contains(far.Explain(), "statement 2: branch 1, with the roots (a semi-join on them: Distant, one root by its key, or roots without a filter), round trip 1") {
		t.Fatalf("PlanPipelinedDistant: %v\n%s", err, far.Explain())
	}
	want, err := q.Shape(joinery.ShapeUnion).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	normalize(want)
	defer jpgx.SetRoundTrip(jpgx.SetRoundTrip(0))
	for _, c := range []struct {
		rtt     time.Duration
		batches int
	}{{2 * time.Millisecond, 2}, {100 * time.Microsecond, 3}} {
		jpgx.SetRoundTrip(c.rtt) // (the plan is chosen before the load measures its own)
		log.stmts, log.batches = nil, 0
		got, err := jpgx.All(ctx, conn, q)
		if err != nil {
			t.Fatal(err)
		}
		normalize(got)
		if !reflect.DeepEqual(got, want) || log.batches != c.batches {
			t.Fatalf("round trip %v: %d batches %q\n%+v\nwant\n%+v", c.rtt, log.batches, log.stmts, got, want)
		}
	}
	// a nearby server's first measured load brings a distant estimate down at once
	jpgx.SetRoundTrip(time.Second)
	if _, err := jpgx.All(ctx, conn, q); err != nil {
		t.Fatal(err)
	}
	if rt := jpgx.RoundTrip(); rt >= time.Second || rt <= 0 {
		t.Fatalf("round trip estimate %v after a load on loopback", rt)
	}
}
