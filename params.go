package joinery

import (
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/joinery/joinery/builder"
)

// Param is a named value bound later, per run, with Bind: build a query once with Params
// where its values go (sq.Eq{"id": joinery.Param("id")}, in root and include filters, raw
// sq.Expr arguments, cursors), and each run binds the values. The query compiles once; a
// run only puts the values in the cached plan's arguments. A Param stands for one value: not
// a list for IN, and not NULL (sq.Eq{"col": Param} compiles to col = ?, which a nil value
// never matches; write sq.Eq{"col": nil} for IS NULL). Sent to a database unbound, it fails
// with an error naming it.
type Param string

// ParamName is the name the Param is bound by; it marks the value as bound later, for
// the builder.
func (p Param) ParamName() string { return string(p) }

// Value makes an unbound Param an error at the driver, naming it.
func (p Param) Value() (driver.Value, error) {
	return nil, fmt.Errorf("joinery: parameter %q is not bound: call Bind", string(p))
}

// Bind returns the query with its Params bound to values (by name). The copy shares the
// query's compiled plan: binding costs no compilation. Every Param of the query must be
// bound and every name must be a Param of the query, or running it fails saying which. Do
// not modify values afterwards.
func (q Q[T]) Bind(values map[string]any) Q[T] {
	q.bound = values
	return q
}

// paramsOf lists the names of the Params among p's arguments, sorted, once.
func paramsOf(p *builder.Plan) []string {
	var names []string
	add := func(args []any) {
		for _, a := range args {
			if n, ok := a.(Param); ok && !slices.Contains(names, string(n)) {
				names = append(names, string(n))
			}
		}
	}
	add(p.Args)
	for _, st := range p.Statements {
		add(st.Args)
	}
	slices.Sort(names)
	return names
}

// bind returns p with the bound values in place of its Params (p itself when nothing is
// bound). Unless some is set (a statement with part of the query's filters: Count), every
// bound name must be one of p's Params.
func bind(p *builder.Plan, params []string, values map[string]any, some bool) (*builder.Plan, error) {
	if values == nil {
		return p, nil
	}
	for name := range values {
		if !some && !slices.Contains(params, name) {
			return nil, fmt.Errorf("joinery: Bind of %q, which is not a parameter of the query (its parameters: %v)", name, params)
		}
	}
	for _, name := range params {
		if _, ok := values[name]; !ok {
			return nil, fmt.Errorf("joinery: parameter %q is not bound (its parameters: %v)", name, params)
		}
	}
	if len(params) == 0 {
		return p, nil
	}
	out := *p
	var err error
	if out.Args, err = substitute(p.Args, values, p.ArgSource); err != nil {
		return nil, err
	}
	if len(p.Statements) > 0 {
		out.Statements = make([]builder.Statement, len(p.Statements))
		for i, st := range p.Statements {
			if st.Args, err = substitute(st.Args, values, st.ArgSource); err != nil {
				return nil, err
			}
			out.Statements[i] = st
		}
	}
	return &out, nil
}

// substitute returns args with the bound values in place of the Params; a value bound for a
// LIMIT or OFFSET (source says which argument is what) must be a non-negative integer.
func substitute(args []any, values map[string]any, source func(int) string) ([]any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		if n, ok := a.(Param); ok {
			a = values[string(n)]
			if src := source(i); strings.HasSuffix(src, " Limit") || strings.HasSuffix(src, " Offset") {
				v, ok := count(a)
				if !ok {
					return nil, fmt.Errorf("joinery: parameter %q is the %s: bind a non-negative integer, not %T %v", string(n), src, a, a)
				}
				a = v
			}
		}
		out[i] = a
	}
	return out, nil
}

// count is v as a non-negative int64, if it is an integer that is one.
func count(v any) (int64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), rv.Int() >= 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int64(min(rv.Uint(), math.MaxInt64)), true
	}
	return 0, false
}
