package bench

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
)

// BenchmarkSchemaCheck measures ddl.Check of the bench schema (the start-up check of a
// service) on SQLite and, when JOINERY_PG_DSN or BENCH_PG_DSN is set, on PostgreSQL, in a
// schema of its own holding the tables ddl.Create made from the declarations.
func BenchmarkSchemaCheck(b *testing.B) {
	ctx := context.Background()
	s, err := NewSchema()
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, db *sql.DB, d dialects.Dialect) {
		if err := ddl.Create(ctx, db, s, d); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := ddl.Check(ctx, db, s, d); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("sqlite", func(b *testing.B) {
		db, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "check.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		run(b, db, dialects.SQLite)
	})
	dsn := os.Getenv("JOINERY_PG_DSN")
	if dsn == "" {
		dsn = os.Getenv("BENCH_PG_DSN")
	}
	if dsn == "" {
		return
	}
	b.Run("postgres", func(b *testing.B) {
		const schema = "joinery_bench_ddl"
		admin, err := sql.Open("postgres", dsn)
		if err == nil {
			_, err = admin.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema)
		}
		if err != nil {
			b.Fatalf("the PostgreSQL DSN is set but PostgreSQL is unreachable: %v", err)
		}
		defer admin.Close()
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		db, err := sql.Open("postgres", dsn+sep+"search_path="+schema)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.SetMaxIdleConns(1)
		run(b, db, dialects.Postgres)
	})
}
