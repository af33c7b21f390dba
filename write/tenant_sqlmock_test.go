package write_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

// TestMultiColumnStatements runs every operation over (tenant_id, id) keys on sqlmock and
// checks each statement's exact text and arguments: join rows carry every key column,
// removal, has and count match on every column, foreign keys are set and NULLed together
// (the tenant column, part of the child's primary key, is never rewritten), and generated
// ids flow into every column of a multi-column foreign key.
func TestMultiColumnStatements(t *testing.T) {
	ex, hid := explicitTenantSchema(t), hiddenTenantSchema(t)
	pg, my := write.New(ex, dialects.Postgres), write.New(ex, dialects.MySQL)
	lite, noTup := write.New(ex, dialects.SQLite), write.New(ex, noTuples{dialects.SQLite})
	hpg, hmy := write.New(hid, dialects.Postgres).WithTenant(int64(1)), write.New(hid, dialects.MySQL).WithTenant(int64(1))
	// k names a row of tenant 1 in the explicit schema (its whole key), h in the hidden one
	// (the id alone: the Writer's tenant completes it)
	k := func(id int64) write.KeyValue { return write.Key(int64(1), id) }
	h := func(id int64) write.KeyValue { return write.Key(id) }
	var cases []opRunner
	add := func(name string, w *write.Writer, tx bool, op func(w *write.Writer) execer, steps []step, check func(t *testing.T, res write.Result)) {
		cases = append(cases, opRunner{name: name, w: w, tx: tx, op: op, steps: steps, check: check})
	}
	role := map[string]any{"role": "lead"}
	const src = `"mt_memberships"."tenant_id" = $1 AND "mt_memberships"."user_id" = $2`
	add("btm add: SELECT, UPDATE, INSERT of (tenant_id, user_id, project_id)", pg, true,
		func(w *write.Writer) execer { return w.Assoc("User", "projects").Add(k(1), k(2), k(3)).Through(role) },
		[]step{
			q(`SELECT "mt_memberships"."project_id", "mt_memberships"."role" FROM "mt_memberships" WHERE `+src+` AND "mt_memberships"."project_id" IN ($3, $4)`,
				vals(int64(1), int64(1), int64(2), int64(3)), []string{"project_id", "role"}, vals(int64(2), "dev")),
			x(`UPDATE "mt_memberships" SET "role" = $1 WHERE "mt_memberships"."tenant_id" = $2 AND "mt_memberships"."user_id" = $3 AND "mt_memberships"."project_id" IN ($4)`, "lead", int64(1), int64(1), int64(2)),
			x(`INSERT INTO "mt_memberships" ("tenant_id", "user_id", "project_id", "role") VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, int64(1), int64(1), int64(3), "lead"),
		}, nil)
	add("btm add on MySQL with the tenant hidden: the Writer's tenant in every key", hmy, true,
		func(w *write.Writer) execer {
			return w.Assoc("User", "projects").Add(HUser{ID: 1}, h(3), HProject{ID: 4})
		},
		[]step{
			q("SELECT `mt_memberships`.`project_id` FROM `mt_memberships` WHERE `mt_memberships`.`tenant_id` = ? AND `mt_memberships`.`user_id` = ? AND `mt_memberships`.`project_id` IN (?, ?)",
				vals(int64(1), int64(1), int64(3), int64(4)), []string{"project_id"}),
			x("INSERT INTO `mt_memberships` (`tenant_id`, `user_id`, `project_id`) VALUES (?, ?, ?), (?, ?, ?) ON DUPLICATE KEY UPDATE `tenant_id` = `tenant_id`",
				int64(1), int64(1), int64(3), int64(1), int64(1), int64(4)),
		}, nil)
	add("btm set: SELECT, DELETE, INSERT", hpg, true,
		func(w *write.Writer) execer { return w.Assoc("User", "projects").Set(h(1), h(1), h(3)) },
		[]step{
			q(`SELECT "mt_memberships"."project_id" FROM "mt_memberships" WHERE `+src,
				vals(int64(1), int64(1)), []string{"project_id"}, vals(int64(1)), vals(int64(2))),
			x(`DELETE FROM "mt_memberships" WHERE `+src+` AND "mt_memberships"."project_id" IN ($3)`, int64(1), int64(1), int64(2)),
			x(`INSERT INTO "mt_memberships" ("tenant_id", "user_id", "project_id") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, int64(1), int64(1), int64(3)),
		}, nil)
	add("btm remove: the source's every column, the targets' ids", pg, false,
		func(w *write.Writer) execer { return w.Assoc("User", "projects").Remove(k(1), k(2), k(3)) },
		[]step{x(`DELETE FROM "mt_memberships" WHERE `+src+` AND "mt_memberships"."project_id" IN ($3, $4)`, int64(1), int64(1), int64(2), int64(3))}, nil)
	add("btm has: joined on every key column", pg, false,
		func(w *write.Writer) execer { return w.Assoc("User", "projects").Has(k(1), k(2), k(3)) },
		[]step{q(`SELECT COUNT(DISTINCT "mt_projects"."id") FROM "mt_projects" INNER JOIN "mt_memberships" ON "mt_projects"."tenant_id" = "mt_memberships"."tenant_id" AND "mt_projects"."id" = "mt_memberships"."project_id" AND `+src+` WHERE "mt_projects"."id" IN ($3, $4)`,
			vals(int64(1), int64(1), int64(2), int64(3)), []string{"n"}, vals(int64(2)))},
		func(t *testing.T, res write.Result) {
			if !res.Has {
				t.Error("has: false")
			}
		})
	add("btm count", hpg, false,
		func(w *write.Writer) execer { return w.Assoc("User", "projects").Count(h(1)) },
		[]step{q(`SELECT COUNT(*) FROM "mt_projects" INNER JOIN "mt_memberships" ON "mt_projects"."tenant_id" = "mt_memberships"."tenant_id" AND "mt_projects"."id" = "mt_memberships"."project_id" AND `+src,
			vals(int64(1), int64(1)), []string{"n"}, vals(int64(3)))},
		func(t *testing.T, res write.Result) {
			if res.Count != 3 {
				t.Errorf("count %d", res.Count)
			}
		})
	add("btm create: the generated id and the given tenant make the link", hpg, true,
		func(w *write.Writer) execer {
			return w.Assoc("User", "projects").Create(h(1), &HProject{Name: "vostok"}).Through(role)
		},
		[]step{
			q(`INSERT INTO "mt_projects" ("name", "tenant_id") VALUES ($1, $2) RETURNING "id"`, vals("vostok", int64(1)), []string{"id"}, vals(int64(9))),
			x(`INSERT INTO "mt_memberships" ("tenant_id", "user_id", "project_id", "role") VALUES ($1, $2, $3, $4)`, int64(1), int64(1), int64(9), "lead"),
		}, nil)
	add("hasMany add: the foreign key's user_id set, its tenant_id (part of the post's key) matched", pg, false,
		func(w *write.Writer) execer { return w.Assoc("User", "posts").Add(k(1), k(2), k(3)) },
		[]step{x(`UPDATE "mt_posts" SET "user_id" = $1 WHERE ("mt_posts"."tenant_id", "mt_posts"."id") IN (($2, $3), ($4, $5))`, int64(1), int64(1), int64(2), int64(1), int64(3))}, nil)
	add("hasMany set: unlink the others, link the given", pg, true,
		func(w *write.Writer) execer { return w.Assoc("User", "posts").Set(k(1), k(2)) },
		[]step{
			x(`UPDATE "mt_posts" SET "user_id" = NULL WHERE "mt_posts"."tenant_id" = $1 AND "mt_posts"."user_id" = $2 AND ("mt_posts"."tenant_id", "mt_posts"."id") NOT IN (($3, $4))`, int64(1), int64(1), int64(1), int64(2)),
			x(`UPDATE "mt_posts" SET "user_id" = $1 WHERE ("mt_posts"."tenant_id", "mt_posts"."id") IN (($2, $3))`, int64(1), int64(1), int64(2)),
		}, nil)
	add("hasMany remove", my, false,
		func(w *write.Writer) execer { return w.Assoc("User", "posts").Remove(k(1), k(2), k(3)) },
		[]step{x("UPDATE `mt_posts` SET `user_id` = NULL WHERE `mt_posts`.`tenant_id` = ? AND `mt_posts`.`user_id` = ? AND (`mt_posts`.`tenant_id`, `mt_posts`.`id`) IN ((?, ?), (?, ?))",
			int64(1), int64(1), int64(1), int64(2), int64(1), int64(3))}, nil)
	add("hasMany remove without row values: ORs of ANDs", noTup, false,
		func(w *write.Writer) execer {
			return w.Assoc("User", "posts").Remove(k(1), k(2), k(3)).DeleteUnlinked()
		},
		[]step{x(`DELETE FROM "mt_posts" WHERE "mt_posts"."tenant_id" = ? AND "mt_posts"."user_id" = ? AND (("mt_posts"."tenant_id" = ? AND "mt_posts"."id" = ?) OR ("mt_posts"."tenant_id" = ? AND "mt_posts"."id" = ?))`,
			int64(1), int64(1), int64(1), int64(2), int64(1), int64(3))}, nil)
	add("hasMany has without row values", noTup, false,
		func(w *write.Writer) execer { return w.Assoc("User", "posts").Has(k(1), k(2), k(3)) },
		[]step{q(`SELECT COUNT(*) FROM "mt_posts" WHERE "mt_posts"."tenant_id" = ? AND "mt_posts"."user_id" = ? AND (("mt_posts"."tenant_id" = ? AND "mt_posts"."id" = ?) OR ("mt_posts"."tenant_id" = ? AND "mt_posts"."id" = ?))`,
			vals(int64(1), int64(1), int64(1), int64(2), int64(1), int64(3)), []string{"n"}, vals(int64(2)))},
		func(t *testing.T, res write.Result) {
			if !res.Has {
				t.Error("has: false")
			}
		})
	add("hasMany count", lite, false,
		func(w *write.Writer) execer { return w.Assoc("User", "posts").Count(k(1)) },
		[]step{q(`SELECT COUNT(*) FROM "mt_posts" WHERE "mt_posts"."tenant_id" = ? AND "mt_posts"."user_id" = ?`, vals(int64(1), int64(1)), []string{"n"}, vals(int64(2)))}, nil)
	add("hasMany create: both foreign-key columns from the source", lite, false,
		func(w *write.Writer) execer { return w.Assoc("User", "posts").Create(k(1), &TPost{Title: "t"}) },
		[]step{q(`INSERT INTO "mt_posts" ("tenant_id", "user_id", "title") VALUES (?, ?, ?) RETURNING "id"`, vals(int64(1), int64(1), "t"), []string{"id"}, vals(int64(7)))}, nil)
	add("hasOne set", hpg, true,
		func(w *write.Writer) execer { return w.Assoc("User", "profile").Set(h(1), HProfile{ID: 2}) },
		[]step{
			x(`UPDATE "mt_profiles" SET "user_id" = NULL WHERE "mt_profiles"."tenant_id" = $1 AND "mt_profiles"."user_id" = $2 AND ("mt_profiles"."tenant_id", "mt_profiles"."id") NOT IN (($3, $4))`, int64(1), int64(1), int64(1), int64(2)),
			x(`UPDATE "mt_profiles" SET "user_id" = $1 WHERE ("mt_profiles"."tenant_id", "mt_profiles"."id") IN (($2, $3))`, int64(1), int64(1), int64(2)),
		}, nil)
	add("hasOne create unlinks the previous child", hpg, true,
		func(w *write.Writer) execer { return w.Assoc("User", "profile").Create(h(1), &HProfile{Bio: "b"}) },
		[]step{
			x(`UPDATE "mt_profiles" SET "user_id" = NULL WHERE "mt_profiles"."tenant_id" = $1 AND "mt_profiles"."user_id" = $2`, int64(1), int64(1)),
			q(`INSERT INTO "mt_profiles" ("user_id", "bio", "tenant_id") VALUES ($1, $2, $3) RETURNING "id"`, vals(int64(1), "b", int64(1)), []string{"id"}, vals(int64(3))),
		}, nil)
	add("belongsTo set: the source's key on every column", pg, false,
		func(w *write.Writer) execer { return w.Assoc("Post", "author").Set(k(1), TUser{TenantID: 1, ID: 2}) },
		[]step{x(`UPDATE "mt_posts" SET "user_id" = $1 WHERE "mt_posts"."tenant_id" = $2 AND "mt_posts"."id" = $3`, int64(2), int64(1), int64(1))}, nil)
	add("belongsTo unset: user_id NULL, tenant_id kept", hpg, false,
		func(w *write.Writer) execer { return w.Assoc("Post", "author").Set(h(1), nil) },
		[]step{x(`UPDATE "mt_posts" SET "user_id" = $1 WHERE "mt_posts"."tenant_id" = $2 AND "mt_posts"."id" = $3`, nil, int64(1), int64(1))}, nil)
	add("belongsTo create", pg, true,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "author").Create(k(1), &TUser{TenantID: 1, Name: "u"})
		},
		[]step{
			q(`INSERT INTO "mt_users" ("tenant_id", "name") VALUES ($1, $2) RETURNING "id"`, vals(int64(1), "u"), []string{"id"}, vals(int64(4))),
			x(`UPDATE "mt_posts" SET "user_id" = $1 WHERE "mt_posts"."tenant_id" = $2 AND "mt_posts"."id" = $3`, int64(4), int64(1), int64(1)),
		}, nil)
	add("nested create: generated ids flow into (tenant_id, user_id) and the join rows", hpg, true,
		func(w *write.Writer) execer {
			us := []HUser{
				{Name: "a", Posts: []HPost{{Title: "a1"}, {Title: "a2"}}, Projects: []HProject{{Name: "x", Role: strp("lead")}}, Profile: &HProfile{Bio: "ab"}},
				{Name: "b", Projects: []HProject{{Name: "y"}}},
			}
			return w.Create(&us, "posts", "projects", "profile")
		},
		[]step{
			q(`INSERT INTO "mt_users" ("name", "tenant_id") VALUES ($1, $2), ($3, $4) RETURNING "id"`, vals("a", int64(1), "b", int64(1)), []string{"id"}, vals(int64(10)), vals(int64(11))),
			q(`INSERT INTO "mt_posts" ("user_id", "title", "tenant_id") VALUES ($1, $2, $3), ($4, $5, $6) RETURNING "id"`, vals(int64(10), "a1", int64(1), int64(10), "a2", int64(1)), []string{"id"}, vals(int64(20)), vals(int64(21))),
			q(`INSERT INTO "mt_projects" ("name", "tenant_id") VALUES ($1, $2), ($3, $4) RETURNING "id"`, vals("x", int64(1), "y", int64(1)), []string{"id"}, vals(int64(30)), vals(int64(31))),
			x(`INSERT INTO "mt_memberships" ("tenant_id", "user_id", "project_id", "role") VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)`, int64(1), int64(10), int64(30), "lead", int64(1), int64(11), int64(31), nil),
			q(`INSERT INTO "mt_profiles" ("user_id", "bio", "tenant_id") VALUES ($1, $2, $3) RETURNING "id"`, vals(int64(10), "ab", int64(1)), []string{"id"}, vals(int64(40))),
		}, nil)
	add("nested create on MySQL: consecutive ids from LastInsertId, the tenant given", my, true,
		func(w *write.Writer) execer {
			us := []TUser{{TenantID: 2, Name: "a", Posts: []TPost{{Title: "a1"}}}, {TenantID: 2, Name: "b", Posts: []TPost{{Title: "b1"}}}}
			return w.Create(&us, "posts")
		},
		[]step{
			q("SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment", nil, []string{"m", "i"}, vals(int64(1), int64(1))),
			{sql: "INSERT INTO `mt_users` (`tenant_id`, `name`) VALUES (?, ?), (?, ?)", args: vals(int64(2), "a", int64(2), "b"), exec: true, last: 11, n: 2},
			{sql: "INSERT INTO `mt_posts` (`tenant_id`, `user_id`, `title`) VALUES (?, ?, ?), (?, ?, ?)", args: vals(int64(2), int64(11), "a1", int64(2), int64(12), "b1"), exec: true, last: 5, n: 2},
		}, nil)
	add("INSERTs split at the bind-parameter limit: a join row of 3 key columns and a value is 4 parameters", hpg.WithMaxParams(8), true,
		func(w *write.Writer) execer {
			return w.Create(&HUser{Name: "a", Projects: []HProject{{Name: "x", Role: strp("lead")}, {Name: "y", Role: strp("lead")}, {Name: "z", Role: strp("dev")}}}, "projects")
		},
		[]step{
			q(`INSERT INTO "mt_users" ("name", "tenant_id") VALUES ($1, $2) RETURNING "id"`, vals("a", int64(1)), []string{"id"}, vals(int64(10))),
			q(`INSERT INTO "mt_projects" ("name", "tenant_id") VALUES ($1, $2), ($3, $4), ($5, $6) RETURNING "id"`, vals("x", int64(1), "y", int64(1), "z", int64(1)), []string{"id"}, vals(int64(30)), vals(int64(31)), vals(int64(32))),
			x(`INSERT INTO "mt_memberships" ("tenant_id", "user_id", "project_id", "role") VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)`,
				int64(1), int64(10), int64(30), "lead", int64(1), int64(10), int64(31), "lead"),
			x(`INSERT INTO "mt_memberships" ("tenant_id", "user_id", "project_id", "role") VALUES ($1, $2, $3, $4)`, int64(1), int64(10), int64(32), "dev"),
		}, nil)
	add("key lists split at the bind-parameter limit: a (tenant_id, id) key is 2 parameters", pg.WithMaxParams(14), true,
		func(w *write.Writer) execer { return w.Assoc("User", "posts").Remove(k(1), k(2), k(3), k(4)) },
		[]step{
			// 14 parameters less the source's 2 and 8 held back: 2 keys a statement
			x(`UPDATE "mt_posts" SET "user_id" = NULL WHERE "mt_posts"."tenant_id" = $1 AND "mt_posts"."user_id" = $2 AND ("mt_posts"."tenant_id", "mt_posts"."id") IN (($3, $4), ($5, $6))`,
				int64(1), int64(1), int64(1), int64(2), int64(1), int64(3)),
			x(`UPDATE "mt_posts" SET "user_id" = NULL WHERE "mt_posts"."tenant_id" = $1 AND "mt_posts"."user_id" = $2 AND ("mt_posts"."tenant_id", "mt_posts"."id") IN (($3, $4))`,
				int64(1), int64(1), int64(1), int64(4)),
		}, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, mock := newMock(t)
			expectSteps(mock, c.tx, c.steps)
			res, err := c.op(c.w).Exec(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Statements) != len(c.steps) {
				t.Errorf("Result.Statements: %d, want %d", len(res.Statements), len(c.steps))
			}
			if c.check != nil {
				c.check(t, res)
			}
		})
	}
}

// TestMultiColumnWrittenBack: the keys a nested create generates and the foreign keys it
// sets land in the values, a hidden tenant column nowhere.
func TestMultiColumnWrittenBack(t *testing.T) {
	db, mock := newMock(t)
	w := write.New(explicitTenantSchema(t), dialects.Postgres)
	expectSteps(mock, true, []step{
		q(`INSERT INTO "mt_users" ("tenant_id", "name") VALUES ($1, $2) RETURNING "id"`, vals(int64(3), "a"), []string{"id"}, vals(int64(10))),
		q(`INSERT INTO "mt_posts" ("tenant_id", "user_id", "title") VALUES ($1, $2, $3) RETURNING "id"`, vals(int64(3), int64(10), "a1"), []string{"id"}, vals(int64(20))),
		q(`INSERT INTO "mt_profiles" ("tenant_id", "user_id", "bio") VALUES ($1, $2, $3) RETURNING "id"`, vals(int64(3), int64(10), "b"), []string{"id"}, vals(int64(30))),
	})
	u := &TUser{TenantID: 3, Name: "a", Posts: []TPost{{Title: "a1"}}, Profile: &TProfile{Bio: "b"}}
	if _, err := w.Create(u, "posts", "profile").Exec(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	p := u.Posts[0]
	if u.ID != 10 || p.ID != 20 || p.TenantID != 3 || p.UserID == nil || *p.UserID != 10 || u.Profile.TenantID != 3 || *u.Profile.UserID != 10 || u.Profile.ID != 30 {
		t.Errorf("keys not written back: %+v %+v %+v", u, p, u.Profile)
	}
}

// TestMultiColumnBadInput: a key with columns missing, a link across tenants, a hidden
// tenant column without a value: errors that name the columns (or the option), before any
// statement runs.
func TestMultiColumnBadInput(t *testing.T) {
	ex, hid := explicitTenantSchema(t), hiddenTenantSchema(t)
	w := write.New(ex, dialects.Postgres)
	hw := write.New(hid, dialects.Postgres)
	ctx := context.Background()
	db, _ := newMock(t)
	for _, c := range []struct {
		name string
		run  func() (write.Result, error)
		want error
		msg  string
	}{
		{"a source without its id", func() (write.Result, error) {
			return w.Assoc("User", "projects").Add(TUser{TenantID: 1}, write.Key(1, 2)).Exec(ctx, db)
		}, write.ErrMissingKey, "add User.projects: the User has no id of its key (tenant_id, id) (was it saved?)"},
		{"a target without its tenant", func() (write.Result, error) {
			return w.Assoc("User", "projects").Add(write.Key(1, 1), TProject{ID: 2}).Exec(ctx, db)
		}, write.ErrMissingKey, "target 1 of add User.projects: the Project has no tenant_id of its key (tenant_id, id)"},
		{"a belongsTo target without its id", func() (write.Result, error) {
			return w.Assoc("Post", "author").Set(write.Key(1, 1), TUser{TenantID: 1}).Exec(ctx, db)
		}, write.ErrMissingKey, "the User has no id of its key (tenant_id, id)"},
		{"a write.Key of one column for a key of two", func() (write.Result, error) {
			return w.Assoc("User", "posts").Remove(write.Key(1), write.Key(1, 2)).Exec(ctx, db)
		}, write.ErrBadInput, "write.Key has 1 values; User's primary key is (tenant_id, id)"},
		{"write.Keys for a key of two columns", func() (write.Result, error) {
			return w.Assoc("User", "posts").Remove(write.Key(1, 1), write.Keys(2, 3)).Exec(ctx, db)
		}, write.ErrBadInput, "write.Keys names rows by a single-column key; Post's primary key is (tenant_id, id)"},
		{"a belongsToMany link across tenants", func() (write.Result, error) {
			return w.Assoc("User", "projects").Add(write.Key(1, 1), write.Key(2, 4)).Exec(ctx, db)
		}, write.ErrBadInput, "the target 1's tenant_id is 2 and the source's tenant_id is 1, but join table mt_memberships has one tenant_id column for both"},
		{"a hasMany child of another tenant", func() (write.Result, error) {
			return w.Assoc("User", "posts").Add(write.Key(1, 1), write.Key(2, 4)).Exec(ctx, db)
		}, write.ErrBadInput, "the target 1's tenant_id is 2 and the source's is 1: a link cannot change tenant_id, which is part of Post's primary key (tenant_id, id)"},
		{"a belongsTo target of another tenant", func() (write.Result, error) {
			return w.Assoc("Post", "author").Set(write.Key(1, 1), write.Key(2, 4)).Exec(ctx, db)
		}, write.ErrBadInput, "a link cannot change tenant_id, which is part of Post's primary key"},
		{"a created child naming another owner", func() (write.Result, error) {
			return w.Assoc("User", "posts").Create(write.Key(1, 1), &TPost{TenantID: 2, Title: "x"}).Exec(ctx, db)
		}, write.ErrScopeConflict, "the value's tenant_id is 2, not the source's 1"},
		{"a hidden tenant column without a value", func() (write.Result, error) {
			return hw.Assoc("User", "projects").Add(HUser{ID: 1}, write.Key(int64(1), int64(2))).Exec(ctx, db)
		}, write.ErrMissingKey, "the source of add User.projects is a User, whose tenant column tenant_id is hidden (include.Tenant: no field or map key holds it); pass its value with the operation's Tenant(v)"},
		{"a nested create of hidden tenant columns without a value", func() (write.Result, error) {
			return hw.Create(&HUser{Name: "x"}).Exec(ctx, db)
		}, write.ErrMissingKey, "whose tenant column tenant_id is hidden"},
		{"a short write.Key without a tenant", func() (write.Result, error) {
			return hw.Assoc("User", "posts").Remove(write.Key(1, 1), write.Key(2)).Exec(ctx, db)
		}, write.ErrBadInput, "write.Key has 1 values; Post's primary key is (tenant_id, id) (without tenant_id when the operation's Tenant(v) gives it)"},
		{"a write.Key of another tenant than the operation's", func() (write.Result, error) {
			return hw.Assoc("User", "posts").Remove(write.Key(1), write.Key(2, 4)).Tenant(1).Exec(ctx, db)
		}, write.ErrScopeConflict, "the target 1 of remove User.posts write.Key has tenant_id 2, but the operation's Tenant is 1"},
		{"an empty tenant", func() (write.Result, error) {
			return hw.Create(&HUser{Name: "x"}).Tenant(0).Exec(ctx, db)
		}, write.ErrMissingKey, "Tenant(0) is empty"},
		{"a tenant for a schema without one", func() (write.Result, error) {
			return w.Assoc("User", "posts").Count(write.Key(1, 1)).Tenant(1).Exec(ctx, db)
		}, write.ErrBadInput, "the schema has no tenant column (include.Tenant)"},
		{"a hasMany foreign key inside the child's key cannot be NULLed", func() (write.Result, error) {
			return write.New(memberSchema(t), dialects.Postgres).Assoc("Org", "staff").Remove(write.Key("t", "o"), write.Key("t", "o", 1)).Exec(ctx, db)
		}, write.ErrBadInput, "the foreign key (tenant_id, org_id) is part of Member's primary key (tenant_id, org_id, seq), so a child cannot be unlinked by setting it to NULL; pass DeleteUnlinked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := c.run()
			if !errors.Is(err, c.want) || !errors.Is(err, write.ErrWrite) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not say %q", err, c.msg)
			}
			if len(res.Statements) != 0 {
				t.Errorf("%d statements ran", len(res.Statements))
			}
		})
	}
}

// memberSchema: a child whose whole foreign key is part of its primary key.
func memberSchema(t testing.TB) *include.Schema {
	t.Helper()
	type TMember struct {
		TenantID string `db:"tenant_id"`
		OrgID    string `db:"org_id"`
		Seq      int64  `db:"seq"`
	}
	type TOrg struct {
		TenantID string    `db:"tenant_id"`
		ID       string    `db:"id"`
		Staff    []TMember `joinery:"staff"`
	}
	s := include.NewSchema()
	s.Define(TOrg{}, "orgs", include.Name("Org"), include.PrimaryKey("tenant_id", "id"))
	s.Define(TMember{}, "members", include.Name("Member"), include.PrimaryKey("tenant_id", "org_id", "seq"))
	s.HasMany("Org", "Member", include.As("staff"), include.ForeignKey("tenant_id", "org_id"), include.SourceKey("tenant_id", "id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// VUser and VPost are models of an include.Tenant schema that do hold the tenant column.
type VUser struct {
	TenantID int64   `db:"tenant_id"`
	ID       int64   `db:"id"`
	Name     string  `db:"name"`
	Posts    []VPost `joinery:"posts"`
}

type VPost struct {
	TenantID int64  `db:"tenant_id"`
	ID       int64  `db:"id"`
	UserID   *int64 `db:"user_id"`
	Title    string `db:"title"`
}

// TestTenantVisibleField: under include.Tenant a model may hold the tenant column in a
// field; the operation's Tenant fills it where it is unset (and writes it back), and a
// field holding another tenant is an error. write.Keys names rows by id alone.
func TestTenantVisibleField(t *testing.T) {
	s := include.NewSchema(include.Tenant("tenant_id"))
	s.Define(VUser{}, "mt_users", include.Name("User"))
	s.Define(VPost{}, "mt_posts", include.Name("Post"))
	s.HasMany("User", "Post", include.As("posts"), include.ForeignKey("user_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	w := write.New(s, dialects.Postgres)
	ctx := context.Background()
	t.Run("filled in and written back", func(t *testing.T) {
		db, mock := newMock(t)
		expectSteps(mock, true, []step{
			q(`INSERT INTO "mt_users" ("tenant_id", "name") VALUES ($1, $2) RETURNING "id"`, vals(int64(5), "a"), []string{"id"}, vals(int64(10))),
			q(`INSERT INTO "mt_posts" ("tenant_id", "user_id", "title") VALUES ($1, $2, $3) RETURNING "id"`, vals(int64(5), int64(10), "a1"), []string{"id"}, vals(int64(20))),
		})
		u := &VUser{Name: "a", Posts: []VPost{{Title: "a1"}}}
		if _, err := w.Create(u, "posts").Tenant(int64(5)).Exec(ctx, db); err != nil {
			t.Fatal(err)
		}
		if u.TenantID != 5 || u.ID != 10 || u.Posts[0].TenantID != 5 || *u.Posts[0].UserID != 10 {
			t.Errorf("not written back: %+v", u)
		}
	})
	t.Run("write.Keys with the tenant", func(t *testing.T) {
		db, mock := newMock(t)
		expectSteps(mock, false, []step{
			x(`UPDATE "mt_posts" SET "user_id" = NULL WHERE "mt_posts"."tenant_id" = $1 AND "mt_posts"."user_id" = $2 AND ("mt_posts"."tenant_id", "mt_posts"."id") IN (($3, $4), ($5, $6))`,
				int64(5), int64(1), int64(5), int64(2), int64(5), int64(3)),
		})
		if _, err := w.WithTenant(int64(5)).Assoc("User", "posts").Remove(write.Key(int64(1)), write.Keys[int64](2, 3)).Exec(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("another tenant in the field", func(t *testing.T) {
		db, _ := newMock(t) // expects no statement
		_, err := w.Create(&VUser{TenantID: 6, Name: "a"}).Tenant(int64(5)).Exec(ctx, db)
		if !errors.Is(err, write.ErrScopeConflict) || !strings.Contains(err.Error(), "User.tenant_id is 6, but the operation's Tenant is 5") {
			t.Errorf("error %v", err)
		}
	})
}

type HProduct struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

type HPurchase struct {
	ID        int64 `db:"id"`
	UserID    int64 `db:"user_id"`
	ProductID int64 `db:"product_id"`
	Quantity  int64 `db:"quantity"`
}

// TestTenantMoreStatements: a belongsTo parent created first, its generated id flowing into
// (tenant_id, user_id); a non-unique join model whose links are told apart by their own
// (tenant_id, id) key.
func TestTenantMoreStatements(t *testing.T) {
	s := hiddenTenantSchema(t)
	s.Define(HProduct{}, "mt_products", include.Name("Product"))
	s.Define(HPurchase{}, "mt_purchases", include.Name("Purchase"))
	type HBuyer struct {
		ID        int64      `db:"id"`
		Purchases []HProduct `joinery:"purchases"`
	}
	s.Define(HBuyer{}, "mt_buyers", include.Name("Buyer"))
	s.BelongsToMany("Buyer", "Product", include.As("purchases"), include.ThroughModel("Purchase"),
		include.ForeignKey("user_id"), include.OtherKey("product_id"), include.NonUnique())
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	w := write.New(s, dialects.Postgres).WithTenant(int64(1))
	ctx := context.Background()
	for _, c := range []opRunner{
		{name: "nested create: the author first, its id into (tenant_id, user_id)", tx: true,
			op: func(w *write.Writer) execer { return w.Create(&HPost{Title: "a", Author: &HUser{Name: "x"}}, "author") },
			steps: []step{
				q(`INSERT INTO "mt_users" ("name", "tenant_id") VALUES ($1, $2) RETURNING "id"`, vals("x", int64(1)), []string{"id"}, vals(int64(7))),
				q(`INSERT INTO "mt_posts" ("user_id", "title", "tenant_id") VALUES ($1, $2, $3) RETURNING "id"`, vals(int64(7), "a", int64(1)), []string{"id"}, vals(int64(8))),
			}},
		{name: "non-unique set: links told apart by (tenant_id, id)", tx: true,
			op: func(w *write.Writer) execer {
				return w.Assoc("Buyer", "purchases").Set(write.Key(int64(1)), write.Key(int64(5)), write.Key(int64(6))).Through(map[string]any{"quantity": 1})
			},
			steps: []step{
				q(`SELECT "mt_purchases"."tenant_id", "mt_purchases"."id", "mt_purchases"."product_id", "mt_purchases"."quantity" FROM "mt_purchases" WHERE "mt_purchases"."tenant_id" = $1 AND "mt_purchases"."user_id" = $2 ORDER BY "mt_purchases"."tenant_id", "mt_purchases"."id"`,
					vals(int64(1), int64(1)), []string{"tenant_id", "id", "product_id", "quantity"},
					vals(int64(1), int64(10), int64(5), int64(1)), vals(int64(1), int64(11), int64(5), int64(2)), vals(int64(1), int64(12), int64(7), int64(1))),
				x(`DELETE FROM "mt_purchases" WHERE "mt_purchases"."tenant_id" = $1 AND "mt_purchases"."user_id" = $2 AND ("mt_purchases"."tenant_id", "mt_purchases"."id") IN (($3, $4), ($5, $6))`,
					int64(1), int64(1), int64(1), int64(11), int64(1), int64(12)),
				x(`INSERT INTO "mt_purchases" ("tenant_id", "user_id", "product_id", "quantity") VALUES ($1, $2, $3, $4)`, int64(1), int64(1), int64(6), 1),
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, mock := newMock(t)
			expectSteps(mock, c.tx, c.steps)
			res, err := c.op(w).Exec(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Statements) != len(c.steps) {
				t.Errorf("Result.Statements: %d, want %d", len(res.Statements), len(c.steps))
			}
		})
	}
}

// TestTenantMaps: run-time models of an include.Tenant schema: the maps hold no tenant
// column (the operation's Tenant fills it), and a map that does is refused.
func TestTenantMaps(t *testing.T) {
	s := include.NewSchema(include.Tenant("tenant_id"))
	s.DefineMap("Item", "items", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}})
	s.DefineMap("Part", "parts", []include.Attr{{Name: "id", Type: include.Int}, {Name: "itemId", Column: "item_id", Type: include.Int}, {Name: "name"}})
	s.HasMany("Item", "Part", include.As("parts"), include.ForeignKey("itemId"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	w := write.New(s, dialects.Postgres)
	ctx := context.Background()
	db, mock := newMock(t)
	expectSteps(mock, true, []step{
		q(`INSERT INTO "items" ("name", "tenant_id") VALUES ($1, $2) RETURNING "id"`, vals("i", "acme"), []string{"id"}, vals(int64(3))),
		q(`INSERT INTO "parts" ("item_id", "name", "tenant_id") VALUES ($1, $2, $3) RETURNING "id"`, vals(int64(3), "p", "acme"), []string{"id"}, vals(int64(4))),
	})
	item := map[string]any{"name": "i", "parts": []map[string]any{{"name": "p"}}}
	if _, err := w.CreateMap("Item", item, "parts").Tenant("acme").Exec(ctx, db); err != nil {
		t.Fatal(err)
	}
	part := item["parts"].([]map[string]any)[0]
	if item["id"] != int64(3) || part["id"] != int64(4) || part["itemId"] != int64(3) || part["tenant_id"] != nil || item["tenant_id"] != nil {
		t.Errorf("written back: %v %v", item, part)
	}
	_, err := w.CreateMap("Item", map[string]any{"name": "i", "tenant_id": "other"}).Tenant("acme").Exec(ctx, db)
	if !errors.Is(err, write.ErrBadInput) || !strings.Contains(err.Error(), `"tenant_id" is Item's hidden tenant column (include.Tenant), which no value holds; pass it with the operation's Tenant(v)`) {
		t.Errorf("a map holding the hidden column: %v", err)
	}
}
