package meta_test

import (
	"database/sql"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/joinery/joinery/internal/meta"
)

type Post struct {
	ID    int64  `db:"id"`
	Title string `db:"title"`
}

type plain struct {
	ID        int64  `db:"id"`
	FirstName string // untagged: lower-cased
	Secret    string `db:"-"`
	Email     string `db:"email,omitempty"`
	hidden    string `db:"hidden"` //nolint:unused // unexported: skipped
	Posts     []Post
	Author    *Post `joinery:"author"`
	Cover     Post
}

func mustOf(t *testing.T, v any) *meta.Struct {
	t.Helper()
	s, err := meta.Of(reflect.TypeOf(v))
	if err != nil {
		t.Fatalf("meta.Of(%T): %v", v, err)
	}
	return s
}

func TestColumnsFromTags(t *testing.T) {
	s := mustOf(t, plain{})
	if got, want := s.ColumnNames(), []string{"id", "firstname", "email"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ColumnNames = %v, want %v", got, want)
	}
	if f := s.Column("id"); f == nil || f.GoName != "ID" || f.Type != reflect.TypeOf(int64(0)) {
		t.Fatalf("Column(id) = %+v", f)
	}
	if f := s.Column("firstname"); f == nil || f.GoName != "FirstName" {
		t.Fatalf("untagged field: Column(firstname) = %+v", f)
	}
	if f := s.Column("email"); f == nil || f.GoName != "Email" {
		t.Fatalf("tag options must be cut: Column(email) = %+v", f)
	}
	for _, name := range []string{"-", "secret", "Secret", "hidden", "FirstName", "email,omitempty"} {
		if f := s.Column(name); f != nil {
			t.Errorf("Column(%q) = %+v, want nil", name, f)
		}
	}
	if s.Type != reflect.TypeOf(plain{}) {
		t.Errorf("Type = %v", s.Type)
	}
}

func TestOthersAreAssociationCandidates(t *testing.T) {
	s := mustOf(t, plain{})
	var names []string
	for _, f := range s.Others {
		names = append(names, f.GoName)
	}
	if want := []string{"Posts", "Author", "Cover"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("Others = %v, want %v", names, want)
	}
	if s.Others[1].Tag != "author" {
		t.Errorf("Author.Tag = %q, want %q", s.Others[1].Tag, "author")
	}
	if s.Others[0].Tag != "" {
		t.Errorf("Posts.Tag = %q, want empty", s.Others[0].Tag)
	}
	if len(s.Through) != 0 {
		t.Errorf("Through = %v, want none", s.Through)
	}
}

func TestPointerTypeIsDereferencedAndCached(t *testing.T) {
	a := mustOf(t, plain{})
	b, err := meta.Of(reflect.TypeOf((**plain)(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatalf("Of(**plain) returned a different *Struct than Of(plain)")
	}
}

func TestNotAStruct(t *testing.T) {
	_, err := meta.Of(reflect.TypeOf(42))
	if err == nil || !strings.Contains(err.Error(), "not a struct") {
		t.Fatalf("err = %v, want 'not a struct'", err)
	}
	// errors are cached too, and stay errors
	_, err2 := meta.Of(reflect.TypeOf(42))
	if err2 == nil || err2.Error() != err.Error() {
		t.Fatalf("second call err = %v, want %v", err2, err)
	}
}

type Timestamps struct {
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

type Audit struct {
	Flag bool `db:"flag"`
	Timestamps
}

type embedding struct {
	Pad  byte   `db:"pad"`
	Name string `db:"name"`
	Audit
	Tail int32 `db:"tail"`
}

func TestEmbeddedStructsAreFlattenedWithOffsets(t *testing.T) {
	s := mustOf(t, embedding{})
	if got, want := s.ColumnNames(), []string{"pad", "name", "flag", "created_at", "updated_at", "tail"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ColumnNames = %v, want %v", got, want)
	}
	if got := s.Column("updated_at").Index; !reflect.DeepEqual(got, []int{2, 1, 1}) {
		t.Fatalf("updated_at Index = %v, want [2 1 1]", got)
	}
	rt := reflect.TypeOf(embedding{})
	var v embedding
	base := uintptr(unsafe.Pointer(&v))
	rv := reflect.ValueOf(&v).Elem()
	for _, f := range s.Columns {
		// the offset from the root is the sum of the offsets along the index path
		var want uintptr
		t2 := rt
		for _, i := range f.Index {
			sf := t2.Field(i)
			want += sf.Offset
			t2 = sf.Type
		}
		if f.Offset != want {
			t.Errorf("%s: Offset = %d, want %d", f.Name, f.Offset, want)
		}
		if got := rv.FieldByIndex(f.Index).UnsafeAddr() - base; got != f.Offset {
			t.Errorf("%s: Offset = %d, but the field is at %d", f.Name, f.Offset, got)
		}
		if sf := rt.FieldByIndex(f.Index); sf.Name != f.GoName || sf.Type != f.Type {
			t.Errorf("%s: Index %v leads to %s %v, want %s %v", f.Name, f.Index, sf.Name, sf.Type, f.GoName, f.Type)
		}
	}
	// writing through the offset writes the field
	*(*time.Time)(unsafe.Add(unsafe.Pointer(&v), s.Column("updated_at").Offset)) = time.Unix(7, 0).UTC()
	if !v.UpdatedAt.Equal(time.Unix(7, 0)) {
		t.Fatalf("write through Offset did not land in UpdatedAt: %v", v.UpdatedAt)
	}
}

type IDBase struct {
	ID   int64  `db:"id"`
	Kind string `db:"kind"`
}

type shadowAfter struct {
	IDBase
	ID   int64  `db:"id"` // shadows IDBase.ID, as in Go and sqlx
	Name string `db:"name"`
}

type shadowBefore struct {
	ID int64 `db:"id"`
	IDBase
}

func TestShallowestDuplicateWins(t *testing.T) {
	for _, v := range []any{shadowAfter{}, shadowBefore{}} {
		s := mustOf(t, v)
		f := s.Column("id")
		want, _ := reflect.TypeOf(v).FieldByName("ID") // Go's promotion rule: the shallowest
		if f == nil || !reflect.DeepEqual(f.Index, want.Index) || f.Offset != want.Offset {
			t.Errorf("%T: Column(id) = %+v, want the field at index %v offset %d", v, f, want.Index, want.Offset)
		}
		n := 0
		for _, c := range s.Columns {
			if c.Name == "id" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%T: id listed %d times in Columns", v, n)
		}
		if s.Column("kind") == nil {
			t.Errorf("%T: kind missing", v)
		}
	}
}

type embedsPointer struct {
	ID int64 `db:"id"`
	*IDBase
}

func TestEmbeddedPointerStructIsAnError(t *testing.T) {
	_, err := meta.Of(reflect.TypeOf(embedsPointer{}))
	if err == nil {
		t.Fatal("want an error for an embedded *struct")
	}
	for _, want := range []string{"*IDBase", "embed the struct by value"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err %q does not contain %q", err, want)
		}
	}
}

type taggedEmbed struct {
	ID     int64       `db:"id"`
	IDBase `db:"base"` // a named embedded struct is not flattened
}

func TestTaggedEmbeddedStructIsNotFlattened(t *testing.T) {
	s := mustOf(t, taggedEmbed{})
	if got := s.ColumnNames(); !reflect.DeepEqual(got, []string{"id"}) {
		t.Fatalf("ColumnNames = %v, want [id]", got)
	}
	if len(s.Others) != 1 || s.Others[0].Name != "base" || s.Others[0].GoName != "IDBase" {
		t.Fatalf("Others = %+v, want the IDBase field named base", s.Others)
	}
}

type Link struct {
	Role  string `db:"role"`
	Since int64  `db:"since"`
}

type withThrough struct {
	ID      int64   `db:"id"`
	Link    Link    `joinery:"through"`
	PLink   *Link   `joinery:"through"`
	AddedBy *string `joinery:"through:added_by"`
	Rank    int     `db:"rank" joinery:"through:rank"`
	Name    string  `db:"name"`
}

func TestThroughFields(t *testing.T) {
	s := mustOf(t, withThrough{})
	if got, want := s.ColumnNames(), []string{"id", "name"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ColumnNames = %v, want %v (through fields are not columns)", got, want)
	}
	if s.Column("rank") != nil || s.Column("added_by") != nil {
		t.Fatal("a through field must not be a column")
	}
	if len(s.Others) != 0 {
		t.Fatalf("Others = %+v, want none", s.Others)
	}
	type th struct{ GoName, Name, Tag string }
	var got []th
	for _, f := range s.Through {
		got = append(got, th{f.GoName, f.Name, f.Tag})
	}
	want := []th{
		{"Link", "", "through"},
		{"PLink", "", "through"},
		{"AddedBy", "added_by", "through:added_by"},
		{"Rank", "rank", "through:rank"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Through = %+v, want %+v", got, want)
	}
	sf, _ := reflect.TypeOf(withThrough{}).FieldByName("AddedBy")
	if f := s.Through[2]; f.Offset != sf.Offset || !reflect.DeepEqual(f.Index, sf.Index) || f.Type != sf.Type {
		t.Fatalf("AddedBy through field = %+v, want offset %d index %v", f, sf.Offset, sf.Index)
	}
}

type myScanner struct{ v string }

func (m *myScanner) Scan(src any) error { m.v = "x"; return nil }

type MyInt int

func TestIsScalar(t *testing.T) {
	s := "x"
	cases := []struct {
		v    any
		want bool
	}{
		{int64(0), true},
		{uint8(0), true},
		{float32(0), true},
		{true, true},
		{"", true},
		{MyInt(0), true},
		{time.Time{}, true},
		{&time.Time{}, true},
		{sql.NullString{}, true},
		{sql.NullInt64{}, true},
		{&sql.NullTime{}, true},
		{myScanner{}, true}, // *myScanner implements sql.Scanner
		{[]byte(nil), true},
		{json.RawMessage(nil), true},
		{[16]byte{}, true},
		{&s, true},
		{Post{}, false},
		{&Post{}, false},
		{[]Post(nil), false},
		{[]*Post(nil), false},
		{[]string(nil), false},
		{map[string]any(nil), false},
		{struct{}{}, false},
	}
	for _, c := range cases {
		if got := meta.IsScalar(reflect.TypeOf(c.v)); got != c.want {
			t.Errorf("IsScalar(%T) = %v, want %v", c.v, got, c.want)
		}
	}
}

type scalars struct {
	ID      int64          `db:"id"`
	At      time.Time      `db:"at"`
	Note    sql.NullString `db:"note"`
	Blob    []byte         `db:"blob"`
	Nick    *string        `db:"nick"`
	Posts   []Post
	Author  *Post
	Cover   Post
	Authors []*Post
}

func TestScalarFieldsBecomeColumns(t *testing.T) {
	s := mustOf(t, scalars{})
	if got, want := s.ColumnNames(), []string{"id", "at", "note", "blob", "nick"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ColumnNames = %v, want %v", got, want)
	}
	var others []string
	for _, f := range s.Others {
		others = append(others, f.GoName)
	}
	if want := []string{"Posts", "Author", "Cover", "Authors"}; !reflect.DeepEqual(others, want) {
		t.Fatalf("Others = %v, want %v", others, want)
	}
}
