package meta_test

import (
	"reflect"
	"testing"
)

// The names in meta are sqlx's whatever a schema's column mapper: Tagged says which came from
// a tag, so that a mapper renames only the others.

type untagged struct {
	ID       int64  `db:"id"`
	UserID   int64  // untagged: userid
	HTTPHost string `db:",omitempty"` // options only: untagged
	Email    string `db:"email,omitempty"`
	Posts    []Post
}

func TestTagged(t *testing.T) {
	s := mustOf(t, untagged{})
	got := map[string]bool{}
	for _, f := range s.Columns {
		got[f.Name] = f.Tagged
	}
	want := map[string]bool{"id": true, "userid": false, "httphost": false, "email": true}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Tagged = %v, want %v", got, want)
	}
	if f := s.Column("userid"); f == nil || f.GoName != "UserID" {
		t.Fatalf("Column(userid) = %+v", f)
	}
}

type bareThrough struct {
	ID      int64   `db:"id"`
	AddedBy int64   `joinery:"through"`          // scalar: named like an untagged column
	Note    *string `joinery:"through"`          // a pointer to a scalar is a scalar
	Role    string  `joinery:"through:the_role"` // tagged
	Rank    int     `joinery:"through:"`         // an empty name: the bare form
	Link    Link    `joinery:"through"`          // a struct: no name of its own
	PLink   *Link   `joinery:"through"`
}

func TestBareThroughScalarIsNamedLikeAColumn(t *testing.T) {
	s := mustOf(t, bareThrough{})
	type th struct {
		GoName, Name string
		Tagged       bool
	}
	var got []th
	for _, f := range s.Through {
		got = append(got, th{f.GoName, f.Name, f.Tagged})
	}
	want := []th{{"AddedBy", "addedby", false}, {"Note", "note", false}, {"Role", "the_role", true}, {"Rank", "rank", false}, {"Link", "", false}, {"PLink", "", false}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Through = %+v, want %+v", got, want)
	}
	if got := s.ColumnNames(); !reflect.DeepEqual(got, []string{"id"}) {
		t.Fatalf("ColumnNames = %v: through fields are not columns", got)
	}
}

type sameDepth struct {
	UserID int64
	Userid int64 // the same sqlx name at the same depth: the first wins
	Legacy int64 `db:"userid"`
}

func TestShadowedFields(t *testing.T) {
	s := mustOf(t, sameDepth{})
	if f := s.Column("userid"); f == nil || f.GoName != "UserID" {
		t.Fatalf("Column(userid) = %+v, want UserID", f)
	}
	var got []string
	for _, f := range s.Shadowed {
		got = append(got, f.GoName)
	}
	if want := []string{"Userid", "Legacy"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Shadowed = %v, want %v", got, want)
	}
	if !s.Shadowed[1].Tagged || s.Shadowed[0].Tagged {
		t.Fatalf("Shadowed Tagged = %v, %v", s.Shadowed[0].Tagged, s.Shadowed[1].Tagged)
	}
	// a deeper field loses to a shallower one, whichever comes first; the loser keeps its
	// own index
	for _, v := range []any{shadowAfter{}, shadowBefore{}} {
		s := mustOf(t, v)
		if len(s.Shadowed) != 1 || s.Shadowed[0].GoName != "ID" || len(s.Shadowed[0].Index) != 2 {
			t.Fatalf("%T: Shadowed = %+v, want the embedded IDBase.ID", v, s.Shadowed)
		}
		if f := s.Column("id"); len(f.Index) != 1 {
			t.Fatalf("%T: Column(id) = %+v, want the shallow one", v, f)
		}
	}
	if s := mustOf(t, plain{}); len(s.Shadowed) != 0 {
		t.Fatalf("plain: Shadowed = %+v", s.Shadowed)
	}
}
