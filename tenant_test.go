package joinery_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// TestTenantScenarios runs the scenario corpus, in every shape, on every database with the
// suites declared multi-tenant (include.Tenant): every key of every association is then a
// two-column key (tenant_id, ...), in every ON clause, semi-join, window partition, page of
// roots, EXISTS and identity of the fold. The rows are tenant 1's, with tenant 2 holding a
// copy: held to tenant 1 (Q.Tenant), every scenario gives its own result.
func TestTenantScenarios(t *testing.T) {
	for _, tdb := range openDBs(t, "joinery_tenant") {
		t.Run(tdb.name, func(t *testing.T) {
			for _, su := range suites {
				t.Run(su.name, func(t *testing.T) {
					s := su.schema(t, include.Tenant(tenantColumn, citusShared[su.name]...))
					seedTenantLocal(t, tdb.db, tdb.dialect, su, s)
					for _, sc := range su.scenarios {
						for _, shape := range allShapes {
							t.Run(sc.name+"/"+shape.String(), func(t *testing.T) {
								qq := sc.build(s, tdb.dialect).shape(shape).tenant(1)
								if _, err := qq.Plan(); notExpressible(shape, err) {
									return // only the flat JOIN expresses this tree
								}
								got, err := qq.all(context.Background(), tdb.db)
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

// tenantNotNull is the tenant column's definition in package ddl's CREATE TABLE.
var tenantNotNull = regexp.MustCompile("([\"`]" + tenantColumn + "[\"`] BIGINT NOT NULL)")

// seedTenantLocal creates the suite's tables from the multi-tenant schema s, the tenant
// column defaulting to 1 so that the suite's inserts are tenant 1's, and copies them to
// tenant 2.
func seedTenantLocal(t testing.TB, db *sql.DB, d dialects.Dialect, su suite, s *include.Schema) {
	t.Helper()
	for i := len(su.tables) - 1; i >= 0; i-- {
		mustExec(t, db, "DROP TABLE IF EXISTS "+su.tables[i])
	}
	stmts, err := ddl.Statements(s, d)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range stmts {
		stmts[i] = tenantNotNull.ReplaceAllString(st, "$1 DEFAULT 1")
	}
	mustExec(t, db, stmts...)
	mustExec(t, db, su.data...)
	copied := 0
	for _, stmt := range su.data {
		if table := strings.Fields(stmt)[2]; hasTenant(s, table) {
			// the same rows as tenant 2's
			cols := stmt[strings.Index(stmt, "(")+1 : strings.Index(stmt, ")")]
			mustExec(t, db, "INSERT INTO "+table+" ("+tenantColumn+", "+cols+") SELECT 2, "+cols+" FROM "+table+" WHERE "+tenantColumn+" = 1")
			copied++
		}
	}
	if copied == 0 {
		t.Fatal("no table was copied to tenant 2")
	}
}

// hasTenant reports whether table carries the tenant column in schema s.
func hasTenant(s *include.Schema, table string) bool {
	for _, name := range s.ModelNames() {
		m := s.Model(name)
		if m.Table() == table {
			return m.Tenant() != ""
		}
		for _, a := range m.Associations() {
			if a.Kind == include.BelongsToMany && a.ThroughTable == table {
				return len(a.ForeignKeys) > 0 && a.ForeignKeys[0] == tenantColumn
			}
		}
	}
	return false
}

// TestTenantIdentities: two tenants holding the same rows under the same ids, read across
// tenants, are two sets of objects: the fold's identity is (tenant_id, id), so no object of
// one tenant takes the children of the other's. Each root of a scenario's result appears
// twice, once per tenant, with its own children only.
func TestTenantIdentities(t *testing.T) {
	for _, tdb := range openDBs(t, "joinery_tenant_ids") {
		t.Run(tdb.name, func(t *testing.T) {
			su := suites[0]
			s := su.schema(t, include.Tenant(tenantColumn, citusShared[su.name]...))
			seedTenantLocal(t, tdb.db, tdb.dialect, su, s)
			tenantIdentities(t, tdb, su, s)
		})
	}
}

// tenantIdentities runs the identity scenarios on tdb, seeded with two tenants.
func tenantIdentities(t *testing.T, tdb testDB, su suite, s *include.Schema) {
	names := map[string]bool{"has_many": true, "btm_join_model": true, "nested_three_levels": true, "belongs_to_alias": true,
		"btm_through_table_columns": true, "self_reference": true, "composite_key_root": true, "source_key": true}
	ran := 0
	for _, sc := range su.scenarios {
		if !names[sc.name] {
			continue
		}
		ran++
		var want []json.RawMessage
		if err := json.Unmarshal([]byte(sc.want), &want); err != nil {
			t.Fatal(err)
		}
		var twice []json.RawMessage
		for _, w := range want {
			twice = append(twice, w, w)
		}
		wantTwice, _ := json.Marshal(twice)
		for _, shape := range allShapes {
			if shape == joinery.ShapeLevels && !tdb.dialect.Features().AnyArray {
				continue // (ErrShape: no array parameters)
			}
			t.Run(sc.name+"/"+shape.String(), func(t *testing.T) {
				got, err := sc.build(s, tdb.dialect).shape(shape).all(context.Background(), tdb.db)
				if err != nil {
					t.Fatal(err)
				}
				assertJSON(t, got, string(wantTwice))
			})
		}
	}
	if ran != len(names) {
		t.Fatalf("ran %d scenarios, want %d", ran, len(names))
	}
}
