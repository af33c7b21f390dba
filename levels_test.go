package joinery_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// TestScenariosLevelsSQLMock checks the per-level form of every scenario on PostgreSQL: each
// statement's exact SQL and arguments (golden .levels.sql), run through sqlmock one after
// another with the rows its branch returns on the SQLite fixture (the pipeline's statement
// of the same branch: the same rows, since the parent keys select exactly the parent rows),
// each include's statement with the distinct keys of its parent's rows as a PostgreSQL
// array literal, in the order the rows brought them; an include whose parent returned no
// rows is not sent. The result is the scenario's.
func TestScenariosLevelsSQLMock(t *testing.T) {
	for _, su := range suites {
		t.Run(su.name, func(t *testing.T) {
			s := su.schema(t)
			fixture := openDBs(t, "unused")[0]
			su.seed(t, fixture.db)
			for _, sc := range su.scenarios {
				t.Run(sc.name, func(t *testing.T) { mockLevels(t, s, fixture.db, sc) })
			}
		})
	}
}

func mockLevels(t *testing.T, s *include.Schema, fixture *sql.DB, sc scenario) {
	qq := sc.build(s, dialects.Postgres).shape(joinery.ShapeLevels)
	p, err := qq.Plan()
	if notExpressible(joinery.ShapeLevels, err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	lite, err := sc.build(s, dialects.SQLite).shape(joinery.ShapePipeline).Plan()
	if err != nil {
		t.Fatal(err)
	}
	if p.Shape != builder.ShapeLevels || len(p.Statements) != len(lite.Statements) {
		t.Fatalf("shape %s, %d statements; the pipeline has %d", p.Shape, len(p.Statements), len(lite.Statements))
	}
	if _, _, err := p.ToSql(); !errors.Is(err, builder.ErrPipeline) {
		t.Fatalf("ToSql of a per-level plan: %v, want ErrPipeline", err)
	}
	var g strings.Builder
	for i, st := range p.Statements {
		keys := "no keys"
		if st.Keys.From >= 0 {
			keys = fmt.Sprintf("keys: result columns %v of statement %d, into arguments %v", st.Keys.Cols, st.Keys.From+1, st.KeyArgs)
		}
		fmt.Fprintf(&g, "-- statement %d: branch %d, result columns %v, %s\n", i+1, st.Part.Branch, st.Part.Cols, keys)
		sameStatement(t, st.Readable(), st.SQL)
		g.WriteString(golden(st.Readable(), st.Args))
	}
	checkGolden(t, sc.name+".postgres.levels.sql", g.String())
	checkDistant(t, s, sc, p)

	db, mock := newMock(t)
	results := make([][][]driver.Value, len(p.Statements))
	sent := make([]bool, len(p.Statements))
	for i, st := range p.Statements {
		var names []string
		names, results[i] = captureRows(t, fixture, lite.Statements[i].SQL, lite.Statements[i].Args)
		args := make([]driver.Value, len(st.Args))
		for j, a := range st.Args {
			args[j] = a
		}
		if st.Keys.From >= 0 {
			if !sent[st.Keys.From] {
				continue // its parent's statement was not sent: nor is it
			}
			// the parent's rows' distinct keys, in order, as the array literal
			from := p.Statements[st.Keys.From]
			var keys []string
			for _, row := range results[st.Keys.From] {
				k := slices.Index(from.Part.Cols, st.Keys.Cols[0])
				if row[k] == nil {
					continue
				}
				v := fmt.Sprint(row[k])
				if b, ok := row[k].([]byte); ok {
					v = string(b)
				}
				if _, isInt := row[k].(int64); !isInt {
					v = strconv.Quote(v)
				}
				if !slices.Contains(keys, v) {
					keys = append(keys, v)
				}
			}
			if len(keys) == 0 {
				continue
			}
			if len(st.KeyArgs) != 1 {
				t.Fatalf("statement %d: %d key arguments", i+1, len(st.KeyArgs))
			}
			args[st.KeyArgs[0]] = "{" + strings.Join(keys, ",") + "}"
		}
		for j, a := range args {
			if _, ok := a.(builder.LevelKeys); ok {
				t.Fatalf("statement %d: argument %d is still a LevelKeys", i+1, j+1)
			}
		}
		sent[i] = true
		if want := len(st.Part.Cols); len(names) != want {
			t.Fatalf("statement %d returns %d columns, its part names %d", i+1, len(names), want)
		}
		rows := sqlmock.NewRows(names)
		for _, r := range results[i] {
			rows.AddRow(r...)
		}
		mock.ExpectQuery(st.SQL).WithArgs(args...).WillReturnRows(rows).RowsWillBeClosed()
	}
	got, err := qq.all(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, got, sc.want)
}

// A per-level plan's keys argument cannot be sent as it is, and says why; Explain says
// which statement's rows fill each statement's keys.
func TestLevelsPlan(t *testing.T) {
	s := blogSchema(t)
	// (a root filter: roots without one are read again by their includes' statements)
	q := joinery.Query[User](s, dialects.Postgres).Where(sq.Gt{"id": 0}).Include(include.New("posts").Include("tags")).Shape(joinery.ShapeLevels)
	p, err := q.Plan()
	if err != nil {
		t.Fatal(err)
	}
	st := p.Statements[1]
	if len(st.KeyArgs) != 1 {
		t.Fatalf("key arguments %v", st.KeyArgs)
	}
	k, ok := st.Args[st.KeyArgs[0]].(builder.LevelKeys)
	if !ok {
		t.Fatalf("argument %T", st.Args[st.KeyArgs[0]])
	}
	if _, err := k.Value(); err == nil || !strings.Contains(err.Error(), `"Posts"`) {
		t.Fatalf("Value: %v", err)
	}
	ex := p.Explain()
	for _, want := range []string{"shape: levels", "why: asked for (Shape)", "statement 2: branch 1, argument 1 = the distinct", "of statement 1's rows"} {
		if !strings.Contains(ex, want) {
			t.Fatalf("Explain lacks %q:\n%s", want, ex)
		}
	}
	for _, d := range []dialects.Dialect{dialects.SQLite, dialects.MySQL} {
		_, err := joinery.Query[User](s, d).Include("posts").Shape(joinery.ShapeLevels).Plan()
		if !errors.Is(err, builder.ErrShape) || !strings.Contains(err.Error(), "array parameter") {
			t.Fatalf("%s: %v", d.Name(), err)
		}
	}
	// a link of several columns: an array per column, read side by side
	ts := blogSchema(t, include.Tenant("tenant_id"))
	tp, err := joinery.Query[User](ts, dialects.Postgres).Where(sq.Gt{"id": 0}).Include("posts").Shape(joinery.ShapeLevels).Plan()
	if err != nil {
		t.Fatal(err)
	}
	want := `WHERE "t1"."tenant_id" = ANY($1) AND "t1"."user_id" = ANY($2) AND ("t1"."tenant_id", "t1"."user_id") IN (SELECT ($1)["jr_i"], ($2)["jr_i"] FROM generate_subscripts($1, 1) AS "jr_i")`
	if st := tp.Statements[1]; !strings.Contains(st.SQL, want) || !slices.Equal(st.KeyArgs, []int{0, 1}) || len(st.Keys.Cols) != 2 {
		t.Fatalf("multi-column link:\n%s\nkey arguments %v, key columns %v", st.SQL, st.KeyArgs, st.Keys.Cols)
	}
}

func TestArrayLiteral(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{[]int64{1, 22, -3}, "{1,22,-3}"},
		{[]string{"a", `b"c`, `d\e`, "NULL", ""}, `{"a","b\"c","d\\e","NULL",""}`},
		{[]any{int64(1), "x", true, 1.5}, `{1,"x",true,1.5}`},
		{[]int64{}, "{}"},
	} {
		got, err := joinery.ArrayLiteral(c.in)
		if err != nil || got != c.want {
			t.Fatalf("%v: %q %v, want %q", c.in, got, err, c.want)
		}
	}
	if _, err := joinery.ArrayLiteral([]any{struct{}{}}); err == nil {
		t.Fatal("a struct in an array: no error")
	}
}

// checkDistant: the per-level plan for a distant server (Q.PlanPipelinedDistant) of a
// scenario whose default over a pipelining driver is the per-level shape sends the root's
// includes linked by its key with the roots, in the pipeline's statement (the semi-join on
// the roots, or on their small page), and every other statement as the per-level plan p.
func checkDistant(t *testing.T, s *include.Schema, sc scenario, p *builder.Plan) {
	t.Helper()
	far, err := sc.build(s, dialects.Postgres).(interface {
		PlanPipelinedDistant() (*builder.Plan, error)
	}).PlanPipelinedDistant()
	if err != nil {
		t.Fatal(err)
	}
	if far.Shape != builder.ShapeLevels {
		return
	}
	pipe, err := sc.build(s, dialects.Postgres).shape(joinery.ShapePipeline).Plan()
	if err != nil {
		t.Fatal(err)
	}
	// near: only a root found by its key, or roots without a filter (all of them, or a
	// first page in key order), send their includes with them
	for i, st := range p.Statements {
		if i > 0 && st.Keys.From < 0 {
			if !strings.Contains(p.Explain(), "with the roots") || st.SQL != pipe.Statements[i].SQL || !reflect.DeepEqual(st.Args, pipe.Statements[i].Args) {
				t.Fatalf("statement %d, with the roots, is not the pipeline's:\n%s\n%v\nwant\n%s\n%v", i+1, st.SQL, st.Args, pipe.Statements[i].SQL, pipe.Statements[i].Args)
			}
			nearWithRoots++
		}
	}
	for i, st := range far.Statements {
		want, what := p.Statements[i], "the per-level plan's"
		if i > 0 && st.Keys.From < 0 {
			want, what = pipe.Statements[i], "the pipeline's"
			distantWithRoots++
		}
		if st.SQL != want.SQL || !reflect.DeepEqual(st.Args, want.Args) {
			t.Fatalf("distant statement %d is not %s:\n%s\n%v\nwant\n%s\n%v", i+1, what, st.SQL, st.Args, want.SQL, want.Args)
		}
	}
}

// distantWithRoots counts the scenario statements checkDistant saw sent with the roots;
// nearWithRoots, those of a near plan (a root found by its key, or roots without a filter).
var distantWithRoots, nearWithRoots int

func TestDistantCoverage(t *testing.T) {
	t.Run("scenarios", TestScenariosLevelsSQLMock)
	if distantWithRoots < 10 {
		t.Fatalf("only %d scenario statements go with the roots in a distant plan", distantWithRoots)
	}
	if nearWithRoots < 3 {
		t.Fatalf("only %d scenario statements go with a root found by its key or roots without a filter", nearWithRoots)
	}
}
