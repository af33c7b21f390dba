package scope_test

import (
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/scope"
)

// fakeResolver binds columns to the table aliased t1.
type fakeResolver struct {
	cols  map[string]bool
	ilike bool
}

var errUnknown = errors.New("unknown column")

func newResolver(ilike bool) fakeResolver {
	cols := map[string]bool{}
	for _, c := range []string{"id", "name", "age", "status", "deleted_at", "title", "user_id"} {
		cols[c] = true
	}
	return fakeResolver{cols: cols, ilike: ilike}
}

func (r fakeResolver) Column(name string) (string, error) {
	if !r.cols[name] {
		return "", errors.Join(errUnknown, errors.New("column "+name+" is not a column of t1 (valid: id, name, ...)"))
	}
	return `"t1"."` + name + `"`, nil
}

func (r fakeResolver) Alias() string { return `"t1"` }
func (r fakeResolver) ILike() bool   { return r.ilike }

func render(t *testing.T, p sq.Sqlizer, ilike bool) (string, []any) {
	t.Helper()
	s, args, err := scope.Render(p, newResolver(ilike))
	if err != nil {
		t.Fatalf("Render(%#v): %v", p, err)
	}
	return s, args
}

func check(t *testing.T, p sq.Sqlizer, ilike bool, wantSQL string, wantArgs ...any) {
	t.Helper()
	s, args := render(t, p, ilike)
	if s != wantSQL {
		t.Errorf("SQL = %s\nwant  %s", s, wantSQL)
	}
	if len(args) == 0 && len(wantArgs) == 0 {
		return
	}
	if !reflect.DeepEqual(args, wantArgs) {
		t.Errorf("args = %#v, want %#v", args, wantArgs)
	}
}

func TestEq(t *testing.T) {
	check(t, sq.Eq{"name": "ann"}, false, `"t1"."name" = ?`, "ann")
	check(t, sq.Eq{"status": "x", "age": 3, "name": "ann"}, false,
		`("t1"."age" = ? AND "t1"."name" = ? AND "t1"."status" = ?)`, 3, "ann", "x")
	check(t, sq.Eq{"deleted_at": nil}, false, `"t1"."deleted_at" IS NULL`)
	check(t, sq.Eq{"deleted_at": (*string)(nil)}, false, `"t1"."deleted_at" IS NULL`)
	check(t, sq.Eq{"deleted_at": sql.NullString{}}, false, `"t1"."deleted_at" IS NULL`)
	check(t, sq.Eq{"name": sql.NullString{String: "a", Valid: true}}, false, `"t1"."name" = ?`, sql.NullString{String: "a", Valid: true})
	check(t, sq.Eq{"id": []int{1, 2}}, false, `"t1"."id" IN (?,?)`, 1, 2)
	check(t, sq.Eq{"id": [3]int{4, 5, 6}}, false, `"t1"."id" IN (?,?,?)`, 4, 5, 6)
	check(t, sq.Eq{"id": []int{}}, false, `(1=0)`)
	check(t, sq.Eq{"title": []byte("ab")}, false, `"t1"."title" = ?`, []byte("ab")) // bytes are one value
	check(t, sq.Eq{}, false, `(1=1)`)
}

func TestNotEq(t *testing.T) {
	check(t, sq.NotEq{"name": "ann"}, false, `"t1"."name" <> ?`, "ann")
	check(t, sq.NotEq{"deleted_at": nil}, false, `"t1"."deleted_at" IS NOT NULL`)
	check(t, sq.NotEq{"id": []string{"a", "b"}}, false, `"t1"."id" NOT IN (?,?)`, "a", "b")
	check(t, sq.NotEq{"id": []int{}}, false, `(1=1)`)
	check(t, sq.NotEq{"id": 1, "age": nil}, false, `("t1"."age" IS NOT NULL AND "t1"."id" <> ?)`, 1)
}

func TestComparisons(t *testing.T) {
	check(t, sq.Lt{"age": 18}, false, `"t1"."age" < ?`, 18)
	check(t, sq.Gt{"age": 18}, false, `"t1"."age" > ?`, 18)
	check(t, sq.LtOrEq{"age": 18}, false, `"t1"."age" <= ?`, 18)
	check(t, sq.GtOrEq{"age": 18}, false, `"t1"."age" >= ?`, 18)
	check(t, sq.Gt{"id": 1, "age": 2}, false, `("t1"."age" > ? AND "t1"."id" > ?)`, 2, 1)
	for _, p := range []sq.Sqlizer{sq.Lt{"age": nil}, sq.Gt{"age": []int{1}}} {
		if _, _, err := scope.Render(p, newResolver(false)); err == nil || !strings.Contains(err.Error(), `"age"`) {
			t.Errorf("Render(%#v) err = %v, want an error naming age", p, err)
		}
	}
}

func TestLike(t *testing.T) {
	for _, ilike := range []bool{false, true} {
		// plain LIKE does not depend on the dialect
		check(t, sq.Like{"name": "a%"}, ilike, `"t1"."name" LIKE ?`, "a%")
		check(t, sq.NotLike{"name": "a%"}, ilike, `"t1"."name" NOT LIKE ?`, "a%")
	}
	check(t, sq.ILike{"name": "a%"}, true, `"t1"."name" ILIKE ?`, "a%")
	check(t, sq.NotILike{"name": "a%"}, true, `"t1"."name" NOT ILIKE ?`, "a%")
	check(t, sq.ILike{"name": "a%"}, false, `LOWER("t1"."name") LIKE LOWER(?)`, "a%")
	check(t, sq.NotILike{"name": "a%"}, false, `LOWER("t1"."name") NOT LIKE LOWER(?)`, "a%")
	if _, _, err := scope.Render(sq.Like{"name": nil}, newResolver(false)); err == nil || !strings.Contains(err.Error(), "LIKE") {
		t.Errorf("LIKE nil: err = %v", err)
	}
}

func TestAndOr(t *testing.T) {
	p := sq.And{
		sq.Eq{"status": "active"},
		sq.Or{sq.Lt{"age": 18}, sq.Eq{"deleted_at": nil}, sq.Expr("{{self}}.id % 2 = ?", 0)},
	}
	check(t, p, false,
		`("t1"."status" = ? AND ("t1"."age" < ? OR "t1"."deleted_at" IS NULL OR ("t1".id % 2 = ?)))`,
		"active", 18, 0)
	check(t, sq.And{}, false, `(1=1)`)
	check(t, sq.Or{}, false, `(1=0)`)
	check(t, sq.Or{sq.Eq{"id": 1}}, false, `("t1"."id" = ?)`, 1)
}

func TestRawExpr(t *testing.T) {
	check(t, sq.Expr("LENGTH({{self}}.title) > ? AND {{self}}.id <> ?", 10, 3), false,
		`(LENGTH("t1".title) > ? AND "t1".id <> ?)`, 10, 3)
	check(t, sq.Expr("1 = 1"), false, `(1 = 1)`)
	// one predicate wherever it is put: "a OR b" stays together when ANDed
	check(t, sq.Expr("{{self}}.a = ? OR {{self}}.b IS NULL", 1), false, `("t1".a = ? OR "t1".b IS NULL)`, 1)
	// a line comment ends before the closing parenthesis
	check(t, sq.Expr("{{self}}.a = ? -- why", 1), false, "(\"t1\".a = ? -- why\n)", 1)
	if scope.Self != "{{self}}" {
		t.Errorf("Self = %q", scope.Self)
	}
}

func TestUnknownColumnIsPropagated(t *testing.T) {
	for _, p := range []sq.Sqlizer{
		sq.Eq{"nope": 1},
		sq.Eq{"id": 1, "nope": 2},
		sq.Like{"nope": "x"},
		sq.And{sq.Eq{"id": 1}, sq.Or{sq.Gt{"nope": 1}}},
	} {
		s, args, err := scope.Render(p, newResolver(false))
		if !errors.Is(err, errUnknown) || !strings.Contains(err.Error(), "nope") {
			t.Errorf("Render(%#v) err = %v, want the resolver's error", p, err)
		}
		if s != "" || args != nil {
			t.Errorf("Render(%#v) returned %q %v with an error", p, s, args)
		}
	}
	_, _, err := scope.New(sq.Eq{"id": 1}, sq.Eq{"nope": 1}).Render(newResolver(false))
	if !errors.Is(err, errUnknown) {
		t.Errorf("Scope.Render err = %v", err)
	}
}

func TestNilPredicate(t *testing.T) {
	if _, _, err := scope.Render(nil, newResolver(false)); err == nil {
		t.Fatal("want an error for a nil predicate")
	}
	if _, _, err := scope.Render(sq.And{nil}, newResolver(false)); err == nil {
		t.Fatal("want an error for a nil predicate inside And")
	}
}

func TestScopeRender(t *testing.T) {
	s, args, err := scope.Scope{}.Render(newResolver(false))
	if s != "" || args != nil || err != nil {
		t.Fatalf("empty scope renders %q %v %v", s, args, err)
	}
	s, args, err = scope.New().Render(newResolver(false))
	if s != "" || args != nil || err != nil {
		t.Fatalf("New() renders %q %v %v", s, args, err)
	}
	s, args, err = scope.Eq("deleted_at", nil).Render(newResolver(false))
	if err != nil || s != `"t1"."deleted_at" IS NULL` || len(args) != 0 {
		t.Fatalf("Eq scope renders %q %v %v", s, args, err)
	}
	s, args, err = scope.Eq("status", "a").And(sq.Gt{"age": 1}).Render(newResolver(false))
	if err != nil || s != `("t1"."status" = ? AND "t1"."age" > ?)` || !reflect.DeepEqual(args, []any{"a", 1}) {
		t.Fatalf("two-predicate scope renders %q %v %v", s, args, err)
	}
}

func TestScopeConstruction(t *testing.T) {
	if !(scope.Scope{}).Empty() || !scope.New(nil).Empty() {
		t.Fatal("zero scope and New(nil) must be empty")
	}
	base := scope.Eq("status", "a")
	forked := base.And(sq.Eq{"id": 1})
	if len(base.Predicates()) != 1 || len(forked.Predicates()) != 2 {
		t.Fatalf("And must not change its receiver: base %d, forked %d", len(base.Predicates()), len(forked.Predicates()))
	}
	// appending to the returned slice does not leak into the scope
	ps := base.Predicates()
	_ = append(ps[:0], sq.Eq{"x": 1})
	if got := base.Predicates()[0]; !reflect.DeepEqual(got, sq.Eq{"status": "a"}) {
		t.Fatalf("Predicates leaked: %#v", got)
	}
	m := base.Merge(scope.Eq("age", 2))
	if got := m.Columns(); !reflect.DeepEqual(got, []string{"age", "status"}) {
		t.Fatalf("Merge columns = %v", got)
	}
	p := scope.Polymorphic("commentable_type", "post")
	if !reflect.DeepEqual(p.Predicates(), []sq.Sqlizer{sq.Eq{"commentable_type": "post"}}) {
		t.Fatalf("Polymorphic = %#v", p.Predicates())
	}
}

func TestColumns(t *testing.T) {
	s := scope.New(
		sq.Eq{"status": "a", "age": 1},
		sq.Or{sq.Like{"name": "x"}, sq.And{sq.NotEq{"deleted_at": nil}, sq.Gt{"age": 3}}},
		sq.Expr("{{self}}.secret = 1"), // raw fragments name no columns
	)
	if got, want := s.Columns(), []string{"age", "deleted_at", "name", "status"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Columns = %v, want %v", got, want)
	}
	if got := (scope.Scope{}).Columns(); len(got) != 0 {
		t.Fatalf("empty scope Columns = %v", got)
	}
}

func TestDefaults(t *testing.T) {
	s := scope.New(
		sq.Eq{"status": "a", "deleted_at": nil, "id": []int{1, 2}},
		sq.Gt{"age": 3},
		sq.Or{sq.Eq{"name": "x"}},
		sq.Eq{"title": []byte("t")},
	)
	want := map[string]any{"status": "a", "deleted_at": nil, "title": []byte("t")}
	if got := s.Defaults(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Defaults = %#v, want %#v", got, want)
	}
	if got := (scope.Scope{}).Defaults(); got == nil || len(got) != 0 {
		t.Fatalf("empty Defaults = %#v, want an empty map", got)
	}
}

func TestDeterminism(t *testing.T) {
	p := sq.Eq{"status": "s", "age": 1, "name": "n", "id": []int{1, 2}, "deleted_at": nil, "title": "t", "user_id": 9}
	first, firstArgs := render(t, p, false)
	want := `("t1"."age" = ? AND "t1"."deleted_at" IS NULL AND "t1"."id" IN (?,?) AND "t1"."name" = ? AND "t1"."status" = ? AND "t1"."title" = ? AND "t1"."user_id" = ?)`
	if first != want {
		t.Fatalf("SQL = %s\nwant  %s", first, want)
	}
	if wantArgs := []any{1, 1, 2, "n", "s", "t", 9}; !reflect.DeepEqual(firstArgs, wantArgs) {
		t.Fatalf("args = %v, want %v", firstArgs, wantArgs)
	}
	for i := 0; i < 50; i++ {
		s, args := render(t, p, false)
		if s != first || !reflect.DeepEqual(args, firstArgs) {
			t.Fatalf("render %d differs: %s %v", i, s, args)
		}
	}
}
