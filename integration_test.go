package joinery_test

import (
	"context"
	"testing"
)

// TestScenariosRealDatabases runs every scenario on every database the run has: one test
// body, the same expected nested values everywhere.
func TestScenariosRealDatabases(t *testing.T) {
	s := blogSchema(t)
	for _, tdb := range openDBs(t, "joinery_root") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			for _, sc := range scenarios {
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
}
