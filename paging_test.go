package joinery_test

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

const (
	m1   = `{"ID":1,"Name":"apollo","Membership":{"UserID":1,"ProjectID":1,"Role":"owner"}}`
	m2   = `{"ID":2,"Name":"gemini","Membership":{"UserID":1,"ProjectID":2,"Role":"member"}}`
	m3   = `{"ID":1,"Name":"apollo","Membership":{"UserID":2,"ProjectID":1,"Role":"member"}}`
	c100 = `{"ID":100,"PostID":10,"AuthorID":2,"Body":"nice"}`
	c101 = `{"ID":101,"PostID":10,"AuthorID":3,"Body":"meh"}`
	c102 = `{"ID":102,"PostID":12,"AuthorID":1,"Body":"ok"}`
)

// pagingScenarios run on the blog fixture (see suites).
var pagingScenarios = []scenario{
	{"root_limit_offset_has_many", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("posts").Order("id")).OrderBy("name DESC").Limit(2).Offset(1))
	}, `[{` + bob + `,"Posts":[{` + p12 + `}]},{` + alice + `,"Posts":[{` + p10 + `},{` + p11 + `}]}]`},

	{"root_limit_required_has_many_with_where", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("posts").Required().Where(sq.Eq{"published": true}).Order("id")).OrderBy("id").Limit(1))
	}, `[{` + alice + `,"Posts":[{` + p10 + `}]}]`},

	{"root_limit_required_btm_through_where", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("projects").Required().ThroughWhere(sq.Eq{"role": "member"})).OrderBy("id").Limit(1).Offset(1))
	}, `[{` + bob + `,"Projects":[` + m3 + `]}]`},

	{"order_by_to_many_column_with_limit", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("posts").Required()).OrderBy("posts.title DESC", "id").Limit(2))
	}, `[{` + alice + `,"Posts":[{` + p10 + `},{` + p11 + `}]},{` + bob + `,"Posts":[{` + p12 + `}]}]`},

	{"order_by_to_one_column_with_limit", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[Post](s, d).Include("author", include.New("comments").Order("id")).OrderBy("author.name DESC", "id").Limit(2))
	}, `[{` + p12 + `,"Author":{` + bob + `},"Comments":[` + c102 + `]},{` + p10 + `,"Author":{` + alice + `},"Comments":[` + c100 + `,` + c101 + `]}]`},

	{"order_by_to_one_column_no_limit", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[Post](s, d).Include("author").OrderBy("author.name DESC", "id DESC"))
	}, `[{` + p12 + `,"Author":{` + bob + `}},{` + p11 + `,"Author":{` + alice + `}},{` + p10 + `,"Author":{` + alice + `}}]`},

	{"order_by_join_table_column_with_limit", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("projects").Required()).OrderBy("projects.@through.role DESC", "id").Limit(2))
	}, `[{` + alice + `,"Projects":[` + m1 + `,` + m2 + `]},{` + bob + `,"Projects":[` + m3 + `]}]`},

	{"include_limit_per_parent", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("posts").Order("id DESC").Limit(1)).OrderBy("id"))
	}, `[{` + alice + `,"Posts":[{` + p11 + `}]},{` + bob + `,"Posts":[{` + p12 + `}]},{` + carol + `}]`},

	{"include_limit_offset_per_parent_under_root_limit", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("posts").Order("id").Offset(1).Limit(1)).OrderBy("id").Limit(2))
	}, `[{` + alice + `,"Posts":[{` + p11 + `}]},{` + bob + `}]`},

	{"include_limit_per_parent_btm", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[Post](s, d).Include(include.New("tags").Order("name DESC").Limit(1).ThroughColumns("added_by")).OrderBy("id"))
	}, `[{` + p10 + `,"Tags":[{"ID":2,"Name":"sql"}]},{` + p11 + `},{` + p12 + `,"Tags":[{"ID":1,"Name":"go","AddedBy":"bob"}]}]`},

	{"include_limit_offset_btm_join_model_under_root_limit", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("projects").Order("name").Offset(1).Limit(1)).OrderBy("id").Limit(2))
	}, `[{` + alice + `,"Projects":[` + m2 + `]},{` + bob + `}]`},

	{"include_limit_btm_through_where", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("projects").ThroughWhere(sq.Eq{"role": "member"}).Order("id DESC").Limit(1)).OrderBy("id"))
	}, `[{` + alice + `,"Projects":[` + m2 + `]},{` + bob + `,"Projects":[` + m3 + `]},{` + carol + `}]`},

	{"root_offset_only", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[Post](s, d).Include("author").OrderBy("id").Offset(2))
	}, `[{` + p12 + `,"Author":{` + bob + `}}]`},

	{"keyset_after_cursor", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("posts").Order("id")).OrderBy("name").
			After(joinery.Cursor{Values: []any{"alice", int64(1)}}).Limit(1))
	}, `[{` + bob + `,"Posts":[{` + p12 + `}]}]`},
}

func init() {
	suites[0].scenarios = append(suites[0].scenarios, pagingScenarios...)
}

func TestCount(t *testing.T) {
	s := blogSchema(t)
	cases := []struct {
		name string
		q    func(d dialects.Dialect) joinery.Q[User]
		want int64
		sql  string // PostgreSQL
	}{
		{"all", func(d dialects.Dialect) joinery.Q[User] { return joinery.Query[User](s, d).Include("posts") }, 3,
			`SELECT COUNT(*) FROM "users" AS "t0"`},
		{"required include with where", func(d dialects.Dialect) joinery.Q[User] {
			return joinery.Query[User](s, d).Include(include.New("posts").Required().Where(sq.Eq{"published": true}).Include("comments")).Limit(1)
		}, 2, `SELECT COUNT(*) FROM "users" AS "t0" WHERE EXISTS (SELECT 1 FROM "posts" AS "t1" WHERE "t1"."user_id" = "t0"."id" AND "t1"."published" = $1)`},
		{"root where and required btm", func(d dialects.Dialect) joinery.Q[User] {
			return joinery.Query[User](s, d).Where(sq.NotEq{"name": "zed"}).Include(include.New("projects").Required().ThroughWhere(sq.Eq{"role": "owner"}))
		}, 1, `SELECT COUNT(*) FROM "users" AS "t0" WHERE "t0"."name" <> $1 AND EXISTS (SELECT 1 FROM ("user_projects" AS "t1" INNER JOIN "projects" AS "t2" ON "t2"."id" = "t1"."project_id") WHERE "t1"."user_id" = "t0"."id" AND "t1"."role" = $2)`},
		{"required grandchild", func(d dialects.Dialect) joinery.Q[User] {
			return joinery.Query[User](s, d).Include(include.New("posts").Required().Include(include.New("comments").Required()))
		}, 2, `SELECT COUNT(*) FROM "users" AS "t0" WHERE EXISTS (SELECT 1 FROM ("posts" AS "t1" INNER JOIN "comments" AS "t2" ON "t2"."post_id" = "t1"."id") WHERE "t1"."user_id" = "t0"."id")`},
	}
	for _, c := range cases {
		got, _, err := c.q(dialects.Postgres).CountSql()
		if err != nil || got != c.sql {
			t.Fatalf("%s: count SQL\n got: %s\nwant: %s (%v)", c.name, got, c.sql, err)
		}
	}
	for _, tdb := range openDBs(t, "joinery_root_count") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			for _, c := range cases {
				n, err := c.q(tdb.dialect).Count(context.Background(), tdb.db)
				if err != nil || n != c.want {
					t.Fatalf("%s: count %d, want %d (%v)", c.name, n, c.want, err)
				}
			}
		})
	}
}

// TestKeysetPagination walks every page of two users each and checks they concatenate to
// the unpaged result.
func TestKeysetPagination(t *testing.T) {
	s := blogSchema(t)
	for _, tdb := range openDBs(t, "joinery_root_keyset") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			ctx := context.Background()
			base := joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Order("id")).OrderBy("name DESC")
			all, err := base.All(ctx, tdb.db)
			if err != nil {
				t.Fatal(err)
			}
			var paged []User
			page := base.Limit(2)
			for i := 0; i < 5; i++ {
				got, err := page.All(ctx, tdb.db)
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, got...)
				if len(got) < 2 {
					break
				}
				c, err := base.Cursor(got[len(got)-1])
				if err != nil {
					t.Fatal(err)
				}
				page = base.After(c).Limit(2)
			}
			assertJSON(t, paged, mustJSON(t, all))
			if len(paged) != 3 || paged[0].Name != "carol" {
				t.Fatalf("pages: %+v", paged)
			}
		})
	}
	if _, err := joinery.Query[User](s, dialects.Postgres).Include("posts").OrderBy("posts.id").Cursor(User{}); err == nil ||
		!strings.Contains(err.Error(), "root columns only") {
		t.Fatalf("cursor over an include column: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	return fmt.Sprint(jsonString(t, v))
}

// TestPagingProperty: for random data (fixed seeds) and random combinations of root where,
// order, limit, offset, required and include where, the limited query returns exactly the
// same roots, with the same nested children, as the unlimited query sliced in Go.
// pagingShapes: the property test pages in each shape in turn.
var pagingShapes = []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapePipeline}

func TestPagingProperty(t *testing.T) {
	s := blogSchema(t)
	for _, tdb := range openDBs(t, "joinery_root_property") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			seedRandom(t, tdb, 20251122)
			pagingProperty(t, s, tdb, 220, nil)
		})
	}
}

// pagingProperty checks the paging property on tdb, seeded, for combos random queries; hold,
// when set, changes every random query before it runs (Q.Tenant).
func pagingProperty(t *testing.T, s *include.Schema, tdb testDB, combos int, hold func(joinery.Q[User]) joinery.Q[User]) {
	rng := rand.New(rand.NewSource(42))
	ctx := context.Background()
	for i := 0; i < combos; i++ {
		base, desc, check := randomComputedQuery(s, tdb.dialect, rng, i%2 == 1)
		if hold != nil {
			base = hold(base)
		}
		limit, offset := uint64(rng.Intn(6)+1), uint64(rng.Intn(8))
		full, err := base.Shape(joinery.ShapeFlat).All(ctx, tdb.db)
		if err != nil {
			t.Fatalf("combo %d (%s): %v", i, desc, err)
		}
		if err := check(full); err != nil {
			t.Fatalf("combo %d (%s): %v", i, desc, err)
		}
		// the default shape (a UNION ALL where it applies) gives the same result
		auto, err := base.All(ctx, tdb.db)
		if err != nil || jsonString(t, auto) != jsonString(t, full) {
			p, _ := base.Plan()
			t.Fatalf("combo %d (%s): the default shape differs from the flat JOIN (%v)\nSQL: %s", i, desc, err, p.SQL)
		}
		shape := pagingShapes[i%len(pagingShapes)]
		if _, err := base.Shape(shape).Plan(); err != nil && strings.Contains(err.Error(), "UNION ALL shape cannot") {
			shape = joinery.ShapeFlat
		}
		paged, err := base.Shape(shape).Limit(limit).Offset(offset).All(ctx, tdb.db)
		if err != nil {
			p, _ := base.Shape(shape).Limit(limit).Offset(offset).Plan()
			t.Fatalf("combo %d (%s) %s limit %d offset %d: %v\nSQL: %s", i, desc, shape, limit, offset, err, p.SQL)
		}
		lo, hi := min(int(offset), len(full)), min(int(offset+limit), len(full))
		want := jsonString(t, full[lo:hi])
		if got := jsonString(t, paged); got != want {
			p, _ := base.Shape(shape).Limit(limit).Offset(offset).Plan()
			sqlText, args := p.SQL, p.Args
			t.Fatalf("combo %d (%s) limit %d offset %d:\n got: %s\nwant: %s\nSQL: %s %v", i, desc, limit, offset, got, want, sqlText, args)
		}
		n, err := base.Count(ctx, tdb.db)
		if err != nil || n != int64(len(full)) {
			t.Fatalf("combo %d (%s): count %d, want %d (%v)", i, desc, n, len(full), err)
		}
		if i%10 == 0 {
			// a large page (over 1,000 roots) is spelled differently: keys-only page,
			// the root's branch re-reading the limited scan
			for _, sh := range []joinery.Shape{joinery.ShapeUnion, joinery.ShapePipeline} {
				if _, err := base.Shape(sh).Plan(); err != nil {
					continue
				}
				big, err := base.Shape(sh).Limit(5000).Offset(offset).All(ctx, tdb.db)
				if err != nil {
					t.Fatalf("combo %d (%s) large page, %s: %v", i, desc, sh, err)
				}
				if got, want := jsonString(t, big), jsonString(t, full[lo:]); got != want {
					t.Fatalf("combo %d (%s) large page, %s, offset %d:\n got: %s\nwant: %s", i, desc, sh, offset, got, want)
				}
			}
		}
	}
}

// seedRandom adds users 100.. with posts, comments and project memberships.
func seedRandom(t *testing.T, tdb testDB, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	var users, posts, comments, members []string
	pid, cid := 1000, 10000
	names := []string{"ann", "ben", "cid", "dee", "eve"}
	for u := 100; u < 130; u++ {
		users = append(users, fmt.Sprintf("(%d, '%s%d', NULL)", u, names[rng.Intn(len(names))], rng.Intn(3)))
		for p := rng.Intn(4); p > 0; p-- {
			pid++
			posts = append(posts, fmt.Sprintf("(%d, %d, 't%d', %s)", pid, u, rng.Intn(6), []string{"TRUE", "FALSE"}[rng.Intn(2)]))
			for c := rng.Intn(3); c > 0; c-- {
				cid++
				comments = append(comments, fmt.Sprintf("(%d, %d, %d, 'b%d')", cid, pid, 100+rng.Intn(30), rng.Intn(5)))
			}
		}
		for _, pr := range []int{1, 2} {
			if rng.Intn(2) == 0 {
				members = append(members, fmt.Sprintf("(%d, %d, '%s')", u, pr, []string{"owner", "member"}[rng.Intn(2)]))
			}
		}
	}
	mustExec(t, tdb.db,
		"INSERT INTO users (id, name, email) VALUES "+strings.Join(users, ", "),
		"INSERT INTO posts (id, user_id, title, published) VALUES "+strings.Join(posts, ", "),
		"INSERT INTO comments (id, post_id, author_id, body) VALUES "+strings.Join(comments, ", "),
		"INSERT INTO user_projects (user_id, project_id, role) VALUES "+strings.Join(members, ", "))
}

func randomQuery(s *include.Schema, d dialects.Dialect, rng *rand.Rand) (joinery.Q[User], string) {
	q, desc, _ := randomComputedQuery(s, d, rng, false)
	return q, desc
}

// randomComputedQuery is randomQuery, with computed values when computed is set: the posts'
// count (under the posts include's own filter) on the roots, ordering or filtering them now
// and then, and the comments' count on the posts. check verifies, on a result, that each
// value equals the number of children the same filters load.
func randomComputedQuery(s *include.Schema, d dialects.Dialect, rng *rand.Rand, computed bool) (joinery.Q[User], string, func([]User) error) {
	var desc []string
	q := joinery.Query[User](s, d)
	switch rng.Intn(4) {
	case 1:
		q = q.Where(sq.Like{"name": "a%"})
		desc = append(desc, "where name like a%")
	case 2:
		q = q.Where(sq.Gt{"id": 110})
		desc = append(desc, "where id > 110")
	case 3:
		q = q.Where(sq.Or{sq.Lt{"id": 105}, sq.Eq{"name": []string{"ben1", "eve2"}}})
		desc = append(desc, "where id < 105 or name in")
	}
	posts := include.New("posts").Order("id")
	count := include.Count("posts").As("post_count")
	if rng.Intn(3) == 0 {
		posts = posts.Required()
		desc = append(desc, "posts required")
	}
	if rng.Intn(3) == 0 {
		posts = posts.Where(sq.Eq{"published": true})
		count = count.Where(sq.Eq{"published": true})
		desc = append(desc, "posts published")
	}
	withComments, commentsRequired := false, false
	if rng.Intn(2) == 0 {
		c := include.New("comments").Order("id")
		if rng.Intn(3) == 0 {
			c = c.Required()
			commentsRequired = true
			desc = append(desc, "comments required")
		}
		posts = posts.Include(c)
		withComments = true
		if computed {
			posts = posts.Compute(include.Count("comments").As("comment_count"))
			desc = append(desc, "comment_count")
		}
	}
	q = q.Include(posts)
	check := func([]User) error { return nil }
	if computed {
		q = q.Compute(count)
		desc = append(desc, "post_count")
		switch rng.Intn(3) {
		case 0:
			q = q.Where(sq.GtOrEq{"post_count": 1})
			desc = append(desc, "where post_count >= 1")
		case 1:
			q = q.Where(sq.Lt{"post_count": 2})
			desc = append(desc, "where post_count < 2")
		}
		check = func(users []User) error {
			for _, u := range users {
				// (required comments drop the posts without any: the count counts them)
				if !commentsRequired && u.PostCount != int64(len(u.Posts)) {
					return fmt.Errorf("user %d: post_count %d, %d posts loaded", u.ID, u.PostCount, len(u.Posts))
				}
				for _, p := range u.Posts {
					if withComments && p.CommentCount != int64(len(p.Comments)) {
						return fmt.Errorf("post %d: comment_count %d, %d comments loaded", p.ID, p.CommentCount, len(p.Comments))
					}
				}
			}
			return nil
		}
	}
	if rng.Intn(3) == 0 {
		pr := include.New("projects").Order("id")
		if rng.Intn(2) == 0 {
			pr = pr.Required().ThroughWhere(sq.Eq{"role": "owner"})
			desc = append(desc, "owner projects required")
		}
		q = q.Include(pr)
	}
	if rng.Intn(3) == 0 {
		q = q.Include("profile")
	}
	orders := 5
	if computed {
		orders = 7
	}
	switch rng.Intn(orders) {
	case 5:
		q = q.OrderBy("post_count DESC", "id")
		desc = append(desc, "order post_count desc")
	case 6:
		q = q.OrderBy("post_count", "name", "id DESC")
		desc = append(desc, "order post_count, name")
	case 0:
		q = q.OrderBy("name", "id")
		desc = append(desc, "order name")
	case 1:
		q = q.OrderBy("name DESC", "id DESC")
		desc = append(desc, "order name desc")
	case 2:
		q = q.OrderBy("posts.title DESC", "id")
		desc = append(desc, "order posts.title desc")
	case 3:
		q = q.OrderBy("posts.title", "id")
		desc = append(desc, "order posts.title")
	default:
		q = q.OrderBy("id DESC")
		desc = append(desc, "order id desc")
	}
	return q, strings.Join(desc, ", "), check
}
