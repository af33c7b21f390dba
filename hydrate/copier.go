package hydrate

import (
	"reflect"
	"unsafe"
)

const wordSize = unsafe.Sizeof(uintptr(0))

// copier copies values of one type word by word, without reflection: a word that holds a
// pointer is stored as a pointer (with the write barrier the garbage collector needs), any
// other word as a plain integer, then the bytes after the last whole word. Planned once per
// node from the type's layout; nil where the layout is not plain (copyObj then uses
// reflect).
type copier struct {
	ptr  []bool // per whole word: it holds a pointer
	tail uintptr
}

// newCopier plans the copy of t's values, or returns nil.
func newCopier(t reflect.Type) *copier {
	n := t.Size() / wordSize
	c := &copier{ptr: make([]bool, n), tail: t.Size() % wordSize}
	if !c.mark(t, 0) {
		return nil
	}
	return c
}

// mark marks the pointer words of a value of type t at offset off; false when it cannot say.
func (c *copier) mark(t reflect.Type, off uintptr) bool {
	word := func(o uintptr) bool {
		if o%wordSize != 0 || o/wordSize >= uintptr(len(c.ptr)) {
			return false
		}
		c.ptr[o/wordSize] = true
		return true
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Pointer, reflect.UnsafePointer, reflect.Map, reflect.Chan, reflect.Func:
		return word(off)
	case reflect.String, reflect.Slice:
		return word(off) // the data pointer; the lengths are plain
	case reflect.Interface:
		return word(off) && word(off+wordSize) // (the type word points to a type or an itab)
	case reflect.Array:
		if !hasPointers(t.Elem()) {
			return true
		}
		if t.Len() > 64 {
			return false // (reflect copies it)
		}
		for i := 0; i < t.Len(); i++ {
			if !c.mark(t.Elem(), off+uintptr(i)*t.Elem().Size()) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !c.mark(f.Type, off+f.Offset) {
				return false
			}
		}
		return true
	}
	return false
}

// hasPointers reports whether t's values hold a pointer.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Map, reflect.Chan, reflect.Func,
		reflect.String, reflect.Slice, reflect.Interface:
		return true
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// copy copies the value at src to dst.
func (c *copier) copy(dst, src unsafe.Pointer) {
	for i, p := range c.ptr {
		off := uintptr(i) * wordSize
		if p {
			*(*unsafe.Pointer)(unsafe.Add(dst, off)) = *(*unsafe.Pointer)(unsafe.Add(src, off))
		} else {
			*(*uintptr)(unsafe.Add(dst, off)) = *(*uintptr)(unsafe.Add(src, off))
		}
	}
	for off := uintptr(len(c.ptr)) * wordSize; off < uintptr(len(c.ptr))*wordSize+c.tail; off++ {
		*(*byte)(unsafe.Add(dst, off)) = *(*byte)(unsafe.Add(src, off))
	}
}
