package joinery_test

import (
	"fmt"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/include"
)

// TestPlanCacheScenarios: every scenario, in every shape, on every dialect, with filters
// that differ only in a value or its Go type, compiles through the plan cache (warm, every
// plan of the corpus in it at once) to exactly what it compiles to with the cache off:
// text, arguments (types included), result columns and the explanation.
func TestPlanCacheScenarios(t *testing.T) {
	size := builder.PlanCacheSize()
	defer builder.SetPlanCacheSize(size)
	filters := []sq.Sqlizer{nil, sq.Eq{"id": 1}, sq.Eq{"id": int64(1)}, sq.Eq{"id": 2}, sq.Eq{"id": []int{1, 2}},
		sq.Eq{"id": []int{1, 2, 3}}, sq.NotEq{"id": nil}, sq.Expr("1 = ?", 1)}
	type compiled struct{ name, text string }
	schemas := make([]*include.Schema, len(suites))
	for i, su := range suites {
		schemas[i] = su.schema(t)
	}
	compileAll := func() []compiled {
		var out []compiled
		for si, su := range suites {
			s := schemas[si]
			for _, sc := range su.scenarios {
				for _, d := range allDialects {
					for _, shape := range allShapes {
						for fi, f := range filters {
							q := sc.build(s, d).shape(shape)
							if f != nil {
								q = q.filter(f)
							}
							name := fmt.Sprintf("%s/%s/%s/%s/filter %d", su.name, sc.name, d.Name(), shape, fi)
							p, err := q.Plan()
							text := "error: "
							if err != nil {
								text += err.Error()
							} else {
								text = fmt.Sprintf("%s\n%#v\n%v\n%s", p.SQL, p.Args, p.ResultColumns(), p.Explain())
								for _, st := range p.Statements {
									text += fmt.Sprintf("\n%s %#v", st.SQL, st.Args)
								}
							}
							out = append(out, compiled{name, text})
						}
					}
				}
			}
		}
		return out
	}
	builder.SetPlanCacheSize(0)
	want := compileAll()
	builder.SetPlanCacheSize(1 << 20)
	for pass := range 2 { // the first fills the cache, the second is served from it
		hits, _ := builder.PlanCacheStats()
		got := compileAll()
		served, _ := builder.PlanCacheStats()
		errs := 0
		for _, g := range got {
			if strings.HasPrefix(g.text, "error: ") {
				errs++
			}
		}
		if pass == 1 && int(served-hits) < len(got)-errs {
			t.Fatalf("the second pass was served %d plans of %d", served-hits, len(got)-errs)
		}
		if len(got) != len(want) {
			t.Fatalf("pass %d: %d plans, want %d", pass, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("pass %d: %s: through the cache\n%s\nwithout it\n%s", pass, got[i].name, got[i].text, want[i].text)
			}
		}
	}
}
