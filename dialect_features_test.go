package joinery_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
)

// featureDialect is a dialect defined outside package dialects: another's quoting and
// placeholders with its own Features. The planners read only Features, so it gets SQL for
// what it says it has.
type featureDialect struct {
	dialects.Dialect
	f dialects.Features
}

func (d featureDialect) Features() dialects.Features { return d.f }

// noLateral is PostgreSQL without LATERAL (per-include limits as ROW_NUMBER() windows).
func noLateral() dialects.Dialect {
	f := dialects.Postgres.Features()
	f.Lateral = false
	return featureDialect{dialects.Postgres, f}
}

// mysql57 is MySQL 5.7: no window functions, no WITH clauses.
func mysql57() dialects.Dialect {
	f := dialects.MySQL.Features()
	f.WindowFunctions, f.CTE = false, false
	return featureDialect{dialects.MySQL, f}
}

// The scenario corpus on the matching database with a dialect defined outside the package:
// every scenario the dialect can express returns the same result as with the built-in
// dialect; what it cannot express fails with builder.ErrShape, before anything is sent.
func TestDialectDefinedOutside(t *testing.T) {
	cases := []struct {
		db string
		d  func() dialects.Dialect
	}{{"postgres", noLateral}, {"mysql", mysql57}, {"sqlite", func() dialects.Dialect {
		f := dialects.SQLite.Features()
		f.WindowFunctions, f.CTE, f.MaterializedCTE = false, false, false
		return featureDialect{dialects.SQLite, f}
	}}}
	for _, tdb := range openDBs(t, "joinery_features") {
		for _, c := range cases {
			if c.db != tdb.name {
				continue
			}
			d := c.d()
			t.Run(tdb.name, func(t *testing.T) {
				refused := 0
				for _, su := range suites {
					s := su.schema(t)
					su.seed(t, tdb.db)
					for _, sc := range append(su.scenarios, pagingOn(su)...) {
						for _, shape := range allShapes {
							qq := sc.build(s, d).shape(shape)
							p, err := qq.Plan()
							if errors.Is(err, builder.ErrShape) {
								if shape == joinery.ShapeAuto && !strings.Contains(sc.name, "include_limit") {
									t.Errorf("%s: the default shape refused: %v", sc.name, err)
								}
								refused++
								continue
							}
							if err != nil {
								t.Fatalf("%s/%s: %v", sc.name, shape, err)
							}
							if !d.Features().Lateral && strings.Contains(p.SQL, "LATERAL") || !d.Features().WindowFunctions && strings.Contains(p.SQL, "ROW_NUMBER") ||
								!d.Features().CTE && strings.Contains(p.SQL, "WITH ") {
								t.Fatalf("%s/%s: SQL uses what the dialect lacks: %s", sc.name, shape, p.SQL)
							}
							got, err := qq.all(context.Background(), tdb.db)
							if err != nil {
								t.Fatalf("%s/%s: %v\n%s", sc.name, shape, err, p.SQL)
							}
							assertJSON(t, got, sc.want)
						}
					}
				}
				t.Logf("%d scenario shapes refused with ErrShape", refused)
			})
		}
	}
}

// pagingOn is the paging scenarios for the blog suite (they run on its fixture).
func pagingOn(su suite) []scenario {
	if su.name == "blog" {
		return pagingScenarios
	}
	return nil
}
