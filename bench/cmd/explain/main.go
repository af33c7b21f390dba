// Command explain prints, as Markdown, the PostgreSQL plan (EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)) of
// each joinery statement of the benchmark workloads, in every shape (and the default one over
// pgx), and of the hand-written statements (flat JOIN, UNION ALL, its pipelined branches, and
// the per-level loaders' statements as a run of them sent them), with the size of each result
// (rows, and bytes as the server sent the values: pgx's raw values, binary for integers), and
// a summary table: per workload and contender, the server's execution time and the bytes
// summed over the statements of one load. Run it after cmd/gendata.
//
//	go run ./cmd/explain [-dsn URL] [-hand] > explain.md
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/joinery/joinery/bench"
	"github.com/joinery/joinery/builder"
)

type stmt struct {
	title string
	sql   string
	args  []any
}

// group is the statements one contender sends in one load.
type group struct {
	name  string
	stmts []stmt
}

// result is what one statement cost: the server's execution time (the median of
// explainRounds EXPLAIN ANALYZE runs), its rows and the bytes of its values.
type result struct {
	execMS float64
	rows   int
	bytes  int // of the values
	wire   int // of the DataRow messages: the values, a 4-byte length per column (NULLs too), 7 bytes per row
}

func main() {
	dsn := flag.String("dsn", os.Getenv("BENCH_PG_DSN"), "PostgreSQL DSN (default $BENCH_PG_DSN)")
	hand := flag.Bool("hand", true, "also explain the hand-written statements")
	flag.Parse()
	if *dsn == "" {
		fmt.Fprintln(os.Stderr, "explain: no DSN: pass -dsn or set BENCH_PG_DSN")
		os.Exit(2)
	}
	if err := run(context.Background(), *dsn, *hand); err != nil {
		fmt.Fprintln(os.Stderr, "explain:", err)
		os.Exit(1)
	}
}

func stmts(title string, list []bench.Stmt) []stmt {
	out := make([]stmt, len(list))
	for i, st := range list {
		t := title
		if len(list) > 1 {
			t = fmt.Sprintf("%s, statement %d of %d", title, i+1, len(list))
		}
		out[i] = stmt{t, st.SQL, st.Args}
	}
	return out
}

func run(ctx context.Context, dsn string, hand bool) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	s, err := bench.NewSchema()
	if err != nil {
		return err
	}
	var details strings.Builder
	var summary strings.Builder
	fmt.Fprintf(&summary, "\n## Server execution time and bytes per load\n\n")
	fmt.Fprintf(&summary, "Per contender, the sum over the statements it sends in one load of PostgreSQL's `Execution Time` (each the median of 25 `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)` runs: the statement's time without per-node clock reads, which cost per row and plan node; taken in rounds over every statement of every workload, each round in an order of its own; BEGIN/COMMIT not counted) and of the bytes the server sent: the values alone, and the DataRow messages that carry them (each value's 4-byte length, NULLs included, and 7 bytes per row: what a row with many NULL columns costs on the wire). joinery's default is what joinery/pgx and the database/sql adapter over pgx send (`Q.PlanPipelined`). hand-level's statements are recorded from a run of the per-level loader on pgx (hand-level and hand-level-pgxnative send the same). ms / hand-level: the median, over the rounds, of the contender's time summed over its statements in a round over hand-level's in the same round (paired, so that a busy moment weighs on both).\n\n")
	fmt.Fprintf(&summary, "| workload | contender | statements | execution ms | rows | MB of values | MB of DataRow messages | ms / hand-level, paired | DataRow MB / hand-union |\n|---|---|---|---|---|---|---|---|---|\n")
	memo := map[string]result{}
	// every workload's groups first, then the EXPLAIN runs of all their statements in
	// interleaved rounds (so that no contender's statements all run at a quiet or a busy
	// moment, or first after the data load), then the report
	type workload struct {
		name, desc, note string
		groups           []group
	}
	var loads []workload
	for _, w := range bench.Workloads {
		var groups []group
		def, err := bench.JoineryDefaultPlan(s, w.Name)
		if err != nil {
			return err
		}
		levels, err := bench.JoineryLevelsStatements(ctx, conn, s, w.Name)
		if err != nil {
			return err
		}
		defStmts := bench.PlanStatements(def)
		if def.Shape == builder.ShapeLevels {
			defStmts = levels // (the key arrays as a load sends them)
		}
		groups = append(groups, group{fmt.Sprintf("joinery default (%s)", def.Shape), stmts("joinery default", defStmts)})
		for _, shape := range []string{"flat", "union", "pipeline"} {
			p, err := bench.JoineryPlan(s, w.Name, shape)
			if err != nil {
				return err
			}
			groups = append(groups, group{"joinery " + shape, stmts("joinery, Shape("+shape+")", bench.PlanStatements(p))})
		}
		groups = append(groups, group{"joinery levels", stmts("joinery, Shape(levels)", levels)})
		auto, err := bench.JoineryPlan(s, w.Name, "")
		if err != nil {
			return err
		}
		note := fmt.Sprintf("\njoinery's default (ShapeAuto) picks the %s shape here over database/sql's *sql.Rows; over pgx (joinery/pgx, or the adapter under pgx's stdlib driver) it sends the %s shape.\n", auto.Shape, def.Shape)
		if hand {
			q, a := bench.JoinSQL(w.Name)
			groups = append(groups, group{"hand-join", []stmt{{"hand-join", q, a}}})
			q, a = bench.UnionSQL(w.Name)
			groups = append(groups, group{"hand-union", []stmt{{"hand-union", q, a}}})
			groups = append(groups, group{"hand-pipeline", stmts("hand-pipeline", bench.HandPipelineStatements(w.Name))})
			for _, batched := range []bool{false, true} {
				name := "hand-level"
				if batched {
					name = "hand-levelbatch"
				}
				list, err := bench.HandLevelStatements(ctx, conn, w.Name, batched)
				if err != nil {
					return err
				}
				groups = append(groups, group{name, stmts(name, list)})
			}
		}
		loads = append(loads, workload{w.Name, w.Desc, note, groups})
	}
	// the statements, each once
	var keys []string
	first := map[string]stmt{}
	for _, w := range loads {
		for _, g := range w.groups {
			for _, st := range g.stmts {
				key := st.sql + fmt.Sprint(st.args)
				if _, ok := first[key]; !ok {
					first[key] = st
					keys = append(keys, key)
				}
			}
		}
	}
	runs := map[string][]planRun{}
	for _, key := range keys {
		r, err := measure(ctx, conn, first[key])
		if err != nil {
			return fmt.Errorf("%s: %w", first[key].title, err)
		}
		memo[key] = r
	}
	// each round runs every statement once, in an order of its own (a seeded shuffle: the
	// same every run), so that no statement always follows the same one; runs[key][r] is
	// round r's run
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	for round := range explainRounds {
		rng := rand.New(rand.NewPCG(uint64(round), 7))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			key := keys[i]
			r, err := explainOnce(ctx, conn, first[key])
			if err != nil {
				return fmt.Errorf("%s: %w", first[key].title, err)
			}
			runs[key] = append(runs[key], r)
		}
	}
	written := map[string]bool{}
	for _, w := range loads {
		fmt.Fprintf(&details, "\n## %s: %s\n", w.name, w.desc)
		groups := w.groups
		sums := map[string]result{}
		// perRound[g][r]: group g's execution time summed over its statements in round r
		perRound := map[string][]float64{}
		for _, g := range groups {
			var sum result
			rounds := make([]float64, explainRounds)
			for _, st := range g.stmts {
				key := st.sql + fmt.Sprint(st.args)
				r := memo[key]
				med := median(runs[key])
				r.execMS = med.ms
				if !written[key] {
					written[key] = true
					writePlan(&details, st, r, med)
				}
				sum.execMS += r.execMS
				sum.rows += r.rows
				sum.bytes += r.bytes
				sum.wire += r.wire
				for i, run := range runs[key] {
					rounds[i] += run.ms
				}
			}
			sums[g.name] = sum
			perRound[g.name] = rounds
		}
		for _, g := range groups {
			r := sums[g.name]
			rel := func(a, b float64) string {
				if b == 0 {
					return "-"
				}
				return fmt.Sprintf("%.2f", a/b)
			}
			fmt.Fprintf(&summary, "| %s | %s | %d | %.1f | %d | %.2f | %.2f | %s | %s |\n", w.name, g.name, len(g.stmts), r.execMS, r.rows,
				float64(r.bytes)/1e6, float64(r.wire)/1e6, pairedRatio(perRound[g.name], perRound["hand-level"]), rel(float64(r.wire), float64(sums["hand-union"].wire)))
		}
		details.WriteString(w.note)
	}
	fmt.Println("# PostgreSQL plans of the benchmark statements")
	fmt.Println()
	fmt.Println("`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)` of each statement, on the data of cmd/gendata. Result size:")
	fmt.Println("rows, and the bytes of the values as the server sent them (pgx raw values).")
	fmt.Print(summary.String())
	fmt.Print(details.String())
	return nil
}

var (
	execTime = regexp.MustCompile(`^Execution Time: ([\d.]+) ms`)
	// longArray is an array literal of a bound key array in a plan line ('{1,2,...}')
	longArray = regexp.MustCompile(`'\{[^}']{120,}\}'`)
)

// elide shortens a long array literal to its first elements and its length.
func elide(lit string) string {
	n := strings.Count(lit, ",") + 1
	head := lit[:strings.LastIndex(lit[:80], ",")]
	return fmt.Sprintf("%s,... (%d elements)}'", head, n)
}

// explainRounds is how many times each statement is explained (interleaved with the others).
const explainRounds = 25

// planRun is one EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) of a statement: its execution time and plan.
type planRun struct {
	ms   float64
	plan []string
}

// pairedRatio is the median over the rounds of a's time over b's in the same round ("-"
// without b).
func pairedRatio(a, b []float64) string {
	if len(b) == 0 || len(a) != len(b) {
		return "-"
	}
	q := make([]float64, 0, len(a))
	for i := range a {
		if b[i] > 0 {
			q = append(q, a[i]/b[i])
		}
	}
	if len(q) == 0 {
		return "-"
	}
	sort.Float64s(q)
	return fmt.Sprintf("%.2f", q[len(q)/2])
}

// median is the run of median execution time.
func median(runs []planRun) planRun {
	s := append([]planRun(nil), runs...)
	sort.Slice(s, func(i, j int) bool { return s[i].ms < s[j].ms })
	return s[len(s)/2]
}

// measure runs st once and counts its rows and bytes.
func measure(ctx context.Context, conn *pgx.Conn, st stmt) (result, error) {
	var res result
	rows, err := conn.Query(ctx, st.sql, st.args...)
	if err != nil {
		return res, err
	}
	for rows.Next() {
		res.rows++
		raw := rows.RawValues()
		res.wire += 7 + 4*len(raw) // 'D', int32 message length, int16 column count; int32 per value
		for _, v := range raw {
			res.bytes += len(v)
			res.wire += len(v)
		}
	}
	rows.Close()
	return res, rows.Err()
}

// explainOnce runs EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) of st: the statement's execution
// time without the clock reads of per-node timing, which cost per row and node (a plan with
// one node more, say a nested loop over one row, would pay them for each of its rows).
func explainOnce(ctx context.Context, conn *pgx.Conn, st stmt) (planRun, error) {
	var r planRun
	prow, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) "+st.sql, st.args...)
	if err != nil {
		return r, err
	}
	for prow.Next() {
		var line string
		if err := prow.Scan(&line); err != nil {
			prow.Close()
			return r, err
		}
		if m := execTime.FindStringSubmatch(line); m != nil {
			r.ms, _ = strconv.ParseFloat(m[1], 64)
		}
		r.plan = append(r.plan, longArray.ReplaceAllStringFunc(line, elide))
	}
	prow.Close()
	return r, prow.Err()
}

// writePlan writes st's result and the plan of its median run.
func writePlan(w *strings.Builder, st stmt, res result, med planRun) {
	fmt.Fprintf(w, "\n### %s: %d rows, %.1f MB of values, %.2f ms execution (median of %d)\n\n", st.title, res.rows, float64(res.bytes)/1e6, med.ms, explainRounds)
	fmt.Fprintf(w, "<details><summary>SQL and plan</summary>\n\n```sql\n%s\n```\n\n```\n%s\n```\n\n</details>\n", st.sql, strings.Join(med.plan, "\n"))
}
