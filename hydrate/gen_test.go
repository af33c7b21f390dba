package hydrate_test

import (
	"reflect"
	"strconv"

	"github.com/joinery/joinery/hydrate"
)

// The generated model: users -> posts (hasMany, int key and link) -> tags (a belongsToMany
// with a composite key of a string and an int, linked by the join row's post id) and author
// (a belongsTo keyed by a string handle: a composite, non-integer link). It covers both
// identity paths (int64 keys, typed composite keys), both link paths, to-one and to-many,
// value and pointer elements.
type gUser struct {
	ID    int64   `db:"id"`
	Name  string  `db:"name"`
	Posts []gPost `db:"-"`
}

type gPost struct {
	ID     int64    `db:"id"`
	UserID int64    `db:"user_id"`
	Handle *string  `db:"author"`
	Title  string   `db:"title"`
	Tags   []*gTag  `db:"-"`
	Author *gAuthor `db:"-"`
}

type gTag struct {
	Code string `db:"code"`
	N    int64  `db:"n"`
	Name string `db:"name"`
}

type gAuthor struct {
	Handle string `db:"handle"`
	Name   string `db:"name"`
}

// genCols are the result columns: the branch tag and ordinal, then each node's.
var genCols = []string{"jb", "jo", "u", "un", "p", "pu", "pa", "pt", "tc", "tn", "tname", "tp", "ah", "an"}

const genFirst = 2 // index of the first node column in genCols

// genMap is the Map of the generated model: struct nodes, or map nodes when asMap; for
// branch-tagged rows when branch (the Distinct hints as the statement builder sets them).
func genMap(branch, asMap bool) *hydrate.Map {
	typ := func(t reflect.Type) reflect.Type {
		if asMap {
			return nil
		}
		return t
	}
	c := func(column, field string, k hydrate.Kind) hydrate.Col {
		return hydrate.Col{Column: column, Field: field, Kind: k}
	}
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "User", Type: typ(reflect.TypeOf(gUser{})), Key: []int{0}, Branch: 0, Distinct: true,
		Cols: []hydrate.Col{c("u", "id", hydrate.Int), c("un", "name", hydrate.String)},
		Children: []*hydrate.Node{{
			Path: "posts", Field: "Posts", Type: typ(reflect.TypeOf(gPost{})), Many: true, Key: []int{0}, Branch: 1, Distinct: true,
			Cols: []hydrate.Col{c("p", "id", hydrate.Int), c("pu", "user_id", hydrate.Int), c("pa", "author", hydrate.String), c("pt", "title", hydrate.String)},
			Link: []int{1}, ParentLink: []int{0},
			Children: []*hydrate.Node{
				{Path: "posts.tags", Field: "Tags", Type: typ(reflect.TypeOf(gTag{})), Many: true, Key: []int{0, 1}, Branch: 2,
					Cols: []hydrate.Col{c("tc", "code", hydrate.String), c("tn", "n", hydrate.Int), c("tname", "name", hydrate.String), c("tp", "", hydrate.Int)},
					Link: []int{3}, ParentLink: []int{0}},
				{Path: "posts.author", Field: "Author", Type: typ(reflect.TypeOf(gAuthor{})), Key: []int{0}, Branch: 3, Distinct: true,
					Cols: []hydrate.Col{c("ah", "handle", hydrate.String), c("an", "name", hydrate.String)},
					Link: []int{0}, ParentLink: []int{2}},
			},
		}},
	}}
	if branch {
		m.Branch, m.Ordinal = "jb", "jo"
	}
	return m
}

// byteSource hands out the fuzzer's bytes as small choices; 0 once they run out.
type byteSource struct {
	b []byte
	i int
}

func (s *byteSource) next() byte {
	if s.i >= len(s.b) {
		return 0
	}
	s.i++
	return s.b[s.i-1]
}

func (s *byteSource) intn(n int) int { return int(s.next()) % n }

// genValue is a random nested value and the tables it came from: the authors table may hold
// authors no post references.
type genValue struct {
	users   []gUser
	authors []gAuthor
}

func tagName(code string, n int64) string { return "tag " + code + strconv.FormatInt(n, 10) }
func authorName(h string) string          { return "author " + h }

// generate builds a value from the source: up to 5 users with up to 4 posts each, up to 20
// tags per post (more than the size uniq compares pairwise), authors present, absent or
// dangling (a handle no author has).
func generate(s *byteSource) genValue {
	var v genValue
	handles := []string{"ann", "bob", "cy", "dee"}
	for _, h := range handles[:s.intn(len(handles)+1)] {
		v.authors = append(v.authors, gAuthor{Handle: h, Name: authorName(h)})
	}
	has := func(h string) bool {
		for _, a := range v.authors {
			if a.Handle == h {
				return true
			}
		}
		return false
	}
	usedUser := map[int64]bool{}
	postID := int64(100)
	for range s.intn(6) {
		id := int64(s.intn(9)) - 1 // negative and zero keys too
		for usedUser[id] {
			id++
		}
		usedUser[id] = true
		u := gUser{ID: id, Name: "user " + strconv.FormatInt(id, 10), Posts: []gPost{}}
		for range s.intn(5) {
			postID += int64(1 + s.intn(3))
			p := gPost{ID: postID, UserID: id, Title: "post " + strconv.FormatInt(postID, 10), Tags: []*gTag{}}
			if k := s.intn(len(handles) + 2); k < len(handles)+1 {
				h := "nobody"
				if k < len(handles) {
					h = handles[k]
				}
				p.Handle = &h
				if has(h) {
					p.Author = &gAuthor{Handle: h, Name: authorName(h)}
				}
			}
			nTags := s.intn(6)
			if nTags == 5 {
				nTags = 17 + s.intn(4)
			}
			used := map[gTag]bool{}
			for range nTags {
				t := gTag{Code: string(rune('a' + s.intn(5))), N: int64(s.intn(5))}
				if used[t] {
					continue
				}
				used[t] = true
				t.Name = tagName(t.Code, t.N)
				p.Tags = append(p.Tags, &t)
			}
			u.Posts = append(u.Posts, p)
		}
		v.users = append(v.users, u)
	}
	return v
}

// row builds a result row: vals by column index (of genCols), NULL elsewhere.
func row(vals map[int]any) []any {
	r := make([]any, len(genCols))
	for i, v := range vals {
		r[i] = v
	}
	return r
}

func strOrNil(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// dups is how many times the source repeats a table row: mostly once, sometimes two or three
// times (a table without a key constraint).
func dups(s *byteSource) int {
	switch s.intn(8) {
	case 0:
		return 2
	case 1:
		return 3
	}
	return 1
}

// flatRows encodes v as a flat LEFT JOIN's rows (without the branch and ordinal columns):
// one per path, every table row repeated as the source says. The rows of different roots
// interleave at random, each root's first row in root order (the order the value has), as
// rows ordered by the root would only if the order has ties.
func flatRows(s *byteSource, v genValue) [][]any {
	var perUser [][][]any
	for _, u := range v.users {
		var rows [][]any
		for range dups(s) {
			uc := map[int]any{2: u.ID, 3: u.Name}
			if len(u.Posts) == 0 {
				rows = append(rows, row(uc))
				continue
			}
			for _, p := range u.Posts {
				for range dups(s) {
					pc := map[int]any{4: p.ID, 5: p.UserID, 6: strOrNil(p.Handle), 7: p.Title}
					authors := 1
					if p.Author != nil {
						authors = dups(s)
					}
					tags := p.Tags
					if len(tags) == 0 {
						tags = []*gTag{nil}
					}
					for _, t := range tags {
						td := 1
						if t != nil {
							td = dups(s)
						}
						for range td {
							for range authors {
								vals := map[int]any{}
								for k, x := range uc {
									vals[k] = x
								}
								for k, x := range pc {
									vals[k] = x
								}
								if t != nil {
									vals[8], vals[9], vals[10], vals[11] = t.Code, t.N, t.Name, p.ID
								}
								if p.Author != nil {
									vals[12], vals[13] = p.Author.Handle, p.Author.Name
								}
								rows = append(rows, row(vals))
							}
						}
					}
				}
			}
		}
		perUser = append(perUser, rows)
	}
	// interleave: root i may send rows once root i-1 has sent its first
	var out [][]any
	started := 0
	for {
		var open []int
		for i := range perUser {
			if len(perUser[i]) > 0 && i <= started {
				open = append(open, i)
			}
		}
		if len(open) == 0 {
			break
		}
		i := open[s.intn(len(open))]
		out = append(out, perUser[i][0][genFirst:])
		perUser[i] = perUser[i][1:]
		if i == started {
			started++
		}
	}
	return out
}

// branchRows encodes v as a UNION ALL's rows: per branch, each table row (repeated as the
// source says) with the branch tag and, when ordinals, its rank in the branch's order, plus
// rows that link to nothing (a post of no listed user, a tag of no listed post). With
// ordinals the rows are shuffled; without, each branch keeps its order and the branches
// interleave at random.
func branchRows(s *byteSource, v genValue, ordinals bool) [][]any {
	branches := make([][][]any, 4)
	add := func(b int, vals map[int]any) {
		vals[0] = int64(b)
		if ordinals {
			vals[1] = int64(len(branches[b]) + 1)
		}
		branches[b] = append(branches[b], row(vals))
	}
	for _, u := range v.users {
		for range dups(s) {
			add(0, map[int]any{2: u.ID, 3: u.Name})
		}
	}
	for _, u := range v.users {
		for _, p := range u.Posts {
			for range dups(s) {
				add(1, map[int]any{4: p.ID, 5: p.UserID, 6: strOrNil(p.Handle), 7: p.Title})
			}
		}
	}
	if s.intn(2) == 0 {
		add(1, map[int]any{4: int64(99), 5: int64(1000), 6: "ann", 7: "orphan"})
	}
	for _, u := range v.users {
		for _, p := range u.Posts {
			for _, t := range p.Tags {
				for range dups(s) {
					add(2, map[int]any{8: t.Code, 9: t.N, 10: t.Name, 11: p.ID})
				}
			}
		}
	}
	if s.intn(2) == 0 {
		add(2, map[int]any{8: "z", 9: int64(0), 10: "orphan", 11: int64(99999)})
	}
	for _, a := range v.authors {
		for range dups(s) {
			add(3, map[int]any{12: a.Handle, 13: a.Name})
		}
	}
	var out [][]any
	if ordinals {
		for _, b := range branches {
			out = append(out, b...)
		}
		for i := len(out) - 1; i > 0; i-- {
			j := (int(s.next())<<8 | int(s.next())) % (i + 1)
			out[i], out[j] = out[j], out[i]
		}
		return out
	}
	for {
		var open []int
		for b := range branches {
			if len(branches[b]) > 0 {
				open = append(open, b)
			}
		}
		if len(open) == 0 {
			return out
		}
		b := open[s.intn(len(open))]
		out = append(out, branches[b][0])
		branches[b] = branches[b][1:]
	}
}

// genParts splits branch rows into one statement per branch, each sending its node's
// columns and the ordinal: a statement for every branch of the map (Parts needs one, even
// when it returns no row), then one for each unknown branch tag, in the order of its first
// row, sending only the ordinal (Parts refuses those).
func genParts(rows [][]any) ([]hydrate.Part, []*cellRows) {
	cols := [][]int{{1, 2, 3}, {1, 4, 5, 6, 7}, {1, 8, 9, 10, 11}, {1, 12, 13}}
	index := map[int64]int{}
	var parts []hydrate.Part
	var data []*cellRows
	add := func(b int64) int {
		i := len(parts)
		index[b] = i
		pc := []int{1}
		if b >= 0 && int(b) < len(cols) {
			pc = cols[b]
		}
		var names []string
		for _, c := range pc {
			names = append(names, genCols[c])
		}
		parts = append(parts, hydrate.Part{Branch: int(b), Cols: pc})
		data = append(data, &cellRows{cols: names})
		return i
	}
	for b := range cols {
		add(int64(b))
	}
	for _, r := range rows {
		b, _ := r[0].(int64)
		i, ok := index[b]
		if !ok {
			i = add(b)
		}
		var vals []any
		for _, c := range parts[i].Cols {
			vals = append(vals, r[c])
		}
		data[i].data = append(data[i].data, vals)
	}
	return parts, data
}

// openParts returns the Rows of the statements parts, read one after another.
func openParts(m *hydrate.Map, parts []hydrate.Part, data []*cellRows) (hydrate.CellRows, error) {
	return hydrate.Parts(m, genCols, parts, func(i int) (hydrate.Rows, error) {
		d := *data[i]
		return &d, nil
	}, nil)
}
