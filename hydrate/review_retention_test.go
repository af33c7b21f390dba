package hydrate_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/joinery/joinery/hydrate"
)

// Keeping one value of a load keeps the other 63 values of its slab (and their strings) alive.
func TestBoxesReviewSlabRetention(t *testing.T)        { r7ret(t, false) }
func TestBoxesReviewSlabRetentionControl(t *testing.T) { r7ret(t, true) }

func r7ret(t *testing.T, control bool) {
	base := liveHeap()
	m := &hydrate.Map{Root: &hydrate.Node{Key: []int{0}, Cols: []hydrate.Col{
		{Column: "id", Field: "id", Kind: hydrate.Int}, {Column: "body", Field: "body", Kind: hydrate.String}}}}
	rows := &r7Rows{cols: []string{"id", "body"}}
	for i := 0; i < 64; i++ {
		rows.data = append(rows.data, []any{int64(i), strings.Repeat(string(rune('a'+i%26)), 1<<20)})
	}
	out, err := hydrate.All[map[string]any](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	rows = nil
	var kept any = out[0]["body"] // one 1 MiB string
	if control {
		kept = any(out[0]["body"].(string)) // the same string, boxed by the runtime
	}
	out = nil
	live := liveHeap() - base
	runtime.KeepAlive(kept)
	if live > 8<<20 {
		t.Fatalf("one 1 MiB value kept; %d MiB more live", live>>20)
	}
}

// Each: keeping a short value of every root keeps every root's long values alive.
func TestBoxesReviewEachRetention(t *testing.T) {
	base := liveHeap()
	m := &hydrate.Map{Root: &hydrate.Node{Key: []int{0}, Cols: []hydrate.Col{
		{Column: "id", Field: "id", Kind: hydrate.Int}, {Column: "slug", Field: "slug", Kind: hydrate.String},
		{Column: "body", Field: "body", Kind: hydrate.String}}}}
	body := strings.Repeat("x", 256<<10)
	rows := &r7Rows{cols: []string{"id", "slug", "body"}}
	for i := 0; i < 256; i++ {
		rows.data = append(rows.data, []any{int64(i), "s" + string(rune('a'+i%26)), []byte(body)}) // []byte: each row's own copy, as a driver's
	}
	var slugs []any
	if err := hydrate.Each[map[string]any](rows, m, func(v map[string]any) error {
		slugs = append(slugs, v["slug"])
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows = nil
	live := liveHeap() - base
	runtime.KeepAlive(slugs)
	if live > 8<<20 {
		t.Fatalf("256 two-byte slugs kept; %d MiB more live", live>>20)
	}
}

func TestBoxesReviewEachRetentionControl(t *testing.T) {
	base := liveHeap()
	m := &hydrate.Map{Root: &hydrate.Node{Key: []int{0}, Cols: []hydrate.Col{
		{Column: "id", Field: "id", Kind: hydrate.Int}, {Column: "slug", Field: "slug", Kind: hydrate.String},
		{Column: "body", Field: "body", Kind: hydrate.String}}}}
	body := strings.Repeat("x", 256<<10)
	rows := &r7Rows{cols: []string{"id", "slug", "body"}}
	for i := 0; i < 256; i++ {
		rows.data = append(rows.data, []any{int64(i), "s" + string(rune('a'+i%26)), []byte(body)}) // []byte: each row's own copy, as a driver's
	}
	var slugs []any
	if err := hydrate.Each[map[string]any](rows, m, func(v map[string]any) error {
		slugs = append(slugs, strings.Clone(v["slug"].(string)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows = nil
	live := liveHeap() - base
	runtime.KeepAlive(slugs)
	if live > 8<<20 {
		t.Fatalf("256 two-byte slugs kept; %d MiB more live", live>>20)
	}
}

func TestBoxesReviewEachConcurrentReader(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{Key: []int{0}, Cols: []hydrate.Col{
		{Column: "id", Field: "id", Kind: hydrate.Int}, {Column: "slug", Field: "slug", Kind: hydrate.String},
		{Column: "f", Field: "f", Kind: hydrate.Float}}}}
	rows := &r7Rows{cols: []string{"id", "slug", "f"}}
	for i := 0; i < 300; i++ {
		rows.data = append(rows.data, []any{int64(i + 1000), "s" + string(rune('a'+i%26)), float64(i)})
	}
	ch := make(chan map[string]any, 400)
	done := make(chan bool)
	go func() {
		n := 0
		for v := range ch {
			if v["slug"].(string)[0] != 's' || v["id"].(int64) < 1000 {
				t.Error("bad")
			}
			n++
		}
		done <- n == 300
	}()
	if err := hydrate.Each[map[string]any](rows, m, func(v map[string]any) error { ch <- v; return nil }); err != nil {
		t.Fatal(err)
	}
	close(ch)
	if !<-done {
		t.Fatal("count")
	}
}

// liveHeap is the heap in use after two collections.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
