package hydrate

import (
	"time"
	"unsafe"
)

// boxes hands out the map form's values. Converting a string, an int64 (from 256 up), a
// float64 or a time.Time to any copies it to a heap allocation of its own: a map of eight
// fields made eight of them (the Sequelize stress case 098: 477 of its 2,434 allocations per
// load were the strings' boxes alone). A box instead takes the next element of a slab of
// boxChunk values of its kind, one allocation for all of them, and the interface points at
// it. A slab element is written once, before its interface exists, and never again, so the
// interface holds a value that does not change, as one the runtime made would; the slab
// stays alive while any of its values does, and with it what its values point to: a
// string's bytes, a time's Location. So that one value kept (the slug of a row that Each
// handed over) keeps only a little more memory alive, strings longer than boxedString
// bytes are boxed by the runtime: a slab pins at most boxChunk x boxedString bytes of
// strings. The zero boxes boxes as the runtime does.
type boxes struct {
	strs   []string
	ints   []int64
	floats []float64
	times  []time.Time
}

// boxChunk is the number of values of a slab.
const boxChunk = 64

// boxedString is the longest string a slab takes.
const boxedString = 64

// eface is the layout of an interface value with no methods: its dynamic type and a pointer
// to its value.
type eface struct {
	typ, data unsafe.Pointer
}

func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

var (
	stringWord  = typeWord("")
	int64Word   = typeWord(int64(0))
	float64Word = typeWord(float64(0))
	timeWord    = typeWord(time.Time{})
)

// boxed is the interface value of type typ whose value is at p.
func boxed(typ, p unsafe.Pointer) (v any) {
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, p
	return v
}

// inSlab appends v to the slab s (a new one when s is full) and returns it boxed as type
// typ, pointing at its element.
func inSlab[T any](s *[]T, v T, typ unsafe.Pointer) any {
	if len(*s) == cap(*s) {
		*s = make([]T, 0, boxChunk)
	}
	*s = append(*s, v)
	return boxed(typ, unsafe.Pointer(&(*s)[len(*s)-1]))
}

func (b *boxes) string(s string) any {
	if b == nil || s == "" || len(s) > boxedString {
		return s // (the runtime boxes "" without allocating; a long string's box is small beside it)
	}
	return inSlab(&b.strs, s, stringWord)
}

func (b *boxes) int64(i int64) any {
	if b == nil || uint64(i) < 256 {
		return i // (the runtime boxes small values without allocating)
	}
	return inSlab(&b.ints, i, int64Word)
}

func (b *boxes) float64(f float64) any {
	if b == nil {
		return f
	}
	return inSlab(&b.floats, f, float64Word)
}

func (b *boxes) time(t time.Time) any {
	if b == nil {
		return t
	}
	return inSlab(&b.times, t, timeWord)
}
