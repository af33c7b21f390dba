package testdbs

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// fatalTB records the first Fatal of a helper under test and ends its goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fatalTB) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

// fatalOf runs fn with a fatalTB and returns what it failed with ("" when it did not).
func fatalOf(t *testing.T, fn func(tb testing.TB)) string {
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f.msg
}

// citusDSN is the cluster's DSN; a test that needs the cluster is skipped only when it is unset.
func citusDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(CitusEnv)
	if dsn == "" {
		t.Skip(CitusEnv + " is not set")
	}
	return dsn
}

func TestCitusUnset(t *testing.T) {
	t.Setenv(CitusEnv, "")
	t.Setenv("JOINERY_PG_DSN", "")
	t.Setenv("JOINERY_MYSQL_DSN", "")
	if _, ok := Citus(t, "testdbs_citus_unset"); ok {
		t.Fatal("Citus reported a database with JOINERY_CITUS_DSN unset")
	}
	dbs := Open(t, "testdbs_citus_unset", Options{Citus: true})
	if len(dbs) != 1 || dbs[0].Name != "sqlite" {
		t.Fatalf("Open with only SQLite available gave %d databases", len(dbs))
	}
}

func TestCitusUnreachableFails(t *testing.T) {
	t.Setenv(CitusEnv, "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5")
	msg := fatalOf(t, func(tb testing.TB) { Citus(tb, "testdbs_citus_unreachable") })
	if !strings.Contains(msg, "JOINERY_CITUS_DSN is set but the Citus coordinator is unreachable") {
		t.Fatalf("an unreachable cluster must fail the test; got %q", msg)
	}
	t.Setenv("JOINERY_PG_DSN", "")
	t.Setenv("JOINERY_MYSQL_DSN", "")
	msg = fatalOf(t, func(tb testing.TB) { Open(tb, "testdbs_citus_unreachable", Options{Citus: true}) })
	if !strings.Contains(msg, "unreachable") {
		t.Fatalf("Open with Citus: an unreachable cluster must fail the test; got %q", msg)
	}
}

func TestCitusWithoutExtensionFails(t *testing.T) {
	pg := os.Getenv("JOINERY_PG_DSN")
	if pg == "" {
		t.Skip("JOINERY_PG_DSN is not set")
	}
	t.Setenv(CitusEnv, pg)
	msg := fatalOf(t, func(tb testing.TB) { Citus(tb, "testdbs_citus_noext") })
	if !strings.Contains(msg, "no citus extension") {
		t.Fatalf("a plain PostgreSQL as the Citus DSN must fail the test; got %q", msg)
	}
}

// blogDDL is a multi-tenant schema: every distributed table leads its primary key and its
// foreign keys with tenant_id; tags is shared by all tenants (no tenant_id).
var blogDDL = []string{
	`CREATE TABLE tags (id bigint PRIMARY KEY, name text NOT NULL)`,
	`CREATE TABLE users (tenant_id bigint NOT NULL, id bigint NOT NULL, name text NOT NULL, PRIMARY KEY (tenant_id, id))`,
	`CREATE TABLE posts (tenant_id bigint NOT NULL, id bigint NOT NULL, user_id bigint NOT NULL, title text NOT NULL,
		PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id))`,
	`CREATE TABLE post_tags (tenant_id bigint NOT NULL, post_id bigint NOT NULL, tag_id bigint NOT NULL REFERENCES tags (id),
		PRIMARY KEY (tenant_id, post_id, tag_id), FOREIGN KEY (tenant_id, post_id) REFERENCES posts (tenant_id, id))`,
	`CREATE TABLE comments (tenant_id bigint NOT NULL, id bigint NOT NULL, post_id bigint NOT NULL, body text NOT NULL,
		PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, post_id) REFERENCES posts (tenant_id, id))`,
}

func TestCitusDistribute(t *testing.T) {
	citusDSN(t)
	d, ok := Citus(t, "testdbs_citus_distribute")
	if !ok || d.Name != "citus" || d.Dialect == nil {
		t.Fatalf("Citus: %+v, %v", d, ok)
	}
	Exec(t, d.DB, blogDDL...)
	// Children listed before their parents: Distribute orders them.
	Distribute(t, d.DB, "tenant_id", []string{"comments", "post_tags", "posts", "users"}, []string{"tags"})

	type meta struct {
		method string
		coloc  int
		column string
	}
	got := map[string]meta{}
	for _, name := range []string{"tags", "users", "posts", "post_tags", "comments"} {
		var m meta
		err := d.DB.QueryRow(`SELECT partmethod, colocationid,
	CASE WHEN partkey IS NULL THEN '' ELSE column_to_column_name(logicalrelid, partkey) END
FROM pg_dist_partition WHERE logicalrelid = to_regclass(quote_ident($1))`, name).Scan(&m.method, &m.coloc, &m.column)
		if err != nil {
			t.Fatalf("%s is not a Citus table: %v", name, err)
		}
		got[name] = m
	}
	if m := got["tags"]; m.method != "n" || m.column != "" {
		t.Errorf("tags: %+v, want a reference table", m)
	}
	for _, name := range []string{"users", "posts", "post_tags", "comments"} {
		if m := got[name]; m.method != "h" || m.column != "tenant_id" || m.coloc != got["users"].coloc {
			t.Errorf("%s: %+v, want hash-distributed by tenant_id, co-located with users (%d)", name, m, got["users"].coloc)
		}
	}
	var others int
	if err := d.DB.QueryRow(`SELECT count(*) FROM pg_dist_partition WHERE colocationid = $1
	AND logicalrelid::oid NOT IN (SELECT oid FROM pg_class WHERE relnamespace = to_regnamespace($2))`,
		got["users"].coloc, Isolated("testdbs_citus_distribute")).Scan(&others); err != nil || others != 0 {
		t.Errorf("the test's colocation group holds %d tables of others (%v)", others, err)
	}
	// Distribute restores the session setting it changed.
	for i := 0; i < 3; i++ {
		var v string
		if err := d.DB.QueryRow(`SHOW citus.enable_local_reference_table_foreign_keys`).Scan(&v); err != nil || v != "on" {
			t.Fatalf("citus.enable_local_reference_table_foreign_keys = %q after Distribute (%v)", v, err)
		}
	}

	Exec(t, d.DB,
		`INSERT INTO tags VALUES (1, 'go'), (2, 'sql')`,
		`INSERT INTO users SELECT t, u, 'u' || u FROM generate_series(1, 3) t, generate_series(1, 2) u`,
		`INSERT INTO posts SELECT tenant_id, id * 10 + p, id, 'p' FROM users, generate_series(1, 2) p`,
		`INSERT INTO post_tags SELECT tenant_id, id, 1 + id % 2 FROM posts`,
		`INSERT INTO comments SELECT tenant_id, id * 10 + c, id, 'c' FROM posts, generate_series(1, 3) c`,
	)
	// The foreign keys survive distribution and are enforced on the shards.
	for _, bad := range []string{
		`INSERT INTO comments VALUES (1, 999, 999, 'orphan')`,
		`INSERT INTO post_tags VALUES (1, 11, 99)`,
	} {
		if _, err := d.DB.Exec(bad); err == nil || !strings.Contains(err.Error(), "foreign key") {
			t.Errorf("%s: %v, want a foreign key violation", bad, err)
		}
	}
	var n int
	if err := d.DB.QueryRow(`SELECT count(*) FROM users u
	JOIN posts p ON p.tenant_id = u.tenant_id AND p.user_id = u.id
	JOIN post_tags pt ON pt.tenant_id = p.tenant_id AND pt.post_id = p.id
	JOIN tags g ON g.id = pt.tag_id
	JOIN comments c ON c.tenant_id = p.tenant_id AND c.post_id = p.id
	WHERE u.tenant_id = $1`, 2).Scan(&n); err != nil || n != 12 {
		t.Errorf("single-tenant join: %d rows (%v), want 12", n, err)
	}
	// A join on the tenant column with one tenant is a router query: one task on one shard.
	plan := Explain(t, d.DB, `SELECT u.id, p.id FROM users u
	LEFT JOIN posts p ON p.tenant_id = u.tenant_id AND p.user_id = u.id WHERE u.tenant_id = 2`)
	if !strings.Contains(plan, "Task Count: 1\n") || !strings.Contains(plan, "Custom Scan (Citus Adaptive)") {
		t.Errorf("single-tenant join is not a router query:\n%s", plan)
	}
}

func TestCitusDistributeErrors(t *testing.T) {
	citusDSN(t)
	for _, c := range []struct {
		name      string
		ddl       []string
		column    string
		dist, ref []string
		want      string
	}{
		{name: "missing table", ddl: blogDDL[:2], column: "tenant_id", dist: []string{"users", "nosuch"},
			want: `no table "nosuch" in the search_path`},
		{name: "missing column", ddl: blogDDL[:2], column: "tenant_id", dist: []string{"users", "tags"},
			want: `table "tags" has no distribution column "tenant_id"`},
		{name: "no column", ddl: blogDDL[:2], dist: []string{"users"}, want: "no distribution column"},
		{name: "listed twice", ddl: blogDDL[:2], column: "tenant_id", dist: []string{"users"}, ref: []string{"users"},
			want: `table "users" is listed twice`},
		{name: "reference to distributed", column: "tenant_id",
			ddl: []string{
				`CREATE TABLE users (tenant_id bigint, id bigint, PRIMARY KEY (tenant_id, id))`,
				`CREATE TABLE audit (id bigint PRIMARY KEY, tenant_id bigint, user_id bigint, FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id))`,
			},
			dist: []string{"users"}, ref: []string{"audit"},
			want: `reference table "audit" has a foreign key to distributed table "users"`},
		{name: "cycle", column: "tenant_id",
			ddl: []string{
				`CREATE TABLE a (tenant_id bigint, id bigint, b_id bigint, PRIMARY KEY (tenant_id, id))`,
				`CREATE TABLE b (tenant_id bigint, id bigint, a_id bigint, PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, a_id) REFERENCES a (tenant_id, id))`,
				`ALTER TABLE a ADD FOREIGN KEY (tenant_id, b_id) REFERENCES b (tenant_id, id)`,
			},
			dist: []string{"a", "b"}, want: `form a cycle`},
		// A key without the tenant column: Citus refuses, and the error names the table.
		{name: "key without the distribution column", column: "tenant_id",
			ddl: []string{
				`CREATE TABLE users (tenant_id bigint, id bigint PRIMARY KEY)`,
				`CREATE TABLE posts (tenant_id bigint, id bigint, user_id bigint REFERENCES users (id), PRIMARY KEY (tenant_id, id))`,
			},
			dist: []string{"users", "posts"},
			want: `create_distributed_table("users", "tenant_id"): pq: cannot create constraint on "users" (Distributed relations cannot have UNIQUE, EXCLUDE, or PRIMARY KEY constraints that do not include the partition column`},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, _ := Citus(t, "testdbs_citus_err")
			Exec(t, d.DB, c.ddl...)
			err := distribute(context.Background(), d.DB, c.column, c.dist, c.ref)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "testdbs: Distribute: ") {
				t.Errorf("error without the package prefix: %v", err)
			}
		})
	}
}

func TestCitusOpenOption(t *testing.T) {
	citusDSN(t)
	dbs := Open(t, "testdbs_citus_open", Options{Citus: true, PostgresParams: "timezone=UTC"})
	last := dbs[len(dbs)-1]
	if last.Name != "citus" {
		t.Fatalf("Open with Citus: the last database is %q", last.Name)
	}
	var tz, schema string
	if err := last.DB.QueryRow(`SELECT current_setting('TimeZone'), current_schema()`).Scan(&tz, &schema); err != nil {
		t.Fatal(err)
	}
	if tz != "UTC" || schema != Isolated("testdbs_citus_open") {
		t.Fatalf("timezone %q, schema %q", tz, schema)
	}
	// CREATE SCHEMA reached the workers, so distributed tables can be made in it.
	var workers int
	if err := last.DB.QueryRow(`SELECT count(*) FROM run_command_on_workers(
	$$SELECT count(*) FROM pg_namespace WHERE nspname = '` + Isolated("testdbs_citus_open") + `'$$) WHERE success AND result = '1'`).Scan(&workers); err != nil {
		t.Fatal(err)
	}
	if workers == 0 {
		t.Fatal("the isolate schema is on no worker")
	}
	Exec(t, last.DB, `CREATE TABLE t (tenant_id int, id int, PRIMARY KEY (tenant_id, id))`)
	Distribute(t, last.DB, "tenant_id", []string{"t"}, nil)
}
