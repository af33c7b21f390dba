package builder

import (
	"unsafe"

	"github.com/joinery/joinery/dialects"
)

// A compile builds a few hundred small values: tree nodes, column lists, names. Allocated
// one by one they were most of a compile's cost (BenchmarkCompile); the builder hands them
// out from chunks instead. Nothing here is written after it is handed out, until the
// builder is released (builders): its chunks then serve the next compile.

// chunkBytes is about how large a chunk is.
const chunkBytes = 512

// chunk hands out values of T from shared backing arrays, kept for the next compile.
type chunk[T any] struct {
	s    []T   // the array values come from: its free part is past len
	arrs [][]T // every array of the chunk, s the one at cur
	cur  int
}

// size is how many values of T a chunk holds.
func (c *chunk[T]) size() int {
	var v T
	return max(4, chunkBytes/int(unsafe.Sizeof(v)))
}

// next moves s to the next array, making one when there is none.
func (c *chunk[T]) next() {
	if c.arrs != nil && c.cur+1 < len(c.arrs) {
		c.cur++
	} else {
		c.arrs = append(c.arrs, make([]T, 0, c.size()))
		c.cur = len(c.arrs) - 1
	}
	c.s = c.arrs[c.cur][:0]
}

// new stores v and returns its address.
func (c *chunk[T]) new(v T) *T {
	if len(c.s) == cap(c.s) {
		c.next()
	}
	c.s = append(c.s, v)
	return &c.s[len(c.s)-1]
}

// make returns a slice of length 0 and capacity k; appending beyond k copies it out.
func (c *chunk[T]) make(k int) []T {
	size := c.size()
	if k > size/2 {
		return make([]T, 0, k)
	}
	if cap(c.s)-len(c.s) < k {
		c.next()
	}
	n := len(c.s)
	c.s = c.s[:n+k]
	return c.s[n : n : n+k]
}

// of returns a slice holding vs (the slice is the builder's: vs may be the caller's).
func (c *chunk[T]) of(vs ...T) []T {
	return append(c.make(len(vs)), vs...)
}

// reset starts the chunk again from its first array: nothing may point into the values it
// handed out any more. They are not zeroed (zeroing memory that holds pointers costs a
// write barrier per pointer while the collector runs): new and make's appends write every
// value before it is handed out again, and what the old ones point to is kept alive only
// until then, or until the pool drops the builder.
func (c *chunk[T]) reset() {
	if c.arrs == nil {
		return
	}
	c.cur = 0
	c.s = c.arrs[0][:0]
}

// strs builds strings in shared byte arrays.
type strs struct{ buf []byte }

// join returns the concatenation of parts.
func (s *strs) join(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return ""
	}
	if cap(s.buf)-len(s.buf) < n {
		s.buf = make([]byte, 0, max(512, n))
	}
	start := len(s.buf)
	for _, p := range parts {
		s.buf = append(s.buf, p...)
	}
	// (these bytes are never written again: the string may share them)
	return unsafe.String(&s.buf[start], n)
}

// quoted returns the qualified column reference "table"."name" quoted through d.
func (s *strs) quoted(d dialects.Dialect, table, name string) string {
	aq, ok := d.(quoteAppender)
	if !ok {
		return s.join(d.Quote(table), ".", d.Quote(name))
	}
	if n := len(table) + len(name) + 8; cap(s.buf)-len(s.buf) < n {
		s.buf = make([]byte, 0, max(512, n))
	}
	start := len(s.buf)
	s.buf = aq.AppendQuote(s.buf, table)
	s.buf = append(s.buf, '.')
	s.buf = aq.AppendQuote(s.buf, name)
	// (a quote doubled past the room left moved the bytes to a new array: the string is
	// taken from the final one; bytes already handed out are never written)
	return unsafe.String(&s.buf[start], len(s.buf)-start)
}
