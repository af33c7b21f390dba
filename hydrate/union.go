package hydrate

import (
	"fmt"
	"reflect"
	"slices"
	"unsafe"
)

// Branch-tagged rows (a UNION ALL with one branch per node) arrive in any order: PostgreSQL
// may interleave the branches of a parallel append, and sorting the whole result to prevent
// that costs more than the rest of the statement. So the fold has two phases. Collect makes
// one object per row, in an arena where it never moves, and keeps its ordinal, its key, the
// link value it attaches by and the values its children will link to. Assemble then works
// bottom-up: each node's objects are grouped by link value, ordered by ordinal, reduced to the
// first object of each key (the flat fold's identity rule: a table without a key constraint
// repeats rows in every shape), and copied (or, for pointer fields, referenced) into
// exact-size slices of every parent object they link to, so a parent is complete before it is
// itself copied into its own parent.

// ustate is one node's objects.
type ustate struct {
	arena arena
	objs  []unsafe.Pointer // struct nodes: the objects
	maps  []map[string]any // map nodes: the objects
	ord   []int64          // the ordinal of each object (its row's, or its arrival)
	linkI []int64          // the value it links to its parent by (int links)
	linkG []genKey         // (other links)
	lnull []bool           // its link is NULL: it attaches nowhere
	keyI  []int64          // its own key (int keys)
	keyG  []genKey         // (other keys)
	// the keys met in the current group of uniq, marked with the group's stamp: one set per
	// node, reused by every group, never cleared
	seenI map[int64]uint32
	seenG map[genKey]uint32
}

// presizeUpTo caps the capacity a node's lists start with (see presize).
const presizeUpTo = 1 << 16

// presize sets up u for node pn's objects: the arena, and lists (and, for a struct node,
// the arena's first chunk) with room for as many objects as the last fold of this program
// had, up to presizeUpTo. A data layer runs the same query shape again and again: its
// lists then grow no more, and a node's objects lie side by side.
func (u *ustate) presize(pn *pnode) {
	n := int(min(pn.lastCount.Load(), presizeUpTo))
	if !pn.isMap {
		u.arena = arena{slice: reflect.SliceOf(pn.elemType), size: pn.size}
		if n > 0 {
			u.arena.cur = reflect.MakeSlice(u.arena.slice, n, n).UnsafePointer()
			u.arena.cap = n
		}
	}
	if n == 0 {
		return
	}
	u.ord = make([]int64, 0, n)
	if pn.isMap {
		u.maps = make([]map[string]any, 0, n)
	} else {
		u.objs = make([]unsafe.Pointer, 0, n)
	}
	if pn.parent != nil {
		u.lnull = make([]bool, 0, n)
		if pn.linkInt {
			u.linkI = make([]int64, 0, n)
		}
	}
	if pn.intKey {
		u.keyI = make([]int64, 0, n)
	}
}

// arena hands out zeroed, never-moving objects of one struct type, in chunks.
type arena struct {
	slice reflect.Type
	size  uintptr
	cur   unsafe.Pointer
	n     int
	cap   int
	// the number of objects handed out before the current chunk, and the first object
	// of each chunk after the first (objects are numbered in the order alloc returns
	// them, as the node's objs list numbers them)
	before int32
	starts []int32
}

// adjacent reports whether objects ids (ids of this arena's objects) are consecutive and
// lie in one chunk: side by side in one allocation, a slice of them as they are. Not in a
// last chunk that is less than half used (a chunk sized for a larger fold before): a
// slice kept from the result keeps its whole chunk, so the objects are copied instead.
func (a *arena) adjacent(ids []int32) bool {
	first := ids[0]
	if first >= a.before && 2*a.n < a.cap {
		return false
	}
	for k, id := range ids[1:] {
		if id != first+int32(k)+1 {
			return false
		}
	}
	last := ids[len(ids)-1]
	for _, s := range a.starts {
		if s > first && s <= last {
			return false
		}
	}
	return true
}

func (a *arena) alloc() unsafe.Pointer {
	if a.n == a.cap {
		if a.cur != nil {
			a.before += int32(a.n)
			a.starts = append(a.starts, a.before)
		}
		c := 2 * a.cap
		if c < 64 {
			c = 64
		} else if c > 8192 {
			c = 8192
		}
		a.cur = reflect.MakeSlice(a.slice, c, c).UnsafePointer()
		a.n, a.cap = 0, c
	}
	p := unsafe.Add(a.cur, uintptr(a.n)*a.size)
	a.n++
	return p
}

// linkKey reads a link value from columns cols: an int64 when the link is an integer.
func (r *runner) linkKey(cols []int, asInt bool) (int64, genKey, bool, error) {
	if asInt {
		s := r.slots[cols[0]].(*intSlot)
		return s.v.Int64, genKey{}, !s.v.Valid, nil
	}
	var gk genKey
	gk.n = uint8(len(cols))
	for j, k := range cols {
		s := r.slots[k]
		if s.isNull() {
			return 0, gk, true, nil // a NULL link matches nothing
		}
		kp, ok := s.key()
		if !ok {
			return 0, gk, false, &ScanError{Column: r.p.cols[k].name, Field: r.p.cols[k].info.field, Err: fmt.Errorf("%T cannot be a link key", s.value(nil))}
		}
		gk.parts[j] = kp
	}
	return 0, gk, false, nil
}

// collect takes one branch-tagged row: a new object of its node.
func (r *runner) collect() error {
	p := r.p
	b := r.slots[p.branch].(*intSlot)
	if !b.v.Valid || b.v.Int64 < 0 || b.v.Int64 >= int64(len(p.byBranch)) || p.byBranch[b.v.Int64] == nil {
		return &ScanError{Column: p.cols[p.branch].name, Field: "branch", Err: fmt.Errorf("unknown branch %v", b.value(nil))}
	}
	pn := p.byBranch[b.v.Int64]
	u := &r.u[pn.idx]
	// the object's identity under its parent, as the flat fold keys it; a row whose key is
	// NULL is no object
	var keyI int64
	var keyG genKey
	allNull := false
	if pn.intKey {
		s := r.slots[pn.key[0]].(*intSlot)
		keyI, allNull = s.v.Int64, !s.v.Valid
	} else {
		var err error
		if keyG, allNull, err = r.genIdentity(pn); err != nil {
			return err
		}
	}
	if allNull {
		if pn.parent == nil {
			return r.nullRootKey(pn)
		}
		return nil
	}
	r.seq++
	ord := r.seq
	if p.ordinal >= 0 {
		if o := r.slots[p.ordinal].(*intSlot); o.v.Valid {
			ord = o.v.Int64
		}
	}
	u.ord = append(u.ord, ord)
	if pn.isMap {
		u.maps = append(u.maps, r.newMap(pn))
	} else {
		obj := u.arena.alloc()
		for _, f := range pn.fields {
			if err := f.set(obj, r.slots[f.col]); err != nil {
				if _, ok := err.(*ScanError); ok {
					return err
				}
				c := p.cols[f.col]
				return &ScanError{Column: c.name, Field: c.info.field, Err: err}
			}
		}
		u.objs = append(u.objs, obj)
	}
	if pn.parent != nil {
		i, gk, null, err := r.linkKey(pn.link, pn.linkInt)
		if err != nil {
			return err
		}
		if pn.linkInt {
			u.linkI = append(u.linkI, i)
		} else {
			u.linkG = append(u.linkG, gk)
		}
		u.lnull = append(u.lnull, null)
	}
	if pn.intKey {
		u.keyI = append(u.keyI, keyI)
	} else {
		u.keyG = append(u.keyG, keyG)
	}
	for _, ls := range pn.linkSlots {
		i, gk, null, err := r.linkKey(ls.cols, ls.asInt)
		if err != nil {
			return err
		}
		s := &r.slots2[ls.idx]
		if ls.asInt {
			s.i = append(s.i, i)
		} else {
			s.g = append(s.g, gk)
		}
		s.null = append(s.null, null)
	}
	return nil
}

// slotVals are a parent node's objects' values for one link.
type slotVals struct {
	i    []int64
	g    []genKey
	null []bool
}

// newMap makes the map object of pn from the current row: its attributes, and its join-table
// columns nested under pn.through.
func (r *runner) newMap(pn *pnode) map[string]any {
	m := make(map[string]any, len(pn.fields)+len(pn.kids))
	var through map[string]any
	for _, f := range pn.fields {
		v := r.slots[f.col].value(&r.box)
		if f.through {
			if through == nil {
				through = map[string]any{}
				m[pn.through] = through
			}
			through[f.key] = v
			continue
		}
		m[f.key] = v
	}
	return m
}

// inOrder lists a node's objects by ordinal.
func inOrder(u *ustate) []int32 {
	ids := make([]int32, len(u.ord))
	for i := range ids {
		ids[i] = int32(i)
	}
	if !slices.IsSorted(u.ord) {
		slices.SortStableFunc(ids, func(a, b int32) int {
			switch x, y := u.ord[a], u.ord[b]; {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		})
	}
	return ids
}

// assemble puts the collected objects together, bottom-up, and fills the destination.
func (r *runner) assemble() error {
	for i, pn := range r.p.nodes {
		if n := int64(len(r.u[i].ord)); n != pn.lastCount.Load() {
			pn.lastCount.Store(n)
		}
	}
	for i := len(r.p.nodes) - 1; i >= 1; i-- {
		r.attach(r.p.nodes[i])
	}
	root := r.p.nodes[0]
	u := &r.u[0]
	ids := inOrder(u)
	ids = ids[:r.uniq(root, ids)]
	if r.mapOut != nil {
		out := make([]map[string]any, len(ids))
		for j, id := range ids {
			out[j] = u.maps[id]
		}
		*r.mapOut = out
		return nil
	}
	dst := reflect.NewAt(r.rootSlice, r.rootHdr).Elem()
	if r.rootPtr {
		s := reflect.MakeSlice(r.rootSlice, len(ids), len(ids))
		base := s.UnsafePointer()
		for j, id := range ids {
			*(*unsafe.Pointer)(unsafe.Add(base, uintptr(j)*unsafe.Sizeof(base))) = u.objs[id]
		}
		dst.Set(s)
		return nil
	}
	if len(ids) > 0 && u.arena.adjacent(ids) {
		// the roots lie side by side in one chunk of the arena: they are the result
		*(*sliceHeader)(r.rootHdr) = sliceHeader{data: u.objs[ids[0]], len: len(ids), cap: len(ids)}
		return nil
	}
	s := reflect.MakeSlice(r.rootSlice, len(ids), len(ids))
	copyObjs(root, s.UnsafePointer(), u.objs, ids)
	dst.Set(s)
	return nil
}

// copyObjs copies objects ids of pn into consecutive elements at dst.
func copyObjs(pn *pnode, dst unsafe.Pointer, objs []unsafe.Pointer, ids []int32) {
	for j, id := range ids {
		copyObj(pn, unsafe.Add(dst, uintptr(j)*pn.size), objs[id])
	}
}

// copyObj copies the object at src, of pn's type, to dst: word by word where the type's
// layout is plain (pn.copier), through reflect otherwise.
func copyObj(pn *pnode, dst, src unsafe.Pointer) {
	if pn.copier != nil {
		pn.copier.copy(dst, src)
		return
	}
	reflect.NewAt(pn.elemType, dst).Elem().Set(reflect.NewAt(pn.elemType, src).Elem())
}

// smallGroup is the size up to which uniq compares a group's keys pairwise: a parent's
// children are mostly few, and comparing them costs less than touching a map.
const smallGroup = 16

// uniq keeps, in place, the first object (ids are in ordinal order) of each key among ids,
// the objects of one node linked to one parent, and returns how many it kept. This is the
// flat fold's identity rule, (parent, key), for rows that arrive per branch: a table without
// a key constraint may hold a row twice, and then so do the branch's rows.
func (r *runner) uniq(pn *pnode, ids []int32) int {
	if len(ids) < 2 {
		return len(ids)
	}
	u := &r.u[pn.idx]
	if !pn.intKey {
		return r.uniqGen(u, ids)
	}
	keys := u.keyI
	// keys in strictly increasing or decreasing order (a branch ordered by its key) are
	// distinct: one pass, no set
	inc, dec := true, true
	for j := 1; j < len(ids) && (inc || dec); j++ {
		a, b := keys[ids[j-1]], keys[ids[j]]
		inc = inc && a < b
		dec = dec && a > b
	}
	if inc || dec {
		return len(ids)
	}
	return dedup(keys, ids, &u.seenI, &r.stamp)
}

// uniqGen is uniq for composite and non-integer keys.
func (r *runner) uniqGen(u *ustate, ids []int32) int {
	return dedup(u.keyG, ids, &u.seenG, &r.stamp)
}

// dedup keeps the first of ids with each key (keys[id]), in place, and returns how many it
// kept: pairwise for a small group, else with a set that lives as long as the node and is
// cleared by a new stamp instead of reallocated.
func dedup[K comparable](keys []K, ids []int32, seen *map[K]uint32, stamp *uint32) int {
	n := 0
	if len(ids) <= smallGroup {
	small:
		for _, id := range ids {
			for _, kept := range ids[:n] {
				if keys[kept] == keys[id] {
					continue small
				}
			}
			ids[n] = id
			n++
		}
		return n
	}
	if *seen == nil {
		*seen = make(map[K]uint32, len(ids))
	}
	*stamp++
	for _, id := range ids {
		k := keys[id]
		if (*seen)[k] == *stamp {
			continue
		}
		(*seen)[k] = *stamp
		ids[n] = id
		n++
	}
	return n
}

// attach gives every object of pn's parent its children of pn: grouped by link value, in
// ordinal order.
func (r *runner) attach(pn *pnode) {
	u := &r.u[pn.idx]
	par := pn.parent
	pu := &r.u[par.idx]
	sv := &r.slots2[pn.linkSlot]
	// group the children by link value, keeping the order
	ids := inOrder(u)
	// at most one group per parent object (more only for children that link to none)
	hint := min(len(ids), len(pu.ord))
	var groupI map[int64]int32
	var groupG map[genKey]int32
	if pn.linkInt {
		groupI = make(map[int64]int32, hint)
	} else {
		groupG = make(map[genKey]int32, hint)
	}
	var counts []int32
	gid := make([]int32, len(ids))
	for j, id := range ids {
		if u.lnull[id] {
			gid[j] = -1
			continue
		}
		var g int32
		var ok bool
		if pn.linkInt {
			if g, ok = groupI[u.linkI[id]]; !ok {
				g = int32(len(counts))
				groupI[u.linkI[id]] = g
				counts = append(counts, 0)
			}
		} else {
			if g, ok = groupG[u.linkG[id]]; !ok {
				g = int32(len(counts))
				groupG[u.linkG[id]] = g
				counts = append(counts, 0)
			}
		}
		gid[j] = g
		counts[g]++
	}
	start := make([]int32, len(counts)+1)
	for g, c := range counts {
		start[g+1] = start[g] + c
	}
	grouped := make([]int32, start[len(counts)])
	fill := append([]int32(nil), start[:len(counts)]...)
	for j, id := range ids {
		if g := gid[j]; g >= 0 {
			grouped[fill[g]] = id
			fill[g]++
		}
	}
	// each group once, however many parents share it: fill[g] becomes the end of group g's
	// distinct objects
	for g := range counts {
		fill[g] = start[g] + int32(r.uniq(pn, grouped[start[g]:start[g+1]]))
	}
	// each parent object's group; counts[g] becomes how many parents link to group g
	clear(counts)
	nPar := len(pu.ord)
	spans := make([][]int32, nPar)
	gOf := make([]int32, nPar)
	total := 0
	for j := 0; j < nPar; j++ {
		if sv.null[j] {
			continue
		}
		var g int32
		var ok bool
		if pn.linkInt {
			g, ok = groupI[sv.i[j]]
		} else {
			g, ok = groupG[sv.g[j]]
		}
		if !ok {
			continue
		}
		sp := grouped[start[g]:fill[g]]
		if !pn.many && len(sp) > 1 {
			sp = sp[:1] // a to-one keeps its first match
		}
		spans[j] = sp
		gOf[j] = g
		counts[g]++
		total += len(sp)
	}
	switch {
	case pn.isMap:
		// (the lists of all parents share one backing array, each capped at its length:
		// an append to one reallocates it and leaves its neighbours alone)
		var all []any
		if pn.many {
			all = make([]any, total)
		}
		for j, m := range pu.maps {
			sp := spans[j]
			if !pn.many {
				if len(sp) == 0 {
					m[pn.n.Field] = nil
				} else {
					m[pn.n.Field] = u.maps[sp[0]]
				}
				continue
			}
			list := all[:len(sp):len(sp)]
			all = all[len(sp):]
			for k, id := range sp {
				list[k] = u.maps[id]
			}
			m[pn.n.Field] = list
		}
	case !pn.many && pn.ptrElem:
		for j, obj := range pu.objs {
			if sp := spans[j]; len(sp) > 0 {
				*(*unsafe.Pointer)(unsafe.Add(obj, pn.fieldOff)) = u.objs[sp[0]]
			}
		}
	case !pn.many:
		for j, obj := range pu.objs {
			if sp := spans[j]; len(sp) > 0 {
				copyObjs(pn, unsafe.Add(obj, pn.fieldOff), u.objs, sp)
			}
		}
	default:
		// one backing array for all parents' slices of this node
		esize := pn.size
		if pn.ptrElem {
			esize = unsafe.Sizeof(unsafe.Pointer(nil))
		}
		// a group that one parent alone links to, whose objects lie side by side in one
		// chunk of the arena (rows that arrived one after another), becomes that parent's
		// slice as it is, with no copy (its capacity is its length: an append reallocates)
		var own []bool
		if !pn.ptrElem {
			own = make([]bool, nPar)
			for j, sp := range spans {
				if len(sp) > 0 && counts[gOf[j]] == 1 && u.arena.adjacent(sp) {
					own[j] = true
					total -= len(sp)
				}
			}
		}
		var base unsafe.Pointer
		if total > 0 {
			base = reflect.MakeSlice(pn.sliceTyp, total, total).UnsafePointer()
		}
		// the objects of a group one parent alone links to are copied afterwards, in the
		// order they lie in the arena (slot[id]: their place in base), each to its place:
		// reading the arena in order and writing scattered costs fewer cache misses than
		// gathering each parent's children from all over the arena (W1: 50,000 comments)
		var slot []int32
		off := 0
		for j, obj := range pu.objs {
			sp := spans[j]
			h := (*sliceHeader)(unsafe.Add(obj, pn.fieldOff))
			if len(sp) == 0 {
				*h = emptySlice
				continue
			}
			if own != nil && own[j] {
				*h = sliceHeader{data: u.objs[sp[0]], len: len(sp), cap: len(sp)}
				continue
			}
			at := unsafe.Add(base, uintptr(off)*esize)
			switch {
			case pn.ptrElem:
				for k, id := range sp {
					*(*unsafe.Pointer)(unsafe.Add(at, uintptr(k)*esize)) = u.objs[id]
				}
			case counts[gOf[j]] == 1:
				if slot == nil {
					slot = make([]int32, len(u.objs))
					for i := range slot {
						slot[i] = -1
					}
				}
				for k, id := range sp {
					slot[id] = int32(off + k)
				}
			default:
				copyObjs(pn, at, u.objs, sp)
			}
			*h = sliceHeader{data: at, len: len(sp), cap: len(sp)}
			off += len(sp)
		}
		if slot != nil {
			for id, k := range slot {
				if k >= 0 {
					copyObj(pn, unsafe.Add(base, uintptr(k)*pn.size), u.objs[id])
				}
			}
		}
	}
}
