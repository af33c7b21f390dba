package testdbs

import (
	"context"
	"database/sql"
	"os"
	"testing"
)

// CitusParams is Citus with params appended to the DSN after search_path ("timezone=UTC"),
// as Options.PostgresParams does for PostgreSQL. It reports false when JOINERY_CITUS_DSN is
// unset; a cluster that is asked for and cannot be reached fails the test.
func CitusParams(t testing.TB, isolate, params string) (DB, bool) {
	t.Helper()
	dsn := os.Getenv(CitusEnv)
	if dsn == "" {
		return DB{}, false
	}
	return openCitus(t, dsn, isolate, params), true
}

// DistributeTables is Distribute returning its error instead of failing the test, for a test
// that reports a table Citus refuses as one case's failure and goes on with the next.
func DistributeTables(ctx context.Context, db *sql.DB, column string, distributed, reference []string) error {
	return distribute(ctx, db, column, distributed, reference)
}
