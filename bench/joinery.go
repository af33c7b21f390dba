package bench

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	joinerypgx "github.com/joinery/joinery/pgx"
)

func pgxDB(e *Env) joinery.Querier { return e.PGX }
func pqDB(e *Env) joinery.Querier  { return e.PQ }

// pgxSQLRows is the pgx stdlib pool behind a Querier that only runs queries: joinery reads
// database/sql's *sql.Rows, as it does in a *sql.Tx.
func pgxSQLRows(e *Env) joinery.Querier { return sqlRowsOnly{e.PGX} }

type sqlRowsOnly struct{ db *sql.DB }

func (s sqlRowsOnly) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, q, args...)
}

// applyShape applies a contender's statement shape to a query. A new shape is a case here
// and a line in Contenders.
func applyShape[T any](q joinery.Q[T], shape string) joinery.Q[T] {
	switch shape {
	case "": // joinery's default, ShapeAuto
		return q
	case "flat":
		return q.Shape(joinery.ShapeFlat)
	case "union":
		return q.Shape(joinery.ShapeUnion)
	case "pipeline":
		return q.Shape(joinery.ShapePipeline)
	case "levels":
		return q.Shape(joinery.ShapeLevels)
	}
	panic(fmt.Sprintf("bench: unknown joinery shape %q", shape))
}

// w1Tree is W1's and W5's include tree.
func w1Tree() include.Node {
	return include.New("posts").Include(
		include.New("tags").ThroughColumns("added_by"),
		"comments.author",
	)
}

// JoineryUsers is the joinery query of a workload whose root is User (W1, W3, W4, W5), its
// values bound.
func JoineryUsers(s *include.Schema, w string) (joinery.Q[User], error) {
	q, err := joineryUsersParams(s, w)
	return q.Bind(bindValues(w)), err
}

// joineryUsersParams is the query with Params where its values go: built once by a data
// layer, bound per run (Bind), compiled once.
func joineryUsersParams(s *include.Schema, w string) (joinery.Q[User], error) {
	q := joinery.Query[User](s, dialects.Postgres)
	switch w {
	case "W1":
		return q.Where(sq.LtOrEq{"id": joinery.Param("max")}).Include(w1Tree()), nil
	case "W3":
		return q.Where(sq.Eq{"id": joinery.Param("id")}).Include("posts.tags"), nil
	case "W4":
		return q.Include("posts").OrderBy("name").Limit(W4Users), nil
	case "W5":
		return q.Where(sq.LtOrEq{"id": joinery.Param("max")}).Include(w1Tree()).OrderBy("name").Limit(W5Users), nil
	}
	return q, unknown(w)
}

// bindValues are the values a run binds the workload's query to (a new map, as a request
// would build).
func bindValues(w string) map[string]any {
	switch w {
	case "W1", "W5":
		return map[string]any{"max": W1MaxUserID}
	case "W3":
		return map[string]any{"id": HeavyUserID}
	}
	return nil
}

// prepared holds each (schema, workload, shape)'s query with Params, built once.
var prepared sync.Map

type preparedKey struct {
	s        *include.Schema
	w, shape string
}

// preparedUsers is the workload's query built once with Params and the shape applied, bound
// to the run's values: how a data layer runs it.
func preparedUsers(s *include.Schema, w, shape string) (joinery.Q[User], error) {
	k := preparedKey{s, w, shape}
	if q, ok := prepared.Load(k); ok {
		return q.(joinery.Q[User]).Bind(bindValues(w)), nil
	}
	q, err := joineryUsersParams(s, w)
	if err != nil {
		return q, err
	}
	q = applyShape(q, shape)
	prepared.Store(k, q)
	return q.Bind(bindValues(w)), nil
}

// preparedPosts is W2's query, built once per schema and shape.
func preparedPosts(s *include.Schema, shape string) joinery.Q[Post] {
	k := preparedKey{s, "W2", shape}
	if q, ok := prepared.Load(k); ok {
		return q.(joinery.Q[Post])
	}
	q := applyShape(JoineryPosts(s), shape)
	prepared.Store(k, q)
	return q
}

// JoineryPosts is the joinery query of W2.
func JoineryPosts(s *include.Schema) joinery.Q[Post] {
	return joinery.Query[Post](s, dialects.Postgres).Include("author").OrderBy("id").Limit(W2Posts)
}

// JoineryPlan compiles a workload's joinery statement with the given shape.
func JoineryPlan(s *include.Schema, w, shape string) (*builder.Plan, error) {
	if w == "W2" {
		return applyShape(JoineryPosts(s), shape).Plan()
	}
	q, err := JoineryUsers(s, w)
	if err != nil {
		return nil, err
	}
	return applyShape(q, shape).Plan()
}

// JoineryCompiler returns a function that compiles the workload's query: what
// BenchmarkCompile measures. mode "fresh" builds the query and compiles it on every call (a
// query built per request); "bound" binds the values of a query built once with Params (a
// data layer's prepared query: the compiled plan is reused, the values put in its
// arguments); "" calls Plan() on one prebuilt query value (its plan cached).
func JoineryCompiler(s *include.Schema, w, shape, mode string) (func() error, error) {
	build := func() (func() (*builder.Plan, error), error) {
		if w == "W2" {
			return applyShape(JoineryPosts(s), shape).Plan, nil
		}
		q, err := JoineryUsers(s, w)
		if err != nil {
			return nil, err
		}
		return applyShape(q, shape).Plan, nil
	}
	switch mode {
	case "fresh":
		if _, err := build(); err != nil {
			return nil, err
		}
		return func() error {
			plan, err := build()
			if err != nil {
				return err
			}
			_, err = plan()
			return err
		}, nil
	case "bound":
		q, err := joineryUsersParams(s, w)
		if err != nil {
			return nil, err
		}
		q = applyShape(q, shape)
		return func() error {
			_, err := q.Bind(bindValues(w)).Plan()
			return err
		}, nil
	}
	plan, err := build()
	if err != nil {
		return nil, err
	}
	return func() error { _, err := plan(); return err }, nil
}

// joineryLoader is the joinery contender over the pool db picks, with a statement shape: the
// workload's query built once with Params and bound per run, as a data layer would.
func joineryLoader(db func(*Env) joinery.Querier, shape string) Loader {
	return func(ctx context.Context, e *Env, w string) (any, error) {
		if w == "W2" {
			return preparedPosts(e.Schema, shape).All(ctx, db(e))
		}
		q, err := preparedUsers(e.Schema, w, shape)
		if err != nil {
			return nil, err
		}
		return q.All(ctx, db(e))
	}
}

// JoineryShapes are the statement shapes BenchmarkCompile and cmd/explain cover ("" is
// joinery's default).
var JoineryShapes = []string{"", "flat", "union"}

// joineryPgxLoader is the joinery contender over pgx natively (module joinery/pgx: a
// *pgxpool.Pool, rows folded from pgx's raw values, no database/sql).
func joineryPgxLoader(shape string) Loader {
	return func(ctx context.Context, e *Env, w string) (any, error) {
		if w == "W2" {
			return joinerypgx.All(ctx, e.Pool, preparedPosts(e.Schema, shape))
		}
		q, err := preparedUsers(e.Schema, w, shape)
		if err != nil {
			return nil, err
		}
		return joinerypgx.All(ctx, e.Pool, q)
	}
}
