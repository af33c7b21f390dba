package include

import (
	"fmt"
	"slices"
	"strings"
)

// keys resolves an association's key columns while it is registered; what names the
// association in errors.
type keys struct {
	s    *Schema
	what string
}

// maxKeyColumns bounds a key's columns (the hydrator compares identities of up to 4).
const maxKeyColumns = 4

// own resolves the key columns of m that a foreign key references: those given (attributes
// or columns), else m's primary key without the schema's tenant column (which tenant adds
// back to both sides).
func (k keys) own(m *Model, given []string, role, option string) ([]string, error) {
	if len(given) == 0 {
		pk := m.pk
		if m.tenant != "" && len(pk) > 1 && pk[0] == m.tenant {
			pk = pk[1:]
		}
		if len(pk) != 1 {
			return nil, defErr("%s: %s has a composite primary key (%s); pass include.%s naming the referenced columns, and include.ForeignKey with as many",
				k.what, m.name, strings.Join(m.pk, ", "), option)
		}
		return []string{pk[0]}, nil
	}
	return k.resolve(m, given, role, option)
}

// refs resolves the columns of m that reference the key columns ref of model to: those
// given, else one derived per referenced column from prefix and its name (user_id), the
// tenant column standing for itself.
func (k keys) refs(m *Model, given []string, prefix string, to *Model, ref []string, role, option string) ([]string, error) {
	if len(given) == 0 {
		given = make([]string, len(ref))
		for i, c := range ref {
			if c == to.tenant && m.tenant == c {
				given[i] = c
				continue
			}
			name := c
			if j, ok := to.byCol[c]; ok && to.goType == nil {
				name = to.attrs[j].Name // a run-time model's attribute (Sequelize's primaryKeyAttribute)
			}
			given[i] = k.s.naming.join(prefix, name)
		}
	}
	return k.resolve(m, given, role, option)
}

// resolve resolves attribute-or-column names on m. A join table declared by name has no
// attributes: its names are its columns.
func (k keys) resolve(m *Model, names []string, role, option string) ([]string, error) {
	out := make([]string, len(names))
	for i, name := range names {
		if m.attrs == nil {
			if name == "" || strings.ContainsAny(name, ".\"`") {
				return nil, defErr("%s: %s %q must be a bare column name", k.what, role, name)
			}
			out[i] = name
			continue
		}
		c, ok := m.column(name)
		if !ok {
			hint := ""
			if m.goType != nil {
				if hint = m.columnHint(name, " "); hint != "" {
					hint += ", or"
				} else {
					hint = fmt.Sprintf(" add a field tagged `db:%q` to %s, or", name, m.goType.Name())
				}
			}
			return nil, defErr("%s: %s %q is not a column of %s (table %s; columns: %s):%s pass include.%s(...) with the right column",
				k.what, role, name, m.name, m.table, strings.Join(m.AttrNames(), ", "), hint, option)
		}
		out[i] = c
	}
	return out, nil
}

// tenant adds the schema's tenant column to the front of both sides of a link between two
// models that carry it (Tenant), unless the keys already pair it with itself.
func (k keys) tenant(m *Model, fk []string, to *Model, ref []string) ([]string, []string) {
	t := k.s.tenant
	if t == "" || m.tenant != t || to.tenant != t {
		return fk, ref
	}
	for i := range fk {
		if fk[i] == t && i < len(ref) && ref[i] == t {
			return fk, ref
		}
	}
	return append([]string{t}, fk...), append([]string{t}, ref...)
}

// pair checks that the columns fk of m can reference the columns ref of to: as many, at most
// maxKeyColumns, none twice, and of the same kind where both kinds are known.
func (k keys) pair(m *Model, fk []string, fkRole string, to *Model, ref []string, refRole, option string) error {
	list := colList
	if len(fk) != len(ref) {
		return defErr("%s: the %s %s has %d column(s) and the %s %s it references has %d: pass include.ForeignKey and include.%s with as many columns, paired by position",
			k.what, fkRole, list(fk), len(fk), refRole, list(ref), len(ref), option)
	}
	if len(fk) > maxKeyColumns {
		return defErr("%s: the %s %s has %d columns; keys of more than %d columns are not supported", k.what, fkRole, list(fk), len(fk), maxKeyColumns)
	}
	for i, c := range fk {
		if slices.Index(fk, c) != i {
			return defErr("%s: the %s %s names %q twice", k.what, fkRole, list(fk), c)
		}
		if slices.Index(ref, ref[i]) != i {
			return defErr("%s: the %s %s names %q twice", k.what, refRole, list(ref), ref[i])
		}
		a, aok := m.columnKind(c)
		b, bok := to.columnKind(ref[i])
		if aok && bok && a != b {
			return defErr("%s: %s column %s.%s is %s and the %s column %s.%s it references is %s: pair columns of the same type (include.ForeignKey and include.%s are paired by position)",
				k.what, fkRole, m.name, c, kindName(a), refRole, to.name, ref[i], kindName(b), option)
		}
	}
	return nil
}

// columnKind is the value kind of column c of m, when it is known (not Any).
func (m *Model) columnKind(c string) (Type, bool) {
	i, ok := m.byCol[c]
	if !ok {
		return Any, false
	}
	t := m.attrs[i].Type
	return t, t != Any
}

func kindName(t Type) string {
	switch t {
	case Int:
		return "an integer"
	case Float:
		return "a float"
	case String:
		return "a string"
	case Bool:
		return "a bool"
	case Time:
		return "a time"
	case Bytes:
		return "bytes"
	}
	return "of any type"
}

// colList writes key columns for messages: "user_id", or (tenant_id, user_id).
func colList(cols []string) string {
	if len(cols) == 1 {
		return fmt.Sprintf("%q", cols[0])
	}
	return "(" + strings.Join(cols, ", ") + ")"
}
