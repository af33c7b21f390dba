// Command explain prints, as Markdown, the PostgreSQL plan (EXPLAIN (ANALYZE, BUFFERS)) of
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

// result is what one statement cost: the server's execution time (the median of three
// EXPLAIN ANALYZE runs), its rows and the bytes of its values.
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
	fmt.Fprintf(&summary, "Per contender, the sum over the statements it sends in one load of PostgreSQL's `Execution Time` (each the median of three `EXPLAIN (ANALYZE, BUFFERS)` runs; BEGIN/COMMIT not counted) and of the bytes the server sent: the values alone, and the DataRow messages that carry them (each value's 4-byte length, NULLs included, and 7 bytes per row: what a row with many NULL columns costs on the wire). joinery's default is what joinery/pgx and the database/sql adapter over pgx send (`Q.PlanPipelined`). hand-level's statements are recorded from a run of the per-level loader on pgx (hand-level and hand-level-pgxnative send the same).\n\n")
	fmt.Fprintf(&summary, "| workload | contender | statements | execution ms | rows | MB of values | MB of DataRow messages | ms / hand-level | DataRow MB / hand-union |\n|---|---|---|---|---|---|---|---|---|\n")
	memo := map[string]result{}
	for _, w := range bench.Workloads {
		fmt.Fprintf(&details, "\n## %s: %s\n", w.Name, w.Desc)
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
		fmt.Fprintf(&details, "\njoinery's default (ShapeAuto) picks the %s shape here over database/sql's *sql.Rows; over pgx (joinery/pgx, or the adapter under pgx's stdlib driver) it sends the %s shape.\n", auto.Shape, def.Shape)
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
		sums := map[string]result{}
		for _, g := range groups {
			var sum result
			for _, st := range g.stmts {
				key := st.sql + fmt.Sprint(st.args)
				r, ok := memo[key]
				if !ok {
					if r, err = explain(ctx, conn, st, &details); err != nil {
						return fmt.Errorf("%s %s: %w", w.Name, st.title, err)
					}
					memo[key] = r
				}
				sum.execMS += r.execMS
				sum.rows += r.rows
				sum.bytes += r.bytes
				sum.wire += r.wire
			}
			sums[g.name] = sum
		}
		for _, g := range groups {
			r := sums[g.name]
			rel := func(a, b float64) string {
				if b == 0 {
					return "-"
				}
				return fmt.Sprintf("%.2f", a/b)
			}
			fmt.Fprintf(&summary, "| %s | %s | %d | %.1f | %d | %.2f | %.2f | %s | %s |\n", w.Name, g.name, len(g.stmts), r.execMS, r.rows,
				float64(r.bytes)/1e6, float64(r.wire)/1e6, rel(r.execMS, sums["hand-level"].execMS), rel(float64(r.wire), float64(sums["hand-union"].wire)))
		}
	}
	fmt.Println("# PostgreSQL plans of the benchmark statements")
	fmt.Println()
	fmt.Println("`EXPLAIN (ANALYZE, BUFFERS)` of each statement, on the data of cmd/gendata. Result size:")
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

// explain runs st once to measure its result, then EXPLAIN (ANALYZE, BUFFERS) three times,
// and writes the plan of the median run to w.
func explain(ctx context.Context, conn *pgx.Conn, st stmt, w *strings.Builder) (result, error) {
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
	if err := rows.Err(); err != nil {
		return res, err
	}
	type run struct {
		ms   float64
		plan []string
	}
	var runs []run
	for i := 0; i < 3; i++ {
		var r run
		prow, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+st.sql, st.args...)
		if err != nil {
			return res, err
		}
		for prow.Next() {
			var line string
			if err := prow.Scan(&line); err != nil {
				prow.Close()
				return res, err
			}
			if m := execTime.FindStringSubmatch(line); m != nil {
				r.ms, _ = strconv.ParseFloat(m[1], 64)
			}
			r.plan = append(r.plan, longArray.ReplaceAllStringFunc(line, elide))
		}
		prow.Close()
		if err := prow.Err(); err != nil {
			return res, err
		}
		runs = append(runs, r)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].ms < runs[j].ms })
	med := runs[len(runs)/2]
	res.execMS = med.ms
	fmt.Fprintf(w, "\n### %s: %d rows, %.1f MB of values, %.2f ms execution (median of 3)\n\n", st.title, res.rows, float64(res.bytes)/1e6, res.execMS)
	fmt.Fprintf(w, "<details><summary>SQL and plan</summary>\n\n```sql\n%s\n```\n\n```\n%s\n```\n\n</details>\n", st.sql, strings.Join(med.plan, "\n"))
	return res, nil
}
