// Package testdbs opens the databases joinery's test packages run against: SQLite always
// (modernc.org/sqlite, a file in the test's temporary directory), PostgreSQL and
// MySQL/MariaDB when JOINERY_PG_DSN / JOINERY_MYSQL_DSN are set, and a Citus cluster when
// JOINERY_CITUS_DSN is set and the test asks for it (Citus, Options.Citus, Distribute). A database that is asked
// for and cannot be reached fails the test; it is never skipped. Each test package works in
// a PostgreSQL schema and a MySQL database of its own (isolate), dropped and created anew.
package testdbs

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	_ "github.com/lib/pq"  // PostgreSQL
	_ "modernc.org/sqlite" // SQLite

	"github.com/joinery/joinery/dialects"
)

// DB is one opened database.
type DB struct {
	Name    string // "sqlite", "postgres", "mysql", "citus"
	Dialect dialects.Dialect
	DB      *sql.DB
}

// Options are what a test package needs beyond the defaults.
type Options struct {
	// SQLite is the query string of the SQLite file DSN ("_pragma=foreign_keys(1)").
	SQLite string
	// PostgresParams are appended to the PostgreSQL DSN after search_path ("timezone=UTC").
	PostgresParams string
	// MySQLCreate follows CREATE DATABASE <isolate> ("CHARACTER SET utf8mb4 ...").
	MySQLCreate string
	// Citus adds the Citus coordinator of JOINERY_CITUS_DSN (see Citus), last, when it is set;
	// its tables stay local to the coordinator until the test calls Distribute.
	Citus bool
}

// Isolated is the name isolate gets on the servers: isolate followed by
// JOINERY_ISOLATE_SUFFIX, when that is set.
func Isolated(isolate string) string { return isolate + os.Getenv("JOINERY_ISOLATE_SUFFIX") }

// Open opens every database the tests are asked to use, in the order SQLite, PostgreSQL,
// MySQL/MariaDB, Citus; each is closed when the test ends.
//
// JOINERY_ISOLATE_SUFFIX, when set, is appended to isolate (Isolated): test runs from several
// worktrees at once on the same servers then work in schemas and databases of their own.
func Open(t testing.TB, isolate string, o Options) []DB {
	t.Helper()
	isolate = Isolated(isolate)
	var out []DB
	dsn := "file:" + filepath.Join(t.TempDir(), isolate+".db")
	if o.SQLite != "" {
		dsn += "?" + o.SQLite
	}
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatalf("sqlite: %v", err)
	}
	t.Cleanup(func() { sdb.Close() })
	out = append(out, DB{"sqlite", dialects.SQLite, sdb})

	if dsn := os.Getenv("JOINERY_PG_DSN"); dsn != "" {
		db := ping(t, "postgres", dsn, "JOINERY_PG_DSN is set but PostgreSQL is unreachable")
		Exec(t, db, `DROP SCHEMA IF EXISTS `+isolate+` CASCADE`, `CREATE SCHEMA `+isolate)
		db.Close()
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		params := "search_path=" + isolate
		if o.PostgresParams != "" {
			params += "&" + o.PostgresParams
		}
		db, err := sql.Open("postgres", dsn+sep+params)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out = append(out, DB{"postgres", dialects.Postgres, db})
	}
	if dsn := os.Getenv("JOINERY_MYSQL_DSN"); dsn != "" {
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatalf("JOINERY_MYSQL_DSN: %v", err)
		}
		db := ping(t, "mysql", dsn, "JOINERY_MYSQL_DSN is set but MySQL/MariaDB is unreachable")
		create := "CREATE DATABASE " + isolate
		if o.MySQLCreate != "" {
			create += " " + o.MySQLCreate
		}
		Exec(t, db, "DROP DATABASE IF EXISTS "+isolate, create)
		db.Close()
		cfg.DBName = isolate
		cfg.ParseTime = true
		db, err = sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out = append(out, DB{"mysql", dialects.MySQL, db})
	}
	if dsn := os.Getenv(CitusEnv); o.Citus && dsn != "" {
		out = append(out, openCitus(t, dsn, isolate, o.PostgresParams))
	}
	return out
}

// ping opens driver's dsn and checks the server answers, failing the test with what if not.
func ping(t testing.TB, driver, dsn, what string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err == nil {
		err = db.Ping()
	}
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return db
}

// Exec runs statements in order, failing the test on the first error.
func Exec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
}
