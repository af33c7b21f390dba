package joinery_test

import (
	"context"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// query is a compiled-or-runnable query of any root type.
type query interface {
	Plan() (*builder.Plan, error)
	all(ctx context.Context, db joinery.Querier) (any, error)
	shape(s joinery.Shape) query
	filter(w sq.Sqlizer) query // the same query with one more root filter
	tenant(v any) query        // the same query held to one tenant (Q.Tenant)
	bind(values map[string]any) query
}

type wrap[T any] struct{ joinery.Q[T] }

func (w wrap[T]) all(ctx context.Context, db joinery.Querier) (any, error) { return w.Q.All(ctx, db) }

func (w wrap[T]) shape(s joinery.Shape) query { return wrap[T]{w.Q.Shape(s)} }

func (w wrap[T]) filter(f sq.Sqlizer) query { return wrap[T]{w.Q.Where(f)} }

func (w wrap[T]) tenant(v any) query { return wrap[T]{w.Q.Tenant(v)} }

func (w wrap[T]) bind(values map[string]any) query { return wrap[T]{w.Q.Bind(values)} }

func q[T any](qq joinery.Q[T]) query { return wrap[T]{qq} }

type scenario struct {
	name  string
	build func(s *include.Schema, d dialects.Dialect) query
	want  string // JSON of the hydrated result
}

const (
	alice = `"ID":1,"Name":"alice","Email":"a@example.com"`
	bob   = `"ID":2,"Name":"bob","Email":"b@example.com"`
	carol = `"ID":3,"Name":"carol","Email":null`
	p10   = `"ID":10,"UserID":1,"Title":"hello","Published":true`
	p11   = `"ID":11,"UserID":1,"Title":"draft","Published":false`
	p12   = `"ID":12,"UserID":2,"Title":"bobs post","Published":true`
)

var scenarios = []scenario{
	{"computed_only", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Compute(include.Count("posts").As("post_count")).OrderBy("post_count", "id"))
	}, `[{` + carol + `},{` + bob + `,"PostCount":1},{` + alice + `,"PostCount":2}]`},

	// a value computed two levels down (posts -> author), and an expression ordering the roots
	{"computed_deep", func(s *include.Schema, d dialects.Dialect) query {
		author := include.New("posts.author").Compute(include.Count("posts").As("post_count"))
		return q(joinery.Query[User](s, d).Include(author, include.New("posts").Order("id")).
			Compute(include.Expr("{{self}}.id * ?", 10).As("post_count")).OrderBy("post_count DESC"))
	}, `[{` + carol + `,"PostCount":30},{` + bob + `,"PostCount":20,"Posts":[{` + p12 + `,"Author":{` + bob + `,"PostCount":1}}]},` +
		`{` + alice + `,"PostCount":10,"Posts":[{` + p10 + `,"Author":{` + alice + `,"PostCount":2}},{` + p11 + `,"Author":{` + alice + `,"PostCount":2}}]}]`},

	{"computed_filter", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include("posts").
			Compute(include.Count("posts").Where(sq.Eq{"published": true}).As("post_count")).
			Where(sq.GtOrEq{"post_count": 1}).OrderBy("id", "posts.id"))
	}, `[{` + alice + `,"PostCount":1,"Posts":[{` + p10 + `},{` + p11 + `}]},{` + bob + `,"PostCount":1,"Posts":[{` + p12 + `}]}]`},

	{"computed_order_limit", func(s *include.Schema, d dialects.Dialect) query {
		posts := include.New("posts").Compute(include.Count("comments").As("comment_count")).Order("comment_count DESC", "id")
		return q(joinery.Query[User](s, d).Include(posts).
			Compute(include.Count("posts").Where(sq.Eq{"published": true}).As("post_count")).
			OrderBy("post_count DESC", "id").Limit(2))
	}, `[{` + alice + `,"PostCount":1,"Posts":[{` + p10 + `,"CommentCount":2},{` + p11 + `}]},{` + bob + `,"PostCount":1,"Posts":[{` + p12 + `,"CommentCount":1}]}]`},

	{"has_many", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include("posts").OrderBy("id", "posts.id"))
	}, `[{` + alice + `,"Posts":[{` + p10 + `},{` + p11 + `}]},{` + bob + `,"Posts":[{` + p12 + `}]},{` + carol + `}]`},

	{"belongs_to_alias", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[Post](s, d).Include("author").OrderBy("id"))
	}, `[{` + p10 + `,"Author":{` + alice + `}},{` + p11 + `,"Author":{` + alice + `}},{` + p12 + `,"Author":{` + bob + `}}]`},

	{"has_one", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include("profile").OrderBy("id"))
	}, `[{` + alice + `,"Profile":{"ID":1,"UserID":1,"Bio":"likes go"}},{` + bob + `},{` + carol + `}]`},

	{"btm_through_table_columns", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[Post](s, d).Include(include.New("tags").ThroughColumns("added_by")).OrderBy("id", "tags.id"))
	}, `[{` + p10 + `,"Tags":[{"ID":1,"Name":"go","AddedBy":"alice"},{"ID":2,"Name":"sql"}]},{` + p11 + `},{` + p12 + `,"Tags":[{"ID":1,"Name":"go","AddedBy":"bob"}]}]`},

	{"btm_join_model", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include("projects").OrderBy("id", "projects.id"))
	}, `[{` + alice + `,"Projects":[{"ID":1,"Name":"apollo","Membership":{"UserID":1,"ProjectID":1,"Role":"owner"}},{"ID":2,"Name":"gemini","Membership":{"UserID":1,"ProjectID":2,"Role":"member"}}]},` +
		`{` + bob + `,"Projects":[{"ID":1,"Name":"apollo","Membership":{"UserID":2,"ProjectID":1,"Role":"member"}}]},{` + carol + `}]`},

	{"btm_through_where", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("projects").ThroughWhere(sq.Eq{"role": "member"}).ThroughColumns("role")).OrderBy("id"))
	}, `[{` + alice + `,"Projects":[{"ID":2,"Name":"gemini","Membership":{"UserID":0,"ProjectID":0,"Role":"member"}}]},` +
		`{` + bob + `,"Projects":[{"ID":1,"Name":"apollo","Membership":{"UserID":0,"ProjectID":0,"Role":"member"}}]},{` + carol + `}]`},

	{"nested_three_levels", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("posts").Where(sq.Eq{"published": true}).
			Include(include.New("comments").Order("id").Include("author"))).OrderBy("id", "posts.id"))
	}, `[{` + alice + `,"Posts":[{` + p10 + `,"Comments":[{"ID":100,"PostID":10,"AuthorID":2,"Body":"nice","Author":{` + bob + `}},{"ID":101,"PostID":10,"AuthorID":3,"Body":"meh","Author":{` + carol + `}}]}]},` +
		`{` + bob + `,"Posts":[{` + p12 + `,"Comments":[{"ID":102,"PostID":12,"AuthorID":1,"Body":"ok","Author":{` + alice + `}}]}]},{` + carol + `}]`},

	{"required", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("posts").Required().Where(sq.Like{"title": "b%"})).OrderBy("id"))
	}, `[{` + bob + `,"Posts":[{` + p12 + `}]}]`},

	{"required_grandchild_in_optional_child", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include(include.New("posts").Include(include.New("comments").Required().Columns("body"))).
			OrderBy("id", "posts.id", "posts.comments.id"))
	}, `[{` + alice + `,"Posts":[{` + p10 + `,"Comments":[{"ID":0,"PostID":0,"AuthorID":0,"Body":"nice"},{"ID":0,"PostID":0,"AuthorID":0,"Body":"meh"}]}]},` +
		`{` + bob + `,"Posts":[{` + p12 + `,"Comments":[{"ID":0,"PostID":0,"AuthorID":0,"Body":"ok"}]}]},{` + carol + `}]`},

	{"columns_subset", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Columns("name").Include(include.New("posts").Columns("title")).OrderBy("id", "posts.id"))
	}, `[{"ID":0,"Name":"alice","Email":null,"Posts":[{"ID":0,"UserID":0,"Title":"hello","Published":false},{"ID":0,"UserID":0,"Title":"draft","Published":false}]},` +
		`{"ID":0,"Name":"bob","Email":null,"Posts":[{"ID":0,"UserID":0,"Title":"bobs post","Published":false}]},{"ID":0,"Name":"carol","Email":null}]`},

	{"self_reference", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[Person](s, d).Where(sq.Eq{"id": 1}).Include("children.children").OrderBy("id", "children.id", "children.children.id"))
	}, `[{"ID":1,"Name":"grandpa","Children":[{"ID":2,"Name":"dad","Children":[{"ID":3,"Name":"kid"}]},{"ID":4,"Name":"aunt"}]}]`},

	{"self_reference_reverse", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[Person](s, d).Where(sq.Eq{"id": 3}).Include("parents.parents"))
	}, `[{"ID":3,"Name":"kid","Parents":[{"ID":2,"Name":"dad","Parents":[{"ID":1,"Name":"grandpa"}]}]}]`},

	{"two_aliases_same_table", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[Game](s, d).Include("homeTeam", "awayTeam").OrderBy("id"))
	}, `[{"ID":1,"HomeTeamID":1,"AwayTeamID":2,"HomeTeam":{"ID":1,"Name":"reds"},"AwayTeam":{"ID":2,"Name":"blues"}},` +
		`{"ID":2,"HomeTeamID":2,"AwayTeamID":1,"HomeTeam":{"ID":2,"Name":"blues"},"AwayTeam":{"ID":1,"Name":"reds"}}]`},

	{"source_key", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Include("invoices").OrderBy("id", "invoices.id"))
	}, `[{` + alice + `,"Invoices":[{"ID":1,"UserEmail":"a@example.com","Amount":9.5},{"ID":2,"UserEmail":"a@example.com","Amount":3.25}]},` +
		`{` + bob + `,"Invoices":[{"ID":3,"UserEmail":"b@example.com","Amount":1}]},{` + carol + `}]`},

	{"target_key", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[Invoice](s, d).Include("customer").OrderBy("id"))
	}, `[{"ID":1,"UserEmail":"a@example.com","Amount":9.5,"Customer":{` + alice + `}},{"ID":2,"UserEmail":"a@example.com","Amount":3.25,"Customer":{` + alice + `}},` +
		`{"ID":3,"UserEmail":"b@example.com","Amount":1,"Customer":{` + bob + `}}]`},

	{"where_operators", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Where(sq.Or{sq.Eq{"name": "alice"}, sq.ILike{"name": "BO%"}}).
			Include(include.New("posts").Where(sq.Expr("LENGTH({{self}}.title) > ?", 5)).Where(sq.GtOrEq{"id": 10})).
			OrderBy("id", "posts.id"))
	}, `[{` + alice + `},{` + bob + `,"Posts":[{` + p12 + `}]}]`},

	{"composite_key_root", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[UserProject](s, d).Include("project", "user").OrderBy("user_id", "project_id"))
	}, `[{"UserID":1,"ProjectID":1,"Role":"owner","Project":{"ID":1,"Name":"apollo","Membership":{"UserID":0,"ProjectID":0,"Role":""}},"User":{` + alice + `}},` +
		`{"UserID":1,"ProjectID":2,"Role":"member","Project":{"ID":2,"Name":"gemini","Membership":{"UserID":0,"ProjectID":0,"Role":""}},"User":{` + alice + `}},` +
		`{"UserID":2,"ProjectID":1,"Role":"member","Project":{"ID":1,"Name":"apollo","Membership":{"UserID":0,"ProjectID":0,"Role":""}},"User":{` + bob + `}}]`},

	{"include_order", func(s *include.Schema, d dialects.Dialect) query {
		return q(joinery.Query[User](s, d).Where(sq.Eq{"id": 1}).Include(include.New("posts").Order("id DESC")))
	}, `[{` + alice + `,"Posts":[{` + p11 + `},{` + p10 + `}]}]`},
}
