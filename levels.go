package joinery

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/internal/pgarray"
)

// ShapeLevels runs the tree level by level, each include's statement filtered by its
// parent's keys as one array parameter (PostgreSQL only): see builder.ShapeLevels.
const ShapeLevels = builder.ShapeLevels

// runLevels runs a ShapeLevels plan's statements one after another through query, each
// once the rows before it are folded, with its parent keys in place of its LevelKeys
// arguments. Over database/sql the keys go as PostgreSQL array literals, '{1,2,3}': a string
// every driver sends as it is, which PostgreSQL reads as the array the comparison takes (a
// driver adapter sends them natively: DriverRunner.Levels).
func runLevels(query queryFunc, p *builder.Plan) (hydrate.Rows, error) {
	return hydrate.Levels(p.Map, p.ResultColumns(), p.Parts(), p.Keys(), func(i int, keys []any) (hydrate.Rows, error) {
		st := &p.Statements[i]
		args := st.Args
		if len(st.KeyArgs) > 0 {
			args = slices.Clone(st.Args)
			for k, a := range st.KeyArgs {
				lit, err := ArrayLiteral(keys[k])
				if err != nil {
					return nil, fmt.Errorf("%s: %w", st.ArgSource(a), err)
				}
				args[a] = lit
			}
		}
		rows, err := query(st.SQL, args)
		return rows, aliasesOf(namedArg(err, st.ArgSource), p)
	}, nil)
}

// ArrayLiteral writes keys (a []int64, a []string, or a []any of int64, int, string,
// float64, bool and time.Time values) as a PostgreSQL array literal: '{1,2,3}',
// '{"a","b\"c"}'. It is a value, sent as a bind argument.
func ArrayLiteral(keys any) (string, error) {
	b := []byte{'{'}
	switch ks := keys.(type) {
	case []int64:
		for i, k := range ks {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, k, 10)
		}
	case []string:
		for i, k := range ks {
			if i > 0 {
				b = append(b, ',')
			}
			b = pgarray.AppendQuoted(b, k)
		}
	case []any:
		for i, k := range ks {
			if i > 0 {
				b = append(b, ',')
			}
			if t, ok := k.(time.Time); ok {
				b = pgarray.AppendQuoted(b, t.Format("2006-01-02 15:04:05.999999999Z07:00"))
				continue
			}
			var ok bool
			if b, ok = pgarray.AppendElem(b, k); !ok || k == nil {
				return "", fmt.Errorf("joinery: a key value %v (%T) cannot be sent in an array: use ShapePipeline or ShapeUnion", k, k)
			}
		}
	default:
		return "", errors.New("joinery: the keys are not a slice of values")
	}
	return string(append(b, '}')), nil
}
