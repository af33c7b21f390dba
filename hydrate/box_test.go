package hydrate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"
)

// TestBoxes: a value boxed in a slab is the value the runtime's boxing gives: equal to it as
// an interface, of the same dynamic type, printed and encoded alike, and unchanged after the
// slab fills, the next one starts and the collector runs; the zero boxes boxes as the runtime.
func TestBoxes(t *testing.T) {
	at := time.Date(2026, 12, 4, 16, 0, 0, 123, time.FixedZone("X", 3600))
	var b boxes
	var got, want []any
	for i := 0; i < 3*boxChunk+5; i++ {
		s := fmt.Sprintf("value %d", i)
		n := int64(i*1000 - 7)
		f := float64(i) / 3
		tm := at.Add(time.Duration(i) * time.Second)
		got = append(got, b.string(s), b.int64(n), b.float64(f), b.time(tm), b.string(""), b.int64(int64(i%256)))
		want = append(want, s, n, f, tm, "", int64(i%256))
	}
	runtime.GC()
	var nb *boxes
	plain := []any{nb.string("x"), nb.int64(1 << 40), nb.float64(1.5), nb.time(at)}
	runtime.GC()
	if !reflect.DeepEqual(plain, []any{"x", int64(1 << 40), 1.5, at}) {
		t.Fatalf("nil boxes: %v", plain)
	}
	for i := range want {
		if got[i] != want[i] || reflect.TypeOf(got[i]) != reflect.TypeOf(want[i]) || fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
			t.Fatalf("value %d: %#v (%T), want %#v (%T)", i, got[i], got[i], want[i], want[i])
		}
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Fatalf("JSON differs:\n%s\n%s", gj, wj)
	}
	m := map[any]int{}
	for i, v := range got {
		m[v] = i
	}
	for i, v := range want {
		if j, ok := m[v]; !ok || want[j] != v {
			t.Fatalf("value %d (%v) is not found as a map key by the runtime's box", i, v)
		}
	}
	if s, ok := got[0].(string); !ok || s != "value 0" {
		t.Fatalf("type assertion: %q %v", s, ok)
	}
	if n := testing.AllocsPerRun(100, func() {
		var b boxes
		for i := 0; i < boxChunk; i++ {
			_ = b.string("some text")
			_ = b.int64(1 << 20)
		}
	}); n > 2 {
		t.Fatalf("%v allocations for %d strings and %d int64s, want 2 slabs", n, boxChunk, boxChunk)
	}
}
