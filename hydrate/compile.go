package hydrate

import (
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/joinery/joinery/internal/meta"
)

// program is a Map compiled once: per node, the setters of its columns and how it is attached
// to its parent.
type program struct {
	branch   int      // index in cols of the branch tag column; -1 for a flat statement
	byBranch []*pnode // branch tag value -> node
	nlinks   int      // number of link indexes
	ordinal  int      // index in cols of the ordinal column; -1 when none
	nodes    []*pnode
	cols     []pcol
	byName   map[string]int // expected column name -> index in cols (used once per result set)
}

type pcol struct {
	name string
	kind Kind
	info *colInfo
	node *pnode // the node whose rows carry it; nil for the branch tag and the ordinal
}

type setter func(base unsafe.Pointer, s slot) error

type pfield struct {
	col int // index into program.cols
	set setter
	// map nodes
	key     string
	through bool
}

type pnode struct {
	n          *Node
	idx        int
	parent     *pnode
	isMap      bool
	many       bool
	ptrElem    bool // struct node held through pointers ([]*T, *T)
	elemType   reflect.Type
	copier     *copier // copies an elemType value without reflect (nil: through reflect)
	size       uintptr
	sliceTyp   reflect.Type // many struct nodes: the slice type of the parent's field
	fieldOff   uintptr      // offset of the receiving field in the parent struct
	key        []int        // indexes into program.cols
	link       []int        // union rows: this node's link columns (program.cols indexes)
	parentLink []int        // union rows: the parent's link columns (program.cols indexes)
	linkSlot   int          // union rows: the index of the parent instances this node links into
	linkInt    bool         // union rows: the link is one integer column on both sides
	branch     int          // union rows: the node's branch tag
	linkSlots  []linkSlot   // union rows: the indexes this node's instances are registered in
	intKey     bool
	fields     []pfield
	manyKids   []*pnode
	kids       []*pnode
	through    string // map nodes
	path       string // Go field path for errors
	// union rows: how many objects the node had in the last fold that used this program,
	// the capacity its lists start with (so a data layer's repeated load grows no list)
	lastCount atomic.Int64
}

func (m *Map) program() (*program, error) {
	if m == nil {
		return nil, mapErr("nil Map")
	}
	if m.src != nil {
		return m.src.program()
	}
	m.once.Do(func() { m.prog, m.err = compile(m) })
	return m.prog, m.err
}

func mapErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMap}, args...)...)
}

func compile(m *Map) (*program, error) {
	if m == nil || m.Root == nil {
		return nil, mapErr("no root node")
	}
	p := &program{byName: map[string]int{}, branch: -1}
	union := m.Branch != ""
	p.ordinal = -1
	if union {
		p.branch = 0
		p.byName[m.Branch] = 0
		p.cols = append(p.cols, pcol{name: m.Branch, kind: Int, info: &colInfo{column: m.Branch, field: "branch"}})
		if m.Ordinal != "" {
			p.ordinal = 1
			p.byName[m.Ordinal] = 1
			p.cols = append(p.cols, pcol{name: m.Ordinal, kind: Int, info: &colInfo{column: m.Ordinal, field: "ordinal"}})
		}
	}
	seen := map[*Node]bool{}
	var rec func(n *Node, parent *pnode) error
	rec = func(n *Node, parent *pnode) error {
		if n == nil {
			return mapErr("node %q has a nil child", parent.n.Path)
		}
		if seen[n] {
			return mapErr("node %q appears twice in the tree (a node cannot be its own descendant)", n.Path)
		}
		seen[n] = true
		pn := &pnode{n: n, idx: len(p.nodes), parent: parent, isMap: n.Type == nil, many: n.Many, through: n.Through}
		p.nodes = append(p.nodes, pn)
		name := n.Name
		if name == "" {
			name = "root"
		}
		if parent == nil {
			pn.path = name
			pn.many = true
		} else {
			pn.path = parent.path + "." + n.Field
			if n.Many {
				pn.path += "[]"
			}
			parent.kids = append(parent.kids, pn)
			if n.Many {
				parent.manyKids = append(parent.manyKids, pn)
			}
			if parent.isMap != pn.isMap {
				return mapErr("node %q: a struct node and a map node cannot be nested in each other", n.Path)
			}
			if !pn.isMap {
				if err := bindParentField(pn, parent); err != nil {
					return err
				}
			}
		}
		var sm *meta.Struct
		if !pn.isMap {
			t := n.Type
			if t.Kind() != reflect.Struct {
				return mapErr("node %q: Type %s is not a struct", n.Path, t)
			}
			var err error
			if sm, err = meta.Of(t); err != nil {
				return mapErr("node %q: %v", n.Path, err)
			}
			pn.elemType, pn.size, pn.copier = t, t.Size(), newCopier(t)
		}
		if len(n.Key) == 0 {
			return mapErr("node %q has no key columns: identity needs the primary key", n.Path)
		}
		if len(n.Key) > 4 {
			return mapErr("node %q: keys of more than 4 columns are not supported", n.Path)
		}
		first := len(p.cols)
		for i, c := range n.Cols {
			if _, dup := p.byName[c.Column]; dup {
				return mapErr("column %q appears twice in the map", c.Column)
			}
			ci := &colInfo{column: c.Column, field: pn.path}
			kind := c.Kind
			var set setter
			if !pn.isMap && c.Field != "" {
				f, off, err := structField(sm, c, n)
				if err != nil {
					return err
				}
				ci.field = pn.path + "." + f.GoName
				kind, set = fieldSetter(f.Type, off)
			} else if c.Field != "" {
				ci.field = pn.path + "." + c.Field
			}
			p.byName[c.Column] = len(p.cols)
			p.cols = append(p.cols, pcol{name: c.Column, kind: kind, info: ci, node: pn})
			if c.Field != "" {
				pn.fields = append(pn.fields, pfield{col: first + i, set: set, key: c.Field, through: c.Through})
			}
		}
		for _, k := range n.Key {
			if k < 0 || k >= len(n.Cols) {
				return mapErr("node %q: key index %d out of range", n.Path, k)
			}
			pn.key = append(pn.key, first+k)
		}
		pn.intKey = len(pn.key) == 1 && p.cols[pn.key[0]].kind == Int
		if union {
			if n.Branch < 0 || n.Branch > 1<<16 {
				return mapErr("node %q: branch %d out of range", n.Path, n.Branch)
			}
			for len(p.byBranch) <= n.Branch {
				p.byBranch = append(p.byBranch, nil)
			}
			if p.byBranch[n.Branch] != nil {
				return mapErr("node %q: branch %d is also node %q's", n.Path, n.Branch, p.byBranch[n.Branch].n.Path)
			}
			p.byBranch[n.Branch] = pn
			pn.branch = n.Branch
			if parent != nil {
				if len(n.Link) == 0 || len(n.Link) != len(n.ParentLink) || len(n.Link) > 4 {
					return mapErr("node %q: Link and ParentLink must name the same number (1 to 4) of columns", n.Path)
				}
				pfirst := parentFirst(p, parent)
				for i, k := range n.Link {
					if k < 0 || k >= len(n.Cols) || n.ParentLink[i] < 0 || n.ParentLink[i] >= len(parent.n.Cols) {
						return mapErr("node %q: link column index out of range", n.Path)
					}
					pn.link = append(pn.link, first+k)
					pn.parentLink = append(pn.parentLink, pfirst+n.ParentLink[i])
				}
				pn.linkInt = len(pn.link) == 1 && p.cols[pn.link[0]].kind == Int && p.cols[pn.parentLink[0]].kind == Int
				p.bindLink(pn)
			}
		}
		for _, c := range n.Children {
			if err := rec(c, pn); err != nil {
				return err
			}
		}
		return nil
	}
	if err := rec(m.Root, nil); err != nil {
		return nil, err
	}
	return p, nil
}

// label names pn in errors: the root, or the include by its path.
func (pn *pnode) label() string {
	if pn.parent == nil {
		return "(root)"
	}
	return fmt.Sprintf("include %q", pn.n.Path)
}

// describe says what column j is for, for errors: every part the fold reads it for (the
// branch tag, the ordinal, a node's key, its link to its parent, the column its children
// link to) and the field it lands on.
func (p *program) describe(j int) string {
	switch j {
	case p.branch:
		return "branch tag: the node each row belongs to"
	case p.ordinal:
		return "ordinal: the order of each branch's rows"
	}
	c := p.cols[j]
	pn := c.node
	var roles []string
	if slices.Contains(pn.link, j) {
		roles = append(roles, "link of "+pn.label()+" to its parent")
	}
	if slices.Contains(pn.key, j) {
		roles = append(roles, "key of "+pn.label())
	}
	for _, k := range pn.kids {
		if slices.Contains(k.parentLink, j) {
			roles = append(roles, "column of "+pn.label()+" that "+k.label()+" links to")
		}
	}
	for _, f := range pn.fields {
		if f.col != j {
			continue
		}
		what := "field "
		if f.through {
			what = "join-table field "
		}
		if len(roles) == 0 {
			roles = append(roles, what+c.info.field+" of "+pn.label())
		} else {
			roles = append(roles, "into "+c.info.field)
		}
	}
	if len(roles) == 0 {
		roles = append(roles, "column of "+pn.label())
	}
	return strings.Join(roles, ", ")
}

// linkSlot is one index of a node's instances by link value, shared by the children that
// link on the same columns (a post's tags and comments both link on its id).
type linkSlot struct {
	cols  []int
	idx   int
	asInt bool // one integer column on both sides
}

// bindLink gives pn the index of its parent's instances by pn.parentLink, shared with the
// siblings that link on the same columns.
func (p *program) bindLink(pn *pnode) {
	par := pn.parent
	for _, ls := range par.linkSlots {
		if equalInts(ls.cols, pn.parentLink) && ls.asInt == pn.linkInt {
			pn.linkSlot = ls.idx
			return
		}
	}
	pn.linkSlot = p.nlinks
	p.nlinks++
	par.linkSlots = append(par.linkSlots, linkSlot{cols: pn.parentLink, idx: pn.linkSlot, asInt: pn.linkInt})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// parentFirst is the index in p.cols of the parent's first column.
func parentFirst(p *program, parent *pnode) int {
	return p.byName[parent.n.Cols[0].Column]
}

// bindParentField finds the field of the parent struct that receives pn and checks its type.
func bindParentField(pn, parent *pnode) error {
	n := pn.n
	pt := parent.elemType
	var sf reflect.StructField
	ok := false
	if n.FieldIndex != nil {
		if f, found := fieldAt(pt, n.FieldIndex); found && f.Name == n.Field {
			sf, ok = f, true
			sf.Index = n.FieldIndex // the whole path, as FieldByName gives it
		}
	} else {
		sf, ok = pt.FieldByName(n.Field)
	}
	if !ok || len(sf.Index) != 1 && !embeddedByValue(pt, sf.Index) {
		return mapErr("node %q: %s has no field %q", n.Path, pt, n.Field)
	}
	ft := sf.Type
	pn.fieldOff = sf.Offset
	if len(sf.Index) > 1 {
		pn.fieldOff = offsetOf(pt, sf.Index)
	}
	want := n.Type
	switch {
	case n.Many && ft.Kind() == reflect.Slice && ft.Elem() == want:
		pn.sliceTyp = ft
	case n.Many && ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Pointer && ft.Elem().Elem() == want:
		pn.sliceTyp, pn.ptrElem = ft, true
	case !n.Many && ft == want:
	case !n.Many && ft.Kind() == reflect.Pointer && ft.Elem() == want:
		pn.ptrElem = true
	default:
		card := "*%[1]s or %[1]s"
		if n.Many {
			card = "[]%[1]s or []*%[1]s"
		}
		return mapErr("node %q: field %s.%s is %s, want "+card, n.Path, pt.Name(), n.Field, ft, want.Name())
	}
	return nil
}

// fieldAt is the field at index path index of struct type t, through embedded structs.
func fieldAt(t reflect.Type, index []int) (reflect.StructField, bool) {
	var f reflect.StructField
	for k, i := range index {
		if k > 0 {
			t = f.Type
			if t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
		}
		if t.Kind() != reflect.Struct || i < 0 || i >= t.NumField() {
			return reflect.StructField{}, false
		}
		f = t.Field(i)
	}
	return f, len(index) > 0
}

func embeddedByValue(t reflect.Type, index []int) bool {
	for _, i := range index[:len(index)-1] {
		f := t.Field(i)
		if f.Type.Kind() != reflect.Struct {
			return false
		}
		t = f.Type
	}
	return true
}

func offsetOf(t reflect.Type, index []int) uintptr {
	var off uintptr
	for _, i := range index {
		f := t.Field(i)
		off += f.Offset
		t = f.Type
	}
	return off
}

// structField finds where column c of node n lands in the struct: a column field, or for a
// join-table column a `joinery:"through:<col>"` field or a field of the `joinery:"through"`
// struct. It returns the field and its offset from the start of the node's struct; a pointer
// to a through struct is not supported as an offset, so through structs must be values.
func structField(sm *meta.Struct, c Col, n *Node) (*meta.Field, uintptr, error) {
	if c.Computed {
		if f := sm.ComputedField(c.Field); f != nil {
			return f, f.Offset, nil
		}
		return nil, 0, mapErr("node %q: the computed value %q has nowhere to land in %s: add a field tagged `joinery:\"computed:%s\"`", n.Path, c.Field, sm.Type.Name(), c.Field)
	}
	if !c.Through {
		f := sm.Column(c.Field)
		if f == nil {
			return nil, 0, mapErr("node %q: %s has no field for column %q (valid: %v)", n.Path, sm.Type, c.Field, sm.ColumnNames())
		}
		return f, f.Offset, nil
	}
	for _, f := range sm.Through {
		if f.Name == c.Field {
			return f, f.Offset, nil
		}
	}
	for _, f := range sm.Through {
		if f.Name != "" {
			continue
		}
		if f.Type.Kind() != reflect.Struct {
			return nil, 0, mapErr("node %q: field %s.%s tagged joinery:\"through\" must be a struct value", n.Path, sm.Type.Name(), f.GoName)
		}
		inner, err := meta.Of(f.Type)
		if err != nil {
			return nil, 0, mapErr("node %q: %v", n.Path, err)
		}
		if g := inner.Column(c.Field); g != nil {
			return &meta.Field{Name: g.Name, GoName: f.GoName + "." + g.GoName, Type: g.Type}, f.Offset + g.Offset, nil
		}
		return nil, 0, mapErr("node %q: join-table column %q has no field in %s.%s (valid: %v)", n.Path, c.Field, sm.Type.Name(), f.GoName, inner.ColumnNames())
	}
	return nil, 0, mapErr("node %q: join-table column %q has nowhere to land in %s: add a field tagged `joinery:\"through:%s\"` or a struct field tagged `joinery:\"through\"`", n.Path, c.Field, sm.Type.Name(), c.Field)
}

var (
	scannerType  = reflect.TypeOf((*sql.Scanner)(nil)).Elem()
	timeType     = reflect.TypeOf(time.Time{})
	nullTimeType = reflect.TypeOf(sql.NullTime{})
)

// KindOf is the slot kind joinery scans a column into when it lands on a field of type t; a
// statement builder uses it for key-only columns of struct nodes.
func KindOf(t reflect.Type) Kind {
	k, _ := fieldSetter(t, 0)
	return k
}

// fieldSetter chooses, once per field, the slot kind and the function that stores the slot's
// value into the field at base+off.
func fieldSetter(t reflect.Type, off uintptr) (Kind, setter) {
	if t == nullTimeType {
		// a time slot, not sql.NullTime's own Scan, which takes no text: a UNION's column
		// of times arrives as text from the SQLite drivers
		return Time, func(base unsafe.Pointer, s slot) error {
			*(*sql.NullTime)(unsafe.Add(base, off)) = s.(*timeSlot).v
			return nil
		}
	}
	if reflect.PointerTo(t).Implements(scannerType) {
		return Any, func(base unsafe.Pointer, s slot) error {
			sc := reflect.NewAt(t, unsafe.Add(base, off)).Interface().(sql.Scanner)
			return sc.Scan(s.(*anySlot).v)
		}
	}
	if t.Kind() == reflect.Pointer {
		et := t.Elem()
		k, inner := fieldSetter(et, 0)
		return k, func(base unsafe.Pointer, s slot) error {
			dst := (*unsafe.Pointer)(unsafe.Add(base, off))
			if s.isNull() {
				*dst = nil
				return nil
			}
			v := reflect.New(et).UnsafePointer()
			if err := inner(v, s); err != nil {
				return err
			}
			*dst = v
			return nil
		}
	}
	if t == timeType {
		return Time, func(base unsafe.Pointer, s slot) error {
			ts := s.(*timeSlot)
			if !ts.v.Valid {
				return errNull
			}
			*(*time.Time)(unsafe.Add(base, off)) = ts.v.Time
			return nil
		}
	}
	switch t.Kind() {
	case reflect.String:
		return String, func(base unsafe.Pointer, s slot) error {
			ss := s.(*stringSlot)
			if !ss.v.Valid {
				return errNull
			}
			*(*string)(unsafe.Add(base, off)) = ss.v.String
			return nil
		}
	case reflect.Bool:
		return Bool, func(base unsafe.Pointer, s slot) error {
			bs := s.(*boolSlot)
			if !bs.v.Valid {
				return errNull
			}
			*(*bool)(unsafe.Add(base, off)) = bs.v.Bool
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		size := t.Size()
		signed := t.Kind() <= reflect.Int64
		return Int, func(base unsafe.Pointer, s slot) error {
			is := s.(*intSlot)
			if !is.v.Valid {
				return errNull
			}
			p := unsafe.Add(base, off)
			v := is.v.Int64
			if !intFits(v, size, signed) {
				return fmt.Errorf("value %d out of range for %s", v, t)
			}
			switch size {
			case 8:
				*(*int64)(p) = v
			case 4:
				*(*int32)(p) = int32(v)
			case 2:
				*(*int16)(p) = int16(v)
			default:
				*(*int8)(p) = int8(v)
			}
			return nil
		}
	case reflect.Float32:
		return Float, func(base unsafe.Pointer, s slot) error {
			fs := s.(*floatSlot)
			if !fs.v.Valid {
				return errNull
			}
			*(*float32)(unsafe.Add(base, off)) = float32(fs.v.Float64)
			return nil
		}
	case reflect.Float64:
		return Float, func(base unsafe.Pointer, s slot) error {
			fs := s.(*floatSlot)
			if !fs.v.Valid {
				return errNull
			}
			*(*float64)(unsafe.Add(base, off)) = fs.v.Float64
			return nil
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return Bytes, func(base unsafe.Pointer, s slot) error {
				*(*[]byte)(unsafe.Add(base, off)) = s.(*bytesSlot).v // any slice of bytes has this layout
				return nil
			}
		}
	}
	// anything else: convert what the driver returned
	return Any, func(base unsafe.Pointer, s slot) error {
		v := s.(*anySlot).v
		if v == nil {
			return errNull
		}
		rv := reflect.ValueOf(v)
		if !rv.Type().ConvertibleTo(t) {
			return errUnsupported(v, t.String())
		}
		if rv.Kind() == reflect.Slice && t.Kind() == reflect.Array && rv.Len() != t.Len() {
			return fmt.Errorf("cannot store %d elements into %s", rv.Len(), t)
		}
		reflect.NewAt(t, unsafe.Add(base, off)).Elem().Set(rv.Convert(t))
		return nil
	}
}

// intFits reports whether v fits an integer field of size bytes, signed or not.
func intFits(v int64, size uintptr, signed bool) bool {
	if !signed {
		return v >= 0 && (size == 8 || v < 1<<(size*8))
	}
	if size == 8 {
		return true
	}
	lim := int64(1) << (size*8 - 1)
	return v >= -lim && v < lim
}
