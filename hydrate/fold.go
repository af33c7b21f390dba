package hydrate

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"unsafe"
)

// Rows is what the hydrator reads: *sql.Rows satisfies it, and so can an adapter over another
// driver's rows.
type Rows interface {
	Columns() ([]string, error)
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// All folds rows into a slice of T, where T is the root node's struct type, a pointer to it,
// or map[string]any for a map whose root has no Type. rows is always closed.
func All[T any](rows Rows, m *Map) ([]T, error) {
	var out []T
	if err := Into(rows, m, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Into folds rows into dest: a *[]T, *[]*T or *[]map[string]any matching the map's root.
// rows is always closed. On success *dest is non-nil (empty when no row matched).
func Into(rows Rows, m *Map, dest any) (err error) {
	if isNil(rows) {
		return errNilRows
	}
	defer func() { err = closeRows(rows, err) }()
	r, err := newRunner(m, dest)
	if err != nil {
		return err
	}
	return r.run(rows)
}

// Each folds rows one root at a time and calls fn with each root as soon as it is complete,
// holding only that root's subtree in memory. The rows of each root must be contiguous (a
// flat statement ordered by the root, as joinery's Each compiles); a root whose rows were
// split is handed out once per run of rows. T is as for All. rows is always closed; an error from fn stops the fold and is
// returned.
func Each[T any](rows Rows, m *Map, fn func(T) error) (err error) {
	if isNil(rows) {
		return errNilRows
	}
	defer func() { err = closeRows(rows, err) }()
	if fn == nil {
		return errors.New("hydrate: Each needs a function to call with each root, got nil")
	}
	var one []T
	r, err := newRunner(m, &one)
	if err != nil {
		return err
	}
	if r.p.branch >= 0 {
		return fmt.Errorf("hydrate: Each needs a flat statement (one row per path through the tree), not branch-tagged rows")
	}
	r.emit = func() error {
		var v T
		if r.mapOut != nil {
			v = any((*r.mapOut)[0]).(T)
			*r.mapOut = make([]map[string]any, 0, 1)
		} else {
			v = one[0]
			one = make([]T, 0, 1)
		}
		return fn(v)
	}
	if err := r.run(rows); err != nil {
		return err
	}
	if r.st[0].count > 0 {
		return r.emit()
	}
	return nil
}

var errNilRows = errors.New("hydrate: rows is nil (the query's error, if it returned one, was not checked)")

// isNil reports a nil interface or a nil pointer in it, such as the *sql.Rows of a query
// that failed: calling its methods would panic.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// closeRows closes rows and returns the fold's error err, or when the fold succeeded or
// only found the columns mismatched, the error of closing (the database's word comes first).
func closeRows(rows Rows, err error) error {
	cerr := rows.Close()
	if cerr == nil || err != nil && !errors.Is(err, ErrColumns) {
		return err
	}
	return fmt.Errorf("hydrate: closing rows: %w", cerr)
}

func newRunner(m *Map, dest any) (*runner, error) {
	p, err := m.program()
	if err != nil {
		return nil, err
	}
	root := p.nodes[0]
	dv := reflect.ValueOf(dest)
	if dv.Kind() != reflect.Pointer || dv.IsNil() || dv.Elem().Kind() != reflect.Slice {
		return nil, fmt.Errorf("hydrate: dest must be a non-nil pointer to a slice, got %T", dest)
	}
	st := dv.Elem().Type()
	r := &runner{p: p}
	switch {
	case root.isMap && st.Elem() == reflect.TypeOf(map[string]any(nil)):
		r.mapOut = (*[]map[string]any)(dv.UnsafePointer()) // also a named []map[string]any
		*r.mapOut = make([]map[string]any, 0)
	case !root.isMap && st.Elem() == root.elemType:
		r.rootPtr = false
	case !root.isMap && st.Elem().Kind() == reflect.Pointer && st.Elem().Elem() == root.elemType:
		r.rootPtr = true
	default:
		want := "[]map[string]any"
		if !root.isMap {
			want = "[]" + root.elemType.String() + " or []*" + root.elemType.String()
		}
		return nil, fmt.Errorf("hydrate: dest is %s, the map's root needs %s", st, want)
	}
	if r.mapOut == nil {
		dv.Elem().Set(reflect.MakeSlice(st, 0, 0))
		r.rootHdr = dv.UnsafePointer()
		r.rootSlice = st
	}
	return r, nil
}

type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}

var emptyBase byte

// emptySlice is a non-nil, zero-capacity slice header: appends through it always reallocate,
// so every parent can share it.
var emptySlice = sliceHeader{data: unsafe.Pointer(&emptyBase)}

type intKey struct {
	parent int32
	v      int64
}

type genKey struct {
	parent int32
	n      uint8
	parts  [4]keyPart
}

type nstate struct {
	fastIdx map[uint64]int32 // int keys that pack with the parent id into 64 bits
	intIdx  map[intKey]int32 // other int keys
	genIdx  map[genKey]int32
	// to-one nodes with int keys: parent instance -> its instance (-1: none yet), and the
	// key of each instance; no map
	one    []int32
	oneKey []int64
	// the instance the previous row visited (flat rows repeat a parent for each child)
	lastOK   bool
	lastPid  int32
	lastKey  int64
	lastID   int32
	pos      []int32          // value elements: position in the parent's slice
	ptrs     []unsafe.Pointer // pointer elements
	maps     []map[string]any // map nodes
	filled   []bool           // to-one nodes not indexed by one: parent id -> already has its one
	parentOf []int32          // instance -> parent instance
	firsts   int32            // parents that got a first child (for the initial capacity)
	count    int32
	curID    int32
	cur      unsafe.Pointer
	curMap   map[string]any
}

type runner struct {
	p         *program
	st        []nstate
	slots     []slot
	rootPtr   bool
	rootHdr   unsafe.Pointer
	rootSlice reflect.Type
	mapOut    *[]map[string]any
	u         []ustate   // branch-tagged rows: each node's objects
	slots2    []slotVals // branch-tagged rows: the parents' values per link
	seq       int64      // branch-tagged rows: arrival count, the ordinal of unordered branches
	box       boxes      // the map form: its values' slabs
	stamp     uint32     // branch-tagged rows: the mark of uniq's current group
	// emit, when set (Each), hands out the finished root and the fold starts afresh for the
	// next one.
	emit func() error
}

func (r *runner) run(rows Rows) error {
	p := r.p
	names, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("hydrate: %w", err)
	}
	dests, err := r.bind(names)
	if err != nil {
		// A statement that failed before its first row may describe no columns, or others,
		// and some drivers (pgx) report the failure only once the rows are read: the
		// database's error says what went wrong, the mismatch would only hide it.
		if derr := pendingErr(rows); derr != nil {
			return fmt.Errorf("hydrate: %w", derr)
		}
		return err
	}
	r.st = make([]nstate, len(p.nodes))
	for i, pn := range p.nodes {
		if pn.intKey {
			r.st[i].fastIdx = map[uint64]int32{}
			r.st[i].intIdx = map[intKey]int32{}
		} else {
			r.st[i].genIdx = map[genKey]int32{}
		}
	}
	fold := r.row
	if p.branch >= 0 {
		r.u = make([]ustate, len(p.nodes))
		for i, pn := range p.nodes {
			r.u[i].presize(pn)
		}
		r.slots2 = make([]slotVals, p.nlinks)
		fold = r.collect
	}
	scan := func() error { return rows.Scan(dests...) }
	if cr, ok := rows.(CellRows); ok {
		cells := make([]Cell, len(dests))
		for i, d := range dests {
			cells[i] = d.(slot)
		}
		scan = func() error { return cr.ScanCells(cells) }
	}
	for rows.Next() {
		if err := scan(); err != nil {
			return fmt.Errorf("hydrate: %w", err)
		}
		if err := fold(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		if errors.Is(err, ErrColumns) {
			return err // a part's columns (Parts): the mismatch, already worded
		}
		return fmt.Errorf("hydrate: %w", err)
	}
	if p.branch >= 0 {
		return r.assemble()
	}
	return nil
}

// bind matches the result's columns with the map's, by name, once per result set: the
// destination of each result column.
func (r *runner) bind(names []string) ([]any, error) {
	p := r.p
	r.slots = make([]slot, len(p.cols))
	for i, c := range p.cols {
		r.slots[i] = newSlot(c.kind, c.info)
	}
	dests := make([]any, len(names))
	seen := make([]bool, len(p.cols))
	for i, name := range names {
		j, ok := p.byName[name]
		if !ok {
			return nil, fmt.Errorf("%w: unexpected column %q (position %d): the map has no place for it", ErrColumns, name, i+1)
		}
		if seen[j] {
			return nil, fmt.Errorf("%w: column %q appears twice in the result", ErrColumns, name)
		}
		seen[j] = true
		dests[i] = r.slots[j]
	}
	for j, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("%w: column %q (%s) is missing from the result", ErrColumns, p.cols[j].name, p.describe(j))
		}
	}
	return dests, nil
}

// pendingErr is the error rows hold back, if any: their Err, or, when that is nil, the Err
// after advancing to the first row, where drivers that stream report a statement that failed.
// It reads a row, so it is only for rows about to be given up.
func pendingErr(rows Rows) error {
	if err := rows.Err(); err != nil {
		return err
	}
	if _, ok := rows.(*partRows); ok {
		// advancing would run a statement only to look for an error of its own
		return nil
	}
	if rows.Next() {
		return nil
	}
	return rows.Err()
}

// row folds the current row of a flat statement: each node, in pre-order, finds or creates
// its instance under the parent's instance of this row.
func (r *runner) row() error {
	for i, pn := range r.p.nodes {
		st := &r.st[i]
		var pid int32
		var pbase unsafe.Pointer
		var pmap map[string]any
		if pn.parent != nil {
			ps := &r.st[pn.parent.idx]
			if ps.curID < 0 {
				st.curID = -1
				continue
			}
			pid, pbase, pmap = ps.curID, ps.cur, ps.curMap
		} else {
			pbase = r.rootHdr
		}
		if _, err := r.visit(pn, st, pid, pbase, pmap); err != nil {
			return err
		}
	}
	return nil
}

// visit finds or creates pn's instance of the current row under parent instance pid (whose
// value is at pbase, or pmap in the map form) and makes it current; st.curID is -1 when the
// row has no such instance. created reports a new instance.
//
// Identity is (parent instance, key). Int keys take the cheapest index that holds them: the
// instance the previous row visited (flat rows repeat a parent for each of its children); for
// a to-one, a slice by parent instance (one instance each); otherwise a map of the key packed
// with the parent into 64 bits, or of the pair.
func (r *runner) visit(pn *pnode, st *nstate, pid int32, pbase unsafe.Pointer, pmap map[string]any) (created bool, err error) {
	if !pn.intKey {
		return r.visitGen(pn, st, pid, pbase, pmap)
	}
	s := r.slots[pn.key[0]].(*intSlot)
	if !s.v.Valid {
		if pn.parent == nil {
			return false, r.nullRootKey(pn)
		}
		st.curID = -1
		return false, nil
	}
	v := s.v.Int64
	if !pn.many && pn.parent != nil {
		// a to-one: at most one instance per parent instance
		if int(pid) < len(st.one) {
			if id := st.one[pid]; id >= 0 {
				if st.oneKey[id] != v {
					st.curID = -1 // a second match: a to-one keeps its first
					return false, nil
				}
				r.locate(pn, st, id, pbase)
				st.curID = id
				return false, nil
			}
		}
		created, err = r.add(pn, st, pid, pbase, pmap)
		if created {
			for int(pid) >= len(st.one) {
				st.one = append(st.one, -1)
			}
			st.one[pid] = st.curID
			for len(st.oneKey) <= int(st.curID) {
				st.oneKey = append(st.oneKey, 0)
			}
			st.oneKey[st.curID] = v
		}
		return created, err
	}
	if st.lastOK && st.lastPid == pid && st.lastKey == v {
		r.locate(pn, st, st.lastID, pbase)
		st.curID = st.lastID
		return false, nil
	}
	packed := v >= 0 && v <= math.MaxUint32 && pid >= 0
	var id int32
	var found bool
	if packed {
		id, found = st.fastIdx[uint64(pid)<<32|uint64(v)]
	} else {
		id, found = st.intIdx[intKey{parent: pid, v: v}]
	}
	if found {
		r.locate(pn, st, id, pbase)
		st.curID = id
	} else {
		if created, err = r.add(pn, st, pid, pbase, pmap); err != nil || !created {
			return created, err
		}
		if packed {
			st.fastIdx[uint64(pid)<<32|uint64(v)] = st.curID
		} else {
			st.intIdx[intKey{parent: pid, v: v}] = st.curID
		}
	}
	st.lastOK, st.lastPid, st.lastKey, st.lastID = true, pid, v, st.curID
	return created, nil
}

// visitGen is visit for composite and non-integer keys.
func (r *runner) visitGen(pn *pnode, st *nstate, pid int32, pbase unsafe.Pointer, pmap map[string]any) (created bool, err error) {
	gk, allNull, err := r.genIdentity(pn)
	if err != nil {
		return false, err
	}
	gk.parent = pid
	if allNull {
		if pn.parent == nil {
			return false, r.nullRootKey(pn)
		}
		st.curID = -1
		return false, nil
	}
	if id, found := st.genIdx[gk]; found {
		r.locate(pn, st, id, pbase)
		st.curID = id
		return false, nil
	}
	created, err = r.add(pn, st, pid, pbase, pmap)
	if created {
		st.genIdx[gk] = st.curID
	}
	return created, err
}

// genIdentity reads pn's key from the current row as a genKey (parent not set): a NULL part
// stays a part of its own, so (1, NULL) and (NULL, 1) differ; allNull reports that every part
// is NULL (no instance).
func (r *runner) genIdentity(pn *pnode) (gk genKey, allNull bool, err error) {
	gk.n = uint8(len(pn.key))
	allNull = true
	for j, k := range pn.key {
		s := r.slots[k]
		if s.isNull() {
			gk.parts[j] = keyPart{null: true}
			continue
		}
		allNull = false
		kp, ok := s.key()
		if !ok {
			return gk, false, &ScanError{Column: r.p.cols[k].name, Field: r.p.cols[k].info.field, Err: fmt.Errorf("%T cannot be an identity key", s.value(nil))}
		}
		gk.parts[j] = kp
	}
	return gk, allNull, nil
}

// add creates pn's instance of the current row under parent instance pid and makes it
// current; a to-one whose parent already has its instance gets none (curID -1).
func (r *runner) add(pn *pnode, st *nstate, pid int32, pbase unsafe.Pointer, pmap map[string]any) (bool, error) {
	if pn.parent == nil && r.emit != nil {
		if err := r.nextRoot(); err != nil {
			return false, err
		}
	}
	if !pn.many && !pn.intKey {
		// a to-one keeps its first match (indexed int keys: by st.one, in visit)
		if int(pid) < len(st.filled) && st.filled[pid] {
			st.curID = -1
			return false, nil
		}
		for int(pid) >= len(st.filled) {
			st.filled = append(st.filled, false)
		}
		st.filled[pid] = true
	}
	id := st.count
	st.count++
	st.parentOf = append(st.parentOf, pid)
	if err := r.create(pn, st, pbase, pmap); err != nil {
		return false, err
	}
	st.curID = id
	return true, nil
}

func (r *runner) nullRootKey(pn *pnode) error {
	c := r.p.cols[pn.key[0]]
	return &ScanError{Column: c.name, Field: c.info.field, Err: fmt.Errorf("the root's key is NULL")}
}

// locate sets st.cur/curMap to the existing instance id.
func (r *runner) locate(pn *pnode, st *nstate, id int32, pbase unsafe.Pointer) {
	switch {
	case pn.isMap:
		st.curMap = st.maps[id]
	case pn.ptrElem || (pn.parent == nil && r.rootPtr):
		st.cur = st.ptrs[id]
	case pn.many:
		h := (*sliceHeader)(unsafe.Add(pbase, pn.fieldOff))
		st.cur = unsafe.Add(h.data, uintptr(st.pos[id])*pn.size)
	default:
		st.cur = unsafe.Add(pbase, pn.fieldOff)
	}
}

func (r *runner) create(pn *pnode, st *nstate, pbase unsafe.Pointer, pmap map[string]any) error {
	if pn.isMap {
		return r.createMap(pn, st, pmap)
	}
	ptrElem := pn.ptrElem || (pn.parent == nil && r.rootPtr)
	var cur unsafe.Pointer
	switch {
	case ptrElem:
		cur = reflect.New(pn.elemType).UnsafePointer()
		st.ptrs = append(st.ptrs, cur)
		if pn.many {
			h := (*sliceHeader)(unsafe.Add(pbase, pn.fieldOff))
			r.grow(pn, h)
			*(*unsafe.Pointer)(unsafe.Add(h.data, uintptr(h.len)*unsafe.Sizeof(cur))) = cur
			h.len++
		} else {
			*(*unsafe.Pointer)(unsafe.Add(pbase, pn.fieldOff)) = cur
		}
	case pn.many:
		h := (*sliceHeader)(unsafe.Add(pbase, pn.fieldOff))
		r.grow(pn, h)
		cur = unsafe.Add(h.data, uintptr(h.len)*pn.size)
		st.pos = append(st.pos, int32(h.len))
		h.len++
	default:
		cur = unsafe.Add(pbase, pn.fieldOff)
	}
	st.cur = cur
	for _, f := range pn.fields {
		if err := f.set(cur, r.slots[f.col]); err != nil {
			if _, ok := err.(*ScanError); ok {
				return err
			}
			c := r.p.cols[f.col]
			return &ScanError{Column: c.name, Field: c.info.field, Err: err}
		}
	}
	for _, k := range pn.manyKids {
		*(*sliceHeader)(unsafe.Add(cur, k.fieldOff)) = emptySlice
	}
	return nil
}

// grow makes room for one more element in the slice at h.
func (r *runner) grow(pn *pnode, h *sliceHeader) {
	if h.len < h.cap {
		return
	}
	typ := pn.sliceTyp
	if pn.parent == nil {
		typ = r.rootSlice
	}
	st := &r.st[pn.idx]
	n := 2 * h.cap
	if h.cap == 0 {
		// a parent's first child: room for as many as the parents so far had on average, so
		// most parents allocate their slice once
		st.firsts++
		n = 4
		if st.firsts > 1 {
			if avg := (int(st.count) - 1 + int(st.firsts) - 2) / int(st.firsts-1); avg > n {
				n = avg
			}
		}
	}
	ns := reflect.MakeSlice(typ, h.len, n)
	if h.len > 0 {
		reflect.Copy(ns, reflect.NewAt(typ, unsafe.Pointer(h)).Elem())
	}
	*h = sliceHeader{data: ns.UnsafePointer(), len: h.len, cap: n}
}

func (r *runner) createMap(pn *pnode, st *nstate, pmap map[string]any) error {
	m := r.newMap(pn)
	for _, k := range pn.kids {
		if k.many {
			m[k.n.Field] = []any{}
		} else {
			m[k.n.Field] = nil
		}
	}
	st.maps = append(st.maps, m)
	st.curMap = m
	switch {
	case pn.parent == nil:
		*r.mapOut = append(*r.mapOut, m)
	case pn.many:
		pmap[pn.n.Field] = append(pmap[pn.n.Field].([]any), m)
	default:
		pmap[pn.n.Field] = m
	}
	return nil
}

// nextRoot, when streaming, hands out the finished root before a new one starts and resets
// the fold: memory holds one root's subtree. The rows of each root must be contiguous (the
// statement ordered by the root, as joinery's Each statement is); a root whose rows were
// split would be handed out once per run of rows.
func (r *runner) nextRoot() error {
	if r.st[0].count == 0 {
		return nil
	}
	if err := r.emit(); err != nil {
		return err
	}
	for i := range r.st {
		s := &r.st[i]
		clear(s.fastIdx)
		clear(s.intIdx)
		clear(s.genIdx)
		s.one, s.oneKey, s.lastOK = s.one[:0], s.oneKey[:0], false
		s.pos, s.ptrs, s.maps, s.filled, s.parentOf = s.pos[:0], nil, nil, s.filled[:0], s.parentOf[:0]
		s.count, s.firsts, s.curID = 0, 0, -1
	}
	return nil
}
