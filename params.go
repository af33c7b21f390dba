package joinery

import (
	"database/sql/driver"
	"fmt"
	"slices"

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
	out.Args = substitute(p.Args, values)
	if len(p.Statements) > 0 {
		out.Statements = make([]builder.Statement, len(p.Statements))
		for i, st := range p.Statements {
			st.Args = substitute(st.Args, values)
			out.Statements[i] = st
		}
	}
	return &out, nil
}

func substitute(args []any, values map[string]any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if n, ok := a.(Param); ok {
			a = values[string(n)]
		}
		out[i] = a
	}
	return out
}
