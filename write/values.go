package write

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

// row is one value of a model: a struct (addressable where keys are written back), a
// run-time model's map, or a primary key (Key).
type row struct {
	m   *include.Model
	sv  reflect.Value
	mp  map[string]any
	key []any
	// ignore lists map keys that are neither attributes nor associations but are read
	// elsewhere (a nested belongsToMany target's join-table values)
	ignore []string
	// element: the row is an element of a slice of structs, which no other parent can
	// share, so a nested create need not look for it twice
	element bool
	// tenant is the operation's tenant value (Op.Tenant): the value of the model's hidden
	// tenant column, and of a visible one the value leaves unset; nil for none
	tenant any
	// kids holds a nested create's values under each association of the include tree's
	// node (in the node's order), read once by checkTree
	kids [][]*row
}

func (r *row) isKey() bool { return r.key != nil }

// rowOf checks that v is a value of model m and wraps it; role names it in errors ("source",
// "target 2"); tn is the operation's tenant value (nil for none).
func rowOf(m *include.Model, v any, role string, tn any) (*row, error) {
	r, err := rowOfValue(m, v, role, tn)
	if err != nil {
		return nil, err
	}
	if err := r.withTenant(tn, role); err != nil {
		return nil, err
	}
	return r, nil
}

func rowOfValue(m *include.Model, v any, role string, tn any) (*row, error) {
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("%w: the %s is nil; pass a %s value or write.Key(...)", ErrBadInput, role, m.Name())
	case KeyValue:
		x.values = withTenantKey(m, x.values, tn)
		if len(x.values) != len(m.PrimaryKeyView()) {
			hint := ""
			if m.Tenant() != "" && tn == nil && len(x.values) == len(m.PrimaryKeyView())-1 {
				hint = fmt.Sprintf(" (without %s when the operation's Tenant(v) gives it)", m.Tenant())
			}
			return nil, fmt.Errorf("%w: the %s write.Key has %d values; %s's primary key is (%s)%s", ErrBadInput, role, len(x.values), m.Name(), joinCols(m.PrimaryKeyView()), hint)
		}
		for i, k := range x.values {
			if isMissing(k) {
				return nil, fmt.Errorf("%w: the %s write.Key has no value for %s.%s", ErrMissingKey, role, m.Name(), m.PrimaryKeyView()[i])
			}
		}
		return &row{m: m, key: x.values}, nil
	case *KeyValue:
		if x == nil {
			return nil, fmt.Errorf("%w: the %s is a nil *write.KeyValue", ErrBadInput, role)
		}
		return rowOfValue(m, *x, role, tn)
	case map[string]any:
		if m.Type() != nil {
			return nil, fmt.Errorf("%w: the %s is a map, but %s is the struct model %s; pass a %s", ErrWrongModel, role, m.Name(), m.Type(), m.Type())
		}
		if x == nil {
			return nil, fmt.Errorf("%w: the %s is a nil map", ErrBadInput, role)
		}
		return &row{m: m, mp: x}, nil
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, fmt.Errorf("%w: the %s is a nil %s", ErrBadInput, role, rv.Type())
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: the %s is a %T; pass a %s value or write.Key(%v)", ErrWrongModel, role, v, m.Name(), v)
	}
	if m.Type() == nil {
		return nil, fmt.Errorf("%w: the %s is a %s, but %s is a run-time model; pass a map[string]any", ErrWrongModel, role, rv.Type(), m.Name())
	}
	if rv.Type() != m.Type() {
		return nil, fmt.Errorf("%w: the %s is a %s, not a %s (model %s)", ErrWrongModel, role, rv.Type(), m.Type(), m.Name())
	}
	return &row{m: m, sv: rv}, nil
}

// attr finds the attribute for a column or attribute name.
func (r *row) attr(col string) (include.Attr, bool) { return r.m.Attr(col) }

// get returns the value of col and whether the value has it: a map key that is present, a
// struct field (always), a primary-key column of a Key.
func (r *row) get(col string) (any, bool) {
	a, ok := r.attr(col)
	if !ok {
		return nil, false
	}
	if r.tenant != nil && a.Column == r.m.Tenant() && r.key == nil {
		if !a.Hidden {
			if v, ok := r.value(a); ok && !isMissing(v) {
				return v, true
			}
		}
		return r.tenant, true
	}
	if a.Hidden && r.key == nil {
		return nil, false // no value holds a hidden column
	}
	return r.value(a)
}

// value reads attribute a from the value r wraps.
func (r *row) value(a include.Attr) (any, bool) {
	switch {
	case r.key != nil:
		for i, k := range r.m.PrimaryKeyView() {
			if k == a.Column {
				return r.key[i], true
			}
		}
		return nil, false
	case r.mp != nil:
		if v, ok := r.mp[a.Name]; ok {
			return v, true
		}
		v, ok := r.mp[a.Column]
		return v, ok
	}
	f, err := r.sv.FieldByIndexErr(a.Index)
	if err != nil {
		return nil, false
	}
	return f.Interface(), true
}

// keyOf returns col's value when it is set: not absent, nil or a zero struct field.
func (r *row) keyOf(col string) (any, bool) {
	v, ok := r.get(col)
	if !ok || isMissing(v) {
		return nil, false
	}
	return v, true
}

// isMissing reports whether v is no key: nil, a nil pointer, or a zero value.
func isMissing(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case int64:
		return x == 0
	case int:
		return x == 0
	case string:
		return x == ""
	case json.Number:
		n := norm(x)
		return n == int64(0) || n == ""
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return true
		}
		rv = rv.Elem()
	}
	if rv.IsZero() {
		return true // a zero uuid.UUID too, whose Value is "00000000-..."
	}
	if vr, ok := v.(driver.Valuer); ok {
		dv, err := vr.Value()
		return err != nil || dv == nil
	}
	return false
}

// set writes v into col: a map key (the attribute's name), or a struct field (converted to
// its type; the struct must be addressable). A Key or a non-addressable struct is left as it
// is: keys are written back only where the caller can see them.
func (r *row) set(col string, v any) error {
	a, ok := r.attr(col)
	if !ok {
		return fmt.Errorf("%w: %q is not a column of %s", ErrBadInput, col, r.m.Name())
	}
	return r.setAttr(a, v)
}

// setAttr is set for an attribute already looked up. A hidden attribute has nowhere to go.
func (r *row) setAttr(a include.Attr, v any) error {
	switch {
	case r.key != nil, a.Hidden:
		return nil
	case r.mp != nil:
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		r.mp[a.Name] = v
		return nil
	}
	if !r.sv.CanAddr() {
		return nil
	}
	f, err := r.sv.FieldByIndexErr(a.Index)
	if err == nil {
		err = assign(f, v)
	}
	if err != nil {
		return fmt.Errorf("%w: %s.%s: %v", ErrBadInput, r.m.Name(), a.Column, err)
	}
	return nil
}

// assign sets field f to v, converting numbers, strings and bytes, allocating pointers.
func assign(f reflect.Value, v any) error {
	switch x := v.(type) {
	case nil:
		f.SetZero()
		return nil
	case int64:
		switch f.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			f.SetInt(x)
			return nil
		}
	case string:
		if f.Kind() == reflect.String {
			f.SetString(x)
			return nil
		}
	}
	if f.Kind() == reflect.Pointer {
		if reflect.TypeOf(v) == f.Type() {
			f.Set(reflect.ValueOf(v))
			return nil
		}
		p := reflect.New(f.Type().Elem())
		if err := assign(p.Elem(), v); err != nil {
			return err
		}
		f.Set(p)
		return nil
	}
	src := reflect.ValueOf(v)
	for src.Kind() == reflect.Pointer {
		if src.IsNil() {
			f.SetZero()
			return nil
		}
		src = src.Elem()
	}
	if src.Type() == f.Type() {
		f.Set(src) // the same type (a uuid.UUID key into a uuid.UUID field): no Scan needed
		return nil
	}
	if sc, ok := f.Addr().Interface().(interface{ Scan(any) error }); ok {
		return sc.Scan(src.Interface())
	}
	if b, ok := src.Interface().([]byte); ok && f.Kind() != reflect.Slice {
		src = reflect.ValueOf(string(b))
	}
	switch {
	case src.Type().AssignableTo(f.Type()):
		f.Set(src)
	case src.Kind() == reflect.String && f.Kind() == reflect.String:
		f.SetString(src.String())
	case isNum(src.Kind()) && isNum(f.Kind()):
		f.Set(src.Convert(f.Type()))
	default:
		return fmt.Errorf("cannot store a %s in a %s", src.Type(), f.Type())
	}
	return nil
}

func isNum(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// norm makes a value comparable with ==, across what Go code holds and what drivers return:
// integers become int64, byte slices strings, pointers their targets, times UTC.
func norm(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case int64, bool:
		return x
	case string:
		// a decimal integer in its canonical form is that integer: keys given as text ("1"
		// from a URL) name the rows an integer column returns; a text column stores 1 as "1"
		if n := len(x); n > 0 && n < 20 && (x[0] >= '1' && x[0] <= '9' || x[0] == '-' || x == "0") {
			if i, err := strconv.ParseInt(x, 10, 64); err == nil && strconv.FormatInt(i, 10) == x {
				return i
			}
		}
		return x
	case float64:
		// a whole number is the int64 it equals (keys decoded from JSON are float64), so
		// that indexes by value agree with equal
		if x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63 {
			return int64(x)
		}
		return x
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return norm(f)
		}
		return string(x)
	case []byte:
		return norm(string(x)) // (a driver's text: compared as the same string is)
	case time.Time:
		return x.UTC()
	case driver.Valuer:
		if nilValuer(x) {
			return nil
		}
		dv, err := x.Value()
		if err != nil {
			return fmt.Sprintf("%T:%v", x, x)
		}
		return norm(dv)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return norm(rv.Elem().Interface())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return norm(rv.Float())
	case reflect.String:
		return norm(rv.String())
	case reflect.Bool:
		return rv.Bool()
	}
	if rv.Comparable() {
		return v
	}
	return fmt.Sprintf("%#v", v)
}

// equal compares two column values as the database would store them.
func equal(a, b any) bool {
	na, nb := norm(a), norm(b)
	if fa, ok := na.(float64); ok {
		if ib, ok := nb.(int64); ok {
			return fa == float64(ib)
		}
	}
	if ia, ok := na.(int64); ok {
		if fb, ok := nb.(float64); ok {
			return float64(ia) == fb
		}
		if bb, ok := nb.(bool); ok {
			return (ia != 0) == bb
		}
	}
	if ba, ok := na.(bool); ok {
		if ib, ok := nb.(int64); ok {
			return ba == (ib != 0)
		}
	}
	return na == nb
}

// tupleKey is a comparable key for a tuple of column values.
type tupleKey [4]any

func keyOfTuple(vals []any) tupleKey {
	var k tupleKey
	for i, v := range vals {
		if i < len(k) {
			k[i] = norm(v)
		}
	}
	return k
}

// defaults lists the column values a scope fixes, as (column, value) sorted by column; m
// resolves attribute names (nil: the names are columns, a join table without a model).
func defaults(sc scope.Scope, m *include.Model) []colVal {
	d := sc.Defaults()
	out := make([]colVal, 0, len(d))
	for k, v := range d {
		c := k
		if m != nil {
			if a, ok := m.Attr(k); ok {
				c = a.Column
			}
		}
		out = append(out, colVal{c, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].col < out[j].col })
	return out
}

type colVal struct {
	col string
	val any
}

// applyScope fills the scope's columns into r, or fails when r holds another value.
func applyScope(r *row, scoped []colVal, what string) error {
	if err := checkScope(r, scoped, what); err != nil {
		return err
	}
	for _, d := range scoped {
		if err := r.set(d.col, d.val); err != nil {
			return err
		}
	}
	return nil
}

// pkOf returns r's primary-key values, or an ErrMissingKey error.
func pkOf(r *row, what string) ([]any, error) {
	pk := r.m.PrimaryKeyView()
	out := make([]any, len(pk))
	for i, c := range pk {
		v, ok := r.keyOf(c)
		if !ok {
			return nil, fmt.Errorf("%w: %s: the %s has no %s (was it saved?)", ErrMissingKey, what, r.m.Name(), c)
		}
		out[i] = v
	}
	return out, nil
}

// args makes the values of a key bind arguments (argOf), in a copy only where one changes.
func args(key []any) []any {
	for i, v := range key {
		switch v.(type) {
		case nil, int64, int, string, bool, float64, []byte:
			continue
		}
		out := append([]any(nil), key...)
		for j := i; j < len(out); j++ {
			out[j] = argOf(out[j])
		}
		return out
	}
	return key
}

// argOf makes a value a bind argument: a pointer is passed as its target (nil as NULL).
func argOf(v any) any {
	switch v.(type) {
	case nil:
		return nil
	case int64, int, string, bool, float64, []byte:
		return v
	}
	if vr, ok := v.(driver.Valuer); ok {
		if nilValuer(vr) {
			return nil
		}
		return v
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return argOf(rv.Elem().Interface())
	}
	return v
}

// nilValuer reports a nil pointer whose Value method is its element type's (a nil
// *sql.NullString): database/sql sends NULL for it, and calling Value would panic.
func nilValuer(v driver.Valuer) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil() && rv.Type().Elem().Implements(valuerType)
}

var valuerType = reflect.TypeOf((*driver.Valuer)(nil)).Elem()
