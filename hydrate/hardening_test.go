package hydrate_test

import (
	"database/sql"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/joinery/joinery/hydrate"
)

// dupTables is a users table holding user 1 twice, a posts table holding post 10 twice and
// a join table holding the link (10, 7) twice: tables without key constraints. Authors are
// users (user 1 twice again).
var (
	dupUsers = []int64{1, 2, 1}
	dupPosts = [][3]int64{{10, 1, 1}, {11, 1, 1}, {10, 1, 1}} // id, user_id, author_id
	dupLinks = [][2]int64{{7, 10}, {8, 10}, {7, 10}, {7, 11}} // tag id, post id
)

const dupWant = `[{"ID":1,"Posts":[` +
	`{"ID":10,"UserID":1,"Tags":[{"ID":7},{"ID":8}],"Author":{"ID":1,"Posts":null},"AuthorID":1},` +
	`{"ID":11,"UserID":1,"Tags":[{"ID":7}],"Author":{"ID":1,"Posts":null},"AuthorID":1}]},` +
	`{"ID":2,"Posts":[]}]`

// dupFlat is the LEFT JOIN of the dup tables, ordered by user id, post id and tag id.
func dupFlat() [][]any {
	var rows [][]any
	for _, u := range []int64{1, 1, 2} {
		n := len(rows)
		for _, p := range [][3]int64{{10, 1, 1}, {10, 1, 1}, {11, 1, 1}} {
			if p[1] != u {
				continue
			}
			for _, l := range [][2]int64{{7, 10}, {7, 10}, {7, 11}, {8, 10}} {
				if l[1] != p[0] {
					continue
				}
				for _, a := range dupUsers {
					if a == p[2] {
						rows = append(rows, []any{u, p[0], p[1], p[2], l[0], l[1], a})
					}
				}
			}
		}
		if len(rows) == n {
			rows = append(rows, []any{u, nil, nil, nil, nil, nil, nil})
		}
	}
	return rows
}

// dupBranches is the UNION ALL over the dup tables: every table row once per branch, with
// its rank in the branch's order, shuffled.
func dupBranches(seed uint64) [][]any {
	n := any(nil)
	rows := [][]any{
		{0, 1, 1, n, n, n, n, n, n}, {0, 2, 1, n, n, n, n, n, n}, {0, 3, 2, n, n, n, n, n, n},
		{1, 1, n, 10, 1, 1, n, n, n}, {1, 2, n, 10, 1, 1, n, n, n}, {1, 3, n, 11, 1, 1, n, n, n},
		{2, 1, n, n, n, n, 7, 10, n}, {2, 2, n, n, n, n, 7, 10, n}, {2, 3, n, n, n, n, 8, 10, n}, {2, 4, n, n, n, n, 7, 11, n},
		{3, 1, n, n, n, n, n, n, 1}, {3, 2, n, n, n, n, n, n, 1},
	}
	for _, r := range rows {
		for i, v := range r {
			if x, ok := v.(int); ok {
				r[i] = int64(x)
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	return rows
}

// Rows of a table without a key constraint repeat a key. Every shape folds them by
// identity, (parent, key): the flat JOIN, the UNION ALL's branch rows and one statement per
// branch give the same value, each user, post, tag and author once, though the map carries
// the Distinct hints the statement builder sets.
func TestDuplicateKeysEveryShape(t *testing.T) {
	flatMap := branchMap()
	flatMap.Branch, flatMap.Ordinal = "", ""
	flat, err := hydrate.All[uUser](&memRows{cols: []string{"u", "p", "pu", "pa", "t", "tp", "a"}, data: dupFlat()}, flatMap)
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, flat, dupWant)
	cols := []string{"jb", "jo", "u", "p", "pu", "pa", "t", "tp", "a"}
	for seed := range uint64(20) {
		rows := dupBranches(seed)
		union, err := hydrate.All[uUser](&memRows{cols: cols, data: rows}, branchMap())
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, union, flat)

		// one statement per branch, each in its arrival order
		var data [4][][]any
		for _, r := range rows {
			b := r[0].(int64)
			data[b] = append(data[b], r[1:])
		}
		parts := []hydrate.Part{{Branch: 0, Cols: []int{1, 2}}, {Branch: 1, Cols: []int{1, 3, 4, 5}}, {Branch: 2, Cols: []int{1, 6, 7}}, {Branch: 3, Cols: []int{1, 8}}}
		pr, err := hydrate.Parts(branchMap(), cols, parts, func(i int) (hydrate.Rows, error) {
			var d [][]any
			for _, r := range data[i] {
				row := []any{r[0]}
				for _, c := range parts[i].Cols[1:] {
					row = append(row, r[c-1])
				}
				d = append(d, row)
			}
			names := make([]string, len(parts[i].Cols))
			for j, c := range parts[i].Cols {
				names[j] = cols[c]
			}
			return &memRows{cols: names, data: d}, nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		piped, err := hydrate.All[uUser](pr, branchMap())
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, piped, flat)
	}
}

type dRoot struct {
	ID   int64   `db:"id"`
	Name string  `db:"name"`
	Kids []dKid  `db:"-"`
	One  *dKid   `db:"-"`
	Strs []dCode `db:"-"`
}

type dKid struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

type dCode struct {
	Code string `db:"code"`
	Name string `db:"name"`
}

// The first of a repeated key wins, by row order in a flat statement and by ordinal in
// branch rows, whether the key repeats among a few objects (compared pairwise) or many
// (compared through a set), for int and for other keys, roots and children alike.
func TestDuplicateKeysFirstWins(t *testing.T) {
	m := func(branch bool) *hydrate.Map {
		mp := &hydrate.Map{Root: &hydrate.Node{Name: "Root", Type: typeOf[dRoot](), Key: []int{0}, Branch: 0, Distinct: true,
			Cols: []hydrate.Col{col("r", "id"), col("rn", "name")},
			Children: []*hydrate.Node{
				{Path: "kids", Field: "Kids", Type: typeOf[dKid](), Many: true, Key: []int{0}, Branch: 1, Distinct: true,
					Cols: []hydrate.Col{col("k", "id"), col("kn", "name"), kcol("kr", "", hydrate.Int)}, Link: []int{2}, ParentLink: []int{0}},
				{Path: "one", Field: "One", Type: typeOf[dKid](), Key: []int{0}, Branch: 2, Distinct: true,
					Cols: []hydrate.Col{col("o", "id"), col("on", "name"), kcol("or", "", hydrate.Int)}, Link: []int{2}, ParentLink: []int{0}},
				{Path: "strs", Field: "Strs", Type: typeOf[dCode](), Many: true, Key: []int{0}, Branch: 3, Distinct: true,
					Cols: []hydrate.Col{col("s", "code"), col("sn", "name"), kcol("sr", "", hydrate.Int)}, Link: []int{2}, ParentLink: []int{0}},
			}}}
		if branch {
			mp.Branch, mp.Ordinal = "jb", "jo"
		}
		return mp
	}
	for _, n := range []int{3, 40} { // pairwise, and through the set
		// the logical rows, in order: each root, kid and code twice, the second copy named
		// "second"; roots and kids in an order that is neither ascending nor descending
		type obj struct {
			branch int64
			vals   map[int]any
		}
		var objs []obj
		var want []dRoot
		key := func(i int) int64 { return int64((i * 7) % n) }
		for i := range n {
			r := dRoot{ID: key(i), Name: "first", One: &dKid{ID: 1, Name: "first"}}
			for j := range n {
				r.Kids = append(r.Kids, dKid{ID: key(j), Name: "first"})
				r.Strs = append(r.Strs, dCode{Code: string(rune('A' + j)), Name: "first"})
			}
			want = append(want, r)
		}
		for copyNo, name := range []string{"first", "second"} {
			for i := range n {
				objs = append(objs, obj{0, map[int]any{2: key(i), 3: name}})
				objs = append(objs, obj{2, map[int]any{7: int64(1 + copyNo), 8: name, 9: key(i)}}) // a to-one matching twice: the first stays
				for j := range n {
					objs = append(objs, obj{1, map[int]any{4: key(j), 5: name, 6: key(i)}})
					objs = append(objs, obj{3, map[int]any{10: string(rune('A' + j)), 11: name, 12: key(i)}})
				}
			}
		}
		// branch rows: ordinals in the logical order, arriving shuffled
		cols := []string{"jb", "jo", "r", "rn", "k", "kn", "kr", "o", "on", "or", "s", "sn", "sr"}
		var rows [][]any
		ord := map[int64]int64{}
		for _, o := range objs {
			r := make([]any, len(cols))
			ord[o.branch]++
			r[0], r[1] = o.branch, ord[o.branch]
			for i, v := range o.vals {
				r[i] = v
			}
			rows = append(rows, r)
		}
		rand.New(rand.NewPCG(uint64(n), 2)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		got, err := hydrate.All[dRoot](&memRows{cols: cols, data: rows}, m(true))
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, got, want)

		// flat rows: per root copy, per kid copy, per code copy (one-of-each for the to-one)
		var flat [][]any
		for _, rn := range []string{"first", "second"} {
			for i := range n {
				for c, kn := range []string{"first", "second"} {
					for j := range n {
						flat = append(flat, []any{key(i), rn, key(j), kn, key(i), int64(1 + c), kn, key(i), string(rune('A' + j)), kn, key(i)})
					}
				}
			}
		}
		got, err = hydrate.All[dRoot](&memRows{cols: cols[2:], data: flat}, m(false))
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, got, want)
	}
}

// The fold's property over many generated values with repeated keys (see FuzzFoldShapes),
// so that plain `go test` covers it.
func TestShapesAgreeGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 300 {
		data := make([]byte, 64+rng.IntN(512))
		for i := range data {
			data[i] = byte(rng.UintN(256))
		}
		checkShapes(t, data)
	}
}

// errAfterNext is a Rows whose statement failed before its first row, as pgx reports it:
// no columns, no error until the rows are read.
type errAfterNext struct {
	cols     []string
	err      error
	read     bool
	closeErr error
}

func (r *errAfterNext) Columns() ([]string, error) { return r.cols, nil }
func (r *errAfterNext) Next() bool                 { r.read = true; return false }
func (r *errAfterNext) Scan(...any) error          { return errors.New("no row") }
func (r *errAfterNext) Close() error               { return r.closeErr }
func (r *errAfterNext) Err() error {
	if r.read {
		return r.err
	}
	return nil
}

// When a result's columns do not match the map, the database's error, if there is one,
// is returned, unwrappable (errors.Is / errors.As), not the mismatch it caused.
func TestColumnMismatchReturnsDatabaseError(t *testing.T) {
	boom := errors.New("boom: division by zero")
	m := func() *hydrate.Map { return branchMap() }
	cases := map[string]hydrate.Rows{
		"no columns, Err at once":     &fakeRows{err: boom},
		"wrong columns, Err at once":  &fakeRows{cols: []string{"c0", "c1"}, err: boom},
		"no columns, Err after Next":  &errAfterNext{err: boom},
		"a column missing, after":     &errAfterNext{cols: []string{"jb", "jo"}, err: boom},
		"no columns, error on Close":  &errAfterNext{closeErr: boom},
		"Columns fails":               &fakeRows{colErr: boom},
		"wrong columns, Close fails":  &fakeRows{cols: []string{"x"}, closeErr: boom},
		"extra column, Err after":     &errAfterNext{cols: []string{"jb", "jo", "u", "p", "pu", "pa", "t", "tp", "a", "zz"}, err: boom},
		"duplicate column, Err after": &errAfterNext{cols: []string{"jb", "jb"}, err: boom},
	}
	for name, rows := range cases {
		_, err := hydrate.All[uUser](rows, m())
		if !errors.Is(err, boom) || errors.Is(err, hydrate.ErrColumns) {
			t.Errorf("%s: got %v, want the database's error", name, err)
		}
	}
	// Each and the map form take the same path
	if err := hydrate.Each(&errAfterNext{err: boom}, func() *hydrate.Map { mp := branchMap(); mp.Branch, mp.Ordinal = "", ""; return mp }(), func(uUser) error { return nil }); !errors.Is(err, boom) {
		t.Errorf("Each: %v", err)
	}
	// a real mismatch, rows and no error: ErrColumns
	rows := &fakeRows{cols: []string{"jb", "x"}, data: [][]any{{int64(0), int64(1)}}}
	if _, err := hydrate.All[uUser](rows, m()); !errors.Is(err, hydrate.ErrColumns) || rows.closed != 1 {
		t.Errorf("a real mismatch: %v (closed %d times)", err, rows.closed)
	}
	if _, err := hydrate.All[uUser](&fakeRows{cols: []string{"jb"}}, m()); !errors.Is(err, hydrate.ErrColumns) {
		t.Errorf("a real mismatch, no rows: %v", err)
	}
}

// One statement per branch: a statement that fails before its first row returns its error,
// whatever columns it describes.
func TestPartsStatementError(t *testing.T) {
	boom := errors.New("boom")
	mp := &hydrate.Map{Branch: "jb", Root: &hydrate.Node{Name: "User", Type: typeOf[uUser](), Key: []int{0}, Cols: []hydrate.Col{col("u", "id")}}}
	for name, part := range map[string]hydrate.Rows{
		"no columns, Err after Next": &errAfterNext{err: boom},
		"Columns fails":              &fakeRows{colErr: boom, cols: []string{"u"}, data: [][]any{{int64(1)}}},
		"Err at once":                &fakeRows{err: boom},
	} {
		rows, err := hydrate.Parts(mp, []string{"jb", "u"}, []hydrate.Part{{Branch: 0, Cols: []int{1}}}, func(int) (hydrate.Rows, error) { return part, nil }, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hydrate.All[uUser](rows, mp); !errors.Is(err, boom) || errors.Is(err, hydrate.ErrColumns) {
			t.Errorf("%s: got %v, want the statement's error", name, err)
		}
	}
	// parts whose columns do not match the map: the mismatch, without running a statement
	// only to look for an error
	opened := 0
	_, err := hydrate.Parts(mp, []string{"jb", "x"}, []hydrate.Part{{Branch: 0, Cols: []int{1}}}, func(int) (hydrate.Rows, error) {
		opened++
		return &fakeRows{cols: []string{"x"}}, nil
	}, nil)
	if !errors.Is(err, hydrate.ErrColumns) || !strings.Contains(err.Error(), `column "u" (key of (root)`) || opened != 0 {
		t.Errorf("mismatched parts: %v, %d statements run", err, opened)
	}
	// the parts match the map, the statement's rows do not: the mismatch once the rows
	// show no error of their own
	rows, err := hydrate.Parts(mp, []string{"jb", "u"}, []hydrate.Part{{Branch: 0, Cols: []int{1}}}, func(int) (hydrate.Rows, error) {
		opened++
		return &fakeRows{cols: []string{"x"}}, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hydrate.All[uUser](rows, mp); !errors.Is(err, hydrate.ErrColumns) || opened != 1 {
		t.Errorf("mismatched statement: %v, %d statements run", err, opened)
	}
}

// Every text form of a timestamp the supported drivers write reads as the instant it holds.
func TestTimeText(t *testing.T) {
	utc := func(y, mo, d, h, mi, s, ns int) time.Time {
		return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
	}
	at := utc(2024, 1, 2, 3, 4, 5, 123456000)
	cases := []struct {
		from, text string
		want       time.Time
	}{
		// modernc.org/sqlite's default: Time.String()
		{"modernc default", "2024-01-02 03:04:05.123456 +0000 UTC", at},
		{"modernc default, monotonic", "2024-01-02 03:04:05.123456 +0000 UTC m=+0.000123456", at},
		{"modernc default, whole second", "2024-01-02 03:04:05 +0000 UTC", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"modernc default, named zone", "2024-01-02 08:34:05.123456 +0530 IST", at},
		{"modernc default, zone without a name", "2024-01-02 08:34:05.123456 +0530 +0530", at},
		{"modernc default, negative offset", "2024-01-01 22:04:05.123456 -0500 EST", at},
		// modernc.org/sqlite's parseTimeFormats (the first is its _time_format=sqlite)
		{"modernc sqlite", "2024-01-02 03:04:05.123456+00:00", at},
		{"modernc sqlite, offset", "2024-01-02 08:34:05.123456+05:30", at},
		{"modernc T", "2024-01-02T03:04:05.123456-00:00", at},
		{"modernc no zone", "2024-01-02 03:04:05.123456", at},
		{"modernc T no zone", "2024-01-02T03:04:05.123456", at},
		{"modernc minutes", "2024-01-02 03:04", utc(2024, 1, 2, 3, 4, 0, 0)},
		{"modernc T minutes", "2024-01-02T03:04", utc(2024, 1, 2, 3, 4, 0, 0)},
		{"modernc date", "2024-01-02", utc(2024, 1, 2, 0, 0, 0, 0)},
		{"modernc trailing Z", "2024-01-02 03:04:05.123456Z", at},
		// mattn/go-sqlite3's SQLiteTimestampFormats (adds whole seconds)
		{"mattn seconds", "2024-01-02 03:04:05", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"mattn T seconds", "2024-01-02T03:04:05", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"mattn nanoseconds", "2024-01-02 03:04:05.123456789+00:00", utc(2024, 1, 2, 3, 4, 5, 123456789)},
		// RFC 3339
		{"RFC3339", "2024-01-02T03:04:05Z", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"RFC3339 offset", "2024-01-02T08:34:05+05:30", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"RFC3339Nano", "2024-01-02T03:04:05.123456789Z", utc(2024, 1, 2, 3, 4, 5, 123456789)},
		// MySQL (text protocol without parseTime) and PostgreSQL's text
		{"MySQL DATETIME", "2024-01-02 03:04:05", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"MySQL DATETIME(6)", "2024-01-02 03:04:05.123456", at},
		{"MySQL DATE", "2024-01-02", utc(2024, 1, 2, 0, 0, 0, 0)},
		{"MySQL zero date", "0000-00-00 00:00:00", time.Time{}},
		{"MySQL zero DATE", "0000-00-00", time.Time{}},
		{"PostgreSQL timestamptz", "2024-01-02 08:34:05.123456+05:30", at},
		{"PostgreSQL timestamptz, hours", "2024-01-02 05:04:05.123456+02", at},
		{"PostgreSQL timestamptz, hhmm", "2024-01-02 08:34:05.123456+0530", at},
	}
	for _, c := range cases {
		got, err := hydrate.ParseTimeText(c.text)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%s: %q = %v, %v; want %v", c.from, c.text, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "x", "2024", "2024-13-02", "2024-01-02 25:00", "2024-01-02 03:04:05 +0000", "2024-01-02 03:04:05+1", "2024-01-02X03:04", "2024-01-02 03:04:05 +0000 UTC extra"} {
		if got, err := hydrate.ParseTimeText(bad); err == nil {
			t.Errorf("%q: want an error, got %v", bad, got)
		}
	}

	// through the fold: a time.Time, a *time.Time and a sql.NullTime field read the text
	type Ev struct {
		ID   int64        `db:"id"`
		At   time.Time    `db:"at"`
		Ptr  *time.Time   `db:"ptr"`
		Null sql.NullTime `db:"null"`
	}
	m := &hydrate.Map{Root: &hydrate.Node{Name: "Ev", Type: typeOf[Ev](), Key: []int{0},
		Cols: []hydrate.Col{col("id", "id"), col("at", "at"), col("ptr", "ptr"), col("null", "null")}}}
	text := at.String()
	evs, err := hydrate.All[Ev](&memRows{cols: []string{"id", "at", "ptr", "null"}, data: [][]any{
		{int64(1), text, []byte(text), text},
		{int64(2), "2024-01-02T03:04:05.123456Z", nil, nil},
	}}, m)
	if err != nil {
		t.Fatal(err)
	}
	if !evs[0].At.Equal(at) || !evs[0].Ptr.Equal(at) || !evs[0].Null.Valid || !evs[0].Null.Time.Equal(at) ||
		!evs[1].At.Equal(at) || evs[1].Ptr != nil || evs[1].Null.Valid {
		t.Fatalf("%+v", evs)
	}
	_, err = hydrate.All[Ev](&memRows{cols: []string{"id", "at", "ptr", "null"}, data: [][]any{{int64(1), "yesterday", nil, nil}}}, m)
	se := mustScanError(t, err, "at", "Ev.At")
	if !strings.Contains(se.Error(), `"yesterday"`) {
		t.Fatalf("%v", err)
	}
}

// Every exported entry point returns an error, not a panic, for nil rows, a nil or
// malformed map, a nil function.
func TestNilInputs(t *testing.T) {
	m := branchMap()
	var nilRows *sql.Rows
	var nilMap *hydrate.Map
	check := func(name string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	_, err := hydrate.All[uUser](nil, m)
	check("All(nil rows)", err)
	if !strings.Contains(err.Error(), "rows is nil") {
		t.Errorf("All(nil rows): %v", err)
	}
	_, err = hydrate.All[uUser](nilRows, m)
	check("All(typed nil rows)", err)
	_, err = hydrate.All[uUser](&fakeRows{}, nil)
	check("All(nil map)", err)
	_, err = hydrate.All[uUser](&fakeRows{}, nilMap)
	check("All(typed nil map)", err)
	_, err = hydrate.All[uUser](&fakeRows{}, &hydrate.Map{})
	check("All(map without root)", err)
	check("Into(nil rows)", hydrate.Into(nil, m, &[]uUser{}))
	check("Into(nil map)", hydrate.Into(&fakeRows{}, nil, &[]uUser{}))
	check("Into(nil dest)", hydrate.Into(&fakeRows{}, m, nil))
	check("Each(nil rows)", hydrate.Each(nil, m, func(uUser) error { return nil }))
	check("Each(nil map)", hydrate.Each(&fakeRows{}, nil, func(uUser) error { return nil }))
	rows := &fakeRows{}
	check("Each(nil fn)", hydrate.Each[uUser](rows, m, nil))
	if rows.closed != 1 {
		t.Errorf("Each(nil fn) left the rows open")
	}
	_, err = hydrate.Parts(nil, []string{"jb"}, nil, func(int) (hydrate.Rows, error) { return nil, nil }, nil)
	check("Parts(nil map)", err)
	_, err = hydrate.Parts(m, []string{"jb"}, nil, nil, nil)
	check("Parts(nil open)", err)
	// a part whose statement gives typed nil rows
	one := &hydrate.Map{Branch: "jb", Root: &hydrate.Node{Name: "User", Type: typeOf[uUser](), Key: []int{0}, Cols: []hydrate.Col{col("u", "id")}}}
	pr, err := hydrate.Parts(one, []string{"jb", "u"}, []hydrate.Part{{Cols: []int{1}}}, func(int) (hydrate.Rows, error) { return nilRows, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = hydrate.All[uUser](pr, one)
	check("Parts(typed nil part rows)", err)
	// ScanCells with the wrong number of cells
	pr, _ = hydrate.Parts(one, []string{"jb", "u"}, []hydrate.Part{{Cols: []int{1}}}, func(int) (hydrate.Rows, error) {
		return &memRows{cols: []string{"u"}, data: [][]any{{int64(1)}}}, nil
	}, nil)
	if !pr.Next() {
		t.Fatal("no row")
	}
	check("ScanCells(no cells)", pr.ScanCells(nil))
	pr.Close()
	check("SetValue(nil cell)", hydrate.SetValue(nil, int64(1)))

	// malformed trees: a nil child, a node below itself
	bad := &hydrate.Map{Root: &hydrate.Node{Name: "User", Type: typeOf[uUser](), Key: []int{0}, Cols: []hydrate.Col{col("u", "id")}, Children: []*hydrate.Node{nil}}}
	_, err = hydrate.All[uUser](&fakeRows{cols: []string{"u"}}, bad)
	if !errors.Is(err, hydrate.ErrMap) {
		t.Errorf("nil child: %v", err)
	}
	_ = bad.String()
	loop := &hydrate.Node{Path: "posts", Field: "Posts", Type: typeOf[uUser](), Many: true, Key: []int{0}, Cols: []hydrate.Col{col("p", "id")}}
	loop.Children = []*hydrate.Node{loop}
	cyc := &hydrate.Map{Root: &hydrate.Node{Name: "User", Type: typeOf[uUser](), Key: []int{0}, Cols: []hydrate.Col{col("u", "id")}, Children: []*hydrate.Node{loop}}}
	_, err = hydrate.All[uUser](&fakeRows{cols: []string{"u", "p"}}, cyc)
	if !errors.Is(err, hydrate.ErrMap) {
		t.Errorf("a node below itself: %v", err)
	}
	if got := cyc.Columns(); !reflect.DeepEqual(got, []string{"u", "p"}) {
		t.Errorf("Columns of a cyclic map: %v", got)
	}
	nilMap.Walk(func(*hydrate.Node, int) { t.Error("walked a nil map") })
}
