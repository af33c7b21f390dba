package joinery_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/testdbs"
)

// citusShared are the models of each suite kept as reference tables (copied to every node,
// no tenant column) in the multi-tenant layout.
var citusShared = map[string][]string{
	"blog":   {"Tag", "Team"},
	"scopes": {"Tag"},
}

// The Citus tests' tables have 4 shards (citus.shard_count=4; Citus's default is 32):
// distributing is most of a test's time, and with 4 the tenants still lie on different
// shards of different workers.

// tenantColumn is the distribution column of the multi-tenant layout.
const tenantColumn = "tenant_id"

// TestCitusScenarios runs the scenario corpus, in every shape, on a Citus cluster with the
// suites' tables DISTRIBUTED: every table carries tenant_id (include.Tenant) and is
// distributed by it, co-located, the shared models are reference tables. First with one
// tenant's rows and no tenant filter (statements pushed down to every shard), then with a
// second tenant holding the same rows and every query filtered to the first tenant (router
// statements): the results are the scenarios' own, as on every other database.
func TestCitusScenarios(t *testing.T) {
	db, ok := testdbs.CitusParams(t, "joinery_citus", "citus.shard_count=4")
	if !ok {
		t.Skip("JOINERY_CITUS_DSN is not set")
	}
	for _, su := range suites {
		t.Run(su.name, func(t *testing.T) {
			s := su.schema(t, include.Tenant(tenantColumn, citusShared[su.name]...))
			distributed := seedTenants(t, db.DB, su, s)
			for _, tenant := range []bool{false, true} {
				name := "across_tenants"
				if tenant {
					name = "one_tenant"
					addTenant(t, db.DB, distributed, 2)
				}
				t.Run(name, func(t *testing.T) {
					for _, sc := range su.scenarios {
						for _, shape := range allShapes {
							t.Run(sc.name+"/"+shape.String(), func(t *testing.T) {
								qq := sc.build(s, dialects.Citus).shape(shape)
								if tenant {
									qq = qq.tenant(1)
									if _, err := qq.Plan(); notExpressible(shape, err) {
										return
									}
								}
								_, err := qq.Plan()
								if notExpressible(shape, err) {
									return // only the flat JOIN expresses this tree
								}
								if !tenant && errors.Is(err, builder.ErrInclude) && strings.Contains(err.Error(), "keyset pagination across tenants") {
									// a cursor holds no value for the hidden tenant column:
									// the query must be held to one tenant, and then runs
									qq = qq.tenant(1)
									if _, err := qq.Plan(); notExpressible(shape, err) {
										return
									}
								}
								got, err := qq.all(context.Background(), db.DB)
								if err != nil {
									t.Fatal(err)
								}
								assertJSON(t, got, sc.want)
							})
						}
					}
				})
			}
		})
	}
}

// seedTenants creates the suite's tables from schema s (multi-tenant) on the cluster,
// distributes them by the tenant column (the shared models' tables as reference tables) and
// inserts the suite's rows as tenant 1's. It returns the distributed tables, parents first.
func seedTenants(t testing.TB, db *sql.DB, su suite, s *include.Schema) []string {
	t.Helper()
	for i := len(su.tables) - 1; i >= 0; i-- {
		mustExec(t, db, "DROP TABLE IF EXISTS "+su.tables[i]+" CASCADE")
	}
	stmts, err := ddl.Statements(s, dialects.Citus)
	if err != nil {
		t.Fatal(err)
	}
	distributed, err := testdbs.CreateDistributed(context.Background(), db, stmts, tenantColumn, 1)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, su.data...)
	return distributed
}

// addTenant copies tenant 1's rows of the distributed tables to tenant (the reference tables
// are shared).
func addTenant(t testing.TB, db *sql.DB, distributed []string, tenant int64) {
	t.Helper()
	if err := testdbs.CopyTenant(context.Background(), db, tenantColumn, distributed, 1, tenant); err != nil {
		t.Fatal(err)
	}
}

// w1Tree is the W1-like tree: users -> posts -> {tags with a join-table column, comments ->
// author}.
func w1Tree(s *include.Schema, d dialects.Dialect) joinery.Q[User] {
	return joinery.Query[User](s, d).Include(
		include.New("posts").Include(
			include.New("tags").ThroughColumns("added_by"),
			include.New("comments").Include("author"),
		)).OrderBy("id")
}

// TestCitusRouter reads EXPLAIN on the coordinator: a single-tenant W1-like tree runs as
// router statements, in every shape: each statement is one task on one shard, with no
// distributed subplans (recursive planning) and no repartitioning.
func TestCitusRouter(t *testing.T) {
	db, ok := testdbs.CitusParams(t, "joinery_citus_router", "citus.shard_count=4")
	if !ok {
		t.Skip("JOINERY_CITUS_DSN is not set")
	}
	su := suites[0]
	s := su.schema(t, include.Tenant(tenantColumn, citusShared[su.name]...))
	addTenant(t, db.DB, seedTenants(t, db.DB, su, s), 2)
	trees := map[string]func() joinery.Q[User]{
		"w1": func() joinery.Q[User] { return w1Tree(s, dialects.Citus) },
		// a page of roots (a CTE or a derived table) and values computed per root and per
		// include (correlated subqueries or grouped tables)
		"w1_page_computed": func() joinery.Q[User] {
			return w1Tree(s, dialects.Citus).Compute(include.Count("posts").As("post_count")).Limit(2)
		},
	}
	for _, name := range []string{"w1", "w1_page_computed"} {
		for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
			t.Run(name+"/"+shape.String(), func(t *testing.T) {
				p, err := trees[name]().Tenant(1).Shape(shape).Plan()
				if err != nil {
					t.Fatal(err)
				}
				stmts := p.Statements
				if len(stmts) == 0 {
					stmts = []builder.Statement{{SQL: p.SQL, Args: p.Args}}
				}
				for i, st := range stmts {
					plan := testdbs.Explain(t, db.DB, st.SQL, st.Args...)
					if !strings.Contains(plan, "Task Count: 1\n") || strings.Contains(plan, "Subplan") || strings.Contains(plan, "Repartition") {
						t.Errorf("statement %d is not a router statement:\n%s\n\nEXPLAIN:\n%s", i, st.SQL, plan)
					}
				}
			})
		}
	}
}

// TestCitusPagingProperty is the paging property (TestPagingProperty) on the Citus cluster,
// the blog's tables distributed by tenant: across tenants with one tenant's rows, then held
// to it (Q.Tenant) with a second tenant holding the same rows.
func TestCitusPagingProperty(t *testing.T) {
	db, ok := testdbs.CitusParams(t, "joinery_citus_paging", "citus.shard_count=4")
	if !ok {
		t.Skip("JOINERY_CITUS_DSN is not set")
	}
	su := suites[0]
	s := su.schema(t, include.Tenant(tenantColumn, citusShared[su.name]...))
	tdb := testDB{db.Name, db.Dialect, db.DB}
	distributed := seedTenants(t, db.DB, su, s)
	seedRandom(t, tdb, 20251122)
	t.Run("across_tenants", func(t *testing.T) { pagingProperty(t, s, tdb, 100, nil) })
	addTenant(t, db.DB, distributed, 2)
	t.Run("one_tenant", func(t *testing.T) {
		pagingProperty(t, s, tdb, 100, func(q joinery.Q[User]) joinery.Q[User] { return q.Tenant(1) })
	})
}

// TestCitusShapeChoice: on a distributed dialect the default shape across tenants is the
// flat JOIN (Citus would gather each UNION ALL branch on the coordinator); held to one
// tenant it is the UNION ALL, a router statement. (No database: the plans only.)
func TestCitusShapeChoice(t *testing.T) {
	s := blogSchema(t, include.Tenant(tenantColumn, citusShared["blog"]...))
	p, err := w1Tree(s, dialects.Citus).Plan()
	if err != nil {
		t.Fatal(err)
	}
	if p.Shape != joinery.ShapeFlat || !strings.Contains(p.Why, "distributed") {
		t.Errorf("across tenants: shape %s (%s), want the flat JOIN for a distributed database", p.Shape, p.Why)
	}
	p, err = w1Tree(s, dialects.Citus).Tenant(1).Plan()
	if err != nil {
		t.Fatal(err)
	}
	if p.Shape != joinery.ShapeUnion {
		t.Errorf("one tenant: shape %s (%s), want the UNION ALL", p.Shape, p.Why)
	}
	if p, err = w1Tree(s, dialects.Postgres).Plan(); err != nil || p.Shape != joinery.ShapeUnion {
		t.Errorf("plain PostgreSQL: shape %v (%v), want the UNION ALL", p.Shape, err)
	}
}

// TestCitusTenantIdentities: two tenants with the same rows under the same ids, read across
// tenants on the distributed tables, are two sets of objects (see TestTenantIdentities).
func TestCitusTenantIdentities(t *testing.T) {
	db, ok := testdbs.CitusParams(t, "joinery_citus_ids", "citus.shard_count=4")
	if !ok {
		t.Skip("JOINERY_CITUS_DSN is not set")
	}
	su := suites[0]
	s := su.schema(t, include.Tenant(tenantColumn, citusShared[su.name]...))
	addTenant(t, db.DB, seedTenants(t, db.DB, su, s), 2)
	tenantIdentities(t, testDB{db.Name, db.Dialect, db.DB}, su, s)
}
