package builder

import (
	"reflect"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/meta"
	"github.com/joinery/joinery/scope"
)

func metaOf(t reflect.Type) (*meta.Struct, error) { return meta.Of(t) }

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
	if !a.SourceScope.Empty() {
		s, sa, err := a.SourceScope.Render(b.resolver(p, false))
		if err != nil {
			return cond{}, qErr("%s: source scope: %v", where(n), err)
		}
		parts = append(parts, s)
		args = append(args, sa...)
	}
	if a.Kind == include.BelongsToMany {
		r := &resolver{b: b, n: n, through: true}
		preds := append(a.ThroughScope.Predicates(), n.opts.ThroughWhere...)
		if a.Through != nil && !n.opts.Unscoped {
			preds = append(preds, a.Through.DefaultScope().Predicates()...)
		}
		s, sa, err := b.render(preds, r, where(n)+" join table")
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

// targetPreds renders the association scope, the target's default scope and the include's
// filters on the target table.
func (b *builder) targetPreds(n *bnode) (string, []any, error) {
	preds := n.assoc.Scope.Predicates()
	if !n.opts.Unscoped {
		preds = append(preds, n.model.DefaultScope().Predicates()...)
	}
	preds = append(preds, n.opts.Where...)
	return b.render(preds, b.resolver(n, false), where(n))
}

// factor writes the table factor of n: its table (for a BelongsToMany, the join table and the
// target as a group) and, inside the same group, its required children, so that an optional
// n with a required child drops only n, never n's parent.
func (b *builder) factor(sql *strings.Builder, n *bnode, join string) error {
	var req []*bnode
	for _, c := range n.children {
		if c.opts.Required {
			req = append(req, c)
		}
	}
	group := n.jalias != "" || len(req) > 0
	if group {
		sql.WriteByte('(')
		join += " (group)"
	}
	path := n.path
	if n.jalias != "" {
		a := n.assoc
		b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.jalias, Table: a.ThroughTable, Path: path + ".@through", Join: join})
		sql.WriteString(b.q(a.ThroughTable) + " AS " + b.q(n.jalias) + " INNER JOIN ")
		sql.WriteString(b.q(n.model.Table()) + " AS " + b.q(n.alias) + " ON " +
			b.q(n.alias) + "." + b.q(a.TargetKey) + " = " + b.q(n.jalias) + "." + b.q(a.OtherKey))
		s, args, err := b.targetPreds(n)
		if err != nil {
			return err
		}
		if s != "" {
			sql.WriteString(" AND " + s)
			b.args = append(b.args, args...)
		}
		b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.alias, Table: n.model.Table(), Path: path, Join: "INNER JOIN"})
	} else {
		sql.WriteString(b.q(n.model.Table()) + " AS " + b.q(n.alias))
		b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.alias, Table: n.model.Table(), Path: path, Join: join})
	}
	for _, c := range req {
		if err := b.join(sql, c, "INNER JOIN"); err != nil {
			return err
		}
	}
	if group {
		sql.WriteByte(')')
	}
	return nil
}

// join writes " <kind> <factor> ON <cond>" for n.
func (b *builder) join(sql *strings.Builder, n *bnode, kind string) error {
	sql.WriteString(" " + kind + " ")
	// the ON condition's arguments follow the factor's in the text
	if err := b.factor(sql, n, kind); err != nil {
		return err
	}
	c, err := b.outerCond(n)
	if err != nil {
		return err
	}
	sql.WriteString(" ON " + c.sql)
	b.args = append(b.args, c.args...)
	return nil
}

// joins writes every join: the root's required children as INNER JOINs, every optional
// include as a LEFT JOIN after the factor that brings its parent into scope.
func (b *builder) joins(sql *strings.Builder) error {
	for _, c := range b.root.children {
		kind := "LEFT JOIN"
		if c.opts.Required {
			kind = "INNER JOIN"
		}
		if err := b.join(sql, c, kind); err != nil {
			return err
		}
		if err := b.joinsAfter(sql, c); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) joinsAfter(sql *strings.Builder, n *bnode) error {
	for _, c := range n.children {
		if !c.opts.Required {
			if err := b.join(sql, c, "LEFT JOIN"); err != nil {
				return err
			}
		}
		if err := b.joinsAfter(sql, c); err != nil {
			return err
		}
	}
	return nil
}

// orderBy compiles the root order terms, then each include's own order in pre-order.
func (b *builder) orderBy(root []string) ([]string, error) {
	var out []string
	for _, t := range root {
		s, err := b.orderTerm(b.root, t, true)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
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

func (b *builder) orderTerm(n *bnode, term string, paths bool) (string, error) {
	f := strings.Fields(term)
	if len(f) == 0 {
		return "", qErr("%s: empty order term", where(n))
	}
	dir := ""
	rest := f[1:]
	if len(rest) > 0 {
		switch strings.ToUpper(rest[0]) {
		case "ASC", "DESC":
			dir = " " + strings.ToUpper(rest[0])
			rest = rest[1:]
		}
	}
	if len(rest) == 2 && strings.EqualFold(rest[0], "NULLS") && (strings.EqualFold(rest[1], "FIRST") || strings.EqualFold(rest[1], "LAST")) {
		if !b.d.Features().NullsOrdering {
			return "", qErr("%s: order term %q: %s has no NULLS FIRST/LAST", where(n), term, b.d.Name())
		}
		dir += " NULLS " + strings.ToUpper(rest[1])
		rest = nil
	}
	if len(rest) > 0 {
		return "", qErr("%s: bad order term %q: want \"column\", \"column ASC\" or \"column DESC\" (optionally NULLS FIRST|LAST)", where(n), term)
	}
	col, err := b.resolver(n, paths).Column(f[0])
	if err != nil {
		return "", err
	}
	return col + dir, nil
}

// numberPlaceholders rewrites the statement's '?' placeholders into the dialect's, once for
// the whole statement, skipping quoted identifiers and string literals. "??" is a literal '?'.
func numberPlaceholders(sql string, d dialects.Dialect) (string, error) {
	if d.Placeholder(1) == "?" {
		return sql, nil
	}
	var out strings.Builder
	out.Grow(len(sql) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if quote != 0 {
			out.WriteByte(c)
			if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'', '`':
			quote = c
			out.WriteByte(c)
		case '?':
			if i+1 < len(sql) && sql[i+1] == '?' {
				out.WriteByte('?')
				i++
				continue
			}
			n++
			out.WriteString(d.Placeholder(n))
		default:
			out.WriteByte(c)
		}
	}
	return out.String(), nil
}
