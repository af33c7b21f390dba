package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
)

// Workload parameters.
const (
	W1MaxUserID = NormalUsers // W1 and W5 load the normal users, not the heavy one
	W2Posts     = 10000
	W4Users     = 50
	W5Users     = 100
)

// Workload is one load of nested data.
type Workload struct {
	Name string
	Desc string
	// Ordered: the order of the roots is defined by the workload; children never are (the
	// test compares them sorted by id).
	Ordered bool
}

// Workloads are issue 6's W1-W5.
var Workloads = []Workload{
	{"W1", "users (id <= 1000) -> posts -> {tags + post_tags.added_by, comments -> author}", false},
	{"W2", "first 10,000 posts by id -> author", true},
	{"W3", "the heavy user -> 2,000 posts -> tags", true},
	{"W4", "first 50 users by name -> posts", true},
	{"W5", "W1 with the roots limited to the first 100 by name", true},
}

// Loader runs one workload and returns its nested result: []User for W1, W3, W4, W5 and []Post
// for W2.
type Loader func(ctx context.Context, e *Env, w string) (any, error)

// Contender is one way of loading the workloads.
type Contender struct {
	Name string
	Desc string
	Load Loader
}

// Contenders are run by TestSameResult and BenchmarkEndToEnd. A joinery statement shape or
// driver path is one more line here (joineryLoader's shape names a case in applyShape).
var Contenders = []Contender{
	{"joinery-pgx", "joinery's default shape, database/sql over pgx stdlib (*sql.DB; joinery/pgx imported, so the load runs on the driver's *pgx.Conn as joinery/pgx runs it: pipelines as one batch, raw values decoded natively)", joineryLoader(pgxDB, "")},
	{"joinery-pgx-sqlrows", "joinery-pgx through database/sql's *sql.Rows (a Querier that lends no driver connection, as *sql.Tx)", joineryLoader(pgxSQLRows, "")},
	{"joinery-pq", "joinery's default shape (ShapeAuto), database/sql over lib/pq (*sql.DB; no adapter for lib/pq: database/sql's rows)", joineryLoader(pqDB, "")},
	{"joinery-flat-pgx", "joinery, Shape(ShapeFlat): the flat JOIN, over pgx stdlib", joineryLoader(pgxDB, "flat")},
	{"joinery-union-pgx", "joinery, Shape(ShapeUnion): UNION ALL of branches, over pgx stdlib", joineryLoader(pgxDB, "union")},
	{"joinery-pipeline-pgx", "joinery, Shape(ShapePipeline) over database/sql (pgx stdlib, so one batch through the adapter)", joineryLoader(pgxDB, "pipeline")},
	{"joinery-pgxnative", "joinery's default shape over pgx natively (module joinery/pgx, *pgxpool.Pool)", joineryPgxLoader("")},
	{"joinery-pgxnative-union", "joinery, Shape(ShapeUnion) over pgx natively", joineryPgxLoader("union")},
	{"joinery-pgxnative-pipeline", "joinery, Shape(ShapePipeline) over pgx natively: one batch, one round trip", joineryPgxLoader("pipeline")},
	{"joinery-levels-pgx", "joinery, Shape(ShapeLevels): a statement per level, each filtered by its parent keys as one array, over database/sql (pgx stdlib, so the arrays go natively through the adapter)", joineryLoader(pgxDB, "levels")},
	{"joinery-pgxnative-levels", "joinery, Shape(ShapeLevels) over pgx natively: a statement per level, keys as native arrays", joineryPgxLoader("levels")},
	{"hand-join", "hand-written single flat JOIN + fold (explicit Scan, typed-key maps)", handJoin},
	{"hand-level", "hand-written query per level (fk = ANY($1))", handLevel},
	{"hand-union", "hand-written single UNION ALL statement, one branch per include path", handUnion},
	{"hand-union-pq", "hand-union over lib/pq (the baseline for joinery-pq's driver)", handUnionPQ},
	{"hand-union-pgxnative", "hand-union over pgx natively (*pgxpool.Pool)", handUnionPgx},
	{"hand-pipeline-pgxnative", "hand-written per-level statements pipelined in one pgx batch (one round trip, REPEATABLE READ)", handPipelinePgx},
	{"hand-level-pgxnative", "hand-written query per level on pgx natively: fk = ANY($1) with the parent keys as one int8[], pgx.ForEachRow into typed fields", handLevelPgx},
	{"hand-levelbatch-pgxnative", "hand-level-pgxnative with the statements whose keys are in hand sent together in one pgx batch (W1, W5: tags and comments; W3: the user and its posts)", handLevelBatchPgx},
	{"hand-join-pgxnative", "hand-written flat JOIN on pgx natively, typed pgtype scans, hand-join's fold", handJoinPgx},
	{"sqlx", "sqlx Select of the flat JOIN into a flat struct slice + fold", sqlxJoin},
	{"jet", "go-jet qrm on the flat JOIN", jetJoin},
	{"gorm", "GORM Preload", gormLoad},
	{"bun", "bun Relation", bunLoad},
}

// HandWritten are the hand-written contenders of every shape and driver path: the report's
// "best hand-written" is the fastest of them per workload.
var HandWritten = []string{"hand-join", "hand-level", "hand-union", "hand-union-pq", "hand-union-pgxnative",
	"hand-pipeline-pgxnative", "hand-level-pgxnative", "hand-levelbatch-pgxnative", "hand-join-pgxnative"}

// Rotate returns list rotated left by the run index in $BENCH_RUN (0 when unset), so that
// successive runs put each contender in every position and drift favours none.
func Rotate[T any](list []T) []T {
	n, _ := strconv.Atoi(os.Getenv("BENCH_RUN"))
	if len(list) == 0 {
		return list
	}
	k := ((n % len(list)) + len(list)) % len(list)
	return append(append([]T(nil), list[k:]...), list[:k]...)
}

func unknown(w string) error { return fmt.Errorf("unknown workload %q", w) }
