package hydrate

import (
	"errors"
	"reflect"
	"runtime"
	"testing"
	"unsafe"
)

type cpInner struct {
	A int8
	S string
	P *int
}

type cpOuter struct {
	B    bool
	In   cpInner
	I    any
	E    error
	Arr  [3]string
	M    map[string]int
	Sl   []cpInner
	Raw  [5]byte
	U    uint16
	Ptrs [2]*cpInner
	Big  [100]int64
	F    func()
}

type cpOdd struct {
	X, Y, Z int32
}

// The word copier gives what reflect's copy gives, for every kind of field (pointer words
// stored as pointers, the rest as plain words, a tail shorter than a word), and the copies
// survive garbage collections (their pointers were written with the write barrier).
func TestCopier(t *testing.T) {
	n := 7
	var srcs []*cpOuter
	for i := range 50 {
		srcs = append(srcs, &cpOuter{
			B: true, In: cpInner{A: int8(i), S: "inner", P: &n}, I: &cpInner{S: "boxed"}, E: errors.New("e"),
			Arr: [3]string{"a", "b", string(rune('c' + i))}, M: map[string]int{"k": i}, Sl: []cpInner{{S: "x"}},
			Raw: [5]byte{1, 2, 3, 4, byte(i)}, U: 65535, Ptrs: [2]*cpInner{{S: "p0"}, nil}, Big: [100]int64{99: int64(i)},
		})
	}
	c := newCopier(reflect.TypeOf(cpOuter{}))
	if c == nil {
		t.Fatal("no copier for cpOuter")
	}
	dsts := make([]cpOuter, len(srcs))
	for i, s := range srcs {
		c.copy(unsafe.Pointer(&dsts[i]), unsafe.Pointer(s))
	}
	runtime.GC()
	for i, s := range srcs {
		if !reflect.DeepEqual(dsts[i], *s) {
			t.Fatalf("copy %d:\n%+v\nwant\n%+v", i, dsts[i], *s)
		}
	}
	srcs = nil
	runtime.GC()
	if dsts[3].I.(*cpInner).S != "boxed" || *dsts[3].In.P != 7 || dsts[3].Arr[2] != "f" || dsts[3].Ptrs[0].S != "p0" {
		t.Fatalf("after the sources were collected: %+v", dsts[3])
	}
	odd := newCopier(reflect.TypeOf(cpOdd{}))
	if odd == nil || odd.tail != 4 || len(odd.ptr) != 1 {
		t.Fatalf("cpOdd: %+v", odd)
	}
	var d cpOdd
	odd.copy(unsafe.Pointer(&d), unsafe.Pointer(&cpOdd{1, 2, 3}))
	if d != (cpOdd{1, 2, 3}) {
		t.Fatalf("cpOdd copy %v", d)
	}
	// a large array of pointers is left to reflect
	if newCopier(reflect.TypeOf([100]*int{})) != nil {
		t.Fatal("a copier for [100]*int")
	}
}
