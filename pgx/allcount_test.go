package pgx_test

import (
	"context"
	"database/sql"
	"net"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	jpgx "github.com/joinery/joinery/pgx"
)

// acUser is the users table with a computed value.
type acUser struct {
	ID        int64  `db:"id"`
	Name      string `db:"name"`
	PostCount int64  `joinery:"computed:post_count"`
	Posts     []Post `db:"-"`
}

func allCountSchema(t testing.TB) *include.Schema {
	t.Helper()
	s := include.NewSchema()
	s.Define(acUser{}, "users", include.Name("User"))
	s.Define(Post{}, "posts")
	s.Define(Tag{}, "tags")
	s.HasMany("User", "Post", include.As("posts"))
	s.BelongsToMany("Post", "Tag", include.As("tags"), include.Through("post_tags"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// allCountQueries are paged queries: limit and offset, a required include, a computed value
// filtered and ordered by; the fixture has 2 users (alice: posts 10, 11; bob: post 12).
func allCountQueries(s *include.Schema) []joinery.Q[acUser] {
	base := joinery.Query[acUser](s, dialects.Postgres)
	return []joinery.Q[acUser]{
		base.Include(include.New("posts").Order("id").Include(include.New("tags").Order("id"))).OrderBy("id").Limit(1).Offset(1),
		base.Include(include.New("posts").Required().Where(sq.Eq{"title": "bobs"}).Include("tags")).OrderBy("id").Limit(5),
		base.Compute(include.Count("posts").As("post_count")).Where(sq.GtOrEq{"post_count": 1}).
			Include(include.New("posts").Order("id")).OrderBy("post_count DESC", "id").Limit(1),
		base.Include("posts").OrderBy("id").Limit(1).Offset(9),
	}
}

// pgx's AllAndCount returns what All and Count return over database/sql, in every shape,
// over a connection, a pool and a pgx.Tx (which stays open).
func TestPgxAllAndCount(t *testing.T) {
	conn, db, _ := setup(t)
	s := allCountSchema(t)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(os.Getenv("JOINERY_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schemaName
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	wantCounts := []int64{2, 1, 2, 2}
	wantPages := []int{1, 1, 1, 0}
	for i, base := range allCountQueries(s) {
		for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
			q := base.Shape(shape)
			want, err := q.All(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			wantN, err := q.Count(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if wantN != wantCounts[i] || len(want) != wantPages[i] {
				t.Fatalf("query %d %v: the fixture gives %d roots, a page of %d", i, shape, wantN, len(want))
			}
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, on := range []struct {
				name string
				db   jpgx.Querier
			}{{"conn", conn}, {"pool", pool}, {"tx", tx}} {
				got, n, err := jpgx.AllAndCount(ctx, on.db, q)
				if err != nil {
					t.Fatalf("query %d %v over %s: %v", i, shape, on.name, err)
				}
				if n != wantN || !reflect.DeepEqual(got, want) {
					t.Fatalf("query %d %v over %s: count %d, want %d\n got %+v\nwant %+v", i, shape, on.name, n, wantN, got, want)
				}
			}
			if st := conn.PgConn().TxStatus(); st != 'T' {
				t.Fatalf("the caller's transaction should stay open, state %q", st)
			}
			if err := tx.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			if st := conn.PgConn().TxStatus(); st != 'I' {
				t.Fatalf("the connection is left in transaction state %q", st)
			}
		}
	}
}

// A failing count or page: the error, and the connection (and the pool) usable after it.
func TestPgxAllAndCountErrors(t *testing.T) {
	conn, _, _ := setup(t)
	s := allCountSchema(t)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(os.Getenv("JOINERY_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schemaName
	cfg.MaxConns = 1 // a connection not given back would block the next load
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	good := joinery.Query[acUser](s, dialects.Postgres).Include("posts").OrderBy("id").Limit(1)
	badCount := joinery.Query[acUser](s, dialects.Postgres).Where(sq.Expr("{{self}}.id / ? = 1", 0)).Include("posts")
	badPage := joinery.Query[acUser](s, dialects.Postgres).Include(include.New("posts").Where(sq.Expr("{{self}}.id / ? = 1", 0)))
	for _, on := range []struct {
		name string
		db   jpgx.Querier
	}{{"conn", conn}, {"pool", pool}} {
		for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapePipeline} {
			for _, bad := range []joinery.Q[acUser]{badCount, badPage} {
				if _, _, err := jpgx.AllAndCount(ctx, on.db, bad.Shape(shape)); err == nil || !strings.Contains(err.Error(), "division by zero") {
					t.Fatalf("%s %v: want division by zero, got %v", on.name, shape, err)
				}
				if st := conn.PgConn().TxStatus(); st != 'I' {
					t.Fatalf("%v: after a failed batch the connection is in transaction state %q", shape, st)
				}
				if got, n, err := jpgx.AllAndCount(ctx, on.db, good.Shape(shape)); err != nil || n != 2 || len(got) != 1 {
					t.Fatalf("%s %v: after a failed batch: %v %d %+v", on.name, shape, err, n, got)
				}
			}
		}
	}
	if _, _, err := jpgx.AllAndCount(ctx, conn, joinery.Query[acUser](s, dialects.Postgres).Include("nope")); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("unknown include: %v", err)
	}
}

// AllAndCount is one round trip on a warm connection (its statements prepared): the test's
// connection counts the turns of the conversation (a write after the server has sent bytes)
// and pgx's tracer the queries and batches sent.
func TestPgxAllAndCountOneRoundTrip(t *testing.T) {
	setup(t)
	s := allCountSchema(t)
	ctx := context.Background()
	conn, wire, trace := tracedConn(t)
	q := allCountQueries(s)[0]
	for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
		q := q.Shape(shape)
		measure := func(f func() error) (turns, queries, batches int) {
			t.Helper()
			wire.reset()
			trace.reset()
			if err := f(); err != nil {
				t.Fatal(err)
			}
			return wire.count(), trace.queries, trace.batches
		}
		allAndCount := func() error { _, _, err := jpgx.AllAndCount(ctx, conn, q); return err }
		cold, _, _ := measure(allAndCount)
		turns, queries, batches := measure(allAndCount)
		if turns != 1 || queries != 0 || batches != 1 {
			t.Fatalf("%v: AllAndCount took %d round trips (%d queries, %d batches), want 1 batch in 1", shape, turns, queries, batches)
		}
		// separately: All, then the count
		sqlText, args, err := q.CountSql()
		if err != nil {
			t.Fatal(err)
		}
		separate := func() error {
			if _, err := jpgx.All(ctx, conn, q); err != nil {
				return err
			}
			var n int64
			return conn.QueryRow(ctx, sqlText, args...).Scan(&n)
		}
		measure(separate)
		sepTurns, _, _ := measure(separate)
		t.Logf("%v: AllAndCount %d round trip(s) (%d the first time, preparing); All + count %d", shape, turns, cold, sepTurns)
		if sepTurns != 2 {
			t.Fatalf("%v: All and a count took %d round trips, want 2", shape, sepTurns)
		}
	}
}

// tracedConn connects to the test schema through a connection that counts its round trips
// and a tracer that counts the queries and batches pgx sends.
func tracedConn(t *testing.T) (*pgx.Conn, *turnCounter, *queryCounter) {
	t.Helper()
	wire, trace := &turnCounter{}, &queryCounter{}
	conn := schemaConn(t, func(cfg *pgx.ConnConfig) {
		cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			wire.Conn = c
			return wire, nil
		}
		cfg.Tracer = trace
	})
	return conn, wire, trace
}

// turnCounter counts the round trips of a connection: a write that follows bytes read from
// the server starts a new one.
type turnCounter struct {
	net.Conn
	mu    sync.Mutex
	turns int
	heard bool // bytes read since the last write
}

func (c *turnCounter) Write(b []byte) (int, error) {
	c.mu.Lock()
	if c.heard || c.turns == 0 {
		c.turns++
		c.heard = false
	}
	c.mu.Unlock()
	return c.Conn.Write(b)
}

func (c *turnCounter) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.mu.Lock()
		c.heard = true
		c.mu.Unlock()
	}
	return n, err
}

func (c *turnCounter) reset() {
	c.mu.Lock()
	c.turns, c.heard = 0, false
	c.mu.Unlock()
}

func (c *turnCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.turns
}

// queryCounter is a pgx tracer counting queries (Query, QueryRow, Exec) and batches.
type queryCounter struct{ queries, batches int }

func (q *queryCounter) reset() { q.queries, q.batches = 0, 0 }

func (q *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	q.queries++
	return ctx
}
func (q *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (q *queryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	q.batches++
	return ctx
}
func (q *queryCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (q *queryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// BenchmarkPgxAllAndCount: the page and the count in one batch (AllAndCount) against All and
// then the count statement (two round trips), on a warm connection, in each shape.
//
//	JOINERY_PG_DSN=... go test -run '^$' -bench BenchmarkPgxAllAndCount -benchmem .
func BenchmarkPgxAllAndCount(b *testing.B) {
	conn, _, _ := setup(b)
	ctx := context.Background()
	s := allCountSchema(b)
	base := joinery.Query[acUser](s, dialects.Postgres).Include(include.New("posts").Order("id").Include("tags")).OrderBy("id").Limit(1).Offset(1)
	for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
		q := base.Shape(shape)
		countSQL, countArgs, err := q.CountSql()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(shape.String()+"/AllAndCount", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, n, err := jpgx.AllAndCount(ctx, conn, q); err != nil || n != 2 {
					b.Fatal(n, err)
				}
			}
		})
		b.Run(shape.String()+"/All+count", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := jpgx.All(ctx, conn, q); err != nil {
					b.Fatal(err)
				}
				var n int64
				if err := conn.QueryRow(ctx, countSQL, countArgs...).Scan(&n); err != nil || n != 2 {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// Q.AllAndCount over a *sql.DB and a *sql.Conn on pgx's stdlib driver runs natively (the
// adapter's Counted: one batch) and returns what All and Count return over lib/pq; on a
// connection in a transaction the batch runs inside it, which stays open.
func TestStdlibAllAndCount(t *testing.T) {
	_, db, _ := setup(t)
	s := allCountSchema(t)
	ctx := context.Background()
	dsn := os.Getenv("JOINERY_PG_DSN")
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	sdb, err := sql.Open("pgx", dsn+sep+"search_path="+schemaName)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	for i, base := range allCountQueries(s) {
		for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapePipeline} {
			q := base.Shape(shape)
			want, err := q.All(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			wantN, err := q.Count(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			before := jpgx.StdlibRuns()
			got, n, err := q.AllAndCount(ctx, sdb)
			if err != nil || n != wantN || !reflect.DeepEqual(got, want) {
				t.Fatalf("query %d %v over *sql.DB: %v, count %d want %d\n got %+v\nwant %+v", i, shape, err, n, wantN, got, want)
			}
			if jpgx.StdlibRuns() != before+1 {
				t.Fatalf("query %d %v: not run natively", i, shape)
			}
			conn, err := sdb.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
				t.Fatal(err)
			}
			got, n, err = q.AllAndCount(ctx, conn)
			if err != nil || n != wantN || !reflect.DeepEqual(got, want) {
				t.Fatalf("query %d %v over *sql.Conn: %v, count %d want %d", i, shape, err, n, wantN)
			}
			var open bool
			if err := conn.QueryRowContext(ctx, "SELECT now() < statement_timestamp()").Scan(&open); err != nil || !open {
				t.Fatalf("the caller's transaction was ended (%v)", err)
			}
			if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Fatal(err)
			}
			conn.Close()
		}
	}
	// a failing statement: the error, and the pool usable after it
	bad := joinery.Query[acUser](s, dialects.Postgres).Include(include.New("posts").Where(sq.Expr("{{self}}.id / ? = 1", 0)))
	if _, _, err := bad.AllAndCount(ctx, sdb); err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Fatalf("want division by zero, got %v", err)
	}
	if _, n, err := allCountQueries(s)[0].AllAndCount(ctx, sdb); err != nil || n != 2 {
		t.Fatalf("after a failure: %d %v", n, err)
	}
}

// In a batch pgx reads every column binary (a query asks for text beside the common types):
// a single-statement page sent with its count decodes as All decodes it (numeric, arrays,
// json, timestamps far from 2000 or infinite, into structs and maps), but for an interval in
// a map model, which comes in pgx's text form as it does in a pipeline.
func TestPgxAllAndCountTypes(t *testing.T) {
	conn, _, _ := setup(t)
	ctx := context.Background()
	for _, st := range []string{
		`CREATE TABLE odd2 (id BIGINT PRIMARY KEY, num NUMERIC(6,2), iv INTERVAL, arr TEXT[], js JSONB,
			far TIMESTAMPTZ, old TIMESTAMP, inf TIMESTAMPTZ, d DATE)`,
		`INSERT INTO odd2 VALUES (1, 12.50, '1 day', '{p,q}', '{"a": 1}', '2400-01-01 00:00:00+00', '1650-06-01 12:00:00', 'infinity', '1900-03-04'),
			(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
	} {
		if _, err := conn.Exec(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	type Odd struct {
		ID  int64      `db:"id"`
		Num *float64   `db:"num"`
		Far *time.Time `db:"far"`
		Old *time.Time `db:"old"`
		D   *time.Time `db:"d"`
	}
	s := include.NewSchema()
	s.Define(Odd{}, "odd2")
	s.DefineMap("OddMap", "odd2", []include.Attr{{Name: "id"}, {Name: "num"}, {Name: "iv"}, {Name: "arr"}, {Name: "js"}, {Name: "inf"}})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	sq := joinery.Query[Odd](s, dialects.Postgres).OrderBy("id").Limit(5)
	want, err := jpgx.All(ctx, conn, sq)
	if err != nil {
		t.Fatal(err)
	}
	got, n, err := jpgx.AllAndCount(ctx, conn, sq)
	if err != nil || n != 2 || !reflect.DeepEqual(got, want) || *got[0].Num != 12.5 {
		t.Fatalf("%v %d\n got %+v\nwant %+v", err, n, got, want)
	}
	mq := joinery.QueryMap(s, dialects.Postgres, "OddMap").OrderBy("id").Limit(5)
	wantMap, err := jpgx.All(ctx, conn, mq)
	if err != nil {
		t.Fatal(err)
	}
	gotMap, n, err := jpgx.AllAndCount(ctx, conn, mq)
	if err != nil || n != 2 {
		t.Fatalf("%v %d", err, n)
	}
	// an interval is PostgreSQL's text in a batch too (sent with joinery's result formats)
	if gotMap[0]["iv"] != "1 day" || wantMap[0]["iv"] != "1 day" {
		t.Fatalf("interval %#v, All's %#v", gotMap[0]["iv"], wantMap[0]["iv"])
	}
	if !reflect.DeepEqual(gotMap, wantMap) {
		t.Fatalf("got %#v\nwant %#v", gotMap, wantMap)
	}
}
