package write_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

func TestReview3S9Tenant(t *testing.T) {
	ctx := context.Background()
	for _, kit := range mtKits() {
		s := kit.schema(t)
		for _, tdb := range openMTDBs(t) {
			t.Run(kit.name+"/"+tdb.name, func(t *testing.T) {
				seedMT(t, tdb)
				w := kit.writer(tdb.dialect, s)
				if kit.name == "explicit keys" {
					prj := []TProject{{TenantID: 1, Name: "shp", Role: strp("r")}}
					us := []*TUser{
						{TenantID: 1, Name: "u1", Posts: []TPost{{TenantID: 1, Title: "a"}}, Profile: &TProfile{TenantID: 1, Bio: "b1"}, Projects: prj},
						{TenantID: 1, Name: "u2", Posts: []TPost{{Title: "b"}}, Projects: prj},
					}
					must(t)(w.Create(&us, "posts", "profile", "projects").Exec(ctx, tdb.db))
					// posts with a new author, from the post side, tenant from the author
					ps := []TPost{{Title: "x", Author: &TUser{TenantID: 1, Name: "au", Profile: &TProfile{Bio: "aub"}}}}
					must(t)(w.Create(&ps, "author", "author.profile").Exec(ctx, tdb.db))
					wantRows(t, tdb, "SELECT p.tenant_id, u.name FROM mt_posts p JOIN mt_users u ON u.tenant_id = p.tenant_id AND u.id = p.user_id WHERE p.title='x'", "1|au")
					// existing user as parent given by key with id: posts carry keys
					one := int64(1)
					must(t)(w.Create(&TPost{TenantID: 1, UserID: &one, Title: "byk"}).Exec(ctx, tdb.db))
				} else {
					us := []*HUser{{Name: "u1", Posts: []HPost{{Title: "a"}}, Profile: &HProfile{Bio: "b1"}}}
					must(t)(w.Create(&us, "posts", "profile", "projects").Exec(ctx, tdb.db))
					ps := []HPost{{Title: "x", Author: &HUser{Name: "au", Profile: &HProfile{Bio: "aub"}}}}
					must(t)(w.Create(&ps, "author", "author.profile").Exec(ctx, tdb.db))
				}
			})
		}
	}
}

// hasMany Op with keys as strings / floats / json.Number
func TestReview3S10OpKeys(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		pc := w.Assoc("Post", "comments")
		must(t)(pc.Add(write.Key("1"), write.Key(3.0), write.Key(json.Number("2"))).Exec(ctx, tdb.db))
		wantTable(t, tdb, "comments", "1|post|1|c1", "2|post|1|c2", "3|post|1|c3")
		ok, err := pc.Has(write.Key(1.0), write.Key("1"), write.Key(json.Number("3")), write.Key(int64(2))).Bool(ctx, tdb.db)
		if err != nil || !ok {
			t.Errorf("has: %v %v", ok, err)
		}
		n, err := pc.Count(write.Key("1")).Int(ctx, tdb.db)
		if err != nil || n != 3 {
			t.Errorf("count %d %v", n, err)
		}
		must(t)(w.WithMaxParams(2).Assoc("Post", "comments").Set(write.Key("1"), write.Key("1"), write.Key(json.Number("2")), write.Key(3.0)).Exec(ctx, tdb.db))
		wantTable(t, tdb, "comments", "1|post|1|c1", "2|post|1|c2", "3|post|1|c3")
		must(t)(pc.Remove(write.Key(json.Number("1")), write.Key("3")).Exec(ctx, tdb.db))
		wantTable(t, tdb, "comments", "1|post|1|c1", "2|post|1|c2", "3|post|NULL|c3")
		a := w.Assoc("User", "projects")
		must(t)(a.Set(write.Key("1"), write.Key(json.Number("1")), write.Key(2.0)).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|dev", "2|1|qa")
		ok, err = a.Has(write.Key(1.0), write.Key("1"), write.Key(json.Number("2"))).Bool(ctx, tdb.db)
		if err != nil || !ok {
			t.Errorf("btm has: %v %v", ok, err)
		}
		must(t)(a.Remove(write.Key(json.Number("1")), write.Key("2")).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|1|lead", "2|1|qa")
		pu := w.Assoc("User", "purchases")
		must(t)(pu.Set(write.Key(int64(1)), write.Key("1"), write.Key(1.0)).Through(map[string]any{"quantity": json.Number("2")}).Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT id, user_id, product_id, quantity FROM purchases ORDER BY id", "1|1|1|2", "2|1|1|2")
		au := w.Assoc("Post", "author")
		must(t)(au.Set(write.Key("4"), write.Key(json.Number("2"))).Exec(ctx, tdb.db))
		prof := w.Assoc("User", "profile")
		must(t)(prof.Set(write.Key("2"), write.Key(1.0)).Exec(ctx, tdb.db))
		wantTable(t, tdb, "profiles", "1|2|ann bio")
	})
}

var _ = include.NewSchema
