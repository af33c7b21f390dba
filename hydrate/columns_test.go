package hydrate_test

import (
	"database/sql/driver"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery/hydrate"
)

// keyOnlyMap is a map-form tree whose keys and links are selected only for identity and
// joining (Field ""), as a query with Columns(...) compiles: users -> posts (by user_id) ->
// {tags (by post_tags.post_id, with a join-table column), author (a user by posts.author_id)}.
// With branch set its rows are branch-tagged (jb) and ordered by jo; else it folds a flat
// JOIN, whose rows do not carry the links.
func keyOnlyMap(branch bool) *hydrate.Map {
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "User", Key: []int{0}, Branch: 0,
		Cols: []hydrate.Col{kcol("u", "", hydrate.Int), kcol("un", "name", hydrate.String)},
		Children: []*hydrate.Node{{
			Path: "posts", Field: "posts", Many: true, Key: []int{0}, Branch: 1, Link: []int{1}, ParentLink: []int{0},
			Cols: []hydrate.Col{kcol("p", "", hydrate.Int), kcol("pu", "", hydrate.Int), kcol("pt", "title", hydrate.String), kcol("pa", "", hydrate.Int)},
			Children: []*hydrate.Node{
				{Path: "posts.tags", Field: "tags", Many: true, Through: "link", Key: []int{0}, Branch: 2, Link: []int{2}, ParentLink: []int{0},
					Cols: []hydrate.Col{kcol("t", "", hydrate.Int), kcol("tn", "name", hydrate.String), kcol("tp", "", hydrate.Int),
						{Column: "tb", Field: "by", Through: true, Kind: hydrate.Any}}},
				{Path: "posts.author", Field: "author", Key: []int{0}, Branch: 3, Link: []int{0}, ParentLink: []int{3},
					Cols: []hydrate.Col{kcol("a", "", hydrate.Int), kcol("an", "name", hydrate.String)}},
			},
		}},
	}}
	if branch {
		m.Branch, m.Ordinal = "jb", "jo"
	}
	return m
}

var keyOnlyCols = []string{"jb", "jo", "u", "un", "p", "pu", "pt", "pa", "t", "tn", "tp", "tb", "a", "an"}

// keyOnlyRows are keyOnlyMap's branch rows, in keyOnlyCols; n is NULL.
func keyOnlyRows() [][]driver.Value {
	var n driver.Value
	return [][]driver.Value{
		{0, 1, 1, "ann", n, n, n, n, n, n, n, n, n, n},
		{0, 2, 2, "bob", n, n, n, n, n, n, n, n, n, n},
		{1, 1, n, n, 10, 1, "hello", 1, n, n, n, n, n, n},
		{1, 2, n, n, 11, 1, "draft", 2, n, n, n, n, n, n},
		{2, 1, n, n, n, n, n, n, 7, "go", 10, "ann", n, n},
		{2, 2, n, n, n, n, n, n, 8, "sql", 10, n, n, n},
		{3, 1, n, n, n, n, n, n, n, n, n, n, 1, "ann"},
		{3, 2, n, n, n, n, n, n, n, n, n, n, 2, "bob"},
	}
}

// keyOnlyFlat are the same objects as a flat JOIN's rows, in keyOnlyCols[2:].
func keyOnlyFlat() [][]driver.Value {
	var n driver.Value
	return [][]driver.Value{
		{1, "ann", 10, 1, "hello", 1, 7, "go", 10, "ann", 1, "ann"},
		{1, "ann", 10, 1, "hello", 1, 8, "sql", 10, n, 1, "ann"},
		{1, "ann", 11, 1, "draft", 2, n, n, n, n, 2, "bob"},
		{2, "bob", n, n, n, n, n, n, n, n, n, n},
	}
}

// keyOnlyWant is what every shape folds keyOnlyMap's rows into: each object holds the fields
// it reports, its includes and its join-table values, never a key or link it was not asked
// for.
const keyOnlyWant = `[
	{"name":"ann","posts":[
		{"author":{"name":"ann"},"tags":[{"link":{"by":"ann"},"name":"go"},{"link":{"by":null},"name":"sql"}],"title":"hello"},
		{"author":{"name":"bob"},"tags":[],"title":"draft"}]},
	{"name":"bob","posts":[]}]`

// without returns cols and rows without the column named drop.
func without(cols []string, rows [][]driver.Value, drop string) ([]string, [][]driver.Value) {
	i := slices.Index(cols, drop)
	if i < 0 {
		return cols, rows
	}
	outCols := slices.Delete(slices.Clone(cols), i, i+1)
	var out [][]driver.Value
	for _, r := range rows {
		out = append(out, slices.Delete(slices.Clone(r), i, i+1))
	}
	return outCols, out
}

// keyOnlyParts splits keyOnlyRows into one statement per branch, each sending its node's
// columns and not the ordinal (Parts reads it as NULL).
func keyOnlyParts() ([]hydrate.Part, [][]string, [][][]driver.Value) {
	parts := []hydrate.Part{{Branch: 0, Cols: []int{2, 3}}, {Branch: 1, Cols: []int{4, 5, 6, 7}}, {Branch: 2, Cols: []int{8, 9, 10, 11}}, {Branch: 3, Cols: []int{12, 13}}}
	names := make([][]string, len(parts))
	data := make([][][]driver.Value, len(parts))
	for i, p := range parts {
		for _, c := range p.Cols {
			names[i] = append(names[i], keyOnlyCols[c])
		}
		for _, r := range keyOnlyRows() {
			if r[0] != p.Branch {
				continue
			}
			var v []driver.Value
			for _, c := range p.Cols {
				v = append(v, r[c])
			}
			data[i] = append(data[i], v)
		}
	}
	return parts, names, data
}

// A map object holds exactly the fields its node reports (plus its includes and, under
// Node.Through, its join-table values): keys and links selected only for identity or joining
// stay out, in every shape and in Each.
func TestMapObjectsHoldOnlyReportedFields(t *testing.T) {
	got, err := hydrate.All[map[string]any](query(t, mkRows(keyOnlyCols, keyOnlyRows()...)), keyOnlyMap(true))
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, got, keyOnlyWant)

	got, err = hydrate.All[map[string]any](query(t, mkRows(keyOnlyCols[2:], keyOnlyFlat()...)), keyOnlyMap(false))
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, got, keyOnlyWant)

	parts, names, data := keyOnlyParts()
	rows, err := hydrate.Parts(keyOnlyMap(true), keyOnlyCols, parts, func(i int) (hydrate.Rows, error) {
		return query(t, mkRows(names[i], data[i]...)), nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err = hydrate.All[map[string]any](rows, keyOnlyMap(true))
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, got, keyOnlyWant)

	var each []map[string]any
	err = hydrate.Each(query(t, mkRows(keyOnlyCols[2:], keyOnlyFlat()...)), keyOnlyMap(false), func(m map[string]any) error {
		each = append(each, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, each, keyOnlyWant)
}

// A result that lacks a column the map needs is refused, whatever the column is for, and
// the error says which include it belongs to and what the fold reads it for.
func TestMissingColumnSaysWhatItIsFor(t *testing.T) {
	whatFor := map[string]string{
		"jb": "branch tag",
		"jo": "ordinal",
		"u":  `key of (root), column of (root) that include "posts" links to`,
		"un": `field User.name of (root)`,
		"p":  `key of include "posts", column of include "posts" that include "posts.tags" links to`,
		"pu": `link of include "posts" to its parent`,
		"pt": `field User.posts[].title of include "posts"`,
		"pa": `column of include "posts" that include "posts.author" links to`,
		"t":  `key of include "posts.tags"`,
		"tn": `field User.posts[].tags[].name of include "posts.tags"`,
		"tp": `link of include "posts.tags" to its parent`,
		"tb": `join-table field User.posts[].tags[].by of include "posts.tags"`,
		"a":  `link of include "posts.author" to its parent, key of include "posts.author"`,
		"an": `field User.posts[].author.name of include "posts.author"`,
	}
	for _, drop := range keyOnlyCols {
		cols, rows := without(keyOnlyCols, keyOnlyRows(), drop)
		_, err := hydrate.All[map[string]any](query(t, mkRows(cols, rows...)), keyOnlyMap(true))
		want := `column "` + drop + `" (` + whatFor[drop]
		if !errors.Is(err, hydrate.ErrColumns) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "is missing from the result") {
			t.Errorf("branch rows without %s: %v\nwant ErrColumns with %s", drop, err, want)
		}
	}
	// a flat JOIN: a key selected only for identity is as needed as a field
	for _, drop := range []string{"u", "p", "t", "a"} {
		cols, rows := without(keyOnlyCols[2:], keyOnlyFlat(), drop)
		_, err := hydrate.All[map[string]any](query(t, mkRows(cols, rows...)), keyOnlyMap(false))
		if !errors.Is(err, hydrate.ErrColumns) || !strings.Contains(err.Error(), `column "`+drop+`" (`) || !strings.Contains(err.Error(), "key of ") {
			t.Errorf("flat rows without %s: %v", drop, err)
		}
	}
	// and the same with no row at all
	cols, _ := without(keyOnlyCols, nil, "tp")
	if _, err := hydrate.All[map[string]any](query(t, mkRows(cols)), keyOnlyMap(true)); !errors.Is(err, hydrate.ErrColumns) {
		t.Errorf("no rows, no link column: %v", err)
	}
}

// Statements sent one per branch (Parts) used to be checked only by their number of
// columns, once a row arrived: a statement that left out its link column, or renamed it,
// or returned no row, or a branch without a statement, folded into children that silently
// were not there (tags=[] err=<nil>). Each is now refused, naming the include and what the
// column is for; leaving out the ordinal still works (it reads as NULL).
func TestPartsRefuseMissingColumns(t *testing.T) {
	// drop leaves part i's column k out of the part and of its statement: the two agree
	drop := func(p []hydrate.Part, n [][]string, d [][][]driver.Value, i, k int) ([]hydrate.Part, [][]string, [][][]driver.Value) {
		p[i].Cols = slices.Delete(slices.Clone(p[i].Cols), k, k+1)
		n[i] = slices.Delete(n[i], k, k+1)
		for j := range d[i] {
			d[i][j] = slices.Delete(d[i][j], k, k+1)
		}
		return p, n, d
	}
	run := func(parts []hydrate.Part, names [][]string, data [][][]driver.Value) ([]map[string]any, error) {
		rows, err := hydrate.Parts(keyOnlyMap(true), keyOnlyCols, parts, func(i int) (hydrate.Rows, error) {
			return query(t, mkRows(names[i], data[i]...)), nil
		}, nil)
		if err != nil {
			return nil, err
		}
		return hydrate.All[map[string]any](rows, keyOnlyMap(true))
	}
	// the positive control: every column, no ordinal
	got, err := run(keyOnlyParts())
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, got, keyOnlyWant)

	const link = `column "tp" (link of include "posts.tags" to its parent) is missing from`
	cases := map[string]struct {
		edit func(parts []hydrate.Part, names [][]string, data [][][]driver.Value) ([]hydrate.Part, [][]string, [][][]driver.Value)
		want string
	}{
		"the part and its statement leave out the link": {func(p []hydrate.Part, n [][]string, d [][][]driver.Value) ([]hydrate.Part, [][]string, [][][]driver.Value) {
			return drop(p, n, d, 2, 2)
		}, link + " the statement of branch 2"},
		"the statement does not return the link": {func(p []hydrate.Part, n [][]string, d [][][]driver.Value) ([]hydrate.Part, [][]string, [][][]driver.Value) {
			n[2] = []string{"t", "tn", "tb"}
			for i := range d[2] {
				d[2][i] = slices.Delete(d[2][i], 2, 3)
			}
			return p, n, d
		}, link + " statement 3 of 4 (branch 2)"},
		"the statement returns no row and no link": {func(p []hydrate.Part, n [][]string, d [][][]driver.Value) ([]hydrate.Part, [][]string, [][][]driver.Value) {
			n[2], d[2] = []string{"t", "tn", "tb"}, nil
			return p, n, d
		}, link + " statement 3 of 4 (branch 2)"},
		"the statement renames the link": {func(p []hydrate.Part, n [][]string, d [][][]driver.Value) ([]hydrate.Part, [][]string, [][][]driver.Value) {
			n[2] = []string{"t", "tn", "post_id", "tb"}
			return p, n, d
		}, link + " statement 3 of 4 (branch 2)"},
		"the statement returns its columns in another order": {func(p []hydrate.Part, n [][]string, d [][][]driver.Value) ([]hydrate.Part, [][]string, [][][]driver.Value) {
			n[2] = []string{"t", "tn", "tb", "tp"}
			return p, n, d
		}, `statement 3 of 4 (branch 2) returned 4 columns [t tn tb tp], want [t tn tp tb]`},
		"the parent's side of a link is left out": {func(p []hydrate.Part, n [][]string, d [][][]driver.Value) ([]hydrate.Part, [][]string, [][][]driver.Value) {
			return drop(p, n, d, 1, 3)
		}, `column "pa" (column of include "posts" that include "posts.author" links to) is missing from the statement of branch 1`},
		"a key is left out": {func(p []hydrate.Part, n [][]string, d [][][]driver.Value) ([]hydrate.Part, [][]string, [][][]driver.Value) {
			return drop(p, n, d, 2, 0)
		}, `column "t" (key of include "posts.tags") is missing from the statement of branch 2`},
		"a branch has no statement": {func(p []hydrate.Part, n [][]string, d [][][]driver.Value) ([]hydrate.Part, [][]string, [][][]driver.Value) {
			return slices.Delete(p, 2, 3), slices.Delete(n, 2, 3), slices.Delete(d, 2, 3)
		}, `no statement returns the rows of include "posts.tags" (branch 2)`},
		"a statement of a branch the map lacks": {func(p []hydrate.Part, n [][]string, d [][][]driver.Value) ([]hydrate.Part, [][]string, [][][]driver.Value) {
			return append(p, hydrate.Part{Branch: 9, Cols: []int{2}}), append(n, []string{"u"}), append(d, nil)
		}, `a part is of branch 9, which the map does not have`},
	}
	for name, c := range cases {
		_, err := run(c.edit(keyOnlyParts()))
		if !errors.Is(err, hydrate.ErrColumns) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "hydrate: hydrate:") {
			t.Errorf("%s: %v\nwant ErrColumns with %q", name, err, c.want)
		}
	}
}

// The database's error still comes first: a statement that failed before its first row
// describes no columns, and its error is returned, not the mismatch.
func TestPartsStatementErrorBeforeColumnCheck(t *testing.T) {
	boom := errors.New("boom")
	parts, names, data := keyOnlyParts()
	rows, err := hydrate.Parts(keyOnlyMap(true), keyOnlyCols, parts, func(i int) (hydrate.Rows, error) {
		if i == 2 {
			return query(t, sqlmock.NewRows(nil).RowError(0, boom).AddRow()), nil
		}
		return query(t, mkRows(names[i], data[i]...)), nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hydrate.All[map[string]any](rows, keyOnlyMap(true)); !errors.Is(err, boom) || errors.Is(err, hydrate.ErrColumns) {
		t.Fatalf("got %v, want the statement's error", err)
	}
}
