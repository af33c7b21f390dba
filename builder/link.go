package builder

import (
	"reflect"
	"slices"
	"strings"
	"sync"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

// link is how an include's rows attach to its parent's: the columns child of childAlias
// (the include's table, or for a BelongsToMany its join table) equal the columns parent of
// the parent's table, pairwise (the association's key lists, several columns for a
// multi-column key). Every statement shape joins, filters and folds by it.
type link struct {
	childAlias string
	child      []string
	parent     []string
	kinds      [4]hydrate.Kind // the scan kind of each pair of columns
	cols       []node          // child's columns, made once (childCols)
}

// linkOf is n's link to its parent (made once per node).
func (b *builder) linkOf(n *bnode) link {
	if n.link.child == nil {
		n.link = b.makeLink(n)
		if len(n.link.child) == 1 {
			n.linkCol = col{n.link.childAlias, n.link.child[0]}
			n.linkCols[0] = &n.linkCol
			n.link.cols = n.linkCols[:]
		} else {
			n.link.cols = n.link.makeChildCols()
		}
	}
	return n.link
}

func (b *builder) makeLink(n *bnode) link {
	a, p := n.assoc, n.parent
	switch a.Kind {
	case include.BelongsTo:
		return newLink(n.alias, a.TargetKeys, n.model, a.ForeignKeys, p.model)
	case include.BelongsToMany:
		return newLink(n.jalias, a.ForeignKeys, a.Through, a.SourceKeys, p.model)
	}
	return newLink(n.alias, a.ForeignKeys, n.model, a.SourceKeys, p.model)
}

// newLink links the columns child of childModel (nil for a join table without a model)
// under childAlias to the columns parent of parentModel; each pair scans as the parent's
// column's kind, else the child's.
func newLink(childAlias string, child []string, childModel *include.Model, parent []string, parentModel *include.Model) link {
	l := link{childAlias: childAlias, child: child, parent: parent}
	for i := range child {
		k := attrKind(parentModel, parent[i])
		if k == hydrate.Any {
			k = attrKind(childModel, child[i])
		}
		l.kinds[i] = k
	}
	return l
}

// targetLink is a BelongsToMany's link from its join table to its target: the target's
// key columns equal the join table's other-key columns.
func targetLink(n *bnode) link {
	return link{childAlias: n.alias, child: n.assoc.TargetKeys, parent: n.assoc.OtherKeys}
}

// on is the link's key equality with the parent's table under parentAlias:
// child.c1 = parent.p1 AND ...
func (b *builder) on(l link, parentAlias string) []node {
	out := b.lists.make(len(l.child))
	for i := range l.child {
		out = append(out, b.eqs.new(colEq{col{l.childAlias, l.child[i]}, col{parentAlias, l.parent[i]}}))
	}
	return out
}

// childCols are the child's columns of the link as expressions.
func (l link) childCols() []node {
	if l.cols != nil {
		return l.cols
	}
	return l.makeChildCols()
}

func (l link) makeChildCols() []node {
	out := make([]node, len(l.child))
	for i, c := range l.child {
		out[i] = col{l.childAlias, c}
	}
	return out
}

// tuple writes one column, or several as a row value: (a, b).
func tuple(cols []node) node {
	if len(cols) == 1 {
		return cols[0]
	}
	return seq{kw("("), commas(cols), kw(")")}
}

// outerCond is the ON condition of node n against its parent: the link, the source's
// scope, then the association's scope, the model's default scope and the include's
// filters. For a BelongsToMany it is the join table's condition; the target's is inner.
func (b *builder) outerCond(n *bnode) ([]node, error) {
	return b.outerCondOn(n, n.parent.alias)
}

// outerCondOn is outerCond with the parent's table under parentAlias.
func (b *builder) outerCondOn(n *bnode, parentAlias string) ([]node, error) {
	out := b.on(b.linkOf(n), parentAlias)
	s, err := b.sourcePreds(n)
	if err != nil {
		return nil, err
	}
	out = appendNode(out, s)
	if s, err = b.linkedPreds(n); err != nil {
		return nil, err
	}
	return appendNode(out, s), nil
}

// linkedPreds are n's own filters on the table its link is on: the join table's for a
// BelongsToMany (the target's are inside its group), else the target's.
func (b *builder) linkedPreds(n *bnode) (node, error) {
	if n.assoc.Kind == include.BelongsToMany {
		return b.throughPreds(n)
	}
	return b.targetPreds(n)
}

// appendNode appends n unless it is nil (an empty condition).
func appendNode(list []node, n node) []node {
	if n == nil {
		return list
	}
	return append(list, n)
}

// throughPreds renders the association's join-table scope, the include's join-table filters
// and the join model's default scope, on the join table; nil when there are none.
func (b *builder) throughPreds(n *bnode) (node, error) {
	return n.through.once(func() (node, error) {
		a := n.assoc
		preds := append(a.ThroughScope.Predicates(), n.opts.ThroughWhere...)
		if a.Through != nil && !n.opts.Unscoped {
			preds = append(preds, a.Through.DefaultScope().Predicates()...)
		}
		if t := n.model.Tenant(); b.query.OneTenant && t != "" && slices.Contains(a.ForeignKeys, t) {
			preds = append(preds, sq.Eq{t: b.query.TenantValue})
		}
		return b.preds(preds, &resolver{b: b, n: n, through: true}, n, " join-table")
	})
}

// targetPreds renders the association scope, the target's default scope and the include's
// filters on the target table; nil when there are none.
func (b *builder) targetPreds(n *bnode) (node, error) {
	return n.target.once(func() (node, error) {
		preds := n.assoc.Scope.Predicates()
		if !n.opts.Unscoped {
			preds = append(preds, n.model.DefaultScope().Predicates()...)
		}
		preds = append(preds, n.opts.Where...)
		if t := n.model.Tenant(); b.query.OneTenant && t != "" {
			preds = append(preds, sq.Eq{t: b.query.TenantValue})
		}
		return b.preds(preds, b.resolver(n, false), n, "")
	})
}

// sourcePreds renders the source's side of n's association on n's parent (a polymorphic
// BelongsTo's type test); nil when it has none.
func (b *builder) sourcePreds(n *bnode) (node, error) {
	return n.source.once(func() (node, error) {
		if n.assoc.SourceScope.Empty() {
			return nil, nil
		}
		s, a, err := n.assoc.SourceScope.Render(b.resolver(n.parent, false))
		if err != nil {
			return nil, wrapQ(where(n)+" source scope", err)
		}
		return raw{s, shareArgs(a), where(n) + " source scope"}, nil
	})
}

// preds renders predicates bound to r, ANDed, as one node with shared arguments (see
// memo); nil when there are none. An error names n's include (or the root) and what.
func (b *builder) preds(preds []sq.Sqlizer, r scope.Resolver, n *bnode, what string) (node, error) {
	if len(preds) == 0 {
		return nil, nil
	}
	var parts []string
	var args []any
	for _, p := range preds {
		s, a, err := scope.Render(p, r)
		if err != nil {
			return nil, wrapQ(where(n)+what, err)
		}
		parts = append(parts, s)
		args = append(args, a...)
	}
	return raw{strings.Join(parts, " AND "), shareArgs(args), where(n) + what + " filter"}, nil
}

// memo is a condition rendered once per statement. A statement may write it several times
// (every branch of a UNION ALL repeats the root filter and the filters of its ancestors):
// its arguments are shared, so a dialect that numbers its parameters sends them once.
type memo struct {
	done bool
	n    node
	err  error
}

func (m *memo) once(render func() (node, error)) (node, error) {
	if !m.done {
		m.done = true
		m.n, m.err = render()
	}
	return m.n, m.err
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
	if !paths {
		// (a resolver without paths keeps no state: one per node serves every predicate)
		if n.res.b == nil {
			n.res = resolver{b: b, n: n}
		}
		return &n.res
	}
	return b.resolvers.new(resolver{b: b, n: n, paths: paths})
}

func (r *resolver) Alias() string {
	if r.through {
		return r.b.q(r.n.jalias)
	}
	return r.b.q(r.n.alias)
}

func (r *resolver) ILike() bool { return r.b.d.Features().ILike }

// Column implements scope.Resolver: the qualified, quoted column.
func (r *resolver) Column(name string) (string, error) {
	c, err := r.column(name)
	if err != nil {
		return "", err
	}
	return r.b.str.quoted(r.b.d, c.table, c.name), nil
}

// ColumnExpr implements scope.ExprResolver: a value computed for the node's rows (Compute)
// is its expression, written with ? placeholders, and its arguments.
func (r *resolver) ColumnExpr(name string) (string, []any, bool, error) {
	if r.through {
		return "", nil, false, nil
	}
	cv := computedByName(r.n, name)
	if cv == nil {
		return "", nil, false, nil
	}
	e, err := r.b.computedExpr(r.n, cv)
	if err != nil {
		return "", nil, false, err
	}
	w := newRenderer(r.b.d)
	w.rewrite, w.appendP = false, nil // (the fragment is numbered where it is written)
	e.render(w)
	defer w.release()
	if w.err != nil {
		return "", nil, false, w.err
	}
	return string(w.buf), w.args, true, nil
}

// column resolves name to a table alias and a column.
func (r *resolver) column(name string) (col, error) {
	n := r.n
	if r.paths && strings.Contains(name, ".") {
		i := strings.LastIndexByte(name, '.')
		target, err := r.b.byPath(name[:i])
		if err != nil {
			return col{}, err
		}
		r.last = &target
		if r.used != nil {
			r.used[target.n] = true
		}
		n, name = target.n, name[i+1:]
		if target.through {
			return (&resolver{b: r.b, n: n, through: true}).column(name)
		}
	}
	if r.through {
		jm := n.assoc.Through
		if jm == nil {
			if !isIdent(name) {
				return col{}, qErr("%s: join-table column %q must be a bare column name", where(n), name)
			}
			return col{n.jalias, name}, nil
		}
		a, ok := jm.Attr(name)
		if !ok {
			return col{}, qErr("%s: unknown join-table column %q of %s; valid: %s", where(n), name, jm.Name(), strings.Join(jm.AttrNames(), ", "))
		}
		return col{n.jalias, a.Column}, nil
	}
	a, ok := n.model.Attr(name)
	if !ok {
		return col{}, qErr("%s: unknown column %q of %s; valid: %s", where(n), name, n.model.Name(), strings.Join(n.model.AttrNames(), ", "))
	}
	return col{n.alias, a.Column}, nil
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

// kinds caches kindOf: hydrate.KindOf chooses a field's setter to tell its kind.
var kinds sync.Map // reflect.Type -> hydrate.Kind

// kindOf is the hydrator's scan kind for a field of type t.
func kindOf(t reflect.Type) hydrate.Kind {
	if k, ok := kinds.Load(t); ok {
		return k.(hydrate.Kind)
	}
	k := hydrate.KindOf(t)
	kinds.Store(t, k)
	return k
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
	if a.GoType != nil {
		return kindOf(a.GoType)
	}
	return a.Type
}
