package builder

import (
	"errors"
	"strconv"
	"strings"

	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

// Shape is the form of the statement an include tree compiles to.
type Shape int

const (
	// ShapeAuto picks per tree: the UNION ALL of branches for a tree with includes, the flat
	// JOIN where the tree uses something only the flat JOIN expresses (filtering the roots by
	// an included column) and for streaming.
	ShapeAuto Shape = iota
	// ShapeFlat is one row per path through the tree: LEFT/INNER JOINs.
	ShapeFlat
	// ShapeUnion is a UNION ALL with one branch per node of the tree: each row carries a
	// branch tag, its own node's columns and the key linking it to its parent, so nothing is
	// multiplied and each object's columns are sent once per parent.
	ShapeUnion
	// ShapePipeline is the UNION ALL's branches as statements of their own (Plan.Statements),
	// one per node of the tree, each a semi-join on the root filter and ordered by its own
	// ORDER BY: a driver that pipelines them (joinery/pgx, a batch in one round trip, in one
	// REPEATABLE READ transaction) sends and receives them at once; over database/sql they run
	// one after another (one round trip each: run them in a transaction for one snapshot).
	ShapePipeline
)

// String names the shape: "auto", "flat" or "union".
func (s Shape) String() string {
	switch s {
	case ShapeFlat:
		return "flat"
	case ShapeUnion:
		return "union"
	case ShapePipeline:
		return "pipeline"
	}
	return "auto"
}

// errNoUnion says why a tree cannot be a UNION ALL of branches.
var errNoUnion = errors.New("builder: the UNION ALL shape cannot express this query")

const (
	branchCol  = "jb" // the branch tag
	ordinalCol = "jo" // the row's ordinal in its branch's order
)

// unionable reports why the tree needs the flat shape, or nil.
func (b *builder) unionable(terms []term) error {
	for _, n := range b.nodes[1:] {
		if n.opts.HasLimit {
			if err := limitable(n); err != nil {
				return err
			}
		}
	}
	// root filters naming included columns
	used := map[*bnode]bool{}
	for _, p := range b.query.Where {
		r := b.resolver(b.root, true)
		r.used = used
		if _, _, err := scope.Render(p, r); err != nil {
			return qErr("root where: %v", err)
		}
	}
	if len(used) > 0 {
		return qErr("%w: the root filter names an included column", errNoUnion)
	}
	return nil
}

// wantsUnion: any include. A flat JOIN repeats a to-many include's rows for every row of a
// sibling or descendant to-many, and every row repeats its ancestors' columns; a to-one
// target in its own branch is sent once, however many parents share it (measured in bench/:
// the UNION ALL shape is at least as fast on every workload there, to-one chains included).
func (b *builder) wantsUnion() bool {
	for _, n := range b.nodes[1:] {
		if !n.opts.FilterOnly {
			return true
		}
	}
	return false
}

// colOf returns the index in n's hydrate columns of tableAlias.column, selecting it (not
// reported) when the query does not already, with kind k when the existing one differs.
func (b *builder) colOf(n *bnode, tableAlias, column string, k hydrate.Kind) int {
	for i, c := range b.plan.Columns {
		if c.node == n && c.Table == tableAlias && c.Column == column {
			for j, hc := range n.hnode.Cols {
				if hc.Column == b.plan.Columns[i].Alias && hc.Kind == k {
					return j
				}
			}
		}
	}
	return b.addCol(n, tableAlias, column, pathOf(n.path, column), hydrate.Col{Kind: k}, false)
}

// attrKind is the scan kind of column col of model m (Any when m is nil, a plain join table).
func attrKind(m *include.Model, col string) hydrate.Kind {
	if m == nil {
		return hydrate.Any
	}
	a, ok := m.Attr(col)
	if !ok {
		return hydrate.Any
	}
	if a.Field != nil {
		return hydrate.KindOf(a.Field.Type)
	}
	return hydrate.Kind(a.Type)
}

// link describes how a node's rows attach to its parent's: childCol on the node's table (or
// join table) equals parentCol on the parent's table.
type link struct {
	childAlias, childCol string
	parentCol            string
	kind                 hydrate.Kind
}

func (b *builder) linkOf(n *bnode) link {
	a, p := n.assoc, n.parent
	switch a.Kind {
	case include.BelongsTo:
		k := attrKind(p.model, a.ForeignKey)
		if k == hydrate.Any {
			k = attrKind(n.model, a.TargetKey)
		}
		return link{n.alias, a.TargetKey, a.ForeignKey, k}
	case include.BelongsToMany:
		return link{n.jalias, a.ForeignKey, a.SourceKey, attrKind(p.model, a.SourceKey)}
	}
	k := attrKind(p.model, a.SourceKey)
	if k == hydrate.Any {
		k = attrKind(n.model, a.ForeignKey)
	}
	return link{n.alias, a.ForeignKey, a.SourceKey, k}
}

// union writes the UNION ALL of branches, or (pipeline) each branch as a statement of its own,
// with the part of the result it returns.
func (b *builder) union(terms []term, pipeline bool) (*frag, []*frag, []hydrate.Part, error) {
	// branches, in pre-order; filter-only includes filter through EXISTS and load nothing
	var branches []*bnode
	for _, n := range b.nodes {
		if n.opts.FilterOnly {
			continue
		}
		n.hnode.Branch = len(branches)
		branches = append(branches, n)
	}
	for _, n := range branches[1:] {
		l := b.linkOf(n)
		ci := b.colOf(n, l.childAlias, l.childCol, l.kind)
		var pi int
		if !n.assoc.SourceScope.Empty() {
			// the parent links only where its side of the association holds (a polymorphic
			// belongsTo's type test): the link is NULL elsewhere
			p := n.parent
			s, sa, err := b.sourcePreds(n)
			if err != nil {
				return nil, nil, nil, err
			}
			pi = b.addCol(p, p.alias, l.parentCol, pathOf(p.path, l.parentCol), hydrate.Col{Kind: l.kind}, false)
			c := &b.plan.Columns[len(b.plan.Columns)-1]
			c.expr = "CASE WHEN " + s + " THEN " + b.q(p.alias) + "." + b.q(l.parentCol) + " END"
			c.exprArgs = sa
		} else {
			pi = b.colOf(n.parent, n.parent.alias, l.parentCol, l.kind)
		}
		n.hnode.Link, n.hnode.ParentLink = []int{ci}, []int{pi}
	}
	// Each ordered branch numbers its rows (ROW_NUMBER() over its order) into the ordinal
	// column; the hydrator orders roots and children by it. The statement itself has no
	// ORDER BY: sorting the whole UNION (wide rows, mostly NULLs) costs more than the rest.
	ords := map[*bnode]*frag{}
	rootOrd := &frag{}
	// root order terms: root columns as they are; an included to-one column joined into the
	// root's branch; an included to-many column as the first child's value (MIN for ASC, MAX
	// for DESC), its children then ordered by it within their branch: the order a flat JOIN
	// gives
	childOrder := map[*bnode][]string{}
	rootJoins := map[*bnode]bool{}
	sep := func(f *frag) {
		if f.Len() > 0 {
			f.add(", ")
		}
	}
	for _, t := range terms {
		sep(rootOrd)
		switch {
		case t.n == b.root:
			rootOrd.add(t.sql(t.col))
		case toOne(t.n):
			rootJoins[t.n] = true
			rootOrd.add(t.sql(t.col))
		default:
			agg := "MIN"
			if t.desc {
				agg = "MAX"
			}
			sub := &frag{}
			sub.add("(SELECT " + agg + "(" + t.col + ")")
			if err := b.chain(sub, t.n); err != nil {
				return nil, nil, nil, err
			}
			sub.add(")")
			var args []any
			for k := 0; k < t.uses(); k++ {
				args = append(args, sub.args...)
			}
			rootOrd.add(t.sql(sub.String()), args...)
			childOrder[t.n] = append(childOrder[t.n], t.sql(t.col))
		}
	}
	// Under a root limit the page of roots is computed once, in the WITH clause (page). A
	// small page holds the roots' columns and the root's branch reads it (one sort of the
	// roots: W4, W5); a large one holds only the keys the other branches link by, and the
	// root's branch reads the limited scan itself (a wide page materialized and read again
	// costs more than a second scan: W2, 10,000 roots). Pipelined statements share nothing:
	// the root's reads the limited scan, the others a page of keys.
	//
	// Every branch filters by the root's conditions. Where the dialect cannot refer to an
	// argument twice they are sent once per branch; when that passes the dialect's limit
	// (an IN list of 20,000 values, three branches: 60,000 parameters) the roots go in the
	// WITH clause, as a small page does, and the branches read them there. Not always: on
	// MariaDB the WITH form of that IN list took 12 s against 0.5 s repeated.
	share := false
	if b.query.shareRoots && !pipeline && len(branches) > 1 {
		cond, err := b.membership(b.root, terms)
		if err != nil {
			return nil, nil, nil, err
		}
		share = len(cond.args) > 0
	}
	limited := b.query.HasLimit || b.query.Offset > 0
	b.paged = limited || share
	var page, rootSub *frag
	if b.paged {
		page, rootSub = &frag{}, &frag{}
		var outer []string
		var err error
		if (b.query.HasLimit && b.query.Limit <= arraysUpTo || share) && !pipeline {
			outer, _, err = b.rootQuery(page, terms, modeSub)
			rootSub.add(b.q(b.pageCTE) + " AS " + b.q(b.root.alias))
		} else {
			if _, _, err = b.rootQuery(page, terms, modePage, b.pageColumns(branches)...); err != nil {
				return nil, nil, nil, err
			}
			rootSub.add("(")
			outer, _, err = b.rootQuery(rootSub, terms, modeSub)
			rootSub.add(") AS " + b.q(b.root.alias))
		}
		if err != nil {
			return nil, nil, nil, err
		}
		rootOrd = &frag{}
		if limited || len(terms) > 0 {
			rootOrd.add(strings.Join(outer, ", "))
			ords[b.root] = rootOrd
		}
	} else if rootOrd.Len() > 0 {
		for _, k := range b.pkTiebreak(terms) {
			sep(rootOrd)
			rootOrd.add(k)
		}
		ords[b.root] = rootOrd
	}
	for _, n := range branches[1:] {
		var terms []string
		terms = append(terms, childOrder[n]...)
		for _, o := range n.opts.Order {
			t, err := b.parseTerm(n, o, false)
			if err != nil {
				return nil, nil, nil, err
			}
			terms = append(terms, t.sql(t.col))
		}
		if len(terms) > 0 {
			ords[n] = &frag{}
			ords[n].add(strings.Join(terms, ", "))
		}
	}
	if len(ords) > 0 && !pipeline {
		// (a pipelined statement orders its rows with ORDER BY: they arrive in order)
		b.plan.Map.Ordinal = ordinalCol
	}
	ordinal := func(w *frag, n *bnode) {
		if b.plan.Map.Ordinal == "" {
			return
		}
		if o := ords[n]; o != nil {
			w.add(", ROW_NUMBER() OVER (ORDER BY ")
			w.addFrag(o)
			w.add(") AS " + b.q(ordinalCol))
			return
		}
		w.add(", NULL AS " + b.q(ordinalCol))
	}
	w := &frag{}
	if b.paged && !pipeline {
		b.withPage(w, page)
	}
	if b.d.Features().UnionTypesPairwise && !pipeline {
		// PostgreSQL types a UNION's columns pairwise, left to right: a branch of NULLs before
		// the branch with the real column would be typed text. A first branch that returns
		// nothing gives every column its type.
		w.add("SELECT -1 AS " + b.q(branchCol))
		if b.plan.Map.Ordinal != "" {
			w.add(", CAST(NULL AS BIGINT) AS " + b.q(ordinalCol))
		}
		for _, c := range b.plan.Columns {
			w.add(", ")
			b.selectItem(w, c)
		}
		w.add(" FROM " + b.q(b.query.Model.Table()) + " AS " + b.q(b.root.alias))
		for _, n := range branches[1:] {
			w.add(" CROSS JOIN ")
			b.bareFactor(w, n)
		}
		w.add(" WHERE 1 = 0 UNION ALL ")
	}
	for _, n := range branches {
		// a branch selects each row of its table once: only a join table that may hold the
		// same pair twice, under a unique association, repeats a target under its parent
		n.hnode.Distinct = n.assoc == nil || n.assoc.Kind != include.BelongsToMany || !n.assoc.Unique
	}
	if len(rootJoins) > 0 {
		// a to-one join for the order may repeat a root (a hasOne that matches twice)
		b.root.hnode.Distinct = false
	}
	var stmts []*frag
	var parts []hydrate.Part
	for i, n := range branches {
		bw := w
		if pipeline {
			// only the node's own columns; the result column of plan column j is j+1 (after
			// the branch tag)
			bw = &frag{}
			part := hydrate.Part{Branch: i}
			bw.add("SELECT ")
			for j, c := range b.plan.Columns {
				if c.node == n {
					if len(part.Cols) > 0 {
						bw.add(", ")
					}
					b.selectItem(bw, c)
					part.Cols = append(part.Cols, j+1)
				}
			}
			parts = append(parts, part)
		} else {
			if i > 0 {
				w.add(" UNION ALL ")
			}
			w.add("SELECT " + strconv.Itoa(i) + " AS " + b.q(branchCol))
			ordinal(w, n)
			for _, c := range b.plan.Columns {
				if c.node == n {
					w.add(", ")
					b.selectItem(w, c)
				} else {
					w.add(", NULL AS " + b.q(c.Alias))
				}
			}
		}
		bw.add(" FROM ")
		if n == b.root && b.paged {
			bw.addFrag(rootSub)
		} else {
			if err := b.branchFrom(bw, n, terms); err != nil {
				return nil, nil, nil, err
			}
			if n == b.root {
				// to-one includes the roots are ordered by
				if err := b.toOneJoins(bw, rootJoins); err != nil {
					return nil, nil, nil, err
				}
			}
			cond, err := b.membership(n, terms)
			if err != nil {
				return nil, nil, nil, err
			}
			if cond.Len() > 0 {
				bw.add(" WHERE ")
				bw.addFrag(cond)
			}
		}
		if !pipeline {
			continue
		}
		if o := ords[n]; o != nil {
			bw.add(" ORDER BY ")
			bw.addFrag(o)
		}
		if b.paged && strings.Contains(bw.String(), b.q(b.pageCTE)) {
			st := &frag{}
			b.withPage(st, page)
			st.addFrag(bw)
			bw = st
		}
		stmts = append(stmts, bw)
	}
	return w, stmts, parts, nil
}

// selectItem writes one select-list item: the column (or its expression) AS its alias.
func (b *builder) selectItem(w *frag, c ColumnAlias) {
	if c.expr != "" {
		w.add(c.expr+" AS "+b.q(c.Alias), c.exprArgs...)
		return
	}
	w.add(b.q(c.Table) + "." + b.q(c.Column) + " AS " + b.q(c.Alias))
}

// bareFactor is n's table, or its join table and target, with no condition (for the typing
// branch).
func (b *builder) bareFactor(w *frag, n *bnode) {
	if n.jalias != "" {
		w.add(b.q(n.assoc.ThroughTable) + " AS " + b.q(n.jalias) + " CROSS JOIN ")
	}
	w.add(b.q(n.model.Table()) + " AS " + b.q(n.alias))
}

// branchFrom writes the FROM of n's branch: its table, or its join table and target. An
// include limited per parent is a derived table numbering each parent's rows (ROW_NUMBER()
// over the rows that belong to the statement); its membership is then the window's bounds.
func (b *builder) branchFrom(w *frag, n *bnode, terms []term) error {
	if n.assoc == nil {
		w.add(b.q(b.query.Model.Table()) + " AS " + b.q(b.root.alias))
		return nil
	}
	if !n.opts.HasLimit {
		return b.plainFactor(w, n)
	}
	order, err := b.includeOrder(n)
	if err != nil {
		return err
	}
	if n.jalias != "" {
		// the join rows that belong to the statement, numbered per parent, then the target
		cond, err := b.rows(n, terms)
		if err != nil {
			return err
		}
		w.add("(")
		if err := b.numberedThrough(w, n, order, cond); err != nil {
			return err
		}
		w.add(" INNER JOIN " + b.q(n.model.Table()) + " AS " + b.q(n.alias) + " ON " +
			b.q(n.alias) + "." + b.q(n.assoc.TargetKey) + " = " + b.q(n.jalias) + "." + b.q(n.assoc.OtherKey) + ")")
		return nil
	}
	w.add("(SELECT " + b.columnList(n.alias, n.model) + ", ROW_NUMBER() OVER (PARTITION BY " + b.q(n.alias) + "." + b.q(n.assoc.ForeignKey) +
		" ORDER BY " + strings.Join(order, ", ") + ") AS " + b.q(b.rowNumber) + " FROM " + b.q(n.model.Table()) + " AS " + b.q(n.alias))
	cond, err := b.rows(n, terms)
	if err != nil {
		return err
	}
	if cond.Len() > 0 {
		w.add(" WHERE ")
		w.addFrag(cond)
	}
	w.add(") AS " + b.q(n.alias))
	return nil
}

// membership is the condition that makes a row of n's table part of the result: for the
// root, its filters and required includes (or the page, when the WITH clause holds the
// roots); for an include, a
// link into its parent's membership, its own filters and required includes.
func (b *builder) membership(n *bnode, terms []term) (*frag, error) {
	w := &frag{}
	and := func() {
		if w.Len() > 0 {
			w.add(" AND ")
		}
	}
	if n.assoc == nil && b.paged {
		// the page holds the roots, their conditions applied
		if err := b.page(w, terms); err != nil {
			return nil, err
		}
		return w, nil
	}
	if n.assoc == nil {
		cond, err := b.rootWhere(nil, terms)
		if err != nil {
			return nil, err
		}
		w.addFrag(cond)
		for _, c := range n.children {
			if c.opts.Required {
				and()
				if err := b.exists(w, c); err != nil {
					return nil, err
				}
			}
		}
		return w, nil
	}
	if n.opts.HasLimit {
		// the derived table of branchFrom holds the rest
		windowBounds(w, b.q(limitedAlias(n))+"."+b.q(b.rowNumber), n.opts)
		return w, nil
	}
	return b.rows(n, terms)
}

// rows is the condition for a row of include n's table to belong to the statement before
// any per-parent limit: a link into its parent's membership, its filters and required
// includes.
func (b *builder) rows(n *bnode, terms []term) (*frag, error) {
	w := &frag{}
	a, p := n.assoc, n.parent
	l := b.linkOf(n)
	child := b.q(l.childAlias) + "." + b.q(l.childCol)
	if p == b.root && b.paged && a.SourceScope.Empty() {
		// the page already holds the roots (their filters applied): link to it directly
		set := "SELECT " + b.q(b.pageCTE) + "." + b.q(l.parentCol) + " FROM " + b.q(b.pageCTE)
		if b.arrays() {
			w.add(child + " = ANY(ARRAY(" + set + "))")
		} else {
			w.add(child + " IN (" + set + ")")
		}
		return b.ownRows(w, n)
	}
	arrays := b.arrays()
	if arrays {
		w.add(child + " = ANY(ARRAY(SELECT " + b.q(p.alias) + "." + b.q(l.parentCol) + " FROM ")
	} else {
		w.add(child + " IN (SELECT " + b.q(p.alias) + "." + b.q(l.parentCol) + " FROM ")
	}
	if err := b.branchFrom(w, p, terms); err != nil {
		return nil, err
	}
	pc, err := b.membership(p, terms)
	if err != nil {
		return nil, err
	}
	if s, sa, err := b.sourcePreds(n); err != nil {
		return nil, err
	} else if s != "" {
		if pc.Len() > 0 {
			pc.add(" AND ")
		}
		pc.add(s, sa...)
	}
	if pc.Len() > 0 {
		w.add(" WHERE ")
		w.addFrag(pc)
	}
	w.add(")")
	if arrays {
		w.add(")")
	}
	return b.ownRows(w, n)
}

// ownRows appends n's own conditions: its filters and scopes, and its required includes.
func (b *builder) ownRows(w *frag, n *bnode) (*frag, error) {
	a := n.assoc
	if a.Kind == include.BelongsToMany {
		s, sa, err := b.throughPreds(n)
		if err != nil {
			return nil, err
		}
		if s != "" {
			w.add(" AND "+s, sa...)
		}
	} else {
		s, sa, err := b.targetPreds(n)
		if err != nil {
			return nil, err
		}
		if s != "" {
			w.add(" AND "+s, sa...)
		}
	}
	if err := b.requiredExists(w, n, nil); err != nil {
		return nil, err
	}
	return w, nil
}

// page limits the roots to the page, computed once in the statement's WITH clause (pageCTE):
// pk IN (SELECT pk FROM jr_p), on PostgreSQL pk = ANY(ARRAY(SELECT pk FROM jr_p)), which
// lets the planner probe the foreign-key indexes with the page's keys.
func (b *builder) page(w *frag, terms []term) error {
	pk := b.query.Model.PrimaryKey()
	var outer, inner []string
	for _, k := range pk {
		outer = append(outer, b.q(b.root.alias)+"."+b.q(k))
		inner = append(inner, b.q(b.pageCTE)+"."+b.q(k))
	}
	if len(pk) == 1 && b.arrays() {
		w.add(outer[0] + " = ANY(ARRAY(SELECT " + inner[0] + " FROM " + b.q(b.pageCTE) + "))")
		return nil
	}
	lhs := outer[0]
	if len(pk) > 1 {
		lhs = "(" + strings.Join(outer, ", ") + ")"
	}
	w.add(lhs + " IN (SELECT " + strings.Join(inner, ", ") + " FROM " + b.q(b.pageCTE) + ")")
	return nil
}

// arraysUpTo is the largest page of roots linked by = ANY(ARRAY(..)).
const arraysUpTo = 1000

// arrays reports whether the branches link to the page of roots, and to each level under it,
// by = ANY(ARRAY(SELECT ..)) rather than IN (SELECT ..). For a small page, on PostgreSQL, the
// array lets the planner probe the foreign-key indexes with the keys (measured in bench/: W4
// 1.2 ms against 4-6 ms, W5); for a large one the probes cost more than a hashed semi-join
// (W2, 10,000 roots: 12 ms to build and probe the array alone).
func (b *builder) arrays() bool {
	return b.d.Features().AnyArray && b.query.HasLimit && b.query.Limit <= arraysUpTo
}

// pageColumns are the root columns the other branches link by, with the key: a large page's.
func (b *builder) pageColumns(branches []*bnode) []string {
	need := map[string]bool{}
	for _, k := range b.query.Model.PrimaryKey() {
		need[k] = true
	}
	for _, n := range branches[1:] {
		if n.parent == b.root {
			need[b.linkOf(n).parentCol] = true
		}
	}
	var cols []string
	for _, a := range b.query.Model.Attrs() {
		if need[a.Column] {
			cols = append(cols, a.Column)
		}
	}
	return cols
}

// withPage writes the WITH clause computing the page of roots (the limited root query page).
func (b *builder) withPage(w *frag, page *frag) {
	w.add("WITH " + b.q(b.pageCTE) + " AS ")
	if b.d.Features().MaterializedCTE {
		w.add("MATERIALIZED ")
	}
	w.add("(")
	w.addFrag(page)
	w.add(") ")
}
