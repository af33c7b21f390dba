package builder

import (
	"errors"
	"fmt"
	"slices"

	"github.com/joinery/joinery/dialects"
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
	case ShapeLevels:
		return "levels"
	}
	return "auto"
}

// ErrShape is matched (errors.Is) when the statement shape asked for (Query.Shape) cannot
// express the query; errors.Is(err, ErrInclude) holds too.
var ErrShape = errors.New("the statement shape asked for cannot express this query")

// errNoUnion says why a tree cannot be a UNION ALL of branches.
var errNoUnion = fmt.Errorf("%w: the UNION ALL shape cannot express this query", ErrShape)

const (
	branchCol  = "jb" // the branch tag
	ordinalCol = "jo" // the row's ordinal in its branch's order
)

// unionable reports why the tree needs the flat shape, or nil: what the dialect lacks for
// the UNION ALL (pipeline: for its statements), or a root filter on an included column.
func (b *builder) unionable(terms []term, pipeline bool) error {
	f := b.d.Features()
	ordered := len(terms) > 0
	for _, n := range b.nodes[1:] {
		if n.opts.HasLimit {
			if err := limitable(n); err != nil {
				return err
			}
			if !f.WindowFunctions {
				return qErr("%w: %s is limited per parent, which its branch numbers with ROW_NUMBER(), and the dialect has no window functions", errNoUnion, where(n))
			}
			ordered = true
		}
		ordered = ordered || len(n.opts.Order) > 0
	}
	if !pipeline && ordered && !f.WindowFunctions {
		return qErr("%w: ordered branches carry ROW_NUMBER() ordinals, and the dialect has no window functions", errNoUnion)
	}
	if b.query.paged() && !f.CTE {
		return qErr("%w: the page of roots is a WITH clause, and the dialect has none", errNoUnion)
	}
	// root filters naming included columns
	used := map[*bnode]bool{}
	for _, p := range b.query.Where {
		r := b.resolver(b.root, true)
		r.used = used
		if _, _, err := scope.Render(p, r); err != nil {
			return wrapQ(where(b.root)+" where", err)
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
	for i, c := range b.selCols {
		if c.node == n && c.Table == tableAlias && c.Column == column {
			for j, hc := range n.hnode.Cols {
				if hc.Column == b.selCols[i].Alias && hc.Kind == k {
					return j
				}
			}
		}
	}
	return b.addCol(n, tableAlias, column, b.pathOf(n.path, column), hydrate.Col{Kind: k}, false)
}

// unionPlan is what the branches of a UNION ALL (or a pipeline) share.
type unionPlan struct {
	branches  []*bnode          // in pre-order
	ords      map[*bnode][]node // each ordered branch's order
	rootJoins map[*bnode]bool   // to-one includes the roots are ordered by
	page      *selectStmt       // the page of roots (the WITH clause), when paged
	rootFrom  node              // the root branch's FROM, when paged
	rootPage  *selectStmt       // (pipeline, paged) the roots' statement is this page itself
	pipeline  bool              // each branch a statement of its own
	stmts     []node            // (pipeline) the statements
	parts     []hydrate.Part    // (pipeline) the part of the result each returns
	union     *unionAll         // (otherwise) the statement
	childOrd  map[*bnode][]node // to-many root order terms, ordering their branch
	rootOrd   []node            // the root order, before paging
	rootGroup []join            // (not paged) grouped derived tables the roots are ordered by
}

// union builds the UNION ALL of branches, or (pipeline) each branch as a statement of its
// own, with the part of the result it returns.
func (b *builder) union(terms []term, pipeline bool) (*unionPlan, error) {
	u := &unionPlan{pipeline: pipeline, ords: cleared(b.spareOrds[0]), branches: make([]*bnode, 0, len(b.nodes))}
	b.spareOrds[0] = u.ords
	// branches, in pre-order; filter-only includes filter through EXISTS and load nothing
	for _, n := range b.nodes {
		if n.opts.FilterOnly {
			continue
		}
		n.hnode.Branch = len(u.branches)
		u.branches = append(u.branches, n)
	}
	if err := b.branchLinks(u); err != nil {
		return nil, err
	}
	if err := b.rootOrder(u, terms); err != nil {
		return nil, err
	}
	if err := b.roots(u, terms); err != nil {
		return nil, err
	}
	for _, n := range u.branches[1:] {
		o, err := b.ownOrder(n)
		if err != nil {
			return nil, err
		}
		if o = append(u.childOrd[n], o...); len(o) > 0 {
			u.ords[n] = o
		}
	}
	if len(u.ords) > 0 && !pipeline {
		// (a pipelined statement orders its rows with ORDER BY: they arrive in order)
		b.plan.Map.Ordinal = ordinalCol
	}
	return u, b.assemble(u, terms)
}

// branchLinks selects, for every branch but the root's, the column it links to its parent
// by and the parent's column it links to, and records them in the hydrator's map.
func (b *builder) branchLinks(u *unionPlan) error {
	for _, n := range u.branches[1:] {
		l := b.linkOf(n)
		link, parent := b.ints.make(len(l.child)), b.ints.make(len(l.child))
		var s node
		if !n.assoc.SourceScope.Empty() {
			var err error
			if s, err = b.sourcePreds(n); err != nil {
				return err
			}
		}
		for i, c := range l.child {
			link = append(link, b.colOf(n, l.childAlias, c, l.kinds[i]))
			p, pc := n.parent, l.parent[i]
			if s == nil {
				parent = append(parent, b.colOf(p, p.alias, pc, l.kinds[i]))
				continue
			}
			// the parent links only where its side of the association holds (a polymorphic
			// belongsTo's type test): the link is NULL elsewhere
			parent = append(parent, b.addCol(p, p.alias, pc, b.pathOf(p.path, pc), hydrate.Col{Kind: l.kinds[i]}, false))
			c := &b.selCols[len(b.selCols)-1]
			c.expr = seq{kw("CASE WHEN "), s, kw(" THEN "), b.col(p.alias, pc), kw(" END")}
		}
		n.hnode.Link, n.hnode.ParentLink = link, parent
	}
	return nil
}

// rootOrder orders the roots by the root order terms: root columns as they are; an
// included to-one column joined into the root's branch; an included to-many column as the
// first child's value (MIN for ASC, MAX for DESC), its children then ordered by it within
// their branch: the order a flat JOIN gives. Each ordered branch numbers its rows
// (ROW_NUMBER() over its order) into the ordinal column; the hydrator orders roots and
// children by it. The statement itself has no ORDER BY: sorting the whole UNION (wide
// rows, mostly NULLs) costs more than the rest.
func (b *builder) rootOrder(u *unionPlan, terms []term) error {
	u.childOrd, u.rootJoins = cleared(b.spareOrds[1]), cleared(b.spareRootJoin)
	b.spareOrds[1], b.spareRootJoin = u.childOrd, u.rootJoins
	for _, t := range terms {
		switch {
		case t.n == b.root:
			u.rootOrd = append(u.rootOrd, t.order())
		case t.childOnly:
			if !toOne(t.n) {
				u.childOrd[t.n] = append(u.childOrd[t.n], t.order())
			}
		case toOne(t.n):
			u.rootJoins[t.n] = true
			u.rootOrd = append(u.rootOrd, t.order())
			if t.n.assoc.Kind == include.HasOne {
				// a hasOne may match several rows (no unique key on its foreign key): the
				// flat JOIN keeps the first in this order, so its branch is ordered by it
				u.childOrd[t.n] = append(u.childOrd[t.n], t.order())
			}
		default:
			// every root a candidate, all of them returned: one grouped derived table read
			// once instead of a subquery per root (a page computes its own, rootQuery)
			byGroup, err := b.firstByGroup(terms)
			if err != nil {
				return err
			}
			var first node
			if byGroup && !b.query.paged() {
				j, v, err := b.firstGrouped(t)
				if err != nil {
					return err
				}
				u.rootGroup = append(u.rootGroup, j)
				first = v
			} else if first, err = b.firstValue(t); err != nil {
				return err
			}
			u.rootOrd = append(u.rootOrd, t.by(first))
			u.childOrd[t.n] = append(u.childOrd[t.n], t.order())
		}
	}
	return nil
}

// roots decides where the root's branch reads its roots.
//
// Under a root limit the page of roots is computed once, in the WITH clause (page). A
// small page holds the roots' columns and the root's branch reads it (one sort of the
// roots: W4, W5); a large one holds only the keys the other branches link by, and the
// root's branch reads the limited scan itself (a wide page materialized and read again
// costs more than a second scan: W2, 10,000 roots). Pipelined statements share nothing:
// the root's reads the limited scan, the others a page of keys.
//
// Every branch filters by the root's conditions. Where the dialect cannot refer to an
// argument twice they are sent once per branch; when that passes the dialect's limit (an
// IN list of 20,000 values, three branches: 60,000 parameters) the roots go in the WITH
// clause, as a small page does, and the branches read them there. Not always: on MariaDB
// the WITH form of that IN list took 12 s against 0.5 s repeated.
func (b *builder) roots(u *unionPlan, terms []term) error {
	share := false
	if b.query.shareRoots && !u.pipeline && len(u.branches) > 1 && b.d.Features().CTE {
		cond, err := b.makeMembership(b.root, terms)
		if err != nil {
			return err
		}
		share = hasArgs(list{" AND ", cond}, b.d)
	}
	limited := b.query.paged()
	b.paged = limited || share
	if !b.paged {
		if len(u.rootOrd) > 0 {
			u.ords[b.root] = append(u.rootOrd, b.pkTiebreak(terms)...)
		}
		return nil
	}
	var outer []node
	var err error
	if (b.query.smallPage() || share) && !u.pipeline {
		u.page, outer, _, err = b.rootQuery(terms, modeSub)
		u.rootFrom = b.table(b.pageCTE, b.root.alias)
	} else {
		if u.page, _, _, err = b.rootQuery(terms, modePage, b.pageColumns(u.branches)...); err != nil {
			return err
		}
		var sub *selectStmt
		sub, outer, _, err = b.rootQuery(terms, modeSub)
		u.rootFrom = derived{body: sub, alias: b.root.alias}
		if err == nil && u.pipeline && len(sub.joins) == 0 && len(sub.items) == len(b.query.Model.Attrs()) {
			// nothing computed for the order (sub selects the root's columns): the roots'
			// statement is the page itself, SELECT .. FROM t ORDER BY .. LIMIT, not a
			// derived table of it ordered again
			u.rootPage = sub
		}
	}
	if err != nil {
		return err
	}
	if limited || len(terms) > 0 {
		u.ords[b.root] = outer
	}
	return nil
}

// assemble builds the branches: one SELECT each, the union of them (after the page's WITH
// clause and, where the dialect types a UNION's columns pairwise, a typing branch), or for
// a pipeline a statement each, ordered, with the WITH clause where it reads the page.
func (b *builder) assemble(u *unionPlan, terms []term) error {
	if !u.pipeline {
		u.union = &unionAll{branches: make([]node, 0, len(u.branches)+1)}
		if b.paged {
			u.union.with = &with{b.pageCTE, u.page, false}
		}
		if b.d.Features().UnionTypesPairwise {
			u.union.branches = append(u.union.branches, b.typingBranch(u.branches))
		}
	}
	stmts, items := b.branchStmts(len(u.branches))
	for i, n := range u.branches {
		st := &stmts[i]
		if u.pipeline {
			// only the node's own columns; the result column of plan column j is j+1 (after
			// the branch tag)
			part := hydrate.Part{Branch: i}
			for j, c := range b.selCols {
				if c.node == n {
					part.Cols = append(part.Cols, j+1)
				}
			}
			st.items = []node{colItems{b.selCols, n, false, n == b.root && b.paged}}
			u.parts = append(u.parts, part)
		} else {
			items[i] = branchItems{i, b.plan.Map.Ordinal != "", b.ordinalPartition(n), u.ords[n], colItems{b.selCols, n, true, n == b.root && b.paged}}
			st.items = b.one(&items[i])
		}
		b.usedPage = false
		if n == b.root && u.rootPage != nil {
			// (its order is the roots' order, u.ords: nothing computed for it)
			pg := u.rootPage
			st.from, st.joins, st.where, st.limit = pg.from, pg.joins, pg.where, pg.limit
		} else if n == b.root && b.paged {
			st.from = u.rootFrom
		} else {
			var err error
			if st.from, err = b.branchFrom(n, terms); err != nil {
				return err
			}
			if n == b.root {
				// to-one includes the roots are ordered by
				if st.joins, err = b.toOneJoins(u.rootJoins); err != nil {
					return err
				}
				st.joins = append(st.joins, u.rootGroup...)
			}
			if st.where, err = b.membership(n, terms); err != nil {
				return err
			}
		}
		if !u.pipeline {
			u.union.branches = append(u.union.branches, st)
			continue
		}
		st.order = u.ords[n]
		if b.usedPage {
			st.with = &with{b.pageCTE, u.page, true}
		}
		u.stmts = append(u.stmts, st)
	}
	return nil
}

// ordinalPartition partitions the ordinal of n's branch by its link to the parent, on a
// distributed database: the fold compares the ordinals of one parent's children only, so
// the numbers may restart per parent, and each shard then numbers its own rows (a window
// over the whole table is computed on the coordinator). Nil for the roots, whose order is
// global, and elsewhere.
func (b *builder) ordinalPartition(n *bnode) []node {
	if n == b.root || !b.d.Features().Distributed {
		return nil
	}
	return b.linkOf(n).childCols()
}

// typingBranch is the UNION's first branch where the dialect types a UNION's columns
// pairwise, left to right (PostgreSQL): a branch of NULLs before the branch with the real
// column would be typed text. A first branch that returns nothing gives every column its
// type.
func (b *builder) typingBranch(branches []*bnode) node {
	st := b.sels.new(selectStmt{items: b.lists.make(3), where: b.one(kw("1 = 0"))})
	st.items = append(st.items, typingBranchTag)
	if b.plan.Map.Ordinal != "" {
		st.items = append(st.items, typingOrdinal)
	}
	st.items = append(st.items, &colItems{b.selCols, nil, false, false})
	if !b.d.Features().Distributed {
		st.from = &crossJoined{b.query.Model.Table(), b.root.alias, branches[1:]}
		return st
	}
	// a distributed database joins sharded tables only on their distribution column: the
	// tables are joined by their links, which carry it
	st.from = b.table(b.query.Model.Table(), b.root.alias)
	for _, n := range branches[1:] {
		if n.jalias != "" {
			st.joins = append(st.joins, join{"INNER JOIN", b.table(n.assoc.ThroughTable, n.jalias), b.on(b.linkOf(n), n.parent.alias)},
				join{"INNER JOIN", b.table(n.model.Table(), n.alias), b.on(targetLink(n), n.jalias)})
			continue
		}
		st.joins = append(st.joins, join{"INNER JOIN", b.table(n.model.Table(), n.alias), b.on(b.linkOf(n), n.parent.alias)})
	}
	return st
}

// the typing branch's tag and ordinal
var (
	typingBranchTag node = aliased{kw("-1"), branchCol}
	typingOrdinal   node = aliased{kw("CAST(NULL AS BIGINT)"), ordinalCol}
)

// crossJoined is the typing branch's FROM: the root's table CROSS JOIN every other
// branch's tables.
type crossJoined struct {
	table, alias string
	branches     []*bnode
}

func (c crossJoined) render(r *renderer) {
	table{c.table, c.alias}.render(r)
	for _, n := range c.branches {
		if n.jalias != "" {
			r.buf = append(r.buf, " CROSS JOIN "...)
			table{n.assoc.ThroughTable, n.jalias}.render(r)
		}
		r.buf = append(r.buf, " CROSS JOIN "...)
		table{n.model.Table(), n.alias}.render(r)
	}
}

// branchItems is a UNION ALL branch's select list: its number AS the branch tag, its
// ordinal (ROW_NUMBER() over its order, or NULL) when the statement has one, the columns.
type branchItems struct {
	branch    int
	ordinal   bool
	partition []node
	order     []node
	cols      colItems
}

func (bi *branchItems) render(r *renderer) {
	aliased{intLit(bi.branch), branchCol}.render(r)
	if bi.ordinal {
		r.buf = append(r.buf, ", "...)
		if bi.order != nil {
			rowNumber{partition: bi.partition, order: bi.order}.render(r)
		} else {
			r.buf = append(r.buf, "NULL"...)
		}
		r.buf = append(r.buf, " AS "...)
		r.ident(ordinalCol)
	}
	r.buf = append(r.buf, ", "...)
	bi.cols.render(r)
}

// colItems is a select list of the plan's columns, each column (or its expression) AS its
// alias: all of them (n nil), or node n's, with NULL AS the alias of every other column
// when pad is set (a UNION ALL branch).
type colItems struct {
	cols []selCol
	n    *bnode
	pad  bool
	// page: the roots are read from the page of roots (rootQuery's modeSub), which carries
	// their computed aggregates (selCol.pageCol)
	page bool
}

func (c colItems) render(r *renderer) {
	t := r.colTexts(c.cols)
	first := true
	// runs of plain columns (each "t"."col" AS "cN") and of padding (NULL AS "cN") are
	// copied from the texts quoted once per statement, a run at a time
	runKind, runFrom := 0, 0
	flush := func(to int) {
		if runKind != 0 {
			r.buf = append(r.buf, t.run(runKind, runFrom, to, first)...)
			first = false
		}
		runKind = 0
	}
	for i := range c.cols {
		ca := &c.cols[i]
		own := c.n == nil || ca.node == c.n
		kind := 0
		switch {
		case !own && !c.pad:
			flush(i)
			continue
		case !own:
			kind = textNull
		case c.page && ca.pageCol != "", ca.expr != nil:
		default:
			kind = textRef
		}
		if kind != 0 {
			if kind != runKind {
				flush(i)
				runKind, runFrom = kind, i
			}
			continue
		}
		flush(i)
		if !first {
			r.buf = append(r.buf, ", "...)
		}
		first = false
		if ca.expr != nil && !(c.page && ca.pageCol != "") {
			ca.expr.render(r)
		} else {
			r.ident(ca.Table)
			r.buf = append(r.buf, '.')
			r.ident(ca.pageCol)
		}
		r.buf = append(r.buf, " AS "...)
		r.buf = append(r.buf, t.alias(i)...)
	}
	flush(len(c.cols))
}

// the kinds of column text in colTexts
const (
	textNull = 1 // NULL AS "cN"
	textRef  = 2 // "t"."col" AS "cN"
)

// colTexts are the quoted texts of a list of plan columns, each quoted once per statement:
// a UNION ALL writes every column's alias in every branch. Each kind of text is the
// columns' items one after another, each after ", ", so that a run of columns is one copy.
type colTexts struct {
	of    *selCol // the list's first column
	n     int     // and its length
	nulls []byte  // , NULL AS "c0", NULL AS "c1" ..
	refs  []byte  // , "t0"."id" AS "c0", "t0"."name" AS "c1" ..
	ends  []int   // column i's items end at ends[3i] (nulls), ends[3i+1] (refs); its alias starts at ends[3i+2] in nulls
}

// alias is column i's quoted alias.
func (t *colTexts) alias(i int) []byte { return t.nulls[t.ends[3*i+2]:t.ends[3*i]] }

// run is the items of kind k of columns from..to-1, without the first ", " when first.
func (t *colTexts) run(k, from, to int, first bool) []byte {
	text, off := t.nulls, 0
	if k == textRef {
		text, off = t.refs, 1
	}
	start := 0
	if from > 0 {
		start = t.ends[3*(from-1)+off]
	}
	if first {
		start += len(", ")
	}
	return text[start:t.ends[3*(to-1)+off]]
}

// colTexts quotes cols, or returns their texts quoted already in this statement.
func (r *renderer) colTexts(cols []selCol) *colTexts {
	t := &r.cols
	if len(cols) == 0 || t.of == &cols[0] && t.n == len(cols) {
		return t
	}
	t.of, t.n, t.nulls, t.refs, t.ends = &cols[0], len(cols), t.nulls[:0], t.refs[:0], t.ends[:0]
	for i := range cols {
		t.nulls = append(t.nulls, ", NULL AS "...)
		a := len(t.nulls)
		t.nulls = r.appendIdent(t.nulls, cols[i].Alias)
		t.refs = append(t.refs, ", "...)
		t.refs = r.appendIdent(t.refs, cols[i].Table)
		t.refs = append(t.refs, '.')
		t.refs = r.appendIdent(t.refs, cols[i].Column)
		t.refs = append(t.refs, " AS "...)
		t.refs = append(t.refs, t.nulls[a:]...)
		t.ends = append(t.ends, len(t.nulls), len(t.refs), a)
	}
	return t
}

// hasArgs reports whether n writes any argument.
func hasArgs(n node, d dialects.Dialect) bool {
	r := newRenderer(d)
	defer r.release()
	n.render(r)
	return len(r.args) > 0
}

// branchFrom is the FROM of n's branch: its table, or its join table and target. An include
// limited per parent is a derived table numbering each parent's rows (ROW_NUMBER() over
// the rows that belong to the statement); its membership is then the window's bounds.
func (b *builder) branchFrom(n *bnode, terms []term) (node, error) {
	if n.assoc == nil {
		return b.table(b.query.Model.Table(), b.root.alias), nil
	}
	if !n.opts.HasLimit {
		return b.plainFactor(n)
	}
	order, err := b.includeOrder(n)
	if err != nil {
		return nil, err
	}
	rows, err := b.rows(n, terms)
	if err != nil {
		return nil, err
	}
	if n.jalias == "" {
		return b.numbered(n, order, rows), nil
	}
	// the join rows that belong to the statement, numbered per parent, then the target
	d, err := b.numberedThrough(n, order, rows)
	if err != nil {
		return nil, err
	}
	return group{d, []join{{"INNER JOIN", b.table(n.model.Table(), n.alias), b.on(targetLink(n), n.jalias)}}}, nil
}

// membership is the condition that makes a row of n's table part of the result: for the
// root, its filters and required includes (or the page, when the WITH clause holds the
// roots); for an include, a link into its parent's membership, its own filters and
// required includes.
func (b *builder) membership(n *bnode, terms []term) ([]node, error) {
	if n.memberDone {
		b.usedPage = b.usedPage || n.memberUsePage
		return n.member, nil
	}
	used := b.usedPage
	b.usedPage = false
	m, err := b.makeMembership(n, terms)
	if err != nil {
		return nil, err
	}
	n.member, n.memberDone, n.memberUsePage = m, true, b.usedPage
	b.usedPage = b.usedPage || used
	return m, nil
}

func (b *builder) makeMembership(n *bnode, terms []term) ([]node, error) {
	if n.assoc == nil && b.paged {
		// the page holds the roots, their conditions applied
		return []node{b.page()}, nil
	}
	if n.assoc == nil {
		w, err := b.rootWhere(nil, terms)
		if err != nil {
			return nil, err
		}
		return b.requiredExists(w, n, nil)
	}
	if n.opts.HasLimit {
		// the derived table of branchFrom holds the rest
		return b.windowBounds(n), nil
	}
	return b.rows(n, terms)
}

// rows is the condition for a row of include n's table to belong to the statement before
// any per-parent limit: a link into its parent's membership, its filters and required
// includes.
func (b *builder) rows(n *bnode, terms []term) ([]node, error) {
	if b.query.Shape == ShapeLevels && !b.withRoots(n) {
		return b.levelRows(n) // linked to the parent keys the previous statement brought
	}
	p := n.parent
	l := b.linkOf(n)
	var sub *selectStmt
	from := p.alias
	if p == b.root && b.paged && n.assoc.SourceScope.Empty() {
		// the page already holds the roots (their filters applied): link to it directly
		sub = b.sels.new(selectStmt{from: ident(b.pageCTE)})
		from = b.pageCTE
		b.usedPage = true
	} else {
		sub = b.sels.new(selectStmt{})
		var err error
		if sub.from, err = b.branchFrom(p, terms); err != nil {
			return nil, err
		}
		if sub.where, err = b.membership(p, terms); err != nil {
			return nil, err
		}
		s, err := b.sourcePreds(n)
		if err != nil {
			return nil, err
		}
		// (the membership is shared: append to a copy)
		sub.where = appendNode(slices.Clip(sub.where), s)
	}
	// (one root found by its key: an array of at most one key, which the planner probes the
	// link's index with, as a hand-written loader's = ANY($1) does; measured on W3's posts,
	// 0.30 ms of server time against 0.41 for the semi-join on the root)
	arrays := b.arrays() || p == b.root && b.d.Features().AnyArray && b.rootPinned()
	return b.ownRows(b.one(b.keyIn(l.childCols(), l.childAlias, l.child, from, l.parent, sub, arrays && !b.unindexed(n))), n)
}

// keyIn is the condition that the columns outer of outerAlias (lhs: them as nodes, or nil)
// are among the columns inner of innerAlias in the rows of sub (whose select list it
// writes): outer IN (SELECT inner ..), as a row value for several columns; on PostgreSQL for
// one column with arrays (b.arrays(): a small page, or the children of one root found by
// its key; and an indexed link) outer = ANY(ARRAY(SELECT inner ..)); without row values
// EXISTS (SELECT 1 .. WHERE inner = outer ..).
func (b *builder) keyIn(lhs []node, outerAlias string, outer []string, innerAlias string, inner []string, sub *selectStmt, arrays bool) node {
	if len(outer) > 1 && !b.d.Features().TupleIn {
		sub.items = b.one(kw("1"))
		w := b.lists.make(len(sub.where) + len(outer))
		w = append(w, sub.where...)
		for i := range outer {
			w = append(w, b.eqs.new(colEq{col{innerAlias, inner[i]}, col{outerAlias, outer[i]}}))
		}
		sub.where = w
		return exists{sub}
	}
	sub.items = b.lists.make(len(inner))
	for _, c := range inner {
		sub.items = append(sub.items, b.col(innerAlias, c))
	}
	if lhs == nil {
		lhs = b.lists.make(len(outer))
		for _, c := range outer {
			lhs = append(lhs, b.col(outerAlias, c))
		}
	}
	return b.semis.new(semiJoin{tuple(lhs), sub, len(outer) == 1 && arrays})
}

// ownRows appends n's own conditions: its filters and scopes, and its required includes.
func (b *builder) ownRows(w []node, n *bnode) ([]node, error) {
	s, err := b.linkedPreds(n)
	if err != nil {
		return nil, err
	}
	return b.requiredExists(appendNode(w, s), n, nil)
}

// page limits the roots to the page, computed once in the statement's WITH clause:
// pk IN (SELECT pk FROM jr_p), on PostgreSQL pk = ANY(ARRAY(SELECT pk FROM jr_p)), which
// lets the planner probe the foreign-key indexes with the page's keys.
func (b *builder) page() node {
	b.usedPage = true
	pk := b.root.pk
	return b.keyIn(nil, b.root.alias, pk, b.pageCTE, pk, &selectStmt{from: ident(b.pageCTE)}, b.arrays())
}

// arraysUpTo is the largest page of roots linked by = ANY(ARRAY(..)).
const arraysUpTo = 1000

// arrays reports whether the branches link to the page of roots, and to each level under it,
// by = ANY(ARRAY(SELECT ..)) rather than IN (SELECT ..). For a small page, on PostgreSQL, the
// array lets the planner probe the foreign-key indexes with the keys (measured in bench/: W4
// 1.2 ms against 4-6 ms, W5); for a large one the probes cost more than a hashed semi-join
// (W2, 10,000 roots: 12 ms to build and probe the array alone).
func (b *builder) arrays() bool {
	return b.d.Features().AnyArray && b.query.smallPage()
}

// pageColumns are the root columns the other branches link by, with the key: a large page's.
func (b *builder) pageColumns(branches []*bnode) []string {
	need := map[string]bool{}
	for _, k := range b.root.pk {
		need[k] = true
	}
	for _, n := range branches[1:] {
		if n.parent == b.root {
			for _, c := range b.linkOf(n).parent {
				need[c] = true
			}
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
