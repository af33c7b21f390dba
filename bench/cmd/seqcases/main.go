// Command seqcases measures joinery on the Sequelize-recorded stress cases (conformance cases
// 096, 097 and 098): for each case file found it loads the schema and data into a PostgreSQL
// schema of its own (seqcase_<number>, dropped first), declares the models with joinery, writes
// the findAll as the conformance suite writes it, checks that joinery's result has as many
// objects at every include path as Sequelize's recorded one, and times joinery's default
// (Q.All over database/sql on pgx's stdlib driver, joinery/pgx's adapter imported) against the
// case's sequelize.timing_ms (Sequelize's findAll + toJSON, median, recorded on this kind of
// machine). It prints a Markdown table with the ratio. A second variant puts the order terms
// by include paths on the includes (Node.Order) instead of the root.
//
//	go run ./cmd/seqcases [-dsn URL] [-dir DIR,...] [-cases 096_,097_,098_] [-runs 50]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/bench"
	_ "github.com/joinery/joinery/pgx" // the driver adapter: joinery's default over pgx's stdlib driver
)

func main() {
	dsn := flag.String("dsn", os.Getenv("BENCH_PG_DSN"), "PostgreSQL DSN (default $BENCH_PG_DSN)")
	dirs := flag.String("dir", strings.Trim("../testdata/sequelize,"+os.Getenv("JOINERY_CONFORMANCE_DIR"), ","), "comma-separated directories of case files (default the main module's testdata/sequelize and $JOINERY_CONFORMANCE_DIR)")
	cases := flag.String("cases", "096_,097_,098_", "comma-separated file name prefixes of the cases")
	runs := flag.Int("runs", 50, "timed runs per variant (after 5 warm-up runs)")
	flag.Parse()
	if *dsn == "" {
		fmt.Fprintln(os.Stderr, "seqcases: no DSN: pass -dsn or set BENCH_PG_DSN")
		os.Exit(2)
	}
	if err := run(context.Background(), *dsn, strings.Split(*dirs, ","), strings.Split(*cases, ","), *runs); err != nil {
		fmt.Fprintln(os.Stderr, "seqcases:", err)
		os.Exit(1)
	}
}

type variant struct {
	name string
	q    joinery.Q[map[string]any]
	ns   []float64
}

func run(ctx context.Context, dsn string, dirs, prefixes []string, runs int) error {
	list, missing, err := bench.ReadSeqCases(dirs, prefixes)
	if err != nil {
		return err
	}
	fmt.Printf("## Sequelize stress cases\n\n")
	fmt.Printf("joinery's default (`Q.All` over database/sql on pgx's stdlib driver) on the cases recorded from Sequelize 6.37.8, loaded into this PostgreSQL; median of %d runs (after 5 warm-up runs, the variants alternating). Sequelize: the case's `timing_ms` (findAll + toJSON, median as recorded). Target: joinery at least 10x faster, written as the conformance suite writes the query (order terms by include paths on the root).\n\n", runs)
	fmt.Printf("| case | roots | Sequelize ms | joinery ms, order terms on the root (conformance) | Sequelize / joinery | joinery ms, path terms on the includes | Sequelize / joinery | result counts |\n|---|---|---|---|---|---|---|---|\n")
	for _, c := range list {
		if err := runCase(ctx, dsn, c, runs); err != nil {
			return err
		}
	}
	for _, p := range missing {
		fmt.Printf("| %s* | - | - | no case file in %s | - | - | - | - |\n", p, strings.Join(dirs, ", "))
	}
	return nil
}

func runCase(ctx context.Context, dsn string, c *bench.SeqCase, runs int) error {
	db, err := c.Load(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := c.Schema()
	if err != nil {
		return err
	}
	want, err := c.SequelizeCounts()
	if err != nil {
		return err
	}
	var vs []*variant
	for _, child := range []bool{false, true} {
		q, err := c.SeqQuery(s, child)
		if err != nil {
			return err
		}
		vs = append(vs, &variant{name: fmt.Sprint(child), q: q})
	}
	var paths []string
	for p := range want {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var counts []string
	for _, p := range paths {
		name := p
		if name == "" {
			name = "roots"
		}
		counts = append(counts, fmt.Sprintf("%s %d", name, want[p]))
	}
	check := "same as Sequelize's (" + strings.Join(counts, ", ") + ")"
	for _, v := range vs {
		got, err := v.q.All(ctx, db)
		if err != nil {
			return fmt.Errorf("%s: %w", c.ID, err)
		}
		if gc := c.SeqCounts(got); fmt.Sprint(gc) != fmt.Sprint(want) {
			check = fmt.Sprintf("**differ**: %v, Sequelize %v", gc, want)
		}
	}
	for i := 0; i < 5+runs; i++ {
		for _, v := range vs {
			start := time.Now()
			if _, err := v.q.All(ctx, db); err != nil {
				return fmt.Errorf("%s: %w", c.ID, err)
			}
			if i >= 5 {
				v.ns = append(v.ns, float64(time.Since(start)))
			}
		}
	}
	seq := c.Sequelize.TimingMS
	cell := func(v *variant) string {
		m := median(v.ns) / 1e6
		verdict := "ok"
		if seq/m < 10 {
			verdict = "**MISS**"
		}
		return fmt.Sprintf("%.2f | %.1fx %s", m, seq/m, verdict)
	}
	fmt.Printf("| %s | %d | %.1f | %s | %s | %s |\n", c.ID, want[""], seq, cell(vs[0]), cell(vs[1]), check)
	return nil
}

func median(v []float64) float64 {
	v = append([]float64(nil), v...)
	sort.Float64s(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
