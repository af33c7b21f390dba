package joinery_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

var update = flag.Bool("update", false, "rewrite the golden SQL files under testdata/golden")

var allDialects = []dialects.Dialect{dialects.Postgres, dialects.MySQL, dialects.SQLite}

// golden renders the statement and its arguments the way testdata/golden stores them.
func golden(sqlText string, args []any) string {
	var b strings.Builder
	b.WriteString(sqlText)
	b.WriteString("\n")
	for i, a := range args {
		fmt.Fprintf(&b, "-- arg %d: %#v\n", i+1, a)
	}
	return b.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		t.Fatalf("SQL differs from %s:\n got: %s\nwant: %s", path, got, want)
	}
}

// goldenSQL is the statement of a golden file: its readable form, the lines before the
// arguments. sqlmock's QueryMatcherEqual compares it with the statement joinery sends, white
// space aside.
func goldenSQL(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	text, _, _ := strings.Cut(string(b), "\n-- arg ")
	return strings.TrimSuffix(text, "\n")
}

// sameStatement checks that a readable form is the statement with only its white space
// changed, each run of it one space.
func sameStatement(t *testing.T, readable, sqlText string) {
	t.Helper()
	if got := strings.Join(strings.Fields(readable), " "); got != sqlText || strings.Contains(sqlText, "\n") {
		t.Fatalf("the readable form is another statement:\n%s\nwant: %s", readable, sqlText)
	}
}

// captureRows runs a statement on the SQLite fixture and returns its columns and values, to
// replay through sqlmock.
func captureRows(t *testing.T, db *sql.DB, sqlText string, args []any) ([]string, [][]driver.Value) {
	t.Helper()
	rows, err := db.Query(sqlText, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]driver.Value
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]driver.Value, len(cols))
		for i, v := range vals {
			row[i] = v
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return cols, out
}

func newMock(t *testing.T) (*sql.DB, sqlmock.Sqlmock) {
	t.Helper()
	db, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := mock.ExpectationsWereMet(); err != nil {
			t.Error(err)
		}
		db.Close()
	})
	return db, mock
}

func assertJSON(t *testing.T, got any, want string) {
	t.Helper()
	gb, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(gb, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expected JSON: %v\n%s", err, want)
	}
	gn, _ := json.Marshal(g)
	wn, _ := json.Marshal(w)
	if string(gn) != string(wn) {
		t.Fatalf("result differs\n got: %s\nwant: %s", gn, wn)
	}
}

// TestScenariosSQLMock checks, for every scenario and dialect, the exact SQL and arguments
// against the golden files (through sqlmock's exact matcher), and the hydrated result of rows
// recorded from the SQLite fixture and replayed through sqlmock.
func TestScenariosSQLMock(t *testing.T) {
	for _, su := range suites {
		t.Run(su.name, func(t *testing.T) {
			s := su.schema(t)
			fixture := openDBs(t, "unused")[0]
			su.seed(t, fixture.db)
			for _, sc := range su.scenarios {
				t.Run(sc.name, func(t *testing.T) {
					mockScenario(t, s, fixture.db, sc)
					mockPipeline(t, s, fixture.db, sc)
				})
			}
		})
	}
}

// shapes are the statement shapes every scenario runs in: the default, and the flat JOIN
// forced (for the trees whose default is the UNION ALL of branches).
var shapes = []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat}

func mockScenario(t *testing.T, s *include.Schema, fixture *sql.DB, sc scenario) {
	for _, shape := range shapes {
		base := sc.build(s, dialects.SQLite).shape(shape)
		lite, err := base.Plan()
		if err != nil {
			t.Fatal(err)
		}
		suffix := ""
		if shape == joinery.ShapeFlat {
			if auto, _ := sc.build(s, dialects.SQLite).Plan(); auto.Shape == builder.ShapeFlat {
				continue // the default is already flat
			}
			suffix = ".flat"
		}
		cols, data := captureRows(t, fixture, lite.SQL, lite.Args)
		for _, d := range allDialects {
			t.Run(d.Name()+suffix, func(t *testing.T) {
				qq := sc.build(s, d).shape(shape)
				p, err := qq.Plan()
				if err != nil {
					t.Fatal(err)
				}
				name := sc.name + "." + d.Name() + suffix + ".sql"
				sameStatement(t, p.Readable(), p.SQL)
				checkGolden(t, name, golden(p.Readable(), p.Args))
				// the column list is the plan's own
				if strings.Join(cols, ",") != strings.Join(p.ResultColumns(), ",") {
					t.Fatalf("columns %v, plan %v", cols, p.ResultColumns())
				}
				db, mock := newMock(t)
				rows := sqlmock.NewRows(cols)
				for _, r := range data {
					rows.AddRow(r...)
				}
				args := make([]driver.Value, len(p.Args))
				for i, a := range p.Args {
					args[i] = a
				}
				mock.ExpectQuery(goldenSQL(t, name)).WithArgs(args...).WillReturnRows(rows).RowsWillBeClosed()
				got, err := qq.all(context.Background(), db)
				if err != nil {
					t.Fatal(err)
				}
				assertJSON(t, got, sc.want)
			})
		}
	}
}

// mockPipeline checks the pipelined form of a scenario: each statement's exact SQL and
// arguments (golden .pipeline.sql), run one after another through sqlmock with the rows
// each returns on the SQLite fixture, folded into the scenario's result.
func mockPipeline(t *testing.T, s *include.Schema, fixture *sql.DB, sc scenario) {
	lite, err := sc.build(s, dialects.SQLite).shape(joinery.ShapePipeline).Plan()
	if err != nil {
		if strings.Contains(err.Error(), "UNION ALL shape cannot") {
			return
		}
		t.Fatal(err)
	}
	type result struct {
		cols []string
		data [][]driver.Value
	}
	var results []result
	for _, st := range lite.Statements {
		cols, data := captureRows(t, fixture, st.SQL, st.Args)
		if len(cols) != len(st.Part.Cols) {
			t.Fatalf("statement of branch %d returns %d columns, its part names %d", st.Part.Branch, len(cols), len(st.Part.Cols))
		}
		results = append(results, result{cols, data})
	}
	for _, d := range allDialects {
		t.Run(d.Name()+".pipeline", func(t *testing.T) {
			qq := sc.build(s, d).shape(joinery.ShapePipeline)
			p, err := qq.Plan()
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := p.ToSql(); !errors.Is(err, builder.ErrPipeline) {
				t.Fatalf("ToSql of a pipelined plan: %v, want ErrPipeline", err)
			}
			var g strings.Builder
			for i, st := range p.Statements {
				fmt.Fprintf(&g, "-- statement %d: branch %d, result columns %v\n", i+1, st.Part.Branch, st.Part.Cols)
				sameStatement(t, st.Readable(), st.SQL)
				g.WriteString(golden(st.Readable(), st.Args))
			}
			checkGolden(t, sc.name+"."+d.Name()+".pipeline.sql", g.String())
			if len(p.Statements) != len(results) {
				t.Fatalf("%d statements, %d on SQLite", len(p.Statements), len(results))
			}
			db, mock := newMock(t)
			for i, st := range p.Statements {
				rows := sqlmock.NewRows(results[i].cols)
				for _, r := range results[i].data {
					rows.AddRow(r...)
				}
				args := make([]driver.Value, len(st.Args))
				for j, a := range st.Args {
					args[j] = a
				}
				mock.ExpectQuery(st.SQL).WithArgs(args...).WillReturnRows(rows).RowsWillBeClosed()
			}
			got, err := qq.all(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			assertJSON(t, got, sc.want)
		})
	}
}

// TestScenariosDeterministic compiles every scenario twice per dialect: byte-identical SQL.
func TestScenariosDeterministic(t *testing.T) {
	for _, su := range suites {
		s := su.schema(t)
		for _, sc := range su.scenarios {
			for _, d := range allDialects {
				a, err := sc.build(s, d).Plan()
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < 20; i++ {
					b, _ := sc.build(s, d).Plan()
					if a.SQL != b.SQL || fmt.Sprint(a.Args) != fmt.Sprint(b.Args) {
						t.Fatalf("%s/%s: SQL differs between compilations:\n%s\n%s", sc.name, d.Name(), a.SQL, b.SQL)
					}
				}
			}
		}
	}
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
