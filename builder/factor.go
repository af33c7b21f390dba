package builder

import (
	"math"

	"github.com/joinery/joinery/include"
)

// factor is the table factor of n: its table (for a BelongsToMany, the join table and the
// target as a group) and, inside the same group, its required children, so that an optional
// n with a required child drops only n, never n's parent. record registers the aliases for
// Explain (false for the copies inside EXISTS and ORDER BY subqueries). A per-include limit
// makes the factor a LATERAL subquery or a ROW_NUMBER() window (see limited).
func (b *builder) factor(n *bnode, kind string, record bool) (node, error) {
	var req []*bnode
	for _, c := range n.children {
		if c.opts.Required {
			req = append(req, c)
		}
	}
	grouped := n.jalias != "" || len(req) > 0
	if grouped {
		if !b.d.Features().NestedJoins {
			return nil, qErr("%w: %s joins as a group, LEFT JOIN (a INNER JOIN b ON ..) ON .., and the dialect has no nested joins", ErrShape, where(n))
		}
		kind += " (group)"
	}
	var first node
	var joins []join
	switch {
	case n.opts.HasLimit:
		var err error
		if first, joins, err = b.limited(n); err != nil {
			return nil, err
		}
		if record {
			b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.alias, Table: n.model.Table(), Path: n.path, Join: kind + " (limited)"})
		}
	case n.jalias != "":
		a := n.assoc
		if record {
			b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.jalias, Table: a.ThroughTable, Path: n.path + ".@through", Join: kind})
		}
		first = b.table(a.ThroughTable, n.jalias)
		j, err := b.targetJoin(n)
		if err != nil {
			return nil, err
		}
		joins = append(joins, j)
		if record {
			b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.alias, Table: n.model.Table(), Path: n.path, Join: "INNER JOIN"})
		}
	default:
		first = b.table(n.model.Table(), n.alias)
		if record {
			b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.alias, Table: n.model.Table(), Path: n.path, Join: kind})
		}
	}
	for _, c := range req {
		j, err := b.join(c, "INNER JOIN", record)
		if err != nil {
			return nil, err
		}
		joins = append(joins, j)
	}
	if !grouped {
		return first, nil
	}
	return group{first, joins}, nil
}

// limited is the factor of an include with a per-parent Limit/Offset: on databases with
// LATERAL, a LATERAL subquery holding the join condition, the filters, the order and the
// limit; elsewhere a derived table numbering each parent's rows with ROW_NUMBER(), whose
// window bounds go in the ON clause (see joinCond). A BelongsToMany numbers its join rows
// and joins the target to the rows kept.
func (b *builder) limited(n *bnode) (node, []join, error) {
	a := n.assoc
	if err := limitable(n); err != nil {
		return nil, nil, err
	}
	order, err := b.includeOrder(n)
	if err != nil {
		return nil, nil, err
	}
	if !b.d.Features().WindowFunctions && (a.Kind == include.BelongsToMany || !b.d.Features().Lateral) {
		return nil, nil, qErr("%w: %s is limited per parent, which needs window functions (or, but for a BelongsToMany, LATERAL), and the dialect lacks them", ErrShape, where(n))
	}
	if a.Kind == include.BelongsToMany {
		// the join rows numbered per parent (the window sees the target's columns for the
		// order and its filters), then the target joined to the rows kept
		th, err := b.throughPreds(n)
		if err != nil {
			return nil, nil, err
		}
		d, err := b.numberedThrough(n, order, appendNode(nil, th))
		if err != nil {
			return nil, nil, err
		}
		return d, []join{{"INNER JOIN", b.table(n.model.Table(), n.alias), b.on(targetLink(n), n.jalias)}}, nil
	}
	tbl := b.table(n.model.Table(), n.alias)
	if b.d.Features().Lateral {
		c, err := b.outerCond(n)
		if err != nil {
			return nil, nil, err
		}
		sub := &selectStmt{items: []node{kw("*")}, from: tbl, where: c, order: order,
			limit: limitsOf(n.opts.LimitSet, n.opts.Limit, n.opts.Offset, where(n))}
		return derived{lateral: true, body: sub, alias: n.alias}, nil, nil
	}
	s, err := b.targetPreds(n)
	if err != nil {
		return nil, nil, err
	}
	return b.numbered(n, order, appendNode(nil, s)), nil, nil
}

// numbered is n's table as a derived table under n's alias, its rows (those where holds)
// numbered per parent by ROW_NUMBER() in order. It lists the model's columns rather than
// t1.*, so that a column of the table the model does not declare cannot clash with the
// number's.
func (b *builder) numbered(n *bnode, order []node, where []node) node {
	items := b.columns(n.alias, n.model)
	items = append(items, aliased{rowNumber{partition: b.linkOf(n).childCols(), order: order}, b.rowNumber})
	return derived{body: &selectStmt{items: items, from: b.table(n.model.Table(), n.alias), where: where}, alias: n.alias}
}

// numberedThrough is a BelongsToMany include's join table as a derived table under the join
// table's alias: its rows (joined to the target for the order and the target's filters)
// numbered per parent by ROW_NUMBER() in the include's order, filtered by where.
func (b *builder) numberedThrough(n *bnode, order []node, where []node) (node, error) {
	a := n.assoc
	var items []node
	if a.Through != nil {
		items = b.columns(n.jalias, a.Through)
	} else {
		// a join table declared by name only: its columns are not known
		items = []node{seq{ident(n.jalias), kw(".*")}}
	}
	items = append(items, aliased{rowNumber{partition: b.linkOf(n).childCols(), order: order}, b.rowNumber})
	j, err := b.targetJoin(n)
	if err != nil {
		return nil, err
	}
	sub := &selectStmt{items: items, from: b.table(a.ThroughTable, n.jalias), joins: []join{j}, where: where}
	return derived{body: sub, alias: n.jalias}, nil
}

// columns is every column of model m on alias.
func (b *builder) columns(alias string, m *include.Model) []node {
	out := make([]node, 0, len(m.Attrs())+1)
	for _, a := range m.Attrs() {
		out = append(out, b.col(alias, a.Column))
	}
	return out
}

// limitable reports whether n's association can be limited per parent.
func limitable(n *bnode) error {
	if a := n.assoc; a.Kind == include.BelongsTo {
		return qErr("%s: a per-include Limit/Offset applies to HasMany, HasOne and BelongsToMany includes, and %s is a %s (one target per parent)", where(n), a.As, a.Kind)
	}
	return nil
}

// limitedAlias is the alias of the table whose rows a per-include limit numbers: the join
// table of a BelongsToMany, else the target.
func limitedAlias(n *bnode) string {
	if n.jalias != "" {
		return n.jalias
	}
	return n.alias
}

// capInt64 is u, or math.MaxInt64 when u is larger: a LIMIT or OFFSET argument that every
// driver converts (database/sql refuses a uint64 with its high bit set).
func capInt64(u uint64) uint64 { return min(u, math.MaxInt64) }

// windowBounds are the ordinal bounds of a per-parent Limit/Offset on n's numbered rows:
// rn > offset, and rn <= offset + limit unless that sum passes every ordinal (checked: a
// wrapped sum would keep nothing).
func (b *builder) windowBounds(n *bnode) []node {
	o := n.opts
	rn := b.col(limitedAlias(n), b.rowNumber)
	out := []node{seq{rn, kw(" > "), arg{capInt64(o.Offset), where(n) + " Offset"}}}
	if o.LimitSet && o.Limit <= math.MaxInt64-capInt64(o.Offset) {
		out = append(out, seq{rn, kw(" <= "), arg{capInt64(o.Offset) + o.Limit, where(n) + " Limit"}})
	}
	return out
}

// join is " <kind> <factor> ON <cond>" for n.
func (b *builder) join(n *bnode, kind string, record bool) (join, error) {
	f, err := b.factor(n, kind, record)
	if err != nil {
		return join{}, err
	}
	on, err := b.joinCond(n)
	if err != nil {
		return join{}, err
	}
	return join{kind, f, on}, nil
}

// joinCond is n's ON clause.
func (b *builder) joinCond(n *bnode) ([]node, error) {
	if !n.opts.HasLimit {
		return b.outerCond(n)
	}
	if b.d.Features().Lateral && n.jalias == "" {
		return []node{kw("TRUE")}, nil
	}
	// the window's derived table already applied the target's (and join table's) filters
	l := b.linkOf(n)
	l.childAlias, l.cols = limitedAlias(n), nil
	on := b.on(l, n.parent.alias)
	s, err := b.sourcePreds(n)
	if err != nil {
		return nil, err
	}
	on = appendNode(on, s)
	return append(on, b.windowBounds(n)...), nil
}

// joins are every join of the flat statement: the root's required children as INNER
// JOINs, every optional include as a LEFT JOIN after the factor that brings its parent into
// scope.
func (b *builder) joins() ([]join, error) {
	var out []join
	var walk func(n *bnode) error
	walk = func(n *bnode) error {
		for _, c := range n.children {
			if n != b.root && c.opts.Required {
				// inside its parent's factor
				if err := walk(c); err != nil {
					return err
				}
				continue
			}
			kind := "LEFT JOIN"
			if c.opts.Required {
				kind = "INNER JOIN"
			}
			j, err := b.join(c, kind, true)
			if err != nil {
				return err
			}
			out = append(out, j)
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(b.root)
}
