package main

import (
	"fmt"
	"sort"
	"strings"
)

// The projects page (issue 14, BenchmarkAggregates in aggregates_test.go): its contenders
// are named by the benchmark output, not by package bench.
const (
	aggPrefix  = "BenchmarkAggregates/"
	aggHand    = "hand-derived"
	aggJoinery = "joinery-pgx"
)

// aggLoadCount are the contenders that load the tasks and count in Go.
var aggLoadCount = []string{"joinery-load-count", "hand-load-count", "hand-load-count-pgxnative"}

// aggregates prints the page's table per data layout: median time and allocations, the
// paired time ratio to the hand-written grouped derived table and to joinery, and issue 14's
// targets.
func aggregates() {
	byLayout := map[string][]string{}
	var layouts []string
	for k := range data {
		rest, ok := strings.CutPrefix(k, aggPrefix)
		if !ok {
			continue
		}
		layout, c, ok := strings.Cut(rest, "/")
		if !ok {
			continue
		}
		if byLayout[layout] == nil {
			layouts = append(layouts, layout)
		}
		byLayout[layout] = append(byLayout[layout], c)
	}
	if len(layouts) == 0 {
		return
	}
	sort.Strings(layouts)
	sort.SliceStable(layouts, func(i, j int) bool { return layouts[i] == "stored" }) // as stored first
	fmt.Printf("\n### The projects page (`BenchmarkAggregates`)\n")
	fmt.Printf("\n1,000 projects x 20 tasks, the 50 with the most open tasks (then by id) with the open-task count and the last update; the tasks as stored (a project's tasks on 20 pages) and clustered by project. Time and allocations are medians over the samples (runs x rounds); ratios are paired (the median of the ratios within the same run and round).\n")
	for _, layout := range layouts {
		names := byLayout[layout]
		prefix := aggPrefix + layout + "/"
		stats := map[string]stat{}
		for _, c := range names {
			stats[c], _ = get(prefix + c)
		}
		sort.Slice(names, func(i, j int) bool { return stats[names[i]].ns < stats[names[j]].ns })
		fmt.Printf("\n#### tasks %s (%d samples)\n", layout, stats[names[0]].n)
		fmt.Printf("\n| contender | ms ± spread | allocs | B/op | time / allocs vs %s | time / allocs vs %s |\n|---|---|---|---|---|---|\n", aggHand, aggJoinery)
		for _, c := range names {
			s := stats[c]
			fmt.Printf("| %s | %s ±%.0f%% | %s | %s | %s | %s |\n", c, ms(s.ns), s.spread*100, count(s.allocs), count(s.bytes),
				pr(prefix+c, prefix+aggHand), pr(prefix+c, prefix+aggJoinery))
		}
		fmt.Printf("\nIssue 14's targets (paired time ratios), tasks %s:\n\n", layout)
		target := func(what, a, b string, ok func(float64) bool) {
			r, has := paired(prefix+a, prefix+b, nsOf)
			if !has {
				fmt.Printf("- %s: not measured\n", what)
				return
			}
			verdict := "ok"
			if !ok(r) {
				verdict = "MISS"
			}
			fmt.Printf("- %s: %s / %s = %.2f, %s\n", what, a, b, r, verdict)
		}
		// the baseline of the second target is the fastest load-and-count by median
		fastest := ""
		for _, lc := range aggLoadCount {
			if st, ok := stats[lc]; ok && st.n > 0 && (fastest == "" || st.ns < stats[fastest].ns) {
				fastest = lc
			}
		}
		for _, j := range []string{"joinery-pgx", "joinery-pgx-sqlrows", "joinery-pgxnative"} {
			target(j+" at most 1.10x the hand-written grouped derived table", j, aggHand, func(r float64) bool { return r <= 1.10 })
			target(j+" at least 3x faster than loading the tasks and counting in Go (the fastest such contender)", fastest, j, func(r float64) bool { return r >= 3 })
		}
	}
}
