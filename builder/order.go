package builder

import (
	"slices"
	"strings"
)

// term is a parsed order term.
type term struct {
	n       *bnode // the node whose table holds the column
	through bool   // the column is on n's join table
	col     col    // the column
	attr    string // attribute name
	text    string // the term as written
	dir     string // "", " ASC", " DESC"
	desc    bool
	nulls   string // "", "FIRST", "LAST"
	native  bool   // the dialect spells NULLS FIRST/LAST itself
	// childOnly: a term on an include's column after terms that already order the roots
	// totally (their primary key): it cannot change the order of the roots, only that of
	// the include's rows under each root
	childOnly bool
	// expr is the term's expression when it names a computed value (col is then unset),
	// cv the value
	expr node
	cv   *computed
}

// by is the term applied to expr: "expr DESC", with NULLS FIRST/LAST native where the
// dialect has it and emulated ("expr IS NULL DESC, expr DESC") where it does not (expr,
// and its arguments, written twice).
func (t term) by(expr node) node {
	switch {
	case t.nulls == "":
		return seq{expr, kw(t.dir)}
	case t.native:
		return seq{expr, kw(t.dir + " NULLS " + t.nulls)}
	case t.nulls == "FIRST":
		return seq{expr, kw(" IS NULL DESC, "), expr, kw(t.dir)}
	default:
		return seq{expr, kw(" IS NULL, "), expr, kw(t.dir)}
	}
}

// order is the term over its own column (or computed value).
func (t term) order() node {
	if t.expr != nil {
		return t.by(t.expr)
	}
	return t.by(&t.col)
}

func (b *builder) parseTerm(n *bnode, text string, paths bool) (term, error) {
	f := strings.Fields(text)
	if len(f) == 0 {
		return term{}, qErr("%s: empty order term", where(n))
	}
	t := term{n: n, text: text}
	rest := f[1:]
	if len(rest) > 0 {
		switch strings.ToUpper(rest[0]) {
		case "ASC", "DESC":
			t.dir = " " + strings.ToUpper(rest[0])
			t.desc = t.dir == " DESC"
			rest = rest[1:]
		}
	}
	if len(rest) == 2 && strings.EqualFold(rest[0], "NULLS") && (strings.EqualFold(rest[1], "FIRST") || strings.EqualFold(rest[1], "LAST")) {
		t.nulls, t.native = strings.ToUpper(rest[1]), b.d.Features().NullsOrdering
		rest = nil
	}
	if len(rest) > 0 {
		return term{}, qErr("%s: bad order term %q: want \"column\", \"column ASC\" or \"column DESC\" (optionally NULLS FIRST|LAST)", where(n), text)
	}
	if cv := computedByName(n, f[0]); cv != nil {
		e, err := b.computedExpr(n, cv)
		if err != nil {
			return term{}, err
		}
		t.expr, t.attr, t.cv = e, f[0], cv
		return t, nil
	}
	if paths && strings.Contains(f[0], ".") {
		i := strings.LastIndexByte(f[0], '.')
		if target, err := b.byPath(f[0][:i]); err == nil && !target.through && computedByName(target.n, f[0][i+1:]) != nil {
			return term{}, qErr("order term %q names a value computed for the rows of %s: order the include by it (Order)", text, where(target.n))
		}
	}
	r := b.resolver(n, paths)
	c, err := r.column(f[0])
	if err != nil {
		return term{}, err
	}
	t.col, t.attr = c, f[0]
	if r.last != nil {
		t.n, t.through = r.last.n, r.last.through
		t.attr = f[0][strings.LastIndexByte(f[0], '.')+1:]
	}
	return t, nil
}

// rootTerms parses the root order terms, and checks every include's own order terms and
// filters (an include that loads nothing, FilterOnly, is not ordered by any shape, but its
// terms and filters are still checked, so every shape accepts or refuses the same query).
func (b *builder) rootTerms() ([]term, error) {
	var out []term
	for _, t := range b.query.OrderBy {
		pt, err := b.parseTerm(b.root, t, true)
		if err != nil {
			return nil, err
		}
		if l := limitedOnPath(pt.n); l != nil && pt.n != b.root {
			return nil, qErr("order term %q names a column under %s, which is limited per parent: the statement shapes would order by different rows; order the include itself (Order) instead", t, where(l))
		}
		out = append(out, pt)
	}
	markChildOnly(out, b.root)
	for _, n := range b.nodes[1:] {
		if _, err := b.ownOrder(n); err != nil {
			return nil, err
		}
		// (its filters too: rendered once, whichever shape writes them)
		if _, err := b.outerCond(n); err != nil {
			return nil, err
		}
		if _, err := b.targetPreds(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// markChildOnly marks the terms on includes that come after the root's primary key: the
// roots are ordered totally before them (OrderBy("id", "posts.id") orders the roots by id
// and each root's posts by id), so no shape computes them per root.
func markChildOnly(terms []term, root *bnode) {
	need := len(root.pk)
	var seen []string
	for i := range terms {
		t := &terms[i]
		if need == 0 {
			t.childOnly = t.n != root
			continue
		}
		if t.n == root && !t.through && slices.Contains(root.pk, t.col.name) && !slices.Contains(seen, t.col.name) {
			seen = append(seen, t.col.name)
			need--
		}
	}
}

// ownOrder is n's own order terms (Order on its include).
func (b *builder) ownOrder(n *bnode) ([]node, error) {
	var out []node
	for _, o := range n.opts.Order {
		t, err := b.parseTerm(n, o, false)
		if err != nil {
			return nil, err
		}
		out = append(out, t.order())
	}
	return out, nil
}

// includesOrder is every include's own order, in pre-order of the tree.
func (b *builder) includesOrder() ([]node, error) {
	var out []node
	for _, n := range b.nodes[1:] {
		o, err := b.ownOrder(n)
		if err != nil {
			return nil, err
		}
		out = append(out, o...)
	}
	return out, nil
}

// includeOrder is n's own order terms followed by its primary key, so a limit per parent
// picks the same rows every time.
func (b *builder) includeOrder(n *bnode) ([]node, error) {
	var out []node
	var seen []col
	for _, o := range n.opts.Order {
		t, err := b.parseTerm(n, o, false)
		if err != nil {
			return nil, err
		}
		out = append(out, t.order())
		seen = append(seen, t.col)
	}
	for _, k := range n.pk {
		if c := (col{n.alias, k}); !containsCol(seen, c) {
			out = append(out, b.col(c.table, c.name))
		}
	}
	return out, nil
}

// pkTiebreak lists the root's primary-key columns the order terms do not already name, so a
// paged order is total.
func (b *builder) pkTiebreak(terms []term) []node {
	var seen []col
	for _, t := range terms {
		if t.n == b.root {
			seen = append(seen, t.col)
		}
	}
	var out []node
	for _, k := range b.root.pk {
		if c := (col{b.root.alias, k}); !containsCol(seen, c) {
			out = append(out, b.col(c.table, c.name))
		}
	}
	return out
}

func containsCol(cols []col, c col) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}

// toOne reports whether the path from the root to n has only to-one associations.
func toOne(n *bnode) bool {
	for ; n.assoc != nil; n = n.parent {
		if n.assoc.Many() {
			return false
		}
	}
	return true
}
