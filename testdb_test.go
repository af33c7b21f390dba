package joinery_test

import (
	"database/sql"
	"sync"
	"testing"

	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/testdbs"
)

type testDB struct {
	name    string
	dialect dialects.Dialect
	db      *sql.DB
}

// openDBs opens every database the tests are asked to use: SQLite always; PostgreSQL and
// MySQL/MariaDB when JOINERY_PG_DSN / JOINERY_MYSQL_DSN are set. A database that is asked for
// and cannot be reached fails the test. Each gets its own schema (PostgreSQL) or database
// (MySQL) named after isolate, so test packages do not step on each other.
func openDBs(t *testing.T, isolate string) []testDB {
	t.Helper()
	var out []testDB
	for _, d := range testdbs.Open(t, isolate, testdbs.Options{SQLite: "_pragma=foreign_keys(1)"}) {
		out = append(out, testDB{d.Name, d.Dialect, d.DB})
		dialectOf.Store(d.DB, d.Dialect)
	}
	return out
}

func mustExec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	testdbs.Exec(t, db, stmts...)
}

// suite is a fixture (schema, tables, rows) with the scenarios that run on it.
type suite struct {
	name      string
	schema    func(testing.TB, ...include.SchemaOption) *include.Schema
	ddl       []string
	data      []string
	tables    []string
	scenarios []scenario
}

var suites = []suite{
	{"blog", blogSchema, blogDDL, blogData, blogTables, scenarios},
	{"scopes", scopesSchema, scopesDDL, scopesData, scopesTables, scopesScenarios},
}

// seed (re)creates the suite's tables, from the suite's declarations (package ddl) on the
// databases openDBs opened and from its hand-written DDL otherwise, and its rows.
func (s suite) seed(t testing.TB, db *sql.DB) {
	t.Helper()
	for i := len(s.tables) - 1; i >= 0; i-- {
		mustExec(t, db, "DROP TABLE IF EXISTS "+s.tables[i])
	}
	if d, ok := dialectOf.Load(db); ok {
		stmts, err := ddl.Statements(s.schema(t), d.(dialects.Dialect))
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, stmts...)
	} else {
		mustExec(t, db, s.ddl...)
	}
	mustExec(t, db, s.data...)
}

// dialectOf is the dialect of each *sql.DB openDBs opened.
var dialectOf sync.Map

// seedBlog creates the blog fixture's tables and rows.
func seedBlog(t testing.TB, db *sql.DB) { suites[0].seed(t, db) }
