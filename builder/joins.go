package builder

import (
	"math"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/meta"
	"github.com/joinery/joinery/scope"
)

func (b *builder) throughKind(st *meta.Struct, col string) hydrate.Kind {
	if st == nil {
		return hydrate.Any
	}
	for _, f := range st.Through {
		if f.Name == col {
			return hydrate.KindOf(f.Type)
		}
		if f.Name == "" {
			if fs, err := meta.Of(f.Type); err == nil {
				if c := fs.Column(col); c != nil {
					return hydrate.KindOf(c.Type)
				}
			}
		}
	}
	return hydrate.Any
}

func (b *builder) throughKindAttr(st *meta.Struct, at include.Attr) hydrate.Kind {
	if st != nil {
		return b.throughKind(st, at.Name)
	}
	if at.Field != nil {
		return hydrate.KindOf(at.Field.Type)
	}
	return hydrate.Kind(at.Type)
}

// resolver binds predicates to one node's target table (or its join table).
type resolver struct {
	b       *builder
	n       *bnode
	through bool
	paths   bool // root where / order: "posts.title" names an included column
	// last is the included node the last path column resolved to; used collects them.
	last *pathTarget
	used map[*bnode]bool
}

func (b *builder) resolver(n *bnode, paths bool) *resolver {
	return &resolver{b: b, n: n, paths: paths}
}

func (r *resolver) Alias() string {
	if r.through {
		return r.b.q(r.n.jalias)
	}
	return r.b.q(r.n.alias)
}

func (r *resolver) ILike() bool { return r.b.d.Features().ILike }

func (r *resolver) Column(name string) (string, error) {
	n := r.n
	if r.paths && strings.Contains(name, ".") {
		i := strings.LastIndexByte(name, '.')
		target, err := r.b.byPath(name[:i])
		if err != nil {
			return "", err
		}
		r.last = &target
		if r.used != nil {
			r.used[target.n] = true
		}
		n, name = target.n, name[i+1:]
		if target.through {
			return (&resolver{b: r.b, n: n, through: true}).Column(name)
		}
	}
	if r.through {
		jm := n.assoc.Through
		if jm == nil {
			if !isIdent(name) {
				return "", qErr("%s: join-table column %q must be a bare column name", where(n), name)
			}
			return r.b.q(n.jalias) + "." + r.b.q(name), nil
		}
		a, ok := jm.Attr(name)
		if !ok {
			return "", qErr("%s: unknown join-table column %q of %s; valid: %s", where(n), name, jm.Name(), strings.Join(jm.AttrNames(), ", "))
		}
		return r.b.q(n.jalias) + "." + r.b.q(a.Column), nil
	}
	a, ok := n.model.Attr(name)
	if !ok {
		return "", qErr("%s: unknown column %q of %s; valid: %s", where(n), name, n.model.Name(), strings.Join(n.model.AttrNames(), ", "))
	}
	return r.b.q(n.alias) + "." + r.b.q(a.Column), nil
}

type pathTarget struct {
	n       *bnode
	through bool
}

// byPath finds an included node by alias path; a last segment "@through" names the join
// table of a BelongsToMany.
func (b *builder) byPath(path string) (pathTarget, error) {
	through := false
	if strings.HasSuffix(path, ".@through") {
		path, through = strings.TrimSuffix(path, ".@through"), true
	}
	for _, n := range b.nodes[1:] {
		if strings.EqualFold(n.path, path) {
			if through && n.jalias == "" {
				return pathTarget{}, qErr("%q is not a BelongsToMany include: it has no join table", path)
			}
			return pathTarget{n: n, through: through}, nil
		}
	}
	var valid []string
	for _, n := range b.nodes[1:] {
		valid = append(valid, n.path)
	}
	list := "none"
	if len(valid) > 0 {
		list = strings.Join(valid, ", ")
	}
	return pathTarget{}, qErr("%q is not an included path; included: %s", path, list)
}

// render renders predicates bound to r, ANDed, appending their args.
func (b *builder) render(preds []sq.Sqlizer, r scope.Resolver, what string) (string, []any, error) {
	var parts []string
	var args []any
	for _, p := range preds {
		s, a, err := scope.Render(p, r)
		if err != nil {
			return "", nil, qErr("%s: %v", what, err)
		}
		parts = append(parts, s)
		args = append(args, a...)
	}
	return strings.Join(parts, " AND "), args, nil
}

// cond is the ON condition of node n against its parent: the key equality, then the
// association's scope, the model's default scope and the include's filters. For a
// BelongsToMany it is the join table's condition; the target's is inner.
type cond struct {
	sql  string
	args []any
}

func (b *builder) outerCond(n *bnode) (cond, error) {
	a, p := n.assoc, n.parent
	var parts []string
	var args []any
	switch a.Kind {
	case include.BelongsTo:
		parts = append(parts, b.q(n.alias)+"."+b.q(a.TargetKey)+" = "+b.q(p.alias)+"."+b.q(a.ForeignKey))
	case include.HasOne, include.HasMany:
		parts = append(parts, b.q(n.alias)+"."+b.q(a.ForeignKey)+" = "+b.q(p.alias)+"."+b.q(a.SourceKey))
	case include.BelongsToMany:
		parts = append(parts, b.q(n.jalias)+"."+b.q(a.ForeignKey)+" = "+b.q(p.alias)+"."+b.q(a.SourceKey))
	}
	// the source's side of the association (a polymorphic BelongsTo's type test)
	if s, sa, err := b.sourcePreds(n); err != nil {
		return cond{}, err
	} else if s != "" {
		parts = append(parts, s)
		args = append(args, sa...)
	}
	if a.Kind == include.BelongsToMany {
		s, sa, err := b.throughPreds(n)
		if err != nil {
			return cond{}, err
		}
		if s != "" {
			parts = append(parts, s)
			args = append(args, sa...)
		}
		return cond{strings.Join(parts, " AND "), args}, nil
	}
	s, sa, err := b.targetPreds(n)
	if err != nil {
		return cond{}, err
	}
	if s != "" {
		parts = append(parts, s)
		args = append(args, sa...)
	}
	return cond{strings.Join(parts, " AND "), args}, nil
}

// throughPreds renders the association's join-table scope, the include's join-table filters
// and the join model's default scope, on the join table.
func (b *builder) throughPreds(n *bnode) (string, []any, error) {
	return n.through.once(func() (string, []any, error) { return b.renderThroughPreds(n) })
}

func (b *builder) renderThroughPreds(n *bnode) (string, []any, error) {
	a := n.assoc
	preds := append(a.ThroughScope.Predicates(), n.opts.ThroughWhere...)
	if a.Through != nil && !n.opts.Unscoped {
		preds = append(preds, a.Through.DefaultScope().Predicates()...)
	}
	return b.render(preds, &resolver{b: b, n: n, through: true}, where(n)+" join table")
}

// targetPreds renders the association scope, the target's default scope and the include's
// filters on the target table.
func (b *builder) targetPreds(n *bnode) (string, []any, error) {
	return n.target.once(func() (string, []any, error) { return b.renderTargetPreds(n) })
}

func (b *builder) renderTargetPreds(n *bnode) (string, []any, error) {
	preds := n.assoc.Scope.Predicates()
	if !n.opts.Unscoped {
		preds = append(preds, n.model.DefaultScope().Predicates()...)
	}
	preds = append(preds, n.opts.Where...)
	return b.render(preds, b.resolver(n, false), where(n))
}

// sourcePreds renders the source's side of n's association on n's parent (a polymorphic
// BelongsTo's type test), "" when it has none.
func (b *builder) sourcePreds(n *bnode) (string, []any, error) {
	return n.source.once(func() (string, []any, error) {
		if n.assoc.SourceScope.Empty() {
			return "", nil, nil
		}
		s, a, err := n.assoc.SourceScope.Render(b.resolver(n.parent, false))
		if err != nil {
			return "", nil, qErr("%s: source scope: %v", where(n), err)
		}
		return s, a, nil
	})
}

// memo is a predicate rendered once per statement. A statement may write it several times
// (every branch of a UNION ALL repeats the root filter and the filters of its ancestors):
// its arguments are shared, so a dialect that numbers its parameters sends them once.
type memo struct {
	done bool
	sql  string
	args []any
	err  error
}

func (m *memo) once(render func() (string, []any, error)) (string, []any, error) {
	if !m.done {
		m.done = true
		m.sql, m.args, m.err = render()
		m.args = shareArgs(m.args)
	}
	return m.sql, m.args, m.err
}

// frag is a piece of SQL text with the arguments of its placeholders, in text order.
type frag struct {
	strings.Builder
	args []any
}

func (f *frag) add(sql string, args ...any) {
	f.WriteString(sql)
	f.args = append(f.args, args...)
}

func (f *frag) addFrag(o *frag) { f.add(o.String(), o.args...) }

// factor writes the table factor of n: its table (for a BelongsToMany, the join table and the
// target as a group) and, inside the same group, its required children, so that an optional
// n with a required child drops only n, never n's parent. record registers the aliases for
// Explain (false for the copies inside EXISTS and ORDER BY subqueries). A per-include limit
// makes the factor a LATERAL subquery or a ROW_NUMBER() window (see limited).
func (b *builder) factor(w *frag, n *bnode, join string, record bool) error {
	var req []*bnode
	for _, c := range n.children {
		if c.opts.Required {
			req = append(req, c)
		}
	}
	group := n.jalias != "" || len(req) > 0
	if group {
		w.add("(")
		join += " (group)"
	}
	path := n.path
	switch {
	case n.opts.HasLimit:
		if err := b.limited(w, n); err != nil {
			return err
		}
		if record {
			b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.alias, Table: n.model.Table(), Path: path, Join: join + " (limited)"})
		}
	case n.jalias != "":
		a := n.assoc
		if record {
			b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.jalias, Table: a.ThroughTable, Path: path + ".@through", Join: join})
		}
		w.add(b.q(a.ThroughTable) + " AS " + b.q(n.jalias) + " INNER JOIN ")
		w.add(b.q(n.model.Table()) + " AS " + b.q(n.alias) + " ON " +
			b.q(n.alias) + "." + b.q(a.TargetKey) + " = " + b.q(n.jalias) + "." + b.q(a.OtherKey))
		s, args, err := b.targetPreds(n)
		if err != nil {
			return err
		}
		if s != "" {
			w.add(" AND "+s, args...)
		}
		if record {
			b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.alias, Table: n.model.Table(), Path: path, Join: "INNER JOIN"})
		}
	default:
		w.add(b.q(n.model.Table()) + " AS " + b.q(n.alias))
		if record {
			b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.alias, Table: n.model.Table(), Path: path, Join: join})
		}
	}
	for _, c := range req {
		if err := b.join(w, c, "INNER JOIN", record); err != nil {
			return err
		}
	}
	if group {
		w.add(")")
	}
	return nil
}

// limited writes the factor of an include with a per-parent Limit/Offset: on databases with
// LATERAL, a LATERAL subquery holding the join condition, the filters, the order and the
// limit; elsewhere a derived table numbering each parent's rows with ROW_NUMBER(), whose
// window bounds go in the ON clause (see joinCond).
func (b *builder) limited(w *frag, n *bnode) error {
	a := n.assoc
	if err := limitable(n); err != nil {
		return err
	}
	order, err := b.includeOrder(n)
	if err != nil {
		return err
	}
	if a.Kind == include.BelongsToMany {
		// the join rows numbered per parent (the window sees the target's columns for the
		// order and its filters), then the target joined to the rows kept
		if err := b.numberedThrough(w, n, order, nil); err != nil {
			return err
		}
		w.add(" INNER JOIN " + b.q(n.model.Table()) + " AS " + b.q(n.alias) + " ON " +
			b.q(n.alias) + "." + b.q(a.TargetKey) + " = " + b.q(n.jalias) + "." + b.q(a.OtherKey))
		return nil
	}
	tbl := b.q(n.model.Table()) + " AS " + b.q(n.alias)
	if b.d.Features().Lateral {
		c, err := b.outerCond(n)
		if err != nil {
			return err
		}
		w.add("LATERAL (SELECT * FROM " + tbl + " WHERE ")
		w.add(c.sql, c.args...)
		w.add(" ORDER BY " + strings.Join(order, ", "))
		b.limitClause(w, n.opts.LimitSet, n.opts.Limit, n.opts.Offset)
		w.add(") AS " + b.q(n.alias))
		return nil
	}
	w.add("(SELECT " + b.columnList(n.alias, n.model) + ", ROW_NUMBER() OVER (PARTITION BY " + b.q(n.alias) + "." + b.q(a.ForeignKey) +
		" ORDER BY " + strings.Join(order, ", ") + ") AS " + b.q(b.rowNumber) + " FROM " + tbl)
	s, args, err := b.targetPreds(n)
	if err != nil {
		return err
	}
	if s != "" {
		w.add(" WHERE "+s, args...)
	}
	w.add(") AS " + b.q(n.alias))
	return nil
}

// limitable reports whether n's association can be limited per parent.
func limitable(n *bnode) error {
	if a := n.assoc; a.Kind == include.BelongsTo {
		return qErr("%s: a per-include Limit/Offset applies to HasMany, HasOne and BelongsToMany includes, and %s is a %s (one target per parent)", where(n), a.As, a.Kind)
	}
	return nil
}

// numberedThrough writes a BelongsToMany include's join table as a derived table under the
// join table's alias: its rows (joined to the target for the order and the target's
// filters) numbered per parent by ROW_NUMBER() in the include's order, filtered by the
// join-table filters and, when cond is given, by cond.
func (b *builder) numberedThrough(w *frag, n *bnode, order []string, cond *frag) error {
	a := n.assoc
	j := b.q(n.jalias)
	cols := j + ".*" // a join table declared by name only: its columns are not known
	if a.Through != nil {
		cols = b.columnList(n.jalias, a.Through)
	}
	w.add("(SELECT " + cols + ", ROW_NUMBER() OVER (PARTITION BY " + j + "." + b.q(a.ForeignKey) +
		" ORDER BY " + strings.Join(order, ", ") + ") AS " + b.q(b.rowNumber) +
		" FROM " + b.q(a.ThroughTable) + " AS " + j + " INNER JOIN " + b.q(n.model.Table()) + " AS " + b.q(n.alias) +
		" ON " + b.q(n.alias) + "." + b.q(a.TargetKey) + " = " + j + "." + b.q(a.OtherKey))
	s, args, err := b.targetPreds(n)
	if err != nil {
		return err
	}
	if s != "" {
		w.add(" AND "+s, args...)
	}
	switch {
	case cond != nil && cond.Len() > 0:
		w.add(" WHERE ")
		w.addFrag(cond)
	case cond == nil:
		ts, targs, err := b.throughPreds(n)
		if err != nil {
			return err
		}
		if ts != "" {
			w.add(" WHERE "+ts, targs...)
		}
	}
	w.add(") AS " + j)
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

// includeOrder is n's own order terms followed by its primary key, so a limit per parent
// picks the same rows every time.
func (b *builder) includeOrder(n *bnode) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, t := range n.opts.Order {
		s, err := b.orderTerm(n, t, false)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		seen[strings.Fields(s)[0]] = true
	}
	for _, k := range n.model.PrimaryKey() {
		c := b.q(n.alias) + "." + b.q(k)
		if !seen[c] {
			out = append(out, c)
		}
	}
	return out, nil
}

// limitClause writes LIMIT/OFFSET in the dialect's spelling; values are arguments, at most
// math.MaxInt64 (what every database takes, and more rows than any holds).
func (b *builder) limitClause(w *frag, hasLimit bool, limit, offset uint64) {
	switch {
	case hasLimit:
		w.add(" LIMIT ?", capInt64(limit))
	case offset > 0 && b.d.Features().UnboundedLimit != "":
		w.add(" LIMIT " + b.d.Features().UnboundedLimit)
	}
	if offset > 0 {
		w.add(" OFFSET ?", capInt64(offset))
	}
}

// capInt64 is u, or math.MaxInt64 when u is larger: a LIMIT or OFFSET argument that every
// driver converts (database/sql refuses a uint64 with its high bit set).
func capInt64(u uint64) uint64 { return min(u, math.MaxInt64) }

// windowBounds writes the ordinal bounds of a per-parent Limit/Offset on the numbered rows
// rn: rn > offset, and rn <= offset + limit unless that sum passes every ordinal (checked:
// a wrapped sum would keep nothing).
func windowBounds(w *frag, rn string, o *include.Resolved) {
	w.add(rn+" > ?", capInt64(o.Offset))
	if o.LimitSet && o.Limit <= math.MaxInt64-capInt64(o.Offset) {
		w.add(" AND "+rn+" <= ?", o.Offset+o.Limit)
	}
}

// join writes " <kind> <factor> ON <cond>" for n.
func (b *builder) join(w *frag, n *bnode, kind string, record bool) error {
	w.add(" " + kind + " ")
	if err := b.factor(w, n, kind, record); err != nil {
		return err
	}
	return b.joinCond(w, n)
}

// joinCond writes n's ON clause.
func (b *builder) joinCond(w *frag, n *bnode) error {
	if n.opts.HasLimit {
		if b.d.Features().Lateral && n.jalias == "" {
			w.add(" ON TRUE")
			return nil
		}
		// the window's derived table already applied the target's (and join table's) filters
		a, p := n.assoc, n.parent
		w.add(" ON " + b.q(limitedAlias(n)) + "." + b.q(a.ForeignKey) + " = " + b.q(p.alias) + "." + b.q(a.SourceKey))
		if s, sa, err := b.sourcePreds(n); err != nil {
			return err
		} else if s != "" {
			w.add(" AND "+s, sa...)
		}
		w.add(" AND ")
		windowBounds(w, b.q(limitedAlias(n))+"."+b.q(b.rowNumber), n.opts)
		return nil
	}
	c, err := b.outerCond(n)
	if err != nil {
		return err
	}
	w.add(" ON "+c.sql, c.args...)
	return nil
}

// joins writes every join of the outer statement: the root's required children as INNER
// JOINs, every optional include as a LEFT JOIN after the factor that brings its parent into
// scope.
func (b *builder) joins(w *frag) error {
	for _, c := range b.root.children {
		kind := "LEFT JOIN"
		if c.opts.Required {
			kind = "INNER JOIN"
		}
		if err := b.join(w, c, kind, true); err != nil {
			return err
		}
		if err := b.joinsAfter(w, c); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) joinsAfter(w *frag, n *bnode) error {
	for _, c := range n.children {
		if !c.opts.Required {
			if err := b.join(w, c, "LEFT JOIN", true); err != nil {
				return err
			}
		}
		if err := b.joinsAfter(w, c); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) orderTerm(n *bnode, term string, paths bool) (string, error) {
	t, err := b.parseTerm(n, term, paths)
	if err != nil {
		return "", err
	}
	return t.sql(t.col), nil
}

// uses is how many times sql writes its expression (twice where NULLS FIRST/LAST is
// emulated): an expression with arguments needs them that many times.
func (t term) uses() int {
	if t.nulls != "" && !t.native {
		return 2
	}
	return 1
}

// sql renders the term over expr: "expr DESC", with NULLS FIRST/LAST native where the
// dialect has it and emulated ("expr IS NULL DESC, expr DESC") where it does not.
func (t term) sql(expr string) string {
	switch {
	case t.nulls == "":
		return expr + t.dir
	case t.native:
		return expr + t.dir + " NULLS " + t.nulls
	case t.nulls == "FIRST":
		return expr + " IS NULL DESC, " + expr + t.dir
	default:
		return expr + " IS NULL, " + expr + t.dir
	}
}

// term is a parsed order term.
type term struct {
	n       *bnode // the node whose table holds the column
	through bool   // the column is on n's join table
	col     string // qualified, quoted column
	attr    string // attribute name
	dir     string // "", " ASC", " DESC"
	desc    bool
	nulls   string // "", "FIRST", "LAST"
	native  bool   // the dialect spells NULLS FIRST/LAST itself
}

func (b *builder) parseTerm(n *bnode, text string, paths bool) (term, error) {
	f := strings.Fields(text)
	if len(f) == 0 {
		return term{}, qErr("%s: empty order term", where(n))
	}
	t := term{n: n}
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
	r := b.resolver(n, paths)
	col, err := r.Column(f[0])
	if err != nil {
		return term{}, err
	}
	t.col, t.attr = col, f[0]
	if r.last != nil {
		t.n, t.through = r.last.n, r.last.through
		t.attr = f[0][strings.LastIndexByte(f[0], '.')+1:]
	}
	return t, nil
}
