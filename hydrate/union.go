package hydrate

import (
	"fmt"
	"unsafe"
)

// linkIndex finds a node's parent instances by the value of the link columns: the first
// instance per value in a plain map, further ones beside it.
type linkIndex struct {
	ints map[int64]int32
	more map[int64][]int32
	gens map[genKey][]int32
}

func (r *runner) linkKey(cols []int) (int64, genKey, bool, bool, error) {
	if len(cols) == 1 {
		if s, ok := r.slots[cols[0]].(*intSlot); ok {
			return s.v.Int64, genKey{}, true, !s.v.Valid, nil
		}
	}
	var gk genKey
	gk.n = uint8(len(cols))
	for j, k := range cols {
		s := r.slots[k]
		if s.isNull() {
			return 0, gk, false, true, nil // a NULL link matches nothing
		}
		kp, ok := s.key()
		if !ok {
			return 0, gk, false, false, &ScanError{Column: r.p.cols[k].name, Field: r.p.cols[k].info.field, Err: fmt.Errorf("%T cannot be a link key", s.value())}
		}
		gk.parts[j] = kp
	}
	return 0, gk, false, false, nil
}

func (li *linkIndex) add(isInt bool, i int64, gk genKey, id int32) {
	if isInt {
		if li.ints == nil {
			li.ints = map[int64]int32{}
		}
		if _, ok := li.ints[i]; !ok {
			li.ints[i] = id
			return
		}
		if li.more == nil {
			li.more = map[int64][]int32{}
		}
		li.more[i] = append(li.more[i], id)
		return
	}
	if li.gens == nil {
		li.gens = map[genKey][]int32{}
	}
	li.gens[gk] = append(li.gens[gk], id)
}

func (li *linkIndex) get(isInt bool, i int64, gk genKey, buf []int32) []int32 {
	buf = buf[:0]
	if isInt {
		if id, ok := li.ints[i]; ok {
			buf = append(buf, id)
			buf = append(buf, li.more[i]...)
		}
		return buf
	}
	return append(buf, li.gens[gk]...)
}

// unionRow folds a branch-tagged row: it belongs to one node and is attached to every
// instance of that node's parent it links to.
func (r *runner) unionRow() error {
	p := r.p
	b := r.slots[p.branch].(*intSlot)
	if !b.v.Valid || b.v.Int64 < 0 || b.v.Int64 >= int64(len(p.byBranch)) || p.byBranch[b.v.Int64] == nil {
		return &ScanError{Column: p.cols[p.branch].name, Field: "branch", Err: fmt.Errorf("unknown branch %v", b.value())}
	}
	pn := p.byBranch[b.v.Int64]
	st := &r.st[pn.idx]
	// Rows in branch order (the builder's ORDER BY puts the branch first) let the addresses
	// of finished branches' instances be cached; a branch that comes back turns that off.
	switch br := int(b.v.Int64); {
	case br > r.maxBranch:
		r.maxBranch = br
	case br < r.maxBranch && !r.unordered:
		r.unordered = true
		r.addrCache = nil
	}
	if pn.parent == nil {
		created, err := r.visit(pn, st, 0, r.rootHdr, nil)
		if err != nil {
			return err
		}
		if created {
			return r.register(pn, st.curID)
		}
		return nil
	}
	i, gk, isInt, null, err := r.linkKey(pn.link)
	if err != nil || null {
		return err
	}
	r.buf = r.links[pn.linkSlot].get(isInt, i, gk, r.buf)
	parents := r.buf
	if len(parents) == 0 {
		return nil
	}
	if len(parents) > 1 {
		parents = append([]int32(nil), parents...) // visit may reuse r.buf through register
	}
	for _, pid := range parents {
		pbase, pmap := r.addr(pn.parent, pid)
		created, err := r.visit(pn, st, pid, pbase, pmap)
		if err != nil {
			return err
		}
		if created {
			if err := r.register(pn, st.curID); err != nil {
				return err
			}
		}
	}
	return nil
}

// register indexes instance id of pn under the link values its children's rows will carry.
func (r *runner) register(pn *pnode, id int32) error {
	for _, ls := range pn.linkSlots {
		i, gk, isInt, null, err := r.linkKey(ls.cols)
		if err != nil {
			return err
		}
		if !null {
			r.links[ls.idx].add(isInt, i, gk, id)
		}
	}
	return nil
}

// addr is the current address (or map) of instance id of pn, found through its ancestors:
// value elements move when their slice grows, until their branch and their ancestors' are
// finished; from then on the address is cached.
func (r *runner) addr(pn *pnode, id int32) (unsafe.Pointer, map[string]any) {
	if !r.unordered && pn.branch < r.maxBranch && !pn.isMap {
		if r.addrCache == nil {
			r.addrCache = make([][]unsafe.Pointer, len(r.p.nodes))
		}
		c := r.addrCache[pn.idx]
		if int(id) < len(c) && c[id] != nil {
			return c[id], nil
		}
		a, _ := r.addrOf(pn, id)
		for len(c) <= int(id) {
			c = append(c, nil)
		}
		c[id] = a
		r.addrCache[pn.idx] = c
		return a, nil
	}
	return r.addrOf(pn, id)
}

func (r *runner) addrOf(pn *pnode, id int32) (unsafe.Pointer, map[string]any) {
	st := &r.st[pn.idx]
	switch {
	case pn.isMap:
		return nil, st.maps[id]
	case pn.ptrElem || (pn.parent == nil && r.rootPtr):
		return st.ptrs[id], nil
	case pn.parent == nil:
		h := (*sliceHeader)(r.rootHdr)
		return unsafe.Add(h.data, uintptr(st.pos[id])*pn.size), nil
	}
	pa, _ := r.addr(pn.parent, st.parentOf[id])
	if pn.many {
		h := (*sliceHeader)(unsafe.Add(pa, pn.fieldOff))
		return unsafe.Add(h.data, uintptr(st.pos[id])*pn.size), nil
	}
	return unsafe.Add(pa, pn.fieldOff), nil
}
