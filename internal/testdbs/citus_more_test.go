package testdbs

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestCitusCreateDistributed: CitusParams passes session settings; CreateDistributed creates
// ddl-shaped statements' tables, distributes the tables with the tenant column (defaulting to
// the tenant) and makes the others reference tables, then adds the foreign keys.
func TestCitusCreateDistributed(t *testing.T) {
	citusDSN(t)
	d, ok := CitusParams(t, "testdbs_citus_create", "citus.shard_count=3")
	if !ok {
		t.Fatal("CitusParams: not opened")
	}
	var shards string
	if err := d.DB.QueryRow(`SHOW citus.shard_count`).Scan(&shards); err != nil || shards != "3" {
		t.Fatalf("citus.shard_count = %q (%v), want the DSN's 3", shards, err)
	}
	ctx := context.Background()
	stmts := []string{
		`CREATE TABLE "tags" ("id" BIGINT NOT NULL, "name" TEXT, PRIMARY KEY ("id"))`,
		`CREATE TABLE "users" ("tenant_id" BIGINT NOT NULL, "id" BIGINT NOT NULL, PRIMARY KEY ("tenant_id", "id"))`,
		`CREATE TABLE "posts" ("tenant_id" BIGINT NOT NULL, "id" BIGINT NOT NULL, "user_id" BIGINT, "tag_id" BIGINT, PRIMARY KEY ("tenant_id", "id"))`,
		`CREATE INDEX "posts_user_id_idx" ON "posts" ("tenant_id", "user_id")`,
		`ALTER TABLE "posts" ADD FOREIGN KEY ("tenant_id", "user_id") REFERENCES "users" ("tenant_id", "id")`,
		`ALTER TABLE "posts" ADD FOREIGN KEY ("tag_id") REFERENCES "tags" ("id")`,
	}
	dist, err := CreateDistributed(ctx, d.DB, stmts, "tenant_id", 7)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dist, []string{"users", "posts"}) {
		t.Errorf("distributed tables %v, want [users posts]", dist)
	}
	for name, want := range map[string]string{"tags": "n", "users": "h", "posts": "h"} {
		var method string
		if err := d.DB.QueryRow(`SELECT partmethod FROM pg_dist_partition WHERE logicalrelid = to_regclass(quote_ident($1))`, name).Scan(&method); err != nil || method != want {
			t.Errorf("%s: partition method %q (%v), want %q", name, method, err, want)
		}
	}
	Exec(t, d.DB, `INSERT INTO tags VALUES (1, 'go')`, `INSERT INTO users (id) VALUES (1)`, `INSERT INTO posts (id, user_id, tag_id) VALUES (10, 1, 1)`)
	var tenant int64
	if err := d.DB.QueryRow(`SELECT tenant_id FROM posts WHERE id = 10`).Scan(&tenant); err != nil || tenant != 7 {
		t.Errorf("a row inserted without the tenant column is tenant %d (%v), want 7", tenant, err)
	}
	for _, bad := range []string{`INSERT INTO posts (id, user_id) VALUES (11, 2)`, `INSERT INTO posts (id, tag_id) VALUES (12, 9)`} {
		if _, err := d.DB.Exec(bad); err == nil {
			t.Errorf("%s: no foreign-key error", bad)
		}
	}
	// a statement Citus refuses comes back as the error, naming it
	if _, err := CreateDistributed(ctx, d.DB, []string{`CREATE TABLE "bad" ("tenant_id" BIGINT NOT NULL, "email" TEXT UNIQUE)`}, "tenant_id", 1); err == nil || !strings.Contains(err.Error(), `"bad"`) {
		t.Errorf("a unique key without the distribution column: %v, want an error naming table \"bad\"", err)
	}
}
