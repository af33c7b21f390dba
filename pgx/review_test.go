package pgx_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	jpgx "github.com/joinery/joinery/pgx"
)

// TestNilInputs: a nil context or Querier (typed nil pools, connections and transactions
// too) is an error before anything is compiled or acquired.
func TestNilInputs(t *testing.T) {
	_, _, s := setup(t)
	q := joinery.Query[User](s, dialects.Postgres).Include("posts")
	ctx := context.Background()
	var pool *pgxpool.Pool
	var conn *pgx.Conn
	var tx *pgxpool.Tx
	var nilCtx context.Context
	for name, db := range map[string]jpgx.Querier{"nil": nil, "typed nil pool": pool, "typed nil conn": conn, "typed nil tx": tx} {
		if _, err := jpgx.All(ctx, db, q); err == nil || !strings.Contains(err.Error(), "nil") {
			t.Errorf("All on %s: %v", name, err)
		}
		if _, _, err := jpgx.AllAndCount(ctx, db, q); err == nil || !strings.Contains(err.Error(), "nil") {
			t.Errorf("AllAndCount on %s: %v", name, err)
		}
		if _, err := jpgx.One(ctx, db, q); err == nil || !strings.Contains(err.Error(), "nil") {
			t.Errorf("One on %s: %v", name, err)
		}
	}
	if _, err := jpgx.All(nilCtx, connect(t), q); err == nil || !strings.Contains(err.Error(), "nil context") {
		t.Errorf("nil context: %v", err)
	}
}

// sqlLog records the statements a connection runs.
type sqlLog struct{ sqls []string }

func (l *sqlLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.sqls = append(l.sqls, d.SQL)
	return ctx
}
func (l *sqlLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestOneSendsLimit: One reads one root (LIMIT on the roots), as joinery.Q.One sends it.
func TestOneSendsLimit(t *testing.T) {
	_, db, s := setup(t)
	log := &sqlLog{}
	conn := schemaConn(t, func(cfg *pgx.ConnConfig) { cfg.Tracer = log })
	q := joinery.Query[User](s, dialects.Postgres).OrderBy("id")
	got, err := jpgx.One(context.Background(), conn, q)
	if err != nil {
		t.Fatal(err)
	}
	want, err := q.One(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || len(log.sqls) == 0 || !strings.Contains(log.sqls[len(log.sqls)-1], "LIMIT") {
		t.Errorf("One: %v (want %v); statements %q", got.ID, want.ID, log.sqls)
	}
}
