package include_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

func mapBlog(t *testing.T, opts ...include.ModelOption) *include.Schema {
	t.Helper()
	s := include.NewSchema()
	for _, err := range []error{
		errOnly(s.DefineMap("Post", "posts", []include.Attr{{Name: "id", Type: include.Int}, {Name: "user_id", Type: include.Int}, {Name: "title"}}, opts...)),
		errOnly(s.DefineMap("Tag", "tags", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}})),
		errOnly(s.DefineMap("User", "users", []include.Attr{{Name: "id", Type: include.Int}})),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func errOnly(_ any, err error) error { return err }

// TestDDLOptionErrors: every DDL option checks what it names when registered, and says what
// to change.
func TestDDLOptionErrors(t *testing.T) {
	cases := []struct {
		name string
		run  func(s *include.Schema) error
		want string
	}{
		{"bad rule", func(s *include.Schema) error {
			return errOnly(s.BelongsTo("Post", "User", include.OnDelete("DROP")))
		}, `"DROP" is not a referential action`},
		{"unique key on a hasMany", func(s *include.Schema) error {
			return errOnly(s.HasMany("User", "Post", include.UniqueKey("k")))
		}, "include.UniqueKey applies to a BelongsToMany's join table, and this is a HasMany"},
		{"unique key and non-unique", func(s *include.Schema) error {
			if _, err := s.DefineMap("PostTag", "post_tags", []include.Attr{{Name: "id", Type: include.Int}, {Name: "post_id", Type: include.Int}, {Name: "tag_id", Type: include.Int}}); err != nil {
				return err
			}
			return errOnly(s.BelongsToMany("Post", "Tag", include.ThroughModel("PostTag"), include.UniqueKey("k"), include.NonUnique()))
		}, "include.UniqueKey and include.NonUnique contradict each other"},
		{"join columns lack the other key", func(s *include.Schema) error {
			return errOnly(s.BelongsToMany("Post", "Tag", include.Through("post_tags", "post_id", "tag", "added_by")))
		}, `BelongsToMany(Post, Tag) as "Tags": the join table post_tags is declared with columns (post_id, tag, added_by), which lack its other key "tag_id": pass include.OtherKey naming one of them, or add "tag_id" to include.Through`},
		{"join columns lack the foreign key", func(s *include.Schema) error {
			return errOnly(s.BelongsToMany("Post", "Tag", include.Through("post_tags", "tag_id")))
		}, `lack its foreign key "post_id"`},
		{"through scope on an undeclared column", func(s *include.Schema) error {
			return errOnly(s.BelongsToMany("Post", "Tag", include.Through("post_tags", "post_id", "tag_id"), include.WithThroughScope(scope.Eq("kind", "x"))))
		}, `the through scope names column "kind", which the join table post_tags is not declared with (post_id, tag_id)`},
		{"columns and loose", func(s *include.Schema) error {
			return errOnly(s.BelongsToMany("Post", "Tag", include.Through("post_tags", "post_id", "tag_id"), include.LooseThrough()))
		}, "pass one of them"},
		{"loose on a hasMany", func(s *include.Schema) error {
			return errOnly(s.HasMany("User", "Post", include.LooseThrough()))
		}, "apply to a join table declared by name"},
		{"a column listed twice", func(s *include.Schema) error {
			return errOnly(s.BelongsToMany("Post", "Tag", include.Through("post_tags", "post_id", "tag_id", "post_id")))
		}, `join-table column "post_id" of post_tags is listed twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run(mapBlog(t))
			if !errors.Is(err, include.ErrDefinition) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant an ErrDefinition containing %q", err, c.want)
			}
		})
	}
	modelCases := []struct {
		opt  include.ModelOption
		want string
	}{
		{include.ColumnType("nope", "text"), `model Post: include.ColumnType names "nope", which is not a column (columns: id, user_id, title)`},
		{include.ColumnType("title", " "), `include.ColumnType("title", "") gives no type`},
		{include.NotNull("nope"), `model Post: include.NotNull names "nope", which is not a column`},
		{include.Unique("", "title", "nope"), `model Post: include.Unique names "nope", which is not a column`},
		{include.Unique("k"), `include.Unique("k") names no column`},
	}
	for _, c := range modelCases {
		s := include.NewSchema()
		_, err := s.DefineMap("Post", "posts", []include.Attr{{Name: "id", Type: include.Int}, {Name: "user_id", Type: include.Int}, {Name: "title"}}, c.opt)
		if !errors.Is(err, include.ErrDefinition) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v\nwant an ErrDefinition containing %q", err, c.want)
		}
	}
}

// TestDDLOptionsRecorded: the options land on the association and the model.
func TestDDLOptionsRecorded(t *testing.T) {
	s := mapBlog(t, include.ColumnType("title", "string"), include.NotNull("title"), include.Unique("", "user_id", "title"))
	a, err := s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id"), include.OnDelete(include.Cascade), include.OnUpdate(include.Restrict), include.ForeignKeyNotNull())
	if err != nil {
		t.Fatal(err)
	}
	if c := a.Constraint(); c.OnDelete != include.Cascade || c.OnUpdate != include.Restrict || !c.NotNull || c.None {
		t.Errorf("constraint %+v", c)
	}
	m := s.Model("Post")
	if m.ColumnType("title") != "string" || !m.NotNull("title") || m.NotNull("user_id") || !m.NotNull("id") {
		t.Errorf("model options: type %q, NOT NULL title %v user_id %v id %v", m.ColumnType("title"), m.NotNull("title"), m.NotNull("user_id"), m.NotNull("id"))
	}
	if u := m.Uniques(); len(u) != 1 || strings.Join(u[0].Columns, ",") != "user_id,title" {
		t.Errorf("uniques %v", u)
	}
	poly, err := s.HasMany("User", "Post", include.As("posts"), include.ForeignKey("user_id"), include.Polymorphic("title", "user"))
	if err != nil {
		t.Fatal(err)
	}
	if poly.Constraint().Polymorphic != "title" {
		t.Errorf("polymorphic %+v", poly.Constraint())
	}
	bt, err := s.BelongsToMany("Post", "Tag", include.Through("post_tags", "post_id", "tag_id", "added_by"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(bt.ThroughColumns(), ","); got != "post_id,tag_id,added_by" {
		t.Errorf("ThroughColumns %s", got)
	}
	if err := bt.CheckThroughColumn("added_by"); err != nil {
		t.Error(err)
	}
	err = bt.CheckThroughColumn("addedby")
	if err == nil || !strings.Contains(err.Error(), `join-table column "addedby" of post_tags is not declared (declared: post_id, tag_id, added_by)`) {
		t.Errorf("got %v", err)
	}
	loose, err := s.BelongsToMany("Tag", "Post", include.Through("post_tags"), include.LooseThrough())
	if err != nil {
		t.Fatal(err)
	}
	if err := loose.CheckThroughColumn("anything"); err != nil || !loose.LooseThrough() {
		t.Errorf("a loose join table: %v", err)
	}
}

// TestNullableFields: a struct field's type decides NOT NULL.
func TestNullableFields(t *testing.T) {
	type Row struct {
		ID   int64   `db:"id"`
		A    string  `db:"a"`
		B    *string `db:"b"`
		C    []byte  `db:"c"`
		D    any     `db:"d"`
		Note nullish `db:"note"`
	}
	s := include.NewSchema()
	m, err := s.Define(Row{}, "rows", include.NotNull("b"))
	if err != nil {
		t.Fatal(err)
	}
	for col, want := range map[string]bool{"id": true, "a": true, "b": true, "c": false, "d": false, "note": false} {
		if got := m.NotNull(col); got != want {
			t.Errorf("NotNull(%s) = %v, want %v", col, got, want)
		}
	}
}

// nullish scans NULL (like sql.NullString).
type nullish struct{ s *string }

func (n *nullish) Scan(v any) error { return nil }
