package hydrate_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/joinery/joinery/hydrate"
)

// ---------------------------------------------------------------------------------------------
// Pointer forms: root []*UserP, Posts []*PostP, Tags []*Tag, Profile *Profile.

type PostP struct {
	ID    int64  `db:"id"`
	Title string `db:"title"`
	Tags  []*Tag
}

type UserP struct {
	ID      int64  `db:"id"`
	Name    string `db:"name"`
	Posts   []*PostP
	Profile *Profile
}

func userPMap() *hydrate.Map {
	m := userMap()
	m.Root.Type = typeOf[UserP]()
	m.Root.Name = "UserP"
	m.Root.Children[0].Type = typeOf[PostP]()
	return m
}

func TestPointerForms(t *testing.T) {
	data := []any{
		[]any{1, "ann", 10, "p10", 100, "go", 7, "bio"},
		[]any{1, "ann", 10, "p10", 101, "sql", 7, "bio"},
		[]any{1, "ann", 11, "p11", 100, "go", 7, "bio"},
		[]any{2, "bob", nil, nil, nil, nil, nil, nil},
		[]any{3, "cid", 12, "p12", nil, nil, nil, nil},
	}
	rowsOf := func(t *testing.T) *hydrateRows {
		rs := mkRows(userCols)
		for _, d := range data {
			rs.AddRow(toValues(d.([]any))...)
		}
		return &hydrateRows{query(t, rs)}
	}
	wantJSON := `[
		{"ID":1,"Name":"ann","Posts":[
			{"ID":10,"Title":"p10","Tags":[{"ID":100,"Name":"go"},{"ID":101,"Name":"sql"}]},
			{"ID":11,"Title":"p11","Tags":[{"ID":100,"Name":"go"}]}],
		 "Profile":{"ID":7,"Bio":"bio"}},
		{"ID":2,"Name":"bob","Posts":[],"Profile":null},
		{"ID":3,"Name":"cid","Posts":[{"ID":12,"Title":"p12","Tags":[]}],"Profile":null}
	]`
	want := []*UserP{
		{ID: 1, Name: "ann", Posts: []*PostP{
			{ID: 10, Title: "p10", Tags: []*Tag{{100, "go"}, {101, "sql"}}},
			{ID: 11, Title: "p11", Tags: []*Tag{{100, "go"}}},
		}, Profile: &Profile{7, "bio"}},
		{ID: 2, Name: "bob", Posts: []*PostP{}},
		{ID: 3, Name: "cid", Posts: []*PostP{{ID: 12, Title: "p12", Tags: []*Tag{}}}},
	}

	t.Run("root []*T", func(t *testing.T) {
		got, err := hydrate.All[*UserP](rowsOf(t), userPMap())
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, got, want)
		mustJSON(t, got, wantJSON)
		// identity is (parent, key): the shared tag is one instance per post
		if got[0].Posts[0].Tags[0] == got[0].Posts[1].Tags[0] {
			t.Fatal("tag 100 under two posts is the same pointer; want one instance per parent")
		}
		if got[1].Posts == nil || got[2].Posts[0].Tags == nil {
			t.Fatal("empty included []*T must be non-nil")
		}
	})
	t.Run("root []T with []*T fields", func(t *testing.T) {
		got, err := hydrate.All[UserP](rowsOf(t), userPMap())
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]UserP, len(want))
		for i, u := range want {
			vals[i] = *u
		}
		mustEqual(t, got, vals)
		mustJSON(t, got, wantJSON)
	})
	t.Run("Into *[]*T", func(t *testing.T) {
		var got []*UserP
		if err := hydrate.Into(rowsOf(t), userPMap(), &got); err != nil {
			t.Fatal(err)
		}
		mustEqual(t, got, want)
	})
}

// hydrateRows hides *sql.Rows behind the hydrate.Rows interface (checks that any Rows works).
type hydrateRows struct{ hydrate.Rows }

// ---------------------------------------------------------------------------------------------
// A to-one held by value.

type UserV struct {
	ID      int64 `db:"id"`
	Profile Profile
	Posts   []Post
}

func TestToOneValueField(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "UserV", Type: typeOf[UserV](),
		Cols: []hydrate.Col{col("u_id", "id")}, Key: []int{0},
		Children: []*hydrate.Node{
			{Path: "profile", Field: "Profile", Type: typeOf[Profile](),
				Cols: []hydrate.Col{col("pr_id", "id"), col("pr_bio", "bio")}, Key: []int{0}},
			{Path: "posts", Field: "Posts", Type: typeOf[Post](), Many: true,
				Cols: []hydrate.Col{col("p_id", "id"), col("p_title", "title")}, Key: []int{0}},
		},
	}}
	rs := mkRows([]string{"u_id", "pr_id", "pr_bio", "p_id", "p_title"},
		r(1, 7, "seven", 10, "a"),
		r(1, 7, "seven", 11, "b"),
		r(2, nil, nil, nil, nil),
		r(3, 8, "eight", nil, nil),
		r(1, 7, "seven", 12, "c"),
	)
	for i := 4; i < 30; i++ { // grow the root slice while value to-ones are in it
		rs.AddRow(i, i, "n", nil, nil)
	}
	got, err := hydrate.All[UserV](query(t, rs), m)
	if err != nil {
		t.Fatal(err)
	}
	want := []UserV{
		{ID: 1, Profile: Profile{7, "seven"}, Posts: []Post{{ID: 10, Title: "a"}, {ID: 11, Title: "b"}, {ID: 12, Title: "c"}}},
		{ID: 2, Profile: Profile{}, Posts: []Post{}},
		{ID: 3, Profile: Profile{8, "eight"}, Posts: []Post{}},
	}
	for i := 4; i < 30; i++ {
		want = append(want, UserV{ID: int64(i), Profile: Profile{int64(i), "n"}, Posts: []Post{}})
	}
	mustEqual(t, got, want)
}

// ---------------------------------------------------------------------------------------------
// A to-one that matches two rows keeps the first.

type Link struct {
	ID  int64  `db:"id"`
	URL string `db:"url"`
}

type ProfileL struct {
	ID    int64  `db:"id"`
	Bio   string `db:"bio"`
	Links []Link
}

type UserL struct {
	ID      int64 `db:"id"`
	Profile *ProfileL
}

func TestToOneMatchingTwoRowsKeepsFirst(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "UserL", Type: typeOf[UserL](),
		Cols: []hydrate.Col{col("u_id", "id")}, Key: []int{0},
		Children: []*hydrate.Node{{
			Path: "profile", Field: "Profile", Type: typeOf[ProfileL](),
			Cols: []hydrate.Col{col("pr_id", "id"), col("pr_bio", "bio")}, Key: []int{0},
			Children: []*hydrate.Node{{
				Path: "profile.links", Field: "Links", Type: typeOf[Link](), Many: true,
				Cols: []hydrate.Col{col("l_id", "id"), col("l_url", "url")}, Key: []int{0},
			}},
		}},
	}}
	rows := query(t, mkRows([]string{"u_id", "pr_id", "pr_bio", "l_id", "l_url"},
		r(1, 5, "first", 50, "a"),
		r(1, 6, "second", 60, "b"), // second match: ignored with its children
		r(1, 5, "first", 51, "c"),  // the first match again: still folds
		r(2, nil, nil, nil, nil),
		r(2, 9, "late", 90, "d"), // the first non-NULL match of user 2
		r(2, 8, "later", 80, "e"),
	))
	got, err := hydrate.All[UserL](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, []UserL{
		{ID: 1, Profile: &ProfileL{ID: 5, Bio: "first", Links: []Link{{50, "a"}, {51, "c"}}}},
		{ID: 2, Profile: &ProfileL{ID: 9, Bio: "late", Links: []Link{{90, "d"}}}},
	})
}

// ---------------------------------------------------------------------------------------------
// Join-table columns.

type PostTagLink struct {
	Position int     `db:"position"`
	Note     *string `db:"note"`
}

type LinkedTag struct {
	ID      int64       `db:"id"`
	Name    string      `db:"name"`
	AddedBy string      `joinery:"through:added_by"`
	Link    PostTagLink `joinery:"through"`
}

type PostL struct {
	ID   int64 `db:"id"`
	Tags []LinkedTag
}

func postLMap() *hydrate.Map {
	return &hydrate.Map{Root: &hydrate.Node{
		Name: "PostL", Type: typeOf[PostL](),
		Cols: []hydrate.Col{col("p_id", "id")}, Key: []int{0},
		Children: []*hydrate.Node{{
			Path: "tags", Field: "Tags", Type: typeOf[LinkedTag](), Many: true, Through: "post_tags",
			Cols: []hydrate.Col{
				col("t_id", "id"), col("t_name", "name"),
				{Column: "pt_added_by", Field: "added_by", Through: true},
				{Column: "pt_position", Field: "position", Through: true},
				{Column: "pt_note", Field: "note", Through: true},
			},
			Key: []int{0},
		}},
	}}
}

func TestThroughColumnsLandOnTarget(t *testing.T) {
	rows := query(t, mkRows([]string{"p_id", "t_id", "t_name", "pt_added_by", "pt_position", "pt_note"},
		r(1, 100, "go", "ann", 1, "n1"),
		r(1, 101, "sql", "bob", 2, nil),
		r(2, 100, "go", "cid", 5, nil), // same tag under another post, other link data
		r(3, nil, nil, nil, nil, nil),
	))
	got, err := hydrate.All[PostL](rows, postLMap())
	if err != nil {
		t.Fatal(err)
	}
	n1 := "n1"
	mustEqual(t, got, []PostL{
		{ID: 1, Tags: []LinkedTag{
			{ID: 100, Name: "go", AddedBy: "ann", Link: PostTagLink{Position: 1, Note: &n1}},
			{ID: 101, Name: "sql", AddedBy: "bob", Link: PostTagLink{Position: 2}},
		}},
		{ID: 2, Tags: []LinkedTag{{ID: 100, Name: "go", AddedBy: "cid", Link: PostTagLink{Position: 5}}}},
		{ID: 3, Tags: []LinkedTag{}},
	})
}

func TestThroughColumnScanError(t *testing.T) {
	rows := query(t, mkRows([]string{"p_id", "t_id", "t_name", "pt_added_by", "pt_position", "pt_note"},
		r(1, 100, "go", "ann", "first", nil),
	))
	_, err := hydrate.All[PostL](rows, postLMap())
	mustScanError(t, err, "pt_position", "PostL.Tags[].Link.Position")

	rows = query(t, mkRows([]string{"p_id", "t_id", "t_name", "pt_added_by", "pt_position", "pt_note"},
		r(1, 100, "go", nil, 1, nil),
	))
	_, err = hydrate.All[PostL](rows, postLMap())
	mustScanError(t, err, "pt_added_by", "PostL.Tags[].AddedBy")
}

// ---------------------------------------------------------------------------------------------
// Map form.

func usersMapForm() *hydrate.Map {
	return &hydrate.Map{Root: &hydrate.Node{
		Name: "users",
		Cols: []hydrate.Col{
			kcol("u_id", "id", hydrate.Int),
			kcol("u_name", "name", hydrate.String),
			kcol("u_active", "active", hydrate.Bool),
			kcol("u_joined", "joined", hydrate.Time),
			kcol("u_note", "note", hydrate.Any),
			kcol("u_score", "score", hydrate.Float),
			kcol("u_raw", "raw", hydrate.Bytes),
			kcol("u_secret", "", hydrate.Any), // selected, not reported
		},
		Key: []int{0},
		Children: []*hydrate.Node{
			{
				Path: "posts", Field: "posts", Many: true,
				Cols: []hydrate.Col{kcol("p_id", "id", hydrate.Int), kcol("p_title", "title", hydrate.Any)},
				Key:  []int{0},
				Children: []*hydrate.Node{{
					Path: "posts.tags", Field: "tags", Many: true, Through: "link",
					Cols: []hydrate.Col{
						kcol("t_id", "id", hydrate.Int), kcol("t_label", "label", hydrate.String),
						{Column: "pt_pos", Field: "position", Through: true, Kind: hydrate.Int},
						{Column: "pt_by", Field: "by", Through: true, Kind: hydrate.Any},
					},
					Key: []int{0},
				}},
			},
			{
				Path: "profile", Field: "profile",
				Cols: []hydrate.Col{kcol("pr_id", "id", hydrate.Int), kcol("pr_bio", "bio", hydrate.String)},
				Key:  []int{0},
			},
		},
	}}
}

var mapCols = []string{"u_id", "u_name", "u_active", "u_joined", "u_note", "u_score", "u_raw", "u_secret",
	"p_id", "p_title", "t_id", "t_label", "pt_pos", "pt_by", "pr_id", "pr_bio"}

func TestMapForm(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	t1 := time.Date(2023, 6, 7, 8, 9, 10, 0, time.UTC)
	rows := query(t, mkRows(mapCols,
		r(1, "ann", true, t0, []byte("hi"), 1.5, []byte("xy"), "s", 10, []byte("p10"), 100, "go", 1, []byte("ann"), 7, "bio"),
		r(1, "ann", true, t0, []byte("hi"), 1.5, []byte("xy"), "s", 10, []byte("p10"), 101, "sql", 2, nil, 7, "bio"),
		r(1, "ann", true, t0, []byte("hi"), 1.5, []byte("xy"), "s", 11, []byte("p11"), nil, nil, nil, nil, 7, "bio"),
		r(2, "bob", int64(0), t1, nil, nil, nil, "s", nil, nil, nil, nil, nil, nil, nil, nil),
		r(3, "cid", "true", t1, int64(42), int64(3), "str", nil, 12, "p12", 100, "go", 9, "cid", nil, nil),
	))
	got, err := hydrate.All[map[string]any](rows, usersMapForm())
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{
			"id": int64(1), "name": "ann", "active": true, "joined": t0, "note": "hi", "score": 1.5, "raw": []byte("xy"),
			"posts": []any{
				map[string]any{"id": int64(10), "title": "p10", "tags": []any{
					map[string]any{"id": int64(100), "label": "go", "link": map[string]any{"position": int64(1), "by": "ann"}},
					map[string]any{"id": int64(101), "label": "sql", "link": map[string]any{"position": int64(2), "by": nil}},
				}},
				map[string]any{"id": int64(11), "title": "p11", "tags": []any{}},
			},
			"profile": map[string]any{"id": int64(7), "bio": "bio"},
		},
		{
			"id": int64(2), "name": "bob", "active": false, "joined": t1, "note": nil, "score": nil, "raw": nil,
			"posts": []any{}, "profile": nil,
		},
		{
			"id": int64(3), "name": "cid", "active": true, "joined": t1, "note": int64(42), "score": float64(3), "raw": []byte("str"),
			"posts": []any{
				map[string]any{"id": int64(12), "title": "p12", "tags": []any{
					map[string]any{"id": int64(100), "label": "go", "link": map[string]any{"position": int64(9), "by": "cid"}},
				}},
			},
			"profile": nil,
		},
	}
	mustEqual(t, got, want)

	bob := got[1]
	if posts, ok := bob["posts"].([]any); !ok || posts == nil || len(posts) != 0 {
		t.Fatalf(`bob["posts"] = %#v, want []any{} (non-nil)`, bob["posts"])
	}
	if v, ok := bob["profile"]; !ok || v != nil {
		t.Fatalf(`bob["profile"] = %#v (present %v), want a nil entry`, v, ok)
	}
	if _, ok := bob["u_secret"]; ok {
		t.Fatal("unreported column leaked into the map")
	}
	mustJSON(t, got[1], `{"active":false,"id":2,"joined":"2023-06-07T08:09:10Z","name":"bob","note":null,"posts":[],"profile":null,"raw":null,"score":null}`)
	mustJSON(t, got[0]["posts"].([]any)[1], `{"id":11,"tags":[],"title":"p11"}`)
}

func TestMapFormToOneKeepsFirst(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "users",
		Cols: []hydrate.Col{kcol("u_id", "id", hydrate.Int)}, Key: []int{0},
		Children: []*hydrate.Node{{
			Path: "profile", Field: "profile",
			Cols: []hydrate.Col{kcol("pr_id", "id", hydrate.Any), kcol("pr_bio", "bio", hydrate.Any)},
			Key:  []int{0},
		}},
	}}
	rows := query(t, mkRows([]string{"u_id", "pr_id", "pr_bio"},
		r(1, 5, "first"),
		r(1, 6, "second"),
		r(2, nil, nil),
	))
	got, err := hydrate.All[map[string]any](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, []map[string]any{
		{"id": int64(1), "profile": map[string]any{"id": int64(5), "bio": "first"}},
		{"id": int64(2), "profile": nil},
	})
}

func TestMapFormScanError(t *testing.T) {
	rows := query(t, mkRows(mapCols,
		r(1, "ann", true, time.Now(), nil, nil, nil, nil, "abc", nil, nil, nil, nil, nil, nil, nil),
	))
	_, err := hydrate.All[map[string]any](rows, usersMapForm())
	mustScanError(t, err, "p_id", "users.posts[].id")

	rows = query(t, mkRows(mapCols,
		r(1, "ann", "maybe", time.Now(), nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil),
	))
	_, err = hydrate.All[map[string]any](rows, usersMapForm())
	mustScanError(t, err, "u_active", "users.active")
}

func TestMapFormAnyBytesAreCopied(t *testing.T) {
	// sqlmock overwrites the []byte it returned once the next row is read (like real drivers'
	// RawBytes); the folded values must not change.
	m := &hydrate.Map{Root: &hydrate.Node{
		Cols: []hydrate.Col{kcol("id", "id", hydrate.Any), kcol("v", "v", hydrate.Any), kcol("b", "b", hydrate.Bytes)},
		Key:  []int{0},
	}}
	rows := query(t, mkRows([]string{"id", "v", "b"},
		r([]byte("k1"), []byte("first"), []byte("b1")),
		r([]byte("k2"), []byte("second"), []byte("b2")),
		r([]byte("k1"), []byte("first"), []byte("b1")),
	))
	got, err := hydrate.All[map[string]any](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, []map[string]any{
		{"id": "k1", "v": "first", "b": []byte("b1")},
		{"id": "k2", "v": "second", "b": []byte("b2")},
	})
}

// ---------------------------------------------------------------------------------------------
// Rows are closed, whatever happens.

func TestRowsClosedAfterAll(t *testing.T) {
	// query() sets RowsWillBeClosed and checks it in Cleanup; these cases return before the
	// rows are exhausted, so only Into's own Close satisfies it.
	t.Run("success", func(t *testing.T) {
		got, err := hydrate.All[User](query(t, mkRows(userCols, r(1, "a", nil, nil, nil, nil, nil, nil))), userMap())
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, got, []User{{ID: 1, Name: "a", Posts: []Post{}}})
	})
	t.Run("column mismatch", func(t *testing.T) {
		_, err := hydrate.All[User](query(t, mkRows([]string{"u_id"}, r(1))), userMap())
		if !errors.Is(err, hydrate.ErrColumns) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("scan error", func(t *testing.T) {
		_, err := hydrate.All[User](query(t, mkRows(userCols,
			r("x", "a", nil, nil, nil, nil, nil, nil), r(2, "b", nil, nil, nil, nil, nil, nil))), userMap())
		mustScanError(t, err, "u_id", "User.ID")
	})
	t.Run("map error", func(t *testing.T) {
		_, err := hydrate.All[User](query(t, mkRows(userCols)), &hydrate.Map{Root: &hydrate.Node{Type: typeOf[User]()}})
		if !errors.Is(err, hydrate.ErrMap) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("dest error", func(t *testing.T) {
		_, err := hydrate.All[Post](query(t, mkRows(userCols)), userMap())
		if err == nil || !strings.Contains(err.Error(), "dest") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCloseAndRowsErrors(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{Name: "Tag", Type: typeOf[Tag](),
		Cols: []hydrate.Col{col("id", "id"), col("name", "name")}, Key: []int{0}}}

	t.Run("close once on success", func(t *testing.T) {
		fr := &fakeRows{cols: []string{"id", "name"}, data: [][]any{{int64(1), "a"}, {int64(2), "b"}, {int64(1), "a"}}}
		got, err := hydrate.All[Tag](fr, m)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, got, []Tag{{1, "a"}, {2, "b"}})
		if fr.closed != 1 {
			t.Fatalf("Close called %d times, want 1", fr.closed)
		}
	})
	t.Run("close error is returned", func(t *testing.T) {
		cerr := errors.New("close failed")
		fr := &fakeRows{cols: []string{"id", "name"}, data: [][]any{{int64(1), "a"}}, closeErr: cerr}
		got, err := hydrate.All[Tag](fr, m)
		if !errors.Is(err, cerr) || got != nil || fr.closed != 1 {
			t.Fatalf("err = %v, got = %#v, closed %d", err, got, fr.closed)
		}
	})
	t.Run("first error wins over close error", func(t *testing.T) {
		rerr := errors.New("rows failed")
		fr := &fakeRows{cols: []string{"id", "name"}, err: rerr, closeErr: errors.New("close failed")}
		_, err := hydrate.All[Tag](fr, m)
		if !errors.Is(err, rerr) || fr.closed != 1 {
			t.Fatalf("err = %v, closed %d", err, fr.closed)
		}
	})
	t.Run("Columns error", func(t *testing.T) {
		cerr := errors.New("no columns")
		fr := &fakeRows{colErr: cerr}
		_, err := hydrate.All[Tag](fr, m)
		if !errors.Is(err, cerr) || fr.closed != 1 {
			t.Fatalf("err = %v, closed %d", err, fr.closed)
		}
	})
	t.Run("unsupported identity key", func(t *testing.T) {
		am := &hydrate.Map{Root: &hydrate.Node{Name: "things", Cols: []hydrate.Col{col("id", "id")}, Key: []int{0}}}
		fr := &fakeRows{cols: []string{"id"}, data: [][]any{{uint64(5)}}}
		_, err := hydrate.All[map[string]any](fr, am)
		se := mustScanError(t, err, "id", "things.id")
		if !strings.Contains(se.Error(), "identity key") || fr.closed != 1 {
			t.Fatalf("err = %v, closed %d", err, fr.closed)
		}
	})
}

// ---------------------------------------------------------------------------------------------
// Dest mismatches.

func TestDestMismatch(t *testing.T) {
	mapForm := &hydrate.Map{Root: &hydrate.Node{Cols: []hydrate.Col{kcol("u_id", "id", hydrate.Int)}, Key: []int{0}}}
	cases := []struct {
		name string
		m    *hydrate.Map
		cols []string
		call func(rows hydrate.Rows, m *hydrate.Map) error
	}{
		{"All of another struct", userMap(), userCols, func(rows hydrate.Rows, m *hydrate.Map) error {
			_, err := hydrate.All[Post](rows, m)
			return err
		}},
		{"All of **T", userMap(), userCols, func(rows hydrate.Rows, m *hydrate.Map) error {
			_, err := hydrate.All[**User](rows, m)
			return err
		}},
		{"All of map for struct root", userMap(), userCols, func(rows hydrate.Rows, m *hydrate.Map) error {
			_, err := hydrate.All[map[string]any](rows, m)
			return err
		}},
		{"All of struct for map root", mapForm, []string{"u_id"}, func(rows hydrate.Rows, m *hydrate.Map) error {
			_, err := hydrate.All[User](rows, m)
			return err
		}},
		{"Into non-pointer", userMap(), userCols, func(rows hydrate.Rows, m *hydrate.Map) error {
			return hydrate.Into(rows, m, []User{})
		}},
		{"Into nil pointer", userMap(), userCols, func(rows hydrate.Rows, m *hydrate.Map) error {
			return hydrate.Into(rows, m, (*[]User)(nil))
		}},
		{"Into pointer to struct", userMap(), userCols, func(rows hydrate.Rows, m *hydrate.Map) error {
			return hydrate.Into(rows, m, &User{})
		}},
		{"Into nil", userMap(), userCols, func(rows hydrate.Rows, m *hydrate.Map) error {
			return hydrate.Into(rows, m, nil)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := query(t, mkRows(c.cols))
			err := c.call(rows, c.m)
			if err == nil || !strings.Contains(err.Error(), "dest") {
				t.Fatalf("err = %v, want a dest error", err)
			}
			if errors.Is(err, hydrate.ErrMap) || errors.Is(err, hydrate.ErrColumns) {
				t.Fatalf("dest error %v must not match ErrMap/ErrColumns", err)
			}
		})
	}
}

type namedUsers []User
type namedMaps []map[string]any

func TestIntoNamedSliceTypes(t *testing.T) {
	t.Run("struct", func(t *testing.T) {
		var got namedUsers
		err := hydrate.Into(query(t, mkRows(userCols, r(1, "a", nil, nil, nil, nil, nil, nil))), userMap(), &got)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, got, namedUsers{{ID: 1, Name: "a", Posts: []Post{}}})
	})
	t.Run("map", func(t *testing.T) {
		m := &hydrate.Map{Root: &hydrate.Node{Cols: []hydrate.Col{kcol("u_id", "id", hydrate.Int)}, Key: []int{0}}}
		var got namedMaps
		err := func() (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			return hydrate.Into(query(t, mkRows([]string{"u_id"}, r(1), r(2))), m, &got)
		}()
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, got, namedMaps{{"id": int64(1)}, {"id": int64(2)}})
	})
}

// ---------------------------------------------------------------------------------------------
// Map errors.

type BadParent struct {
	ID     int64 `db:"id"`
	One    Tag
	Many   []Tag
	Ptrs   []*Tag
	Number int
}

type BadEmbed struct {
	ID int64 `db:"id"`
	*Embedded
}

type Embedded struct {
	Inner []Tag
}

type NoThrough struct {
	ID int64 `db:"id"`
}

type PtrThrough struct {
	ID   int64        `db:"id"`
	Link *PostTagLink `joinery:"through"`
}

type BadParentWithThrough struct {
	ID   int64 `db:"id"`
	NT   []NoThrough
	PT   []PtrThrough
	Tags []LinkedTag
}

func TestMapErrors(t *testing.T) {
	tagNode := func(field string, many bool) *hydrate.Node {
		return &hydrate.Node{Path: "x", Field: field, Type: typeOf[Tag](), Many: many,
			Cols: []hydrate.Col{col("t_id", "id")}, Key: []int{0}}
	}
	root := func(kids ...*hydrate.Node) *hydrate.Map {
		return &hydrate.Map{Root: &hydrate.Node{Name: "BadParent", Type: typeOf[BadParent](),
			Cols: []hydrate.Col{col("b_id", "id")}, Key: []int{0}, Children: kids}}
	}
	throughRoot := func(field string, typ any, c hydrate.Col) *hydrate.Map {
		n := &hydrate.Node{Path: "x", Field: field, Many: true,
			Cols: []hydrate.Col{col("x_id", "id"), c}, Key: []int{0}}
		switch typ.(type) {
		case NoThrough:
			n.Type = typeOf[NoThrough]()
		case PtrThrough:
			n.Type = typeOf[PtrThrough]()
		case LinkedTag:
			n.Type = typeOf[LinkedTag]()
		}
		return &hydrate.Map{Root: &hydrate.Node{Name: "BadParentWithThrough", Type: typeOf[BadParentWithThrough](),
			Cols: []hydrate.Col{col("b_id", "id")}, Key: []int{0}, Children: []*hydrate.Node{n}}}
	}
	cases := []struct {
		name   string
		m      *hydrate.Map
		naming string
	}{
		{"nil root", &hydrate.Map{}, "root"},
		{"no key", &hydrate.Map{Root: &hydrate.Node{Type: typeOf[Tag](), Cols: []hydrate.Col{col("id", "id")}}}, "key"},
		{"key out of range", &hydrate.Map{Root: &hydrate.Node{Type: typeOf[Tag](), Cols: []hydrate.Col{col("id", "id")}, Key: []int{1}}}, "out of range"},
		{"negative key", &hydrate.Map{Root: &hydrate.Node{Type: typeOf[Tag](), Cols: []hydrate.Col{col("id", "id")}, Key: []int{-1}}}, "out of range"},
		{"five key columns", &hydrate.Map{Root: &hydrate.Node{Type: typeOf[Tag](),
			Cols: []hydrate.Col{col("a", ""), col("b", ""), col("c", ""), col("d", ""), col("e", "")}, Key: []int{0, 1, 2, 3, 4}}}, "4"},
		{"unknown column field", &hydrate.Map{Root: &hydrate.Node{Type: typeOf[Tag](), Cols: []hydrate.Col{col("id", "nope")}, Key: []int{0}}}, "nope"},
		{"root type not a struct", &hydrate.Map{Root: &hydrate.Node{Type: typeOf[int](), Cols: []hydrate.Col{col("id", "id")}, Key: []int{0}}}, "int"},
		{"root type pointer", &hydrate.Map{Root: &hydrate.Node{Type: typeOf[*Tag](), Cols: []hydrate.Col{col("id", "id")}, Key: []int{0}}}, "not a struct"},
		{"duplicate map column", &hydrate.Map{Root: &hydrate.Node{Type: typeOf[Tag](), Cols: []hydrate.Col{col("id", "id"), col("id", "name")}, Key: []int{0}}}, `"id"`},
		{"duplicate column across nodes", root(&hydrate.Node{Path: "x", Field: "Many", Type: typeOf[Tag](), Many: true,
			Cols: []hydrate.Col{col("b_id", "id")}, Key: []int{0}}), `"b_id"`},
		{"unknown child field", root(tagNode("Nope", true)), "Nope"},
		{"many into a value field", root(tagNode("One", true)), "One"},
		{"one into a slice field", root(tagNode("Many", false)), "Many"},
		{"one into a slice of pointers", root(tagNode("Ptrs", false)), "Ptrs"},
		{"many into an int field", root(tagNode("Number", true)), "Number"},
		{"many of the wrong element type", root(&hydrate.Node{Path: "x", Field: "Many", Type: typeOf[Post](), Many: true,
			Cols: []hydrate.Col{col("p_id", "id")}, Key: []int{0}}), "Many"},
		{"embedded pointer struct", &hydrate.Map{Root: &hydrate.Node{Type: typeOf[BadEmbed](),
			Cols: []hydrate.Col{col("b_id", "id")}, Key: []int{0}, Children: []*hydrate.Node{tagNode("Inner", true)}}}, "Embedded"},
		{"map node under struct", root(&hydrate.Node{Path: "x", Field: "Many", Many: true,
			Cols: []hydrate.Col{col("t_id", "id")}, Key: []int{0}}), "x"},
		{"struct node under map", &hydrate.Map{Root: &hydrate.Node{Cols: []hydrate.Col{col("id", "id")}, Key: []int{0},
			Children: []*hydrate.Node{tagNode("tags", true)}}}, "x"},
		{"child without key", root(&hydrate.Node{Path: "x", Field: "Many", Type: typeOf[Tag](), Many: true,
			Cols: []hydrate.Col{col("t_id", "id")}}), "x"},
		{"through column without a landing field", throughRoot("NT", NoThrough{},
			hydrate.Col{Column: "j", Field: "added_by", Through: true}), "added_by"},
		{"through struct by pointer", throughRoot("PT", PtrThrough{},
			hydrate.Col{Column: "j", Field: "position", Through: true}), "Link"},
		{"through column not in the through struct", throughRoot("Tags", LinkedTag{},
			hydrate.Col{Column: "j", Field: "zzz", Through: true}), "zzz"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i := 0; i < 2; i++ { // the error is remembered
				fr := &fakeRows{cols: c.m.Columns()}
				_, err := hydrate.All[BadParent](fr, c.m)
				if !errors.Is(err, hydrate.ErrMap) {
					t.Fatalf("err = %v, want ErrMap", err)
				}
				if !strings.Contains(err.Error(), c.naming) {
					t.Fatalf("error %q does not mention %q", err, c.naming)
				}
				if fr.closed != 1 {
					t.Fatalf("rows closed %d times, want 1", fr.closed)
				}
			}
		})
	}
}

func TestNilMap(t *testing.T) {
	fr := &fakeRows{}
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		_, err = hydrate.All[User](fr, nil)
		return err
	}()
	if !errors.Is(err, hydrate.ErrMap) {
		t.Fatalf("err = %v, want ErrMap", err)
	}
	if fr.closed != 1 {
		t.Fatalf("rows closed %d times, want 1", fr.closed)
	}
}

// ---------------------------------------------------------------------------------------------
// Embedded structs: columns and a child field reached through an embedded value.

type Base struct {
	ID int64 `db:"id"`
}

type Parts struct {
	Items []Part
}

type Owner struct {
	Base
	Name string `db:"name"`
	Parts
}

func TestEmbeddedStructs(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "Owner", Type: typeOf[Owner](),
		Cols: []hydrate.Col{col("o_id", "id"), col("o_name", "name")}, Key: []int{0},
		Children: []*hydrate.Node{{
			Path: "items", Field: "Items", Type: typeOf[Part](), Many: true,
			Cols: []hydrate.Col{col("i_no", "no"), col("i_name", "name")}, Key: []int{0},
		}},
	}}
	rows := query(t, mkRows([]string{"o_id", "o_name", "i_no", "i_name"},
		r(1, "a", 1, "x"), r(1, "a", 2, "y"), r(2, "b", nil, nil), r(3, "c", 1, "z"), r(4, "d", nil, nil), r(5, "e", 5, "e")))
	got, err := hydrate.All[Owner](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, []Owner{
		{Base{1}, "a", Parts{[]Part{{1, "x"}, {2, "y"}}}},
		{Base{2}, "b", Parts{[]Part{}}},
		{Base{3}, "c", Parts{[]Part{{1, "z"}}}},
		{Base{4}, "d", Parts{[]Part{}}},
		{Base{5}, "e", Parts{[]Part{{5, "e"}}}},
	})

	rows = query(t, mkRows([]string{"o_id", "o_name", "i_no", "i_name"}, r(1, "a", "bad", "x")))
	_, err = hydrate.All[Owner](rows, m)
	mustScanError(t, err, "i_no", "Owner.Items[].No")
}

// ---------------------------------------------------------------------------------------------
// One Map, many goroutines.

func TestConcurrentUseOfOneMap(t *testing.T) {
	m := userMap()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			fr := &fakeRows{cols: userCols, data: [][]any{
				{int64(g), "u", int64(10), "p", int64(100), "t", nil, nil},
				{int64(g), "u", int64(10), "p", int64(101), "t", nil, nil},
				{int64(g + 100), "v", nil, nil, nil, nil, int64(g), "bio"},
			}}
			got, err := hydrate.All[User](fr, m)
			if err != nil {
				errs <- err
				return
			}
			want := fmt.Sprintf(`[{"ID":%d,"Name":"u","Posts":[{"ID":10,"Title":"p","Tags":[{"ID":100,"Name":"t"},{"ID":101,"Name":"t"}]}],"Profile":null},`+
				`{"ID":%d,"Name":"v","Posts":[],"Profile":{"ID":%d,"Bio":"bio"}}]`, g, g+100, g)
			if gj := jsonString(got); gj != want {
				errs <- fmt.Errorf("goroutine %d:\n got %s\nwant %s", g, gj, want)
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// ---------------------------------------------------------------------------------------------
// Map helpers.

func TestMapColumnsStringWalk(t *testing.T) {
	m := userMap()
	mustEqual(t, m.Columns(), []string{"u_id", "u_name", "p_id", "p_title", "t_id", "t_name", "pr_id", "pr_bio"})

	var walked []string
	m.Walk(func(n *hydrate.Node, depth int) { walked = append(walked, fmt.Sprintf("%d:%s", depth, n.Path)) })
	mustEqual(t, walked, []string{"0:", "1:posts", "2:posts.tags", "1:profile"})

	want := "User (one) u_id=id u_name=name\n" +
		"  posts (many) p_id=id p_title=title\n" +
		"    posts.tags (many) t_id=id t_name=name\n" +
		"  profile (one) pr_id=id pr_bio=bio\n"
	if got := m.String(); got != want {
		t.Fatalf("String():\n%s\nwant:\n%s", got, want)
	}
	pm := postLMap()
	pm.Root.Cols = append(pm.Root.Cols, col("p_hidden", ""))
	want = "PostL (one) p_id=id p_hidden=-\n" +
		"  tags (many) t_id=id t_name=name pt_added_by=through.added_by pt_position=through.position pt_note=through.note\n"
	if got := pm.String(); got != want {
		t.Fatalf("String():\n%s\nwant:\n%s", got, want)
	}

	var empty hydrate.Map
	if empty.Columns() != nil || empty.String() != "" {
		t.Fatalf("empty map: Columns %v, String %q", empty.Columns(), empty.String())
	}
}
