package hydrate_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/joinery/joinery/hydrate"
)

type r7Rows struct {
	cols []string
	data [][]any
	i    int
}

func (m *r7Rows) Columns() ([]string, error) { return m.cols, nil }
func (m *r7Rows) Next() bool                 { m.i++; return m.i <= len(m.data) }
func (m *r7Rows) Err() error                 { return nil }
func (m *r7Rows) Close() error               { return nil }
func (m *r7Rows) Scan(dest ...any) error {
	for j, d := range dest {
		if err := d.(sql.Scanner).Scan(m.data[m.i-1][j]); err != nil {
			return err
		}
	}
	return nil
}

func r7map(branch bool) *hydrate.Map {
	k := hydrate.Col{Column: "c_id", Field: "id", Kind: hydrate.Int}
	kids := &hydrate.Node{Path: "kids", Field: "kids", Many: true, Key: []int{0},
		Cols: []hydrate.Col{{Column: "k_id", Field: "id", Kind: hydrate.Int}, {Column: "k_s", Field: "s", Kind: hydrate.String},
			{Column: "k_t", Field: "t", Kind: hydrate.Time}, {Column: "k_pid", Kind: hydrate.Int}}}
	root := &hydrate.Node{Key: []int{0}, Cols: []hydrate.Col{k,
		{Column: "c_s", Field: "s", Kind: hydrate.String}, {Column: "c_n", Field: "n", Kind: hydrate.Int},
		{Column: "c_f", Field: "f", Kind: hydrate.Float}, {Column: "c_t", Field: "t", Kind: hydrate.Time},
		{Column: "c_b", Field: "b", Kind: hydrate.Bytes}, {Column: "c_a", Field: "a", Kind: hydrate.Any}},
		Children: []*hydrate.Node{kids}}
	m := &hydrate.Map{Root: root}
	if branch {
		m.Branch = "br"
		root.Branch = 0
		kids.Branch = 1
		kids.Link = []int{3}
		kids.ParentLink = []int{0}
	}
	return m
}

var r7floats = []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 1e308, -5e-324, 0.1}

func r7want(i int) (s string, n int64, f float64, tm time.Time, b []byte, a any) {
	s = strings.Repeat(fmt.Sprint(i), 1+i%5)
	if i%7 == 0 {
		s = ""
	}
	n = []int64{math.MinInt64 + int64(i), math.MaxInt64 - int64(i), -int64(i), 255, 256, int64(i) * 1000}[i%6]
	f = r7floats[i%len(r7floats)]
	loc := time.FixedZone(fmt.Sprintf("Z%d", i), (i%24-12)*3600)
	tm = time.Date(2000+i%50, time.Month(1+i%12), 1+i%28, i%24, i%60, i%60, i*1000, loc)
	b = []byte(fmt.Sprintf("b%d", i))
	if i%5 == 0 {
		b = []byte{}
	}
	a = fmt.Sprintf("a%d", i)
	return
}

func r7rows(n int, branch bool) *r7Rows {
	var rows [][]any
	for i := 0; i < n; i++ {
		s, num, f, tm, b, a := r7want(i)
		var sv any = s
		if i%11 == 0 {
			sv = nil
		}
		for k := 0; k < 3; k++ {
			ks, _, _, kt, _, _ := r7want(i*3 + k + 100000)
			if branch {
				if k == 0 {
					rows = append(rows, []any{int64(i), sv, num, f, tm, []byte(string(b)), []byte(a.(string)), int64(0), nil, nil, nil, nil})
				}
				rows = append(rows, []any{nil, nil, nil, nil, nil, nil, nil, int64(1), int64(i*3 + k), ks, kt, int64(i)})
			} else {
				rows = append(rows, []any{int64(i), sv, num, f, tm, []byte(string(b)), []byte(a.(string)), int64(i*3 + k), ks, kt, int64(i)})
			}
		}
	}
	cols := []string{"c_id", "c_s", "c_n", "c_f", "c_t", "c_b", "c_a", "k_id", "k_s", "k_t", "k_pid"}
	if branch {
		cols = []string{"c_id", "c_s", "c_n", "c_f", "c_t", "c_b", "c_a", "br", "k_id", "k_s", "k_t", "k_pid"}
	}
	return &r7Rows{cols: cols, data: rows}
}

func r7eq(a, b any) bool {
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && math.Float64bits(fa) == math.Float64bits(fb)
	}
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb) && ta.String() == tb.String()
	}
	return reflect.DeepEqual(a, b) && fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b)
}

func r7check(t *testing.T, out []map[string]any, n int) {
	t.Helper()
	if len(out) != n {
		t.Fatalf("len %d", len(out))
	}
	keys := map[any]int{}
	for i, m := range out {
		s, num, f, tm, b, a := r7want(i)
		var sv any = s
		if i%11 == 0 {
			sv = nil
		}
		for _, c := range []struct {
			k string
			v any
		}{{"id", int64(i)}, {"s", sv}, {"n", num}, {"f", f}, {"t", tm}, {"b", b}, {"a", a}} {
			if !r7eq(m[c.k], c.v) {
				t.Fatalf("root %d %s: got %#v want %#v", i, c.k, m[c.k], c.v)
			}
			if c.k != "b" && c.k != "f" && c.k != "t" && m[c.k] != c.v {
				t.Fatalf("root %d %s: == fails", i, c.k)
			}
		}
		if m["t"].(time.Time).Location().String() != fmt.Sprintf("Z%d", i) {
			t.Fatalf("loc %v", m["t"].(time.Time).Location())
		}
		keys[m["n"]]++
		kids := m["kids"].([]any)
		if len(kids) != 3 {
			t.Fatalf("kids %d", len(kids))
		}
		for k, kd := range kids {
			km := kd.(map[string]any)
			ks, _, _, kt, _, _ := r7want(i*3 + k + 100000)
			if km["s"] != ks || !km["t"].(time.Time).Equal(kt) || km["t"].(time.Time).String() != kt.String() || km["id"] != int64(i*3+k) {
				t.Fatalf("kid %d/%d: %#v", i, k, km)
			}
		}
	}
	for i := range out {
		_, num, _, _, _, _ := r7want(i)
		if keys[num] == 0 {
			t.Fatalf("map key lookup of %d", num)
		}
	}
	if _, err := json.Marshal(out[1:]); err != nil && !strings.Contains(err.Error(), "unsupported value") {
		t.Fatal(err)
	}
}

func TestBoxesReviewStress(t *testing.T) {
	const n = 700
	for _, branch := range []bool{false, true} {
		t.Run(fmt.Sprint(branch), func(t *testing.T) {
			m := r7map(branch)
			var outs [][]map[string]any
			for round := 0; round < 3; round++ {
				out, err := hydrate.All[map[string]any](r7rows(n, branch), m)
				if err != nil {
					t.Fatal(err)
				}
				runtime.GC()
				outs = append(outs, out)
				// mutate results of the earlier load
				for _, o := range out {
					o["s"] = "changed"
					kids := o["kids"].([]any)
					kids = append(kids, "junk", "junk2")
					kids[0] = "junk0"
				}
				_ = make([]byte, 1<<20)
				runtime.GC()
			}
			out, err := hydrate.All[map[string]any](r7rows(n, branch), m)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 3; i++ {
				garbage := make([][]byte, 0)
				for j := 0; j < 1000; j++ {
					garbage = append(garbage, []byte(strings.Repeat("x", 100)))
				}
				runtime.GC()
			}
			r7check(t, out, n)
			// concurrency
			var wg sync.WaitGroup
			for g := 0; g < 6; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := 0; k < 5; k++ {
						o, err := hydrate.All[map[string]any](r7rows(200, branch), m)
						if err != nil {
							t.Error(err)
							return
						}
						runtime.GC()
						r7check(t, o, 200)
					}
				}()
			}
			wg.Wait()
			// Each
			var got []map[string]any
			if !branch {
				if err := hydrate.Each[map[string]any](r7rows(n, branch), m, func(v map[string]any) error {
					got = append(got, v)
					if len(got)%50 == 0 {
						runtime.GC()
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				runtime.GC()
				r7check(t, got, n)
			}
		})
	}
}
