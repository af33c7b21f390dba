package joinery_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
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
	path := filepath.Join(t.TempDir(), "joinery.db")
	sdb, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatalf("sqlite: %v", err)
	}
	t.Cleanup(func() { sdb.Close() })
	out = append(out, testDB{"sqlite", dialects.SQLite, sdb})
	dialectOf.Store(sdb, dialects.SQLite)

	if dsn := os.Getenv("JOINERY_PG_DSN"); dsn != "" {
		db, err := sql.Open("postgres", dsn)
		if err == nil {
			err = db.Ping()
		}
		if err != nil {
			t.Fatalf("JOINERY_PG_DSN is set but PostgreSQL is unreachable: %v", err)
		}
		mustExec(t, db, `DROP SCHEMA IF EXISTS `+isolate+` CASCADE`)
		mustExec(t, db, `CREATE SCHEMA `+isolate)
		db.Close()
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		db, err = sql.Open("postgres", dsn+sep+"search_path="+isolate)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out = append(out, testDB{"postgres", dialects.Postgres, db})
		dialectOf.Store(db, dialects.Postgres)
	}
	if dsn := os.Getenv("JOINERY_MYSQL_DSN"); dsn != "" {
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatalf("JOINERY_MYSQL_DSN: %v", err)
		}
		db, err := sql.Open("mysql", dsn)
		if err == nil {
			err = db.Ping()
		}
		if err != nil {
			t.Fatalf("JOINERY_MYSQL_DSN is set but MySQL/MariaDB is unreachable: %v", err)
		}
		mustExec(t, db, "DROP DATABASE IF EXISTS "+isolate)
		mustExec(t, db, "CREATE DATABASE "+isolate)
		db.Close()
		cfg.DBName = isolate
		cfg.ParseTime = true
		db, err = sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out = append(out, testDB{"mysql", dialects.MySQL, db})
		dialectOf.Store(db, dialects.MySQL)
	}
	return out
}

func mustExec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
}

// suite is a fixture (schema, tables, rows) with the scenarios that run on it.
type suite struct {
	name      string
	schema    func(testing.TB) *include.Schema
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
