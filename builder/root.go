package builder

import (
	"strconv"

	sq "github.com/Masterminds/squirrel"
)

type rootMode int

const (
	modeSub   rootMode = iota // the limited roots of a statement with to-many includes
	modeCount                 // SELECT COUNT(*) of the roots
	modePage                  // the limited roots' keys and link columns (a UNION ALL's page)
)

// rootWhere is the root's conditions: default scope, filters and keyset cursor, ANDed.
// used collects the included nodes the filters name by path; nil allows any (the flat
// statement joins them all). Rendered once per statement (see memo).
func (b *builder) rootWhere(used map[*bnode]bool, terms []term) ([]node, error) {
	n, err := b.rootCond.once(func() (node, error) { return b.renderRootWhere(terms) })
	if err != nil {
		return nil, err
	}
	if used != nil {
		for _, n := range b.nodes[1:] { // (in tree order: the same error every time)
			if !b.rootUsed[n] {
				continue
			}
			if !toOne(n) {
				return nil, qErr("root where names %q, a to-many include, in a query with Limit/Offset or Count: filter with a Required include and its Where instead", n.path)
			}
			used[n] = true
		}
	}
	if n == nil {
		return nil, nil
	}
	return []node{n}, nil
}

func (b *builder) renderRootWhere(terms []term) (node, error) {
	var parts []node
	if !b.query.Unscoped {
		s, a, err := b.query.Model.DefaultScope().Render(b.resolver(b.root, false))
		if err != nil {
			return nil, wrapQ("default scope of "+b.query.Model.Name(), err)
		}
		if s != "" {
			parts = append(parts, raw{s, shareArgs(a), "default scope of " + b.query.Model.Name()})
		}
	}
	b.rootUsed = cleared(b.rootUsed)
	for _, p := range b.query.Where {
		r := b.resolver(b.root, true)
		r.used = b.rootUsed
		n, err := b.preds([]sq.Sqlizer{p}, r, b.root, "")
		if err != nil {
			return nil, err
		}
		parts = append(parts, n)
	}
	for _, n := range b.nodes[1:] {
		if b.rootUsed[n] {
			if l := limitedOnPath(n); l != nil {
				return nil, qErr("root where names %q, under %s, which is limited per parent: the statement shapes would filter by different rows; filter with the include's Where instead", n.path, where(l))
			}
		}
	}
	if len(b.query.After) > 0 {
		k, err := b.keyset(terms)
		if err != nil {
			return nil, err
		}
		parts = append(parts, k)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return list{" AND ", parts}, nil
}

// firstValue is what a root is ordered by for an order term on a to-many include's column:
// the first of its rows' values in the term's order, as the flat JOIN has them. That is
// the extreme of the values (MIN for ASC, MAX for DESC); but where NULLs sort first, NULL
// when any of the root's rows has none: a NULL in the column, or a level of the path
// without children (the LEFT JOIN's row of NULLs).
func (b *builder) firstValue(t term) (node, error) {
	extreme, err := b.chain(t.n, t.extreme())
	if err != nil {
		return nil, err
	}
	if !b.nullsFirst(t) {
		return paren{extreme}, nil
	}
	// the root's rows as the flat JOIN makes them: one row to start from, each level of the
	// path LEFT JOINed
	path := pathTo(t.n)
	rows := &selectStmt{items: []node{kw("1")}, from: derived{body: kw("SELECT 1"), alias: b.oneAlias},
		where: []node{seq{t.col, kw(" IS NULL")}}}
	start := b.root.alias
	if b.d.Features().Distributed {
		// a distributed database rejects a subquery without FROM in a correlated subquery:
		// start from the root's own row, by its key
		start = b.newAlias()
		rows.from = b.table(b.query.Model.Table(), start)
		for _, k := range b.root.pk {
			rows.where = append(rows.where, b.eqs.new(colEq{col{start, k}, col{b.root.alias, k}}))
		}
	}
	for i, x := range path {
		f, err := b.plainFactor(x)
		if err != nil {
			return nil, err
		}
		parent := x.parent.alias
		if i == 0 {
			parent = start
		}
		on, err := b.outerCondOn(x, parent)
		if err != nil {
			return nil, err
		}
		var next *bnode
		if i+1 < len(path) {
			next = path[i+1]
		}
		if on, err = b.requiredExists(on, x, next); err != nil {
			return nil, err
		}
		rows.joins = append(rows.joins, join{"LEFT JOIN", f, on})
	}
	return seq{kw("CASE WHEN "), exists{rows}, kw(" THEN NULL ELSE "), paren{extreme}, kw(" END")}, nil
}

// pathTo is the path from the root's child down to n (n included).
func pathTo(n *bnode) []*bnode {
	var path []*bnode
	for x := n; x.parent != nil; x = x.parent {
		path = append([]*bnode{x}, path...)
	}
	return path
}

// extreme is the first of a to-many term's values in its direction: MIN(col) ascending,
// MAX(col) descending.
func (t term) extreme() node {
	if t.desc {
		return seq{kw("MAX("), t.col, kw(")")}
	}
	return seq{kw("MIN("), t.col, kw(")")}
}

// nullsFirst reports whether t puts NULLs first: its NULLS FIRST/LAST, else the dialect's
// default for its direction.
func (b *builder) nullsFirst(t term) bool {
	if t.nulls != "" {
		return t.nulls == "FIRST"
	}
	return !t.desc != b.d.Features().NullsHigh
}

// firstByGroup reports whether the roots' first values by to-many order terms come from
// grouped derived tables (firstGrouped) rather than a correlated subquery per root
// (firstValue): when every root is a candidate for the page (no where, default scope,
// cursor or required include), whose subqueries would each read their root's rows, and the
// database is not distributed. With a filter the candidates may be few, and their
// subqueries read their rows only (bench/: a grouped table reads the whole association).
func (b *builder) firstByGroup(terms []term) (bool, error) {
	if b.d.Features().Distributed {
		return false, nil
	}
	for _, c := range b.root.children {
		if c.opts.Required {
			return false, nil
		}
	}
	w, err := b.rootWhere(nil, terms)
	return len(w) == 0, err
}

// firstGrouped is firstValue as a grouped derived table LEFT JOINed to the roots, and the
// value it gives each root:
//
//	LEFT JOIN (SELECT p1.fk AS k0, MIN(pn.col) AS v FROM <p1> INNER JOIN <p2> ON .. <pn>
//	WHERE <p1's filters> GROUP BY p1.fk) AS g ON g.k0 = root.pk  ...  g.v
//
// Where NULLs sort first, the levels are LEFT JOINed and a group with a NULL in the column
// or a level without children (a row of NULLs) gives NULL: CASE WHEN COUNT(*) >
// COUNT(pn.col) THEN NULL ELSE MIN(pn.col) END. A root without rows on the path has no
// row in the table: NULL, as in the flat JOIN.
func (b *builder) firstGrouped(t term) (join, node, error) {
	path := pathTo(t.n)
	nullsFirst := b.nullsFirst(t)
	kind := "INNER JOIN"
	if nullsFirst {
		kind = "LEFT JOIN"
	}
	sub := &selectStmt{}
	for i, x := range path {
		f, err := b.plainFactor(x)
		if err != nil {
			return join{}, nil, err
		}
		var next *bnode
		if i+1 < len(path) {
			next = path[i+1]
		}
		if i == 0 {
			// (its link to the root is the grouping)
			p, err := b.linkedPreds(x)
			if err != nil {
				return join{}, nil, err
			}
			sub.from = f
			if sub.where, err = b.requiredExists(appendNode(nil, p), x, next); err != nil {
				return join{}, nil, err
			}
			continue
		}
		on, err := b.outerCond(x)
		if err != nil {
			return join{}, nil, err
		}
		if on, err = b.requiredExists(on, x, next); err != nil {
			return join{}, nil, err
		}
		sub.joins = append(sub.joins, join{kind, f, on})
	}
	alias := b.newAlias()
	on, err := b.groupByLink(sub, path[0], alias)
	if err != nil {
		return join{}, nil, err
	}
	v := t.extreme()
	if nullsFirst {
		v = seq{kw("CASE WHEN COUNT(*) > COUNT("), t.col, kw(") THEN NULL ELSE "), v, kw(" END")}
	}
	sub.items = append(sub.items, aliased{v, "v"})
	return join{"LEFT JOIN", derived{body: sub, alias: alias}, on}, b.col(alias, "v"), nil
}

// limitedOnPath is the include on the path from the root to n (n included) that is limited
// per parent, or nil.
func limitedOnPath(n *bnode) *bnode {
	for ; n.assoc != nil; n = n.parent {
		if n.opts.HasLimit {
			return n
		}
	}
	return nil
}

// exists is a required include as EXISTS (SELECT 1 FROM <its factor> WHERE <its join
// condition>): the factor brings its required descendants along.
func (b *builder) exists(n *bnode) (node, error) {
	if n.opts.HasLimit {
		return nil, qErr("%s: a required include with a per-include Limit cannot filter the roots", where(n))
	}
	f, err := b.factor(n, "", false)
	if err != nil {
		return nil, err
	}
	c, err := b.outerCond(n)
	if err != nil {
		return nil, err
	}
	return exists{&selectStmt{items: []node{kw("1")}, from: f, where: c}}, nil
}

// chain is FROM <p1> INNER JOIN <p2> ON .. down to n (p1 a child of the root) with the
// condition linking p1 to the root, as the body of a correlated subquery over a to-many
// path selecting items.
func (b *builder) chain(n *bnode, items ...node) (*selectStmt, error) {
	path := pathTo(n)
	st := &selectStmt{items: items}
	for i, x := range path {
		f, err := b.plainFactor(x)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			st.from = f
			continue
		}
		c, err := b.outerCond(x)
		if err != nil {
			return nil, err
		}
		st.joins = append(st.joins, join{"INNER JOIN", f, c})
	}
	c, err := b.outerCond(path[0])
	if err != nil {
		return nil, err
	}
	st.where = c
	// a path node exists in the statement only with its required children
	for i, x := range path {
		var next *bnode
		if i+1 < len(path) {
			next = path[i+1]
		}
		if st.where, err = b.requiredExists(st.where, x, next); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// requiredExists appends EXISTS (...) to conds for each required child of x but skip: the
// condition under which x appears in the statement at all.
func (b *builder) requiredExists(conds []node, x, skip *bnode) ([]node, error) {
	for _, c := range x.children {
		if c == skip || !c.opts.Required {
			continue
		}
		e, err := b.exists(c)
		if err != nil {
			return nil, err
		}
		conds = append(conds, e)
	}
	return conds, nil
}

// plainFactor is n's table (for a BelongsToMany, its join group) without its children.
func (b *builder) plainFactor(n *bnode) (node, error) {
	if n.jalias == "" {
		return b.table(n.model.Table(), n.alias), nil
	}
	j, err := b.targetJoin(n)
	if err != nil {
		return nil, err
	}
	return group{b.table(n.assoc.ThroughTable, n.jalias), []join{j}}, nil
}

// targetJoin joins a BelongsToMany's target to its join table, with the target's filters.
func (b *builder) targetJoin(n *bnode) (join, error) {
	s, err := b.targetPreds(n)
	if err != nil {
		return join{}, err
	}
	return join{"INNER JOIN", b.table(n.model.Table(), n.alias), appendNode(b.on(targetLink(n), n.jalias), s)}, nil
}

// rootQuery is the root-level statement: the roots with every column (modeSub), the columns
// cols of the roots (modePage) or their count (modeCount), under the query's limit. For
// modeSub and modePage it returns the ORDER BY terms of the roots outside it, and the terms
// ordering the to-many children an order term names.
func (b *builder) rootQuery(terms []term, mode rootMode, cols ...string) (st *selectStmt, outerOrder, childOrder []node, err error) {
	used := map[*bnode]bool{}
	st = &selectStmt{from: b.table(b.query.Model.Table(), b.root.alias)}
	// order terms on to-one paths join inside; to-many paths become MIN/MAX subqueries
	var exposed []node // inner select expressions "expr AS o"
	var grouped []join // computed values as grouped derived tables
	pageCols := map[*computed]string{}
	var innerOrder []node
	limited := mode == modeSub || mode == modePage
	if limited {
		for i, t := range terms {
			switch {
			case t.n == b.root && t.expr != nil:
				// a computed value: selected inside, ordered by its name outside. An aggregate
				// is needed for every candidate root before the limit keeps a page: one
				// grouped derived table, read once, instead of a subquery per root
				o := b.orderCol(i)
				e := t.expr
				if t.cv.agg != nil {
					j, g, err := b.grouped(t.cv)
					if err != nil {
						return nil, nil, nil, err
					}
					grouped = append(grouped, j)
					e = g
					if mode == modeSub {
						pageCols[t.cv] = o
					}
				}
				exposed = append(exposed, aliased{e, o})
				innerOrder = append(innerOrder, t.by(ident(o)))
				outerOrder = append(outerOrder, t.by(b.col(b.root.alias, o)))
			case t.n == b.root:
				innerOrder = append(innerOrder, t.order())
				outerOrder = append(outerOrder, t.order())
			case t.childOnly:
				// (a to-one include has one row per root: nothing to order)
				if !toOne(t.n) {
					childOrder = append(childOrder, t.order())
				}
			case toOne(t.n):
				used[t.n] = true
				o := b.orderCol(i)
				exposed = append(exposed, aliased{t.col, o})
				innerOrder = append(innerOrder, t.by(ident(o)))
				outerOrder = append(outerOrder, t.by(b.col(b.root.alias, o)))
			default:
				o := b.orderCol(i)
				var first node
				byGroup, err := b.firstByGroup(terms)
				if err != nil {
					return nil, nil, nil, err
				}
				if byGroup {
					// every root is a candidate: one grouped derived table read once,
					// instead of a subquery per root
					j, v, err := b.firstGrouped(t)
					if err != nil {
						return nil, nil, nil, err
					}
					grouped = append(grouped, j)
					first = v
				} else if first, err = b.firstValue(t); err != nil {
					return nil, nil, nil, err
				}
				exposed = append(exposed, aliased{first, o})
				innerOrder = append(innerOrder, t.by(ident(o)))
				outerOrder = append(outerOrder, t.by(b.col(b.root.alias, o)))
				childOrder = append(childOrder, t.order())
			}
		}
		tie := b.pkTiebreak(terms)
		innerOrder = append(innerOrder, tie...)
		outerOrder = append(outerOrder, tie...)
		if mode == modeSub && b.d.Features().Distributed {
			// every aggregate of the roots comes with the page: a distributed database
			// rejects the correlated subquery that would read it beside the page (a CTE or
			// a subquery in FROM)
			for i, cv := range b.root.computed {
				if cv.agg == nil || pageCols[cv] != "" {
					continue
				}
				j, g, err := b.grouped(cv)
				if err != nil {
					return nil, nil, nil, err
				}
				o := pick("jr_c"+strconv.Itoa(i), b.taken)
				grouped = append(grouped, j)
				exposed = append(exposed, aliased{g, o})
				pageCols[cv] = o
			}
		}
	}
	if st.where, err = b.rootWhere(used, terms); err != nil {
		return nil, nil, nil, err
	}
	// required root includes filter the roots
	if st.where, err = b.requiredExists(st.where, b.root, nil); err != nil {
		return nil, nil, nil, err
	}
	switch mode {
	case modeCount:
		st.items = []node{kw("COUNT(*)")}
	default:
		if mode == modeSub {
			cols = cols[:0]
			for _, a := range b.query.Model.Attrs() {
				cols = append(cols, a.Column)
			}
		}
		for _, c := range cols {
			st.items = append(st.items, b.col(b.root.alias, c))
		}
		st.items = append(st.items, exposed...)
		// the aggregates the roots are ordered by come with them, and the statement reads
		// them from here (selCol.pageCol) rather than computing them again. (The others
		// stay subqueries, computed for the page's roots only: grouped, they would read the
		// whole association however few roots the filters leave.)
		for cv, o := range pageCols {
			b.selCols[cv.column].pageCol = o
		}
	}
	// to-one includes named by root filters or order terms
	if st.joins, err = b.toOneJoins(used); err != nil {
		return nil, nil, nil, err
	}
	st.joins = append(st.joins, grouped...)
	if limited && b.query.paged() {
		// (the roots of a WITH clause that only shares the root's conditions need no order)
		st.order = innerOrder
		st.limit = b.query.limits(where(b.root))
	}
	return st, outerOrder, childOrder, nil
}

// paren is (n).
type paren struct{ n node }

func (p paren) render(r *renderer) {
	r.buf = append(r.buf, '(')
	p.n.render(r)
	r.buf = append(r.buf, ')')
}

// toOneJoins LEFT JOINs the to-one includes in set, with their ancestors, in pre-order, into a
// statement over the root table alone (the root subquery, the root's branch), each existing
// only with its required children as in the full statement.
func (b *builder) toOneJoins(set map[*bnode]bool) ([]join, error) {
	for n := range set {
		for x := n.parent; x != nil && x != b.root; x = x.parent {
			set[x] = true
		}
	}
	var out []join
	for _, n := range b.nodes[1:] {
		if !set[n] {
			continue
		}
		c, err := b.outerCond(n)
		if err != nil {
			return nil, err
		}
		if c, err = b.requiredExists(c, n, nil); err != nil {
			return nil, err
		}
		f, err := b.plainFactor(n)
		if err != nil {
			return nil, err
		}
		out = append(out, join{"LEFT JOIN", f, c})
	}
	return out, nil
}
