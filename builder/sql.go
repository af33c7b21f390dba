package builder

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/joinery/joinery/dialects"
)

// The SQL tree. Planners (flat.go, union.go, root.go, ...) build statements out of these
// nodes; one renderer (render.go) prints any of them: it quotes identifiers through the
// dialect and writes each placeholder together with its argument, so a statement's
// placeholders are numbered once, in text order, by construction.

// node is a piece of the SQL tree.
type node interface {
	render(r *renderer)
}

// kw is SQL joinery writes itself (keywords, operators, already quoted text): written as
// it is. It never holds a placeholder.
type kw string

func (k kw) render(r *renderer) { r.buf = append(r.buf, k...) }

// col is a column of a table alias: "t0"."id".
type col struct{ table, name string }

func (c col) render(r *renderer) {
	r.ident(c.table)
	r.buf = append(r.buf, '.')
	r.ident(c.name)
}

// colEq is a = b over two columns (one allocation for a link's key equality).
type colEq struct{ a, b col }

func (e *colEq) render(r *renderer) {
	e.a.render(r)
	r.buf = append(r.buf, " = "...)
	e.b.render(r)
}

// ident is one quoted identifier: a table, a CTE, an alias.
type ident string

func (i ident) render(r *renderer) { r.ident(string(i)) }

// arg is one placeholder and its argument; src says what the value is for (in errors).
type arg struct {
	v   any
	src string
}

func (a arg) render(r *renderer) { r.placeholder(a.v, a.src) }

// raw is SQL from the caller (a predicate rendered by package scope: squirrel's '?'
// placeholders, the dialect's comments and literals) with its arguments.
type raw struct {
	sql  string
	args []any
	src  string // what the fragment is (in errors about its values)
}

func (x raw) render(r *renderer) { r.raw(x.sql, x.args, x.src) }

// seq is nodes written one after another.
type seq []node

func (s seq) render(r *renderer) {
	for _, n := range s {
		n.render(r)
	}
}

// list is nodes separated by sep (", ", " AND ", " OR ").
type list struct {
	sep   string
	items []node
}

func (l list) render(r *renderer) {
	for i, n := range l.items {
		if i > 0 {
			r.buf = append(r.buf, l.sep...)
		}
		n.render(r)
	}
}

func commas(items []node) node { return list{", ", items} }

// aliased is an expression AS "alias".
type aliased struct {
	expr  node
	alias string
}

func (a aliased) render(r *renderer) {
	a.expr.render(r)
	r.buf = append(r.buf, " AS "...)
	r.ident(a.alias)
}

// eq is l = r.
func eq(l, r node) node { return seq{l, kw(" = "), r} }

// table is a table under an alias: "users" AS "t0".
type table struct{ name, alias string }

func (t table) render(r *renderer) {
	r.ident(t.name)
	r.buf = append(r.buf, " AS "...)
	r.ident(t.alias)
}

// derived is a subquery in FROM: [LATERAL ](SELECT ..) AS "alias".
type derived struct {
	lateral bool
	body    node
	alias   string
}

func (d derived) render(r *renderer) {
	if d.lateral {
		r.buf = append(r.buf, "LATERAL "...)
	}
	r.buf = append(r.buf, '(')
	d.body.render(r)
	r.buf = append(r.buf, ") AS "...)
	r.ident(d.alias)
}

// join is " KIND factor[ ON cond]".
type join struct {
	kind   string // LEFT JOIN, INNER JOIN, CROSS JOIN
	factor node
	on     []node // ANDed; none: no ON
}

func (j join) render(r *renderer) {
	r.buf = append(r.buf, ' ')
	j.body(r)
}

func (j join) body(r *renderer) {
	r.buf = append(r.buf, j.kind...)
	r.buf = append(r.buf, ' ')
	j.factor.render(r)
	if len(j.on) > 0 {
		r.buf = append(r.buf, " ON "...)
		list{" AND ", j.on}.render(r)
	}
}

// group is a parenthesised join group: (first JOIN .. ON ..).
type group struct {
	first node
	joins []join
}

func (g group) render(r *renderer) {
	r.buf = append(r.buf, '(')
	g.first.render(r)
	for _, j := range g.joins {
		j.render(r)
	}
	r.buf = append(r.buf, ')')
}

// selectStmt is one SELECT.
type selectStmt struct {
	with  *with
	items []node // select list (aliased expressions, columns, kw("1"))
	from  node
	joins []join
	where []node // ANDed
	group []node // GROUP BY
	order []node
	// limit and offset are written by limitClause's rules (see limits)
	limit *limits
}

func (s *selectStmt) render(r *renderer) {
	r.depth++
	defer func() { r.depth-- }()
	if s.with != nil {
		s.with.render(r)
	}
	r.buf = append(r.buf, "SELECT "...)
	list{", ", s.items}.render(r)
	r.clause("FROM ")
	s.from.render(r)
	for _, j := range s.joins {
		r.clause("")
		j.body(r)
	}
	if len(s.where) > 0 {
		r.clause("WHERE ")
		list{" AND ", s.where}.render(r)
	}
	if len(s.group) > 0 {
		r.clause("GROUP BY ")
		list{", ", s.group}.render(r)
	}
	if len(s.order) > 0 {
		r.clause("ORDER BY ")
		list{", ", s.order}.render(r)
	}
	if s.limit != nil {
		s.limit.render(r)
	}
}

// clause starts a clause of a SELECT after a space that the readable form (Plan.Readable)
// writes as a line break, indented by the statement's depth. Only a space becomes a line
// break, so the readable form is the statement with its white space changed (what
// sqlmock's QueryMatcherEqual ignores).
func (r *renderer) clause(kw string) {
	r.breakable()
	r.buf = append(r.buf, kw...)
}

// breakable writes a space and records it as a line break of the readable form
// (readableText).
func (r *renderer) breakable() {
	r.lines = append(r.lines, lineBreak{int32(len(r.buf)), int32(r.depth)})
	r.buf = append(r.buf, ' ')
}

// with is the WITH clause of one CTE: WITH "name" AS [MATERIALIZED ](body) . A CTE that
// several branches of one statement read is MATERIALIZED, so that it is computed once;
// a pipelined statement's is not (plain): PostgreSQL then folds a CTE read once into the
// statement (W2's second statement: 3.8 against 6.0 ms, the CTE's tuplestore skipped),
// and materializes one read more than often, as SQLite does.
type with struct {
	name  string
	body  node
	plain bool
}

func (w *with) render(r *renderer) {
	r.buf = append(r.buf, "WITH "...)
	r.ident(w.name)
	r.buf = append(r.buf, " AS "...)
	if r.f.MaterializedCTE && !w.plain {
		r.buf = append(r.buf, "MATERIALIZED "...)
	}
	r.buf = append(r.buf, '(')
	r.depth++
	w.body.render(r)
	r.depth--
	r.buf = append(r.buf, ')')
	r.breakable()
}

// unionAll is branches joined by UNION ALL, after an optional WITH clause.
type unionAll struct {
	with     *with
	branches []node
}

func (u *unionAll) render(r *renderer) {
	if u.with != nil {
		u.with.render(r)
	}
	for i, b := range u.branches {
		if i > 0 {
			r.breakable()
			r.buf = append(r.buf, "UNION ALL"...)
			r.breakable()
		}
		b.render(r)
	}
}

// limits is LIMIT/OFFSET in the dialect's spelling; values are arguments, at most
// math.MaxInt64 (what every database takes).
type limits struct {
	hasLimit      bool
	limit, offset any    // their arguments (offset nil: none)
	what          string // whose: "root User", `include "posts"`
}

func (l *limits) render(r *renderer) {
	switch {
	case l.hasLimit:
		r.clause("LIMIT ")
		r.placeholder(l.limit, l.what+" Limit")
	case l.offset != nil && r.f.UnboundedLimit != "":
		r.clause("LIMIT ")
		r.buf = append(r.buf, r.f.UnboundedLimit...)
	}
	if l.offset != nil {
		r.clause("OFFSET ")
		r.placeholder(l.offset, l.what+" Offset")
	}
}

// limitsOf is the LIMIT/OFFSET clause of a page, nil when there is none.
func limitsOf(hasLimit bool, limit, offset uint64, what string) *limits {
	if !hasLimit && offset == 0 {
		return nil
	}
	l := &limits{hasLimit: hasLimit, limit: capInt64(limit), what: what}
	if offset > 0 {
		l.offset = capInt64(offset)
	}
	return l
}

// exists is EXISTS (sub).
type exists struct{ sub *selectStmt }

func (e exists) render(r *renderer) {
	r.buf = append(r.buf, "EXISTS ("...)
	e.sub.render(r)
	r.buf = append(r.buf, ')')
}

// semiJoin is lhs IN (sub), or lhs = ANY(ARRAY(sub)) with array.
type semiJoin struct {
	lhs   node
	sub   node
	array bool
}

func (s semiJoin) render(r *renderer) {
	s.lhs.render(r)
	if s.array {
		r.buf = append(r.buf, " = ANY(ARRAY("...)
		s.sub.render(r)
		r.buf = append(r.buf, "))"...)
		return
	}
	r.buf = append(r.buf, " IN ("...)
	s.sub.render(r)
	r.buf = append(r.buf, ')')
}

// rowNumber is ROW_NUMBER() OVER ([PARTITION BY ..][ ORDER BY ..]).
type rowNumber struct {
	partition []node
	order     []node
}

func (w rowNumber) render(r *renderer) {
	r.buf = append(r.buf, "ROW_NUMBER() OVER ("...)
	if len(w.partition) > 0 {
		r.buf = append(r.buf, "PARTITION BY "...)
		list{", ", w.partition}.render(r)
		if len(w.order) > 0 {
			r.buf = append(r.buf, ' ')
		}
	}
	if len(w.order) > 0 {
		r.buf = append(r.buf, "ORDER BY "...)
		list{", ", w.order}.render(r)
	}
	r.buf = append(r.buf, ')')
}

// intLit is an integer written in the text (a branch number).
type intLit int

func (i intLit) render(r *renderer) { r.buf = strconv.AppendInt(r.buf, int64(i), 10) }

// renderer prints a tree: one buffer, identifiers quoted through the dialect, each
// placeholder written with its argument.
type renderer struct {
	d       dialects.Dialect
	f       dialects.Features
	rewrite bool                // the dialect spells placeholders itself ($1)
	appendQ quoteAppender       // the dialect, when it appends quoted identifiers itself
	appendP placeholderAppender // the dialect, when it appends placeholders itself
	buf     []byte
	args    []any
	sources []string        // what each argument is for
	depth   int             // how deep in nested SELECTs the renderer is
	seen    []seenArg       // the shared arguments written, with their numbers
	seenMap map[*shared]int // the same, once there are many (see seenNumber)
	cols    colTexts        // the plan columns' texts (colItems)
	lines   []lineBreak     // where the readable form breaks the text's lines (breakable)
	err     error
}

func newRenderer(d dialects.Dialect) *renderer {
	r, _ := renderers.Get().(*renderer)
	if r == nil {
		r = &renderer{}
	}
	r.d, r.f, r.rewrite = d, d.Features(), d.Placeholder(1) != "?"
	// (the interfaces, not method values: a method value is an allocation per renderer)
	r.appendQ, _ = d.(quoteAppender)
	r.appendP, _ = d.(placeholderAppender)
	return r
}

// quoteAppender and placeholderAppender are what a dialect may implement to write
// identifiers and placeholders into a buffer without a string of their own.
type quoteAppender interface {
	AppendQuote(dst []byte, ident string) []byte
}

type placeholderAppender interface {
	AppendPlaceholder(dst []byte, n int) []byte
}

func (r *renderer) ident(s string) { r.buf = r.appendIdent(r.buf, s) }

// appendIdent appends identifier s to dst, quoted through the dialect.
func (r *renderer) appendIdent(dst []byte, s string) []byte {
	if r.appendQ != nil {
		return r.appendQ.AppendQuote(dst, s)
	}
	return append(dst, r.d.Quote(s)...)
}

// seenArg is a shared argument written, and its number.
type seenArg struct {
	s *shared
	n int
}

// seenNumber returns the number of shared argument s, 0 when it is not written yet. Most
// statements share a few arguments, which a list finds fastest; a long IN list of them
// is looked up in a map.
func (r *renderer) seenNumber(s *shared) int {
	if r.seenMap != nil {
		return r.seenMap[s]
	}
	for _, a := range r.seen {
		if a.s == s {
			return a.n
		}
	}
	return 0
}

// seeArg records shared argument s as argument n.
func (r *renderer) seeArg(s *shared, n int) {
	if r.seenMap != nil {
		r.seenMap[s] = n
		return
	}
	r.seen = append(r.seen, seenArg{s, n})
	if len(r.seen) > 32 {
		r.seenMap = make(map[*shared]int, 2*len(r.seen))
		for _, a := range r.seen {
			r.seenMap[a.s] = a.n
		}
	}
}

// placeholder writes the placeholder of argument v: a shared argument written before
// reuses its number where the dialect numbers its parameters.
func (r *renderer) placeholder(v any, src string) {
	n := 0
	if s, ok := v.(*shared); ok {
		if k := r.seenNumber(s); k > 0 && r.f.NumberedParams {
			n = k
		} else {
			r.args = append(r.args, s.v)
			r.sources = append(r.sources, src)
			n = len(r.args)
			r.seeArg(s, n)
		}
	} else {
		r.args = append(r.args, v)
		r.sources = append(r.sources, src)
		n = len(r.args)
	}
	if r.appendP != nil {
		r.buf = r.appendP.AppendPlaceholder(r.buf, n)
		return
	}
	if r.rewrite {
		r.buf = append(r.buf, r.d.Placeholder(n)...)
		return
	}
	r.buf = append(r.buf, '?')
}

// rendered is a statement as the renderer wrote it.
type rendered struct {
	sql     string
	args    []any
	sources []string    // what each argument is for
	lines   []lineBreak // where its readable form breaks lines (readableText)
}

// statement renders a whole statement, or returns the first error (text and arguments
// disagreeing, too many parameters). It releases r.
func (r *renderer) statement(n node) (rendered, error) {
	defer r.release()
	n.render(r)
	if r.err != nil {
		return rendered{}, r.err
	}
	if max := r.f.MaxParams; max > 0 && len(r.args) > max {
		return rendered{}, tooMany(len(r.args), r.d)
	}
	// (the breaks go out with the text; the renderer's list serves the next statement)
	return rendered{string(r.buf), r.args, r.sources, slices.Clone(r.lines)}, nil
}

// renderers holds renderers between statements, with their text buffers: the text is
// copied out into its string, and the buffer, grown to the size of a statement, serves
// the next one. The arguments and their sources go out with the statement and are never
// reused.
var renderers sync.Pool

// maxPooled is the largest buffer kept for reuse.
const maxPooled = 64 << 10

// release clears r and gives it back to renderers; r is not used again.
func (r *renderer) release() {
	buf, t, lines := r.buf[:0], colTexts{nulls: r.cols.nulls[:0], refs: r.cols.refs[:0], ends: r.cols.ends[:0]}, r.lines[:0]
	if cap(buf) > maxPooled || cap(t.refs) > maxPooled {
		buf, t, lines = nil, colTexts{}, nil
	}
	seen := r.seen[:0]
	clear(r.seen)
	if cap(seen) > 256 {
		seen = nil
	}
	*r = renderer{buf: buf, cols: t, lines: lines, seen: seen}
	renderers.Put(r)
}

// render prints n as a statement for dialect d.
func render(n node, d dialects.Dialect) (string, []any, error) {
	st, err := newRenderer(d).statement(n)
	return st.sql, st.args, err
}

// renderPlan renders n as the statement of a plan for dialect d.
func renderPlan(n node, d dialects.Dialect) (rendered, error) {
	return newRenderer(d).statement(n)
}

// lineBreak is a space of a statement's text that its readable form writes as a line break
// and the indentation of a SELECT nested depth deep (see breakable).
type lineBreak struct{ at, depth int32 }

// readableText is a statement's text for people: each clause and each UNION ALL branch on a
// line of its own, nested SELECTs indented. The renderer recorded where (lines), so the
// plan keeps no tree to print it again.
func readableText(sql string, lines []lineBreak) string {
	for i, l := range lines {
		if int(l.at) >= len(sql) || sql[l.at] != ' ' || i > 0 && l.at <= lines[i-1].at {
			// the text is not the one rendered (a caller changed a plan's SQL): as it is
			return sql
		}
	}
	var b strings.Builder
	b.Grow(len(sql) + 8*len(lines))
	from := 0
	for _, l := range lines {
		b.WriteString(sql[from:l.at])
		b.WriteByte('\n')
		for i := int32(1); i < l.depth; i++ {
			b.WriteString("  ")
		}
		from = int(l.at) + 1
	}
	b.WriteString(sql[from:])
	return b.String()
}
