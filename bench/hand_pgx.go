package bench

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Hand-written loaders over pgx natively (a *pgxpool.Pool, no database/sql), the baselines of
// joinery's pgx module.

// handUnionPgx runs the hand-written UNION ALL statement over pgx and folds it with the same
// fold (pgx scans into the sql.Null* destinations through their Scan methods).
func handUnionPgx(ctx context.Context, e *Env, w string) (any, error) {
	query, args := UnionSQL(w)
	if query == "" {
		return nil, unknown(w)
	}
	rows, err := e.Pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	f := newUFold(w)
	if err := f.read(rows); err != nil {
		return nil, err
	}
	return f.result(), nil
}

// handPipelinePgx sends one statement per include path (each level a semi-join on the root
// filter: the union's branches as statements of their own) in one pgx batch: one round trip
// once the statements are prepared. The batch is one REPEATABLE READ, READ ONLY transaction
// so that the levels see the same snapshot. The fold is the union's.
func handPipelinePgx(ctx context.Context, e *Env, w string) (any, error) {
	stmts, ok := unionStatements[w]
	if !ok {
		return nil, unknown(w)
	}
	args := unionArgs[w]
	b := &pgx.Batch{}
	b.Queue("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
	for _, s := range stmts {
		b.Queue(s, args...)
	}
	b.Queue("COMMIT")
	br := e.Pool.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	f := newUFold(w)
	for range stmts {
		rows, err := br.Query()
		if err != nil {
			return nil, err
		}
		err = f.read(rows)
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	if err := br.Close(); err != nil {
		return nil, err
	}
	return f.result(), nil
}
