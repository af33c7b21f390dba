// Command explain prints, as Markdown, the PostgreSQL plan (EXPLAIN (ANALYZE, BUFFERS)) of
// each joinery statement of the benchmark workloads, in every shape, and of the hand-written
// single statements, with the size of each result (rows, and bytes as the server sent the
// values: pgx's raw values, binary for integers). Run it after cmd/gendata.
//
//	go run ./cmd/explain [-dsn URL] [-hand] > explain.md
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/joinery/joinery/bench"
)

type stmt struct {
	title string
	sql   string
	args  []any
}

func main() {
	dsn := flag.String("dsn", os.Getenv("BENCH_PG_DSN"), "PostgreSQL DSN (default $BENCH_PG_DSN)")
	hand := flag.Bool("hand", true, "also explain the hand-written single statements")
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
	fmt.Println("# PostgreSQL plans of the benchmark statements")
	fmt.Println()
	fmt.Println("`EXPLAIN (ANALYZE, BUFFERS)` of each statement, on the data of cmd/gendata. Result size:")
	fmt.Println("rows, and the bytes of the values as the server sent them (pgx raw values).")
	for _, w := range bench.Workloads {
		fmt.Printf("\n## %s: %s\n", w.Name, w.Desc)
		var list []stmt
		for _, shape := range []string{"flat", "union"} {
			p, err := bench.JoineryPlan(s, w.Name, shape)
			if err != nil {
				return err
			}
			list = append(list, stmt{"joinery, Shape(" + shape + ")", p.SQL, p.Args})
		}
		p, err := bench.JoineryPlan(s, w.Name, "pipeline")
		if err != nil {
			return err
		}
		for i, st := range p.Statements {
			list = append(list, stmt{fmt.Sprintf("joinery, Shape(pipeline), statement %d of %d (branch %d)", i+1, len(p.Statements), st.Part.Branch), st.SQL, st.Args})
		}
		auto, err := bench.JoineryPlan(s, w.Name, "")
		if err != nil {
			return err
		}
		fmt.Printf("\njoinery's default (ShapeAuto) picks the %s shape here over database/sql; joinery/pgx sends the pipeline in one batch where the default is union.\n", auto.Shape)
		if hand {
			q, a := bench.JoinSQL(w.Name)
			list = append(list, stmt{"hand-join", q, a})
			q, a = bench.UnionSQL(w.Name)
			list = append(list, stmt{"hand-union", q, a})
		}
		for _, st := range list {
			if err := explain(ctx, conn, st); err != nil {
				return fmt.Errorf("%s %s: %w", w.Name, st.title, err)
			}
		}
	}
	return nil
}

func explain(ctx context.Context, conn *pgx.Conn, st stmt) error {
	rows, err := conn.Query(ctx, st.sql, st.args...)
	if err != nil {
		return err
	}
	var n, bytes int
	for rows.Next() {
		n++
		for _, v := range rows.RawValues() {
			bytes += len(v)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var plan []string
	prow, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+st.sql, st.args...)
	if err != nil {
		return err
	}
	for prow.Next() {
		var line string
		if err := prow.Scan(&line); err != nil {
			prow.Close()
			return err
		}
		plan = append(plan, line)
	}
	prow.Close()
	if err := prow.Err(); err != nil {
		return err
	}
	fmt.Printf("\n### %s: %d rows, %.1f MB of values\n\n", st.title, n, float64(bytes)/1e6)
	fmt.Printf("<details><summary>SQL and plan</summary>\n\n```sql\n%s\n```\n\n```\n%s\n```\n\n</details>\n", st.sql, strings.Join(plan, "\n"))
	return nil
}
