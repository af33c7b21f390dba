package builder

import (
	"database/sql"
	"database/sql/driver"
	"reflect"
	"strconv"
	"strings"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// KeyPart is one column of a keyset cursor.
type KeyPart struct {
	Attr string // the root attribute (map key or struct db name) holding the value
	Desc bool
	// Computed: Attr names a value computed for the roots (Compute), held by the field
	// tagged joinery:"computed:<Attr>" or the map key Attr
	Computed bool
}

// KeysetColumns lists the root attributes whose values form a keyset cursor for q: its root
// order terms (root columns only) followed by the primary key.
func KeysetColumns(schema *include.Schema, q Query) ([]KeyPart, error) {
	b, err := newBuilder(schema, dialects.Postgres, q)
	if err != nil {
		return nil, err
	}
	terms, err := b.rootTerms()
	if err != nil {
		return nil, err
	}
	return b.keyParts(terms)
}

func (b *builder) keyParts(terms []term) ([]KeyPart, error) {
	var out []KeyPart
	seen := map[string]bool{}
	for _, t := range terms {
		if t.n != b.root {
			return nil, qErr("keyset pagination orders by root columns only; %q names an include", t.attr)
		}
		if t.expr != nil {
			out = append(out, KeyPart{Attr: t.attr, Desc: t.desc, Computed: true})
			continue
		}
		a, _ := b.query.Model.Attr(t.attr)
		out = append(out, KeyPart{Attr: a.Name, Desc: t.desc})
		seen[a.Column] = true
	}
	for _, k := range b.root.pk {
		if seen[k] || b.query.OneTenant && k == b.query.Model.Tenant() {
			continue
		}
		a, _ := b.query.Model.Attr(k)
		if a.Hidden {
			return nil, qErr("keyset pagination across tenants needs a value for the tenant column %q, which no field of %s holds: hold the query to one tenant with Tenant(v), or give %s a field for %s",
				k, b.query.Model.Name(), b.query.Model.Name(), k)
		}
		out = append(out, KeyPart{Attr: a.Name})
	}
	return out, nil
}

// keyset renders "after the cursor": (a > ?) OR (a = ? AND b > ?) ..., each comparison in
// its column's direction and NULL-aware: a NULL cursor value compares with IS NULL, and the
// NULLs of a nullable column come after or before every value as the statement orders them
// (the term's NULLS FIRST/LAST, else the dialect's default), so no root is skipped or
// repeated across pages.
func (b *builder) keyset(terms []term) (node, error) {
	parts, err := b.keyParts(terms)
	if err != nil {
		return nil, err
	}
	if len(parts) != len(b.query.After) {
		return nil, qErr("keyset cursor has %d values, the order needs %d (%v)", len(b.query.After), len(parts), parts)
	}
	if sig := KeysetSignature(parts); b.query.AfterOrder != "" && b.query.AfterOrder != sig {
		return nil, qErr("keyset cursor was made under the order %s, and this query orders by %s: make the cursor with this query's Cursor", b.query.AfterOrder, sig)
	}
	type key struct {
		col        node
		v          node // the cursor's value, an argument
		null       bool // the cursor's value is NULL
		nullable   bool
		nullsFirst bool
		desc       bool
	}
	keys := make([]key, len(parts))
	for i, p := range parts {
		var k key
		if p.Computed {
			cv := computedByName(b.root, p.Attr)
			e, err := b.computedExpr(b.root, cv)
			if err != nil {
				return nil, err
			}
			// (Count, Exists and Sum are never NULL)
			f := cv.c.Func
			k = key{col: e, desc: p.Desc, nullable: f != include.FuncCount && f != include.FuncExists && f != include.FuncSum}
		} else {
			a, _ := b.query.Model.Attr(p.Attr)
			k = key{col: b.col(b.root.alias, a.Column), desc: p.Desc, nullable: nullable(a)}
		}
		v := b.query.After[i]
		k.v = arg{shareArg(v), "keyset cursor value " + strconv.Itoa(i+1) + " (" + p.Attr + ")"}
		if isParam(v) {
			if k.nullable {
				return nil, qErr("keyset cursor value %d (%s) is a parameter, and %s can be NULL: pass the cursor's values (Cursor), not parameters, for a nullable order column", i+1, p.Attr, p.Attr)
			}
		} else {
			k.null = isNull(v)
		}
		if k.null && i >= len(terms) {
			return nil, qErr("keyset cursor value %d (%s) is NULL, and it is the primary key", i+1, p.Attr)
		}
		k.nullsFirst = !p.Desc != b.d.Features().NullsHigh // the dialect's default
		if i < len(terms) && terms[i].nulls != "" {
			k.nullsFirst = terms[i].nulls == "FIRST"
		}
		keys[i] = k
	}
	var ors []node
	for i, k := range keys {
		// strictly after the cursor's value in column i
		var after node
		switch {
		case k.null && k.nullsFirst:
			after = seq{k.col, kw(" IS NOT NULL")}
		case k.null:
			continue // nothing follows NULL when NULLs come last
		default:
			op := kw(" > ")
			if k.desc {
				op = " < "
			}
			after = seq{k.col, op, k.v}
			if k.nullable && !k.nullsFirst {
				after = seq{kw("("), after, kw(" OR "), k.col, kw(" IS NULL)")}
			}
		}
		ands := make([]node, 0, i+1)
		for _, kj := range keys[:i] {
			if kj.null {
				ands = append(ands, seq{kj.col, kw(" IS NULL")})
				continue
			}
			ands = append(ands, eq(kj.col, kj.v))
		}
		ands = append(ands, after)
		ors = append(ors, seq{kw("("), list{" AND ", ands}, kw(")")})
	}
	return seq{kw("("), list{" OR ", ors}, kw(")")}, nil
}

// nullable reports whether attribute a can hold NULL: a pointer, interface, slice or map
// field, or a sql.Scanner (sql.NullString ...); a run-time model's attributes may.
func nullable(a include.Attr) bool {
	if a.GoType == nil {
		return true
	}
	t := a.GoType
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return true
	}
	return t.Implements(scannerType) || reflect.PointerTo(t).Implements(scannerType)
}

var scannerType = reflect.TypeOf((*sql.Scanner)(nil)).Elem()

// isNull reports whether a cursor value is NULL: nil, a nil pointer, or a driver.Valuer
// whose value is nil (sql.NullString{}).
func isNull(v any) bool {
	if v == nil {
		return true
	}
	if vr, ok := v.(driver.Valuer); ok {
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			return true
		}
		dv, err := vr.Value()
		return err == nil && dv == nil
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// isParam reports whether v is bound later (joinery.Param): its NULL-ness is not known
// when the statement is compiled.
func isParam(v any) bool {
	_, ok := v.(interface{ ParamName() string })
	return ok
}

// KeysetSignature names a keyset order: its attributes with their directions, as
// "name DESC, id". A cursor carries the signature of the query it was made with.
func KeysetSignature(parts []KeyPart) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Attr)
		if p.Desc {
			b.WriteString(" DESC")
		}
	}
	return b.String()
}
