package hydrate_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/joinery/joinery/hydrate"
)

// cellRows replays rows from memory through ScanCells, as a driver adapter that decodes the
// wire format itself does: the fold alone, without database/sql's Scan.
type cellRows struct {
	cols []string
	data [][]any
	i    int
}

func (m *cellRows) Columns() ([]string, error) { return m.cols, nil }
func (m *cellRows) Next() bool                 { m.i++; return m.i <= len(m.data) }
func (m *cellRows) Err() error                 { return nil }
func (m *cellRows) Close() error               { return nil }
func (m *cellRows) Scan(dest ...any) error     { return (&memRows{data: m.data, i: m.i}).Scan(dest...) }
func (m *cellRows) ScanCells(cells []hydrate.Cell) error {
	for i, c := range cells {
		if err := hydrate.SetValue(c, m.data[m.i-1][i]); err != nil {
			return err
		}
	}
	return nil
}

type bUser struct {
	ID    int64   `db:"id"`
	Name  string  `db:"name"`
	Posts []bPost `db:"-"`
}

type bPost struct {
	ID       int64    `db:"id"`
	UserID   int64    `db:"user_id"`
	AuthorID int64    `db:"author_id"`
	Title    string   `db:"title"`
	Tags     []bTag   `db:"-"`
	Author   *bAuthor `db:"-"`
}

type bTag struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

type bAuthor struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// benchMap is users -> posts -> {tags (a belongsToMany), author (a belongsTo)}, with the
// Distinct hints the statement builder sets for a UNION ALL.
func benchMap(branch bool) *hydrate.Map {
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "User", Type: reflect.TypeOf(bUser{}), Key: []int{0}, Branch: 0, Distinct: true,
		Cols: []hydrate.Col{col("u", "id"), col("un", "name")},
		Children: []*hydrate.Node{{
			Path: "posts", Field: "Posts", Type: reflect.TypeOf(bPost{}), Many: true, Key: []int{0}, Branch: 1, Distinct: true,
			Cols: []hydrate.Col{col("p", "id"), col("pu", "user_id"), col("pa", "author_id"), col("pt", "title")},
			Link: []int{1}, ParentLink: []int{0},
			Children: []*hydrate.Node{
				{Path: "posts.tags", Field: "Tags", Type: reflect.TypeOf(bTag{}), Many: true, Key: []int{0}, Branch: 2,
					Cols: []hydrate.Col{col("t", "id"), col("tn", "name"), kcol("tp", "", hydrate.Int)},
					Link: []int{2}, ParentLink: []int{0}},
				{Path: "posts.author", Field: "Author", Type: reflect.TypeOf(bAuthor{}), Key: []int{0}, Branch: 3, Distinct: true,
					Cols: []hydrate.Col{col("a", "id"), col("an", "name")}, Link: []int{0}, ParentLink: []int{2}},
			},
		}},
	}}
	if branch {
		m.Branch, m.Ordinal = "jb", "jo"
	}
	return m
}

const (
	benchUsers   = 1000
	benchPosts   = 10 // per user
	benchTags    = 3  // per post
	benchAuthors = 100
)

// benchFlat is the flat JOIN's rows: one per (user, post, tag), the author repeated.
func benchFlat() ([]string, [][]any) {
	cols := []string{"u", "un", "p", "pu", "pa", "pt", "t", "tn", "tp", "a", "an"}
	var data [][]any
	for u := int64(1); u <= benchUsers; u++ {
		for j := int64(0); j < benchPosts; j++ {
			p := u*100 + j
			a := p % benchAuthors
			for k := int64(0); k < benchTags; k++ {
				t := (p + k) % 50
				data = append(data, []any{u, "user", p, u, a, "title", t, "tag", p, a, "author"})
			}
		}
	}
	return cols, data
}

// benchBranches is the UNION ALL's rows: each object once, with its branch and ordinal;
// shuffled, as a parallel append may interleave them.
func benchBranches(shuffle bool) ([]string, [][]any) { return benchBranchRows(shuffle, false) }

// benchBranchRows: with scramble, roots and posts are ordered by something other than their
// key (ordinals in a different order than the ids), so no group's keys are monotonic.
func benchBranchRows(shuffle, scramble bool) ([]string, [][]any) {
	id := func(i int64) int64 { return i }
	if scramble {
		id = func(i int64) int64 { return (i*7919)%1_000_003 + 1 }
	}
	cols := []string{"jb", "jo", "u", "un", "p", "pu", "pa", "pt", "t", "tn", "tp", "a", "an"}
	var data [][]any
	row := func(b, o int64, vals map[int]any) {
		r := make([]any, len(cols))
		r[0], r[1] = b, o
		for i, v := range vals {
			r[i] = v
		}
		data = append(data, r)
	}
	var po, to int64
	for u := int64(1); u <= benchUsers; u++ {
		row(0, u, map[int]any{2: id(u), 3: "user"})
		for j := int64(0); j < benchPosts; j++ {
			p := id(u*100 + j)
			po++
			row(1, po, map[int]any{4: p, 5: id(u), 6: p % benchAuthors, 7: "title"})
			for k := int64(0); k < benchTags; k++ {
				to++
				row(2, to, map[int]any{8: (p + k) % 50, 9: "tag", 10: p})
			}
		}
	}
	for a := int64(0); a < benchAuthors; a++ {
		row(3, a+1, map[int]any{11: a, 12: "author"})
	}
	if shuffle {
		rng := rand.New(rand.NewPCG(1, 2))
		rng.Shuffle(len(data), func(i, j int) { data[i], data[j] = data[j], data[i] })
	}
	return cols, data
}

func benchFold(b *testing.B, m *hydrate.Map, cols []string, data [][]any) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		users, err := hydrate.All[bUser](&cellRows{cols: cols, data: data}, m)
		if err != nil || len(users) != benchUsers || len(users[0].Posts) != benchPosts {
			b.Fatalf("%d users, %v", len(users), err)
		}
	}
}

func BenchmarkFoldFlat(b *testing.B) {
	cols, data := benchFlat()
	benchFold(b, benchMap(false), cols, data)
}

func BenchmarkFoldUnion(b *testing.B) {
	cols, data := benchBranches(false)
	benchFold(b, benchMap(true), cols, data)
}

func BenchmarkFoldUnionShuffled(b *testing.B) {
	cols, data := benchBranches(true)
	benchFold(b, benchMap(true), cols, data)
}

func BenchmarkFoldUnionUnorderedKeys(b *testing.B) {
	cols, data := benchBranchRows(true, true)
	benchFold(b, benchMap(true), cols, data)
}
