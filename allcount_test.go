package joinery_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/joinerytest"
)

// allCountCase is a query whose AllAndCount is compared with All and Count run separately.
type allCountCase struct {
	name  string
	q     func(s *include.Schema, d dialects.Dialect) joinery.Q[User]
	count int64 // the roots the query matches, Limit and Offset aside
	page  int   // the roots of the page
}

var allCountCases = []allCountCase{
	{"page of roots with to-many includes", func(s *include.Schema, d dialects.Dialect) joinery.Q[User] {
		return joinery.Query[User](s, d).
			Include(include.New("posts").Order("id").Include("comments", "tags"), "projects", "profile").
			OrderBy("name DESC").Limit(2).Offset(1)
	}, 3, 2},
	{"offset past the end", func(s *include.Schema, d dialects.Dialect) joinery.Q[User] {
		return joinery.Query[User](s, d).Include("posts").OrderBy("id").Limit(2).Offset(5)
	}, 3, 0},
	{"required include with a filter", func(s *include.Schema, d dialects.Dialect) joinery.Q[User] {
		return joinery.Query[User](s, d).
			Include(include.New("posts").Required().Where(sq.Eq{"published": true}).Include("comments")).
			OrderBy("id").Limit(1).Offset(1)
	}, 2, 1},
	{"required belongsToMany under a required include", func(s *include.Schema, d dialects.Dialect) joinery.Q[User] {
		return joinery.Query[User](s, d).
			Include(include.New("posts").Required().Include(include.New("tags").Required().ThroughWhere(sq.Eq{"added_by": "bob"}))).
			OrderBy("id").Limit(5)
	}, 1, 1},
	{"root filter, optional filtered include", func(s *include.Schema, d dialects.Dialect) joinery.Q[User] {
		return joinery.Query[User](s, d).Where(sq.NotEq{"name": "bob"}).
			Include(include.New("posts").Where(sq.Eq{"published": false})).
			OrderBy("name").Limit(1)
	}, 2, 1},
	{"computed value: filtered, ordered and paged by it", func(s *include.Schema, d dialects.Dialect) joinery.Q[User] {
		return joinery.Query[User](s, d).
			Compute(include.Count("posts").As("post_count")).
			Where(sq.GtOrEq{"post_count": 1}).
			Include(include.New("posts").Compute(include.Count("comments").As("comment_count")).Order("comment_count DESC", "id")).
			OrderBy("post_count DESC", "id").Limit(1).Offset(1)
	}, 2, 1},
	{"page size bound per run", func(s *include.Schema, d dialects.Dialect) joinery.Q[User] {
		return joinery.Query[User](s, d).Where(sq.Eq{"id": []int64{1, 2, 3}}).Include("posts.tags").
			OrderBy("id").LimitParam("n").OffsetParam("skip").
			Bind(map[string]any{"n": 2, "skip": 1})
	}, 3, 2},
}

// AllAndCount returns what All and Count return run separately, on every database, in every
// shape, over a *sql.DB (its own read-only transaction), a caller's *sql.Tx (which stays
// open) and a *sql.Conn.
func TestAllAndCount(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()
	for _, tdb := range openDBs(t, "jr_allcount") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			for _, c := range allCountCases {
				for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
					q := c.q(s, tdb.dialect).Shape(shape)
					if p, err := q.Plan(); err != nil || (shape != joinery.ShapeAuto && p.Shape != shape) {
						t.Fatalf("%s %v: planned %v (%v)", c.name, shape, p, err)
					}
					want, err := q.All(ctx, tdb.db)
					if err != nil {
						t.Fatalf("%s %v: All: %v", c.name, shape, err)
					}
					wantN, err := q.Count(ctx, tdb.db)
					if err != nil {
						t.Fatalf("%s %v: Count: %v", c.name, shape, err)
					}
					if wantN != c.count || len(want) != c.page {
						t.Fatalf("%s %v: the fixture gives %d roots (page of %d), want %d (page of %d)", c.name, shape, wantN, len(want), c.count, c.page)
					}
					check := func(how string, got []User, n int64, err error) {
						t.Helper()
						if err != nil {
							t.Fatalf("%s %v over %s: %v", c.name, shape, how, err)
						}
						if n != wantN || !reflect.DeepEqual(got, want) {
							t.Fatalf("%s %v over %s: count %d, want %d\n got %+v\nwant %+v", c.name, shape, how, n, wantN, got, want)
						}
					}
					got, n, err := q.AllAndCount(ctx, tdb.db)
					check("*sql.DB", got, n, err)

					tx, err := tdb.db.BeginTx(ctx, nil)
					if err != nil {
						t.Fatal(err)
					}
					got, n, err = q.AllAndCount(ctx, tx)
					check("*sql.Tx", got, n, err)
					if err := tx.Rollback(); err != nil {
						t.Fatalf("the caller's transaction was ended: %v", err)
					}

					conn, err := tdb.db.Conn(ctx)
					if err != nil {
						t.Fatal(err)
					}
					got, n, err = q.AllAndCount(ctx, conn)
					conn.Close()
					check("*sql.Conn", got, n, err)
				}
			}
		})
	}
}

// The page and the count see one snapshot in a REPEATABLE READ transaction: a row another
// connection commits between the two statements is in neither. Outside a transaction
// (a Querier that is not a pool) it is in the page and not in the count: why AllAndCount
// begins one over a *sql.DB. Over a *sql.DB the statements run in that transaction: on
// PostgreSQL the page reports the transaction's level and read-only mode.
func TestAllAndCountSnapshot(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()
	for _, tdb := range openDBs(t, "jr_allcount_snap") {
		t.Run(tdb.name, func(t *testing.T) {
			q := joinery.Query[User](s, tdb.dialect).Include("posts").OrderBy("id")
			insert := func() { mustExec(t, tdb.db, `INSERT INTO users (id, name, email) VALUES (9, 'zoe', NULL)`) }

			// no transaction: the second statement sees the insert
			seedBlog(t, tdb.db)
			got, n, err := q.AllAndCount(ctx, &between{Querier: tdb.db, before: insert})
			if err != nil {
				t.Fatal(err)
			}
			if n != 3 || len(got) != 4 {
				t.Fatalf("without a transaction: count %d, %d roots; want 3 and 4 (the insert in between)", n, len(got))
			}

			if tdb.name != "sqlite" { // (SQLite: a writer waits for the transaction's reader)
				seedBlog(t, tdb.db)
				tx, err := tdb.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				got, n, err = q.AllAndCount(ctx, &between{Querier: tx, before: insert})
				tx.Rollback()
				if err != nil {
					t.Fatal(err)
				}
				if n != 3 || len(got) != 3 {
					t.Fatalf("in a REPEATABLE READ transaction: count %d, %d roots; want 3 and 3", n, len(got))
				}
			}

			if tdb.name == "postgres" {
				type txUser struct {
					ID       int64  `db:"id"`
					Level    string `joinery:"computed:level"`
					ReadOnly string `joinery:"computed:read_only"`
				}
				ts := include.NewSchema()
				ts.Define(txUser{}, "users")
				q := joinery.Query[txUser](ts, tdb.dialect).Compute(
					include.Expr("current_setting('transaction_isolation')").As("level"),
					include.Expr("current_setting('transaction_read_only')").As("read_only"),
				).OrderBy("id").Limit(1)
				got, n, err := q.AllAndCount(ctx, tdb.db)
				if err != nil || n == 0 || len(got) != 1 {
					t.Fatalf("%v %d %+v", err, n, got)
				}
				if got[0].Level != "repeatable read" || got[0].ReadOnly != "on" {
					t.Fatalf("the page ran in %q, read only %q", got[0].Level, got[0].ReadOnly)
				}
			}
		})
	}
}

// between is a Querier that calls before once, before its second statement.
type between struct {
	joinery.Querier
	before func()
	calls  int
}

func (b *between) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if b.calls++; b.calls == 2 {
		b.before()
	}
	return b.Querier.QueryContext(ctx, query, args...)
}

// The exact statements over sqlmock: BEGIN, the count, the page, COMMIT (joinerytest's
// ExpectAllAndCount), in every shape; an error in the count or the page rolls the
// transaction back; a caller's transaction is neither begun nor committed.
func TestAllAndCountSQLMock(t *testing.T) {
	s := blogSchema(t)
	ctx := context.Background()
	email := "a@example.com"
	want := []User{{ID: 1, Name: "alice", Email: &email, Posts: []Post{{ID: 10, UserID: 1, Title: "hello", Published: true}}}}
	for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
		q := joinery.Query[User](s, dialects.Postgres).Where(sq.Eq{"name": "alice"}).
			Include(include.New("posts").Where(sq.Eq{"published": true})).OrderBy("id").Limit(1).Offset(0).Shape(shape)
		t.Run(shape.String(), func(t *testing.T) {
			db, mock := newMock(t)
			if _, err := joinerytest.ExpectAllAndCount(mock, q, want, 7); err != nil {
				t.Fatal(err)
			}
			got, n, err := q.AllAndCount(ctx, db)
			if err != nil || n != 7 || !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v %d %v", got, n, err)
			}
		})
	}

	q := joinery.Query[User](s, dialects.Postgres).Where(sq.Eq{"name": "alice"})
	countSQL, countArgs, err := q.CountSql()
	if err != nil {
		t.Fatal(err)
	}
	if countSQL != `SELECT COUNT(*) FROM "users" AS "t0" WHERE "t0"."name" = $1` || !reflect.DeepEqual(countArgs, []any{"alice"}) {
		t.Fatalf("count statement %s %v", countSQL, countArgs)
	}
	t.Run("by hand", func(t *testing.T) {
		db, mock := newMock(t)
		q := q.Include(include.New("posts").Where(sq.Eq{"published": true})).OrderBy("id").Limit(1).Shape(joinery.ShapeFlat)
		mock.ExpectBegin()
		mock.ExpectQuery(`SELECT COUNT(*) FROM "users" AS "t0" WHERE "t0"."name" = $1`).WithArgs("alice").
			WillReturnRows(sqlmock.NewRows([]string{"count"}).AddRow(int64(7)))
		mock.ExpectQuery(`SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6" `+
			`FROM (SELECT "t0"."id", "t0"."name", "t0"."email" FROM "users" AS "t0" WHERE "t0"."name" = $1 ORDER BY "t0"."id" LIMIT $2) AS "t0" `+
			`LEFT JOIN "posts" AS "t1" ON "t1"."user_id" = "t0"."id" AND "t1"."published" = $3 ORDER BY "t0"."id"`).
			WithArgs("alice", int64(1), true).
			WillReturnRows(sqlmock.NewRows([]string{"c0", "c1", "c2", "c3", "c4", "c5", "c6"}).AddRow(1, "alice", email, 10, 1, "hello", true))
		mock.ExpectCommit()
		got, n, err := q.AllAndCount(ctx, db)
		if err != nil || n != 7 || !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v %d %v", got, n, err)
		}
	})
	boom := errors.New("boom")
	t.Run("count fails", func(t *testing.T) {
		db, mock := newMock(t)
		mock.ExpectBegin()
		mock.ExpectQuery(countSQL).WithArgs("alice").WillReturnError(boom)
		mock.ExpectRollback()
		if _, _, err := q.AllAndCount(ctx, db); !errors.Is(err, boom) {
			t.Fatalf("want boom, got %v", err)
		}
	})
	t.Run("page fails", func(t *testing.T) {
		db, mock := newMock(t)
		sts, err := joinerytest.AllAndCountStatements(q, nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		mock.ExpectBegin()
		sts[0].Expect(mock)
		mock.ExpectQuery(sts[1].SQL).WithArgs(sts[1].Args...).WillReturnError(boom)
		mock.ExpectRollback()
		if _, _, err := q.AllAndCount(ctx, db); !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "joinery: ") {
			t.Fatalf("want boom, got %v", err)
		}
	})
	t.Run("begin fails", func(t *testing.T) {
		db, mock := newMock(t)
		mock.ExpectBegin().WillReturnError(boom)
		if _, _, err := q.AllAndCount(ctx, db); !errors.Is(err, boom) || !strings.Contains(err.Error(), "READ ONLY transaction") {
			t.Fatalf("want boom, got %v", err)
		}
	})
	t.Run("commit fails", func(t *testing.T) {
		db, mock := newMock(t)
		sts, err := joinerytest.AllAndCountStatements(q, want, 1)
		if err != nil {
			t.Fatal(err)
		}
		mock.ExpectBegin()
		for _, st := range sts {
			st.Expect(mock)
		}
		mock.ExpectCommit().WillReturnError(boom)
		if _, _, err := q.AllAndCount(ctx, db); !errors.Is(err, boom) {
			t.Fatalf("want boom, got %v", err)
		}
	})
	t.Run("caller's transaction", func(t *testing.T) {
		db, mock := newMock(t)
		sts, err := joinerytest.AllAndCountStatements(q, want, 1)
		if err != nil {
			t.Fatal(err)
		}
		mock.ExpectBegin()
		for _, st := range sts {
			st.Expect(mock)
		}
		mock.ExpectCommit()
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		got, n, err := q.AllAndCount(ctx, tx)
		if err != nil || n != 1 || len(got) != 1 || got[0].Name != "alice" {
			t.Fatalf("got %+v %d %v", got, n, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	})
}

// Bad input: an error, no statement, no transaction.
func TestAllAndCountErrors(t *testing.T) {
	s := blogSchema(t)
	db, _ := newMock(t) // no expectation: nothing may be sent
	ctx := context.Background()
	if _, _, err := joinery.Query[User](s, dialects.Postgres).Include("nope").AllAndCount(ctx, db); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("unknown include: %v", err)
	}
	q := joinery.Query[User](s, dialects.Postgres)
	if _, _, err := q.AllAndCount(ctx, (*sql.DB)(nil)); err == nil || !strings.Contains(err.Error(), "AllAndCount: nil Querier") {
		t.Fatalf("nil db: %v", err)
	}
	//lint:ignore SA1012 a nil context is the bad input tested
	if _, _, err := q.AllAndCount(nil, db); err == nil || !strings.Contains(err.Error(), "nil context") { //nolint:staticcheck
		t.Fatalf("nil context: %v", err)
	}
}

// BenchmarkAllAndCount: what the read-only transaction costs. A page of 20 users with their
// posts and comments out of 2,000, and their count, by AllAndCount over a *sql.DB (BEGIN
// REPEATABLE READ READ ONLY, the count, the page, COMMIT) and over the same *sql.DB hidden in
// a wrapper (the count and the page, no transaction, no snapshot), in the default shape.
//
//	go test -run '^$' -bench BenchmarkAllAndCount -benchmem .
func BenchmarkAllAndCount(b *testing.B) {
	s := blogSchema(b)
	for _, tdb := range benchDBs(b, "joinery_allcount_bench") {
		seedWide(b, tdb.db, 2000, 3, 2)
		q := joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Include("comments")).OrderBy("id").Limit(20).Offset(100)
		for _, w := range []struct {
			name string
			db   joinery.Querier
		}{{"tx", tdb.db}, {"no-tx", hiddenDB{tdb.db}}} {
			b.Run(tdb.name+"/"+w.name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					users, n, err := q.AllAndCount(context.Background(), w.db)
					if err != nil || len(users) != 20 || n != 2000 {
						b.Fatalf("%d users of %d, %v", len(users), n, err)
					}
				}
			})
		}
	}
}
