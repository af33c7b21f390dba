package pgx_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
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

type fmtRow struct {
	ID   int64    `db:"id"`
	Iv   *string  `db:"iv"`
	Grid *string  `db:"grid"`
	Rng  *string  `db:"rng"`
	Addr *string  `db:"addr"`
	Kids []fmtKid `db:"-"`
}

type fmtKid struct {
	ID  int64 `db:"id"`
	PID int64 `db:"pid"`
}

// TestBatchedValuesAsPostgreSQLWrites: the statements of a batch (the per-level default, a
// count with its page) return values of types off the fast path as PostgreSQL writes them,
// as one statement does: an interval, a two-dimensional array, a range, an inet.
func TestBatchedValuesAsPostgreSQLWrites(t *testing.T) {
	conn, db, _ := setup(t)
	ctx := context.Background()
	for _, st := range []string{
		`CREATE TABLE fmt_rows (id BIGINT PRIMARY KEY, iv INTERVAL, grid TEXT[][], rng INT4RANGE, addr INET)`,
		`CREATE TABLE fmt_kids (id BIGINT PRIMARY KEY, pid BIGINT)`,
		`INSERT INTO fmt_rows VALUES (1, '1 day', '{{a,b},{c,d}}', '[1,5)', '10.0.0.1'), (2, '3 mons', NULL, 'empty', NULL)`,
		`INSERT INTO fmt_kids VALUES (10, 1), (11, 2)`,
	} {
		if _, err := conn.Exec(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	s := include.NewSchema()
	s.Define(fmtRow{}, "fmt_rows")
	s.Define(fmtKid{}, "fmt_kids")
	s.HasMany("fmtRow", "fmtKid", include.As("kids"), include.ForeignKey("pid"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	q := joinery.Query[fmtRow](s, dialects.Postgres).Include("kids").OrderBy("id")
	want, err := q.All(ctx, db) // lib/pq: PostgreSQL's text
	if err != nil {
		t.Fatal(err)
	}
	if *want[0].Iv != "1 day" || *want[0].Grid != "{{a,b},{c,d}}" || *want[0].Rng != "[1,5)" || *want[0].Addr != "10.0.0.1" {
		t.Fatalf("lib/pq: %s", show(want))
	}
	for name, load := range map[string]func() ([]fmtRow, error){
		"default (per level, batched)": func() ([]fmtRow, error) { return jpgx.All(ctx, conn, q) },
		"pipeline":                     func() ([]fmtRow, error) { return jpgx.All(ctx, conn, q.Shape(joinery.ShapePipeline)) },
		"AllAndCount":                  func() ([]fmtRow, error) { got, _, err := jpgx.AllAndCount(ctx, conn, q); return got, err },
	} {
		got, err := load()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, show(got), show(want))
		}
	}
}

func show(rs []fmtRow) string {
	var b strings.Builder
	for _, r := range rs {
		for _, p := range []*string{r.Iv, r.Grid, r.Rng, r.Addr} {
			if p == nil {
				b.WriteString("NULL ")
			} else {
				b.WriteString(*p + " ")
			}
		}
		b.WriteString("| ")
	}
	return b.String()
}
