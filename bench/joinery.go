package bench

import (
	"context"
	"database/sql"
	"fmt"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	joinerypgx "github.com/joinery/joinery/pgx"
)

func pgxDB(e *Env) *sql.DB { return e.PGX }
func pqDB(e *Env) *sql.DB  { return e.PQ }

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

// JoineryUsers is the joinery query of a workload whose root is User (W1, W3, W4, W5).
func JoineryUsers(s *include.Schema, w string) (joinery.Q[User], error) {
	q := joinery.Query[User](s, dialects.Postgres)
	switch w {
	case "W1":
		return q.Where(sq.LtOrEq{"id": W1MaxUserID}).Include(w1Tree()), nil
	case "W3":
		return q.Where(sq.Eq{"id": HeavyUserID}).Include("posts.tags"), nil
	case "W4":
		return q.Include("posts").OrderBy("name").Limit(W4Users), nil
	case "W5":
		return q.Where(sq.LtOrEq{"id": W1MaxUserID}).Include(w1Tree()).OrderBy("name").Limit(W5Users), nil
	}
	return q, unknown(w)
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
// BenchmarkCompile measures. With fresh, it builds the query and compiles it on every call
// (a query built per request); otherwise it calls Plan() on one prebuilt query value, which
// joinery compiles once and then serves from its cache.
func JoineryCompiler(s *include.Schema, w, shape string, fresh bool) (func() error, error) {
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
	if fresh {
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
	}
	plan, err := build()
	if err != nil {
		return nil, err
	}
	return func() error { _, err := plan(); return err }, nil
}

// joineryLoader is the joinery contender over the pool db picks, with a statement shape.
func joineryLoader(db func(*Env) *sql.DB, shape string) Loader {
	return func(ctx context.Context, e *Env, w string) (any, error) {
		if w == "W2" {
			return applyShape(JoineryPosts(e.Schema), shape).All(ctx, db(e))
		}
		q, err := JoineryUsers(e.Schema, w)
		if err != nil {
			return nil, err
		}
		return applyShape(q, shape).All(ctx, db(e))
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
			return joinerypgx.All(ctx, e.Pool, applyShape(JoineryPosts(e.Schema), shape))
		}
		q, err := JoineryUsers(e.Schema, w)
		if err != nil {
			return nil, err
		}
		return joinerypgx.All(ctx, e.Pool, applyShape(q, shape))
	}
}
