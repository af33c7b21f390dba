package builder

import (
	"database/sql"
	"database/sql/driver"
	"reflect"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

type rootMode int

const (
	modeSub   rootMode = iota // the limited roots of a statement with to-many includes
	modeCount                 // SELECT COUNT(*) of the roots
	modePage                  // the limited roots' keys and link columns (a UNION ALL's page)
)

// rootTerms parses the root order terms.
func (b *builder) rootTerms() ([]term, error) {
	var out []term
	for _, t := range b.query.OrderBy {
		pt, err := b.parseTerm(b.root, t, true)
		if err != nil {
			return nil, err
		}
		out = append(out, pt)
	}
	return out, nil
}

// orderBy compiles each include's own order, in pre-order of the tree.
func (b *builder) orderBy() ([]string, error) {
	var out []string
	for _, n := range b.nodes[1:] {
		for _, t := range n.opts.Order {
			s, err := b.orderTerm(n, t, false)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
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

// pkTiebreak lists the root's primary-key columns the order terms do not already name, so a
// paged order is total.
func (b *builder) pkTiebreak(terms []term) []string {
	seen := map[string]bool{}
	for _, t := range terms {
		if t.n == b.root {
			seen[t.col] = true
		}
	}
	var out []string
	for _, k := range b.query.Model.PrimaryKey() {
		c := b.q(b.root.alias) + "." + b.q(k)
		if !seen[c] {
			out = append(out, c)
		}
	}
	return out
}

// rootWhere renders the root's conditions: default scope, filters and keyset cursor. used
// collects the included nodes the filters name by path; nil allows any (the flat statement
// joins them all). Rendered once per statement (see memo); each call returns a fragment of
// its own to append to.
func (b *builder) rootWhere(used map[*bnode]bool, terms []term) (*frag, error) {
	s, args, err := b.rootCond.once(func() (string, []any, error) { return b.renderRootWhere(terms) })
	if err != nil {
		return nil, err
	}
	if used != nil {
		for n := range b.rootUsed {
			if !toOne(n) {
				return nil, qErr("root where names %q, a to-many include, in a query with Limit/Offset or Count: filter with a Required include and its Where instead", n.path)
			}
			used[n] = true
		}
	}
	w := &frag{}
	w.add(s, args...)
	return w, nil
}

func (b *builder) renderRootWhere(terms []term) (string, []any, error) {
	w := &frag{}
	and := func() {
		if w.Len() > 0 {
			w.add(" AND ")
		}
	}
	if !b.query.Unscoped {
		s, a, err := b.query.Model.DefaultScope().Render(b.resolver(b.root, false))
		if err != nil {
			return "", nil, qErr("default scope of %s: %v", b.query.Model.Name(), err)
		}
		if s != "" {
			and()
			w.add(s, a...)
		}
	}
	b.rootUsed = map[*bnode]bool{}
	for _, p := range b.query.Where {
		r := b.resolver(b.root, true)
		r.used = b.rootUsed
		s, a, err := b.render([]sq.Sqlizer{p}, r, "root where")
		if err != nil {
			return "", nil, err
		}
		and()
		w.add(s, a...)
	}
	if len(b.query.After) > 0 {
		s, a, err := b.keyset(terms)
		if err != nil {
			return "", nil, err
		}
		and()
		w.add(s, a...)
	}
	return w.String(), w.args, nil
}

// KeyPart is one column of a keyset cursor.
type KeyPart struct {
	Attr string // the root attribute (map key or struct db name) holding the value
	Desc bool
}

// KeysetColumns lists the root attributes whose values form a keyset cursor for q: its root
// order terms (root columns only) followed by the primary key.
func KeysetColumns(schema *include.Schema, q Query) ([]KeyPart, error) {
	b, err := newBuilder(schema, dialects.Postgres, q)
	if err != nil {
		return nil, err
	}
	terms, err := b.rootTerms()
	if err != nil {
		return nil, err
	}
	return b.keyParts(terms)
}

func (b *builder) keyParts(terms []term) ([]KeyPart, error) {
	var out []KeyPart
	seen := map[string]bool{}
	for _, t := range terms {
		if t.n != b.root {
			return nil, qErr("keyset pagination orders by root columns only; %q names an include", t.attr)
		}
		a, _ := b.query.Model.Attr(t.attr)
		out = append(out, KeyPart{Attr: a.Name, Desc: t.desc})
		seen[a.Column] = true
	}
	for _, k := range b.query.Model.PrimaryKey() {
		if !seen[k] {
			a, _ := b.query.Model.Attr(k)
			out = append(out, KeyPart{Attr: a.Name})
		}
	}
	return out, nil
}

// keyset renders "after the cursor": (a > ?) OR (a = ? AND b > ?) ..., each comparison in
// its column's direction and NULL-aware: a NULL cursor value compares with IS NULL, and the
// NULLs of a nullable column come after or before every value as the statement orders them
// (the term's NULLS FIRST/LAST, else the dialect's default), so no root is skipped or
// repeated across pages.
func (b *builder) keyset(terms []term) (string, []any, error) {
	parts, err := b.keyParts(terms)
	if err != nil {
		return "", nil, err
	}
	if len(parts) != len(b.query.After) {
		return "", nil, qErr("keyset cursor has %d values, the order needs %d (%v)", len(b.query.After), len(parts), parts)
	}
	type key struct {
		col        string
		null       bool // the cursor's value is NULL
		nullable   bool
		nullsFirst bool
		desc       bool
	}
	keys := make([]key, len(parts))
	for i, p := range parts {
		a, _ := b.query.Model.Attr(p.Attr)
		k := key{col: b.q(b.root.alias) + "." + b.q(a.Column), desc: p.Desc, nullable: nullable(a)}
		v := b.query.After[i]
		if isParam(v) {
			if k.nullable {
				return "", nil, qErr("keyset cursor value %d (%s) is a parameter, and %s can be NULL: pass the cursor's values (Cursor), not parameters, for a nullable order column", i+1, p.Attr, p.Attr)
			}
		} else {
			k.null = isNull(v)
		}
		if k.null && i >= len(terms) {
			return "", nil, qErr("keyset cursor value %d (%s) is NULL, and it is the primary key", i+1, p.Attr)
		}
		k.nullsFirst = !p.Desc != b.d.Features().NullsHigh // the dialect's default
		if i < len(terms) && terms[i].nulls != "" {
			k.nullsFirst = terms[i].nulls == "FIRST"
		}
		keys[i] = k
	}
	var ors []string
	var args []any
	for i, k := range keys {
		// strictly after the cursor's value in column i
		var after string
		var afterArgs []any
		switch {
		case k.null && k.nullsFirst:
			after = k.col + " IS NOT NULL"
		case k.null:
			continue // nothing follows NULL when NULLs come last
		default:
			op := " > ?"
			if k.desc {
				op = " < ?"
			}
			after, afterArgs = k.col+op, []any{b.query.After[i]}
			if k.nullable && !k.nullsFirst {
				after = "(" + after + " OR " + k.col + " IS NULL)"
			}
		}
		var ands []string
		for j := 0; j < i; j++ {
			if keys[j].null {
				ands = append(ands, keys[j].col+" IS NULL")
				continue
			}
			ands = append(ands, keys[j].col+" = ?")
			args = append(args, b.query.After[j])
		}
		ands = append(ands, after)
		args = append(args, afterArgs...)
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")", args, nil
}

// nullable reports whether attribute a can hold NULL: a pointer, interface, slice or map
// field, or a sql.Scanner (sql.NullString ...); a run-time model's attributes may.
func nullable(a include.Attr) bool {
	if a.Field == nil {
		return true
	}
	t := a.Field.Type
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return true
	}
	return t.Implements(scannerType) || reflect.PointerTo(t).Implements(scannerType)
}

var scannerType = reflect.TypeOf((*sql.Scanner)(nil)).Elem()

// isNull reports whether a cursor value is NULL: nil, a nil pointer, or a driver.Valuer
// whose value is nil (sql.NullString{}).
func isNull(v any) bool {
	if v == nil {
		return true
	}
	if vr, ok := v.(driver.Valuer); ok {
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			return true
		}
		dv, err := vr.Value()
		return err == nil && dv == nil
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// isParam reports whether v is bound later (joinery.Param): its NULL-ness is not known
// when the statement is compiled.
func isParam(v any) bool {
	_, ok := v.(interface{ ParamName() string })
	return ok
}

// exists renders a required root include as EXISTS (SELECT 1 FROM <its factor> WHERE <its
// join condition>): the factor brings its required descendants along.
func (b *builder) exists(w *frag, n *bnode) error {
	w.add("EXISTS (SELECT 1 FROM ")
	if n.opts.HasLimit {
		return qErr("%s: a required include with a per-include Limit cannot filter the roots", where(n))
	}
	if err := b.factor(w, n, "", false); err != nil {
		return err
	}
	c, err := b.outerCond(n)
	if err != nil {
		return err
	}
	w.add(" WHERE "+c.sql+")", c.args...)
	return nil
}

// chain writes FROM <p1> INNER JOIN <p2> ON .. down to n (p1 a child of the root) and the
// condition linking p1 to the root, for a correlated subquery over a to-many path.
func (b *builder) chain(w *frag, n *bnode) error {
	var path []*bnode
	for x := n; x.parent != nil; x = x.parent {
		path = append([]*bnode{x}, path...)
	}
	w.add(" FROM ")
	for i, x := range path {
		if i > 0 {
			w.add(" INNER JOIN ")
		}
		if err := b.plainFactor(w, x); err != nil {
			return err
		}
		if i > 0 {
			c, err := b.outerCond(x)
			if err != nil {
				return err
			}
			w.add(" ON "+c.sql, c.args...)
		}
	}
	c, err := b.outerCond(path[0])
	if err != nil {
		return err
	}
	w.add(" WHERE "+c.sql, c.args...)
	// a path node exists in the statement only with its required children
	for i, x := range path {
		var next *bnode
		if i+1 < len(path) {
			next = path[i+1]
		}
		if err := b.requiredExists(w, x, next); err != nil {
			return err
		}
	}
	return nil
}

// requiredExists appends " AND EXISTS (...)" for each required child of x but skip: the
// condition under which x appears in the statement at all.
func (b *builder) requiredExists(w *frag, x, skip *bnode) error {
	for _, c := range x.children {
		if c == skip || !c.opts.Required {
			continue
		}
		w.add(" AND ")
		if err := b.exists(w, c); err != nil {
			return err
		}
	}
	return nil
}

// plainFactor is n's table (for a BelongsToMany, its join group) without its children.
func (b *builder) plainFactor(w *frag, n *bnode) error {
	if n.jalias == "" {
		w.add(b.q(n.model.Table()) + " AS " + b.q(n.alias))
		return nil
	}
	a := n.assoc
	w.add("(" + b.q(a.ThroughTable) + " AS " + b.q(n.jalias) + " INNER JOIN " + b.q(n.model.Table()) + " AS " + b.q(n.alias) +
		" ON " + b.q(n.alias) + "." + b.q(a.TargetKey) + " = " + b.q(n.jalias) + "." + b.q(a.OtherKey))
	s, args, err := b.targetPreds(n)
	if err != nil {
		return err
	}
	if s != "" {
		w.add(" AND "+s, args...)
	}
	w.add(")")
	return nil
}

// rootQuery writes the root-level statement: the limited roots (modeSub), the columns cols of
// the limited roots (modePage) or their count (modeCount). For modeSub and modePage it returns
// the ORDER BY terms of the roots outside it, and the terms ordering the to-many children an
// order term names.
func (b *builder) rootQuery(w *frag, terms []term, mode rootMode, cols ...string) (outerOrder, childOrder []string, err error) {
	used := map[*bnode]bool{}
	// order terms on to-one paths join inside; to-many paths become MIN/MAX subqueries
	var exposed []string // inner select expressions "expr AS o"
	var exposedArgs []any
	var innerOrder []string
	limited := mode == modeSub || mode == modePage
	if limited {
		for i, t := range terms {
			switch {
			case t.n == b.root:
				innerOrder = append(innerOrder, t.sql(t.col))
				outerOrder = append(outerOrder, t.sql(t.col))
			case toOne(t.n):
				used[t.n] = true
				o := b.orderCol(i)
				exposed = append(exposed, t.col+" AS "+b.q(o))
				innerOrder = append(innerOrder, t.sql(b.q(o)))
				outerOrder = append(outerOrder, t.sql(b.q(b.root.alias)+"."+b.q(o)))
			default:
				agg := "MIN"
				if t.desc {
					agg = "MAX"
				}
				o := b.orderCol(i)
				sub := &frag{}
				sub.add("(SELECT " + agg + "(" + t.col + ")")
				if err := b.chain(sub, t.n); err != nil {
					return nil, nil, err
				}
				sub.add(") AS " + b.q(o))
				exposed = append(exposed, sub.String())
				exposedArgs = append(exposedArgs, sub.args...)
				innerOrder = append(innerOrder, t.sql(b.q(o)))
				outerOrder = append(outerOrder, t.sql(b.q(b.root.alias)+"."+b.q(o)))
				childOrder = append(childOrder, t.sql(t.col))
			}
		}
		tie := b.pkTiebreak(terms)
		innerOrder = append(innerOrder, tie...)
		outerOrder = append(outerOrder, tie...)
	}
	cond, err := b.rootWhere(used, terms)
	if err != nil {
		return nil, nil, err
	}
	// required root includes filter the roots
	for _, c := range b.root.children {
		if !c.opts.Required {
			continue
		}
		if cond.Len() > 0 {
			cond.add(" AND ")
		}
		if err := b.exists(cond, c); err != nil {
			return nil, nil, err
		}
	}
	switch mode {
	case modeCount:
		w.add("SELECT COUNT(*)")
	default:
		w.add("SELECT ")
		if mode == modeSub {
			cols = cols[:0]
			for _, a := range b.query.Model.Attrs() {
				cols = append(cols, a.Column)
			}
		}
		for i, c := range cols {
			if i > 0 {
				w.add(", ")
			}
			w.add(b.q(b.root.alias) + "." + b.q(c))
		}
		for _, e := range exposed {
			w.add(", " + e)
		}
		w.args = append(w.args, exposedArgs...)
	}
	w.add(" FROM " + b.q(b.query.Model.Table()) + " AS " + b.q(b.root.alias))
	// to-one includes named by root filters or order terms
	if err := b.toOneJoins(w, used); err != nil {
		return nil, nil, err
	}
	if cond.Len() > 0 {
		w.add(" WHERE ")
		w.addFrag(cond)
	}
	if limited && (b.query.HasLimit || b.query.Offset > 0) {
		// (the roots of a WITH clause that only shares the root's conditions need no order)
		w.add(" ORDER BY " + strings.Join(innerOrder, ", "))
		b.limitClause(w, b.query.HasLimit, b.query.Limit, b.query.Offset)
	}
	return outerOrder, childOrder, nil
}

// toOneJoins LEFT JOINs the to-one includes in set, with their ancestors, in pre-order, into a
// statement over the root table alone (the root subquery, the root's branch), each existing
// only with its required children as in the full statement.
func (b *builder) toOneJoins(w *frag, set map[*bnode]bool) error {
	for n := range set {
		for x := n.parent; x != nil && x != b.root; x = x.parent {
			set[x] = true
		}
	}
	for _, n := range b.nodes[1:] {
		if !set[n] {
			continue
		}
		w.add(" LEFT JOIN ")
		if err := b.plainFactor(w, n); err != nil {
			return err
		}
		c, err := b.outerCond(n)
		if err != nil {
			return err
		}
		w.add(" ON "+c.sql, c.args...)
		if err := b.requiredExists(w, n, nil); err != nil {
			return err
		}
	}
	return nil
}
