package joinery_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/go-sql-driver/mysql"
	"github.com/lib/pq"
	"modernc.org/sqlite"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

// Fault injection on every real database: errors from the server in the middle of a result,
// statement timeouts, cancellation, panics in callbacks. Each must surface as the driver's
// error (its code intact), give the connection back to the pool, and leave the connection
// it ran on usable and outside any transaction.

func init() {
	// joinery_sleep(ms) sleeps and returns 0: a slow row on SQLite, as pg_sleep and SLEEP are
	// on the servers. (Registered before any connection opens: modernc.org/sqlite adds its
	// functions to connections opened afterwards.)
	sqlite.MustRegisterScalarFunction("joinery_sleep", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		ms, _ := args[0].(int64)
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return int64(0), nil
	})
}

// --- what differs between the databases -------------------------------------------------

// failOn is a filter that holds for every row of the table it filters except the one whose
// id is k, where the database raises an error: an error that only a later row of a result
// meets.
//   - PostgreSQL: division by zero (SQLSTATE 22012).
//   - MariaDB/MySQL: a division by zero is a NULL and a warning in a SELECT, whatever the
//     sql_mode, so BIGINT overflow instead: id + (2^63-1 - k + 1) exceeds BIGINT from k on
//     (error 1690, SQLSTATE 22003), and k is the last id of the fixture's table.
//   - SQLite: abs() of the smallest integer is an "integer overflow" error (SQLITE_ERROR); id -
//     (2^63-1) - (k+1) is that integer for id k only (other ids overflow to a REAL, which abs
//     takes).
func failOn(tdb testDB, k int64) sq.Sqlizer {
	switch tdb.name {
	case "postgres":
		return sq.Expr("1 / ({{self}}.id - ?) IS NOT NULL", k)
	case "mysql":
		return sq.Expr("{{self}}.id + (9223372036854775807 - ? + 1) > 0", k)
	}
	return sq.Expr("abs({{self}}.id - 9223372036854775807 - ?) >= 0", k+1)
}

// failCode is the driver's code for failOn's error.
func failCode(tdb testDB) string {
	return map[string]string{"postgres": "22012", "mysql": "1690", "sqlite": "1"}[tdb.name]
}

// sleepRow is a filter that holds and takes ms milliseconds per row.
func sleepRow(tdb testDB, ms int) sq.Sqlizer {
	switch tdb.name {
	case "postgres":
		return sq.Expr(fmt.Sprintf("pg_sleep(%g) IS NOT NULL", float64(ms)/1000))
	case "mysql":
		return sq.Expr(fmt.Sprintf("SLEEP(%g) = 0", float64(ms)/1000))
	}
	return sq.Expr(fmt.Sprintf("joinery_sleep(%d) = 0", ms))
}

// dbCode is the code the driver's error carries (PostgreSQL's SQLSTATE, MySQL's error
// number, SQLite's result code), or "" when err is no driver error.
func dbCode(err error) string {
	var pe *pq.Error
	var me *mysql.MySQLError
	var se *sqlite.Error
	switch {
	case errors.As(err, &pe):
		return string(pe.Code)
	case errors.As(err, &me):
		return fmt.Sprint(me.Number)
	case errors.As(err, &se):
		return fmt.Sprint(se.Code())
	}
	return ""
}

// --- the checks after a fault --------------------------------------------------------------

// waitIdle waits (briefly: database/sql closes rows of an ended context on a goroutine of
// its own) until db has no connection in use beyond inUse.
func waitIdle(t *testing.T, db *sql.DB, inUse int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for db.Stats().InUse > inUse {
		if time.Now().After(deadline) {
			t.Fatalf("connections in use: %d, want %d", db.Stats().InUse, inUse)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// outsideTx is nil when the connection answers a query and is in no transaction.
func outsideTx(ctx context.Context, tdb testDB, conn *sql.Conn) error {
	switch tdb.name {
	case "postgres":
		var ok bool
		// no transaction id, and the transaction began with this statement
		if err := conn.QueryRowContext(ctx, `SELECT txid_current_if_assigned() IS NULL AND transaction_timestamp() = statement_timestamp()`).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return errors.New("the connection is inside a transaction")
		}
	case "mysql":
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT @@in_transaction`).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			return errors.New("the connection is inside a transaction")
		}
	default:
		// BEGIN fails inside a transaction
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			return err
		}
	}
	var one int
	return conn.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// fate is what a fault leaves of the connection it ran on.
type fate int

const (
	lives  fate = iota // usable, outside any transaction
	dies               // closed by its driver: database/sql reports driver.ErrBadConn, then sql.ErrConnDone
	either             // one or the other, as a race in the driver goes
)

// connAfter checks the connection a fault ran on: usable and outside a transaction, or
// gone the way database/sql reports a connection its driver closed, as f says. Then it
// closes it and checks that the pool has every connection back and a fresh one works.
func connAfter(t *testing.T, tdb testDB, conn *sql.Conn, f fate) {
	t.Helper()
	ctx := context.Background()
	err := outsideTx(ctx, tdb, conn)
	closed := errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone)
	switch {
	case f == lives && err != nil:
		t.Fatalf("the connection after the fault: %v", err)
	case f == dies && !closed:
		t.Fatalf("the connection after the fault: want it closed by the driver (driver.ErrBadConn), got %v", err)
	case f == either && err != nil && !closed:
		t.Fatalf("the connection after the fault: want it usable or closed by the driver, got %v", err)
	}
	conn.Close()
	waitIdle(t, tdb.db, 0)
	fresh, err := tdb.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if err := outsideTx(ctx, tdb, fresh); err != nil {
		t.Fatalf("a pooled connection after the fault: %v", err)
	}
}

// cancelFate is what a driver does with a connection whose query's context ends while the
// query runs (mid) or its rows are open (racing with their close, raceClose): lib/pq
// (watchCancel marks it bad and closes it) and go-sql-driver/mysql (its watcher closes the
// socket) close it; modernc.org/sqlite interrupts the statement and keeps the connection.
func cancelFate(tdb testDB, raceClose bool) fate {
	switch {
	case tdb.name == "sqlite":
		return lives
	case raceClose:
		return either
	}
	return dies
}

// --- the ways of running a query: the driver fast path and database/sql's -----------------

// way is a way of running a query: over a *sql.DB or a *sql.Conn, on the driver fast path
// or through database/sql (hidden: see hiddenDB).
type way struct {
	name string
	conn bool // runs on a *sql.Conn of its own
	wrap func(db *sql.DB, c *sql.Conn) joinery.Querier
}

var ways = []way{
	{"DB/driver", false, func(db *sql.DB, _ *sql.Conn) joinery.Querier { return db }},
	{"DB/database-sql", false, func(db *sql.DB, _ *sql.Conn) joinery.Querier { return hiddenDB{db} }},
	{"Conn/driver", true, func(_ *sql.DB, c *sql.Conn) joinery.Querier { return c }},
	{"Conn/database-sql", true, func(_ *sql.DB, c *sql.Conn) joinery.Querier { return hiddenConn{c} }},
}

// runWays runs fn once per way, on a connection of its own for the *sql.Conn ways, and
// checks afterwards that the connection (fateOf(way) says what should be left of it; nil:
// it lives) and the pool are as they should be.
func runWays(t *testing.T, tdb testDB, only func(way) bool, fateOf func(way) fate, fn func(t *testing.T, w way, q joinery.Querier, conn *sql.Conn)) {
	for _, w := range ways {
		if only != nil && !only(w) {
			continue
		}
		t.Run(w.name, func(t *testing.T) {
			ctx := context.Background()
			conn, err := tdb.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close() // (when the test fails first)
			var q joinery.Querier
			if w.conn {
				q = w.wrap(tdb.db, conn)
			} else {
				q = w.wrap(tdb.db, nil)
			}
			fn(t, w, q, conn)
			f := lives
			if fateOf != nil {
				f = fateOf(w)
			}
			if !w.conn {
				waitIdle(t, tdb.db, 1) // the pool's own, back; conn is still held
				f = lives
			}
			connAfter(t, tdb, conn, f)
		})
	}
}

func connOnly(w way) bool { return w.conn }

// --- item 5: a context that ends during the read stops it ----------------------------------

// seedWide replaces the blog fixture's rows with n users, each with posts posts, each with
// comments comments, text columns about 100 bytes wide.
func seedWide(t testing.TB, db *sql.DB, n, posts, comments int) {
	t.Helper()
	seedBlog(t, db)
	for i := len(blogTables) - 1; i >= 0; i-- {
		mustExec(t, db, "DELETE FROM "+blogTables[i])
	}
	mustExec(t, db, "CREATE INDEX comments_post_id ON comments (post_id)")
	pad := strings.Repeat("x", 100)
	values := func(col string, k int) string {
		var p []string
		for i := 0; i < k; i++ {
			p = append(p, fmt.Sprintf("SELECT %d AS %s", i, col))
		}
		return "(" + strings.Join(p, " UNION ALL ") + ")"
	}
	// 1..n (n < 100,000) without recursion (MariaDB caps recursive CTEs at 1,000 rows by
	// default)
	digits := values("d", 10)
	seq := fmt.Sprintf("(SELECT 1 + a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d AS n FROM %s a, %s b, %s c, %s e, %s f) s",
		digits, digits, digits, digits, values("d", (n-1)/10000+1))
	mustExec(t, db,
		fmt.Sprintf("INSERT INTO users (id, name, email) SELECT n, CONCAT('user', n, '%s'), NULL FROM %s WHERE n <= %d", pad, seq, n),
		fmt.Sprintf("INSERT INTO posts (id, user_id, title, published) SELECT n*10+k, n, CONCAT('post', n, '%s'), TRUE FROM %s CROSS JOIN %s ks WHERE n <= %d",
			pad, seq, values("k", posts), n),
		fmt.Sprintf("INSERT INTO comments (id, post_id, author_id, body) SELECT (n*10+k)*10+j, n*10+k, n, CONCAT('comment', n, '%s') FROM %s CROSS JOIN %s ks CROSS JOIN %s js WHERE n <= %d",
			pad, seq, values("k", posts), values("j", comments), n))
}

// All over a *sql.DB or *sql.Conn (the driver fast path) stops reading when its context's
// deadline passes, as database/sql's rows do: the error is the context's, it comes soon
// after the deadline instead of after the whole read, and the connection goes back.
func TestDeadlineDuringRead(t *testing.T) {
	s := blogSchema(t)
	const roots = 20000
	const deadline = 50 * time.Millisecond
	for _, tdb := range openDBs(t, "joinery_faults_read") {
		t.Run(tdb.name, func(t *testing.T) {
			// a read that takes well over the deadline: on SQLite, which runs in the test
			// (and under -race much slower), fewer children will do
			posts, comments := 3, 2
			if tdb.name == "sqlite" {
				posts, comments = 2, 1
			}
			start := time.Now()
			seedWide(t, tdb.db, roots, posts, comments)
			t.Logf("seeded in %v", time.Since(start))
			// the UNION ALL reads its rows without a sort: the rows must stop; a flat JOIN
			// sorts in its first step, which the servers and modernc.org/sqlite interrupt
			// themselves (on SQLite under -race, too slow a read to wait for once more)
			shapes := []joinery.Shape{joinery.ShapeUnion, joinery.ShapeFlat}
			if tdb.name == "sqlite" {
				shapes = shapes[:1]
			}
			for _, shape := range shapes {
				t.Run(shape.String(), func(t *testing.T) {
					q := joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Include("comments")).OrderBy("id").Shape(shape)
					start := time.Now()
					all, err := q.All(context.Background(), tdb.db)
					full := time.Since(start)
					if err != nil || len(all) != roots || len(all[roots-1].Posts) != posts || len(all[roots-1].Posts[posts-1].Comments) != comments {
						t.Fatalf("the whole read: %d roots, %v", len(all), err)
					}
					// the deadline falls in the first quarter of the read (a fast machine reads
					// these rows in less than 4 x 50 ms)
					d := min(deadline, full/4)
					if d < 5*time.Millisecond {
						t.Fatalf("the whole read takes %v: too quick to show a deadline", full)
					}
					runWays(t, tdb, nil, func(way) fate { return cancelFate(tdb, false) }, func(t *testing.T, w way, db joinery.Querier, _ *sql.Conn) {
						ctx, cancel := context.WithTimeout(context.Background(), d)
						defer cancel()
						start := time.Now()
						got, err := q.All(ctx, db)
						took := time.Since(start)
						if !errors.Is(err, context.DeadlineExceeded) || got != nil {
							t.Fatalf("want context.DeadlineExceeded and no roots, got %d roots, %v", len(got), err)
						}
						// PostgreSQL's report of the cancellation, when it came first, is kept
						if code := dbCode(err); code != "" && code != "57014" {
							t.Fatalf("a driver error other than the cancellation's: %v", err)
						}
						if took > full/2 {
							t.Fatalf("stopped after %v; the whole read takes %v", took, full)
						}
						t.Logf("stopped after %v (whole read %v): %v", took, full, err)
					})
				})
			}
		})
	}
}

// --- item: faults on every database ---------------------------------------------------------

// panicName is a column type whose Scan panics on the value "boom".
type panicName string

func (p *panicName) Scan(v any) error {
	s := fmt.Sprint(v)
	if b, ok := v.([]byte); ok {
		s = string(b)
	}
	if s == "boom" {
		panic("panicName: boom")
	}
	*p = panicName(s)
	return nil
}

type PanicUser struct {
	ID   int64     `db:"id"`
	Name panicName `db:"name"`
}

func TestFaults(t *testing.T) {
	s := blogSchema(t)
	ps := include.NewSchema()
	if _, err := ps.Define(PanicUser{}, "users"); err != nil {
		t.Fatal(err)
	}
	for _, tdb := range openDBs(t, "joinery_faults") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			users := joinery.Query[User](s, tdb.dialect).OrderBy("id")

			// An error that only a later row meets (post 12, after posts 10 and 11; user 3
			// after users 1 and 2) surfaces with the database's code, from All (through the
			// UNION ALL, whose include branch comes after the roots) and from Each, and
			// leaves the connection usable.
			t.Run("mid-stream error", func(t *testing.T) {
				all := users.Include(include.New("posts").Where(failOn(tdb, 12)))
				// the statement does send rows before the error: the error is mid-stream
				sqlText, args, err := all.ToSql()
				if err != nil {
					t.Fatal(err)
				}
				if n, err := rowsBeforeError(tdb.db, sqlText, args); n == 0 || dbCode(err) != failCode(tdb) {
					t.Fatalf("the statement sends %d rows, then %v; want rows, then code %s", n, err, failCode(tdb))
				}
				runWays(t, tdb, nil, nil, func(t *testing.T, _ way, db joinery.Querier, _ *sql.Conn) {
					got, err := all.All(context.Background(), db)
					if got != nil || dbCode(err) != failCode(tdb) {
						t.Fatalf("All: want the database's error %s, got %v, %v", failCode(tdb), got, err)
					}
					var roots int
					err = users.Where(failOn(tdb, 3)).Each(context.Background(), db, func(User) error { roots++; return nil })
					if dbCode(err) != failCode(tdb) {
						t.Fatalf("Each: want the database's error %s, got %v after %d roots", failCode(tdb), err, roots)
					}
				})
			})

			// A statement timeout set on the session: PostgreSQL's statement_timeout (SQLSTATE
			// 57014), MariaDB's max_statement_time (error 1969), and on SQLite, which has
			// none, the context's deadline, which interrupts the statement.
			t.Run("statement timeout", func(t *testing.T) {
				slow := users.Include("posts").Where(sleepRow(tdb, 300))
				runWays(t, tdb, connOnly, nil, func(t *testing.T, _ way, db joinery.Querier, conn *sql.Conn) {
					ctx := context.Background()
					set, reset, code := "", "", ""
					switch tdb.name {
					case "postgres":
						set, reset, code = "SET statement_timeout = 100", "RESET statement_timeout", "57014"
					case "mysql":
						set, reset, code = "SET SESSION max_statement_time = 0.1", "SET SESSION max_statement_time = 0", "1969"
					default:
						var cancel context.CancelFunc
						ctx, cancel = context.WithTimeout(ctx, 100*time.Millisecond)
						defer cancel()
					}
					if set != "" {
						if _, err := conn.ExecContext(ctx, set); err != nil {
							t.Fatal(err)
						}
						defer func() {
							if _, err := conn.ExecContext(context.Background(), reset); err != nil {
								t.Fatal(err)
							}
						}()
					}
					start := time.Now()
					got, err := slow.All(ctx, db)
					if code == "" && !errors.Is(err, context.DeadlineExceeded) || code != "" && dbCode(err) != code || got != nil {
						t.Fatalf("want the timeout's error (%q), got %v, %v", code, got, err)
					}
					if took := time.Since(start); took > 700*time.Millisecond {
						t.Fatalf("the timeout of 100ms stopped a 900ms statement after %v", took)
					}
				})
			})

			// Cancelling while the server runs the statement: the error matches
			// context.Canceled (and carries PostgreSQL's 57014 when the server's report came
			// first). lib/pq and go-sql-driver/mysql close the connection whose query is
			// cancelled; database/sql then drops it from the pool.
			t.Run("cancel during All", func(t *testing.T) {
				slow := users.Include("posts").Where(sleepRow(tdb, 200))
				runWays(t, tdb, nil, func(way) fate { return cancelFate(tdb, false) }, func(t *testing.T, _ way, db joinery.Querier, _ *sql.Conn) {
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					time.AfterFunc(100*time.Millisecond, cancel)
					got, err := slow.All(ctx, db)
					if !errors.Is(err, context.Canceled) || got != nil {
						t.Fatalf("want context.Canceled, got %v, %v", got, err)
					}
					if code := dbCode(err); code != "" && code != "57014" {
						t.Fatalf("a driver error other than the cancellation's: %v", err)
					}
				})
			})

			// Cancelling from Each's callback after the first root: no further root, the
			// context's error. The rows are still open when the context ends, so lib/pq and
			// go-sql-driver/mysql may close the connection, as their watcher and the rows'
			// close race.
			t.Run("cancel in Each", func(t *testing.T) {
				runWays(t, tdb, nil, func(way) fate { return cancelFate(tdb, true) }, func(t *testing.T, _ way, db joinery.Querier, _ *sql.Conn) {
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					var got []int64
					err := users.Include("posts").Each(ctx, db, func(u User) error {
						got = append(got, u.ID)
						cancel()
						return nil
					})
					if !errors.Is(err, context.Canceled) || len(got) != 1 || got[0] != 1 {
						t.Fatalf("want context.Canceled after the first root, got %v after %v", err, got)
					}
				})
			})

			// Breaking out of Iter: no error, the rows are closed and the connection is fine.
			t.Run("break out of Iter", func(t *testing.T) {
				runWays(t, tdb, nil, nil, func(t *testing.T, _ way, db joinery.Querier, _ *sql.Conn) {
					var got []int64
					for u, err := range users.Include("posts").Iter(context.Background(), db) {
						if err != nil {
							t.Fatal(err)
						}
						if got = append(got, u.ID); len(got) == 2 {
							break
						}
					}
					if len(got) != 2 || got[1] != 2 {
						t.Fatalf("got %v", got)
					}
				})
			})

			// A panic in Each's callback propagates as a panic; the rows are closed on the
			// way out, so the connection goes back to the pool (or stays with its *sql.Conn)
			// and works.
			t.Run("panic in Each", func(t *testing.T) {
				runWays(t, tdb, nil, nil, func(t *testing.T, _ way, db joinery.Querier, _ *sql.Conn) {
					p := catch(func() {
						_ = users.Include("posts").Each(context.Background(), db, func(User) error { panic("callback: boom") })
					})
					if p != "callback: boom" {
						t.Fatalf("want the callback's panic, got %v", p)
					}
				})
			})

			// A panic while All folds (a column type whose Scan panics) propagates too; the
			// rows are closed on the way out and the connection stays, on every way (no
			// adapter is registered for these drivers, so none crosses sql.Conn.Raw, which
			// would discard the connection).
			t.Run("panic in All", func(t *testing.T) {
				mustExec(t, tdb.db, "UPDATE users SET name = 'boom' WHERE id = 2")
				defer mustExec(t, tdb.db, "UPDATE users SET name = 'bob' WHERE id = 2")
				q := joinery.Query[PanicUser](ps, tdb.dialect).OrderBy("id")
				runWays(t, tdb, nil, nil, func(t *testing.T, _ way, db joinery.Querier, _ *sql.Conn) {
					p := catch(func() { _, _ = q.All(context.Background(), db) })
					if p != "panicName: boom" {
						t.Fatalf("want the Scan's panic, got %v", p)
					}
				})
			})

			// A pipeline over database/sql runs its statements one after another; a context
			// cancelled between two of them (here: as the first statement's rows close)
			// stops it before the next statement is sent, with the context's error. The
			// driver never sees a cancelled query, so even lib/pq keeps the connection.
			t.Run("cancel between pipeline statements", func(t *testing.T) {
				hdb := openHooked(t, tdb)
				htdb := tdb
				htdb.db = hdb
				q := users.Include("posts", "profile", include.New("projects")).Shape(joinery.ShapePipeline)
				p, err := q.Plan()
				if err != nil || len(p.Statements) < 3 {
					t.Fatalf("want a pipeline of 3 statements or more, got %v", err)
				}
				runWays(t, htdb, nil, nil, func(t *testing.T, _ way, db joinery.Querier, _ *sql.Conn) {
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					h := &queryHook{onClose: func(n int) {
						if n == 1 {
							cancel()
						}
					}}
					got, err := q.All(context.WithValue(ctx, queryHookKey{}, h), db)
					if !errors.Is(err, context.Canceled) || got != nil {
						t.Fatalf("want context.Canceled, got %v, %v", got, err)
					}
					if sent := h.sent(); len(sent) != 1 || sent[0] != p.Statements[0].SQL {
						t.Fatalf("statements sent: %d, want only the first", len(sent))
					}
				})
			})
		})
	}
}

// catch runs fn and returns what it panicked with.
func catch(fn func()) (p any) {
	defer func() { p = recover() }()
	fn()
	return nil
}

// rowsBeforeError runs a statement through database/sql and counts the rows it returns
// before its error.
func rowsBeforeError(db *sql.DB, sqlText string, args []any) (int, error) {
	rows, err := db.Query(sqlText, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// --- a driver that reports the statements it runs ---------------------------------------

// queryHook, put in a query's context, sees the statements a hooked connection runs:
// their text as they are sent, and onClose(n) once the rows of the n-th have closed.
type queryHook struct {
	mu      sync.Mutex
	texts   []string
	onClose func(n int)
}

type queryHookKey struct{}

func (h *queryHook) sent() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.texts...)
}

// openHooked opens the database of tdb again through a driver that wraps its own and
// calls the queryHook of each query's context. It has what openDBs gave tdb: the same
// PostgreSQL schema or MySQL database; on SQLite, a new file with the blog fixture.
func openHooked(t *testing.T, tdb testDB) *sql.DB {
	t.Helper()
	name := "joinery_hook_" + tdb.name
	hookOnce[tdb.name].Do(func() { sql.Register(name, hookDriver{tdb.db.Driver()}) })
	var dsn string
	switch tdb.name {
	case "postgres":
		dsn = os.Getenv("JOINERY_PG_DSN")
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "search_path=joinery_faults"
	case "mysql":
		cfg, err := mysql.ParseDSN(os.Getenv("JOINERY_MYSQL_DSN"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.DBName, cfg.ParseTime = "joinery_faults", true
		dsn = cfg.FormatDSN()
	default:
		dsn = "file:" + filepath.Join(t.TempDir(), "hooked.db") + "?_pragma=foreign_keys(1)"
	}
	db, err := sql.Open(name, dsn)
	if err == nil {
		err = db.Ping()
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if tdb.name == "sqlite" {
		seedBlog(t, db)
	}
	return db
}

var hookOnce = map[string]*sync.Once{"sqlite": {}, "postgres": {}, "mysql": {}}

type hookDriver struct{ driver.Driver }

func (d hookDriver) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return hookConn{c}, nil
}

// hookConn passes everything to the driver's connection, and hooks the rows of its queries.
type hookConn struct{ driver.Conn }

func (c hookConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	h, _ := ctx.Value(queryHookKey{}).(*queryHook)
	n := 0
	if h != nil {
		h.mu.Lock()
		h.texts = append(h.texts, query)
		n = len(h.texts)
		h.mu.Unlock()
	}
	r, err := qc.QueryContext(ctx, query, args)
	if err != nil || h == nil {
		return r, err
	}
	return &hookRows{Rows: r, close: func() { h.onClose(n) }}, nil
}

func (c hookConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if ec, ok := c.Conn.(driver.ExecerContext); ok {
		return ec.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

// PrepareContext is not hooked: the hooked queries take no arguments, so go-sql-driver/mysql
// runs them without preparing.
func (c hookConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if pc, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return pc.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c hookConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if bc, ok := c.Conn.(driver.ConnBeginTx); ok {
		return bc.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // (the driver has no BeginTx)
}

func (c hookConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (c hookConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c hookConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type hookRows struct {
	driver.Rows
	close func()
	done  bool
}

func (r *hookRows) Close() error {
	err := r.Rows.Close()
	if !r.done {
		r.done = true
		r.close()
	}
	return err
}
