package builder

import "slices"

// flat builds the flat statement: one row per path through the tree, LEFT/INNER JOINs and
// join groups. With a root limit and a to-many include the roots are limited in a subquery
// and the includes joined outside it, the order repeated.
func (b *builder) flat(terms []term) (*selectStmt, error) {
	q := b.query
	limited := q.paged()
	sub := limited && b.hasMany(b.root)
	// a distributed database plans the page as an intermediate result, and joins it to the
	// includes poorly (each joined table is pulled whole to the coordinator) or not at all
	// (an outer join group after an inner join): there the page is a semi-join on the roots'
	// keys instead, the includes joined to the roots' own table
	semiPage := sub && b.d.Features().Distributed
	if semiPage {
		sub = false
	}
	st := &selectStmt{items: []node{colItems{b.selCols, nil, false, sub}}}
	b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: b.root.alias, Table: q.Model.Table(), Join: "FROM"})
	var err error
	if sub {
		// the roots, limited in a subquery; the includes joined outside it
		inner, outerRoot, childOrder, err := b.rootQuery(terms, modeSub)
		if err != nil {
			return nil, err
		}
		st.from = derived{body: inner, alias: b.root.alias}
		if st.joins, err = b.joins(); err != nil {
			return nil, err
		}
		if b.d.Features().Distributed {
			if st.joins, err = b.groupComputed(st.joins); err != nil {
				return nil, err
			}
		}
		st.order = append(outerRoot, childOrder...)
	} else {
		st.from = b.table(q.Model.Table(), b.root.alias)
		if st.joins, err = b.joins(); err != nil {
			return nil, err
		}
		if st.where, err = b.rootWhere(nil, terms); err != nil {
			return nil, err
		}
		if semiPage {
			page, _, _, err := b.rootQuery(terms, modePage, b.root.pk...)
			if err != nil {
				return nil, err
			}
			keys := &selectStmt{from: derived{body: page, alias: b.pageCTE}}
			lhs := make([]node, len(b.root.pk))
			for i, k := range b.root.pk {
				lhs[i] = b.col(b.root.alias, k)
				keys.items = append(keys.items, b.col(b.pageCTE, k))
			}
			st.where = append(slices.Clip(st.where), semiJoin{tuple(lhs), keys, false})
		}
		// the aggregates the roots are ordered by, needed for every root the filters leave:
		// grouped derived tables, read once (the order and the select list use them), not a
		// subquery per root. (The others stay subqueries: computed for the rows returned
		// only, where grouped they would read the whole association.)
		grouped := map[*computed]node{}
		for _, t := range terms {
			cv := t.cv
			if cv == nil || cv.agg == nil || t.n != b.root || grouped[cv] != nil {
				continue
			}
			j, g, err := b.grouped(cv)
			if err != nil {
				return nil, err
			}
			st.joins = append(st.joins, j)
			grouped[cv] = g
			b.selCols[cv.column].expr = g
		}
		for _, t := range terms {
			if g, ok := grouped[t.cv]; ok && t.cv != nil {
				st.order = append(st.order, t.by(g))
				continue
			}
			st.order = append(st.order, t.order())
		}
		if limited || q.Stream {
			st.order = append(st.order, b.pkTiebreak(terms)...)
		}
		if b.d.Features().Distributed {
			// (no correlated subquery beside the grouped tables in FROM)
			if st.joins, err = b.groupComputed(st.joins); err != nil {
				return nil, err
			}
		}
	}
	incOrder, err := b.includesOrder()
	if err != nil {
		return nil, err
	}
	st.order = append(st.order, incOrder...)
	if limited && !sub && !semiPage {
		st.limit = q.limits(where(b.root))
	}
	return st, nil
}

// groupComputed appends to joins a grouped derived table for each value computed over an
// association that the page of roots does not already hold, and makes it the value's
// expression: a distributed database (Citus) rejects correlated subqueries beside a
// subquery in FROM (the page of roots), and joins grouped tables on the distribution
// column their links carry. An include's value stays NULL where the include has no row.
func (b *builder) groupComputed(joins []join) ([]join, error) {
	for _, n := range b.nodes {
		if n.opts.FilterOnly {
			continue
		}
		for _, cv := range n.computed {
			if cv.agg == nil || cv.galias != "" || b.selCols[cv.column].pageCol != "" {
				continue // (an expression, or grouped already)
			}
			j, g, err := b.grouped(cv)
			if err != nil {
				return nil, err
			}
			joins = append(joins, j)
			if n != b.root {
				g = b.whereRow(n, g)
			}
			cv.expr = memo{done: true, n: g}
			b.selCols[cv.column].expr = g
		}
	}
	return joins, nil
}
