package joinery_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
)

// allShapes: every scenario runs in every statement shape that can express it.
var allShapes = []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline, joinery.ShapeLevels}

// notExpressible reports whether err says that shape cannot express a query (and the test
// of that shape has nothing to run): the UNION ALL of branches (ShapeUnion, ShapePipeline)
// where only the flat JOIN can, ShapeLevels on a dialect without array parameters or for a
// link of several columns.
func notExpressible(shape joinery.Shape, err error) bool {
	switch shape {
	case joinery.ShapeUnion, joinery.ShapePipeline:
		return errors.Is(err, builder.ErrInclude) && strings.Contains(err.Error(), "UNION ALL shape cannot")
	case joinery.ShapeLevels:
		return errors.Is(err, builder.ErrShape) && (strings.Contains(err.Error(), "UNION ALL shape cannot") || strings.Contains(err.Error(), "per-level shape"))
	}
	return false
}

// TestScenariosRealDatabases runs every scenario on every database the run has: one test
// body, the same expected nested values everywhere.
func TestScenariosRealDatabases(t *testing.T) {
	for _, tdb := range openDBs(t, "joinery_root") {
		t.Run(tdb.name, func(t *testing.T) {
			for _, su := range suites {
				t.Run(su.name, func(t *testing.T) {
					s := su.schema(t)
					su.seed(t, tdb.db)
					for _, sc := range su.scenarios {
						for _, shape := range allShapes {
							t.Run(sc.name+"/"+shape.String(), func(t *testing.T) {
								qq := sc.build(s, tdb.dialect).shape(shape)
								if _, err := qq.Plan(); notExpressible(shape, err) {
									return // only the flat JOIN expresses this tree, or the dialect has no arrays
								}
								got, err := qq.all(context.Background(), tdb.db)
								if err != nil {
									t.Fatal(err)
								}
								assertJSON(t, got, sc.want)
							})
						}
					}
				})
			}
		})
	}
}
