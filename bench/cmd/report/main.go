// Command report reads `go test -bench` output (several runs concatenated) and prints the
// results as Markdown: medians over the runs, and ratios to the hand-written contenders
// measured in the same runs.
//
//	go run ./cmd/report [-title T] [-e2e-only] bench.txt... > report.md
//	go run ./cmd/report -base before.txt after.txt...      # after/before, benchmark by benchmark
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/joinery/joinery/bench"
)

type sample struct{ ns, bytes, allocs float64 }

var (
	// a name, an optional #NN (a repeated sub-benchmark: one more sample), the GOMAXPROCS suffix
	line = regexp.MustCompile(`^(Benchmark\S+?)(?:#\d+)?(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) B/op)?(?:\s+([\d.]+) allocs/op)?`)
	data = map[string][]sample{}
	// BenchmarkStream's metrics: the live heap while Each runs, and holding All's result
	peakRe = regexp.MustCompile(`([\d.]+) peak-live-MB`)
	allRe  = regexp.MustCompile(`([\d.]+) all-live-MB`)
	stream = map[string][2][]float64{}
	title  = flag.String("title", "Results", "heading")
	e2e    = flag.Bool("e2e-only", false, "only the end-to-end tables")
	base   = flag.String("base", "", "the same benchmarks of another joinery (run.sh -base): print after/before ratios")
)

func main() {
	flag.Parse()
	if *base != "" {
		if err := compareBase(*base, flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
		return
	}
	for _, f := range flag.Args() {
		if err := read(f); err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("## %s\n", *title)
	endToEnd()
	aggregates()
	if !*e2e {
		hydrate()
		compile()
		streaming()
	}
}

// streaming prints BenchmarkStream's live heaps: Each's peak against All's result, per root
// count, and how Each's peak grows with 10x the roots (target: under 2x).
func streaming() {
	var names []string
	for name := range stream {
		names = append(names, name)
	}
	if len(names) == 0 {
		return
	}
	sort.Slice(names, func(i, j int) bool {
		return len(names[i]) < len(names[j]) || len(names[i]) == len(names[j]) && names[i] < names[j]
	})
	median := func(v []float64) float64 {
		v = append([]float64(nil), v...)
		sort.Float64s(v)
		return v[len(v)/2]
	}
	fmt.Printf("\nStreaming (`BenchmarkStream`, embedded SQLite, users x 10 posts of 200 bytes): the live heap (after a GC, sampled every 100 roots) while `Each` runs, against the heap holding `All`'s result. Target: 10x the roots, Each's peak under 2x.\n\n| roots | Each peak live MB | All result live MB |\n|---|---|---|\n")
	var peaks []float64
	for _, name := range names {
		st := stream[name]
		p := median(st[0])
		peaks = append(peaks, p)
		fmt.Printf("| %s | %.3f | %.1f |\n", strings.TrimPrefix(name, "BenchmarkStream/roots="), p, median(st[1]))
	}
	if len(peaks) == 2 && peaks[0] > 0 {
		r := peaks[1] / peaks[0]
		verdict := "ok"
		if r >= 2 {
			verdict = "**MISS**"
		}
		fmt.Printf("\nEach's peak with 10x the roots: %.2fx (%s).\n", r, verdict)
	}
}

func read(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if p, a := peakRe.FindStringSubmatch(sc.Text()), allRe.FindStringSubmatch(sc.Text()); p != nil && a != nil {
			pv, _ := strconv.ParseFloat(p[1], 64)
			av, _ := strconv.ParseFloat(a[1], 64)
			st := stream[m[1]]
			st[0], st[1] = append(st[0], pv), append(st[1], av)
			stream[m[1]] = st
		}
		var s sample
		s.ns, _ = strconv.ParseFloat(m[2], 64)
		s.bytes, _ = strconv.ParseFloat(m[3], 64)
		s.allocs, _ = strconv.ParseFloat(m[4], 64)
		data[m[1]] = append(data[m[1]], s)
	}
	return sc.Err()
}

type stat struct {
	ns, bytes, allocs float64
	spread            float64 // (max-min)/2 of ns, relative to the median
	n                 int
}

func get(name string) (stat, bool) {
	ss := data[name]
	if len(ss) == 0 {
		return stat{}, false
	}
	med := func(f func(sample) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		sort.Float64s(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	st := stat{n: len(ss)}
	st.ns = med(func(s sample) float64 { return s.ns })
	st.bytes = med(func(s sample) float64 { return s.bytes })
	st.allocs = med(func(s sample) float64 { return s.allocs })
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		lo, hi = math.Min(lo, s.ns), math.Max(hi, s.ns)
	}
	st.spread = (hi - lo) / 2 / st.ns
	return st, true
}

// paired is the median over runs of a's value divided by b's in the same run (the i-th sample
// of every benchmark comes from the i-th run): drift between runs cancels out.
func paired(a, b string, f func(sample) float64) (float64, bool) {
	sa, sb := data[a], data[b]
	n := len(sa)
	if len(sb) < n {
		n = len(sb)
	}
	if n == 0 {
		return 0, false
	}
	r := make([]float64, 0, n)
	for i := 0; i < n; i++ {
		if d := f(sb[i]); d != 0 {
			r = append(r, f(sa[i])/d)
		}
	}
	if len(r) == 0 {
		return 0, false
	}
	sort.Float64s(r)
	if len(r)%2 == 1 {
		return r[len(r)/2], true
	}
	return (r[len(r)/2-1] + r[len(r)/2]) / 2, true
}

func nsOf(s sample) float64     { return s.ns }
func allocsOf(s sample) float64 { return s.allocs }

// pr formats the paired time and allocation ratios of a to b.
func pr(a, b string) string {
	t, ok := paired(a, b, nsOf)
	if !ok {
		return "-"
	}
	al, _ := paired(a, b, allocsOf)
	return fmt.Sprintf("%.2f / %.2f", t, al)
}

func ms(ns float64) string {
	switch {
	case ns >= 100e6:
		return fmt.Sprintf("%.0f", ns/1e6)
	case ns >= 10e6:
		return fmt.Sprintf("%.1f", ns/1e6)
	default:
		return fmt.Sprintf("%.2f", ns/1e6)
	}
}

func count(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func header(first string) {
	fmt.Printf("\n| %s |", first)
	for _, w := range bench.Workloads {
		fmt.Printf(" %s |", w.Name)
	}
	fmt.Printf("\n|---|")
	for range bench.Workloads {
		fmt.Printf("---|")
	}
	fmt.Println()
}

func e2eName(w, c string) string { return "BenchmarkEndToEnd/" + w + "/" + c }

// best is the fastest hand-written contender of any shape and driver path (bench.HandWritten)
// by median.
func best(w string) (string, stat, bool) { return bestOf(w, bench.HandWritten) }

// bestSingle is the faster of the hand-written single statements over database/sql
// (hand-join, hand-union): issue 6's baseline.
func bestSingle(w string) (string, stat, bool) { return bestOf(w, []string{"hand-join", "hand-union"}) }

// bestOf is the fastest of the contenders by median.
func bestOf(w string, contenders []string) (string, stat, bool) {
	var name string
	var b stat
	for _, c := range contenders {
		if s, ok := get(e2eName(w, c)); ok && (name == "" || s.ns < b.ns) {
			name, b = c, s
		}
	}
	return name, b, name != ""
}

func endToEnd() {
	runs := 0
	for _, w := range bench.Workloads {
		for _, c := range bench.Contenders {
			if s, ok := get(e2eName(w.Name, c.Name)); ok && s.n > runs {
				runs = s.n
			}
		}
	}
	if runs == 0 {
		return
	}
	fmt.Printf("\nEnd to end (`BenchmarkEndToEnd`), median of %d samples (runs x rounds). Time in ms per full load (± half the min-max spread), allocations per load.\n", runs)
	header("contender: ms ± spread, allocs")
	for _, c := range bench.Contenders {
		fmt.Printf("| %s |", c.Name)
		for _, w := range bench.Workloads {
			s, ok := get(e2eName(w.Name, c.Name))
			if !ok {
				fmt.Printf(" - |")
				continue
			}
			fmt.Printf(" %s ±%.0f%%, %s |", ms(s.ns), s.spread*100, count(s.allocs))
		}
		fmt.Println()
	}

	fmt.Printf("\nRatios to the best hand-written contender of any shape and driver path (the fastest by median of %s; named in the header): time / allocations, each the median, over the samples, of the ratio within the same run and round (paired, so drift between runs cancels). Below 1.00 is faster than it.\n", strings.Join(bench.HandWritten, ", "))
	fmt.Printf("\n| contender: time / allocs |")
	for _, w := range bench.Workloads {
		name, _, _ := best(w.Name)
		fmt.Printf(" %s (vs %s) |", w.Name, name)
	}
	fmt.Printf("\n|---|")
	for range bench.Workloads {
		fmt.Printf("---|")
	}
	fmt.Println()
	for _, c := range bench.Contenders {
		fmt.Printf("| %s |", c.Name)
		for _, w := range bench.Workloads {
			bn, _, okb := best(w.Name)
			if !okb {
				fmt.Printf(" - |")
				continue
			}
			fmt.Printf(" %s |", pr(e2eName(w.Name, c.Name), e2eName(w.Name, bn)))
		}
		fmt.Println()
	}

	fmt.Printf("\nRatios to the hand-written query per level (hand-level): time / allocations, paired as above.\n")
	header("contender: time / allocs")
	for _, c := range bench.Contenders {
		fmt.Printf("| %s |", c.Name)
		for _, w := range bench.Workloads {
			fmt.Printf(" %s |", pr(e2eName(w.Name, c.Name), e2eName(w.Name, "hand-level")))
		}
		fmt.Println()
	}

	fmt.Printf("\nIssue 6's targets: over database/sql, time at most 1.00x the best hand-written single statement (and, for lib/pq, the hand-written union over lib/pq) and at most 1.10x hand-level; over pgx natively, at most 1.00x the hand-written pipelined loader; and at most 0.67x (1.5x faster than) bun and GORM. Each cell: the paired time ratio, then ok or MISS.\n")
	header("joinery contender, target")
	for _, c := range bench.Contenders {
		if !strings.HasPrefix(c.Name, "joinery") {
			continue
		}
		pq, native := strings.HasSuffix(c.Name, "-pq"), strings.HasSuffix(c.Name, "-pgxnative")
		sqlDB := !native
		for _, t := range []struct {
			what    string
			base    func(w string) string
			limit   float64
			applies bool
		}{
			{"vs best single statement <= 1.00", func(w string) string { b, _, _ := bestSingle(w); return b }, 1.0, sqlDB},
			{"vs hand-level <= 1.10", func(string) string { return "hand-level" }, 1.1, sqlDB},
			{"vs hand-union-pq (same driver) <= 1.00", func(string) string { return "hand-union-pq" }, 1.0, pq},
			{"vs hand-pipeline-pgxnative <= 1.00", func(string) string { return "hand-pipeline-pgxnative" }, 1.0, native},
			{"vs hand-union-pgxnative (same driver) <= 1.00", func(string) string { return "hand-union-pgxnative" }, 1.0, native},
			{"vs bun <= 0.67", func(string) string { return "bun" }, 1 / 1.5, true},
			{"vs gorm <= 0.67", func(string) string { return "gorm" }, 1 / 1.5, true},
		} {
			if !t.applies {
				continue
			}
			fmt.Printf("| %s %s |", c.Name, t.what)
			for _, w := range bench.Workloads {
				r, ok := paired(e2eName(w.Name, c.Name), e2eName(w.Name, t.base(w.Name)), nsOf)
				if !ok {
					fmt.Printf(" - |")
					continue
				}
				verdict := "ok"
				if math.Round(r*100)/100 > math.Round(t.limit*100)/100 { // judged as printed
					verdict = "**MISS**"
				}
				fmt.Printf(" %.2f %s |", r, verdict)
			}
			fmt.Println()
		}
	}
	issue13()
}

// issue13 prints issue 13's targets for joinery's default (over database/sql on pgx's stdlib
// driver, and over pgx natively): at most 1.05x the best hand-written contender of any
// shape; and 1.5x faster than bun and GORM where they are at least 1.5x slower than that
// best (where an ORM is nearer the floor, the 1.05x target is the one that counts).
func issue13() {
	fmt.Printf("\nIssue 13's targets for joinery's default: time at most 1.05x the best hand-written contender of any shape (named per cell); at most 0.67x bun and GORM where that ORM is at least 1.5x slower than the best hand-written (its ratio to the best in brackets; \"near floor\" where it is not, and the 1.05x row is the target). Each cell: the paired time ratio, then ok or MISS.\n")
	header("joinery default, target")
	judge := func(r, limit float64) string {
		if math.Round(r*100)/100 > math.Round(limit*100)/100 {
			return "**MISS**"
		}
		return "ok"
	}
	for _, c := range []string{"joinery-pgx", "joinery-pgxnative"} {
		fmt.Printf("| %s vs best hand-written <= 1.05 |", c)
		for _, w := range bench.Workloads {
			bn, _, ok := best(w.Name)
			r, okr := paired(e2eName(w.Name, c), e2eName(w.Name, bn), nsOf)
			if !ok || !okr {
				fmt.Printf(" - |")
				continue
			}
			fmt.Printf(" %.2f (vs %s) %s |", r, bn, judge(r, 1.05))
		}
		fmt.Println()
		for _, orm := range []string{"bun", "gorm"} {
			fmt.Printf("| %s vs %s <= 0.67 |", c, orm)
			for _, w := range bench.Workloads {
				bn, _, ok := best(w.Name)
				r, okr := paired(e2eName(w.Name, c), e2eName(w.Name, orm), nsOf)
				ob, oko := paired(e2eName(w.Name, orm), e2eName(w.Name, bn), nsOf)
				if !ok || !okr || !oko {
					fmt.Printf(" - |")
					continue
				}
				if math.Round(ob*100)/100 < 1.5 {
					fmt.Printf(" %.2f [%s %.2fx best: near floor] |", r, orm, ob)
					continue
				}
				fmt.Printf(" %.2f [%.2fx] %s |", r, ob, judge(r, 1/1.5))
			}
			fmt.Println()
		}
	}
}

func hydrate() {
	pairs := [][2]string{{"joinery-flat", "hand-join"}, {"joinery-union", "hand-union"}}
	any := false
	for _, w := range bench.Workloads {
		for _, p := range pairs {
			if _, ok := get("BenchmarkHydrate/" + w.Name + "/" + p[0]); ok {
				any = true
			}
		}
	}
	if !any {
		return
	}
	fmt.Printf("\nHydration alone (`BenchmarkHydrate`): rows captured once from PostgreSQL and replayed from memory through a fake database/sql driver. joinery-flat and hand-join fold the same rows (joinery's flat statement); joinery-union and hand-union each fold their own statement's rows. Target: joinery at most 1.20x the hand-written fold in time and allocations.\n")
	fmt.Printf("\n| workload | joinery-flat ms, allocs | hand-join ms, allocs | ratio time / allocs | joinery-union ms, allocs | hand-union ms, allocs | ratio time / allocs |\n|---|---|---|---|---|---|---|\n")
	for _, w := range bench.Workloads {
		fmt.Printf("| %s |", w.Name)
		for _, p := range pairs {
			a, oka := get("BenchmarkHydrate/" + w.Name + "/" + p[0])
			b, okb := get("BenchmarkHydrate/" + w.Name + "/" + p[1])
			cell := func(s stat, ok bool) string {
				if !ok {
					return "-"
				}
				return ms(s.ns) + ", " + count(s.allocs)
			}
			r := "-"
			na, nb := "BenchmarkHydrate/"+w.Name+"/"+p[0], "BenchmarkHydrate/"+w.Name+"/"+p[1]
			if oka && okb {
				r = pr(na, nb)
				t, _ := paired(na, nb, nsOf)
				al, _ := paired(na, nb, allocsOf)
				if t > 1.2 || al > 1.2 {
					r += " **MISS**"
				}
			}
			fmt.Printf(" %s | %s | %s |", cell(a, oka), cell(b, okb), r)
		}
		fmt.Println()
	}
}

func compile() {
	var names []string
	for name := range data {
		if strings.HasPrefix(name, "BenchmarkCompile/") {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return
	}
	sort.Strings(names)
	fmt.Printf("\nCompile (`BenchmarkCompile`): `<workload>` is Plan() of a prebuilt query value (default shape; joinery caches the plan in the value), `<workload>-bound` binds new values (`Bind`) to a query built once with `joinery.Param`s, reusing its compiled plan (how a data layer runs a query per request), `<workload>-fresh[-shape]` builds the query and compiles it every time (default, flat, union shape). Target: W1 in at most 10 us and 30 allocations (a cached shape is fine).\n\n| benchmark | us | allocs | B |\n|---|---|---|---|\n")
	for _, name := range names {
		s, _ := get(name)
		fmt.Printf("| %s | %.2f | %.0f | %s |\n", strings.TrimPrefix(name, "BenchmarkCompile/"), s.ns/1e3, s.allocs, count(s.bytes))
	}
}

// compareBase prints, for every joinery benchmark measured in both, the median of the
// files (after) against the median of the base file (before), from the same runs.
func compareBase(baseFile string, files []string) error {
	if err := read(baseFile); err != nil {
		return err
	}
	before := data
	data = map[string][]sample{}
	for _, f := range files {
		if err := read(f); err != nil {
			return err
		}
	}
	after := data
	var names []string
	for name := range after {
		if _, ok := before[name]; ok && (strings.Contains(name, "joinery") || strings.HasPrefix(name, "BenchmarkCompile")) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	fmt.Printf("| benchmark | after ns/op | before ns/op | after/before | after allocs | before allocs |\n|---|---|---|---|---|---|\n")
	for _, name := range names {
		data = after
		a, _ := get(name)
		data = before
		b, _ := get(name)
		fmt.Printf("| %s | %.0f | %.0f | %.2f | %.0f | %.0f |\n", strings.TrimPrefix(name, "Benchmark"), a.ns, b.ns, a.ns/b.ns, a.allocs, b.allocs)
	}
	return nil
}
