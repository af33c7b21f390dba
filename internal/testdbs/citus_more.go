package testdbs

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lib/pq"
)

// CitusParams is Citus with params appended to the DSN after search_path ("timezone=UTC",
// "citus.shard_count=4": lib/pq sends the others to the server as settings of each session),
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

// CreateDistributed runs the statements of package ddl for a multi-tenant schema
// (ddl.Statements with dialects.Citus, whose DDL.ForeignKeysLast puts the foreign keys last, as
// ALTER TABLE statements) the way Citus needs them: the tables and their indexes; then, on
// every created table that has the tenant column, DEFAULT tenant for it (rows inserted
// without it are that tenant's; set before distributing, which Citus requires of a default);
// the tables distributed by the column, co-located, the ones without it made reference
// tables (Distribute); then the foreign keys. It returns the distributed tables, in creation
// order.
func CreateDistributed(ctx context.Context, db *sql.DB, stmts []string, column string, tenant int64) ([]string, error) {
	fks := slices.IndexFunc(stmts, func(s string) bool { return strings.HasPrefix(s, "ALTER TABLE ") })
	if fks < 0 {
		fks = len(stmts)
	}
	for _, st := range stmts[:fks] {
		if _, err := db.ExecContext(ctx, st); err != nil {
			return nil, fmt.Errorf("testdbs: %s: %w", st, err)
		}
	}
	var distributed, reference []string
	for _, st := range stmts[:fks] {
		rest, ok := strings.CutPrefix(st, "CREATE TABLE ")
		if !ok {
			continue
		}
		tb := strings.Trim(strings.Fields(rest)[0], `"`)
		var has bool
		if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2)`, tb, column).Scan(&has); err != nil {
			return nil, fmt.Errorf("testdbs: columns of %q: %w", tb, err)
		}
		if !has {
			reference = append(reference, tb)
			continue
		}
		distributed = append(distributed, tb)
		st := "ALTER TABLE " + pq.QuoteIdentifier(tb) + " ALTER COLUMN " + pq.QuoteIdentifier(column) + fmt.Sprintf(" SET DEFAULT %d", tenant)
		if _, err := db.ExecContext(ctx, st); err != nil {
			return nil, fmt.Errorf("testdbs: %s: %w", st, err)
		}
	}
	if err := distribute(ctx, db, column, distributed, reference); err != nil {
		return nil, err
	}
	for _, st := range stmts[fks:] {
		if _, err := db.ExecContext(ctx, st); err != nil {
			return nil, fmt.Errorf("testdbs: %s: %w", st, err)
		}
	}
	return distributed, nil
}

// CopyTenant copies the rows of tenant from to tenant to in each of tables, in their order
// (parents before children, for the foreign keys): every column but the tenant column
// (column) as it is. It is how the Citus tests give a second tenant the same rows, the same
// ids included.
func CopyTenant(ctx context.Context, db *sql.DB, column string, tables []string, from, to int64) error {
	q := pq.QuoteIdentifier
	for _, tb := range tables {
		rows, err := db.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = $1 AND column_name <> $2 ORDER BY ordinal_position`, tb, column)
		if err != nil {
			return fmt.Errorf("testdbs: columns of %q: %w", tb, err)
		}
		var cols []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return err
			}
			cols = append(cols, q(c))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		list := strings.Join(cols, ", ")
		st := "INSERT INTO " + q(tb) + " (" + q(column) + ", " + list + ") SELECT $1, " + list + " FROM " + q(tb) + " WHERE " + q(column) + " = $2"
		if _, err := db.ExecContext(ctx, st, to, from); err != nil {
			return fmt.Errorf("testdbs: copy %s to tenant %d: %w", tb, to, err)
		}
	}
	return nil
}

// Explain is the text of EXPLAIN (COSTS OFF) of a statement, a line per plan line, trimmed.
func Explain(t testing.TB, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.Query("EXPLAIN (COSTS OFF) "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN: %v\n%s", err, query)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.TrimSpace(line) + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
