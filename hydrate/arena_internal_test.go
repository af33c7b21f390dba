package hydrate

import (
	"reflect"
	"testing"
	"unsafe"
)

// adjacent holds only for consecutive objects of one chunk: two chunks are two allocations,
// even when they happen to lie next to each other in memory.
func TestArenaAdjacent(t *testing.T) {
	a := arena{slice: reflect.TypeOf([]int64(nil)), size: 8}
	var objs []unsafe.Pointer
	for range 200 { // chunks of 64 and 128, then 256 (8 of them used)
		objs = append(objs, a.alloc())
	}
	if len(a.starts) != 2 || a.starts[0] != 64 || a.starts[1] != 192 {
		t.Fatalf("chunk starts %v", a.starts)
	}
	run := func(from, to int32) []int32 {
		var ids []int32
		for i := from; i <= to; i++ {
			ids = append(ids, i)
		}
		return ids
	}
	for _, c := range []struct {
		ids  []int32
		want bool
	}{
		{run(0, 63), true},
		{run(64, 191), true},
		{run(60, 70), false},
		{run(191, 192), false},
		{[]int32{5}, true},
		{[]int32{3, 4, 6}, false},
		{[]int32{4, 3}, false},
	} {
		if got := a.adjacent(c.ids); got != c.want {
			t.Errorf("adjacent(%v) = %v", c.ids, got)
		}
	}
	// the last chunk (256) holds 8 objects: too few to hand out as they are
	if a.adjacent(run(192, 199)) {
		t.Fatal("a run of a chunk less than half used is handed out as it is")
	}
	for range 130 {
		a.alloc()
	}
	if !a.adjacent(run(192, 199)) {
		t.Fatal("a run of a chunk more than half used is copied")
	}
	if objs[63] != unsafe.Add(objs[0], 63*8) {
		t.Fatal("a chunk's objects do not lie side by side")
	}
}
