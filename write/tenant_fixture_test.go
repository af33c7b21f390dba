package write_test

import (
	"fmt"
	"testing"

	"github.com/joinery/joinery/include"
)

// The multi-tenant fixture: every key is a (tenant_id, id) pair. Two schemas describe the
// same tables: one declares the keys explicitly on structs that hold the tenant column
// (TUser ...), the other with include.Tenant on structs that do not (HUser ...: the tenant
// column is a hidden attribute, its value given by the operation's Tenant).

type TUser struct {
	TenantID int64      `db:"tenant_id"`
	ID       int64      `db:"id"`
	Name     string     `db:"name"`
	Projects []TProject `joinery:"projects"`
	Posts    []TPost    `joinery:"posts"`
	Profile  *TProfile  `joinery:"profile"`
	// Links are projects of any tenant (a join table whose two keys share no column)
	Links []TProject `joinery:"links"`
}

type TProject struct {
	TenantID int64   `db:"tenant_id"`
	ID       int64   `db:"id"`
	Name     string  `db:"name"`
	Role     *string `joinery:"through:role"`
}

type TMembership struct {
	TenantID  int64   `db:"tenant_id"`
	UserID    int64   `db:"user_id"`
	ProjectID int64   `db:"project_id"`
	Role      *string `db:"role"`
}

type TPost struct {
	TenantID int64  `db:"tenant_id"`
	ID       int64  `db:"id"`
	UserID   *int64 `db:"user_id"`
	Title    string `db:"title"`
	Author   *TUser `joinery:"author"`
}

type TProfile struct {
	TenantID int64  `db:"tenant_id"`
	ID       int64  `db:"id"`
	UserID   *int64 `db:"user_id"`
	Bio      string `db:"bio"`
}

// explicitTenantSchema declares every key as (tenant_id, ...) column lists.
func explicitTenantSchema(t testing.TB) *include.Schema {
	t.Helper()
	s := include.NewSchema()
	pk := include.PrimaryKey("tenant_id", "id")
	s.Define(TUser{}, "mt_users", include.Name("User"), pk)
	s.Define(TProject{}, "mt_projects", include.Name("Project"), pk)
	s.Define(TMembership{}, "mt_memberships", include.Name("Membership"), include.PrimaryKey("tenant_id", "user_id", "project_id"))
	s.Define(TPost{}, "mt_posts", include.Name("Post"), pk)
	s.Define(TProfile{}, "mt_profiles", include.Name("Profile"), pk)
	s.BelongsToMany("User", "Project", include.As("projects"), include.ThroughModel("Membership"),
		include.ForeignKey("tenant_id", "user_id"), include.OtherKey("tenant_id", "project_id"),
		include.SourceKey("tenant_id", "id"), include.TargetKey("tenant_id", "id"))
	s.HasMany("User", "Post", include.As("posts"), include.ForeignKey("tenant_id", "user_id"), include.SourceKey("tenant_id", "id"))
	s.HasOne("User", "Profile", include.As("profile"), include.ForeignKey("tenant_id", "user_id"), include.SourceKey("tenant_id", "id"))
	s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("tenant_id", "user_id"), include.TargetKey("tenant_id", "id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

type HUser struct {
	ID       int64      `db:"id"`
	Name     string     `db:"name"`
	Projects []HProject `joinery:"projects"`
	Posts    []HPost    `joinery:"posts"`
	Profile  *HProfile  `joinery:"profile"`
}

type HProject struct {
	ID   int64   `db:"id"`
	Name string  `db:"name"`
	Role *string `joinery:"through:role"`
}

type HMembership struct {
	UserID    int64   `db:"user_id"`
	ProjectID int64   `db:"project_id"`
	Role      *string `db:"role"`
}

type HPost struct {
	ID     int64  `db:"id"`
	UserID *int64 `db:"user_id"`
	Title  string `db:"title"`
	Author *HUser `joinery:"author"`
}

type HProfile struct {
	ID     int64  `db:"id"`
	UserID *int64 `db:"user_id"`
	Bio    string `db:"bio"`
}

// hiddenTenantSchema declares the same tables with include.Tenant: the keys name one
// column, the schema adds tenant_id in front of each.
func hiddenTenantSchema(t testing.TB) *include.Schema {
	t.Helper()
	s := include.NewSchema(include.Tenant("tenant_id"))
	s.Define(HUser{}, "mt_users", include.Name("User"))
	s.Define(HProject{}, "mt_projects", include.Name("Project"))
	s.Define(HMembership{}, "mt_memberships", include.Name("Membership"), include.PrimaryKey("user_id", "project_id"))
	s.Define(HPost{}, "mt_posts", include.Name("Post"))
	s.Define(HProfile{}, "mt_profiles", include.Name("Profile"))
	s.BelongsToMany("User", "Project", include.As("projects"), include.ThroughModel("Membership"),
		include.ForeignKey("user_id"), include.OtherKey("project_id"))
	s.HasMany("User", "Post", include.As("posts"), include.ForeignKey("user_id"))
	s.HasOne("User", "Profile", include.As("profile"), include.ForeignKey("user_id"))
	s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTenantSchemasAgree(t *testing.T) {
	e, h := explicitTenantSchema(t), hiddenTenantSchema(t)
	for _, m := range []string{"User", "Post"} {
		for _, a := range e.Model(m).Associations() {
			b := h.Model(m).Association(a.As)
			got := fmt.Sprint(b.ForeignKeys, b.SourceKeys, b.TargetKeys, b.OtherKeys)
			want := fmt.Sprint(a.ForeignKeys, a.SourceKeys, a.TargetKeys, a.OtherKeys)
			if got != want {
				t.Errorf("%s.%s: include.Tenant gives keys %s, the explicit declaration %s", m, a.As, got, want)
			}
		}
	}
}
