package include_test

import (
	"testing"

	"github.com/joinery/joinery/include"
)

type tUser struct {
	TenantID int64  `db:"tenant_id"`
	ID       int64  `db:"id"`
	Email    string `db:"email"`
	Posts    []tPost
}

type tPost struct {
	TenantID int64  `db:"tenant_id"`
	ID       int64  `db:"id"`
	UserID   int64  `db:"user_id"`
	UserRef  string `db:"user_ref"`
	Author   *tUser
}

func tenantModels(t *testing.T, opts ...include.SchemaOption) *include.Schema {
	t.Helper()
	s := include.NewSchema(opts...)
	if _, err := s.Define(tUser{}, "users", include.PrimaryKey("tenant_id", "id")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Define(tPost{}, "posts", include.PrimaryKey("tenant_id", "id")); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMultiColumnKeys(t *testing.T) {
	s := tenantModels(t)
	hm := assoc(t)(s.HasMany("tUser", "tPost", include.As("Posts"), include.SourceKey("tenant_id", "id"), include.ForeignKey("tenant_id", "user_id")))
	if key(hm.SourceKeys) != "tenant_id,id" || key(hm.ForeignKeys) != "tenant_id,user_id" {
		t.Fatalf("HasMany keys: %v -> %v", hm.ForeignKeys, hm.SourceKeys)
	}
	bt := assoc(t)(s.BelongsTo("tPost", "tUser", include.As("Author"), include.TargetKey("tenant_id", "id"), include.ForeignKey("tenant_id", "user_id")))
	if key(bt.TargetKeys) != "tenant_id,id" || key(bt.ForeignKeys) != "tenant_id,user_id" {
		t.Fatalf("BelongsTo keys: %v -> %v", bt.ForeignKeys, bt.TargetKeys)
	}
}

func TestMultiColumnKeyErrors(t *testing.T) {
	s := tenantModels(t)
	_, err := s.HasMany("tUser", "tPost", include.As("Posts"), include.SourceKey("tenant_id", "id"), include.ForeignKey("user_id"))
	wantDefErr(t, err, `the foreign key "user_id" has 1 column(s) and the source key (tenant_id, id) it references has 2`, "include.SourceKey with as many columns")
	_, err = s.HasMany("tUser", "tPost", include.As("Posts"), include.ForeignKey("tenant_id", "user_id"))
	wantDefErr(t, err, "tUser has a composite primary key (tenant_id, id)", "include.SourceKey")
	_, err = s.HasMany("tUser", "tPost", include.As("Posts"), include.SourceKey("tenant_id", "id"), include.ForeignKey("tenant_id", "user_ref"))
	wantDefErr(t, err, "foreign key column tPost.user_ref is a string and the source key column tUser.id it references is an integer")
	_, err = s.HasMany("tUser", "tPost", include.As("Posts"), include.SourceKey("tenant_id", "id"), include.ForeignKey("user_id", "user_id"))
	wantDefErr(t, err, `names "user_id" twice`)
	_, err = s.BelongsTo("tPost", "tUser", include.As("Author"), include.TargetKey("tenant_id", "nope"), include.ForeignKey("tenant_id", "user_id"))
	wantDefErr(t, err, `target key "nope" is not a column of tUser`)
}

// A Tenant schema pairs the tenant column in front of every key between two models that
// carry it; a model without a field for it gets a hidden attribute; shared models do not.
func TestTenantSchema(t *testing.T) {
	type tag struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	type post struct {
		ID     int64 `db:"id"`
		UserID int64 `db:"user_id"`
		Tags   []tag
	}
	type user struct {
		ID    int64 `db:"id"`
		Posts []post
	}
	s := include.NewSchema(include.Tenant("tenant_id", "tag"))
	for _, d := range []struct {
		v     any
		table string
	}{{user{}, "users"}, {post{}, "posts"}, {tag{}, "tags"}} {
		var opts []include.ModelOption
		if d.table != "users" {
			opts = append(opts, include.Unique("", "id"))
		}
		if _, err := s.Define(d.v, d.table, opts...); err != nil {
			t.Fatal(err)
		}
	}
	if u := s.Model("post").Uniques(); len(u) != 1 || key(u[0].Columns) != "tenant_id,id" {
		t.Fatalf("a tenant model's unique key is led by the tenant column: %+v", u)
	}
	if u := s.Model("tag").Uniques(); len(u) != 1 || key(u[0].Columns) != "id" {
		t.Fatalf("a shared model's unique key: %+v", u)
	}
	hm := assoc(t)(s.HasMany("user", "post", include.As("Posts")))
	if key(hm.ForeignKeys) != "tenant_id,user_id" || key(hm.SourceKeys) != "tenant_id,id" {
		t.Fatalf("HasMany keys: %v -> %v", hm.ForeignKeys, hm.SourceKeys)
	}
	btm := assoc(t)(s.BelongsToMany("post", "tag", include.As("Tags"), include.Through("post_tags")))
	if key(btm.ForeignKeys) != "tenant_id,post_id" || key(btm.SourceKeys) != "tenant_id,id" || key(btm.OtherKeys) != "tag_id" || key(btm.TargetKeys) != "id" {
		t.Fatalf("BelongsToMany keys: %v -> %v, %v -> %v", btm.ForeignKeys, btm.SourceKeys, btm.OtherKeys, btm.TargetKeys)
	}
	u := s.Model("user")
	if u.Tenant() != "tenant_id" || key(u.PrimaryKey()) != "tenant_id,id" {
		t.Fatalf("user: tenant %q, primary key %v", u.Tenant(), u.PrimaryKey())
	}
	if a, ok := u.Attr("tenant_id"); !ok || !a.Hidden {
		t.Fatalf("user's tenant attribute: %+v %v", a, ok)
	}
	if tg := s.Model("tag"); tg.Tenant() != "" || key(tg.PrimaryKey()) != "id" {
		t.Fatalf("shared tag: tenant %q, primary key %v", tg.Tenant(), tg.PrimaryKey())
	}
}

// A non-unique join model needs a key column of its own beyond the pair's keys, the tenant
// column among them.
func TestMultiColumnNonUnique(t *testing.T) {
	type product struct {
		TenantID int64 `db:"tenant_id"`
		ID       int64 `db:"id"`
	}
	type purchase struct {
		TenantID   int64 `db:"tenant_id"`
		ID         int64 `db:"id"`
		CustomerID int64 `db:"customer_id"`
		ProductID  int64 `db:"product_id"`
	}
	type pair struct {
		TenantID   int64 `db:"tenant_id"`
		CustomerID int64 `db:"customer_id"`
		ProductID  int64 `db:"product_id"`
	}
	type customer struct {
		TenantID int64 `db:"tenant_id"`
		ID       int64 `db:"id"`
		Products []product
		Pairs    []product
	}
	s := include.NewSchema()
	for _, d := range []struct {
		v     any
		table string
		pk    []string
	}{{customer{}, "customers", []string{"tenant_id", "id"}}, {product{}, "products", []string{"tenant_id", "id"}},
		{purchase{}, "purchases", []string{"tenant_id", "id"}}, {pair{}, "pairs", []string{"tenant_id", "customer_id", "product_id"}}} {
		if _, err := s.Define(d.v, d.table, include.PrimaryKey(d.pk...)); err != nil {
			t.Fatal(err)
		}
	}
	keys := []include.AssocOption{include.SourceKey("tenant_id", "id"), include.ForeignKey("tenant_id", "customer_id"),
		include.TargetKey("tenant_id", "id"), include.OtherKey("tenant_id", "product_id"), include.NonUnique()}
	a := assoc(t)(s.BelongsToMany("customer", "product", append([]include.AssocOption{include.As("Products"), include.ThroughModel("purchase")}, keys...)...))
	if a.Unique || key(a.ForeignKeys) != "tenant_id,customer_id" || key(a.OtherKeys) != "tenant_id,product_id" {
		t.Fatalf("non-unique join model: %+v", a)
	}
	_, err := s.BelongsToMany("customer", "product", append([]include.AssocOption{include.As("Pairs"), include.ThroughModel("pair")}, keys...)...)
	wantDefErr(t, err, "NonUnique needs the join model pair to have a primary key of its own")
}
