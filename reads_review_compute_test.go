package joinery_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

type SUser struct {
	ID        int64  `db:"id"`
	Name      string `db:"name"`
	Active    bool   `db:"active"`
	PostCount int64  `joinery:"computed:post_count"`
	Posts     []SPost
}
type SPost struct {
	ID     int64 `db:"id"`
	UserID int64 `db:"user_id"`
}

func TestReview8ComputeSourceScope(t *testing.T) {
	s := include.NewSchema()
	if _, err := s.Define(SUser{}, "s_users"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Define(SPost{}, "s_posts"); err != nil {
		t.Fatal(err)
	}
	// posts exist only for active users
	if _, err := s.HasMany("SUser", "SPost", include.As("posts"), include.ForeignKey("user_id"), include.WithSourceScope(scope.Eq("active", true))); err != nil {
		t.Fatal(err)
	}
	tdb := openDBs(t, "review8_compute")[0]
	mustExec(t, tdb.db,
		`CREATE TABLE s_users (id BIGINT PRIMARY KEY, name TEXT NOT NULL, active BOOLEAN NOT NULL)`,
		`CREATE TABLE s_posts (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)`,
		`INSERT INTO s_users VALUES (1, 'a', TRUE), (2, 'b', FALSE), (3, 'c', TRUE)`,
		`INSERT INTO s_posts VALUES (10, 1), (20, 2), (21, 2), (22, 2), (30, 3), (31, 3)`,
	)
	ctx := context.Background()
	base := joinery.Query[SUser](s, tdb.dialect).Compute(include.Count("posts").As("post_count")).OrderBy("post_count DESC")
	all, err := base.All(ctx, tdb.db)
	if err != nil {
		t.Fatal(err)
	}
	page, err := base.Limit(2).All(ctx, tdb.db)
	if err != nil {
		t.Fatal(err)
	}
	withPosts, err := base.Include("posts").Limit(2).All(ctx, tdb.db)
	if err != nil {
		t.Fatal(err)
	}
	f := func(us []SUser) string {
		out := ""
		for _, u := range us {
			out += fmt.Sprintf("%s:%d(%d posts) ", u.Name, u.PostCount, len(u.Posts))
		}
		return out
	}
	t.Logf("all:   %s", f(all))
	t.Logf("limit: %s", f(page))
	t.Logf("limit+posts: %s", f(withPosts))
	p, _ := base.Limit(2).Plan()
	t.Logf("%s", p.SQL)
	if f(page) != f(all[:2]) {
		t.Fatalf("Limit(2) page %q, want the first two of All %q", f(page), f(all[:2]))
	}
}

func TestReview8ComputeSourceScopePlain(t *testing.T) {
	s := include.NewSchema()
	s.Define(SUser{}, "s_users")
	s.Define(SPost{}, "s_posts")
	s.HasMany("SUser", "SPost", include.As("posts"), include.ForeignKey("user_id"), include.WithSourceScope(scope.Eq("active", true)))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	tdb := openDBs(t, "review8_compute2")[0]
	mustExec(t, tdb.db,
		`CREATE TABLE s_users (id BIGINT PRIMARY KEY, name TEXT NOT NULL, active BOOLEAN NOT NULL)`,
		`CREATE TABLE s_posts (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)`,
		`INSERT INTO s_users VALUES (1, 'a', TRUE), (2, 'b', FALSE), (3, 'c', TRUE)`,
		`INSERT INTO s_posts VALUES (10, 1), (20, 2), (21, 2), (22, 2), (30, 3), (31, 3)`,
	)
	ctx := context.Background()
	for _, sh := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion} {
		q := joinery.Query[SUser](s, tdb.dialect).Compute(include.Count("posts").As("post_count")).Include("posts").OrderBy("id").Shape(sh)
		all, err := q.All(ctx, tdb.db)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := q.Plan()
		t.Logf("%s", p.SQL)
		for _, u := range all {
			t.Logf("%s %s: post_count %d, posts loaded %d", sh, u.Name, u.PostCount, len(u.Posts))
			if u.PostCount != int64(len(u.Posts)) {
				t.Errorf("%s user %s: post_count %d, %d posts loaded", sh, u.Name, u.PostCount, len(u.Posts))
			}
		}
	}
}

func TestReview8ComputeSourceScopeOrdered(t *testing.T) {
	s := include.NewSchema()
	s.Define(SUser{}, "s_users")
	s.Define(SPost{}, "s_posts")
	s.HasMany("SUser", "SPost", include.As("posts"), include.ForeignKey("user_id"), include.WithSourceScope(scope.Eq("active", true)))
	tdb := openDBs(t, "review8_compute3")[0]
	mustExec(t, tdb.db,
		`CREATE TABLE s_users (id BIGINT PRIMARY KEY, name TEXT NOT NULL, active BOOLEAN NOT NULL)`,
		`CREATE TABLE s_posts (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL)`,
		`INSERT INTO s_users VALUES (1, 'a', TRUE), (2, 'b', FALSE), (3, 'c', TRUE)`,
		`INSERT INTO s_posts VALUES (10, 1), (20, 2), (21, 2), (22, 2), (30, 3), (31, 3)`,
	)
	ctx := context.Background()
	q := joinery.Query[SUser](s, tdb.dialect).Compute(include.Count("posts").As("post_count")).Include("posts").OrderBy("post_count DESC")
	for name, qq := range map[string]joinery.Q[SUser]{"all": q, "limit": q.Limit(2), "flat": q.Shape(joinery.ShapeFlat)} {
		us, err := qq.All(ctx, tdb.db)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := qq.Plan()
		for _, u := range us {
			if u.PostCount != int64(len(u.Posts)) {
				t.Errorf("%s: user %s: post_count %d, %d posts loaded\n%s", name, u.Name, u.PostCount, len(u.Posts), p.SQL)
			}
		}
	}
}
