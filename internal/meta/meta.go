// Package meta holds per-Go-type metadata, built once per type and cached with lock-free reads:
// the columns of a struct (sqlx's `db` tag semantics: the tag names the column, `db:"-"` skips a
// field, an untagged field maps to its lower-cased name, embedded structs are flattened), the
// fields that may receive associations, and the byte offset of every column field so the
// hydrator writes values without reflection lookups on its per-row path.
//
// The names here are sqlx's default names and do not depend on any column mapper: they are
// the keys by which a field is found (hydrate.Col.Field), the same for every schema. A
// schema's column mapper (include.WithColumnNames) chooses the column of each field whose
// name is not Tagged; that is applied where a model's columns are decided, in include, so one
// cached *Struct per type serves schemas with different mappers.
package meta

import (
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
)

// Field is one struct field reachable from the root struct through embedded value structs.
type Field struct {
	Name   string       // the field's key: its db tag, else its lower-cased Go name
	GoName string       // Go field name
	Index  []int        // index path from the root struct
	Offset uintptr      // byte offset from the start of the root struct
	Type   reflect.Type // the field's type
	Tag    string       // the `joinery` tag, "" if absent
	// Tagged reports that Name was given by a tag (`db:"name"`, `joinery:"through:name"`)
	// rather than derived from the Go name; a column mapper renames only untagged fields.
	Tagged bool
}

// Struct is the metadata of one struct type.
type Struct struct {
	Type    reflect.Type
	Columns []*Field          // scalar fields, in declaration order
	byName  map[string]*Field // column name -> field
	// Others are the non-scalar fields (structs, pointers to structs, slices of structs):
	// candidates to receive associations.
	Others []*Field
	// Through are the fields tagged `joinery:"through"` or `joinery:"through:<column>"`,
	// which receive join-table columns and are never columns of the model itself:
	//   - `joinery:"through:<column>"` receives that column (Name is the column, Tagged);
	//   - `joinery:"through"` on a scalar field receives one column like an untagged column
	//     field: Name is its lower-cased Go name, a column mapper may rename the column;
	//   - `joinery:"through"` on a struct (or pointer to one) receives the columns of the
	//     struct's own column fields; Name is "".
	Through []*Field
	// Computed are the fields tagged `joinery:"computed"` or `joinery:"computed:<name>"`:
	// they receive a value the query computes (an aggregate of an association, an
	// expression) under that name, and are never columns. Name is the tag's name, else the
	// lower-cased Go name.
	Computed []*Field
	// Shadowed are scalar fields that are not columns because another field took their
	// name (sqlx's rule: the shallowest field, then the first at equal depth). Under a column
	// mapper that would give them different columns, they are ambiguous keys.
	Shadowed []*Field
}

// ComputedField returns the field receiving the computed value name, or nil.
func (s *Struct) ComputedField(name string) *Field {
	for _, f := range s.Computed {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Column returns the scalar field mapped to column name, or nil.
func (s *Struct) Column(name string) *Field { return s.byName[name] }

// ColumnNames lists the column names in declaration order.
func (s *Struct) ColumnNames() []string {
	out := make([]string, len(s.Columns))
	for i, f := range s.Columns {
		out[i] = f.Name
	}
	return out
}

var cache sync.Map // reflect.Type -> *Struct or error

type cached struct {
	s   *Struct
	err error
}

// Of returns the metadata of struct type t (a pointer type is dereferenced).
func Of(t reflect.Type) (*Struct, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v, ok := cache.Load(t); ok {
		c := v.(cached)
		return c.s, c.err
	}
	s, err := build(t)
	v, _ := cache.LoadOrStore(t, cached{s, err})
	c := v.(cached)
	return c.s, c.err
}

func build(t reflect.Type) (*Struct, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("meta: %s is not a struct", t)
	}
	s := &Struct{Type: t, byName: map[string]*Field{}}
	if err := walk(s, t, nil, 0); err != nil {
		return nil, err
	}
	return s, nil
}

func walk(s *Struct, t reflect.Type, index []int, base uintptr) error {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if jt := sf.Tag.Get("joinery"); sf.IsExported() && (jt == "through" || strings.HasPrefix(jt, "through:")) {
			f := &Field{GoName: sf.Name, Index: append(append([]int(nil), index...), i),
				Offset: base + sf.Offset, Type: sf.Type, Tag: jt}
			switch {
			case jt != "through" && jt != "through:":
				f.Name, f.Tagged = strings.TrimPrefix(jt, "through:"), true
			case IsScalar(sf.Type):
				f.Name = strings.ToLower(sf.Name)
			}
			s.Through = append(s.Through, f)
			continue
		}
		if jt := sf.Tag.Get("joinery"); sf.IsExported() && (jt == "computed" || strings.HasPrefix(jt, "computed:")) {
			f := &Field{GoName: sf.Name, Index: append(append([]int(nil), index...), i),
				Offset: base + sf.Offset, Type: sf.Type, Tag: jt, Name: strings.TrimPrefix(strings.TrimPrefix(jt, "computed"), ":")}
			if f.Name == "" {
				f.Name = strings.ToLower(sf.Name)
			} else {
				f.Tagged = true
			}
			s.Computed = append(s.Computed, f)
			continue
		}
		tag, hasTag := sf.Tag.Lookup("db")
		if tag == "-" {
			// not a column; still a field that may receive an association (sqlx users tag
			// association fields db:"-")
			if sf.IsExported() && !sf.Anonymous && !IsScalar(sf.Type) {
				s.Others = append(s.Others, &Field{GoName: sf.Name, Index: append(append([]int(nil), index...), i),
					Offset: base + sf.Offset, Type: sf.Type, Tag: sf.Tag.Get("joinery")})
			}
			continue
		}
		if c := strings.IndexByte(tag, ','); c >= 0 {
			tag = tag[:c]
		}
		idx := append(append([]int(nil), index...), i)
		if sf.Anonymous && (!hasTag || tag == "") && !IsScalar(sf.Type) {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				if ft.Elem().Kind() == reflect.Struct {
					return fmt.Errorf("meta: %s embeds *%s: embed the struct by value (joinery writes fields in place)", s.Type, ft.Elem().Name())
				}
				continue
			}
			if ft.Kind() == reflect.Struct {
				if err := walk(s, ft, idx, base+sf.Offset); err != nil {
					return err
				}
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		f := &Field{GoName: sf.Name, Index: idx, Offset: base + sf.Offset, Type: sf.Type, Tag: sf.Tag.Get("joinery"), Tagged: tag != ""}
		if !IsScalar(sf.Type) {
			f.Name = tag
			s.Others = append(s.Others, f)
			continue
		}
		if tag == "" {
			tag = strings.ToLower(sf.Name)
		}
		f.Name = tag
		if prev, dup := s.byName[tag]; dup {
			// sqlx (and Go's field promotion) keeps the shallowest field; fields are visited
			// depth-first, so a shallower one seen later replaces the deeper one in place
			// (keeping its position in Columns). At equal depth the first one seen wins.
			if len(idx) < len(prev.Index) {
				lost := *prev
				*prev = *f
				f = &lost
			}
			s.Shadowed = append(s.Shadowed, f)
			continue
		}
		s.byName[tag] = f
		s.Columns = append(s.Columns, f)
	}
	return nil
}

var (
	scannerType = reflect.TypeOf((*sql.Scanner)(nil)).Elem()
	timeType    = reflect.TypeOf(time.Time{})
)

// IsScalar reports whether a field of type t holds one column value.
func IsScalar(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(scannerType) || t.Implements(scannerType) {
		return true
	}
	if t == timeType {
		return true
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	case reflect.Slice:
		return t.Elem().Kind() == reflect.Uint8
	case reflect.Array:
		return t.Elem().Kind() == reflect.Uint8
	case reflect.Pointer:
		return IsScalar(t.Elem())
	}
	return false
}

// NilRef reports x nil, or a nil pointer, func, channel or interface held in x: a typed nil
// in an interface, which x == nil does not catch and whose methods would dereference it. (A
// nil map or slice is a value: an empty sq.Eq or sq.And.)
func NilRef(x any) bool {
	if x == nil {
		return true
	}
	switch v := reflect.ValueOf(x); v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return false
}
