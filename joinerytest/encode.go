package joinerytest

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/internal/meta"
)

// The fold, backwards. A fixture (the nested values a query should return) is read with the
// plan's hydrate.Map into one instance per object, each with one variable per column of its
// node: a reported column's variable holds the fixture's value, converted to the driver value
// a database would send; a column selected only for identity or joining (Col.Field == "")
// starts unknown. In branch-tagged rows (UNION ALL, pipeline) a child's Link columns and its
// parent's ParentLink columns are the same value, so their variables are unified; a conflict
// between two known values is a fixture no database could return. What stays unknown gets a
// value of its own, different from every value of the fixture, so that keys are distinct and
// links attach where the fixture says. Then the rows are laid out for the statement's shape.

// ErrFixture is wrapped by the errors about a fixture that no database could return through
// the query (a child whose link does not match its parent, two siblings with the same key, a
// value that cannot be sent).
var ErrFixture = errors.New("joinerytest: fixture")

func fixtureErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFixture}, args...)...)
}

// enode is a node of the map, with what it takes to read its objects from the fixture.
type enode struct {
	n      *hydrate.Node
	parent *enode
	kids   []*enode
	idx    int // pre-order index
	first  int // index of the node's first column among the map's columns (pre-order)
	isMap  bool
	// per column: how to read it from an object (nil: not reported) and its kind
	get  []func(obj reflect.Value) (any, error)
	kind []hydrate.Kind
	// identity-bearing columns (key or link) of a map node whose kind is Any: JSON numbers
	// are sent as integers there, so that they can key and link
	intish []bool
	// struct parents: the index path of the field that receives this node
	field []int
}

// inst is one object of the fixture.
type inst struct {
	en   *enode
	path string // for errors: [0].Posts[1]
	vars []int  // one variable per column of en
	kids [][]*inst
	sig  string // the instance and its subtree, canonically (set by signature)
}

// tree is a fixture read with a map.
type tree struct {
	m     *hydrate.Map
	union bool
	nodes []*enode
	byN   map[*hydrate.Node]*enode
	ncols int
	roots []*inst

	val   []any
	known []bool
	uf    []int
	kinds []hydrate.Kind
	desc  []string // variable -> "[0].Posts[1] user_id", for errors
}

func newTree(m *hydrate.Map) (*tree, error) {
	if m == nil || m.Root == nil {
		return nil, errors.New("joinerytest: the plan has no map")
	}
	t := &tree{m: m, union: m.Branch != "", byN: map[*hydrate.Node]*enode{}}
	var err error
	var rec func(n *hydrate.Node, parent *enode)
	rec = func(n *hydrate.Node, parent *enode) {
		if err != nil {
			return
		}
		en := &enode{n: n, parent: parent, idx: len(t.nodes), first: t.ncols, isMap: n.Type == nil}
		t.ncols += len(n.Cols)
		t.nodes = append(t.nodes, en)
		t.byN[n] = en
		if parent != nil {
			parent.kids = append(parent.kids, en)
			if parent.isMap != en.isMap {
				err = fmt.Errorf("joinerytest: node %q: struct and map nodes mixed", n.Path)
				return
			}
			if !parent.isMap {
				sf, ok := parent.n.Type.FieldByName(n.Field)
				if !ok {
					err = fmt.Errorf("joinerytest: node %q: %s has no field %s", n.Path, parent.n.Type, n.Field)
					return
				}
				en.field = sf.Index
			}
		}
		if err = en.columns(); err != nil {
			return
		}
		for _, c := range n.Children {
			rec(c, en)
		}
	}
	rec(m.Root, nil)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// columns prepares the readers of the node's reported columns.
func (en *enode) columns() error {
	n := en.n
	en.get = make([]func(reflect.Value) (any, error), len(n.Cols))
	en.kind = make([]hydrate.Kind, len(n.Cols))
	en.intish = make([]bool, len(n.Cols))
	var sm *meta.Struct
	if !en.isMap {
		var err error
		if sm, err = meta.Of(n.Type); err != nil {
			return fmt.Errorf("joinerytest: node %q: %v", n.Path, err)
		}
	}
	for i, c := range n.Cols {
		en.kind[i] = c.Kind
		if en.isMap {
			if c.Kind == hydrate.Any && (slices.Contains(n.Key, i) || slices.Contains(n.Link, i)) {
				en.intish[i] = true
			}
			if c.Field != "" {
				en.get[i] = mapGetter(c, n.Through, c.Kind, en.intish[i])
			}
			continue
		}
		if c.Field == "" {
			continue
		}
		index, ft, err := structIndex(sm, c, n)
		if err != nil {
			return err
		}
		en.kind[i] = hydrate.KindOf(ft)
		en.get[i] = func(obj reflect.Value) (any, error) {
			f, err := obj.FieldByIndexErr(index)
			if err != nil {
				return nil, err
			}
			if f.Kind() != reflect.Pointer && f.CanAddr() {
				// a Valuer with a pointer receiver, as Scanners have
				if vr, ok := f.Addr().Interface().(driver.Valuer); ok {
					return driverValue(vr)
				}
			}
			return driverValue(f.Interface())
		}
	}
	return nil
}

// structIndex finds the field that receives column c of a struct node, as the fold does: a
// column field, or for a join-table column a `joinery:"through:<col>"` field or a field of
// the `joinery:"through"` struct.
func structIndex(sm *meta.Struct, c hydrate.Col, n *hydrate.Node) ([]int, reflect.Type, error) {
	if c.Computed {
		if f := sm.ComputedField(c.Field); f != nil {
			return f.Index, f.Type, nil
		}
		return nil, nil, fmt.Errorf("joinerytest: node %q: %s has no field for the computed value %q", n.Path, sm.Type, c.Field)
	}
	if !c.Through {
		if f := sm.Column(c.Field); f != nil {
			return f.Index, f.Type, nil
		}
		return nil, nil, fmt.Errorf("joinerytest: node %q: %s has no field for column %q", n.Path, sm.Type, c.Field)
	}
	for _, f := range sm.Through {
		if f.Name == c.Field {
			return f.Index, f.Type, nil
		}
	}
	for _, f := range sm.Through {
		if f.Name != "" || f.Type.Kind() != reflect.Struct {
			continue
		}
		inner, err := meta.Of(f.Type)
		if err != nil {
			return nil, nil, err
		}
		if g := inner.Column(c.Field); g != nil {
			return append(append([]int(nil), f.Index...), g.Index...), g.Type, nil
		}
	}
	return nil, nil, fmt.Errorf("joinerytest: node %q: join-table column %q has no field in %s", n.Path, c.Field, sm.Type)
}

func mapGetter(c hydrate.Col, through string, kind hydrate.Kind, intish bool) func(reflect.Value) (any, error) {
	return func(obj reflect.Value) (any, error) {
		m, _ := obj.Interface().(map[string]any)
		if c.Through {
			tm, _ := m[through].(map[string]any)
			m = tm
		}
		return mapValue(m[c.Field], kind, intish)
	}
}

// driverValue converts a field's value to what a driver sends for it: nil for a nil pointer,
// a Valuer's value, int64 for integers and so on (database/sql's default conversion).
func driverValue(v any) (any, error) {
	dv, err := driver.DefaultParameterConverter.ConvertValue(v)
	if err != nil {
		return nil, fmt.Errorf("%T cannot be sent as a column value (implement driver.Valuer): %w", v, err)
	}
	return dv, nil
}

// mapValue converts a map model's value to what a driver sends for a column of the kind:
// numbers decoded from JSON (float64, json.Number) become int64 for an integer column.
func mapValue(v any, kind hydrate.Kind, intish bool) (any, error) {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil && (kind == hydrate.Int || kind == hydrate.Any) {
			return i, nil
		}
		f, err := n.Float64()
		if err != nil {
			return nil, err
		}
		v = f
	}
	if f, ok := v.(float64); ok && (kind == hydrate.Int || intish) && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return int64(f), nil
	}
	dv, err := driverValue(v)
	if err != nil {
		return nil, err
	}
	if kind == hydrate.Float {
		if i, ok := dv.(int64); ok {
			return float64(i), nil
		}
	}
	return dv, nil
}

// read walks the fixture: roots is a slice of the root's values.
func (t *tree) read(roots reflect.Value) error {
	root := t.nodes[0]
	for i := 0; i < roots.Len(); i++ {
		obj, present, err := t.object(root, roots.Index(i))
		path := "[" + strconv.Itoa(i) + "]"
		if err != nil {
			return fixtureErr("%s: %v", path, err)
		}
		if !present {
			return fixtureErr("%s is nil: the fold never returns a nil root", path)
		}
		in, err := t.inst(root, obj, path, nil)
		if err != nil {
			return err
		}
		t.roots = append(t.roots, in)
	}
	return nil
}

// object dereferences one value of node en: a struct (through pointers and interfaces) or a
// map; present is false for nil.
func (t *tree) object(en *enode, v reflect.Value) (reflect.Value, bool, error) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return v, false, nil
		}
		v = v.Elem()
	}
	if en.isMap {
		if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String {
			return v, false, fmt.Errorf("want a map[string]any, got %s", v.Type())
		}
		if v.IsNil() {
			return v, false, nil
		}
		if v.Type() != reflect.TypeOf(map[string]any(nil)) {
			// a map of another value type: copy it into a map[string]any
			m := make(map[string]any, v.Len())
			it := v.MapRange()
			for it.Next() {
				m[it.Key().String()] = it.Value().Interface()
			}
			v = reflect.ValueOf(m)
		}
		return v, true, nil
	}
	if v.Type() != en.n.Type {
		return v, false, fmt.Errorf("want a %s, got %s", en.n.Type, v.Type())
	}
	return v, true, nil
}

func (t *tree) newVar(desc string, kind hydrate.Kind) int {
	i := len(t.val)
	t.val = append(t.val, nil)
	t.known = append(t.known, false)
	t.uf = append(t.uf, i)
	t.kinds = append(t.kinds, kind)
	t.desc = append(t.desc, desc)
	return i
}

func (t *tree) find(i int) int {
	for t.uf[i] != i {
		t.uf[i] = t.uf[t.uf[i]]
		i = t.uf[i]
	}
	return i
}

// value is the value of variable i, once resolved.
func (t *tree) value(i int) any { return t.val[t.find(i)] }

// unify makes a child's link column and its parent's linked column one value.
func (t *tree) unify(child, parent int) error {
	a, b := t.find(child), t.find(parent)
	if a == b {
		return nil
	}
	if t.known[a] && t.known[b] && canon(t.val[a]) != canon(t.val[b]) {
		return fixtureErr("%s is %s, but it links to %s, which is %s: a database returns a child under the parent it links to",
			t.desc[child], show(t.val[a]), t.desc[parent], show(t.val[b]))
	}
	if t.known[a] {
		a, b = b, a
	}
	t.uf[a] = b // b is known if either was
	return nil
}

func (t *tree) colDesc(path string, c hydrate.Col) string {
	name := c.Field
	if name == "" {
		name = c.Desc
	}
	if name == "" {
		name = c.Column
	}
	if c.Through {
		name = "(join table) " + name
	}
	if c.Computed {
		name = "(computed) " + name
	}
	return path + " " + name
}

// inst reads one object of node en and its subtree.
func (t *tree) inst(en *enode, obj reflect.Value, path string, parent *inst) (*inst, error) {
	in := &inst{en: en, path: path, vars: make([]int, len(en.n.Cols))}
	for i, c := range en.n.Cols {
		v := t.newVar(t.colDesc(path, c), en.kind[i])
		in.vars[i] = v
		if en.get[i] != nil {
			x, err := en.get[i](obj)
			if err != nil {
				return nil, fixtureErr("%s: %v", t.desc[v], err)
			}
			t.val[v], t.known[v] = x, true
		}
	}
	if parent != nil && t.union {
		for i, l := range en.n.Link {
			if err := t.unify(in.vars[l], parent.vars[en.n.ParentLink[i]]); err != nil {
				return nil, err
			}
		}
	}
	in.kids = make([][]*inst, len(en.kids))
	for k, kn := range en.kids {
		kids, err := t.children(kn, obj, path)
		if err != nil {
			return nil, err
		}
		out := make([]*inst, 0, len(kids))
		for _, kd := range kids {
			ki, err := t.inst(kn, kd.obj, kd.path, in)
			if err != nil {
				return nil, err
			}
			out = append(out, ki)
		}
		in.kids[k] = out
	}
	return in, nil
}

type child struct {
	obj  reflect.Value
	path string
}

// children lists the objects of node kn held by the parent object obj: the elements of a
// to-many, or the one to-one object when present.
func (t *tree) children(kn *enode, obj reflect.Value, path string) ([]child, error) {
	var fv reflect.Value
	name := kn.n.Field
	if kn.isMap {
		m, _ := obj.Interface().(map[string]any)
		x, ok := m[name]
		if !ok || x == nil {
			return nil, nil
		}
		fv = reflect.ValueOf(x)
		path += "[" + strconv.Quote(name) + "]"
	} else {
		f, err := obj.FieldByIndexErr(kn.field)
		if err != nil {
			return nil, fixtureErr("%s.%s: %v", path, name, err)
		}
		fv = f
		path += "." + name
	}
	if !kn.n.Many {
		o, present, err := t.object(kn, fv)
		if err != nil {
			return nil, fixtureErr("%s: %v", path, err)
		}
		if !present || (!kn.isMap && o.IsZero()) {
			// a nil pointer, or a zero struct held by value: absent
			return nil, nil
		}
		return []child{{o, path}}, nil
	}
	for fv.Kind() == reflect.Interface || fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			return nil, nil
		}
		fv = fv.Elem()
	}
	if fv.Kind() != reflect.Slice && fv.Kind() != reflect.Array {
		return nil, fixtureErr("%s: want a slice, got %s", path, fv.Type())
	}
	out := make([]child, 0, fv.Len())
	for i := 0; i < fv.Len(); i++ {
		p := path + "[" + strconv.Itoa(i) + "]"
		o, present, err := t.object(kn, fv.Index(i))
		if err != nil {
			return nil, fixtureErr("%s: %v", p, err)
		}
		if !present {
			return nil, fixtureErr("%s is nil: the fold never puts a nil element in a slice", p)
		}
		out = append(out, child{o, p})
	}
	return out, nil
}

// resolve gives every unknown value one of its own, different from every value of the
// fixture.
func (t *tree) resolve() {
	used := map[string]bool{}
	for i := range t.val {
		if t.known[i] {
			used[canon(t.val[i])] = true
		}
	}
	next := int64(0)
	for i := range t.val {
		r := t.find(i)
		if t.known[r] {
			continue
		}
		for {
			next++
			v := synthetic(t.kinds[r], next)
			if !used[canon(v)] {
				used[canon(v)] = true
				t.val[r], t.known[r] = v, true
				break
			}
		}
	}
}

// synthetic is the n-th made-up value of a column of kind k.
func synthetic(k hydrate.Kind, n int64) any {
	switch k {
	case hydrate.String:
		return "k" + strconv.FormatInt(n, 10)
	case hydrate.Bytes:
		return []byte("k" + strconv.FormatInt(n, 10))
	case hydrate.Float:
		return float64(n)
	case hydrate.Bool:
		return n%2 == 1
	case hydrate.Time:
		return time.Unix(n, 0).UTC()
	}
	return n
}

// check rejects what the fold could not give back: two siblings with the same key (the fold
// keeps one), an object whose key is NULL (absent), and, in branch-tagged rows, two parents
// that link their children by the same values but hold different children (each gets both
// lists).
func (t *tree) check() error {
	if err := t.checkSiblings(t.nodes[0], t.roots); err != nil {
		return err
	}
	for _, r := range t.roots {
		if err := t.checkInst(r); err != nil {
			return err
		}
	}
	if !t.union {
		return nil
	}
	for _, r := range t.roots {
		t.signature(r)
	}
	groups := map[string]*inst{}
	var rec func(in *inst) error
	rec = func(in *inst) error {
		for k, kn := range in.en.kids {
			var b strings.Builder
			b.WriteString(strconv.Itoa(kn.idx))
			for _, pl := range kn.n.ParentLink {
				b.WriteByte('|')
				b.WriteString(canon(t.value(in.vars[pl])))
			}
			key := b.String()
			if prev, ok := groups[key]; ok {
				if kidSig(prev.kids[k]) != kidSig(in.kids[k]) {
					return fixtureErr("%s and %s link their %s by the same values, but hold different ones: a database sends the children once and the fold attaches them to both",
						prev.path, in.path, kn.n.Field)
				}
			} else {
				groups[key] = in
			}
			for _, c := range in.kids[k] {
				if err := rec(c); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, r := range t.roots {
		if err := rec(r); err != nil {
			return err
		}
	}
	return nil
}

func (t *tree) checkInst(in *inst) error {
	for k, kn := range in.en.kids {
		if err := t.checkSiblings(kn, in.kids[k]); err != nil {
			return err
		}
		for _, c := range in.kids[k] {
			if err := t.checkInst(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *tree) checkSiblings(en *enode, sibs []*inst) error {
	seen := map[string]*inst{}
	for _, in := range sibs {
		var b strings.Builder
		null := true
		for _, k := range en.n.Key {
			v := t.value(in.vars[k])
			if v != nil {
				null = false
			}
			b.WriteString(canon(v))
			b.WriteByte('|')
		}
		if null {
			return fixtureErr("%s has a NULL key (%s): the fold takes it for absent", in.path, t.keyNames(en))
		}
		if prev, dup := seen[b.String()]; dup {
			return fixtureErr("%s and %s have the same key (%s = %s): the fold keeps one object per key under a parent",
				prev.path, in.path, t.keyNames(en), t.keyValues(in))
		}
		seen[b.String()] = in
	}
	return nil
}

func (t *tree) keyNames(en *enode) string {
	var names []string
	for _, k := range en.n.Key {
		c := en.n.Cols[k]
		name := c.Field
		if name == "" {
			name = c.Desc
		}
		if name == "" {
			name = c.Column
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

func (t *tree) keyValues(in *inst) string {
	var vals []string
	for _, k := range in.en.n.Key {
		vals = append(vals, show(t.value(in.vars[k])))
	}
	return strings.Join(vals, ", ")
}

// signature is the instance's values and its subtree, canonically.
func (t *tree) signature(in *inst) string {
	if in.sig != "" {
		return in.sig
	}
	var b strings.Builder
	b.WriteByte('(')
	for _, v := range in.vars {
		b.WriteString(strconv.Quote(canon(t.value(v))))
		b.WriteByte(',')
	}
	for _, kids := range in.kids {
		b.WriteByte('[')
		for _, c := range kids {
			b.WriteString(t.signature(c))
		}
		b.WriteByte(']')
	}
	b.WriteByte(')')
	in.sig = b.String()
	return in.sig
}

func kidSig(kids []*inst) string {
	var b strings.Builder
	for _, c := range kids {
		b.WriteString(c.sig)
	}
	return b.String()
}

// row is one result row over the map's columns (pre-order), with its branch and ordinal for
// branch-tagged rows.
type row struct {
	branch  int
	ordinal any // int64, or nil
	vals    []any
}

// flatRows lays the fixture out as a flat JOIN returns it: for each root, every combination
// of one row of each included child's rows (a LEFT JOIN's NULLs where it has none).
func (t *tree) flatRows() []row {
	var out []row
	for _, r := range t.roots {
		for _, vals := range t.flat(r) {
			out = append(out, row{vals: vals})
		}
	}
	return out
}

func (t *tree) flat(in *inst) [][]any {
	base := make([]any, t.ncols)
	for i, v := range in.vars {
		base[in.en.first+i] = t.value(v)
	}
	rows := [][]any{base}
	for k := range in.en.kids {
		var sub [][]any
		for _, c := range in.kids[k] {
			sub = append(sub, t.flat(c)...)
		}
		if len(sub) == 0 {
			continue // NULLs: base has nil there
		}
		lo, hi := t.span(in.en.kids[k])
		next := make([][]any, 0, len(rows)*len(sub))
		for _, r := range rows {
			for _, s := range sub {
				nr := slices.Clone(r)
				copy(nr[lo:hi], s[lo:hi])
				next = append(next, nr)
			}
		}
		rows = next
	}
	return rows
}

// span is the range of map columns of en's subtree (pre-order keeps a subtree contiguous).
func (t *tree) span(en *enode) (int, int) {
	hi := en.first + len(en.n.Cols)
	var rec func(e *enode)
	rec = func(e *enode) {
		if end := e.first + len(e.n.Cols); end > hi {
			hi = end
		}
		for _, k := range e.kids {
			rec(k)
		}
	}
	rec(en)
	return en.first, hi
}

// branchRows lays the fixture out as branch-tagged rows: one row per object of each node, an
// object shared by several parents (the same author of two comments) sent once, in the
// order of the fixture, numbered per branch when ordinals is set (to-one branches send a
// NULL ordinal, as the statements do).
func (t *tree) branchRows(ordinals bool) []row {
	byBranch := map[int][]row{}
	seen := map[string]bool{}
	var rec func(in *inst)
	rec = func(in *inst) {
		n := in.en.n
		vals := make([]any, t.ncols)
		var b strings.Builder
		b.WriteString(strconv.Itoa(n.Branch))
		for i, v := range in.vars {
			x := t.value(v)
			vals[in.en.first+i] = x
			b.WriteByte('|')
			b.WriteString(canon(x))
		}
		if !seen[b.String()] {
			seen[b.String()] = true
			r := row{branch: n.Branch, vals: vals}
			if ordinals && (in.en.parent == nil || n.Many) {
				r.ordinal = int64(len(byBranch[n.Branch]) + 1)
			}
			byBranch[n.Branch] = append(byBranch[n.Branch], r)
		}
		for _, kids := range in.kids {
			for _, c := range kids {
				rec(c)
			}
		}
	}
	for _, r := range t.roots {
		rec(r)
	}
	var out []row
	for _, en := range t.nodes {
		out = append(out, byBranch[en.n.Branch]...)
		delete(byBranch, en.n.Branch)
	}
	return out
}

// canon is a value as a string that is equal for equal driver values.
func canon(v any) string {
	switch x := v.(type) {
	case nil:
		return "N"
	case int64:
		return "i" + strconv.FormatInt(x, 10)
	case float64:
		return "f" + strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return "b" + strconv.FormatBool(x)
	case string:
		return "s" + x
	case []byte:
		return "y" + string(x)
	case time.Time:
		return "t" + x.Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// show prints a value for an error message.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return strconv.Quote(x)
	case []byte:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprint(v)
}
