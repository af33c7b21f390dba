// Command citusreport prints BenchmarkCitus's results (citus_test.go) as a Markdown table:
// per scope and shape, the median time on plain PostgreSQL and on Citus, and the paired
// Citus/PostgreSQL ratio (the median of the ratios of samples taken back to back).
//
//	go run ./cmd/citusreport bench-citus.txt [more files]
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// OneTenantTarget is issue 17's target for a single-tenant load: Citus at most this many
// times plain PostgreSQL.
const OneTenantTarget = 1.5

// line: BenchmarkCitus/<scope>/<shape>[#NN]/<server>[-P] <N> <ns> ns/op [<B> B/op <allocs> allocs/op]
var line = regexp.MustCompile(`^BenchmarkCitus/([^/\s]+)/([^/#\s]+)(?:#\d+)?/([^/\s-]+)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op(?:\s+([0-9.]+) B/op\s+([0-9.]+) allocs/op)?`)

type key struct{ scope, shape string }

type samples struct{ pg, citus, pgAllocs, citusAllocs []float64 }

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: citusreport FILE...")
		os.Exit(2)
	}
	data := map[key]*samples{}
	var order []key
	for _, name := range os.Args[1:] {
		if err := read(name, data, &order); err != nil {
			fmt.Fprintln(os.Stderr, "citusreport:", err)
			os.Exit(1)
		}
	}
	if len(order) == 0 {
		fmt.Fprintln(os.Stderr, "citusreport: no BenchmarkCitus results")
		os.Exit(1)
	}
	slices.SortStableFunc(order, func(a, b key) int {
		if a.scope != b.scope {
			return strings.Compare(b.scope, a.scope) // one-tenant first
		}
		return shapeRank(a.shape) - shapeRank(b.shape)
	})
	fmt.Println("| scope | shape | samples | PostgreSQL ms | Citus ms | Citus / PostgreSQL (paired) | ratio of medians | allocs PG / Citus | target |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, k := range order {
		s := data[k]
		n := min(len(s.pg), len(s.citus))
		ratios := make([]float64, n)
		for i := range n {
			ratios[i] = s.citus[i] / s.pg[i]
		}
		paired := median(ratios)
		target := "(none)"
		if k.scope == "one-tenant" {
			target = fmt.Sprintf("<= %.1f: ok", OneTenantTarget)
			if paired > OneTenantTarget {
				target = fmt.Sprintf("<= %.1f: **MISS**", OneTenantTarget)
			}
		}
		fmt.Printf("| %s | %s | %d | %s ±%s | %s ±%s | %.2f (%.2f-%.2f) | %.2f | %s / %s | %s |\n",
			k.scope, k.shape, n, ms(median(s.pg)), spread(s.pg), ms(median(s.citus)), spread(s.citus),
			paired, slices.Min(ratios), slices.Max(ratios), median(s.citus)/median(s.pg),
			count(median(s.pgAllocs)), count(median(s.citusAllocs)), target)
	}
}

func read(name string, data map[key]*samples, order *[]key) error {
	f, err := os.Open(name)
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
		k := key{m[1], m[2]}
		s := data[k]
		if s == nil {
			s = &samples{}
			data[k] = s
			*order = append(*order, k)
		}
		ns, err := strconv.ParseFloat(m[4], 64)
		if err != nil {
			return fmt.Errorf("%s: %q: %w", name, sc.Text(), err)
		}
		allocs, _ := strconv.ParseFloat(m[6], 64)
		switch m[3] {
		case "pg":
			s.pg, s.pgAllocs = append(s.pg, ns), append(s.pgAllocs, allocs)
		case "citus":
			s.citus, s.citusAllocs = append(s.citus, ns), append(s.citusAllocs, allocs)
		default:
			return fmt.Errorf("%s: unknown server %q in %q", name, m[3], sc.Text())
		}
	}
	return sc.Err()
}

func shapeRank(s string) int {
	if i := slices.Index([]string{"auto", "flat", "union", "pipeline"}, s); i >= 0 {
		return i
	}
	return 100
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread is half the min-max range as a percentage of the median.
func spread(v []float64) string {
	if len(v) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", (slices.Max(v)-slices.Min(v))/2/median(v)*100)
}

func ms(ns float64) string { return strconv.FormatFloat(ns/1e6, 'g', 3, 64) }

func count(n float64) string {
	if n >= 1e4 {
		return fmt.Sprintf("%.0fk", n/1e3)
	}
	return fmt.Sprintf("%.0f", n)
}
