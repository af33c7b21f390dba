package write_test

import (
	"database/sql"
	"os"
	"strings"
	"testing"

	_ "github.com/lib/pq"

	"github.com/joinery/joinery/dialects"
)

// citusIsolate names the schema the Citus test works in.
const citusIsolate = "joinery_writes_citus"

// openCitus opens the distributed PostgreSQL (Citus) coordinator that JOINERY_CITUS_DSN
// names, in a schema of its own; nil when the variable is not set. A coordinator that is
// asked for and cannot be reached fails the test.
func openCitus(t *testing.T) *sql.DB {
	t.Helper()
	dsn := os.Getenv("JOINERY_CITUS_DSN")
	if dsn == "" {
		return nil
	}
	admin, err := sql.Open("postgres", dsn)
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		t.Fatalf("JOINERY_CITUS_DSN is set but the Citus coordinator is unreachable: %v", err)
	}
	mustExec(t, admin, `DROP SCHEMA IF EXISTS `+citusIsolate+` CASCADE`, `CREATE SCHEMA `+citusIsolate)
	admin.Close()
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	db, err := sql.Open("postgres", dsn+sep+"search_path="+citusIsolate)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMultiColumnKeysCitus runs the multi-tenant scenario on Citus: every table distributed
// by tenant_id and co-located, so that each statement a write sends (keys and joins that
// carry the tenant column, the tenant column never updated) is one Citus runs.
func TestMultiColumnKeysCitus(t *testing.T) {
	db := openCitus(t)
	if db == nil {
		t.Skip("JOINERY_CITUS_DSN is not set")
	}
	tdb := testDB{"postgres", dialects.Postgres, db}
	for _, kit := range mtKits() {
		s := kit.schema(t)
		t.Run(kit.name, func(t *testing.T) {
			seedMT(t, tdb)
			// distribute the tables (as few shards as make the test quick), then add the
			// foreign keys between them, which Citus accepts between co-located tables
			var fks []string
			for _, tb := range mtTables {
				rows := dumpQuery(t, db, `SELECT conname || '|' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND conrelid = '`+citusIsolate+`.`+tb+`'::regclass`)
				for _, r := range rows {
					name, def, _ := strings.Cut(r, "|")
					mustExec(t, db, `ALTER TABLE `+tb+` DROP CONSTRAINT `+name)
					fks = append(fks, `ALTER TABLE `+tb+` ADD CONSTRAINT `+name+` `+def)
				}
			}
			for i, tb := range mtTables {
				with := "shard_count := 4, colocate_with := 'none'"
				if i > 0 {
					with = "colocate_with := 'mt_users'"
				}
				mustExec(t, db, `SELECT create_distributed_table('`+tb+`', 'tenant_id', `+with+`)`)
			}
			mustExec(t, db, fks...)
			if n := dumpQuery(t, db, `SELECT count(*) FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '`+citusIsolate+`' AND p.colocationid = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = '`+citusIsolate+`.mt_users'::regclass)`); len(n) != 1 || n[0] != "5" {
				t.Fatalf("co-located distributed tables: %v, want 5", n)
			}
			mtScenario(t, tdb, kit.writer(tdb.dialect, s), kit)
		})
	}
}
