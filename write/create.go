package write

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/joinery/joinery/include"
)

// CreateOp inserts new rows with nested associated rows (nested create): belongsTo parents
// first, then the rows, then hasOne/hasMany children, then belongsToMany targets and their
// join rows, to any depth, with generated keys flowing down. Every table gets one INSERT per
// include level (split only at the bind-parameter limit), however many rows the level has.
type CreateOp struct {
	w      *Writer
	model  string
	value  any
	paths  []string
	tenant any
}

// Tenant sets the tenant value of a multi-tenant schema (include.Tenant) for the create,
// overriding the Writer's (WithTenant): the value of the hidden tenant column of every row
// inserted, at every level, and of a visible tenant field left unset (see Op.Tenant).
func (c CreateOp) Tenant(v any) CreateOp {
	c.tenant = v
	return c
}

// Create inserts value, a pointer to a struct of a registered model (or a pointer to a slice
// of them, or a slice of pointers), with the associations named by include paths
// ("posts.tags", "profile"): the struct's fields for them hold the nested values. Generated
// keys and the foreign keys set are written back into the values.
func (w *Writer) Create(value any, include ...string) CreateOp {
	return CreateOp{w: w, value: value, paths: include}
}

// CreateMap is Create for a run-time model: value is a map[string]any (or a slice of them)
// whose nested values sit under the association aliases, and a belongsToMany target's
// join-table values under the join model's name (Sequelize's {UserProject: {role}}).
func (w *Writer) CreateMap(model string, value any, include ...string) CreateOp {
	return CreateOp{w: w, model: model, value: value, paths: include}
}

// incNode is a node of the include paths of a nested create.
type incNode struct {
	alias    string
	children []*incNode
	// shared: rows of this node come from struct slices two parents share (checkTree), so
	// that they are deduplicated by address, slice elements too
	shared bool
}

func (n *incNode) child(alias string) *incNode {
	for _, c := range n.children {
		if c.alias == alias {
			return c
		}
	}
	c := &incNode{alias: alias}
	n.children = append(n.children, c)
	return c
}

// Exec runs the nested create on q, in the caller's transaction or one of its own.
func (c CreateOp) Exec(ctx context.Context, q Querier) (Result, error) {
	w, m, rows, tree, err := c.prepare()
	if err != nil {
		return Result{}, err
	}
	what := "create " + m.Name()
	return atomic(ctx, q, what, false, func(r *runner) error {
		return w.createLevel(r, m, rows, tree, m.Name())
	})
}

// Statements lists the statements up to the first whose result decides the rest (an
// INSERT .. RETURNING of generated keys); every statement when all keys are given.
func (c CreateOp) Statements() ([]Statement, error) {
	p, err := c.Plan()
	return p.Statements, err
}

// Plan compiles the nested create without running it (see Op.Plan). A nested create always
// runs in a transaction (the caller's, or one it opens).
func (c CreateOp) Plan() (Plan, error) {
	w, m, rows, tree, err := c.prepare()
	if err != nil {
		return Plan{}, err
	}
	return dryPlan("create "+m.Name(), true, func(r *runner) error {
		return w.createLevel(r, m, rows, tree, m.Name())
	})
}

// prepare checks the create and returns the Writer it runs with (carrying its tenant).
func (c CreateOp) prepare() (*Writer, *include.Model, []*row, *incNode, error) {
	w := c.w
	if err := w.check(); err != nil {
		return nil, nil, nil, nil, err
	}
	if c.tenant != nil {
		w = w.WithTenant(c.tenant)
	}
	if err := checkTenant(w.schema, w.tenant, "create"); err != nil {
		return nil, nil, nil, nil, err
	}
	var m *include.Model
	if c.model != "" {
		if m = w.schema.Model(c.model); m == nil {
			return nil, nil, nil, nil, fmt.Errorf("%w: create: model %q (known: %s)", ErrUnknown, c.model, joinCols(w.schema.ModelNames()))
		}
	} else {
		t := reflect.TypeOf(c.value)
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			return nil, nil, nil, nil, fmt.Errorf("%w: create: pass a pointer to a struct of a registered model (or CreateMap for a run-time model), got %T", ErrBadInput, c.value)
		}
		if m = w.schema.ModelOf(t); m == nil {
			return nil, nil, nil, nil, fmt.Errorf("%w: create: %s is not a registered model (known: %s)", ErrUnknown, t, joinCols(w.schema.ModelNames()))
		}
	}
	rv := reflect.ValueOf(c.value)
	if rv.Kind() == reflect.Struct || rv.Kind() == reflect.Array {
		return nil, nil, nil, nil, fmt.Errorf("%w: create %s: pass a pointer (&v), so that generated keys can be written back", ErrBadInput, m.Name())
	}
	rows, err := valuesOf(m, rv, "create "+m.Name(), w.tenant)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	tree := &incNode{}
	for _, p := range c.paths {
		n, cur := tree, m
		for _, seg := range strings.Split(p, ".") {
			a := cur.Association(seg)
			if a == nil {
				return nil, nil, nil, nil, fmt.Errorf("%w: create %s: include %q: %s has no association %q (associations: %s)",
					ErrUnknown, m.Name(), p, cur.Name(), seg, joinCols(cur.AssociationNames()))
			}
			n = n.child(a.As)
			cur = a.Target
		}
	}
	tc := &treeCheck{tn: w.tenant, root: tree}
	for _, rw := range rows {
		if err := tc.place(rw, tree, true, "create "+m.Name()); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	if err := checkTree(m, rows, tree, m.Name(), tc, nil); err != nil {
		return nil, nil, nil, nil, err
	}
	return w, m, rows, tree, nil
}

// checkTree reads and checks the values of a nested create before any statement runs, level
// by level: the map keys of every row, the values an association's scope fixes, the number
// of values a belongsTo or hasOne holds, a value given twice where it can be written once,
// and a key a value already holds that the create would overwrite with another (a child's
// foreign key naming another owner). The rows under each association are kept on their
// row (row.kids) for createLevel, which reads them from there. up says which columns of
// rows the link from the level above writes, and from which row (nil for the root and for
// belongsTo parents and belongsToMany targets, whose links are written on the other side).
func checkTree(m *include.Model, rows []*row, tree *incNode, path string, tc *treeCheck, up *upLink) error {
	if m.Type() == nil {
		for _, rw := range rows {
			if err := checkKeys(rw, "create "+path); err != nil {
				return err
			}
		}
	}
	var kidsOf [][]*row // every row's kids, in one allocation for the level
	if len(tree.children) > 0 {
		kidsOf = make([][]*row, len(rows)*len(tree.children))
	}
	for ci, ch := range tree.children {
		a := m.Association(ch.alias)
		p := path + "." + a.As
		what := "create " + p
		scoped := defaults(a.Scope, a.Target)
		srcScope := defaults(a.SourceScope, a.Source)
		thScope := defaults(a.ThroughScope, a.Through)
		children := a.Kind == include.HasOne || a.Kind == include.HasMany
		var kids []*row
		var next *upLink
		var spans []span // the struct slices the values come from
		if children {
			next = &upLink{a: a}
		}
		for i, rw := range rows {
			ks, err := nested(rw, a, what, tc.tn)
			if err != nil {
				return err
			}
			if len(ks) > 0 {
				if rw.kids == nil {
					c := len(tree.children)
					rw.kids = kidsOf[i*c : (i+1)*c : (i+1)*c]
				}
				rw.kids[ci] = ks
				if ks[0].element {
					spans = append(spans, span{identity(ks[0]), identity(ks[len(ks)-1])})
				}
			}
			for _, k := range ks {
				if err := checkScope(k, scoped, what); err != nil {
					return err
				}
				if err := tc.place(k, ch, children, what); err != nil {
					return err
				}
			}
			switch a.Kind {
			case include.BelongsTo:
				if len(ks) > 1 {
					return badf("%s: a belongsTo holds one value, got %d", what, len(ks))
				}
				if len(ks) == 1 {
					if err := checkScope(rw, srcScope, what); err != nil {
						return err
					}
					if err := checkBelongsTo(rw, ks[0], a, up, i, what); err != nil {
						return err
					}
				}
			case include.HasOne, include.HasMany:
				if a.Kind == include.HasOne && len(ks) > 1 {
					return badf("%s: a hasOne holds one value, got %d", what, len(ks))
				}
				for _, k := range ks {
					if err := checkChildKey(rw, k, a, what); err != nil {
						return err
					}
					next.from = append(next.from, rw)
				}
			case include.BelongsToMany:
				for _, k := range ks {
					if err := checkThrough(k, a, thScope, what); err != nil {
						return err
					}
				}
			}
			kids = append(kids, ks...)
		}
		here, elsewhere := tc.overlaps(a.Target, ch, spans)
		if elsewhere {
			return fmt.Errorf("%w: %s: a slice of %s values is also given at another place of the tree; a nested create writes each value once (pass a copy)", ErrBadInput, what, a.Target.Name())
		}
		if here {
			if children {
				return fmt.Errorf("%w: %s: one slice of %s values is under two %s values; a child has one parent (pass a copy for each)", ErrBadInput, what, a.Target.Name(), m.Name())
			}
			ch.shared = true // targets two rows share: one row, a link from each
		}
		if !children {
			kids = dedupeRows(kids, ch.shared) // a parent or target shared by several rows is one row
		}
		if err := checkTree(a.Target, kids, ch, p, tc, next); err != nil {
			return err
		}
	}
	return nil
}

// treeCheck is a nested create's walk over its values: the operation's tenant value, and the
// include tree node each value not in a struct slice (a pointer, a map) was met at.
type treeCheck struct {
	tn   any
	root *incNode
	seen map[valueAt]*incNode
	// spans are the struct slices met, by model, with the node each was met at
	spans map[*include.Model][]spanAt
}

type spanAt struct {
	span
	n *incNode
}

// overlaps records the slices of model m's values met at node n and reports whether two of
// them share elements: here, two met at n (parents sharing one slice); elsewhere, one met
// at n and one met at another node.
func (tc *treeCheck) overlaps(m *include.Model, n *incNode, spans []span) (here, elsewhere bool) {
	if len(spans) == 0 {
		return false, false
	}
	if tc.spans == nil {
		tc.spans = map[*include.Model][]spanAt{}
	}
	all := tc.spans[m]
	for _, sp := range spans {
		all = append(all, spanAt{sp, n})
	}
	tc.spans[m] = all
	if len(all) < 2 {
		return false, false
	}
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, func(a, b spanAt) int { return cmp.Compare(a.lo, b.lo) })
	far := sorted[0] // the span reaching farthest so far
	for _, sp := range sorted[1:] {
		if sp.lo <= far.hi && (sp.n == n || far.n == n) {
			if sp.n == far.n {
				here = true
			} else {
				elsewhere = true
			}
		}
		if sp.hi > far.hi {
			far = sp
		}
	}
	return here, elsewhere
}

// valueAt names a value by its model and address: a struct's first field has the struct's
// address.
type valueAt struct {
	m  *include.Model
	id uintptr
}

// place records value k met at node n. A value is written once, at one place: it may be the
// parent or target of several rows there (belongsTo, belongsToMany), but not a hasOne or
// hasMany child twice (children), nor a value at two places of the tree.
func (tc *treeCheck) place(k *row, n *incNode, children bool, what string) error {
	if k.element {
		return nil // a slice's elements: overlap finds slices given twice
	}
	id := identity(k)
	if id == 0 {
		return nil
	}
	key := valueAt{k.m, id}
	at, ok := tc.seen[key]
	switch {
	case !ok:
		if tc.seen == nil {
			tc.seen = map[valueAt]*incNode{}
		}
		tc.seen[key] = n
		return nil
	case at != n:
		return fmt.Errorf("%w: %s: this %s value is also given at another place of the tree; a nested create writes each value once (link it by its key after, or pass a copy)", ErrBadInput, what, k.m.Name())
	case n == tc.root:
		return fmt.Errorf("%w: %s: one %s value is listed twice; a nested create writes each value once", ErrBadInput, what, k.m.Name())
	case children:
		return fmt.Errorf("%w: %s: one %s value is given twice as a child (under two parents, or twice under one); a child has one parent (pass a copy for each)", ErrBadInput, what, k.m.Name())
	}
	return nil
}

// span is the address range of the elements of one struct slice.
type span struct{ lo, hi uintptr }

// checkThrough checks a nested belongsToMany target's join-table values against the
// through scope: a struct's through fields without allocating (thousands of targets), a
// map's values as the link will read them.
func checkThrough(k *row, a *include.Association, thScope []colVal, what string) error {
	if k.mp != nil {
		k.ignore = append(k.ignore, throughName(a), a.ThroughTable)
		th, thCols, err := throughOf(k, a, thScope)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		_, err = Op{as: Assoc{a: a}}.linkValues(target{through: th, thCols: thCols}, thScope, what)
		return err
	}
	for _, d := range thScope {
		for _, at := range k.m.ThroughAttrs() {
			if at.Column != d.col {
				continue
			}
			f, err := k.sv.FieldByIndexErr(at.Index)
			if err != nil {
				continue
			}
			if v := f.Interface(); !isMissing(v) && !equal(v, d.val) {
				return fmt.Errorf("%w: %s: join-table value %s = %v, but the through scope says %v", ErrScopeConflict, what, d.col, argOf(v), d.val)
			}
		}
	}
	return nil
}

// upLink is the link a hasOne or hasMany writes into the children of a level: association
// a sets their foreign keys to the keys of from[i], the parent of the level's row i.
type upLink struct {
	a    *include.Association
	from []*row
}

// upCols lists the columns link up writes (none for nil).
func upCols(up *upLink) []string {
	if up == nil {
		return nil
	}
	return up.a.ForeignKeys
}

// checkScope refuses a value whose scope columns hold values other than the scope's.
func checkScope(r *row, scoped []colVal, what string) error {
	for _, d := range scoped {
		if v, ok := r.keyOf(d.col); ok && !equal(v, d.val) {
			return fmt.Errorf("%w: %s: %s.%s is %v, but the association's scope says %v", ErrScopeConflict, what, r.m.Name(), d.col, argOf(v), d.val)
		}
	}
	return nil
}

// checkChildKey refuses a child whose foreign key already names a row other than its
// parent rw: a key the parent does not have, or any key when the database is yet to
// generate the parent's.
func checkChildKey(rw, k *row, a *include.Association, what string) error {
	for i, fk := range a.ForeignKeys {
		if v, other, ok := heldKey(k, fk, rw, a.SourceKeys[i]); !ok {
			return fmt.Errorf("%w: %s: the %s's %s is %v, but it is created under a %s whose %s is %s; leave %s unset",
				ErrScopeConflict, what, a.Target.Name(), fk, v, a.Source.Name(), a.SourceKeys[i], other, fk)
		}
	}
	return nil
}

// heldKey compares the key r holds in col with the one o has, or is yet to get, in ocol:
// ok when r holds none or the same, or when another link of o's is yet to fill ocol (its
// value is compared when the link is written); else both, as an error shows them.
func heldKey(r *row, col string, o *row, ocol string) (v any, other string, ok bool) {
	held, ok := r.keyOf(col)
	if !ok {
		return nil, "", true
	}
	ov, st := keyState(o, ocol)
	switch {
	case st == keyGenerated:
		return argOf(held), "a key the database is yet to generate", false
	case st == keyKnown && !equal(held, ov):
		return argOf(held), fmt.Sprint(argOf(ov)), false
	}
	return nil, "", true
}

// What a nested create knows of a key column of a row before it writes anything.
const (
	keyKnown     = iota // the value holds it
	keyGenerated        // the database generates it when the row is inserted
	keyLater            // a link fills it (a belongsTo parent's key)
)

func keyState(r *row, col string) (any, int) {
	if v, ok := r.keyOf(col); ok {
		return v, keyKnown
	}
	if g := genColumn(r); g >= 0 && r.m.PrimaryKeyView()[g] == col {
		return nil, keyGenerated
	}
	return nil, keyLater
}

// checkBelongsTo refuses a row whose foreign key to the parent p it is created with already
// names another row, or is written by the link from the level above (up) to another parent.
func checkBelongsTo(rw, p *row, a *include.Association, up *upLink, i int, what string) error {
	for j, fk := range a.ForeignKeys {
		if u := slices.Index(upCols(up), fk); u >= 0 {
			// written by both links: fine when both write the same value (compared again
			// when the links are written, once every key is known)
			owner := up.from[i]
			ov, st1 := keyState(owner, up.a.SourceKeys[u])
			pv, st2 := keyState(p, a.TargetKeys[j])
			differ := st1 == keyKnown && st2 == keyKnown && !equal(ov, pv) ||
				(st1 == keyGenerated || st2 == keyGenerated) && identity(owner) != identity(p)
			if differ {
				return fmt.Errorf("%w: %s: the %s's %s is written twice, by %s.%s (its parent %s) and by %s.%s (the %s created with it); give one of them",
					ErrScopeConflict, what, a.Source.Name(), fk, up.a.Source.Name(), up.a.As, up.a.Source.Name(), a.Source.Name(), a.As, a.Target.Name())
			}
			continue
		}
		if v, other, ok := heldKey(rw, fk, p, a.TargetKeys[j]); !ok {
			return fmt.Errorf("%w: %s: the %s's %s is %v, but its %s, created with it, has %s %s; leave %s unset",
				ErrScopeConflict, what, a.Source.Name(), fk, v, a.Target.Name(), a.TargetKeys[j], other, fk)
		}
	}
	return nil
}

// valuesOf turns a value, a pointer to one, or a slice of them into rows of m (nil and zero
// values are no rows).
func valuesOf(m *include.Model, rv reflect.Value, what string, tn any) ([]*row, error) {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil, nil
		}
		if rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Struct {
			break
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil, nil
	}
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		n := rv.Len()
		out := make([]*row, 0, n)
		if rv.Type().Elem().Kind() == reflect.Struct && m.Type() == rv.Type().Elem() {
			// a slice of structs of the model: one allocation for its rows
			rows := make([]row, n)
			for i := 0; i < n; i++ {
				rows[i] = row{m: m, sv: rv.Index(i), element: true}
				if err := rows[i].withTenant(tn, what); err != nil {
					return nil, fmt.Errorf("element %d: %w", i, err)
				}
				out = append(out, &rows[i])
			}
			return out, nil
		}
		for i := 0; i < n; i++ {
			e := rv.Index(i)
			if e.Kind() == reflect.Struct {
				e = e.Addr()
			}
			rs, err := valuesOf(m, e, what, tn)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out = append(out, rs...)
		}
		return out, nil
	case reflect.Struct:
		if rv.IsZero() {
			return nil, nil
		}
		if rv.CanAddr() {
			rv = rv.Addr()
		}
	}
	if rv.Kind() == reflect.Map && rv.IsNil() {
		return nil, nil
	}
	r, err := rowOf(m, rv.Interface(), what, tn)
	if err != nil {
		return nil, err
	}
	return []*row{r}, nil
}

// nested returns the rows r holds for association a (its field, or its alias in a map).
func nested(r *row, a *include.Association, what string, tn any) ([]*row, error) {
	if r.mp != nil {
		v, ok := r.mp[a.As]
		if !ok || v == nil {
			return nil, nil
		}
		return valuesOf(a.Target, reflect.ValueOf(v), what, tn)
	}
	if r.sv.Kind() != reflect.Struct || a.FieldName == "" {
		return nil, nil
	}
	var f reflect.Value
	if a.FieldIndex != nil {
		var err error
		if f, err = r.sv.FieldByIndexErr(a.FieldIndex); err != nil {
			return nil, nil // through a nil embedded pointer: no values
		}
	} else {
		f = r.sv.FieldByName(a.FieldName)
	}
	if !f.IsValid() {
		return nil, badf("%s: %s has no field %s", what, r.m.Name(), a.FieldName)
	}
	if f.Kind() == reflect.Struct && f.CanAddr() {
		if f.IsZero() {
			return nil, nil
		}
		f = f.Addr()
	}
	return valuesOf(a.Target, f, what, tn)
}

// identity is the address of a struct or map value, so that a value shared by two parents
// is inserted once.
func identity(r *row) uintptr {
	if r.mp != nil {
		return reflect.ValueOf(r.mp).Pointer()
	}
	if r.sv.CanAddr() {
		return r.sv.Addr().Pointer()
	}
	return 0
}

// dedupeRows keeps the first row of each value (by address). Elements of struct slices are
// distinct values unless all says that parents share slices.
func dedupeRows(rows []*row, all bool) []*row {
	shared := 0
	for _, r := range rows {
		if all || !r.element {
			shared++
		}
	}
	if shared < 2 {
		return rows
	}
	seen := make(map[uintptr]bool, shared)
	out := rows[:0:0]
	for _, r := range rows {
		if all || !r.element {
			id := identity(r)
			if id != 0 && seen[id] {
				continue
			}
			seen[id] = true
		}
		out = append(out, r)
	}
	return out
}

// createLevel inserts rows of m and the associations under tree.
func (w *Writer) createLevel(r *runner, m *include.Model, rows []*row, tree *incNode, path string) error {
	if len(rows) == 0 {
		return nil
	}
	levelWhat := "create " + path
	// belongsTo parents first: their keys go into the rows
	for ci, ch := range tree.children {
		a := m.Association(ch.alias)
		if a.Kind != include.BelongsTo {
			continue
		}
		p := path + "." + a.As
		what := "create " + p
		var parents, owners []*row
		scoped := defaults(a.Scope, a.Target)
		for _, rw := range rows {
			if ps := rw.kidsAt(ci); len(ps) == 1 {
				if err := applyScope(ps[0], scoped, what); err != nil {
					return err
				}
				parents = append(parents, ps[0])
				owners = append(owners, rw)
			}
		}
		if err := w.createLevel(r, a.Target, dedupeRows(parents, ch.shared), ch, p); err != nil {
			return err
		}
		srcScope := defaults(a.SourceScope, a.Source)
		_, ident := splitKey(a.ForeignKeys, a.Source)
		for i, o := range owners {
			k, err := linkKeys(parents[i], a.TargetKeys, what)
			if err != nil {
				return err
			}
			for _, j := range ident {
				// a column of the owner's primary key: the parent must agree (its tenant)
				if v, ok := o.keyOf(a.ForeignKeys[j]); ok && !equal(v, k[j]) {
					return fmt.Errorf("%w: create %s: the %s's %s is %v and its %s's %s is %v, but %s is part of %s's primary key",
						ErrBadInput, p, a.Source.Name(), a.ForeignKeys[j], argOf(v), a.Target.Name(), a.TargetKeys[j], argOf(k[j]), a.ForeignKeys[j], a.Source.Name())
				}
			}
			if err := checkBelongsTo(o, parents[i], a, nil, i, what); err != nil {
				return err // a key checkTree could not know yet
			}
			for j := range a.ForeignKeys {
				if err := o.set(a.ForeignKeys[j], k[j]); err != nil {
					return err
				}
			}
			if err := applyScope(o, srcScope, what); err != nil {
				return err
			}
		}
	}
	r.at = "INSERT INTO " + m.Table() + " for " + path
	if err := w.insertModel(r, m, rows, levelWhat); err != nil {
		return err
	}
	for ci, ch := range tree.children {
		a := m.Association(ch.alias)
		p := path + "." + a.As
		what := "create " + p
		switch a.Kind {
		case include.HasOne, include.HasMany:
			scoped := defaults(a.Scope, a.Target)
			fkAttrs := make([]include.Attr, len(a.ForeignKeys))
			for i, c := range a.ForeignKeys {
				fkAttrs[i], _ = a.Target.Attr(c)
			}
			var kids []*row
			for _, rw := range rows {
				ks := rw.kidsAt(ci)
				if len(ks) == 0 {
					continue
				}
				key, err := linkKeys(rw, a.SourceKeys, what)
				if err != nil {
					return err
				}
				for _, k := range ks {
					if err := applyScope(k, scoped, what); err != nil {
						return err
					}
					if err := checkChildKey(rw, k, a, what); err != nil {
						return err // a key checkTree could not know yet
					}
					for i, at := range fkAttrs {
						if err := k.setAttr(at, key[i]); err != nil {
							return err
						}
					}
				}
				kids = append(kids, ks...)
			}
			if err := w.createLevel(r, a.Target, kids, ch, p); err != nil {
				return err
			}
		case include.BelongsToMany:
			if err := w.createTargets(r, rows, ci, a, ch, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// createTargets inserts the belongsToMany targets under rows, then their join rows.
func (w *Writer) createTargets(r *runner, rows []*row, ci int, a *include.Association, ch *incNode, p string) error {
	what := "create " + p
	thScope := defaults(a.ThroughScope, a.Through)
	type pending struct {
		src []any
		t   *row
		l   link // the join row's values, its keys set once the target is written
	}
	scoped := defaults(a.Scope, a.Target)
	perRow := make([][]*row, len(rows))
	total := 0
	for i, rw := range rows {
		ts := rw.kidsAt(ci)
		perRow[i] = ts
		total += len(ts)
	}
	links := make([]pending, 0, total)
	targets := make([]*row, 0, total)
	o := Op{as: Assoc{w: w, a: a}}
	for i, rw := range rows {
		ts := perRow[i]
		if len(ts) == 0 {
			continue
		}
		key, err := linkKeys(rw, a.SourceKeys, what)
		if err != nil {
			return err
		}
		var once map[uintptr]int // a unique join table: one link per target of this row
		if a.Unique && len(ts) > 1 && !ts[0].element {
			once = make(map[uintptr]int, len(ts))
		}
		for _, t := range ts {
			th, thCols, err := throughOf(t, a, thScope)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			// the join-table values and the through scope are checked before the targets
			// are written
			l, err := o.linkValues(target{through: th, thCols: thCols}, thScope, what)
			if err != nil {
				return err
			}
			if err := applyScope(t, scoped, what); err != nil {
				return err
			}
			if once != nil {
				if id := identity(t); id != 0 {
					if j, dup := once[id]; dup {
						links[j] = pending{key, t, l} // the last one given wins, as in add
						continue
					}
					once[id] = len(links)
				}
			}
			links = append(links, pending{key, t, l})
			targets = append(targets, t)
		}
	}
	if err := w.createLevel(r, a.Target, dedupeRows(targets, ch.shared), ch, p); err != nil {
		return err
	}
	b, err := newBTM(w, a, nil, what, thScope)
	if err != nil {
		return err
	}
	ls := make([]link, len(links))
	for i, pl := range links {
		k, err := linkKeys(pl.t, a.TargetKeys, what)
		if err != nil {
			return err
		}
		l := pl.l
		l.key, l.src = k, pl.src
		if err := b.sameTenant(l, i+1); err != nil {
			return err
		}
		ls[i] = l
	}
	r.at = "INSERT INTO " + a.ThroughTable + " for " + p
	return b.insertLinks(r, ls, false)
}

// throughOf reads a nested belongsToMany target's join-table values: a map's value under the
// join model's (or join table's) name, a struct's `joinery:"through"` fields (as columns).
// A struct's zero primary key of the join model (the database generates it) and its zero
// through-scope columns (the scope fills them: scoped) are not values.
func throughOf(t *row, a *include.Association, scoped []colVal) (map[string]any, []colVal, error) {
	if t.mp != nil {
		for _, k := range []string{throughName(a), a.ThroughTable} {
			v, ok := t.mp[k]
			if !ok || v == nil {
				continue
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, nil, badf("%s's %q holds a %T; the join-table values are a map[string]any", t.m.Name(), k, v)
			}
			return m, nil, nil
		}
		return nil, nil, nil
	}
	var out []colVal
	for _, at := range t.m.ThroughAttrs() {
		if slices.Contains(a.ForeignKeys, at.Column) || slices.Contains(a.OtherKeys, at.Column) {
			continue
		}
		if a.Through != nil {
			if _, ok := a.Through.Attr(at.Column); !ok {
				continue
			}
		}
		f, err := t.sv.FieldByIndexErr(at.Index)
		if err != nil {
			continue
		}
		v := f.Interface()
		if isMissing(v) && (a.Through != nil && slices.Contains(a.Through.PrimaryKeyView(), at.Column) || inCols(scoped, at.Column)) {
			continue
		}
		out = append(out, colVal{at.Column, argOf(v)})
	}
	return nil, out, nil
}

func throughName(a *include.Association) string {
	if a.Through != nil {
		return a.Through.Name()
	}
	return a.ThroughTable
}

// inCols reports whether cols sets column c.
func inCols(cols []colVal, c string) bool {
	for _, cv := range cols {
		if cv.col == c {
			return true
		}
	}
	return false
}

// kidsAt returns the values r holds under the include tree node's association i (checkTree
// read them).
func (r *row) kidsAt(i int) []*row {
	if r.kids == nil {
		return nil
	}
	return r.kids[i]
}
