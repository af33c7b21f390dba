package conformance

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/joinery/joinery/dialects"
)

// isolate names the PostgreSQL schema and the MySQL database this package works in, so that
// it does not step on the other test packages.
const isolate = "joinery_conformance"

type testDB struct {
	name    string
	dialect dialects.Dialect
	db      *sql.DB
}

// openDBs opens SQLite always, and PostgreSQL and MySQL/MariaDB when JOINERY_PG_DSN /
// JOINERY_MYSQL_DSN are set. A database that is asked for and cannot be reached fails the
// test; it is never skipped.
func openDBs(t *testing.T) []testDB {
	t.Helper()
	var out []testDB
	// case_sensitive_like: LIKE is case-sensitive on PostgreSQL, where the cases were recorded.
	path := filepath.Join(t.TempDir(), "conformance.db")
	sdb, err := sql.Open("sqlite", "file:"+path+"?_pragma=case_sensitive_like(1)")
	if err != nil {
		t.Fatalf("sqlite: %v", err)
	}
	t.Cleanup(func() { sdb.Close() })
	out = append(out, testDB{"sqlite", dialects.SQLite, sdb})

	if dsn := os.Getenv("JOINERY_PG_DSN"); dsn != "" {
		db, err := sql.Open("postgres", dsn)
		if err == nil {
			err = db.Ping()
		}
		if err != nil {
			t.Fatalf("JOINERY_PG_DSN is set but PostgreSQL is unreachable: %v", err)
		}
		mustExec(t, db, `DROP SCHEMA IF EXISTS `+isolate+` CASCADE`, `CREATE SCHEMA `+isolate)
		db.Close()
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		// UTC: timestamps come back in the session time zone; the comparison is on instants
		// anyway, but UTC keeps the SQL and any failure output readable.
		db, err = sql.Open("postgres", dsn+sep+"search_path="+isolate+"&timezone=UTC")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out = append(out, testDB{"postgres", dialects.Postgres, db})
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
		mustExec(t, db, "DROP DATABASE IF EXISTS "+isolate,
			"CREATE DATABASE "+isolate+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
		db.Close()
		cfg.DBName = isolate
		cfg.ParseTime = true
		db, err = sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out = append(out, testDB{"mysql", dialects.MySQL, db})
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
