// Command seqcases measures joinery on the Sequelize-recorded stress cases (conformance cases
// 096, 097 and 098): for each case file found it loads the schema and data into a PostgreSQL
// schema of its own (seqcase_<number>, dropped first), declares the models with joinery, writes
// the findAll as the conformance suite writes it, checks that joinery's result has as many
// objects at every include path as Sequelize's recorded one, and times joinery's default
// (Q.All over database/sql on pgx's stdlib driver, joinery/pgx's adapter imported) against the
// case's sequelize.timing_ms (Sequelize's findAll + toJSON, median, recorded on this kind of
// machine). It prints a Markdown table with the ratio. A second variant runs the same query
// on a schema that ddl.Learn has read the catalog into (a data layer's start-up step: the
// tables Sequelize creates index no foreign key, and Learn makes joinery match those links by
// a hashed semi-join). A third puts the order terms by include paths on the includes
// (Node.Order) instead of the root.
//
// With -sequelize DIR (bench/seqrecord, after npm install) it also runs Sequelize itself,
// interleaved with joinery in the same window: node DIR/record.js --serve loads 096's data
// into a database of its own and runs a case's findAll + toJSON when asked, in blocks of 20
// runs in a row alternating with joinery's blocks, so both are timed in a steady loop (as
// timing_ms was recorded) and see the same machine (its speed varies by up to 2x within an
// hour here). The ratios against that median are the same-window ones.
//
//	go run ./cmd/seqcases [-dsn URL] [-dir DIR,...] [-cases 096_,097_,098_] [-runs 50] [-sequelize ./seqrecord]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
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
	seqDir := flag.String("sequelize", "", "directory of record.js (bench/seqrecord, npm installed): run Sequelize in the same window, interleaved")
	flag.Parse()
	if *dsn == "" {
		fmt.Fprintln(os.Stderr, "seqcases: no DSN: pass -dsn or set BENCH_PG_DSN")
		os.Exit(2)
	}
	if err := run(context.Background(), *dsn, strings.Split(*dirs, ","), strings.Split(*cases, ","), *runs, *seqDir); err != nil {
		fmt.Fprintln(os.Stderr, "seqcases:", err)
		os.Exit(1)
	}
}

type variant struct {
	name string
	q    joinery.Q[map[string]any]
	ns   []float64
}

func run(ctx context.Context, dsn string, dirs, prefixes []string, runs int, seqDir string) error {
	list, missing, err := bench.ReadSeqCases(dirs, prefixes)
	if err != nil {
		return err
	}
	var node *sequelize
	if seqDir != "" {
		if node, err = startSequelize(dsn, seqDir); err != nil {
			return err
		}
		defer node.close()
	}
	fmt.Printf("## Sequelize stress cases\n\n")
	fmt.Printf("joinery's default (`Q.All` over database/sql on pgx's stdlib driver) on the cases recorded from Sequelize 6.37.8, loaded into this PostgreSQL; median of %d runs (after 5 warm-up runs; each variant in blocks of %d runs in a row, the first untimed, the variants taking turns). Sequelize recorded: the case's `timing_ms` (findAll + toJSON, median as recorded). Target: joinery at least 10x faster, written as the conformance suite writes the query (order terms by include paths on the root).", runs, block)
	if node != nil {
		fmt.Printf(" Sequelize, same window: its findAll + toJSON run by record.js --serve in blocks of %d runs in a row alternating with joinery's blocks (after 15 warm-up runs; the first run of every block, Sequelize's and joinery's, untimed), median.", block)
	}
	fmt.Printf("\n\n| case | roots | Sequelize ms: recorded | same window | joinery ms, conformance form | Sequelize / joinery | after ddl.Learn | Sequelize / joinery | path terms on the includes | Sequelize / joinery | result counts |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, c := range list {
		if err := runCase(ctx, dsn, c, runs, node); err != nil {
			return err
		}
	}
	for _, p := range missing {
		fmt.Printf("| %s* | - | - | - | no case file in %s | - | - | - | - | - | - |\n", p, strings.Join(dirs, ", "))
	}
	return nil
}

func runCase(ctx context.Context, dsn string, c *bench.SeqCase, runs int, node *sequelize) error {
	db, err := c.Load(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	want, err := c.SequelizeCounts()
	if err != nil {
		return err
	}
	var vs []*variant
	for _, v := range bench.SeqVariants {
		q, err := c.VariantQuery(ctx, db, v)
		if err != nil {
			return err
		}
		vs = append(vs, &variant{name: v.Name, q: q})
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
			check = fmt.Sprintf("**differ** (%s): %v, Sequelize %v", v.name, gc, want)
		}
	}
	id := strings.SplitN(c.ID, "_", 2)[0]
	var seqNs []float64
	if node != nil {
		if _, err := node.run(id, 15); err != nil {
			return err
		}
	}
	// Rounds of blocks: each variant runs block+1 times in a row, the first run of the block
	// untimed, then (with -sequelize) Sequelize does the same. Both sides are timed in a
	// steady loop, as the recorded timing_ms was (a median of consecutive runs), and the
	// blocks alternate within seconds, so both see the same machine.
	for i := 0; i < 5; i++ {
		for _, v := range vs {
			if _, err := v.q.All(ctx, db); err != nil {
				return fmt.Errorf("%s: %w", c.ID, err)
			}
		}
	}
	for done := 0; done < runs; done += block {
		n := min(block, runs-done)
		for _, v := range vs {
			for j := 0; j <= n; j++ {
				start := time.Now()
				if _, err := v.q.All(ctx, db); err != nil {
					return fmt.Errorf("%s: %w", c.ID, err)
				}
				if j > 0 {
					v.ns = append(v.ns, float64(time.Since(start)))
				}
			}
		}
		if node != nil {
			// (node's collector and compiler threads finish after its runs: let them, so
			// that neither side's runs overlap the other's background work)
			ms, err := node.run(id, n+1)
			if err != nil {
				return err
			}
			time.Sleep(settle)
			for _, m := range ms[1:] {
				seqNs = append(seqNs, m*1e6)
			}
		}
	}
	seq := c.Sequelize.TimingMS
	same, sameCell := 0.0, "-"
	if len(seqNs) > 0 {
		same = median(seqNs) / 1e6
		sameCell = fmt.Sprintf("%.1f", same)
	}
	cell := func(v *variant) string {
		m := median(v.ns) / 1e6
		verdict := func(r float64) string {
			if r < 10 {
				return "**MISS**"
			}
			return "ok"
		}
		out := fmt.Sprintf("%.2f | %.1fx %s", m, seq/m, verdict(seq/m))
		if same > 0 {
			out += fmt.Sprintf("; same window %.1fx %s", same/m, verdict(same/m))
		}
		return out
	}
	fmt.Printf("| %s | %d | %.1f | %s | %s | %s | %s | %s |\n", c.ID, want[""], seq, sameCell, cell(vs[0]), cell(vs[1]), cell(vs[2]), check)
	return nil
}

// settle is the pause after each block of Sequelize runs; block is the number of timed runs
// in a row of one variant (or of Sequelize) before the next takes its turn.
const (
	settle = 20 * time.Millisecond
	block  = 20
)

// sequelize is record.js --serve: it runs a case's findAll + toJSON when asked.
type sequelize struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// startSequelize starts node record.js --serve in dir against the server of dsn (it
// creates its own database there) and waits for it to be ready.
func startSequelize(dsn, dir string) (*sequelize, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("-sequelize needs a URL DSN: %w", err)
	}
	u.Path = "/postgres"
	q := u.Query()
	q.Del("sslmode")
	u.RawQuery = q.Encode()
	cmd := exec.Command("node", "record.js", "--serve")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PGURL="+u.String())
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("node record.js --serve (npm install in %s first): %w", dir, err)
	}
	s := &sequelize{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	s.out.Buffer(make([]byte, 1<<20), 1<<20)
	if !s.out.Scan() || s.out.Text() != "ready" {
		s.close()
		return nil, fmt.Errorf("record.js --serve did not start: %q %v", s.out.Text(), s.out.Err())
	}
	return s, nil
}

// run runs case id's findAll n times and returns the times in ms.
func (s *sequelize) run(id string, n int) ([]float64, error) {
	if _, err := fmt.Fprintf(s.in, "%s %d\n", id, n); err != nil {
		return nil, err
	}
	if !s.out.Scan() {
		return nil, fmt.Errorf("record.js --serve: no answer: %v", s.out.Err())
	}
	var ms []float64
	if err := json.Unmarshal(s.out.Bytes(), &ms); err != nil || len(ms) != n {
		return nil, fmt.Errorf("record.js --serve answered %q", s.out.Text())
	}
	return ms, nil
}

func (s *sequelize) close() {
	s.in.Close()
	s.cmd.Wait()
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
