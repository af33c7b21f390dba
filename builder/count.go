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
	st, _, _, err := b.rootQuery(nil, modeCount)
	if err != nil {
		return nil, err
	}
	if b.plan.SQL, b.plan.Args, b.plan.sources, err = renderSources(st, d); err != nil {
		return nil, err
	}
	b.plan.tree, b.plan.d = st, d
	return b.plan, nil
}
