package write_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/testdbs"
	"github.com/joinery/joinery/write"
)

// mtIsolate names the PostgreSQL schema and MySQL database of the multi-tenant tests.
const mtIsolate = "joinery_writes_mck"

func openMTDBs(t *testing.T) []testDB {
	t.Helper()
	var out []testDB
	for _, d := range testdbs.Open(t, mtIsolate, testdbs.Options{
		SQLite:      "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_txlock=immediate",
		MySQLCreate: "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
	}) {
		out = append(out, testDB{d.Name, d.Dialect, d.DB})
	}
	return out
}

// mtTables lists the multi-tenant fixture's tables, parents first.
var mtTables = []string{"mt_users", "mt_projects", "mt_memberships", "mt_posts", "mt_profiles"}

// mtDDL creates the fixture: every table keyed by (tenant_id, id) with a generated id, and
// foreign keys of two columns. {{key}} and {{pk}} are the dialect's key columns and
// constraints: SQLite generates only a rowid, so there the id is the rowid and (tenant_id,
// id) a unique key that the foreign keys reference; MySQL's AUTO_INCREMENT needs an index
// that starts with the id.
//
// SQLite 3.46 (modernc.org/sqlite v1.34.5) answered a row-value IN wrongly through such a
// unique index, whose id is the rowid: (tenant_id, id) IN ((1, 2)) matched no row that has
// them. go.mod requires v1.38.0 (SQLite 3.50.1), which answers it; this fixture is the test.
var mtDDL = []string{
	`CREATE TABLE mt_users ({{key}}, name VARCHAR(100) NOT NULL{{pk}})`,
	`CREATE TABLE mt_projects ({{key}}, name VARCHAR(100) NOT NULL{{pk}})`,
	`CREATE TABLE mt_memberships (tenant_id INTEGER NOT NULL, user_id INTEGER NOT NULL, project_id INTEGER NOT NULL, role VARCHAR(50),
		PRIMARY KEY (tenant_id, user_id, project_id),
		FOREIGN KEY (tenant_id, user_id) REFERENCES mt_users (tenant_id, id), FOREIGN KEY (tenant_id, project_id) REFERENCES mt_projects (tenant_id, id))`,
	`CREATE TABLE mt_posts ({{key}}, user_id INTEGER, title VARCHAR(100) NOT NULL{{pk}}, FOREIGN KEY (tenant_id, user_id) REFERENCES mt_users (tenant_id, id))`,
	`CREATE TABLE mt_profiles ({{key}}, user_id INTEGER, bio VARCHAR(100) NOT NULL{{pk}}, FOREIGN KEY (tenant_id, user_id) REFERENCES mt_users (tenant_id, id))`,
}

// mtData: tenant 1 and tenant 2, ids unique across tenants (SQLite's rowid).
var mtData = []string{
	`INSERT INTO mt_users (tenant_id, id, name) VALUES (1, 1, 'ann'), (1, 2, 'ben'), (2, 3, 'zed')`,
	`INSERT INTO mt_projects (tenant_id, id, name) VALUES (1, 1, 'apollo'), (1, 2, 'gemini'), (1, 3, 'mercury'), (2, 4, 'vega')`,
	`INSERT INTO mt_memberships (tenant_id, user_id, project_id, role) VALUES (1, 1, 1, 'lead'), (1, 2, 1, 'dev'), (2, 3, 4, 'qa')`,
	`INSERT INTO mt_posts (tenant_id, id, user_id, title) VALUES (1, 1, 1, 'p1'), (1, 2, NULL, 'p2'), (1, 3, 2, 'p3'), (2, 4, 3, 'z1')`,
	`INSERT INTO mt_profiles (tenant_id, id, user_id, bio) VALUES (1, 1, 1, 'ann bio'), (2, 2, 3, 'zed bio')`,
}

func seedMT(t testing.TB, tdb testDB) {
	t.Helper()
	for i := len(mtTables) - 1; i >= 0; i-- {
		mustExec(t, tdb.db, "DROP TABLE IF EXISTS "+mtTables[i])
	}
	kp := map[string][2]string{
		"postgres": {"tenant_id INTEGER NOT NULL, id SERIAL", ", PRIMARY KEY (tenant_id, id)"},
		"mysql":    {"tenant_id INTEGER NOT NULL, id INTEGER NOT NULL AUTO_INCREMENT", ", PRIMARY KEY (tenant_id, id), KEY (id)"},
		"sqlite":   {"tenant_id INTEGER NOT NULL, id INTEGER PRIMARY KEY", ", UNIQUE (tenant_id, id)"},
	}[tdb.name]
	key, pk := kp[0], kp[1]
	for _, s := range mtDDL {
		mustExec(t, tdb.db, strings.NewReplacer("{{key}}", key, "{{pk}}", pk).Replace(s))
	}
	mustExec(t, tdb.db, mtData...)
	if tdb.name == "postgres" {
		for _, tb := range mtTables {
			if tb != "mt_memberships" {
				mustExec(t, tdb.db, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) + 1 FROM %s), false)`, tb, tb))
			}
		}
	}
}

// mtKit is one of the two declarations of the fixture: its writer (for tenant 1), how a row
// of tenant 1 is named by key, and values of its struct types.
type mtKit struct {
	name    string
	schema  func(testing.TB) *include.Schema
	writer  func(d dialects.Dialect, s *include.Schema) *write.Writer
	key     func(id int64) write.KeyValue
	project func(name string) any
	post    func(title string) any
	user    func(name string) any
	profile func(bio string) any
	// nested is a user with two posts, a project (role lead) and a profile, all new
	nested func() any
}

func mtKits() []mtKit {
	return []mtKit{
		{
			name:    "explicit keys",
			schema:  explicitTenantSchema,
			writer:  func(d dialects.Dialect, s *include.Schema) *write.Writer { return write.New(s, d) },
			key:     func(id int64) write.KeyValue { return write.Key(int64(1), id) },
			project: func(n string) any { return &TProject{TenantID: 1, Name: n} },
			post:    func(n string) any { return &TPost{Title: n} },
			user:    func(n string) any { return &TUser{TenantID: 1, Name: n} },
			profile: func(n string) any { return &TProfile{Bio: n} },
			nested: func() any {
				return &TUser{TenantID: 1, Name: "eve", Posts: []TPost{{Title: "e1"}, {Title: "e2"}},
					Projects: []TProject{{TenantID: 1, Name: "x", Role: strp("lead")}}, Profile: &TProfile{Bio: "eve bio"}}
			},
		},
		{
			name:   "include.Tenant",
			schema: hiddenTenantSchema,
			writer: func(d dialects.Dialect, s *include.Schema) *write.Writer {
				return write.New(s, d).WithTenant(int64(1))
			},
			key:     func(id int64) write.KeyValue { return write.Key(id) },
			project: func(n string) any { return &HProject{Name: n} },
			post:    func(n string) any { return &HPost{Title: n} },
			user:    func(n string) any { return &HUser{Name: n} },
			profile: func(n string) any { return &HProfile{Bio: n} },
			nested: func() any {
				return &HUser{Name: "eve", Posts: []HPost{{Title: "e1"}, {Title: "e2"}},
					Projects: []HProject{{Name: "x", Role: strp("lead")}}, Profile: &HProfile{Bio: "eve bio"}}
			},
		},
	}
}

// idOf reads a struct value's ID field.
func idOf(v any) int64 { return reflect.ValueOf(v).Elem().FieldByName("ID").Int() }

// TestMultiColumnKeysDB runs every operation over (tenant_id, id) keys on every database,
// for both declarations of the keys, and checks the tables: links carry both columns,
// tenant 2's rows that share nothing are never touched, generated ids flow into two-column
// foreign keys.
func TestMultiColumnKeysDB(t *testing.T) {
	for _, kit := range mtKits() {
		s := kit.schema(t)
		for _, tdb := range openMTDBs(t) {
			t.Run(kit.name+"/"+tdb.name, func(t *testing.T) {
				seedMT(t, tdb)
				mtScenario(t, tdb, kit.writer(tdb.dialect, s), kit)
			})
		}
	}
}

// mtScenario runs every operation over (tenant_id, id) keys through w on the seeded fixture
// and checks the tables after each.
func mtScenario(t *testing.T, tdb testDB, w *write.Writer, kit mtKit) {
	ctx := context.Background()
	k := kit.key
	// belongsToMany
	up := w.Assoc("User", "projects")
	must(t)(up.Add(k(1), k(2), write.Link(k(3), map[string]any{"role": "ops"})).Exec(ctx, tdb.db))
	must(t)(up.Add(k(1), k(2)).Through(map[string]any{"role": "lead"}).Exec(ctx, tdb.db))
	wantTable(t, tdb, "mt_memberships", "1|1|1|lead", "1|1|2|lead", "1|1|3|ops", "1|2|1|dev", "2|3|4|qa")
	if has, err := up.Has(k(1), k(2), k(3)).Bool(ctx, tdb.db); err != nil || !has {
		t.Errorf("has 2, 3: %v %v", has, err)
	}
	if has, err := up.Has(k(2), k(1), k(2)).Bool(ctx, tdb.db); err != nil || has {
		t.Errorf("ben has 1, 2: %v %v", has, err)
	}
	if n, err := up.Count(k(1)).Int(ctx, tdb.db); err != nil || n != 3 {
		t.Errorf("count: %d %v", n, err)
	}
	must(t)(up.Set(k(1), k(3)).Exec(ctx, tdb.db))
	wantTable(t, tdb, "mt_memberships", "1|1|3|ops", "1|2|1|dev", "2|3|4|qa")
	must(t)(up.Remove(k(1), k(3)).Exec(ctx, tdb.db))
	p := kit.project("vostok")
	must(t)(up.Create(k(1), p).Through(map[string]any{"role": "pilot"}).Exec(ctx, tdb.db))
	if idOf(p) != 5 {
		t.Errorf("created project's id: %d, want 5", idOf(p))
	}
	wantTable(t, tdb, "mt_projects", "1|1|apollo", "1|2|gemini", "1|3|mercury", "2|4|vega", "1|5|vostok")
	wantTable(t, tdb, "mt_memberships", "1|1|5|pilot", "1|2|1|dev", "2|3|4|qa")
	// a link across tenants: an error, nothing written
	if _, err := up.Add(k(1), write.Key(int64(2), int64(4))).Exec(ctx, tdb.db); !errors.Is(err, write.ErrWrite) {
		t.Errorf("a link to tenant 2's project: %v", err)
	}
	wantTable(t, tdb, "mt_memberships", "1|1|5|pilot", "1|2|1|dev", "2|3|4|qa")

	// hasMany
	ps := w.Assoc("User", "posts")
	must(t)(ps.Add(k(1), k(2)).Exec(ctx, tdb.db))
	wantTable(t, tdb, "mt_posts", "1|1|1|p1", "1|2|1|p2", "1|3|2|p3", "2|4|3|z1")
	must(t)(ps.Set(k(1), k(2), k(3)).Exec(ctx, tdb.db))
	wantTable(t, tdb, "mt_posts", "1|1|NULL|p1", "1|2|1|p2", "1|3|1|p3", "2|4|3|z1")
	if has, err := ps.Has(k(1), k(2), k(3)).Bool(ctx, tdb.db); err != nil || !has {
		t.Errorf("posts has 2, 3: %v %v", has, err)
	}
	if has, err := ps.Has(k(1), k(1)).Bool(ctx, tdb.db); err != nil || has {
		t.Errorf("posts has 1: %v %v", has, err)
	}
	if n, err := ps.Count(k(1)).Int(ctx, tdb.db); err != nil || n != 2 {
		t.Errorf("posts count: %d %v", n, err)
	}
	must(t)(ps.Remove(k(1), k(3)).Exec(ctx, tdb.db))
	must(t)(ps.Create(k(1), kit.post("p5")).Exec(ctx, tdb.db))
	wantTable(t, tdb, "mt_posts", "1|1|NULL|p1", "1|2|1|p2", "1|3|NULL|p3", "2|4|3|z1", "1|5|1|p5")

	// hasOne
	pr := w.Assoc("User", "profile")
	must(t)(pr.Set(k(2), k(1)).Exec(ctx, tdb.db))
	must(t)(pr.Create(k(1), kit.profile("new")).Exec(ctx, tdb.db))
	wantTable(t, tdb, "mt_profiles", "1|1|2|ann bio", "2|2|3|zed bio", "1|3|1|new")

	// belongsTo
	au := w.Assoc("Post", "author")
	must(t)(au.Set(k(1), k(2)).Exec(ctx, tdb.db))
	wantTable(t, tdb, "mt_posts", "1|1|2|p1", "1|2|1|p2", "1|3|NULL|p3", "2|4|3|z1", "1|5|1|p5")
	must(t)(au.Set(k(1), nil).Exec(ctx, tdb.db))
	must(t)(au.Create(k(2), kit.user("dan")).Exec(ctx, tdb.db))
	wantTable(t, tdb, "mt_posts", "1|1|NULL|p1", "1|2|4|p2", "1|3|NULL|p3", "2|4|3|z1", "1|5|1|p5")

	// nested create: generated ids, the tenant given once
	u := kit.nested()
	must(t)(w.Create(u, "posts", "projects", "profile").Exec(ctx, tdb.db))
	if idOf(u) != 5 {
		t.Errorf("created user's id: %d, want 5", idOf(u))
	}
	wantTable(t, tdb, "mt_users", "1|1|ann", "1|2|ben", "2|3|zed", "1|4|dan", "1|5|eve")
	wantTable(t, tdb, "mt_posts", "1|1|NULL|p1", "1|2|4|p2", "1|3|NULL|p3", "2|4|3|z1", "1|5|1|p5", "1|6|5|e1", "1|7|5|e2")
	wantTable(t, tdb, "mt_projects", "1|1|apollo", "1|2|gemini", "1|3|mercury", "2|4|vega", "1|5|vostok", "1|6|x")
	wantTable(t, tdb, "mt_memberships", "1|1|5|pilot", "1|2|1|dev", "2|3|4|qa", "1|5|6|lead")
	wantTable(t, tdb, "mt_profiles", "1|1|2|ann bio", "2|2|3|zed bio", "1|3|1|new", "1|4|5|eve bio")
}

// TestTwoColumnOtherKeyDB: a join table whose foreign key and other key share no column
// (a user of one tenant linked to a project of any tenant): the other key is matched on
// both of its columns, and has counts distinct (tenant_id, id) pairs.
func TestTwoColumnOtherKeyDB(t *testing.T) {
	ctx := context.Background()
	s := explicitTenantSchema(t)
	s.BelongsToMany("User", "Project", include.As("links"), include.Through("mt_links", "user_tenant", "user_id", "project_tenant", "project_id", "role"),
		include.ForeignKey("user_tenant", "user_id"), include.OtherKey("project_tenant", "project_id"),
		include.SourceKey("tenant_id", "id"), include.TargetKey("tenant_id", "id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	k := func(tenant, id int64) write.KeyValue { return write.Key(tenant, id) }
	for _, tdb := range openMTDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			seedMT(t, tdb)
			mustExec(t, tdb.db, "DROP TABLE IF EXISTS mt_links", `CREATE TABLE mt_links (user_tenant INTEGER NOT NULL, user_id INTEGER NOT NULL, project_tenant INTEGER NOT NULL, project_id INTEGER NOT NULL, role VARCHAR(50),
				PRIMARY KEY (user_tenant, user_id, project_tenant, project_id),
				FOREIGN KEY (user_tenant, user_id) REFERENCES mt_users (tenant_id, id), FOREIGN KEY (project_tenant, project_id) REFERENCES mt_projects (tenant_id, id))`)
			a := write.New(s, tdb.dialect).Assoc("User", "links")
			must(t)(a.Add(k(1, 1), k(2, 4), k(1, 2)).Exec(ctx, tdb.db))
			must(t)(a.Add(k(2, 3), k(2, 4)).Exec(ctx, tdb.db))
			wantTable(t, tdb, "mt_links", "1|1|2|4|NULL", "1|1|1|2|NULL", "2|3|2|4|NULL")
			if has, err := a.Has(k(1, 1), k(2, 4), k(1, 2), k(2, 4)).Bool(ctx, tdb.db); err != nil || !has {
				t.Errorf("has (2, 4), (1, 2): %v %v", has, err)
			}
			if has, err := a.Has(k(1, 1), k(2, 4), k(1, 3)).Bool(ctx, tdb.db); err != nil || has {
				t.Errorf("has (2, 4), (1, 3): %v %v", has, err)
			}
			if n, err := a.Count(k(1, 1)).Int(ctx, tdb.db); err != nil || n != 2 {
				t.Errorf("count: %d %v", n, err)
			}
			must(t)(a.Set(k(1, 1), k(1, 3), k(1, 2)).Exec(ctx, tdb.db))
			wantTable(t, tdb, "mt_links", "1|1|1|2|NULL", "1|1|1|3|NULL", "2|3|2|4|NULL")
			must(t)(a.Remove(k(1, 1), k(1, 2), k(2, 4)).Exec(ctx, tdb.db))
			wantTable(t, tdb, "mt_links", "1|1|1|3|NULL", "2|3|2|4|NULL")
			// the statements: every column of both keys, pairs for the other key
			sts, err := write.New(s, dialects.Postgres).Assoc("User", "links").Has(k(1, 1), k(2, 4), k(1, 2)).Statements()
			if err != nil {
				t.Fatal(err)
			}
			want := `SELECT COUNT(*) FROM (SELECT DISTINCT "mt_projects"."tenant_id", "mt_projects"."id" FROM "mt_projects" INNER JOIN "mt_links" ON "mt_projects"."tenant_id" = "mt_links"."project_tenant" AND "mt_projects"."id" = "mt_links"."project_id" AND "mt_links"."user_tenant" = $1 AND "mt_links"."user_id" = $2 WHERE ("mt_projects"."tenant_id", "mt_projects"."id") IN (($3, $4), ($5, $6))) "linked"`
			if len(sts) != 1 || sts[0].SQL != want || fmt.Sprint(sts[0].Args) != "[1 1 2 4 1 2]" {
				t.Errorf("has: %v", sts)
			}
		})
	}
}
