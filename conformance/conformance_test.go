package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joinery/joinery"
)

// casesDir holds the recorded cases, copied from the shared conformance folder.
var casesDir = filepath.Join("..", "testdata", "sequelize")

type outcome int

const (
	pass outcome = iota
	deviated
	failed
)

type tally struct{ passed, deviations, failed int }

func (t *tally) add(o outcome) {
	switch o {
	case pass:
		t.passed++
	case deviated:
		t.deviations++
	default:
		t.failed++
	}
}

func (t tally) String() string {
	return fmt.Sprintf("%d passed, %d deviations, %d failed", t.passed, t.deviations, t.failed)
}

// TestSequelizeConformance replays every recorded case on every configured database and
// prints one line per case and database (pass, deviation, or FAIL with the first
// difference), a summary per database, and a final "conformance: N passed, D deviations, F
// failed" line. Any FAIL fails the test, including cases the harness cannot translate yet
// ("unsupported: ...").
func TestSequelizeConformance(t *testing.T) {
	dirs := []string{casesDir}
	for _, d := range strings.Split(os.Getenv("JOINERY_CONFORMANCE_DIR"), ":") {
		if d = strings.TrimSpace(d); d != "" {
			dirs = append(dirs, d)
		}
	}
	var cases []*Case
	names := map[string]bool{}
	for _, dir := range dirs {
		cs, err := loadCases(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if names[c.Name] {
				t.Errorf("case name %q appears twice (%s)", c.Name, dir)
			}
			names[c.Name] = true
		}
		cases = append(cases, cs...)
	}
	for name := range deviations {
		if !names[name] {
			t.Errorf("the deviations table names %q, which is not a case", name)
		}
	}

	ctx := context.Background()
	var total tally
	for _, tdb := range openDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			var tl tally
			var bad []string
			for _, c := range cases {
				o, detail := runCase(ctx, tdb, c)
				tl.add(o)
				total.add(o)
				if o == failed {
					bad = append(bad, c.ID)
				}
				fmt.Printf("%-8s %-54s %s\n", tdb.name, c.ID, detail)
			}
			fmt.Printf("conformance[%s]: %s\n", tdb.name, tl)
			if len(bad) > 0 {
				t.Errorf("%s: %d of %d cases failed: %s", tdb.name, len(bad), len(cases), strings.Join(bad, ", "))
			}
		})
	}
	fmt.Printf("conformance: %s\n", total)
}

// runCase sets up one case on one database, runs it and compares the result.
func runCase(ctx context.Context, tdb testDB, c *Case) (outcome, string) {
	dev := deviations[c.Name]
	q, notes, _, fail := setUpCase(ctx, tdb, c, dev, nil)
	if fail != "" {
		return failed, fail
	}
	return compareShapes(ctx, tdb, c, dev, q, notes)
}

// setUpCase creates case c's tables on tdb and inserts its rows, plain (mt nil: the tables
// of package ddl, createTables) or in the multi-tenant layout mt on Citus, distributed
// (createDistributed, which gives the distributed tables), and translates its query. fail
// is "" or the FAIL line of what went wrong.
func setUpCase(ctx context.Context, tdb testDB, c *Case, dev *deviation, mt *tenantLayout) (q mapQuery, notes, distributed []string, fail string) {
	failf := func(format string, args ...any) (mapQuery, []string, []string, string) {
		return q, nil, nil, "FAIL " + fmt.Sprintf(format, args...)
	}
	if err := resetDB(ctx, tdb); err != nil {
		return failf("setup: reset: %v", err)
	}
	s, err := declareSchemaIn(c, dev, mt)
	if err != nil {
		if isUnsupported(err) {
			return failf("%v", err)
		}
		return failf("schema: %v", err)
	}
	if mt == nil {
		err = createTables(ctx, tdb, s)
	} else {
		distributed, err = createDistributed(ctx, tdb, s)
	}
	if err != nil {
		return failf("setup: %v", err)
	}
	if err := insertData(ctx, tdb, c); err != nil {
		return failf("setup: %v", err)
	}
	q, notes, err = translate(c, s, tdb.dialect)
	if err != nil {
		if isUnsupported(err) {
			return failf("%v", err)
		}
		return failf("translate: %v", err)
	}
	return q, notes, distributed, ""
}

// compareShapes runs q in every statement shape that can express it and compares each
// result with the case's expectation: failed with the first difference and its shape, else
// deviated (the case is in the deviations table) or pass.
func compareShapes(ctx context.Context, tdb testDB, c *Case, dev *deviation, q mapQuery, notes []string) (outcome, string) {
	// every statement shape that can express the query must give the same result
	for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
		sq := q.Shape(shape)
		if _, err := sq.Plan(); (shape == joinery.ShapeUnion || shape == joinery.ShapePipeline) && err != nil && strings.Contains(err.Error(), "UNION ALL shape cannot") {
			continue
		}
		if o, detail := compareShape(ctx, tdb, c, dev, sq, notes); o == failed {
			return o, detail + " [shape " + shape.String() + "]"
		}
	}
	if dev != nil {
		return deviated, "deviation: " + dev.why
	}
	return pass, "pass"
}

// compareShape runs q and compares its result with the case's expectation (adjusted by the
// deviations table): failed with the first difference, or pass.
func compareShape(ctx context.Context, tdb testDB, c *Case, dev *deviation, q mapQuery, notes []string) (outcome, string) {
	fail := func(format string, args ...any) (outcome, string) {
		return failed, "FAIL " + fmt.Sprintf(format, args...)
	}
	rows, err := q.All(ctx, tdb.db)
	if c.Sequelize.Error != nil {
		if err == nil {
			return fail("Sequelize failed (%v), joinery returned %d roots", c.Sequelize.Error, len(rows))
		}
		return pass, "pass (both fail: " + err.Error() + ")"
	}
	if err != nil {
		sqlText, _, _ := q.ToSql()
		return fail("query: %v\n    sql: %s", err, sqlText)
	}
	want, err := c.expected()
	if err != nil {
		return fail("%v", err)
	}
	if dev != nil {
		if want, err = dev.adjust(c, want); err != nil {
			return fail("deviation %q: adjusting the expectation: %v", c.Name, err)
		}
		raw, _ := c.expected()
		if compact(normalizeWant(raw)) == compact(normalizeWant(want)) {
			return fail("the deviations table entry for %q leaves Sequelize's result unchanged", c.Name)
		}
	}
	var got any = normalizeGot(c, rows)
	var exp any = normalizeWant(want)
	if err := maskPaths(got, c.NondeterministicPaths); err != nil {
		return fail("%v", err)
	}
	if err := maskPaths(exp, c.NondeterministicPaths); err != nil {
		return fail("%v", err)
	}
	got, exp = canon(got, true, c.Query), canon(exp, true, c.Query)
	if d := firstDiff("", got, exp); d != "" {
		if dev != nil {
			d += " (expectation adjusted by the deviations table)"
		}
		for _, n := range notes {
			d += "\n    note: " + n
		}
		return fail("%s", d)
	}
	return pass, "pass"
}
