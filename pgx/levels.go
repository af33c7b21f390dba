package pgx

import (
	"context"
	"errors"
	"slices"

	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/hydrate"
)

// levels runs a ShapeLevels plan's statements one after another over db, each once the
// rows before it are folded, with its parent keys as native arrays ([]int64, []string or
// []any: pgx encodes each as the array the comparison takes). An include whose parent
// returned no rows is not sent. The statements see one snapshot only in a transaction
// that gives one (a pgx.Tx at REPEATABLE READ).
func levels(ctx context.Context, db Querier, p *builder.Plan) (hydrate.Rows, error) {
	return hydrate.Levels(p.Map, p.ResultColumns(), p.Parts(), p.Keys(), func(i int, keys []any) (hydrate.Rows, error) {
		st := &p.Statements[i]
		args := make([]any, 0, len(st.Args)+1)
		args = append(append(args, resultFormats), st.Args...)
		for k, a := range st.KeyArgs {
			args[a+1] = keys[k]
		}
		rows, err := db.Query(ctx, st.SQL, slices.Clip(args)...)
		if err != nil {
			return nil, err
		}
		return Rows(rows), nil
	}, nil)
}

// countRow runs the count statement c on its own and keeps its number.
func countRow(ctx context.Context, db Querier, c *counted) error {
	rows, err := db.Query(ctx, c.sql, c.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return errors.New("the count statement returned no row")
	}
	if err := rows.Scan(&c.n); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}
