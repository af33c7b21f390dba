package include_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

// wantDefErr asserts that err is a registration error whose message contains every phrase.
func wantDefErr(t *testing.T, err error, phrases ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error containing %q, got nil", phrases)
	}
	if !errors.Is(err, include.ErrDefinition) {
		t.Errorf("errors.Is(%v, ErrDefinition) = false", err)
	}
	for _, p := range phrases {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q\n  does not contain %q", err, p)
		}
	}
}

func define(t *testing.T, s *include.Schema, v any, table string, opts ...include.ModelOption) *include.Model {
	t.Helper()
	m, err := s.Define(v, table, opts...)
	if err != nil {
		t.Fatalf("Define(%T): %v", v, err)
	}
	return m
}

func defineMap(t *testing.T, s *include.Schema, name, table string, attrs []include.Attr, opts ...include.ModelOption) *include.Model {
	t.Helper()
	m, err := s.DefineMap(name, table, attrs, opts...)
	if err != nil {
		t.Fatalf("DefineMap(%s): %v", name, err)
	}
	return m
}

// attrs builds run-time attributes whose columns equal their names.
func attrs(names ...string) []include.Attr {
	out := make([]include.Attr, len(names))
	for i, n := range names {
		out[i] = include.Attr{Name: n}
	}
	return out
}

type Account struct {
	ID        int64      `db:"id"`
	Email     string     `db:"email"`
	Score     float64    `db:"score"`
	Active    bool       `db:"active"`
	Nick      *string    `db:"nick"`
	CreatedAt time.Time  `db:"created_at"`
	Level     uint8      `db:"level"`
	Raw       []byte     `db:"raw"`
	DeletedAt *time.Time `db:"deleted_at"`
}

func TestDefineStructModel(t *testing.T) {
	s := include.NewSchema()
	m := define(t, s, (*Account)(nil), "accounts")
	if m.Name() != "Account" || m.Table() != "accounts" {
		t.Fatalf("Name/Table = %s/%s", m.Name(), m.Table())
	}
	if got := m.PrimaryKey(); !reflect.DeepEqual(got, []string{"id"}) {
		t.Fatalf("PrimaryKey = %v, want [id] (derived from the id column)", got)
	}
	if m.Type() != reflect.TypeOf(Account{}) {
		t.Fatalf("Type = %v", m.Type())
	}
	wantTypes := map[string]include.Type{
		"id": include.Int, "email": include.String, "score": include.Float, "active": include.Bool,
		"nick": include.String, "created_at": include.Any, "level": include.Int, "raw": include.Any,
		"deleted_at": include.Any,
	}
	goNames := map[string]string{"id": "ID", "email": "Email", "score": "Score", "active": "Active", "nick": "Nick",
		"created_at": "CreatedAt", "level": "Level", "raw": "Raw", "deleted_at": "DeletedAt"}
	var names []string
	for _, a := range m.Attrs() {
		names = append(names, a.Name)
		if a.Column != a.Name {
			t.Errorf("attr %s: Column = %q, want the db name", a.Name, a.Column)
		}
		if f, ok := reflect.TypeOf(Account{}).FieldByName(goNames[a.Name]); !ok || a.GoType != f.Type || len(a.Index) != 1 || a.Index[0] != f.Index[0] {
			t.Errorf("attr %s: GoType %v, Index %v, want field %s", a.Name, a.GoType, a.Index, goNames[a.Name])
		}
		if a.Type != wantTypes[a.Name] {
			t.Errorf("attr %s: Type = %v, want %v", a.Name, a.Type, wantTypes[a.Name])
		}
	}
	if want := []string{"id", "email", "score", "active", "nick", "created_at", "level", "raw", "deleted_at"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("Attrs = %v, want %v", names, want)
	}
	if !reflect.DeepEqual(m.AttrNames(), names) {
		t.Fatalf("AttrNames = %v", m.AttrNames())
	}
	if s.Model("Account") != m || s.ModelOf(reflect.TypeOf(Account{})) != m || s.ModelOf(reflect.TypeOf(&Account{})) != m {
		t.Fatal("Model / ModelOf do not find the model")
	}
	if s.Model("account") != nil || s.ModelOf(reflect.TypeOf(User{})) != nil {
		t.Fatal("Model / ModelOf find what was not registered")
	}
	if len(m.Associations()) != 0 || m.Association("x") != nil || len(m.AssociationNames()) != 0 {
		t.Fatal("a fresh model has associations")
	}
	if !m.DefaultScope().Empty() {
		t.Fatal("default scope must be empty")
	}
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
}

func TestDefineOptions(t *testing.T) {
	s := include.NewSchema()
	m := define(t, s, Account{}, "members", include.Name("Member"), include.PrimaryKey("email"),
		include.DefaultScope(scope.Eq("deleted_at", nil)))
	if m.Name() != "Member" || s.Model("Member") != m || s.Model("Account") != nil {
		t.Fatalf("Name option ignored: %s", m.Name())
	}
	if got := m.PrimaryKey(); !reflect.DeepEqual(got, []string{"email"}) {
		t.Fatalf("PrimaryKey = %v", got)
	}
	if got := m.DefaultScope().Columns(); !reflect.DeepEqual(got, []string{"deleted_at"}) {
		t.Fatalf("DefaultScope columns = %v", got)
	}
	// PrimaryKey returns a copy
	pk := m.PrimaryKey()
	pk[0] = "x"
	if m.PrimaryKey()[0] != "email" {
		t.Fatal("PrimaryKey exposes the model's slice")
	}
}

func TestModelNamesSorted(t *testing.T) {
	s := include.NewSchema()
	defineMap(t, s, "Zebra", "zebras", attrs("id"))
	defineMap(t, s, "Ant", "ants", attrs("id"))
	defineMap(t, s, "Mole", "moles", attrs("id"))
	if got := s.ModelNames(); !reflect.DeepEqual(got, []string{"Ant", "Mole", "Zebra"}) {
		t.Fatalf("ModelNames = %v", got)
	}
}

func TestMapModelAttr(t *testing.T) {
	s := include.NewSchema()
	m := defineMap(t, s, "Post", "posts", []include.Attr{
		{Name: "id", Type: include.Int},
		{Name: "userId", Column: "user_id", Type: include.Int},
		{Name: "title", Type: include.String},
	})
	if m.Type() != nil {
		t.Fatal("a run-time model has no Go type")
	}
	for _, name := range []string{"userId", "user_id"} {
		a, ok := m.Attr(name)
		if !ok || a.Name != "userId" || a.Column != "user_id" || a.Type != include.Int || a.GoType != nil {
			t.Errorf("Attr(%q) = %+v, %v", name, a, ok)
		}
	}
	if a, ok := m.Attr("title"); !ok || a.Column != "title" {
		t.Errorf("Attr(title) = %+v, %v: Column must default to Name", a, ok)
	}
	if _, ok := m.Attr("userid"); ok {
		t.Error("Attr must not match case-insensitively")
	}
	if _, ok := m.Attr("nope"); ok {
		t.Error("Attr(nope) found")
	}
	if got := m.AttrNames(); !reflect.DeepEqual(got, []string{"id", "userId", "title"}) {
		t.Errorf("AttrNames = %v", got)
	}
}

func TestMapModelPrimaryKeyByAttributeName(t *testing.T) {
	s := include.NewSchema()
	m := defineMap(t, s, "Thing", "things", []include.Attr{{Name: "thingId", Column: "thing_id"}, {Name: "name"}},
		include.PrimaryKey("thingId"))
	if got := m.PrimaryKey(); !reflect.DeepEqual(got, []string{"thing_id"}) {
		t.Fatalf("PrimaryKey = %v, want the column [thing_id]", got)
	}
	// an attribute named id with another column is the default key
	m2 := defineMap(t, s, "Other", "others", []include.Attr{{Name: "id", Column: "other_id"}})
	if got := m2.PrimaryKey(); !reflect.DeepEqual(got, []string{"other_id"}) {
		t.Fatalf("PrimaryKey = %v, want [other_id]", got)
	}
	// a composite key keeps its order
	m3 := defineMap(t, s, "Pair", "pairs", attrs("a", "b", "c"), include.PrimaryKey("b", "a"))
	if got := m3.PrimaryKey(); !reflect.DeepEqual(got, []string{"b", "a"}) {
		t.Fatalf("PrimaryKey = %v, want [b a]", got)
	}
}

type noID struct {
	Code string `db:"code"`
	Name string `db:"name"`
}

func TestMissingPrimaryKey(t *testing.T) {
	s := include.NewSchema()
	_, err := s.Define(noID{}, "things")
	wantDefErr(t, err, "model noID has no primary key", "include.PrimaryKey", "columns: code, name")

	_, err = s.DefineMap("Tag", "tags", attrs("label"))
	wantDefErr(t, err, "model Tag has no primary key", "include.PrimaryKey", "columns: label")
	if s.Model("Tag") != nil || s.ModelOf(reflect.TypeOf(noID{})) != nil {
		t.Fatal("a failed model must not be registered")
	}
	// with the option it registers
	m := define(t, s, noID{}, "things", include.PrimaryKey("code"))
	if got := m.PrimaryKey(); !reflect.DeepEqual(got, []string{"code"}) {
		t.Fatalf("PrimaryKey = %v", got)
	}
}

func TestPrimaryKeyUnknownColumn(t *testing.T) {
	s := include.NewSchema()
	_, err := s.Define(noID{}, "things", include.PrimaryKey("uid"))
	wantDefErr(t, err, "model noID", `primary key "uid" is not a column`, "columns: code, name")

	_, err = s.DefineMap("Tag", "tags", attrs("id", "label"), include.PrimaryKey("id", "nope"))
	wantDefErr(t, err, "model Tag", `primary key "nope" is not a column`, "columns: id, label")
}

func TestPrimaryKeyTooWide(t *testing.T) {
	s := include.NewSchema()
	_, err := s.DefineMap("Wide", "wide", attrs("a", "b", "c", "d", "e"), include.PrimaryKey("a", "b", "c", "d", "e"))
	wantDefErr(t, err, "model Wide", "more than 4 columns")
	defineMap(t, s, "Four", "four", attrs("a", "b", "c", "d"), include.PrimaryKey("a", "b", "c", "d"))
}

type onlyAssocs struct {
	Posts []Post
}

func TestModelDefinitionErrors(t *testing.T) {
	s := include.NewSchema()
	_, err := s.Define(nil, "x")
	wantDefErr(t, err, "pass a struct value")

	_, err = s.Define(42, "ints")
	wantDefErr(t, err, "not a struct")

	_, err = s.Define(onlyAssocs{}, "x")
	wantDefErr(t, err, "model onlyAssocs has no columns", "add fields with db tags")

	define(t, s, Account{}, "accounts")
	_, err = s.Define(&Account{}, "accounts2", include.Name("Account2"))
	wantDefErr(t, err, "already registered", "register each struct type once")

	_, err = s.DefineMap("Account", "accounts", attrs("id"))
	wantDefErr(t, err, "model Account is already registered", "include.Name")

	_, err = s.DefineMap("", "x", attrs("id"))
	wantDefErr(t, err, "the model needs a name")

	_, err = s.DefineMap("Empty", "", attrs("id"))
	wantDefErr(t, err, "model Empty", "table name is empty")

	_, err = s.DefineMap("NoCols", "nocols", nil)
	wantDefErr(t, err, "model NoCols has no columns")

	_, err = s.DefineMap("Anon", "anon", []include.Attr{{Name: "id"}, {Column: "x"}})
	wantDefErr(t, err, "model Anon", "an attribute has no name")

	_, err = s.DefineMap("Twice", "twice", attrs("id", "id"))
	wantDefErr(t, err, "model Twice", `attribute "id" is declared twice`)

	// a run-time model may report one column under two attribute names
	m2, err := s.DefineMap("Col2", "col2", []include.Attr{{Name: "id"}, {Name: "a", Column: "x"}, {Name: "b", Column: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := m2.Attr("b"); !ok || a.Column != "x" {
		t.Fatalf("attribute b: %+v %v", a, ok)
	}
	if a, ok := m2.Attr("x"); !ok || a.Name != "a" {
		t.Fatalf("column x resolves to the first attribute: %+v %v", a, ok)
	}

	for _, name := range []string{"Empty", "NoCols", "Anon", "Twice"} {
		if s.Model(name) != nil {
			t.Errorf("failed model %s was registered", name)
		}
	}
}

func TestDefaultScopeUnknownColumn(t *testing.T) {
	s := include.NewSchema()
	_, err := s.Define(Account{}, "accounts", include.DefaultScope(scope.New(sq.Eq{"removed": false})))
	wantDefErr(t, err, "default scope of model Account", `column "removed" is not a column of model Account`, "columns: id, email")

	_, err = s.DefineMap("Post", "posts", attrs("id", "title"),
		include.DefaultScope(scope.New(sq.Or{sq.Eq{"title": "a"}, sq.Gt{"views": 3}})))
	wantDefErr(t, err, "default scope of model Post", `column "views" is not a column of model Post`)

	// an attribute name or a column name is accepted
	m := defineMap(t, s, "Doc", "docs", []include.Attr{{Name: "id"}, {Name: "deletedAt", Column: "deleted_at"}},
		include.DefaultScope(scope.Eq("deletedAt", nil).Merge(scope.Eq("deleted_at", nil))))
	if got := m.DefaultScope().Columns(); !reflect.DeepEqual(got, []string{"deletedAt", "deleted_at"}) {
		t.Fatalf("DefaultScope columns = %v", got)
	}
}

func TestErrKeepsTheFirstError(t *testing.T) {
	s := include.NewSchema()
	if s.Err() != nil {
		t.Fatal("a new schema has an error")
	}
	_, first := s.DefineMap("Tag", "tags", attrs("label"))
	if first == nil {
		t.Fatal("want an error")
	}
	defineMap(t, s, "User", "users", attrs("id"))
	_, second := s.BelongsTo("Nope", "User")
	if second == nil || second.Error() == first.Error() {
		t.Fatalf("want a second, different error, got %v", second)
	}
	_, third := s.Define(nil, "x")
	if third == nil {
		t.Fatal("want a third error")
	}
	if err := s.Err(); err == nil || err.Error() != first.Error() || !errors.Is(err, include.ErrDefinition) {
		t.Fatalf("Err = %v, want the first error %v", err, first)
	}
}

func TestNaming(t *testing.T) {
	if include.NewSchema().Naming() != include.SnakeCase {
		t.Fatal("default naming must be SnakeCase")
	}
	if include.NewSchema(include.WithNaming(include.CamelCase)).Naming() != include.CamelCase {
		t.Fatal("WithNaming ignored")
	}
}
