package hydrate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/joinery/joinery/hydrate"
)

// ---------------------------------------------------------------------------------------------
// Models used by most tests: User -> Posts []Post -> Tags []Tag, User -> Profile *Profile.

type Tag struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

type Post struct {
	ID    int64  `db:"id"`
	Title string `db:"title"`
	Tags  []Tag
}

type Profile struct {
	ID  int64  `db:"id"`
	Bio string `db:"bio"`
}

type User struct {
	ID      int64  `db:"id"`
	Name    string `db:"name"`
	Posts   []Post
	Profile *Profile
}

var userCols = []string{"u_id", "u_name", "p_id", "p_title", "t_id", "t_name", "pr_id", "pr_bio"}

// userMap folds userCols into []User.
func userMap() *hydrate.Map {
	return &hydrate.Map{Root: &hydrate.Node{
		Name: "User", Type: typeOf[User](),
		Cols: []hydrate.Col{col("u_id", "id"), col("u_name", "name")},
		Key:  []int{0},
		Children: []*hydrate.Node{
			{
				Path: "posts", Field: "Posts", Type: typeOf[Post](), Many: true,
				Cols: []hydrate.Col{col("p_id", "id"), col("p_title", "title")},
				Key:  []int{0},
				Children: []*hydrate.Node{{
					Path: "posts.tags", Field: "Tags", Type: typeOf[Tag](), Many: true,
					Cols: []hydrate.Col{col("t_id", "id"), col("t_name", "name")},
					Key:  []int{0},
				}},
			},
			{
				Path: "profile", Field: "Profile", Type: typeOf[Profile](),
				Cols: []hydrate.Col{col("pr_id", "id"), col("pr_bio", "bio")},
				Key:  []int{0},
			},
		},
	}}
}

// ---------------------------------------------------------------------------------------------

func TestSharedChildAppearsUnderEveryParent(t *testing.T) {
	rows := query(t, mkRows(userCols,
		r(1, "ann", 10, "p10", 100, "go", nil, nil),
		r(1, "ann", 10, "p10", 101, "sql", nil, nil),
		r(1, "ann", 11, "p11", 100, "go", nil, nil),
		r(2, "bob", 12, "p12", 100, "go", nil, nil),
		// the same post id under another user is another post
		r(2, "bob", 10, "p10", 101, "sql", nil, nil),
	))
	got, err := hydrate.All[User](rows, userMap())
	if err != nil {
		t.Fatal(err)
	}
	want := []User{
		{ID: 1, Name: "ann", Posts: []Post{
			{ID: 10, Title: "p10", Tags: []Tag{{100, "go"}, {101, "sql"}}},
			{ID: 11, Title: "p11", Tags: []Tag{{100, "go"}}},
		}},
		{ID: 2, Name: "bob", Posts: []Post{
			{ID: 12, Title: "p12", Tags: []Tag{{100, "go"}}},
			{ID: 10, Title: "p10", Tags: []Tag{{101, "sql"}}},
		}},
	}
	mustEqual(t, got, want)
}

func TestNullChildren(t *testing.T) {
	rows := query(t, mkRows(userCols,
		r(1, "ann", 10, "p10", nil, nil, 7, "hi"),
		r(2, "bob", nil, nil, nil, nil, nil, nil),
	))
	got, err := hydrate.All[User](rows, userMap())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d users, want 2: %#v", len(got), got)
	}
	bob := got[1]
	if bob.Posts == nil || len(bob.Posts) != 0 {
		t.Fatalf("bob.Posts = %#v, want empty non-nil slice", bob.Posts)
	}
	if bob.Profile != nil {
		t.Fatalf("bob.Profile = %#v, want nil", bob.Profile)
	}
	tags := got[0].Posts[0].Tags
	if tags == nil || len(tags) != 0 {
		t.Fatalf("ann's post Tags = %#v, want empty non-nil slice", tags)
	}
	mustJSON(t, got, `[
		{"ID":1,"Name":"ann","Posts":[{"ID":10,"Title":"p10","Tags":[]}],"Profile":{"ID":7,"Bio":"hi"}},
		{"ID":2,"Name":"bob","Posts":[],"Profile":null}
	]`)
	mustEqual(t, got, []User{
		{ID: 1, Name: "ann", Posts: []Post{{ID: 10, Title: "p10", Tags: []Tag{}}}, Profile: &Profile{7, "hi"}},
		{ID: 2, Name: "bob", Posts: []Post{}},
	})
}

func TestNoRowsGivesEmptyNonNilSlice(t *testing.T) {
	rows := query(t, mkRows(userCols))
	got, err := hydrate.All[User](rows, userMap())
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || len(got) != 0 {
		t.Fatalf("got %#v, want empty non-nil slice", got)
	}
	mustJSON(t, got, `[]`)
}

func TestZeroAndEmptyKeysArePresent(t *testing.T) {
	// 0 and "" are values, not NULL: the child exists.
	rows := query(t, mkRows(userCols,
		r(0, "", 0, "", 0, "", 0, ""),
	))
	got, err := hydrate.All[User](rows, userMap())
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, []User{{Posts: []Post{{Tags: []Tag{{}}}}, Profile: &Profile{}}})
}

// ---------------------------------------------------------------------------------------------
// Composite keys.

type Membership struct {
	OrgID  int64  `db:"org_id"`
	UserID int64  `db:"user_id"`
	Role   string `db:"role"`
}

type Org struct {
	ID      int64 `db:"id"`
	Members []Membership
}

func TestCompositeIntKey(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "Org", Type: typeOf[Org](),
		Cols: []hydrate.Col{col("o_id", "id")}, Key: []int{0},
		Children: []*hydrate.Node{{
			Path: "members", Field: "Members", Type: typeOf[Membership](), Many: true,
			Cols: []hydrate.Col{col("m_org", "org_id"), col("m_user", "user_id"), col("m_role", "role")},
			Key:  []int{0, 1},
		}},
	}}
	rows := query(t, mkRows([]string{"o_id", "m_org", "m_user", "m_role"},
		r(1, 1, 1, "a"),
		r(1, 1, 2, "b"), // same first part, different second part
		r(1, 1, 1, "a"), // repeat
		r(1, 2, 1, "c"), // different first part, same second part
		r(1, 2, 2, "d"),
		r(2, 1, 1, "e"), // same key under another parent
	))
	got, err := hydrate.All[Org](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, []Org{
		{ID: 1, Members: []Membership{{1, 1, "a"}, {1, 2, "b"}, {2, 1, "c"}, {2, 2, "d"}}},
		{ID: 2, Members: []Membership{{1, 1, "e"}}},
	})
}

type Part struct {
	No   int64  `db:"no"`
	Name string `db:"name"`
}

type Item struct {
	Code  string `db:"code"`
	Rev   int64  `db:"rev"`
	Label string `db:"label"`
	Parts []Part
}

func TestCompositeStringIntRootKey(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "Item", Type: typeOf[Item](),
		Cols: []hydrate.Col{col("i_code", "code"), col("i_rev", "rev"), col("i_label", "label")},
		Key:  []int{0, 1},
		Children: []*hydrate.Node{{
			Path: "parts", Field: "Parts", Type: typeOf[Part](), Many: true,
			Cols: []hydrate.Col{col("pt_no", "no"), col("pt_name", "name")},
			Key:  []int{0},
		}},
	}}
	rows := query(t, mkRows([]string{"i_code", "i_rev", "i_label", "pt_no", "pt_name"},
		r("x", 1, "x1", 1, "a"),
		r("x", 2, "x2", 1, "b"),
		r("y", 1, "y1", nil, nil),
		r("x", 1, "x1", 2, "c"),
		r("x", 2, "x2", 1, "b"),
		r("1", 1, "one", nil, nil), // string "1" is not int 1
	))
	got, err := hydrate.All[Item](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, []Item{
		{Code: "x", Rev: 1, Label: "x1", Parts: []Part{{1, "a"}, {2, "c"}}},
		{Code: "x", Rev: 2, Label: "x2", Parts: []Part{{1, "b"}}},
		{Code: "y", Rev: 1, Label: "y1", Parts: []Part{}},
		{Code: "1", Rev: 1, Label: "one", Parts: []Part{}},
	})
}

type NullableKey struct {
	A    *int64 `db:"a"`
	B    int64  `db:"b"`
	Name string `db:"name"`
}

type HasNullableKeys struct {
	ID   int64 `db:"id"`
	Kids []NullableKey
}

func TestCompositeKeyPartialNullIsNotZero(t *testing.T) {
	// A composite key with one NULL part is present; NULL must not compare equal to 0.
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "HasNullableKeys", Type: typeOf[HasNullableKeys](),
		Cols: []hydrate.Col{col("h_id", "id")}, Key: []int{0},
		Children: []*hydrate.Node{{
			Path: "kids", Field: "Kids", Type: typeOf[NullableKey](), Many: true,
			Cols: []hydrate.Col{col("k_a", "a"), col("k_b", "b"), col("k_name", "name")},
			Key:  []int{0, 1},
		}},
	}}
	rows := query(t, mkRows([]string{"h_id", "k_a", "k_b", "k_name"},
		r(1, nil, 1, "null-one"),
		r(1, 0, 1, "zero-one"),
		r(1, nil, 1, "null-one"),
		r(1, nil, nil, nil), // all NULL: absent
	))
	got, err := hydrate.All[HasNullableKeys](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	zero := int64(0)
	mustEqual(t, got, []HasNullableKeys{{ID: 1, Kids: []NullableKey{
		{A: nil, B: 1, Name: "null-one"},
		{A: &zero, B: 1, Name: "zero-one"},
	}}})
}

// ---------------------------------------------------------------------------------------------
// Self-reference.

type Person struct {
	ID       int64  `db:"id"`
	Name     string `db:"name"`
	Children []Person
}

func TestSelfReferenceThreeLevels(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "Person", Type: typeOf[Person](),
		Cols: []hydrate.Col{col("p0_id", "id"), col("p0_name", "name")}, Key: []int{0},
		Children: []*hydrate.Node{{
			Path: "children", Field: "Children", Type: typeOf[Person](), Many: true,
			Cols: []hydrate.Col{col("p1_id", "id"), col("p1_name", "name")}, Key: []int{0},
			Children: []*hydrate.Node{{
				Path: "children.children", Field: "Children", Type: typeOf[Person](), Many: true,
				Cols: []hydrate.Col{col("p2_id", "id"), col("p2_name", "name")}, Key: []int{0},
			}},
		}},
	}}
	rows := query(t, mkRows([]string{"p0_id", "p0_name", "p1_id", "p1_name", "p2_id", "p2_name"},
		r(1, "root", 2, "a", 4, "a1"),
		r(1, "root", 2, "a", 5, "a2"),
		r(1, "root", 3, "b", 4, "a1"), // 4 also under 3
		r(1, "root", 9, "c", nil, nil),
		r(6, "root2", nil, nil, nil, nil),
		r(2, "a-as-root", 4, "a1", nil, nil), // 2 as a root is another instance than 2 as a child
	))
	got, err := hydrate.All[Person](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, []Person{
		{ID: 1, Name: "root", Children: []Person{
			{ID: 2, Name: "a", Children: []Person{{ID: 4, Name: "a1"}, {ID: 5, Name: "a2"}}},
			{ID: 3, Name: "b", Children: []Person{{ID: 4, Name: "a1"}}},
			{ID: 9, Name: "c", Children: []Person{}},
		}},
		{ID: 6, Name: "root2", Children: []Person{}},
		{ID: 2, Name: "a-as-root", Children: []Person{{ID: 4, Name: "a1", Children: []Person{}}}},
	})
	// The third level has no node below it: its Children stay nil (not included).
	mustJSON(t, got[0].Children[0].Children, `[{"ID":4,"Name":"a1","Children":null},{"ID":5,"Name":"a2","Children":null}]`)
}

// ---------------------------------------------------------------------------------------------

func TestColumnsInUnusualOrder(t *testing.T) {
	m := userMap()
	cols := []string{"t_name", "pr_bio", "p_title", "u_id", "t_id", "pr_id", "u_name", "p_id"}
	if strings.Join(cols, ",") == strings.Join(m.Columns(), ",") {
		t.Fatal("test needs a different order than Map.Columns()")
	}
	rows := query(t, mkRows(cols,
		r("go", "bio", "p10", 1, 100, 7, "ann", 10),
		r("sql", "bio", "p10", 1, 101, 7, "ann", 10),
		r(nil, nil, "p11", 2, nil, nil, "bob", 11),
	))
	got, err := hydrate.All[User](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, []User{
		{ID: 1, Name: "ann", Posts: []Post{{ID: 10, Title: "p10", Tags: []Tag{{100, "go"}, {101, "sql"}}}}, Profile: &Profile{7, "bio"}},
		{ID: 2, Name: "bob", Posts: []Post{{ID: 11, Title: "p11", Tags: []Tag{}}}},
	})
}

func TestChildrenKeepFirstSeenOrder(t *testing.T) {
	rows := query(t, mkRows(userCols,
		r(3, "c", 31, "p31", 5, "e", nil, nil),
		r(1, "a", 11, "p11", nil, nil, nil, nil),
		r(3, "c", 30, "p30", 2, "b", nil, nil),
		r(2, "b", 20, "p20", nil, nil, nil, nil),
		r(1, "a", 10, "p10", nil, nil, nil, nil),
		r(3, "c", 31, "p31", 1, "a", nil, nil),
		r(3, "c", 30, "p30", 9, "z", nil, nil),
		r(3, "c", 30, "p30", 2, "b", nil, nil),
	))
	got, err := hydrate.All[User](rows, userMap())
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, []User{
		{ID: 3, Name: "c", Posts: []Post{
			{ID: 31, Title: "p31", Tags: []Tag{{5, "e"}, {1, "a"}}},
			{ID: 30, Title: "p30", Tags: []Tag{{2, "b"}, {9, "z"}}},
		}},
		{ID: 1, Name: "a", Posts: []Post{{ID: 11, Title: "p11", Tags: []Tag{}}, {ID: 10, Title: "p10", Tags: []Tag{}}}},
		{ID: 2, Name: "b", Posts: []Post{{ID: 20, Title: "p20", Tags: []Tag{}}}},
	})
}

func TestManyRowsGrowSlices(t *testing.T) {
	// Enough rows to reallocate the root, post and tag slices several times.
	rs := mkRows(userCols)
	for u := 1; u <= 20; u++ {
		for p := 1; p <= 6; p++ {
			for tg := 1; tg <= 5; tg++ {
				rs.AddRow(u, "u", u*100+p, "p", tg, "t", u, "bio")
			}
		}
	}
	got, err := hydrate.All[User](query(t, rs), userMap())
	if err != nil {
		t.Fatal(err)
	}
	var want []User
	for u := 1; u <= 20; u++ {
		us := User{ID: int64(u), Name: "u", Profile: &Profile{int64(u), "bio"}}
		for p := 1; p <= 6; p++ {
			ps := Post{ID: int64(u*100 + p), Title: "p"}
			for tg := 1; tg <= 5; tg++ {
				ps.Tags = append(ps.Tags, Tag{int64(tg), "t"})
			}
			us.Posts = append(us.Posts, ps)
		}
		want = append(want, us)
	}
	mustEqual(t, got, want)
}

// ---------------------------------------------------------------------------------------------
// Errors from the rows and from scanning.

func TestMidStreamRowError(t *testing.T) {
	boom := errors.New("boom")
	rs := mkRows(userCols,
		r(1, "ann", 10, "p10", nil, nil, nil, nil),
		r(1, "ann", 11, "p11", nil, nil, nil, nil),
		r(2, "bob", nil, nil, nil, nil, nil, nil),
	).RowError(1, boom)
	got, err := hydrate.All[User](query(t, rs), userMap())
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if got != nil {
		t.Fatalf("got %#v with an error, want nil", got)
	}
}

func TestScanTypeMismatch(t *testing.T) {
	cases := []struct {
		name        string
		row         []any
		column, fld string
	}{
		{"root", []any{"abc", "ann", nil, nil, nil, nil, nil, nil}, "u_id", "User.ID"},
		{"to-many", []any{1, "ann", "abc", "p", nil, nil, nil, nil}, "p_id", "User.Posts[].ID"},
		{"nested to-many", []any{1, "ann", 10, "p", "abc", "t", nil, nil}, "t_id", "User.Posts[].Tags[].ID"},
		{"to-one", []any{1, "ann", nil, nil, nil, nil, "abc", "b"}, "pr_id", "User.Profile.ID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := mkRows(userCols, r(1, "ann", nil, nil, nil, nil, nil, nil))
			rs.AddRow(toValues(c.row)...)
			got, err := hydrate.All[User](query(t, rs), userMap())
			se := mustScanError(t, err, c.column, c.fld)
			if se.Err == nil || errors.Unwrap(se) == nil {
				t.Fatalf("ScanError has no cause: %#v", se)
			}
			if !strings.Contains(se.Error(), c.fld) {
				t.Fatalf("ScanError message %q does not name %s", se.Error(), c.fld)
			}
			if got != nil {
				t.Fatalf("got %#v with an error", got)
			}
		})
	}
}

func TestNullIntoNonPointerString(t *testing.T) {
	t.Run("root", func(t *testing.T) {
		rows := query(t, mkRows(userCols, r(1, nil, nil, nil, nil, nil, nil, nil)))
		_, err := hydrate.All[User](rows, userMap())
		se := mustScanError(t, err, "u_name", "User.Name")
		if !strings.Contains(se.Error(), "NULL") {
			t.Fatalf("error %q does not mention NULL", se)
		}
	})
	t.Run("child", func(t *testing.T) {
		rows := query(t, mkRows(userCols, r(1, "ann", 10, nil, nil, nil, nil, nil)))
		_, err := hydrate.All[User](rows, userMap())
		mustScanError(t, err, "p_title", "User.Posts[].Title")
	})
}

func TestNullRootKey(t *testing.T) {
	rows := query(t, mkRows(userCols, r(nil, "ann", nil, nil, nil, nil, nil, nil)))
	got, err := hydrate.All[User](rows, userMap())
	se := mustScanError(t, err, "u_id", "User.ID")
	if !strings.Contains(se.Error(), "NULL") || got != nil {
		t.Fatalf("err %v, got %#v", err, got)
	}
}

func TestColumnsMismatch(t *testing.T) {
	cases := []struct {
		name   string
		cols   []string
		naming string
	}{
		{"missing", []string{"u_id", "u_name", "p_id", "p_title", "t_id", "pr_id", "pr_bio"}, "t_name"},
		{"unexpected", append(append([]string(nil), userCols...), "extra"), "extra"},
		{"duplicate", append(append([]string(nil), userCols...), "u_id"), "u_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := mkRows(c.cols)
			vals := make([]any, len(c.cols))
			for i := range vals {
				vals[i] = int64(1)
			}
			rs.AddRow(toValues(vals)...)
			got, err := hydrate.All[User](query(t, rs), userMap())
			if !errors.Is(err, hydrate.ErrColumns) {
				t.Fatalf("err = %v, want ErrColumns", err)
			}
			if !strings.Contains(err.Error(), `"`+c.naming+`"`) {
				t.Fatalf("error %q does not name column %q", err, c.naming)
			}
			if got != nil {
				t.Fatalf("got %#v", got)
			}
		})
	}
}
