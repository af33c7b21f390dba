package joinery_test

import (
	"fmt"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
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
	p := joinery.Param("f")
	filters := []sq.Sqlizer{nil, sq.Eq{"id": p}, sq.Lt{"id": p}, sq.Eq{"id": []any{p, p}}, sq.NotEq{"id": nil},
		sq.Expr("1 = ?", p), sq.Eq{"id": 1}, sq.Eq{"id": []int{1, 2}}}
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
								q = q.filter(f).bind(map[string]any{"f": int64(fi)})
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
	var kept uint64
	for pass := range 2 { // the first fills the cache, the second is served from it
		hits, misses := builder.PlanCacheStats()
		got := compileAll()
		hits2, misses2 := builder.PlanCacheStats()
		switch {
		case pass == 0:
			kept = hits2 - hits + misses2 - misses
		case misses2 != misses || hits2-hits != kept || kept < 1000:
			t.Fatalf("the second pass was served %d plans and compiled %d anew; the first kept or was served %d", hits2-hits, misses2-misses, kept)
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
