package pgx_test

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
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

// A pipelined plan of several statements runs in one REPEATABLE READ transaction (one
// snapshot); a pipeline of one statement needs none, and gets no BEGIN and COMMIT.
func TestPipelineTransactionOnlyWhereNeeded(t *testing.T) {
	_, db, s := setup(t)
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(os.Getenv("JOINERY_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schemaName
	log := &batchLog{}
	cfg.Tracer = log
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
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
