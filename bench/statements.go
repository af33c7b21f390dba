package bench

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/include"
	joinerypgx "github.com/joinery/joinery/pgx"
)

// The statements each contender sends, with the arguments it sends them with, so cmd/explain
// can sum the server's execution time and the bytes of values per load.

// Stmt is one statement a contender sends in a load.
type Stmt struct {
	SQL  string
	Args []any
}

// HandLevelStatements runs the hand-written per-level loader (batched: the levels under the
// roots in one batch) for workload w on conn and returns the statements it sent, in order,
// with their arguments (the key arrays as loaded).
func HandLevelStatements(ctx context.Context, conn *pgx.Conn, w string, batched bool) ([]Stmt, error) {
	r := &recordingQuerier{q: conn}
	if _, err := levelPgx(ctx, r, w, batched); err != nil {
		return nil, fmt.Errorf("%s: per-level loader: %w", w, err)
	}
	return r.stmts, nil
}

// HandPipelineStatements are hand-pipeline-pgxnative's statements of workload w (without the
// BEGIN and COMMIT around them).
func HandPipelineStatements(w string) []Stmt {
	var out []Stmt
	for _, s := range unionStatements[w] {
		out = append(out, Stmt{s, unionArgs[w]})
	}
	return out
}

// JoineryDefaultPlan is the plan joinery's default sends over pgx (joinery/pgx, and the
// database/sql adapter over pgx's stdlib driver): Q.PlanPipelined.
func JoineryDefaultPlan(s *include.Schema, w string) (*builder.Plan, error) {
	if w == "W2" {
		return JoineryPosts(s).PlanPipelined()
	}
	q, err := JoineryUsers(s, w)
	if err != nil {
		return nil, err
	}
	return q.PlanPipelined()
}

// PlanStatements lists a plan's statements: its pipeline's, or its one statement.
func PlanStatements(p *builder.Plan) []Stmt {
	if len(p.Statements) == 0 {
		return []Stmt{{p.SQL, p.Args}}
	}
	out := make([]Stmt, len(p.Statements))
	for i, st := range p.Statements {
		out[i] = Stmt{st.SQL, st.Args}
	}
	return out
}

// recordingQuerier records every statement (queued in a batch or not) and runs it on q.
type recordingQuerier struct {
	q     pgxQuerier
	stmts []Stmt
}

func (r *recordingQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	r.stmts = append(r.stmts, Stmt{sql, args})
	return r.q.Query(ctx, sql, args...)
}

func (r *recordingQuerier) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	for _, qq := range b.QueuedQueries {
		r.stmts = append(r.stmts, Stmt{qq.SQL, qq.Arguments})
	}
	return r.q.SendBatch(ctx, b)
}

// JoineryLevelsStatements runs joinery's ShapeLevels plan of workload w on conn (joinery/pgx)
// and returns the statements it sent, in order, with the key arrays as loaded.
func JoineryLevelsStatements(ctx context.Context, conn *pgx.Conn, s *include.Schema, w string) ([]Stmt, error) {
	r := &recordingQuerier{q: conn}
	var err error
	if w == "W2" {
		_, err = joinerypgx.All(ctx, r, applyShape(JoineryPosts(s), "levels"))
	} else {
		q, qerr := JoineryUsers(s, w)
		if qerr != nil {
			return nil, qerr
		}
		_, err = joinerypgx.All(ctx, r, applyShape(q, "levels"))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: joinery levels: %w", w, err)
	}
	// (without the result-format option joinery/pgx passes first)
	for i, st := range r.stmts {
		args := st.Args[:0:0]
		for _, a := range st.Args {
			if _, ok := a.(pgx.QueryResultFormats); !ok {
				args = append(args, a)
			}
		}
		r.stmts[i].Args = args
	}
	return r.stmts, nil
}
