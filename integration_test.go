package joinery_test

import (
	"context"
	"testing"
)

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
						t.Run(sc.name, func(t *testing.T) {
							got, err := sc.build(s, tdb.dialect).all(context.Background(), tdb.db)
							if err != nil {
								t.Fatal(err)
							}
							assertJSON(t, got, sc.want)
						})
					}
				})
			}
		})
	}
}
