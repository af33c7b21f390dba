package builder

import (
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// Count compiles the number of distinct roots matching the root filters and the required
// includes, as one statement: SELECT COUNT(*) over the roots, required includes as EXISTS.
func Count(schema *include.Schema, d dialects.Dialect, q Query) (*Plan, error) {
	q.HasLimit, q.Limit, q.Offset, q.After, q.LimitArg, q.OffsetArg = false, 0, 0, nil, nil, nil
	b, err := newBuilder(schema, d, q)
	if err != nil {
		return nil, err
	}
	defer b.release()
	st, _, _, err := b.rootQuery(nil, modeCount)
	if err != nil {
		return nil, err
	}
	if err := b.renderStatement(st); err != nil {
		return nil, err
	}
	return b.plan, nil
}
