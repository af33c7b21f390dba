package joinery_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// Native fuzz targets (issue 10). Each input is decoded into a query over the blog fixture
// (with a few more rows: ties, NULLs, shared tags, quotes in values) and checked against
// properties that hold for every query.
//
// FuzzIncludeTree: random include trees (any depth, repeated and differently cased paths),
// include filters (map predicates, raw fragments with {{self}}, values with quotes, $1, ?,
// comments), orders with NULLS FIRST/LAST, column subsets, Required, FilterOnly, per-include
// Limit/Offset up to math.MaxUint64, join-table columns and filters, root filters by path,
// root order, columns, Limit and Offset, now and then a mistake (an unknown include, column or
// malformed order term). For every dialect and shape (auto, flat, union, pipeline):
//
//	(a) compiling never panics; a compile error is builder.ErrInclude, says the same every
//	    time, and what the flat shape rejects every shape rejects;
//	(b) the placeholders a server would see (outside literals, quoted identifiers and
//	    comments) are the arguments: len(args) '?' on MySQL and SQLite, exactly $1..$n on
//	    PostgreSQL; for a pipeline, per statement;
//	(c) compiling twice gives byte-identical statements and equal arguments;
//	(d) on SQLite every statement that compiles runs, and every shape returns the same
//	    roots and children (compared field by field, nil apart from empty; sorted where the
//	    query leaves the order open); a page equals the unpaged result cut in Go, Count its
//	    length, and a keyset page after a root the roots after it.
//
// FuzzRawFragmentPlaceholders: raw sq.Expr fragments (root and include filters) made of
// comments, string literals of every dialect's kinds, quoted identifiers, "??" and '?'
// placeholders keep their literals and comments as written and get exactly one placeholder
// per argument (on PostgreSQL $1..$n, each first used in order); on SQLite every shape runs
// and returns what the fragments select when run by hand.
//
// Run one with `go test -run='^$' -fuzz='^FuzzIncludeTree$' -fuzztime=2m .`; a failing input
// is kept under testdata/fuzz/<target>/ and runs with `go test ./...` from then on.

// fzIn reads decisions from fuzz input bytes. A used-up input reads zeros, and every
// decision is laid out so that zero means "nothing more": a short input is a small query.
type fzIn struct {
	b []byte
	i int
}

func (in *fzIn) byte() byte {
	if in.i >= len(in.b) {
		return 0
	}
	c := in.b[in.i]
	in.i++
	return c
}

// n returns a number in [0, k).
func (in *fzIn) n(k int) int {
	if k <= 1 {
		return 0
	}
	return int(in.byte()) % k
}

// one is true once in k (never when the input is used up).
func (in *fzIn) one(k int) bool { return in.n(k) == k-1 }

func fzPick[T any](in *fzIn, list []T) T { return list[in.n(len(list))] }

// ---- the shared fixture: the blog schema and an embedded SQLite database, once per process

type fzEnv struct {
	schema *include.Schema
	db     *sql.DB
	err    error
}

var (
	fzOnce   sync.Once
	fzShared fzEnv
)

// fzExtraData adds rows to the blog fixture so that orders have ties and NULLs, tags and
// projects are shared, and names and titles hold quotes and placeholders' characters.
var fzExtraData = []string{
	`INSERT INTO users (id, name, email) VALUES (4, 'alice', NULL), (5, 'dave', 'd@example.com'), (6, 'o''neil ?', 'o@example.com')`,
	`INSERT INTO profiles (id, user_id, bio) VALUES (2, 2, 'sql fan'), (3, 5, '$1')`,
	`INSERT INTO posts (id, user_id, title, published) VALUES (13, 2, 'hello', FALSE), (14, 5, 'hello', TRUE), (15, 5, 'draft', TRUE), (16, 4, 'a?b -- c', FALSE)`,
	`INSERT INTO comments (id, post_id, author_id, body) VALUES (103, 12, 5, 'nice'), (104, 14, 1, 'meh'), (105, 14, 1, 'nice'), (106, 15, 2, '$1'), (107, 11, 3, 'it''s')`,
	`INSERT INTO tags (id, name) VALUES (4, 'go')`,
	`INSERT INTO post_tags (post_id, tag_id, added_by) VALUES (11, 3, NULL), (12, 2, 'carol'), (14, 1, 'dave'), (14, 4, NULL), (15, 3, 'alice')`,
	`INSERT INTO projects (id, name) VALUES (3, 'apollo')`,
	`INSERT INTO user_projects (user_id, project_id, role) VALUES (3, 3, 'owner'), (5, 1, 'owner'), (5, 2, 'member'), (4, 3, 'member')`,
	`INSERT INTO invoices (id, user_email, amount) VALUES (4, 'd@example.com', 2), (5, 'o@example.com', 9.5)`,
}

// fuzzEnv returns the process's fixture. The database is opened and seeded once, not per
// input: an in-memory SQLite database on one connection (each connection to ":memory:" is a
// database of its own).
func fuzzEnv(t *testing.T) *fzEnv {
	t.Helper()
	fzOnce.Do(func() {
		db, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			fzShared.err = err
			return
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		tables, err := ddl.Statements(blogSchema(t), dialects.SQLite)
		if err != nil {
			fzShared.err = err
			return
		}
		for _, stmts := range [][]string{tables, blogData, fzExtraData} {
			for _, s := range stmts {
				if _, err := db.Exec(s); err != nil {
					fzShared.err = fmt.Errorf("%v\n%s", err, s)
					return
				}
			}
		}
		fzShared.db = db
		fzShared.schema = blogSchema(t)
	})
	if fzShared.err != nil || fzShared.schema == nil {
		t.Fatalf("fuzz fixture: %v", fzShared.err)
	}
	return &fzShared
}

var (
	fzDialects = []dialects.Dialect{dialects.Postgres, dialects.MySQL, dialects.SQLite}
	fzShapes   = []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline}
)

// ---- values

var fzStrings = []string{"alice", "hello", "nice", "go", "owner", "member", "a@example.com", "draft",
	"it's", "o'neil ?", "'", "''", `"`, "`", `\`, `\'`, "$1", "$2::text", "?", "??", "a?b -- c", "--", "-- ?\n",
	"/* ? */", ";", "; DROP TABLE users; --", "{{self}}", "%", "_", "", " ", "é", "\n", "E'\\''", "$$?$$"}

var fzInts = []int64{0, 1, 2, 3, 10, 11, 12, 14, 100, 102, 105, -1, math.MaxInt64, math.MinInt64}

var fzUints = []uint64{0, 1, 2, 3, 1, 2, 5, 1000, 1001, math.MaxInt64, 1 << 63, math.MaxUint64}

var fzFloats = []float64{0, 1, 2, 3.25, 9.5, -1.5}

func (in *fzIn) str() string {
	if !in.one(6) {
		return fzPick(in, fzStrings)
	}
	// NUL-free bytes from the input
	b := make([]byte, in.n(8))
	for i := range b {
		if b[i] = in.byte(); b[i] == 0 {
			b[i] = '?'
		}
	}
	return string(b)
}

func (in *fzIn) value(k include.Type) any {
	switch k {
	case include.Int:
		return fzPick(in, fzInts)
	case include.Bool:
		return in.n(2) == 1
	case include.Float:
		return fzPick(in, fzFloats)
	}
	return in.str()
}

func (in *fzIn) values(k include.Type, n int) any {
	switch k {
	case include.Int:
		out := []int64{}
		for range n {
			out = append(out, fzPick(in, fzInts))
		}
		return out
	case include.String, include.Any:
		out := []string{}
		for range n {
			out = append(out, in.str())
		}
		return out
	}
	out := []any{}
	for range n {
		out = append(out, in.value(k))
	}
	return out
}

// fzCol is a column a predicate or order term may name: an attribute of the node's model, a
// join-table column, or (root filters and orders) an included column by path.
type fzCol struct {
	name string
	kind include.Type
	own  bool // the node's own table: a raw fragment may name it as {{self}}.name
}

func fzModelCols(m *include.Model) []fzCol {
	var out []fzCol
	for _, a := range m.Attrs() {
		out = append(out, fzCol{a.Name, a.Type, true})
	}
	return out
}

// fzThroughCols lists the join-table columns of a BelongsToMany: its join model's, or for a
// plain join table the fixture's columns.
func fzThroughCols(a *include.Association) []fzCol {
	if a.Through != nil {
		return fzModelCols(a.Through)
	}
	if a.ThroughTable == "post_tags" {
		return []fzCol{{"added_by", include.String, true}, {"post_id", include.Int, true}, {"tag_id", include.Int, true}}
	}
	return nil
}

// ---- the query description decoded from an input

// fzPath is what the query says about one include path.
type fzPath struct {
	path  string // canonical: the aliases, dotted
	model *include.Model
	assoc *include.Association
	total bool // its own order names every primary-key column: its children's order is defined
}

type fzSpec struct {
	root          string
	model         *include.Model
	where         []sq.Sqlizer
	orderBy       []string
	rootCols      []string
	hasCols       bool
	incs          []any
	hasLimit      bool
	limit         uint64
	offset        uint64
	cursorAt      int
	pageSize      uint64
	desc          []string
	paths         map[string]*fzPath // by lower-cased path
	pathList      []string
	rootTotal     bool // the root order names the whole primary key (or the roots are paged)
	rootTermsOnly bool // every root order term names a root column (keyset applies)
}

type fzGen struct {
	in     *fzIn
	sp     *fzSpec
	budget int // include nodes
	// segments bounds the association segments of all paths: a flat JOIN of many to-many
	// includes multiplies rows, and one execution must stay fast
	segments int
}

var fzRoots = []string{"User", "User", "User", "Post", "Post", "Comment", "UserProject", "Invoice"}

func fzDecode(s *include.Schema, data []byte) *fzSpec {
	in := &fzIn{b: data}
	sp := &fzSpec{paths: map[string]*fzPath{}}
	g := &fzGen{in: in, sp: sp, budget: 8, segments: 10}
	sp.root = fzPick(in, fzRoots)
	sp.model = s.Model(sp.root)
	sp.desc = append(sp.desc, fmt.Sprintf("joinery.Query[%s](s, d)", sp.root))
	for k := in.n(4); k > 0; k-- {
		if n, d, ok := g.node(sp.model, "", 0); ok {
			sp.incs = append(sp.incs, n)
			sp.desc = append(sp.desc, ".Include("+d+")")
		}
	}
	if in.one(5) {
		// a plain dotted path string
		if p, ok := g.chain(sp.model, ""); ok {
			sp.incs = append(sp.incs, p)
			sp.desc = append(sp.desc, fmt.Sprintf(".Include(%q)", p))
		}
	}
	rootCols := fzModelCols(sp.model)
	pathCols := g.pathCols()
	for k := in.n(3); k > 0; k-- {
		cols := rootCols
		if len(pathCols) > 0 && in.one(3) {
			cols = pathCols
		}
		p, d := g.pred(cols, 0)
		sp.where = append(sp.where, p)
		sp.desc = append(sp.desc, ".Where("+d+")")
	}
	if in.one(6) {
		sp.hasCols = true
		sp.rootCols = g.subset(rootCols, true)
		sp.desc = append(sp.desc, ".Columns("+fzQuoted(sp.rootCols)+")")
	}
	sp.rootTermsOnly = true
	named := map[string]bool{}
	for k := in.n(4); k > 0; k-- {
		cols, own := rootCols, true
		if len(pathCols) > 0 && in.one(3) {
			cols, own = pathCols, false
		}
		c := fzPick(in, cols)
		term := g.term(c.name)
		if own {
			named[strings.ToLower(c.name)] = true
		} else {
			sp.rootTermsOnly = false
		}
		sp.orderBy = append(sp.orderBy, term)
	}
	if !in.one(4) {
		// usually a total order: the primary key last
		for _, k := range sp.model.PrimaryKey() {
			t := k
			if in.one(3) {
				t += " DESC"
			}
			sp.orderBy = append(sp.orderBy, t)
			named[k] = true
		}
	}
	sp.rootTotal = true
	for _, k := range sp.model.PrimaryKey() {
		sp.rootTotal = sp.rootTotal && named[k]
	}
	if len(sp.orderBy) > 0 {
		sp.desc = append(sp.desc, ".OrderBy("+fzQuoted(sp.orderBy)+")")
	}
	if in.one(3) {
		sp.hasLimit, sp.limit = true, fzPick(in, fzUints)
		sp.desc = append(sp.desc, fmt.Sprintf(".Limit(%d)", sp.limit))
	}
	if in.one(4) {
		sp.offset = fzPick(in, fzUints)
		sp.desc = append(sp.desc, fmt.Sprintf(".Offset(%d)", sp.offset))
	}
	if sp.hasLimit || sp.offset > 0 {
		sp.rootTotal = true // the primary key is the tiebreaker of a paged order
	}
	sp.cursorAt, sp.pageSize = in.n(8), uint64(1+in.n(3))
	return sp
}

// chain picks a dotted path of one to three associations from m, recording each prefix.
func (g *fzGen) chain(m *include.Model, parent string) (string, bool) {
	var segs []string
	cur, p := m, parent
	for i := 0; i < 3 && strings.Count(p, ".") < 4; i++ {
		as := cur.Associations()
		if len(as) == 0 || g.segments <= 0 || (i > 0 && !g.in.one(3)) {
			break
		}
		g.segments--
		a := fzPick(g.in, as)
		seg := strings.ToLower(a.As)
		switch g.in.n(10) {
		case 8:
			seg = a.As
		case 9:
			seg = strings.ToUpper(a.As) // aliases match ignoring case
		}
		if g.in.one(50) {
			seg = "nope" // an unknown include: a compile error
		}
		segs = append(segs, seg)
		if seg == "nope" {
			return strings.Join(segs, "."), true
		}
		p = fzJoin(p, a.As)
		if g.sp.paths[strings.ToLower(p)] == nil {
			g.sp.paths[strings.ToLower(p)] = &fzPath{path: p, model: a.Target, assoc: a}
			g.sp.pathList = append(g.sp.pathList, p)
		}
		cur = a.Target
	}
	if len(segs) == 0 {
		return "", false
	}
	return strings.Join(segs, "."), true
}

// fzQuoted writes a list of names as Go arguments: "a", "b".
func fzQuoted(list []string) string {
	var out []string
	for _, s := range list {
		out = append(out, strconv.Quote(s))
	}
	return strings.Join(out, ", ")
}

// fzArgs writes arguments as they follow a format: , 1, "a".
func fzArgs(args []any) string {
	var b strings.Builder
	for _, a := range args {
		fmt.Fprintf(&b, ", %#v", a)
	}
	return b.String()
}

func fzJoin(parent, seg string) string {
	if parent == "" {
		return seg
	}
	return parent + "." + seg
}

// node decodes one include.Node under model m (at include path parent) and its description.
func (g *fzGen) node(m *include.Model, parent string, depth int) (include.Node, string, bool) {
	if g.budget <= 0 {
		return include.Node{}, "", false
	}
	g.budget--
	path, ok := g.chain(m, parent)
	if !ok {
		return include.Node{}, "", false
	}
	n := include.New(path)
	d := fmt.Sprintf("include.New(%q)", path)
	info := g.sp.paths[strings.ToLower(g.canonical(parent, path))]
	if info == nil {
		return n, d, true // an unknown path: no options matter
	}
	cols := fzModelCols(info.model)
	for k := g.in.n(6); k > 0; k-- {
		switch g.in.n(13) {
		case 0, 1:
			p, pd := g.pred(cols, 0)
			n, d = n.Where(p), d+".Where("+pd+")"
		case 2, 3:
			var terms []string
			for j := 1 + g.in.n(2); j > 0; j-- {
				c := fzPick(g.in, cols)
				terms = append(terms, g.term(c.name))
			}
			if g.in.n(3) > 0 {
				terms = append(terms, g.term(info.model.PrimaryKey()[0]))
			}
			for _, t := range terms {
				if f := strings.Fields(t); len(f) > 0 && len(info.model.PrimaryKey()) == 1 && strings.EqualFold(f[0], info.model.PrimaryKey()[0]) {
					info.total = true
				}
			}
			n, d = n.Order(terms...), d+".Order("+fzQuoted(terms)+")"
		case 4:
			sub := g.subset(cols, true)
			n, d = n.Columns(sub...), d+".Columns("+fzQuoted(sub)+")"
		case 5:
			n, d = n.Required(), d+".Required()"
		case 6:
			n, d = n.Optional(), d+".Optional()"
		case 7:
			u := fzPick(g.in, fzUints)
			n, d = n.Limit(u), d+fmt.Sprintf(".Limit(%d)", u)
		case 8:
			u := fzPick(g.in, fzUints)
			n, d = n.Offset(u), d+fmt.Sprintf(".Offset(%d)", u)
		case 9:
			th := fzThroughCols(info.assoc)
			if th == nil && !g.in.one(8) {
				continue
			}
			if th == nil || info.assoc.Through != nil && g.in.one(20) {
				// not a BelongsToMany, or not a column of its join model: a compile error (not
				// own: no raw fragment names it, whose columns the builder cannot check)
				th = []fzCol{{"nope", include.String, false}}
			}
			if g.in.one(2) {
				sub := g.subset(th, true)
				n, d = n.ThroughColumns(sub...), d+".ThroughColumns("+fzQuoted(sub)+")"
			} else {
				p, pd := g.pred(th, 0)
				n, d = n.ThroughWhere(p), d+".ThroughWhere("+pd+")"
			}
		case 10:
			if g.in.one(3) {
				n, d = n.FilterOnly(), d+".FilterOnly()"
			} else {
				n, d = n.Unscoped(), d+".Unscoped()"
			}
		default:
			if depth >= 3 {
				continue
			}
			for j := 1 + g.in.n(2); j > 0; j-- {
				if g.in.one(4) {
					if p, ok := g.chain(info.model, info.path); ok {
						n, d = n.Include(p), d+fmt.Sprintf(".Include(%q)", p)
					}
					continue
				}
				if c, cd, ok := g.node(info.model, info.path, depth+1); ok {
					n, d = n.Include(c), d+".Include("+cd+")"
				}
			}
		}
	}
	return n, d, true
}

// canonical is the include path of a dotted path given under parent, spelled as the aliases.
func (g *fzGen) canonical(parent, path string) string {
	p := strings.ToLower(parent)
	out := parent
	for _, seg := range strings.Split(path, ".") {
		p = fzJoin(p, strings.ToLower(seg))
		info := g.sp.paths[p]
		if info == nil {
			return "?unknown"
		}
		out = info.path
	}
	return out
}

// pathCols lists included columns by path ("Posts.title", "Posts.Tags.@through.added_by").
func (g *fzGen) pathCols() []fzCol {
	var out []fzCol
	for _, p := range g.sp.pathList {
		info := g.sp.paths[strings.ToLower(p)]
		for _, c := range fzModelCols(info.model) {
			out = append(out, fzCol{p + "." + c.name, c.kind, false})
		}
		if info.assoc.Kind == include.BelongsToMany {
			for _, c := range fzThroughCols(info.assoc) {
				out = append(out, fzCol{p + ".@through." + c.name, c.kind, false})
			}
		}
	}
	return out
}

// subset picks some of cols; bad adds an unknown column now and then.
func (g *fzGen) subset(cols []fzCol, bad bool) []string {
	out := []string{}
	for _, c := range cols {
		if g.in.n(2) == 1 {
			out = append(out, c.name)
		}
	}
	if bad && g.in.one(20) {
		out = append(out, "nope") // an unknown column: a compile error
	}
	return out
}

// term is an order term on column name: a direction and NULLS FIRST/LAST, now and then a
// malformed one.
func (g *fzGen) term(name string) string {
	t := name
	switch g.in.n(3) {
	case 1:
		t += " DESC"
	case 2:
		t += " asc"
	}
	switch g.in.n(5) {
	case 3:
		t += " NULLS FIRST"
	case 4:
		t += " nulls last"
	}
	if g.in.one(40) {
		t += " sideways" // malformed: a compile error
	}
	return t
}

// pred decodes a predicate on cols.
func (g *fzGen) pred(cols []fzCol, depth int) (sq.Sqlizer, string) {
	in := g.in
	c := fzPick(in, cols)
	op := in.n(15)
	if !c.own && op >= 10 {
		op %= 10 // raw fragments name their own table only
	}
	switch op {
	case 0:
		v := in.value(c.kind)
		return sq.Eq{c.name: v}, fmt.Sprintf("sq.Eq{%q: %#v}", c.name, v)
	case 1:
		v := in.value(c.kind)
		return sq.NotEq{c.name: v}, fmt.Sprintf("sq.NotEq{%q: %#v}", c.name, v)
	case 2:
		v := in.value(c.kind)
		return sq.Gt{c.name: v}, fmt.Sprintf("sq.Gt{%q: %#v}", c.name, v)
	case 3:
		v := in.value(c.kind)
		return sq.LtOrEq{c.name: v}, fmt.Sprintf("sq.LtOrEq{%q: %#v}", c.name, v)
	case 4:
		return sq.Eq{c.name: nil}, fmt.Sprintf("sq.Eq{%q: nil}", c.name)
	case 5:
		return sq.NotEq{c.name: nil}, fmt.Sprintf("sq.NotEq{%q: nil}", c.name)
	case 6:
		v := in.values(c.kind, in.n(4))
		return sq.Eq{c.name: v}, fmt.Sprintf("sq.Eq{%q: %#v}", c.name, v)
	case 7:
		v := "%" + in.str()
		return sq.Like{c.name: v}, fmt.Sprintf("sq.Like{%q: %q}", c.name, v)
	case 8:
		c2 := fzPick(in, cols)
		v1, v2 := in.value(c.kind), in.value(c2.kind)
		p := sq.Eq{c.name: v1, c2.name: v2}
		return p, fmt.Sprintf("%#v", p)
	case 9:
		if depth >= 2 {
			return sq.Eq{c.name: nil}, fmt.Sprintf("sq.Eq{%q: nil}", c.name)
		}
		a, ad := g.pred(cols, depth+1)
		b, bd := g.pred(cols, depth+1)
		if in.n(2) == 0 {
			return sq.Or{a, b}, "sq.Or{" + ad + ", " + bd + "}"
		}
		return sq.And{a, b}, "sq.And{" + ad + ", " + bd + "}"
	case 10, 11:
		v := in.value(c.kind)
		text := "{{self}}." + c.name + " = ?"
		return sq.Expr(text, v), fmt.Sprintf("sq.Expr(%q, %#v)", text, v)
	case 12:
		// an OR inside a raw fragment, unparenthesized: the fragment must stay one operand
		v := in.value(c.kind)
		text := "{{self}}." + c.name + " = ? OR {{self}}." + c.name + " IS NULL"
		return sq.Expr(text, v), fmt.Sprintf("sq.Expr(%q, %#v)", text, v)
	case 13:
		v1, v2 := in.value(c.kind), in.value(c.kind)
		text := "{{self}}." + c.name + " IN (?, ?)"
		return sq.Expr(text, v1, v2), fmt.Sprintf("sq.Expr(%q, %#v, %#v)", text, v1, v2)
	default:
		text := "{{self}}." + c.name + " IS NOT NULL"
		return sq.Expr(text), fmt.Sprintf("sq.Expr(%q)", text)
	}
}

// ---- building the decoded query, with variations

// fzQuery is a query of any root type.
type fzQuery interface {
	Plan() (*builder.Plan, error)
	PlanPipelined() (*builder.Plan, error)
	PlanPipelinedDistant() (*builder.Plan, error)
	CountSql() (string, []any, error)
	Count(ctx context.Context, db joinery.Querier) (int64, error)
	all(ctx context.Context, db joinery.Querier) (any, error)
	cursor(root reflect.Value) (joinery.Cursor, error)
}

type fzQ[T any] struct{ joinery.Q[T] }

func (q fzQ[T]) all(ctx context.Context, db joinery.Querier) (any, error) { return q.All(ctx, db) }

func (q fzQ[T]) cursor(root reflect.Value) (joinery.Cursor, error) {
	return q.Cursor(root.Interface().(T))
}

// fzVariant changes the decoded query: its shape, no paging, the primary key added to the
// order, a keyset page.
type fzVariant struct {
	shape    joinery.Shape
	unpaged  bool
	pkOrder  bool
	after    *joinery.Cursor
	pageSize uint64
}

func (sp *fzSpec) build(s *include.Schema, d dialects.Dialect, v fzVariant) fzQuery {
	switch sp.root {
	case "Post":
		return fzApply(joinery.Query[Post](s, d), sp, v)
	case "Comment":
		return fzApply(joinery.Query[Comment](s, d), sp, v)
	case "UserProject":
		return fzApply(joinery.Query[UserProject](s, d), sp, v)
	case "Invoice":
		return fzApply(joinery.Query[Invoice](s, d), sp, v)
	}
	return fzApply(joinery.Query[User](s, d), sp, v)
}

func fzApply[T any](q joinery.Q[T], sp *fzSpec, v fzVariant) fzQuery {
	for _, w := range sp.where {
		q = q.Where(w)
	}
	if len(sp.incs) > 0 {
		q = q.Include(sp.incs...)
	}
	if sp.hasCols {
		q = q.Columns(sp.rootCols...)
	}
	order := append([]string(nil), sp.orderBy...)
	if v.pkOrder {
		order = append(order, sp.model.PrimaryKey()...)
	}
	if len(order) > 0 {
		q = q.OrderBy(order...)
	}
	switch {
	case v.after != nil:
		q = q.After(*v.after).Limit(v.pageSize)
	case !v.unpaged:
		if sp.hasLimit {
			q = q.Limit(sp.limit)
		}
		if sp.offset > 0 {
			q = q.Offset(sp.offset)
		}
	}
	return fzQ[T]{q.Shape(v.shape)}
}

func (sp *fzSpec) String() string { return strings.Join(sp.desc, "") }

func (sp *fzSpec) paged() bool { return sp.hasLimit || sp.offset > 0 }

// ---- FuzzIncludeTree

func FuzzIncludeTree(f *testing.F) {
	f.Add([]byte{})
	// inputs from fixed seeds: a spread of trees for the mutator to start from
	for seed := int64(1); seed <= 24; seed++ {
		rng := rand.New(rand.NewSource(seed))
		b := make([]byte, 16+rng.Intn(112))
		rng.Read(b)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env := fuzzEnv(t)
		sp := fzDecode(env.schema, data)
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("panic: %v\nquery: %s\n%s", r, sp, debug.Stack())
			}
		}()
		fzCheckCompile(t, env, sp)
		fzCheckRun(t, env, sp)
	})
}

// fzCheckCompile: on every dialect and shape, compiling never panics and fails only with
// builder.ErrInclude (a), the placeholders agree with the arguments (b), and compiling the
// same query again gives the same statement, arguments and error (c).
func fzCheckCompile(t *testing.T, env *fzEnv, sp *fzSpec) {
	t.Helper()
	for _, d := range fzDialects {
		errs := map[joinery.Shape]error{}
		for _, sh := range fzShapes {
			what := fmt.Sprintf("%s, %s", d.Name(), sh)
			compile := func() (*builder.Plan, error) { return sp.build(env.schema, d, fzVariant{shape: sh}).Plan() }
			p, err := compile()
			p2, err2 := compile()
			fzSamePlan(t, sp, what, p, err, p2, err2)
			if d == dialects.Postgres { // (the messages do not depend on the dialect)
				fzSameError(t, sp, what, err, func() error { _, err := compile(); return err })
			}
			errs[sh] = err
			if err != nil {
				fzCompileError(t, sp, what, err)
				continue
			}
			fzCheckPlan(t, sp, d, what, p)
			if sh == joinery.ShapeAuto {
				pp, err := sp.build(env.schema, d, fzVariant{shape: sh}).PlanPipelined()
				if err != nil {
					t.Fatalf("%s: Plan compiles but PlanPipelined fails: %v\nquery: %s", what, err, sp)
				}
				fzCheckPlan(t, sp, d, what+" (pipelined)", pp)
				far, err := sp.build(env.schema, d, fzVariant{shape: sh}).PlanPipelinedDistant()
				if err != nil {
					t.Fatalf("%s: Plan compiles but PlanPipelinedDistant fails: %v\nquery: %s", what, err, sp)
				}
				fzCheckPlan(t, sp, d, what+" (pipelined, distant)", far)
			}
		}
		// the flat JOIN expresses every query; the other shapes only add restrictions: what
		// it rejects, they reject
		if flat := errs[joinery.ShapeFlat]; flat != nil {
			for _, sh := range fzShapes {
				if errs[sh] == nil {
					t.Fatalf("%s: the flat shape rejects the query (%v), the %s shape compiles it\nquery: %s", d.Name(), flat, sh, sp)
				}
			}
		}
		count := func() (string, []any, error) { return sp.build(env.schema, d, fzVariant{}).CountSql() }
		text, args, err := count()
		text2, args2, err2 := count()
		if fmt.Sprint(err) != fmt.Sprint(err2) || text != text2 || !reflect.DeepEqual(args, args2) {
			t.Fatalf("%s count: compiling twice differs:\n%s %#v (%v)\n%s %#v (%v)\nquery: %s", d.Name(), text, args, err, text2, args2, err2, sp)
		}
		if d == dialects.Postgres {
			fzSameError(t, sp, d.Name()+" count", err, func() error { _, _, err := count(); return err })
		}
		if err != nil {
			fzCompileError(t, sp, d.Name()+" count", err)
			continue
		}
		fzCheckText(t, sp, d, d.Name()+" count", text, args)
	}
}

func fzCompileError(t *testing.T, sp *fzSpec, what string, err error) {
	t.Helper()
	if !errors.Is(err, builder.ErrInclude) {
		t.Fatalf("%s: a compile error that is not builder.ErrInclude: %v\nquery: %s", what, err, sp)
	}
}

// fzSameError: a compile error says the same every time; map iteration order, which differs
// from run to run, must not choose what it names. Compiled again many times: a small map's
// iteration often starts at the same entry, so a few runs agree by chance.
func fzSameError(t *testing.T, sp *fzSpec, what string, err error, again func() error) {
	t.Helper()
	if err == nil {
		return
	}
	for range 32 {
		if e := again(); fmt.Sprint(e) != err.Error() {
			t.Fatalf("%s: compiling again gives a different error:\n%v\n%v\nquery: %s", what, err, e, sp)
		}
	}
}

func fzSamePlan(t *testing.T, sp *fzSpec, what string, p *builder.Plan, err error, p2 *builder.Plan, err2 error) {
	t.Helper()
	if fmt.Sprint(err) != fmt.Sprint(err2) {
		t.Fatalf("%s: compiling twice gives different errors:\n%v\n%v\nquery: %s", what, err, err2, sp)
	}
	if err != nil {
		return
	}
	if p.SQL != p2.SQL || !reflect.DeepEqual(p.Args, p2.Args) || p.Shape != p2.Shape || len(p.Statements) != len(p2.Statements) {
		t.Fatalf("%s: compiling twice gives different statements:\n%s\n%#v\n%s\n%#v\nquery: %s", what, p.SQL, p.Args, p2.SQL, p2.Args, sp)
	}
	for i := range p.Statements {
		if p.Statements[i].SQL != p2.Statements[i].SQL || !reflect.DeepEqual(p.Statements[i].Args, p2.Statements[i].Args) {
			t.Fatalf("%s: compiling twice gives different statement %d:\n%s\n%s\nquery: %s", what, i, p.Statements[i].SQL, p2.Statements[i].SQL, sp)
		}
	}
}

func fzCheckPlan(t *testing.T, sp *fzSpec, d dialects.Dialect, what string, p *builder.Plan) {
	t.Helper()
	if p.Shape != builder.ShapePipeline && p.Shape != builder.ShapeLevels {
		if len(p.Statements) != 0 {
			t.Fatalf("%s: a %s plan with %d statements\nquery: %s", what, p.Shape, len(p.Statements), sp)
		}
		fzCheckText(t, sp, d, what, p.SQL, p.Args)
		return
	}
	if len(p.Statements) == 0 {
		t.Fatalf("%s: a pipelined plan without statements\nquery: %s", what, sp)
	}
	var all []any
	for i, st := range p.Statements {
		fzCheckText(t, sp, d, fmt.Sprintf("%s statement %d", what, i), st.SQL, st.Args)
		all = append(all, st.Args...)
	}
	if !reflect.DeepEqual(all, p.Args) {
		t.Fatalf("%s: Plan.Args %#v are not the statements' arguments in order %#v\nquery: %s", what, p.Args, all, sp)
	}
}

// fzCheckText: the statement's placeholders, as d's server reads them, are its arguments:
// len(args) '?' for MySQL and SQLite, $1..$len(args) (each at least once, no other) for
// PostgreSQL, where a bare '?' would be an operator and never a placeholder.
func fzCheckText(t *testing.T, sp *fzSpec, d dialects.Dialect, what, text string, args []any) {
	t.Helper()
	lx := fzLex(text, d.Name())
	if lx.err != nil {
		t.Fatalf("%s: %v\nSQL: %s\nquery: %s", what, lx.err, text, sp)
	}
	if d.Name() != "postgres" {
		if lx.marks != len(args) {
			t.Fatalf("%s: %d placeholders for %d arguments\nSQL: %s\nargs: %#v\nquery: %s", what, lx.marks, len(args), text, args, sp)
		}
		return
	}
	if len(lx.bare) > 0 {
		t.Fatalf("%s: an unnumbered '?' at byte %d\nSQL: %s\nquery: %s", what, lx.bare[0], text, sp)
	}
	seen := map[int]bool{}
	for _, n := range lx.nums {
		if n < 1 || n > len(args) {
			t.Fatalf("%s: $%d with %d arguments\nSQL: %s\nargs: %#v\nquery: %s", what, n, len(args), text, args, sp)
		}
		seen[n] = true
	}
	if len(seen) != len(args) {
		t.Fatalf("%s: %d arguments but placeholders %v\nSQL: %s\nargs: %#v\nquery: %s", what, len(args), lx.nums, text, args, sp)
	}
}

// fzCheckRun (d): on SQLite every shape that compiles runs and returns the same roots (in
// the same order where the root order is total) with the same children; a page is the
// unpaged result's slice; Count is the number of unpaged roots; a keyset page after a root
// is the roots after it.
func fzCheckRun(t *testing.T, env *fzEnv, sp *fzSpec) {
	t.Helper()
	ctx := context.Background()
	var ref string
	var refShape joinery.Shape
	var refRoots any
	for _, sh := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeAuto, joinery.ShapeUnion, joinery.ShapePipeline} {
		q := sp.build(env.schema, dialects.SQLite, fzVariant{shape: sh})
		p, err := q.Plan()
		if err != nil {
			continue
		}
		roots, err := q.all(ctx, env.db)
		if err != nil {
			t.Fatalf("sqlite, %s: compiled but does not run: %v\nSQL: %s\nargs: %#v\nquery: %s", sh, err, p.SQL, p.Args, sp)
		}
		got := sp.canon(roots, sp.rootTotal)
		if refRoots == nil {
			ref, refShape, refRoots = got, sh, roots
			continue
		}
		if got != ref {
			t.Fatalf("sqlite: %s and %s differ:\n%s: %s\n%s: %s\nSQL (%s): %s\nargs: %#v\nquery: %s", refShape, sh, refShape, ref, sh, got, sh, p.SQL, p.Args, sp)
		}
	}
	if refRoots == nil {
		return
	}
	// the unpaged roots in the order a page is cut from: the order, then the primary key
	full := sp.build(env.schema, dialects.SQLite, fzVariant{shape: joinery.ShapeFlat, unpaged: true, pkOrder: true})
	fp, err := full.Plan()
	if err != nil {
		if sp.paged() {
			// (a query that compiles paged compiles unpaged)
			t.Fatalf("sqlite: the paged query compiles, the unpaged one does not: %v\nquery: %s", err, sp)
		}
		return
	}
	fullAny, err := full.all(ctx, env.db)
	if err != nil {
		t.Fatalf("sqlite, unpaged: %v\nSQL: %s\nquery: %s", err, fp.SQL, sp)
	}
	fullRoots := reflect.ValueOf(fullAny)
	if sp.paged() {
		lo := min(sp.offset, uint64(fullRoots.Len()))
		hi := uint64(fullRoots.Len())
		if sp.hasLimit && sp.limit < hi-lo {
			hi = lo + sp.limit
		}
		want := sp.canon(fullRoots.Slice(int(lo), int(hi)).Interface(), true)
		if ref != want {
			t.Fatalf("sqlite: the page is not the unpaged result's [%d:%d]:\n got (%s): %s\nwant: %s\nunpaged SQL: %s\nquery: %s", lo, hi, refShape, ref, want, fp.SQL, sp)
		}
	}
	q := sp.build(env.schema, dialects.SQLite, fzVariant{})
	if _, _, err := q.CountSql(); err == nil {
		n, err := q.Count(ctx, env.db)
		if err != nil {
			t.Fatalf("sqlite: Count compiles but does not run: %v\nquery: %s", err, sp)
		}
		if n != int64(fullRoots.Len()) {
			t.Fatalf("sqlite: Count %d, the unpaged query returns %d roots\nquery: %s", n, fullRoots.Len(), sp)
		}
	}
	if !sp.rootTermsOnly || sp.hasCols || fullRoots.Len() == 0 {
		return
	}
	k := sp.cursorAt % fullRoots.Len()
	c, err := sp.build(env.schema, dialects.SQLite, fzVariant{}).cursor(fullRoots.Index(k))
	if err != nil {
		t.Fatalf("sqlite: Cursor of root %d: %v\nquery: %s", k, err, sp)
	}
	hi := min(k+1+int(sp.pageSize), fullRoots.Len())
	want := sp.canon(fullRoots.Slice(k+1, hi).Interface(), true)
	for _, sh := range fzShapes {
		pq := sp.build(env.schema, dialects.SQLite, fzVariant{shape: sh, after: &c, pageSize: sp.pageSize})
		p, err := pq.Plan()
		if err != nil {
			fzCompileError(t, sp, "keyset page, "+sh.String(), err)
			continue
		}
		got, err := pq.all(ctx, env.db)
		if err != nil {
			t.Fatalf("sqlite, keyset page, %s: %v\nSQL: %s\nquery: %s", sh, err, p.SQL, sp)
		}
		if g := sp.canon(got, true); g != want {
			t.Fatalf("sqlite, keyset page after root %d (cursor %#v), limit %d, %s:\n got: %s\nwant: %s\nSQL: %s\nargs: %#v\nquery: %s",
				k, c.Values, sp.pageSize, sh, g, want, p.SQL, p.Args, sp)
		}
	}
}

// canon encodes hydrated roots for comparison: field by field, nil apart from empty, the
// elements of a slice sorted where the query leaves their order open (roots unless total;
// the children of an include whose own order does not name its primary key).
func (sp *fzSpec) canon(roots any, total bool) string {
	v := reflect.ValueOf(roots)
	var els []string
	for i := 0; i < v.Len(); i++ {
		var b strings.Builder
		sp.encode(&b, v.Index(i), sp.model, "")
		els = append(els, b.String())
	}
	if !total {
		sort.Strings(els)
	}
	return "[" + strings.Join(els, ", ") + "]"
}

func (sp *fzSpec) encode(b *strings.Builder, v reflect.Value, m *include.Model, path string) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteByte('&')
		sp.encode(b, v.Elem(), m, path)
	case reflect.Struct:
		b.WriteString(v.Type().Name() + "{")
		for i := 0; i < v.NumField(); i++ {
			name := v.Type().Field(i).Name
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(name + ":")
			var child *include.Model
			var cpath string
			sorted := false
			if m != nil {
				for _, a := range m.Associations() {
					if a.FieldName == name {
						child, cpath = a.Target, fzJoin(path, a.As)
						info := sp.paths[strings.ToLower(cpath)]
						sorted = info == nil || !info.total
					}
				}
			}
			f := v.Field(i)
			if f.Kind() != reflect.Slice || child == nil {
				sp.encode(b, f, child, cpath)
				continue
			}
			if f.IsNil() {
				b.WriteString("nil")
				continue
			}
			var els []string
			for j := 0; j < f.Len(); j++ {
				var eb strings.Builder
				sp.encode(&eb, f.Index(j), child, cpath)
				els = append(els, eb.String())
			}
			if sorted {
				sort.Strings(els)
			}
			b.WriteString("[" + strings.Join(els, ", ") + "]")
		}
		b.WriteByte('}')
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteByte('[')
		for j := 0; j < v.Len(); j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			sp.encode(b, v.Index(j), nil, "")
		}
		b.WriteByte(']')
	default:
		fmt.Fprintf(b, "%#v", v.Interface())
	}
}

// ---- a lexer for the placeholders a server sees

type fzLexed struct {
	marks    int      // '?' placeholders (MySQL, SQLite)
	nums     []int    // $n placeholders, in text order (PostgreSQL)
	bare     []int    // offsets of '?' on PostgreSQL, where it is an operator
	literals []string // string literals, quoted identifiers and comments, as written
	err      error
}

func fzIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// fzLex reads text as the server of dialect name ("postgres", "mysql", "sqlite") tokenizes
// it, far enough to find its bind placeholders: outside string literals (PostgreSQL's E”
// and dollar quotes, MySQL's backslash escapes and double-quoted strings), quoted identifiers
// and comments (PostgreSQL's nest).
func fzLex(s, dialect string) fzLexed {
	var lx fzLexed
	pg, my, lite := dialect == "postgres", dialect == "mysql", dialect == "sqlite"
	// quoted scans a literal closed by q from i (after the opening quote); a doubled q is an
	// escaped one, and backslash escapes the next byte when bs.
	quoted := func(i int, q byte, bs bool) (int, bool) {
		for i < len(s) {
			switch {
			case bs && s[i] == '\\':
				i += 2
			case s[i] == q && i+1 < len(s) && s[i+1] == q:
				i += 2
			case s[i] == q:
				return i + 1, true
			default:
				i++
			}
		}
		return len(s), false
	}
	for i := 0; i < len(s); {
		c := s[i]
		start := i
		lit := true
		ok := true
		switch {
		case c == '-' && i+1 < len(s) && s[i+1] == '-' && (!my || i+2 >= len(s) || s[i+2] == ' ' || s[i+2] == '\t' || s[i+2] == '\n' || s[i+2] == '\r'),
			c == '#' && my:
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				i = len(s)
			} else {
				i += j + 1
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			depth := 0
			for i < len(s) {
				if s[i] == '/' && i+1 < len(s) && s[i+1] == '*' && (pg || depth == 0) {
					depth++
					i += 2
					continue
				}
				if s[i] == '*' && i+1 < len(s) && s[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
					continue
				}
				i++
			}
			ok = depth == 0
		case c == '\'':
			i, ok = quoted(i+1, '\'', my)
		case pg && (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'' && (i == 0 || !fzIdentByte(s[i-1])):
			i, ok = quoted(i+2, '\'', true)
		case c == '"':
			i, ok = quoted(i+1, '"', my)
		case c == '`' && !pg:
			i, ok = quoted(i+1, '`', false)
		case c == '[' && lite:
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				i, ok = len(s), false
			} else {
				i += j + 1
			}
		case c == '$' && pg && (i == 0 || !fzIdentByte(s[i-1])):
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j > i+1 {
				n, _ := strconv.Atoi(s[i+1 : j])
				lx.nums = append(lx.nums, n)
				i, lit = j, false
				break
			}
			for j < len(s) && fzIdentByte(s[j]) && s[j] < 0x80 {
				j++
			}
			if j < len(s) && s[j] == '$' && (j == i+1 || !(s[i+1] >= '0' && s[i+1] <= '9')) {
				tag := s[i : j+1]
				k := strings.Index(s[j+1:], tag)
				if k < 0 {
					i, ok = len(s), false
				} else {
					i = j + 1 + k + len(tag)
				}
				break
			}
			i, lit = i+1, false
		case c == '?':
			if pg {
				lx.bare = append(lx.bare, i)
			} else {
				lx.marks++
			}
			i, lit = i+1, false
			for lite && i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
		default:
			i, lit = i+1, false
		}
		if !ok {
			lx.err = fmt.Errorf("unterminated literal or comment at byte %d: %.40q", start, s[start:])
			return lx
		}
		if lit {
			lx.literals = append(lx.literals, s[start:i])
		}
	}
	return lx
}

// ---- FuzzRawFragmentPlaceholders

// Atoms of a raw fragment.
const (
	fzAtomMark    = iota // {{self}}.id <> ?
	fzAtomLit            // <literal> <> ?
	fzAtomLitBare        // <literal> IS NOT NULL
	fzAtomIdent          // EXISTS (SELECT 1 AS <quoted identifier>)
	fzAtomQQ             // PostgreSQL: '{}'::jsonb ?? <literal> ("??" is a literal '?'); elsewhere 1 = 1
	fzAtoms
)

// Literal kinds; a kind the dialect lacks is written as a standard '...' literal.
const (
	fzLitStd       = iota // 'it''s'
	fzLitE                // PostgreSQL E'it\'s'
	fzLitDollar           // PostgreSQL $$it's$$
	fzLitTag              // PostgreSQL $q$it's$q$
	fzLitBackslash        // MySQL 'it\'s'
	fzLitDouble           // MySQL "it's" (a string there)
	fzLits
)

// Comment kinds; a kind the dialect lacks is written as a plain one.
const (
	fzComNone   = iota
	fzComLine   // -- ...\n
	fzComBlock  // /* ... */
	fzComNested // PostgreSQL /* a /* ... */ b */
	fzComHash   // MySQL # ...\n
	fzComs
)

// fzAlphabet is what literal, identifier and comment texts are made of: the characters that
// end or escape them, placeholders' and comments' characters.
const fzAlphabet = "?'\"`\\$-*/a \n;#E1"

// fzAtom is one atom of a fragment, after a comment (com, comText) when com is set.
type fzAtom struct {
	com     int
	comText string
	atom    int
	kind    int    // the literal's or the identifier's kind
	text    string // the literal's, identifier's or "??" operand's text
	arg     any    // the argument of its '?'
	or      bool   // joined to the next atom by OR (else AND)
}

type fzFrag struct {
	atoms    []fzAtom
	tail     int
	tailText string
}

func (in *fzIn) content() string {
	b := make([]byte, in.n(9))
	for i := range b {
		b[i] = fzAlphabet[in.n(len(fzAlphabet))]
	}
	return string(b)
}

// fzDecodeFrag decodes a fragment of one to maxAtoms atoms.
func fzDecodeFrag(in *fzIn, maxAtoms int) fzFrag {
	var f fzFrag
	for k := 1 + in.n(maxAtoms); k > 0; k-- {
		var a fzAtom
		if a.com = in.n(fzComs); a.com != fzComNone {
			a.comText = in.content()
		}
		a.atom = in.n(fzAtoms)
		switch a.atom {
		case fzAtomLit, fzAtomLitBare:
			a.kind = in.n(fzLits)
		case fzAtomIdent:
			a.kind = in.n(2)
		}
		if a.atom != fzAtomMark {
			a.text = in.content()
		}
		switch a.atom {
		case fzAtomMark:
			a.arg = fzPick(in, fzInts)
		case fzAtomLit:
			a.arg = in.str()
		}
		a.or = in.n(2) == 1
		f.atoms = append(f.atoms, a)
	}
	if f.tail = in.n(fzComs); f.tail != fzComNone {
		f.tailText = in.content()
	}
	return f
}

// fzLiteral writes text as a string literal of kind on dialect d.
func fzLiteral(d string, kind int, text string) string {
	r := strings.NewReplacer
	switch {
	case d == "postgres" && kind == fzLitE:
		return "E'" + r(`\`, `\\`, "'", `\'`).Replace(text) + "'"
	case d == "postgres" && kind == fzLitDollar:
		return "$$" + strings.ReplaceAll(text, "$", "") + "$$"
	case d == "postgres" && kind == fzLitTag:
		return "$q$" + strings.ReplaceAll(text, "$", "") + "$q$"
	case d == "mysql" && kind == fzLitBackslash:
		return "'" + r(`\`, `\\`, "'", `\'`).Replace(text) + "'"
	case d == "mysql" && kind == fzLitDouble:
		return `"` + r(`\`, `\\`, `"`, `""`).Replace(text) + `"`
	case d == "mysql":
		return "'" + r(`\`, `\\`, "'", "''").Replace(text) + "'"
	}
	return "'" + strings.ReplaceAll(text, "'", "''") + "'"
}

func fzIdentifier(d string, kind int, text string) string {
	if d == "mysql" || d == "sqlite" && kind == 1 {
		return "`x" + strings.ReplaceAll(text, "`", "``") + "`"
	}
	return `"x` + strings.ReplaceAll(text, `"`, `""`) + `"`
}

func fzComment(d string, kind int, text string) string {
	switch {
	case kind == fzComHash && d == "mysql":
		return "# " + strings.ReplaceAll(text, "\n", "") + "\n"
	case kind == fzComLine || kind == fzComHash:
		return "-- " + strings.ReplaceAll(text, "\n", "") + "\n"
	case kind == fzComNested && d == "postgres":
		return "/* a /* " + strings.ReplaceAll(text, "*", "") + " */ b */"
	}
	return "/* " + strings.ReplaceAll(text, "*", "") + " */"
}

// render writes the fragment for dialect d, parenthesized (so that an OR in it stays one
// operand), with its arguments and its literals, identifiers and comments as written.
func (f fzFrag) render(d string) (string, []any, []string) {
	var b strings.Builder
	var args []any
	var toks []string
	tok := func(s string) string { toks = append(toks, s); return s }
	b.WriteByte('(')
	for i, a := range f.atoms {
		if i > 0 {
			if f.atoms[i-1].or {
				b.WriteString(" OR ")
			} else {
				b.WriteString(" AND ")
			}
		}
		if a.com != fzComNone {
			b.WriteString(tok(fzComment(d, a.com, a.comText)) + " ")
		}
		switch a.atom {
		case fzAtomMark:
			b.WriteString("{{self}}.id <> ?")
			args = append(args, a.arg)
		case fzAtomLit:
			b.WriteString(tok(fzLiteral(d, a.kind, a.text)) + " <> ?")
			args = append(args, a.arg)
		case fzAtomLitBare:
			b.WriteString(tok(fzLiteral(d, a.kind, a.text)) + " IS NOT NULL")
		case fzAtomIdent:
			b.WriteString("EXISTS (SELECT 1 AS " + tok(fzIdentifier(d, a.kind, a.text)) + ")")
		case fzAtomQQ:
			if d == "postgres" {
				b.WriteString("'{}'::jsonb ?? " + tok(fzLiteral(d, fzLitStd, a.text)))
			} else {
				b.WriteString("1 = 1")
			}
		}
	}
	if f.tail != fzComNone {
		b.WriteString(" " + tok(fzComment(d, f.tail, f.tailText)))
	}
	b.WriteByte(')')
	return b.String(), args, toks
}

// fzFragQuery is a raw-fragment query decoded from an input: users filtered by the fragment,
// maybe their posts filtered by another, maybe a map filter and a page.
type fzFragQuery struct {
	root, inc fzFrag
	posts     bool
	incFrag   bool
	eq        bool
	limit     int // 0: none, 1: a small page, 2: a large one
}

func fzDecodeFragQuery(data []byte) fzFragQuery {
	in := &fzIn{b: data}
	var fq fzFragQuery
	fq.root = fzDecodeFrag(in, 4)
	if fq.posts = in.n(2) == 1; fq.posts {
		if fq.incFrag = in.n(2) == 1; fq.incFrag {
			fq.inc = fzDecodeFrag(in, 2)
		}
	}
	fq.eq = in.n(2) == 1
	fq.limit = in.n(3)
	return fq
}

var fzEqNames = []string{"alice", "dave", "o'neil ?"}

// build returns the query, its description, and the root's and the include's fragments'
// literals and comments.
func (fq fzFragQuery) build(s *include.Schema, d dialects.Dialect) (q joinery.Q[User], desc string, toks, incToks []string) {
	text, args, toks := fq.root.render(d.Name())
	q = joinery.Query[User](s, d).Where(sq.Expr(text, args...))
	desc = fmt.Sprintf("joinery.Query[User](s, %s).Where(sq.Expr(%q%s))", d.Name(), text, fzArgs(args))
	if fq.eq {
		q = q.Where(sq.Eq{"name": fzEqNames})
		desc += fmt.Sprintf(".Where(sq.Eq{\"name\": %#v})", fzEqNames)
	}
	if fq.posts {
		posts := include.New("posts").Order("id")
		pd := `include.New("posts").Order("id")`
		if fq.incFrag {
			var itext string
			var iargs []any
			itext, iargs, incToks = fq.inc.render(d.Name())
			posts = posts.Where(sq.Expr(itext, iargs...))
			pd += fmt.Sprintf(".Where(sq.Expr(%q%s))", itext, fzArgs(iargs))
		}
		q = q.Include(posts)
		desc += ".Include(" + pd + ")"
	}
	q = q.OrderBy("id")
	desc += `.OrderBy("id")`
	switch fq.limit {
	case 1:
		q, desc = q.Limit(2), desc+".Limit(2)"
	case 2:
		q, desc = q.Limit(2000), desc+".Limit(2000)"
	}
	return q, desc, toks, incToks
}

func FuzzRawFragmentPlaceholders(f *testing.F) {
	type atom = fzSeedAtom
	for _, seed := range [][]byte{
		fzFragSeed([]atom{{atom: fzAtomMark}}, fzComNone, "", false, false, false, 0),
		fzFragSeed([]atom{{atom: fzAtomLit, kind: fzLitStd, text: "a'?"}, {atom: fzAtomMark}}, fzComNone, "", false, false, false, 0),
		// known on 665ed5d (PostgreSQL numbering): comments, E'' strings, dollar quotes
		fzFragSeed([]atom{{com: fzComLine, comText: "? '", atom: fzAtomMark}}, fzComNone, "", false, false, false, 0),
		fzFragSeed([]atom{{com: fzComBlock, comText: "?'", atom: fzAtomMark}, {atom: fzAtomMark}}, fzComNone, "", false, false, false, 0),
		fzFragSeed([]atom{{atom: fzAtomLit, kind: fzLitE, text: "'?"}, {atom: fzAtomMark}}, fzComNone, "", false, false, false, 0),
		fzFragSeed([]atom{{atom: fzAtomLit, kind: fzLitDollar, text: "?'"}, {atom: fzAtomMark}}, fzComNone, "", false, false, false, 0),
		fzFragSeed([]atom{{atom: fzAtomLitBare, kind: fzLitTag, text: "?"}, {atom: fzAtomMark}}, fzComNone, "", false, false, false, 0),
		fzFragSeed([]atom{{com: fzComNested, comText: "?", atom: fzAtomMark}}, fzComNone, "", false, false, false, 0),
		fzFragSeed([]atom{{atom: fzAtomMark}}, fzComLine, "?", false, false, false, 0),
		// MySQL's backslash escapes, double-quoted strings and # comments; quoted identifiers
		fzFragSeed([]atom{{atom: fzAtomLit, kind: fzLitBackslash, text: "'?\\"}, {atom: fzAtomLit, kind: fzLitDouble, text: "\"?"}}, fzComHash, "?", false, false, false, 0),
		fzFragSeed([]atom{{atom: fzAtomIdent, kind: 0, text: "?\""}, {atom: fzAtomIdent, kind: 1, text: "?`"}, {atom: fzAtomMark}}, fzComNone, "", false, false, false, 0),
		// "??" is a literal '?' (PostgreSQL's jsonb operator)
		fzFragSeed([]atom{{atom: fzAtomQQ, text: "a"}, {atom: fzAtomMark}}, fzComNone, "", false, false, false, 0),
		// repeated by every UNION ALL branch, under a page, with a map filter beside it
		fzFragSeed([]atom{{com: fzComLine, comText: "?", atom: fzAtomLit, kind: fzLitE, text: "?'"}, {atom: fzAtomMark}}, fzComBlock, "?", true, true, true, 1),
		fzFragSeed([]atom{{atom: fzAtomLit, kind: fzLitDollar, text: "?"}, {atom: fzAtomMark}}, fzComNone, "", true, true, false, 2),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env := fuzzEnv(t)
		fq := fzDecodeFragQuery(data)
		for _, d := range fzDialects {
			q, desc, toks, incToks := fq.build(env.schema, d)
			fzCheckFragments(t, env, fq, d, q, desc, toks, incToks)
		}
	})
}

// fzCheckFragments: every shape (and Count) compiles; each statement's placeholders outside
// literals and comments are its arguments (on PostgreSQL numbered 1..n in order of first
// use); the fragments' literals and comments are in the text as written; on SQLite every
// shape runs and returns what the fragments select when run by hand.
func fzCheckFragments(t *testing.T, env *fzEnv, fq fzFragQuery, d dialects.Dialect, q joinery.Q[User], desc string, toks, incToks []string) {
	t.Helper()
	check := func(what, text string, args []any) {
		t.Helper()
		lx := fzLex(text, d.Name())
		if lx.err != nil {
			t.Fatalf("%s: %v\nSQL: %s\nquery: %s", what, lx.err, text, desc)
		}
		if d.Name() != "postgres" {
			if lx.marks != len(args) {
				t.Fatalf("%s: %d placeholders for %d arguments\nSQL: %s\nargs: %#v\nquery: %s", what, lx.marks, len(args), text, args, desc)
			}
			return
		}
		next := 1
		for _, n := range lx.nums {
			switch {
			case n == next:
				next++
			case n < 1 || n > next:
				t.Fatalf("%s: placeholders %v: want $1..$%d, each first used in order\nSQL: %s\nargs: %#v\nquery: %s", what, lx.nums, len(args), text, args, desc)
			}
		}
		if next-1 != len(args) {
			t.Fatalf("%s: placeholders %v for %d arguments\nSQL: %s\nargs: %#v\nquery: %s", what, lx.nums, len(args), text, args, desc)
		}
		for _, at := range lx.bare {
			if !strings.HasSuffix(text[:at], "::jsonb ") {
				t.Fatalf("%s: a '?' outside literals at byte %d that is not the fragment's \"??\"\nSQL: %s\nquery: %s", what, at, text, desc)
			}
		}
	}
	kept := func(what string, toks []string, texts ...string) {
		t.Helper()
		all := strings.Join(texts, "\n")
		for _, tk := range toks {
			if !strings.Contains(all, tk) {
				t.Fatalf("%s: the fragment's %q is not in the statement as written\nSQL: %s\nquery: %s", what, tk, all, desc)
			}
		}
	}
	ctx := context.Background()
	allToks := append(append([]string(nil), toks...), incToks...)
	var ref string
	for _, sh := range fzShapes {
		what := fmt.Sprintf("%s, %s", d.Name(), sh)
		p, err := q.Shape(sh).Plan()
		if err != nil {
			t.Fatalf("%s: %v\nquery: %s", what, err, desc)
		}
		if p.Shape == builder.ShapePipeline {
			var texts []string
			for i, st := range p.Statements {
				check(fmt.Sprintf("%s statement %d", what, i), st.SQL, st.Args)
				texts = append(texts, st.SQL)
			}
			kept(what, allToks, texts...)
		} else {
			check(what, p.SQL, p.Args)
			kept(what, allToks, p.SQL)
		}
		if d != dialects.SQLite {
			continue
		}
		got, err := q.Shape(sh).All(ctx, env.db)
		if err != nil {
			t.Fatalf("%s: does not run: %v\nSQL: %s\nargs: %#v\nquery: %s", what, err, p.SQL, p.Args, desc)
		}
		g := fzFragResult(got)
		if ref == "" {
			ref = fzFragReference(t, env, fq, desc)
		}
		if g != ref {
			t.Fatalf("%s: got %s\nthe fragments run by hand select %s\nSQL: %s\nargs: %#v\nquery: %s", what, g, ref, p.SQL, p.Args, desc)
		}
	}
	text, args, err := q.CountSql()
	if err != nil {
		t.Fatalf("%s count: %v\nquery: %s", d.Name(), err, desc)
	}
	check(d.Name()+" count", text, args)
	kept(d.Name()+" count", toks, text) // (an optional include does not count)
}

// fzFragResult lists the roots' ids and, with posts, their posts' ids.
func fzFragResult(users []User) string {
	var b strings.Builder
	for _, u := range users {
		fmt.Fprintf(&b, "%d", u.ID)
		if u.Posts != nil {
			b.WriteString("[")
			for i, p := range u.Posts {
				if i > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "%d", p.ID)
			}
			b.WriteString("]")
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// fzFragReference runs the fragments by hand on SQLite: the users they select (with the map
// filter and the page) and each one's posts.
func fzFragReference(t *testing.T, env *fzEnv, fq fzFragQuery, desc string) string {
	t.Helper()
	ids := func(query string, args ...any) []int64 {
		t.Helper()
		rows, err := env.db.Query(query, args...)
		if err != nil {
			t.Fatalf("by hand: %v\n%s %#v\nquery: %s", err, query, args, desc)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	text, args, _ := fq.root.render("sqlite")
	query := `SELECT "r"."id" FROM "users" AS "r" WHERE ` + strings.ReplaceAll(text, "{{self}}", `"r"`)
	if fq.eq {
		query += ` AND "r"."name" IN (?, ?, ?)`
		for _, n := range fzEqNames {
			args = append(args, n)
		}
	}
	query += ` ORDER BY "r"."id"`
	switch fq.limit {
	case 1:
		query += " LIMIT 2"
	case 2:
		query += " LIMIT 2000"
	}
	var users []User
	for _, id := range ids(query, args...) {
		u := User{ID: id}
		if fq.posts {
			u.Posts = []Post{}
			pq, pargs := `SELECT "p"."id" FROM "posts" AS "p" WHERE "p"."user_id" = ?`, []any{id}
			if fq.incFrag {
				itext, iargs, _ := fq.inc.render("sqlite")
				pq += " AND " + strings.ReplaceAll(itext, "{{self}}", `"p"`)
				pargs = append(pargs, iargs...)
			}
			for _, pid := range ids(pq+` ORDER BY "p"."id"`, pargs...) {
				u.Posts = append(u.Posts, Post{ID: pid})
			}
		}
		users = append(users, u)
	}
	return fzFragResult(users)
}

// fzSeedAtom describes one atom of a seed input (see fzDecodeFrag); texts are made of
// fzAlphabet's characters.
type fzSeedAtom struct {
	com     int
	comText string
	atom    int
	kind    int
	text    string
}

// fzFragSeed encodes a fragment query as the input fzDecodeFragQuery reads back.
func fzFragSeed(atoms []fzSeedAtom, tail int, tailText string, posts, incFrag, eq bool, limit int) []byte {
	var b []byte
	content := func(s string) {
		b = append(b, byte(len(s)))
		for i := 0; i < len(s); i++ {
			b = append(b, byte(strings.IndexByte(fzAlphabet, s[i])))
		}
	}
	frag := func(atoms []fzSeedAtom, tail int, tailText string) {
		b = append(b, byte(len(atoms)-1))
		for _, a := range atoms {
			b = append(b, byte(a.com))
			if a.com != fzComNone {
				content(a.comText)
			}
			b = append(b, byte(a.atom))
			if a.atom == fzAtomLit || a.atom == fzAtomLitBare || a.atom == fzAtomIdent {
				b = append(b, byte(a.kind))
			}
			if a.atom != fzAtomMark {
				content(a.text)
			}
			switch a.atom {
			case fzAtomMark:
				b = append(b, 0) // fzInts[0]
			case fzAtomLit:
				b = append(b, 0, 0) // fzStrings[0]
			}
			b = append(b, 0) // AND
		}
		b = append(b, byte(tail))
		if tail != fzComNone {
			content(tailText)
		}
	}
	frag(atoms, tail, tailText)
	flag := func(v bool) byte {
		if v {
			return 1
		}
		return 0
	}
	b = append(b, flag(posts))
	if posts {
		b = append(b, flag(incFrag))
		if incFrag {
			frag([]fzSeedAtom{{com: fzComLine, comText: "?", atom: fzAtomLit, kind: fzLitDollar, text: "?'"}, {atom: fzAtomMark}}, fzComNone, "")
		}
	}
	b = append(b, flag(eq), byte(limit))
	return b
}
