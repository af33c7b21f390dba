// Package scope holds predicates written against column names and bound late to a table alias:
// include filters, association scopes and model default scopes. squirrel's map predicates
// (Eq, NotEq, Lt, Gt, LtOrEq, GtOrEq, Like, NotLike, ILike, NotILike) and And/Or of them get
// their bare column names resolved, qualified with the table's alias and quoted; any other
// squirrel.Sqlizer is rendered as it is, with the token {{self}} replaced by the table's quoted
// alias, so a raw fragment can name its own table:
//
//	sq.Expr("LENGTH({{self}}.title) > ?", 10)
//
// Values are always bind arguments; rendering uses '?' placeholders, which the statement
// builder numbers once for the whole statement.
package scope

import (
	"cmp"
	"database/sql/driver"
	"fmt"
	"reflect"
	"sort"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/internal/meta"
)

// Self is the token a raw squirrel.Sqlizer uses to name the table it is bound to.
const Self = "{{self}}"

// Resolver binds column names to one table of a statement.
type Resolver interface {
	// Column returns the qualified, quoted SQL for the column called name, or an error that
	// names the valid columns.
	Column(name string) (string, error)
	// Alias returns the quoted alias of the table, substituted for Self in raw fragments.
	Alias() string
	// ILike reports whether the database has ILIKE; without it ILike renders as
	// LOWER(col) LIKE LOWER(?).
	ILike() bool
}

// ExprResolver is a Resolver whose names may also stand for expressions with arguments (a
// value the statement computes): ColumnExpr returns the expression's SQL, with ?
// placeholders, and its arguments, or ok false for a plain column.
type ExprResolver interface {
	ColumnExpr(name string) (sql string, args []any, ok bool, err error)
}

// Scope is a conjunction of predicates. The zero Scope is empty and matches everything.
type Scope struct {
	preds []sq.Sqlizer
	// err: a typed nil predicate was given (a nil *sq.Eq), reported by Err
	err error
}

// New returns a Scope of the given predicates, ANDed. An untyped nil predicate is skipped; a
// typed nil one (a nil *sq.Eq, whose ToSql would dereference it) is an error (Err), which a
// schema reports when the scope is registered and Render returns.
func New(preds ...sq.Sqlizer) Scope {
	out := Scope{}
	for _, p := range preds {
		switch {
		case p == nil:
		case meta.NilRef(p):
			if out.err == nil {
				out.err = fmt.Errorf("scope: a nil %T predicate", p)
			}
		default:
			out.preds = append(out.preds, p)
		}
	}
	return out
}

// Err reports a typed nil predicate given to New, And or Merge.
func (s Scope) Err() error { return s.err }

// Eq is the scope column = value (IS NULL for nil, IN for a slice).
func Eq(column string, value any) Scope { return New(sq.Eq{column: value}) }

// Polymorphic is the scope of a polymorphic association: the type column equals typeValue.
func Polymorphic(typeColumn, typeValue string) Scope { return Eq(typeColumn, typeValue) }

// And returns a copy of s with more predicates.
func (s Scope) And(preds ...sq.Sqlizer) Scope {
	more := New(preds...)
	return Scope{preds: append(append([]sq.Sqlizer(nil), s.preds...), more.preds...), err: cmp.Or(s.err, more.err)}
}

// Merge returns the conjunction of s and o.
func (s Scope) Merge(o Scope) Scope {
	m := s.And(o.preds...)
	m.err = cmp.Or(m.err, o.err)
	return m
}

// Empty reports whether s has no predicates.
func (s Scope) Empty() bool { return len(s.preds) == 0 }

// Predicates returns the scope's predicates.
func (s Scope) Predicates() []sq.Sqlizer { return append([]sq.Sqlizer(nil), s.preds...) }

// Columns lists the bare column names the scope's map predicates name, sorted, for
// validation when the scope is registered.
func (s Scope) Columns() []string {
	seen := map[string]bool{}
	var walk func(p sq.Sqlizer)
	walk = func(p sq.Sqlizer) {
		switch v := p.(type) {
		case sq.And:
			for _, c := range v {
				walk(c)
			}
		case sq.Or:
			for _, c := range v {
				walk(c)
			}
		default:
			if m, _, ok := mapPredicate(p); ok {
				for k := range m {
					seen[k] = true
				}
			}
		}
	}
	for _, p := range s.preds {
		walk(p)
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Defaults returns the column values the scope's plain equalities fix (for writes).
func (s Scope) Defaults() map[string]any {
	out := map[string]any{}
	for _, p := range s.preds {
		if eq, ok := p.(sq.Eq); ok {
			for k, v := range eq {
				if v == nil || !isList(v) {
					out[k] = v
				}
			}
		}
	}
	return out
}

// Render renders the scope bound to r; "" when empty.
func (s Scope) Render(r Resolver) (string, []any, error) {
	if s.err != nil {
		return "", nil, s.err
	}
	switch len(s.preds) {
	case 0:
		return "", nil, nil
	case 1:
		return Render(s.preds[0], r)
	}
	return Render(sq.And(s.preds), r)
}

// Render renders one predicate bound to r.
func Render(p sq.Sqlizer, r Resolver) (string, []any, error) {
	var b strings.Builder
	var args []any
	if err := render(&b, &args, p, r); err != nil {
		return "", nil, err
	}
	return b.String(), args, nil
}

func render(b *strings.Builder, args *[]any, p sq.Sqlizer, r Resolver) error {
	if p != nil && meta.NilRef(p) {
		return fmt.Errorf("scope: a nil %T predicate", p)
	}
	switch v := p.(type) {
	case nil:
		return fmt.Errorf("scope: nil predicate")
	case sq.And:
		return junction(b, args, []sq.Sqlizer(v), " AND ", "(1=1)", r)
	case sq.Or:
		return junction(b, args, []sq.Sqlizer(v), " OR ", "(1=0)", r)
	}
	if m, op, ok := mapPredicate(p); ok {
		return renderMap(b, args, m, op, r)
	}
	sqlText, a, err := p.ToSql()
	if err != nil {
		return fmt.Errorf("scope: %w", err)
	}
	// A raw fragment is one predicate wherever it is put: parenthesised, so that "a OR b"
	// ANDed with another condition stays "(a OR b) AND c"; a line comment in it ends before
	// the closing parenthesis.
	b.WriteByte('(')
	b.WriteString(strings.ReplaceAll(sqlText, Self, r.Alias()))
	if strings.Contains(sqlText, "--") || strings.Contains(sqlText, "#") {
		b.WriteByte('\n')
	}
	b.WriteByte(')')
	*args = append(*args, a...)
	return nil
}

func junction(b *strings.Builder, args *[]any, parts []sq.Sqlizer, sep, empty string, r Resolver) error {
	if len(parts) == 0 {
		b.WriteString(empty)
		return nil
	}
	b.WriteByte('(')
	for i, c := range parts {
		if i > 0 {
			b.WriteString(sep)
		}
		if err := render(b, args, c, r); err != nil {
			return err
		}
	}
	b.WriteByte(')')
	return nil
}

type op int

const (
	opEq op = iota
	opNotEq
	opLt
	opGt
	opLtOrEq
	opGtOrEq
	opLike
	opNotLike
	opILike
	opNotILike
)

// MapPredicate reports whether p is one of squirrel's map predicates (sq.Eq, sq.NotEq,
// sq.Lt, sq.Gt, sq.LtOrEq, sq.GtOrEq, sq.Like, sq.NotLike, sq.ILike, sq.NotILike), which
// Render writes itself: its map, and a number naming its operator (one per predicate type).
func MapPredicate(p sq.Sqlizer) (m map[string]any, operator int, ok bool) {
	m, o, ok := mapPredicate(p)
	return m, int(o), ok
}

func mapPredicate(p sq.Sqlizer) (map[string]any, op, bool) {
	switch v := p.(type) {
	case sq.Eq:
		return v, opEq, true
	case sq.NotEq:
		return v, opNotEq, true
	case sq.Lt:
		return v, opLt, true
	case sq.Gt:
		return v, opGt, true
	case sq.LtOrEq:
		return v, opLtOrEq, true
	case sq.GtOrEq:
		return v, opGtOrEq, true
	case sq.Like:
		return v, opLike, true
	case sq.NotLike:
		return v, opNotLike, true
	case sq.ILike:
		return v, opILike, true
	case sq.NotILike:
		return v, opNotILike, true
	}
	return nil, 0, false
}

var cmpOps = [...]string{opLt: " < ", opGt: " > ", opLtOrEq: " <= ", opGtOrEq: " >= "}

func renderMap(b *strings.Builder, args *[]any, m map[string]any, o op, r Resolver) error {
	if len(m) == 0 {
		b.WriteString("(1=1)")
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic SQL, as squirrel does
	if len(keys) > 1 {
		b.WriteByte('(')
	}
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" AND ")
		}
		col, exprArgs, err := column(r, k)
		if err != nil {
			return err
		}
		*args = append(*args, exprArgs...)
		v := m[k]
		if err := renderOne(b, args, col, k, v, o, r); err != nil {
			return err
		}
	}
	if len(keys) > 1 {
		b.WriteByte(')')
	}
	return nil
}

// column is the SQL of the name k: a column, or an expression with its arguments.
func column(r Resolver, k string) (string, []any, error) {
	if er, ok := r.(ExprResolver); ok {
		sql, args, ok, err := er.ColumnExpr(k)
		if err != nil {
			return "", nil, err
		}
		if ok {
			return sql, args, nil
		}
	}
	col, err := r.Column(k)
	return col, nil, err
}

func renderOne(b *strings.Builder, args *[]any, col, key string, v any, o op, r Resolver) error {
	switch o {
	case opEq, opNotEq:
		if isNil(v) {
			b.WriteString(col)
			if o == opEq {
				b.WriteString(" IS NULL")
			} else {
				b.WriteString(" IS NOT NULL")
			}
			return nil
		}
		if isList(v) {
			rv := reflect.ValueOf(v)
			if rv.Len() == 0 {
				if o == opEq {
					b.WriteString("(1=0)")
				} else {
					b.WriteString("(1=1)")
				}
				return nil
			}
			b.WriteString(col)
			if o == opEq {
				b.WriteString(" IN (")
			} else {
				b.WriteString(" NOT IN (")
			}
			for i := 0; i < rv.Len(); i++ {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('?')
				*args = append(*args, rv.Index(i).Interface())
			}
			b.WriteByte(')')
			return nil
		}
		b.WriteString(col)
		if o == opEq {
			b.WriteString(" = ?")
		} else {
			b.WriteString(" <> ?")
		}
		*args = append(*args, v)
		return nil
	case opLt, opGt, opLtOrEq, opGtOrEq:
		if isNil(v) || isList(v) {
			return fmt.Errorf("scope: comparison on %q needs a single non-nil value, got %T", key, v)
		}
		b.WriteString(col)
		b.WriteString(cmpOps[o])
		b.WriteByte('?')
		*args = append(*args, v)
		return nil
	default: // like family
		if isNil(v) || isList(v) {
			return fmt.Errorf("scope: LIKE on %q needs a single non-nil pattern, got %T", key, v)
		}
		not := o == opNotLike || o == opNotILike
		insensitive := o == opILike || o == opNotILike
		switch {
		case insensitive && r.ILike():
			b.WriteString(col)
			if not {
				b.WriteString(" NOT ILIKE ?")
			} else {
				b.WriteString(" ILIKE ?")
			}
		case insensitive:
			b.WriteString("LOWER(")
			b.WriteString(col)
			if not {
				b.WriteString(") NOT LIKE LOWER(?)")
			} else {
				b.WriteString(") LIKE LOWER(?)")
			}
		default:
			b.WriteString(col)
			if not {
				b.WriteString(" NOT LIKE ?")
			} else {
				b.WriteString(" LIKE ?")
			}
		}
		*args = append(*args, v)
		return nil
	}
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	if _, ok := v.(interface{ ParamName() string }); ok {
		return false // a value bound later (joinery.Param) is one value, never NULL
	}
	if vl, ok := v.(driver.Valuer); ok {
		rv := reflect.ValueOf(vl)
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			return true
		}
		dv, err := vl.Value()
		return err == nil && dv == nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// OneValue reports whether v, as a map predicate's value, is one value: not NULL and not a
// list (sq.Eq{"id": v} compiles to id = ?).
func OneValue(v any) bool { return !isNil(v) && !isList(v) }

func isList(v any) bool {
	if v == nil {
		return false
	}
	if _, ok := v.(driver.Valuer); ok {
		return false
	}
	t := reflect.TypeOf(v)
	switch t.Kind() {
	case reflect.Slice:
		return t.Elem().Kind() != reflect.Uint8
	case reflect.Array:
		return t.Elem().Kind() != reflect.Uint8
	}
	return false
}
