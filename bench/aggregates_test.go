package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	joinerypgx "github.com/joinery/joinery/pgx"
)

// The aggregates benchmark (issue 14): the "projects page", the 50 projects with the most open
// tasks (then by id), each with its open-task count and the time of its last task update. It
// works in a schema of its own, bench_agg, so it leaves cmd/gendata's tables alone: 1,000
// projects with 20 tasks each. A project's done tasks are a deterministic number from 0 to 20
// (so the open counts spread over 0..20, with ties the id decides), its tasks' update times
// are spread over a year. The tasks are stored in the order they would arrive over time,
// round by round over the projects, so a project's 20 tasks lie on 20 different pages.

const (
	aProjects = 1000
	aTasksPer = 20
	aPage     = 50
	aSchemaNm = "bench_agg"
)

var aDDL = []string{
	`DROP SCHEMA IF EXISTS ` + aSchemaNm + ` CASCADE`,
	`CREATE SCHEMA ` + aSchemaNm,
	`CREATE TABLE projects (id BIGINT PRIMARY KEY, name TEXT NOT NULL)`,
	`CREATE TABLE tasks (id BIGINT PRIMARY KEY, project_id BIGINT NOT NULL REFERENCES projects (id), title TEXT NOT NULL, done BOOLEAN NOT NULL, updated_at TIMESTAMP NOT NULL)`,
	// project p has p*37 % 21 done tasks: (p*7 + i*13) % 20 runs over 0..19 as i does
	`INSERT INTO projects (id, name) SELECT p, 'project ' || p FROM generate_series(1, ` + strconv.Itoa(aProjects) + `) p`,
	`INSERT INTO tasks (id, project_id, title, done, updated_at)
	 SELECT (p - 1) * ` + strconv.Itoa(aTasksPer) + ` + i + 1, p, 'task ' || i || ' of project ' || p,
	        (p * 7 + i * 13) % 20 < (p * 37) % 21,
	        TIMESTAMP '2026-01-01 00:00:00' + ((p * 7919 + i * 104729) % 31536000) * INTERVAL '1 second'
	 FROM generate_series(1, ` + strconv.Itoa(aProjects) + `) p, generate_series(0, ` + strconv.Itoa(aTasksPer-1) + `) i
	 ORDER BY i, p`,
	`CREATE INDEX tasks_project_id ON tasks (project_id)`,
	`VACUUM ANALYZE projects`,
	`VACUUM ANALYZE tasks`,
}

// aProject is the page's row and the result every contender returns.
type aProject struct {
	ID         int64      `db:"id"`
	Name       string     `db:"name"`
	OpenTasks  int64      `joinery:"computed:open_tasks"`
	LastUpdate *time.Time `joinery:"computed:last_update"`
	// joinery registers an association only on a field that can hold it; the page never
	// includes the tasks, so this stays nil
	Tasks []aTask `joinery:"tasks"`
}

type aTask struct {
	ID        int64     `db:"id"`
	ProjectID int64     `db:"project_id"`
	Title     string    `db:"title"`
	Done      bool      `db:"done"`
	UpdatedAt time.Time `db:"updated_at"`
}

// aProjectTasks is a project with its tasks loaded, for the contenders that count in Go.
type aProjectTasks struct {
	ID    int64   `db:"id"`
	Name  string  `db:"name"`
	Tasks []aTask `joinery:"tasks"`
}

// GORM's row: the computed columns are read by their names (open_tasks, last_update).
type agProject struct {
	ID         int64
	Name       string
	OpenTasks  int64
	LastUpdate *time.Time
}

func (agProject) TableName() string { return "projects" }

// bun's row: scanonly columns are read, never written.
type abProject struct {
	bun.BaseModel `bun:"table:projects,alias:p"`
	ID            int64      `bun:"id,pk"`
	Name          string     `bun:"name"`
	OpenTasks     int64      `bun:"open_tasks,scanonly"`
	LastUpdate    *time.Time `bun:"last_update,scanonly"`
}

type aggEnv struct {
	db     *sql.DB // pgx stdlib, search_path bench_agg
	pool   *pgxpool.Pool
	gorm   *gorm.DB
	bun    *bun.DB
	schema *include.Schema
	page   joinery.Q[aProject]      // built once, as a data layer would
	all    joinery.Q[aProjectTasks] // every project with its tasks
}

func openAggEnv(tb testing.TB) *aggEnv {
	tb.Helper()
	dsn := os.Getenv("BENCH_PG_DSN")
	if dsn == "" {
		tb.Skip("BENCH_PG_DSN is not set (bench/run.sh sets it)")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	for _, s := range aDDL[:2] {
		if _, err := admin.Exec(s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	sdsn := dsn + sep + "search_path=" + aSchemaNm
	db, err := sql.Open("pgx", sdsn)
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	tb.Cleanup(func() { db.Close() })
	for _, s := range aDDL[2:] {
		if _, err := db.Exec(s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
	e := &aggEnv{db: db}
	cfg, err := pgxpool.ParseConfig(sdsn)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.MaxConns = 4
	if e.pool, err = pgxpool.NewWithConfig(context.Background(), cfg); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(e.pool.Close)
	e.gorm, err = gorm.Open(postgres.New(postgres.Config{Conn: db}), &gorm.Config{
		Logger: logger.Discard, SkipDefaultTransaction: true})
	if err != nil {
		tb.Fatal(err)
	}
	e.bun = bun.NewDB(db, pgdialect.New())

	s := include.NewSchema()
	for _, err := range []error{
		second(s.Define(aProject{}, "projects", include.Name("Project"))),
		second(s.Define(aProjectTasks{}, "projects", include.Name("ProjectTasks"))),
		second(s.Define(aTask{}, "tasks", include.Name("Task"))),
		second(s.HasMany("Project", "Task", include.As("tasks"), include.ForeignKey("project_id"))),
		second(s.HasMany("ProjectTasks", "Task", include.As("tasks"), include.ForeignKey("project_id"))),
		s.Err(),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	e.schema = s
	e.page = joinery.Query[aProject](s, dialects.Postgres).
		Compute(
			include.Count("tasks").Where(sq.Eq{"done": false}).As("open_tasks"),
			include.Max("tasks", "updated_at").As("last_update"),
		).
		OrderBy("open_tasks DESC", "id").Limit(aPage)
	e.all = joinery.Query[aProjectTasks](s, dialects.Postgres).Include("tasks")
	return e
}

func second[T any](_ T, err error) error { return err }

// handPageSQL is the hand-written page: the tasks grouped once in a derived table, joined to
// the projects.
const handPageSQL = `SELECT p.id, p.name, COALESCE(t.open, 0) AS open_tasks, t.last AS last_update
FROM projects p
LEFT JOIN (SELECT project_id, COUNT(*) FILTER (WHERE NOT done) AS open, MAX(updated_at) AS last
           FROM tasks GROUP BY project_id) t ON t.project_id = p.id
ORDER BY open_tasks DESC, p.id
LIMIT $1`

// The subquery columns GORM and bun select (their own spelling of joinery's statement).
const (
	gormOpenTasks  = `(SELECT COUNT(*) FROM tasks WHERE tasks.project_id = projects.id AND NOT tasks.done) AS open_tasks`
	gormLastUpdate = `(SELECT MAX(tasks.updated_at) FROM tasks WHERE tasks.project_id = projects.id) AS last_update`
	bunOpenTasks   = `(SELECT COUNT(*) FROM tasks AS t WHERE t.project_id = p.id AND NOT t.done) AS open_tasks`
	bunLastUpdate  = `(SELECT MAX(t.updated_at) FROM tasks AS t WHERE t.project_id = p.id) AS last_update`
)

// pageOf is the page computed in Go from projects with their tasks: count, sort, take 50.
func pageOf(ps []aProjectTasks) []aProject {
	out := make([]aProject, len(ps))
	for i := range ps {
		p := &ps[i]
		r := aProject{ID: p.ID, Name: p.Name}
		for j := range p.Tasks {
			t := &p.Tasks[j]
			if !t.Done {
				r.OpenTasks++
			}
			if r.LastUpdate == nil || t.UpdatedAt.After(*r.LastUpdate) {
				at := t.UpdatedAt
				r.LastUpdate = &at
			}
		}
		out[i] = r
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].OpenTasks != out[j].OpenTasks {
			return out[i].OpenTasks > out[j].OpenTasks
		}
		return out[i].ID < out[j].ID
	})
	return out[:min(aPage, len(out))]
}

// aggContenders each return the page.
var aggContenders = []struct {
	name string
	run  func(ctx context.Context, e *aggEnv) ([]aProject, error)
}{
	{"joinery-pgx", func(ctx context.Context, e *aggEnv) ([]aProject, error) {
		return e.page.All(ctx, e.db)
	}},
	{"joinery-pgx-sqlrows", func(ctx context.Context, e *aggEnv) ([]aProject, error) {
		return e.page.All(ctx, sqlRowsOnly{e.db})
	}},
	{"joinery-pgxnative", func(ctx context.Context, e *aggEnv) ([]aProject, error) {
		return joinerypgx.All(ctx, e.pool, e.page)
	}},
	{"hand-derived", handDerived},
	{"hand-derived-pgxnative", handDerivedPgx},
	{"joinery-load-count", func(ctx context.Context, e *aggEnv) ([]aProject, error) {
		ps, err := e.all.All(ctx, e.db)
		if err != nil {
			return nil, err
		}
		return pageOf(ps), nil
	}},
	{"hand-load-count", handLoadCount},
	{"hand-load-count-pgxnative", handLoadCountPgx},
	{"gorm", func(ctx context.Context, e *aggEnv) ([]aProject, error) {
		var rows []agProject
		err := e.gorm.WithContext(ctx).Model(&agProject{}).
			Select("projects.*, " + gormOpenTasks + ", " + gormLastUpdate).
			Order("open_tasks DESC, projects.id").Limit(aPage).Find(&rows).Error
		if err != nil {
			return nil, err
		}
		out := make([]aProject, len(rows))
		for i, r := range rows {
			out[i] = aProject{ID: r.ID, Name: r.Name, OpenTasks: r.OpenTasks, LastUpdate: r.LastUpdate}
		}
		return out, nil
	}},
	{"bun", func(ctx context.Context, e *aggEnv) ([]aProject, error) {
		var rows []abProject
		err := e.bun.NewSelect().Model(&rows).
			ColumnExpr("p.*").ColumnExpr(bunOpenTasks).ColumnExpr(bunLastUpdate).
			OrderExpr("open_tasks DESC").OrderExpr("p.id").Limit(aPage).Scan(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]aProject, len(rows))
		for i, r := range rows {
			out[i] = aProject{ID: r.ID, Name: r.Name, OpenTasks: r.OpenTasks, LastUpdate: r.LastUpdate}
		}
		return out, nil
	}},
}

// handDerived runs handPageSQL and scans into typed structs.
func handDerived(ctx context.Context, e *aggEnv) ([]aProject, error) {
	rows, err := e.db.QueryContext(ctx, handPageSQL, aPage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]aProject, 0, aPage)
	for rows.Next() {
		var p aProject
		var last sql.NullTime
		if err := rows.Scan(&p.ID, &p.Name, &p.OpenTasks, &last); err != nil {
			return nil, err
		}
		if last.Valid {
			t := last.Time
			p.LastUpdate = &t
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// handLoadSQL loads every project with its tasks.
const handLoadSQL = `SELECT p.id, p.name, t.id, t.title, t.done, t.updated_at
FROM projects p LEFT JOIN tasks t ON t.project_id = p.id`

// handLoadCount loads every project with its tasks in one flat LEFT JOIN, folds the rows by
// project id, and computes the page in Go.
func handLoadCount(ctx context.Context, e *aggEnv) ([]aProject, error) {
	rows, err := e.db.QueryContext(ctx, handLoadSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ps := make([]aProjectTasks, 0, aProjects)
	byID := make(map[int64]int, aProjects)
	for rows.Next() {
		var (
			pid   int64
			name  string
			tid   sql.NullInt64
			title sql.NullString
			done  sql.NullBool
			at    sql.NullTime
		)
		if err := rows.Scan(&pid, &name, &tid, &title, &done, &at); err != nil {
			return nil, err
		}
		i, ok := byID[pid]
		if !ok {
			i = len(ps)
			byID[pid] = i
			ps = append(ps, aProjectTasks{ID: pid, Name: name})
		}
		if tid.Valid {
			ps[i].Tasks = append(ps[i].Tasks, aTask{ID: tid.Int64, ProjectID: pid, Title: title.String, Done: done.Bool, UpdatedAt: at.Time})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return pageOf(ps), nil
}

// handLoadCountPgx is handLoadCount over pgx natively: the rows scanned into pgx's typed
// nullable values, decoded in place.
func handLoadCountPgx(ctx context.Context, e *aggEnv) ([]aProject, error) {
	rows, err := e.pool.Query(ctx, handLoadSQL)
	if err != nil {
		return nil, err
	}
	ps := make([]aProjectTasks, 0, aProjects)
	byID := make(map[int64]int, aProjects)
	var (
		pid   int64
		name  string
		tid   pgtype.Int8
		title pgtype.Text
		done  pgtype.Bool
		at    pgtype.Timestamp
	)
	_, err = pgx.ForEachRow(rows, []any{&pid, &name, &tid, &title, &done, &at}, func() error {
		i, ok := byID[pid]
		if !ok {
			i = len(ps)
			byID[pid] = i
			ps = append(ps, aProjectTasks{ID: pid, Name: name})
		}
		if tid.Valid {
			ps[i].Tasks = append(ps[i].Tasks, aTask{ID: tid.Int64, ProjectID: pid, Title: title.String, Done: done.Bool, UpdatedAt: at.Time})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pageOf(ps), nil
}

// handDerivedPgx is handDerived over pgx natively.
func handDerivedPgx(ctx context.Context, e *aggEnv) ([]aProject, error) {
	rows, err := e.pool.Query(ctx, handPageSQL, aPage)
	if err != nil {
		return nil, err
	}
	out := make([]aProject, 0, aPage)
	var (
		p    aProject
		last pgtype.Timestamp
	)
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.Name, &p.OpenTasks, &last}, func() error {
		r := p
		if last.Valid {
			t := last.Time
			r.LastUpdate = &t
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// normPage puts every time in UTC (drivers may give another location for the same instant).
func normPage(ps []aProject) []aProject {
	for i := range ps {
		if ps[i].LastUpdate != nil {
			t := ps[i].LastUpdate.UTC()
			ps[i].LastUpdate = &t
		}
	}
	return ps
}

// TestAggregatesSameResult checks that every contender returns the same page, and that the
// page is what the data says: 50 rows, open counts non-increasing, ties by id, the counts
// and times equal those of the projects' tasks counted in Go from a plain SELECT.
func TestAggregatesSameResult(t *testing.T) {
	e := openAggEnv(t)
	ctx := context.Background()
	want, err := handLoadCount(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	normPage(want)
	if len(want) != aPage {
		t.Fatalf("reference page has %d rows, want %d", len(want), aPage)
	}
	// the data's own shape: project p has 20 - p*37%21 open tasks, so the page starts with the
	// projects that have 20 open tasks
	for i, p := range want {
		if exp := int64(aTasksPer - (p.ID*37)%21); p.OpenTasks != exp {
			t.Fatalf("row %d: project %d has %d open tasks, the data says %d", i, p.ID, p.OpenTasks, exp)
		}
		if i > 0 && (want[i-1].OpenTasks < p.OpenTasks || want[i-1].OpenTasks == p.OpenTasks && want[i-1].ID > p.ID) {
			t.Fatalf("rows %d and %d out of order: %+v, %+v", i-1, i, want[i-1], p)
		}
		if p.LastUpdate == nil {
			t.Fatalf("row %d: project %d has no last update", i, p.ID)
		}
	}
	t.Logf("page: first %+v, last %+v (open %d..%d)", want[0].ID, want[len(want)-1].ID, want[0].OpenTasks, want[len(want)-1].OpenTasks)
	for _, c := range aggContenders {
		got, err := c.run(ctx, e)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if normPage(got); !reflect.DeepEqual(want, got) {
			t.Errorf("%s differs from hand-load-count: %s", c.name, Diff(want, got))
		}
	}
}

// TestAggregatesExplain prints the PostgreSQL plans (EXPLAIN (ANALYZE, BUFFERS)) of joinery's
// page statement, the hand-written one and GORM's, with the server's execution time of each
// (the median of 7 runs, the statements alternating run by run) and the buffers the plan
// touched, first with the tasks as stored (a project's tasks on 20 pages), then clustered by
// project (CLUSTER tasks USING tasks_project_id: a project's tasks on one or two pages). Run
// it with go test -v.
func TestAggregatesExplain(t *testing.T) {
	e := openAggEnv(t)
	ctx := context.Background()
	jsql, jargs, err := e.page.ToSql()
	if err != nil {
		t.Fatal(err)
	}
	stmts := []struct {
		name  string
		query string
		args  []any
	}{
		{"joinery", jsql, jargs},
		{"hand-derived", handPageSQL, []any{aPage}},
		{"gorm", "SELECT projects.*, " + gormOpenTasks + ", " + gormLastUpdate + " FROM projects ORDER BY open_tasks DESC, projects.id LIMIT 50", nil},
	}
	const runs = 7
	for _, layout := range aggLayouts {
		if layout.prepare != "" {
			for _, s := range []string{layout.prepare, "VACUUM ANALYZE tasks"} {
				if _, err := e.db.ExecContext(ctx, s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
		}
		times := make([][]float64, len(stmts))
		plans := make([][]string, len(stmts))
		for run := 0; run < runs; run++ {
			for i, s := range stmts {
				plan, ms := explainAnalyze(t, ctx, e.db, s.query, s.args)
				times[i] = append(times[i], ms)
				plans[i] = plan
			}
		}
		for i, s := range stmts {
			sort.Float64s(times[i])
			t.Logf("tasks %s, %s: median execution time %.3f ms (min %.3f), %s\n%s %v\n%s", layout.name, s.name,
				times[i][runs/2], times[i][0], topBuffers(plans[i]), s.query, s.args, strings.Join(plans[i], "\n"))
		}
	}
}

// explainAnalyze runs EXPLAIN (ANALYZE, BUFFERS) of a statement and returns the plan's lines
// and its execution time in ms.
func explainAnalyze(t *testing.T, ctx context.Context, db *sql.DB, query string, args []any) ([]string, float64) {
	t.Helper()
	rows, err := db.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	ms := -1.0
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, l)
		if v, ok := strings.CutPrefix(l, "Execution Time: "); ok {
			if ms, err = strconv.ParseFloat(strings.TrimSuffix(v, " ms"), 64); err != nil {
				t.Fatalf("execution time %q: %v", l, err)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if ms < 0 {
		t.Fatalf("no execution time in the plan of %s", query)
	}
	return plan, ms
}

// topBuffers is the plan's first Buffers line: the buffers of the whole statement.
func topBuffers(plan []string) string {
	for _, l := range plan {
		if b, ok := strings.CutPrefix(strings.TrimSpace(l), "Buffers: "); ok {
			return b
		}
	}
	return "no buffers"
}

// aggLayouts are the two physical orders of the tasks the page is measured on: as stored
// (a project's tasks on 20 pages, as tasks arriving over time would lie) and clustered by
// project (on one or two pages). The grouped derived table reads every task once either way;
// a correlated subquery per project reads the pages of that project's tasks.
var aggLayouts = []struct{ name, prepare string }{
	{"stored", ""},
	{"clustered", "CLUSTER tasks USING tasks_project_id"},
}

// BenchmarkAggregates/<layout>/<contender>#NN: the projects page, the contenders alternating
// round by round ($BENCH_ROUNDS, default 3), the order rotated each round and by $BENCH_RUN.
func BenchmarkAggregates(b *testing.B) {
	e := openAggEnv(b)
	ctx := context.Background()
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	list := Rotate(aggContenders)
	for _, layout := range aggLayouts {
		if layout.prepare != "" {
			for _, s := range []string{layout.prepare, "VACUUM ANALYZE tasks"} {
				if _, err := e.db.ExecContext(ctx, s); err != nil {
					b.Fatalf("%s: %v", s, err)
				}
			}
		}
		b.Run(layout.name, func(b *testing.B) {
			for r := 0; r < rounds; r++ {
				for k := range list {
					c := list[(k+r)%len(list)]
					b.Run(fmt.Sprintf("%s#%02d", c.name, r), func(b *testing.B) {
						b.ReportAllocs()
						for b.Loop() {
							if _, err := c.run(ctx, e); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}
