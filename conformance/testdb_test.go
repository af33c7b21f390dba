package conformance

import (
	"database/sql"
	"testing"

	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/internal/testdbs"
)

// isolate names the PostgreSQL schema and the MySQL database this package works in, so that
// it does not step on the other test packages.
const isolate = "joinery_conformance"

type testDB struct {
	name    string
	dialect dialects.Dialect
	db      *sql.DB
	// tenant, for the write cases on a multi-tenant layout (writes_citus_test.go): the tenant
	// the operations write, whose rows of the tenantTables are compared; nil otherwise
	tenant       any
	tenantTables map[string]bool
}

// openDBs opens SQLite always, and PostgreSQL and MySQL/MariaDB when JOINERY_PG_DSN /
// JOINERY_MYSQL_DSN are set. A database that is asked for and cannot be reached fails the
// test; it is never skipped.
func openDBs(t *testing.T) []testDB {
	t.Helper()
	var out []testDB
	// case_sensitive_like: LIKE is case-sensitive on PostgreSQL, where the cases were
	// recorded. UTC: timestamps come back in the session time zone; the comparison is on
	// instants anyway, but UTC keeps the SQL and any failure output readable.
	for _, d := range testdbs.Open(t, isolate, testdbs.Options{
		SQLite:         "_pragma=case_sensitive_like(1)",
		PostgresParams: "timezone=UTC",
		MySQLCreate:    "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
	}) {
		out = append(out, testDB{name: d.Name, dialect: d.Dialect, db: d.DB})
	}
	return out
}

func mustExec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	testdbs.Exec(t, db, stmts...)
}
