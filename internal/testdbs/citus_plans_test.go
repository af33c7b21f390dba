package testdbs

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// citusPlan is how Citus runs a statement, read from its EXPLAIN: "router" (one task on one
// shard), "pushdown" (a task per shard, no intermediate results), "subplans" (recursive
// planning through intermediate results) or "error: <message>".
func citusPlan(t *testing.T, d DB, q string) string {
	t.Helper()
	rows, err := d.DB.Query("EXPLAIN (COSTS OFF) " + q)
	if err != nil {
		return "error: " + strings.TrimPrefix(err.Error(), "pq: ")
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		b.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	plan := b.String()
	switch {
	case !strings.Contains(plan, "Custom Scan (Citus"):
		t.Fatalf("not planned by Citus:\n%s", plan)
	case strings.Contains(plan, "Distributed Subplan"):
		return "subplans"
	}
	most := 0
	for _, m := range regexp.MustCompile(`Task Count: (\d+)`).FindAllStringSubmatch(plan, -1) {
		if n, _ := strconv.Atoi(m[1]); n > most {
			most = n
		}
	}
	if most == 1 {
		return "router"
	}
	return "pushdown"
}

// TestCitusPlans keeps the findings of docs/citus.md true: how Citus 13 plans the statement
// shapes joinery writes over a tenant-distributed schema, for one tenant and across tenants.
// Each statement is also run, so a shape that plans but fails on the workers shows up too.
func TestCitusPlans(t *testing.T) {
	citusDSN(t)
	d, _ := Citus(t, "testdbs_citus_plans")
	Exec(t, d.DB, blogDDL...)
	Distribute(t, d.DB, "tenant_id", []string{"users", "posts", "post_tags", "comments"}, []string{"tags"})
	Exec(t, d.DB,
		`INSERT INTO tags SELECT g, 'tag' || g FROM generate_series(1, 5) g`,
		`INSERT INTO users SELECT t, u, 'user' || u FROM generate_series(1, 3) t, generate_series(1, 4) u`,
		`INSERT INTO posts SELECT t, u * 10 + p, u, 'post' || p FROM generate_series(1, 3) t, generate_series(1, 4) u, generate_series(1, 5) p`,
		`INSERT INTO post_tags SELECT tenant_id, id, g FROM posts, generate_series(1, 3) g`,
		`INSERT INTO comments SELECT tenant_id, id * 10 + g, id, 'c' || g FROM posts, generate_series(1, 5) g`,
	)
	const (
		up      = `p.tenant_id = u.tenant_id AND p.user_id = u.id`
		pc      = `c.tenant_id = p.tenant_id AND c.post_id = p.id`
		complex = `error: complex joins are only supported when all distributed tables are co-located and joined on their distribution columns`
	)
	branches := func(root, pin string) string {
		return `SELECT 0, u.tenant_id, u.id, NULL::bigint FROM users u WHERE ` + root + `
UNION ALL SELECT 1, p.tenant_id, p.id, p.user_id FROM posts p WHERE ` + pin + `(p.tenant_id, p.user_id) IN (SELECT u.tenant_id, u.id FROM users u WHERE ` + root + `)`
	}
	page := func(mat, root, pin string) string {
		return `WITH page AS ` + mat + ` (SELECT u.tenant_id, u.id FROM users u WHERE ` + root + ` ORDER BY u.name, u.tenant_id, u.id LIMIT 10)
SELECT 1, p.tenant_id, p.id, p.user_id FROM posts p WHERE ` + strings.ReplaceAll(pin, "x.", "p.") + `(p.tenant_id, p.user_id) IN (SELECT tenant_id, id FROM page)
UNION ALL SELECT 2, c.tenant_id, c.id, c.post_id FROM comments c WHERE ` + strings.ReplaceAll(pin, "x.", "c.") + `(c.tenant_id, c.post_id) IN
	(SELECT p.tenant_id, p.id FROM posts p WHERE ` + strings.ReplaceAll(pin, "x.", "p.") + `(p.tenant_id, p.user_id) IN (SELECT tenant_id, id FROM page))`
	}
	for _, c := range []struct {
		name, q, want string
	}{
		{"LEFT JOIN chain, one tenant", `SELECT u.id, p.id, c.id FROM users u LEFT JOIN posts p ON ` + up + ` LEFT JOIN comments c ON ` + pc + ` WHERE u.tenant_id = 1`, "router"},
		{"LEFT JOIN chain, all tenants", `SELECT u.id, p.id, c.id FROM users u LEFT JOIN posts p ON ` + up + ` LEFT JOIN comments c ON ` + pc, "pushdown"},
		{"LEFT JOIN on single-column keys", `SELECT u.id, p.id FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE u.tenant_id = 1`, complex},
		{"join group with a reference table, one tenant", `SELECT p.id, g.name FROM posts p LEFT JOIN (post_tags pt INNER JOIN tags g ON g.id = pt.tag_id) ON pt.tenant_id = p.tenant_id AND pt.post_id = p.id WHERE p.tenant_id = 1`, "router"},
		{"join group of distributed tables, all tenants", `SELECT u.id, c.id FROM users u LEFT JOIN (posts p INNER JOIN comments c ON ` + pc + `) ON ` + up, "pushdown"},
		{"LATERAL with LIMIT, root pinned only", `SELECT p.id, c.id FROM posts p LEFT JOIN LATERAL (SELECT c.id FROM comments c WHERE ` + pc + ` ORDER BY c.id DESC LIMIT 3) c ON TRUE WHERE p.tenant_id = 1`, "pushdown"},
		{"LATERAL with LIMIT, pinned inside too", `SELECT p.id, c.id FROM posts p LEFT JOIN LATERAL (SELECT c.id FROM comments c WHERE c.tenant_id = 1 AND ` + pc + ` ORDER BY c.id DESC LIMIT 3) c ON TRUE WHERE p.tenant_id = 1`, "router"},
		{"LATERAL on post_id only", `SELECT p.id, c.id FROM posts p LEFT JOIN LATERAL (SELECT c.id FROM comments c WHERE c.post_id = p.id LIMIT 3) c ON TRUE WHERE p.tenant_id = 1`, complex},
		{"window partitioned by tenant, all tenants", `SELECT * FROM (SELECT c.id, ROW_NUMBER() OVER (PARTITION BY c.tenant_id, c.post_id ORDER BY c.id) AS rn FROM comments c) x WHERE rn <= 3`, "pushdown"},
		{"window without the tenant, all tenants", `SELECT * FROM (SELECT c.id, ROW_NUMBER() OVER (PARTITION BY c.post_id ORDER BY c.id) AS rn FROM comments c) x WHERE rn <= 3`, "subplans"},
		{"window without PARTITION BY, one tenant", `SELECT * FROM (SELECT c.id, ROW_NUMBER() OVER (ORDER BY c.id) AS rn FROM comments c WHERE c.tenant_id = 1) x WHERE rn <= 3`, "router"},
		{"UNION ALL branches, (tenant, fk) IN, one tenant", branches("u.tenant_id = 1 AND u.id <= 2", ""), "router"},
		{"UNION ALL branches, (tenant, fk) IN, all tenants", branches("u.id <= 2", ""), "subplans"},
		{"UNION ALL branch, fk = ANY(ARRAY(..)), one tenant", `SELECT 0, u.id FROM users u WHERE u.tenant_id = 1 UNION ALL SELECT 1, p.id FROM posts p WHERE p.tenant_id = 1 AND p.user_id = ANY(ARRAY(SELECT u.id FROM users u WHERE u.tenant_id = 1))`, "router"},
		{"MATERIALIZED page, root pinned only", page("MATERIALIZED", "u.tenant_id = 1", ""), "subplans"},
		{"MATERIALIZED page, every table pinned", page("MATERIALIZED", "u.tenant_id = 1", "x.tenant_id = 1 AND "), "router"},
		{"NOT MATERIALIZED page, every table pinned", page("NOT MATERIALIZED", "u.tenant_id = 1", "x.tenant_id = 1 AND "), "router"},
		{"root limited in a derived table, root pinned only", `SELECT u.id, p.id FROM (SELECT * FROM users u WHERE u.tenant_id = 1 ORDER BY u.name LIMIT 10) u LEFT JOIN posts p ON ` + up, "subplans"},
		{"root limited in a derived table, ON pinned", `SELECT u.id, p.id FROM (SELECT * FROM users u WHERE u.tenant_id = 1 ORDER BY u.name LIMIT 10) u LEFT JOIN posts p ON ` + up + ` AND p.tenant_id = 1`, "router"},
		{"EXISTS, one tenant", `SELECT count(*) FROM users u WHERE u.tenant_id = 1 AND EXISTS (SELECT 1 FROM posts p WHERE ` + up + `)`, "router"},
		{"EXISTS, all tenants", `SELECT count(*) FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE ` + up + `)`, "pushdown"},
		{"EXISTS on user_id only", `SELECT count(*) FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id)`, complex},
		{"scalar subquery, root pinned only", `SELECT u.id, (SELECT count(*) FROM posts p WHERE ` + up + `) FROM users u WHERE u.tenant_id = 1`, "pushdown"},
		{"scalar subquery, pinned inside too", `SELECT u.id, (SELECT count(*) FROM posts p WHERE p.tenant_id = 1 AND ` + up + `) FROM users u WHERE u.tenant_id = 1`, "router"},
		{"keyset, all tenants", `SELECT p.tenant_id, p.id FROM posts p WHERE (p.tenant_id, p.id) > (1, 20) ORDER BY p.tenant_id, p.id LIMIT 5`, "pushdown"},
		{"root ORDER BY + LIMIT, all tenants", `SELECT p.id, u.name FROM posts p JOIN users u ON ` + up + ` ORDER BY u.name, p.tenant_id, p.id LIMIT 5`, "pushdown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := citusPlan(t, d, c.q); got != c.want {
				t.Fatalf("planned as %q, want %q\n%s", got, c.want, c.q)
			}
			if strings.HasPrefix(c.want, "error") {
				return
			}
			rows, err := d.DB.Query(c.q)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
			if err != nil {
				t.Fatalf("plans as %s but fails when run: %v\n%s", c.want, err, c.q)
			}
		})
	}
	// A row-array ANY plans, then fails on the workers.
	q := `SELECT p.id FROM posts p WHERE (p.tenant_id, p.user_id) = ANY(ARRAY(SELECT ROW(u.tenant_id, u.id) FROM users u WHERE u.id <= 2))`
	if _, err := d.DB.Exec(q); err == nil || !strings.Contains(err.Error(), "input of anonymous composite types is not implemented") {
		t.Errorf("ANY(ARRAY(SELECT ROW(..))): %v, want the composite-type error", err)
	}
}
