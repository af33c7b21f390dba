package joinery_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/go-sql-driver/mysql"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// All over a *sql.DB or *sql.Conn (which lend their driver connection: a registered adapter
// may run the load there, see rawsql.go) against database/sql's path (the same *sql.DB or
// *sql.Conn hidden in a wrapper, so All goes through its QueryContext and *sql.Rows): the
// same calls must behave the same, results, errors and connections alike. For these drivers
// no adapter is registered (the generic driver path was removed: it saved nothing measurable
// and differed where a caller could see); the test guards the choice of path, and any
// adapter added for them. joinery/pgx's adapter is compared with database/sql in its module.

// hiddenDB and hiddenConn hide the *sql.DB / *sql.Conn from joinery, which then runs
// through their QueryContext (database/sql's Rows), as for any wrapper.
type hiddenDB struct{ *sql.DB }
type hiddenConn struct{ *sql.Conn }

// lowerValuer is a driver.Valuer: its value is its text in lower case.
type lowerValuer string

func (v lowerValuer) Value() (driver.Value, error) { return strings.ToLower(string(v)), nil }

// failingValuer is a driver.Valuer that fails.
type failingValuer struct{}

func (failingValuer) Value() (driver.Value, error) { return nil, errors.New("failingValuer: no value") }

// outcome is what a call gave: the result as JSON, or the error.
type outcome struct {
	json string
	err  error
}

func TestDriverPathMatchesDatabaseSQL(t *testing.T) {
	for _, tdb := range openDBs(t, "joinery_cmp") {
		t.Run(tdb.name, func(t *testing.T) {
			// Every scenario of every fixture, in every shape, gives the same nested values
			// both ways (and the expected ones), over a *sql.DB and over a *sql.Conn.
			t.Run("results", func(t *testing.T) {
				ctx := context.Background()
				conn, err := tdb.db.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				for _, su := range suites {
					s := su.schema(t)
					su.seed(t, tdb.db)
					for _, sc := range su.scenarios {
						for _, shape := range allShapes {
							qq := sc.build(s, tdb.dialect).shape(shape)
							if _, err := qq.Plan(); notExpressible(shape, err) {
								continue // only the flat JOIN expresses this tree (or ShapeLevels without arrays)
							}
							for _, w := range ways {
								got, err := qq.all(ctx, w.wrap(tdb.db, conn))
								if err != nil {
									t.Fatalf("%s/%s/%s/%s: %v", su.name, sc.name, shape, w.name, err)
								}
								if g := normJSON(t, jsonString(t, got)); g != normJSON(t, sc.want) {
									t.Fatalf("%s/%s/%s/%s:\n got: %s\nwant: %s", su.name, sc.name, shape, w.name, g, sc.want)
								}
							}
						}
					}
				}
				waitIdle(t, tdb.db, 1)
				connAfter(t, tdb, conn, lives)
			})

			s := blogSchema(t)
			seedBlog(t, tdb.db)
			users := joinery.Query[User](s, tdb.dialect).Include("posts").OrderBy("id")
			code := func(pg, my, lite string) string {
				return map[string]string{"postgres": pg, "mysql": my, "sqlite": lite}[tdb.name]
			}
			cases := []struct {
				name string
				q    joinery.Q[User]
				ctx  func() (context.Context, context.CancelFunc)
				fate fate
				// check judges the outcome of the driver path (the database/sql path must
				// give the same)
				check func(t *testing.T, o outcome)
			}{
				// errors from the database: its driver's error type and code, the same text
				{name: "unknown column", q: users.Where(sq.Expr("{{self}}.nope = 1")),
					check: wantCode(code("42703", "1054", "1"))},
				{name: "syntax error", q: users.Where(sq.Expr("{{self}}.id = = 1")),
					check: wantCode(code("42601", "1064", "1"))},
				{name: "error on a later row", q: users.Where(failOn(tdb, 2)),
					check: wantCode(failCode(tdb))},
				// PostgreSQL rejects text for a bigint (22P02); MySQL and SQLite compare and
				// match nothing
				{name: "argument of the wrong type", q: users.Where(sq.Expr("{{self}}.id = ?", "abc")),
					check: func(t *testing.T, o outcome) {
						if tdb.name == "postgres" {
							wantCode("22P02")(t, o)
						} else if o.err != nil || o.json != "[]" {
							t.Fatalf("want no roots, got %v", o)
						}
					}},

				// the context
				{name: "cancelled before", q: users, ctx: func() (context.Context, context.CancelFunc) {
					ctx, cancel := context.WithCancel(context.Background())
					cancel()
					return ctx, cancel
				}, check: wantErrIs(context.Canceled)},
				{name: "deadline during the statement", q: users.Where(sleepRow(tdb, 100)), ctx: func() (context.Context, context.CancelFunc) {
					return context.WithTimeout(context.Background(), 150*time.Millisecond)
				}, fate: cancelFate(tdb, false), check: wantErrIs(context.DeadlineExceeded)},

				// arguments, converted as database/sql converts them
				{name: "driver.Valuer", q: users.Where(sq.Eq{"name": lowerValuer("ALICE")}),
					check: wantRoots(1)},
				{name: "nil pointer Valuer", q: users.Where(sq.Expr("{{self}}.name = ?", (*lowerValuer)(nil))),
					check: wantRoots()},
				{name: "failing Valuer", q: users.Where(sq.Eq{"name": failingValuer{}}),
					check: wantText(`sql: converting argument $1 type: failingValuer: no value`)},
				{name: "sql.Named", q: users.Where(sq.Expr("{{self}}.name = ?", sql.Named("n", "bob"))),
					check: func(t *testing.T, o outcome) {
						if tdb.name == "mysql" { // go-sql-driver/mysql takes no names
							wantText("mysql: driver does not support the use of Named Parameters")(t, o)
						} else {
							wantRoots(2)(t, o)
						}
					}},
				{name: "sql.Named, bad name", q: users.Where(sq.Expr("{{self}}.name = ?", sql.Named("1n", "bob"))),
					check: wantText(`name "1n" does not begin with a letter`)},
				{name: "unconvertible type", q: users.Where(sq.Eq{"id": struct{ X int }{1}}),
					check: wantText(`sql: converting argument $1 type: unsupported type struct { X int }, a struct`)},
				{name: "unbound Param", q: users.Where(sq.Eq{"id": joinery.Param("id")}),
					check: wantText(`sql: converting argument $1 type: joinery: parameter "id" is not bound: call Bind`)},
				{name: "bound Param", q: users.Where(sq.Eq{"id": joinery.Param("id")}).Bind(map[string]any{"id": 3}),
					check: wantRoots(3)},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					got := map[string]outcome{}
					runWays(t, tdb, nil, func(way) fate { return c.fate }, func(t *testing.T, w way, db joinery.Querier, _ *sql.Conn) {
						ctx, cancel := context.Background(), context.CancelFunc(func() {})
						if c.ctx != nil {
							ctx, cancel = c.ctx()
						}
						defer cancel()
						all, err := c.q.All(ctx, db)
						o := outcome{err: err}
						if err == nil {
							o.json = jsonString(t, all)
						}
						got[w.name] = o
						c.check(t, o)
					})
					// the same text both ways, over a *sql.DB and a *sql.Conn (the context's
					// errors aside: which of the driver's report and the context's comes first
					// is a race, see ctxError)
					ref := got[ways[0].name]
					for name, o := range got {
						if o.json != ref.json || errText(o.err) != errText(ref.err) && !isCtxErr(o.err) {
							t.Errorf("%s: %v, %s; %s: %v, %s", ways[0].name, ref.err, ref.json, name, o.err, o.json)
						}
					}
				})
			}
		})
	}
}

// normJSON is s with its objects' keys sorted and no spaces.
func normJSON(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return jsonString(t, v)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func wantCode(code string) func(*testing.T, outcome) {
	return func(t *testing.T, o outcome) {
		t.Helper()
		if got := dbCode(o.err); got != code {
			t.Fatalf("want the database's error %s, got %q: %v", code, got, o.err)
		}
	}
}

func wantErrIs(target error) func(*testing.T, outcome) {
	return func(t *testing.T, o outcome) {
		t.Helper()
		if !errors.Is(o.err, target) {
			t.Fatalf("want %v, got %v", target, o.err)
		}
	}
}

func wantText(text string) func(*testing.T, outcome) {
	return func(t *testing.T, o outcome) {
		t.Helper()
		if o.err == nil || !strings.Contains(o.err.Error(), text) {
			t.Fatalf("want an error saying %q, got %v", text, o.err)
		}
	}
}

func wantRoots(ids ...int64) func(*testing.T, outcome) {
	return func(t *testing.T, o outcome) {
		t.Helper()
		var got []User
		if o.err != nil || json.Unmarshal([]byte(o.json), &got) != nil {
			t.Fatalf("want roots %v, got %v", ids, o)
		}
		var gotIDs []int64
		for _, u := range got {
			gotIDs = append(gotIDs, u.ID)
		}
		if fmt.Sprint(gotIDs) != fmt.Sprint(ids) && !(len(ids) == 0 && len(gotIDs) == 0) {
			t.Fatalf("want roots %v, got %v", ids, gotIDs)
		}
	}
}

// --- the benchmark ---------------------------------------------------------------------

// BenchmarkDriverPath: All over a *sql.DB, and through database/sql (the same *sql.DB
// hidden in a wrapper), on SQLite and on PostgreSQL and MySQL/MariaDB when their DSNs are
// set: 2,000 users with 3 posts of 2 comments each (20,000 rows), UNION ALL and flat JOIN.
// It decided the generic driver path's removal: run on it, it used the same allocations and
// 0.6-2.3% less CPU than database/sql (within noise); with an adapter registered it measures
// that adapter.
//
//	go test -run '^$' -bench BenchmarkDriverPath -benchmem .
func BenchmarkDriverPath(b *testing.B) {
	s := blogSchema(b)
	for _, tdb := range benchDBs(b, "joinery_cmp_bench") {
		seedWide(b, tdb.db, 2000, 3, 2)
		for _, shape := range []joinery.Shape{joinery.ShapeUnion, joinery.ShapeFlat} {
			q := joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Include("comments")).OrderBy("id").Shape(shape)
			for _, w := range []struct {
				name string
				db   joinery.Querier
			}{{"driver", tdb.db}, {"database-sql", hiddenDB{tdb.db}}} {
				b.Run(tdb.name+"/"+shape.String()+"/path="+w.name, func(b *testing.B) {
					b.ReportAllocs()
					for i := 0; i < b.N; i++ {
						users, err := q.All(context.Background(), w.db)
						if err != nil || len(users) != 2000 {
							b.Fatalf("%d users, %v", len(users), err)
						}
					}
				})
			}
		}
	}
}

// benchDBs opens the databases as openDBs does, for a benchmark.
func benchDBs(b *testing.B, isolate string) []testDB {
	b.Helper()
	open := func(driverName, dsn string) *sql.DB {
		db, err := sql.Open(driverName, dsn)
		if err == nil {
			err = db.Ping()
		}
		if err != nil {
			b.Fatalf("%s: %v", driverName, err)
		}
		b.Cleanup(func() { db.Close() })
		return db
	}
	out := []testDB{{"sqlite", dialects.SQLite, open("sqlite", "file:"+filepath.Join(b.TempDir(), "bench.db"))}}
	if dsn := os.Getenv("JOINERY_PG_DSN"); dsn != "" {
		mustExec(b, open("postgres", dsn), `DROP SCHEMA IF EXISTS `+isolate+` CASCADE`, `CREATE SCHEMA `+isolate)
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		out = append(out, testDB{"postgres", dialects.Postgres, open("postgres", dsn+sep+"search_path="+isolate)})
	}
	if dsn := os.Getenv("JOINERY_MYSQL_DSN"); dsn != "" {
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			b.Fatal(err)
		}
		mustExec(b, open("mysql", dsn), "DROP DATABASE IF EXISTS "+isolate, "CREATE DATABASE "+isolate)
		cfg.DBName, cfg.ParseTime = isolate, true
		out = append(out, testDB{"mysql", dialects.MySQL, open("mysql", cfg.FormatDSN())})
	}
	return out
}
