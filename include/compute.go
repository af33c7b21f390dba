package include

import (
	"fmt"

	sq "github.com/Masterminds/squirrel"
)

// Func is what a computed value computes.
type Func uint8

const (
	// FuncExpr is an expression over the row's own table (Expr).
	FuncExpr Func = iota + 1
	// FuncCount is the number of the association's rows (Count).
	FuncCount
	// FuncExists reports whether the association has a row (Exists).
	FuncExists
	// FuncSum, FuncMin, FuncMax and FuncAvg aggregate a column of the association's rows.
	FuncSum
	FuncMin
	FuncMax
	FuncAvg
)

var funcNames = [...]string{FuncExpr: "Expr", FuncCount: "Count", FuncExists: "Exists", FuncSum: "Sum", FuncMin: "Min", FuncMax: "Max", FuncAvg: "Avg"}

func (f Func) String() string {
	if int(f) < len(funcNames) && funcNames[f] != "" {
		return funcNames[f]
	}
	return fmt.Sprintf("Func(%d)", uint8(f))
}

// Value is a value computed for each row of a query's roots or of an include, in the same
// statement, into a field or key of that row: an aggregate of one of its to-many
// associations ("projects with their open-task count") or an expression over its own
// table. Name it with As; a struct model receives it on the field tagged
// `joinery:"computed:<name>"`, a map model under the key <name>. Add it with
// joinery.Q.Compute (the roots) or Node.Compute (an include). The association's rows are
// not loaded for it: include them as well to have both.
//
// Values are immutable: every method returns a modified copy.
type Value struct{ c Computed }

// Computed is a Value as the statement builder reads it.
type Computed struct {
	Func Func
	// Name is the field's computed name or the map key (As).
	Name string
	// Assoc is the association aggregated (not FuncExpr) and Column the column of its
	// target that Sum, Min, Max and Avg aggregate.
	Assoc, Column string
	// Where filters the association's rows (like an include's Where), ThroughWhere its join
	// rows (a BelongsToMany); Unscoped lifts the target's default scope.
	Where, ThroughWhere []sq.Sqlizer
	Unscoped            bool
	// Expr is FuncExpr's expression; {{self}} names the row's own table.
	Expr sq.Sqlizer
}

// Count is the number of rows of the to-many association assoc (after its scopes and
// Where): 0 when there are none.
func Count(assoc string) Value { return Value{Computed{Func: FuncCount, Assoc: assoc}} }

// Exists reports whether the to-many association assoc has a row (after its scopes and
// Where): a bool.
func Exists(assoc string) Value { return Value{Computed{Func: FuncExists, Assoc: assoc}} }

// Sum is the sum of column over the rows of the to-many association assoc: 0 when there
// are none.
func Sum(assoc, column string) Value {
	return Value{Computed{Func: FuncSum, Assoc: assoc, Column: column}}
}

// Min is the least value of column over the rows of assoc: NULL when there are none (use a
// pointer or sql.Null* field).
func Min(assoc, column string) Value {
	return Value{Computed{Func: FuncMin, Assoc: assoc, Column: column}}
}

// Max is the greatest value of column over the rows of assoc: NULL when there are none.
func Max(assoc, column string) Value {
	return Value{Computed{Func: FuncMax, Assoc: assoc, Column: column}}
}

// Avg is the average of column over the rows of assoc: NULL when there are none.
func Avg(assoc, column string) Value {
	return Value{Computed{Func: FuncAvg, Assoc: assoc, Column: column}}
}

// Expr is an expression over the row's own table: {{self}} names it, ? placeholders take
// args (bind parameters, never spliced): Expr("UPPER({{self}}.name)"),
// Expr("{{self}}.price * ?", 1.2).
func Expr(sql string, args ...any) Value {
	return Value{Computed{Func: FuncExpr, Expr: sq.Expr(sql, args...)}}
}

// As names the value: the field tagged `joinery:"computed:<name>"`, or the map key, that
// receives it, and the name order terms use.
func (v Value) As(name string) Value { v.c.Name = name; return v }

// Where filters the aggregated association's rows; several are ANDed.
func (v Value) Where(pred sq.Sqlizer) Value {
	v.c.Where = append(append([]sq.Sqlizer(nil), v.c.Where...), pred)
	return v
}

// ThroughWhere filters a BelongsToMany's join rows.
func (v Value) ThroughWhere(pred sq.Sqlizer) Value {
	v.c.ThroughWhere = append(append([]sq.Sqlizer(nil), v.c.ThroughWhere...), pred)
	return v
}

// Unscoped lifts the aggregated target's default scope.
func (v Value) Unscoped() Value { v.c.Unscoped = true; return v }

// Computed returns the value as the statement builder reads it.
func (v Value) Computed() Computed { return v.c }

// Compute adds values computed for each row of this include (see Value).
func (n Node) Compute(vals ...Value) Node {
	out := make([]Computed, 0, len(n.computed)+len(vals))
	out = append(out, n.computed...)
	for _, v := range vals {
		out = append(out, v.c)
	}
	n.computed = out
	return n
}
