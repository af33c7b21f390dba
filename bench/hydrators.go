package bench

import (
	"context"
	"database/sql"

	"github.com/joinery/joinery/hydrate"
)

// Hydrator is a BenchmarkHydrate contender: the statement whose rows it folds (captured once
// from PostgreSQL, replayed from memory) and the fold.
type Hydrator struct {
	Name string
	// Setup returns the statement to capture and the fold of its rows.
	Setup func(e *Env, w string) (query string, args []any, fold func(*sql.Rows) (any, error), err error)
}

// Hydrators: joinery's hydrator and the hand-written fold over the same rows (joinery's flat
// statement; the hand-written fold reads its columns by position), and joinery's UNION ALL
// statement and the hand-written one, each folding its own statement's rows (same data,
// different column layouts). A joinery shape is one more line.
var Hydrators = []Hydrator{
	{"joinery-flat", joineryHydrator("flat")},
	{"hand-join", func(e *Env, w string) (string, []any, func(*sql.Rows) (any, error), error) {
		p, err := JoineryPlan(e.Schema, w, "flat")
		if err != nil {
			return "", nil, nil, err
		}
		return p.SQL, p.Args, func(rows *sql.Rows) (any, error) { return HandFold(rows, w) }, nil
	}},
	{"hand-union", func(e *Env, w string) (string, []any, func(*sql.Rows) (any, error), error) {
		query, args := UnionSQL(w)
		return query, args, func(rows *sql.Rows) (any, error) { return UnionFold(rows, w) }, nil
	}},
	{"joinery-union", joineryHydrator("union")},
}

// joineryHydrator folds the rows of the workload's joinery statement of a shape with the
// plan's hydrate.Map (compiled once, outside the measurement).
func joineryHydrator(shape string) func(e *Env, w string) (string, []any, func(*sql.Rows) (any, error), error) {
	return func(e *Env, w string) (string, []any, func(*sql.Rows) (any, error), error) {
		p, err := JoineryPlan(e.Schema, w, shape)
		if err != nil {
			return "", nil, nil, err
		}
		fold := func(rows *sql.Rows) (any, error) { return hydrate.All[User](rows, p.Map) }
		if w == "W2" {
			fold = func(rows *sql.Rows) (any, error) { return hydrate.All[Post](rows, p.Map) }
		}
		return p.SQL, p.Args, fold, nil
	}
}

// ReplayFold queries db (a Replay's) and folds the rows.
func ReplayFold(ctx context.Context, db *sql.DB, query string, args []any, fold func(*sql.Rows) (any, error)) (any, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return fold(rows)
}
