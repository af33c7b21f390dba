package write

import (
	"fmt"
	"slices"

	"github.com/joinery/joinery/include"
)

// Keys are column lists (include.Association's ForeignKeys, SourceKeys, TargetKeys,
// OtherKeys, paired by position), and a key's value is a tuple of as many values: a
// statement matches every column ((a, b) IN ((?, ?), ...) where the dialect has row values,
// else ORs of ANDs), and an INSERT writes every column.
//
// A column that a foreign key shares with the primary key of the row holding it (the tenant
// column of a multi-tenant schema: posts (tenant_id, id) referencing users (tenant_id, id)
// by (tenant_id, user_id)) identifies the row: it is never updated or set to NULL by a
// link or an unlink, and a link between rows whose shared columns differ (two tenants) is
// an error. Likewise a column a belongsToMany's join table shares between its foreign key
// and its other key holds one value for both sides.

// linkKeys reads the values of the key columns cols of r, or an ErrMissingKey error naming
// the columns that have none.
func linkKeys(r *row, cols []string, what string) ([]any, error) {
	if r.isKey() {
		pk := r.m.PrimaryKeyView()
		for _, c := range cols {
			if !slices.Contains(pk, c) {
				return nil, fmt.Errorf("%w: %s: the association links by %s.%s, not the primary key; pass the %s value instead of write.Key", ErrBadInput, what, r.m.Name(), colList(cols), r.m.Name())
			}
		}
	}
	out := make([]any, len(cols))
	var missing []string
	for i, c := range cols {
		v, ok := r.keyOf(c)
		if !ok {
			missing = append(missing, c)
			continue
		}
		out[i] = argOf(v)
	}
	if len(missing) > 0 {
		return nil, missingKey(r.m, cols, missing, what)
	}
	return out, nil
}

// missingKey is the error for a value whose key columns cols lack missing.
func missingKey(m *include.Model, cols, missing []string, what string) error {
	if len(cols) == 1 {
		return fmt.Errorf("%w: %s: the %s has no %s (was it saved?)", ErrMissingKey, what, m.Name(), cols[0])
	}
	return fmt.Errorf("%w: %s: the %s has no %s of its key (%s) (was it saved?)", ErrMissingKey, what, m.Name(), joinCols(missing), joinCols(cols))
}

// colList writes one column bare, several parenthesised.
func colList(cols []string) string {
	if len(cols) == 1 {
		return cols[0]
	}
	return "(" + joinCols(cols) + ")"
}

// splitKey splits the positions of a multi-column foreign key fk held by model m into those
// that are columns of m's primary key (identity: compared, never written) and the others
// (written by a link, NULLed by an unlink). A single-column key is all written, as it
// always was (a child's key that holds its parent's is moved by a link).
func splitKey(fk []string, m *include.Model) (set, ident []int) {
	pk := m.PrimaryKeyView()
	for i, c := range fk {
		if len(fk) > 1 && slices.Contains(pk, c) {
			ident = append(ident, i)
		} else {
			set = append(set, i)
		}
	}
	return set, ident
}

// pick returns the values of vals at positions idx.
func pick[T any](vals []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = vals[j]
	}
	return out
}

// sameAt checks that a row's primary key pkVals (of model m, the row role() names) holds, at
// the columns of fk at positions ident, the values key (of the row named other) holds there:
// a link cannot move a row's identity (its tenant).
func sameAt(m *include.Model, pkVals []any, fk []string, ident []int, key []any, role func() string, other, what string) error {
	pk := m.PrimaryKeyView()
	for _, i := range ident {
		j := slices.Index(pk, fk[i])
		if j < 0 || j >= len(pkVals) {
			continue
		}
		if !equal(pkVals[j], key[i]) {
			return fmt.Errorf("%w: %s: the %s's %s is %v and the %s's is %v: a link cannot change %s, which is part of %s's primary key (%s)",
				ErrBadInput, what, role(), fk[i], argOf(pkVals[j]), other, argOf(key[i]), fk[i], m.Name(), joinCols(pk))
		}
	}
	return nil
}

// named returns a role that names itself.
func named(role string) func() string { return func() string { return role } }

// The tenant value (include.Tenant schemas).

// checkTenant validates an operation's tenant value against the schema.
func checkTenant(s *include.Schema, tn any, what string) error {
	if tn == nil {
		return nil
	}
	if s.Tenant() == "" {
		return fmt.Errorf("%w: %s: Tenant(%v) is given, but the schema has no tenant column (include.Tenant)", ErrBadInput, what, tn)
	}
	if isMissing(tn) {
		return fmt.Errorf("%w: %s: Tenant(%#v) is empty; pass the tenant's %s value", ErrMissingKey, what, tn, s.Tenant())
	}
	return nil
}

// withTenant gives r the operation's tenant value: the value of a hidden tenant column and of
// a visible one that the value leaves unset. A value whose tenant column holds another
// value is an error, and so is a model with a hidden tenant column when no value was given.
func (r *row) withTenant(tn any, role string) error {
	tc := r.m.Tenant()
	if tc == "" {
		return nil
	}
	if r.key != nil {
		if tn != nil && !equal(r.key[slices.Index(r.m.PrimaryKeyView(), tc)], tn) {
			return fmt.Errorf("%w: the %s write.Key has %s %v, but the operation's Tenant is %v", ErrScopeConflict, role, tc, r.key[slices.Index(r.m.PrimaryKeyView(), tc)], tn)
		}
		return nil
	}
	a, _ := r.m.Attr(tc)
	if tn == nil {
		if a.Hidden {
			return fmt.Errorf("%w: the %s is a %s, whose tenant column %s is hidden (include.Tenant: no field or map key holds it); pass its value with the operation's Tenant(v) (Op.Tenant, CreateOp.Tenant or Writer.WithTenant)",
				ErrMissingKey, role, r.m.Name(), tc)
		}
		return nil
	}
	if !a.Hidden {
		if v, ok := r.value(a); ok && !isMissing(v) && !equal(v, tn) {
			return fmt.Errorf("%w: the %s's %s.%s is %v, but the operation's Tenant is %v", ErrScopeConflict, role, r.m.Name(), tc, argOf(v), tn)
		}
	}
	r.tenant = tn
	return nil
}

// withTenantKey completes a write.Key that leaves out the tenant column (its primary key
// without the column, Tenant giving it) with tn.
func withTenantKey(m *include.Model, key []any, tn any) []any {
	pk := m.PrimaryKeyView()
	tc := m.Tenant()
	if tn == nil || tc == "" || len(key) != len(pk)-1 {
		return key
	}
	i := slices.Index(pk, tc)
	if i < 0 {
		return key
	}
	out := make([]any, 0, len(pk))
	out = append(append(append(out, key[:i]...), tn), key[i:]...)
	return out
}

// hiddenTenant reports whether m's tenant column is a hidden attribute.
func hiddenTenant(m *include.Model) bool {
	if m.Tenant() == "" {
		return false
	}
	a, ok := m.Attr(m.Tenant())
	return ok && a.Hidden
}

// genColumn is the position of the primary-key column of m that an INSERT may leave to the
// database (a serial / auto-increment column), or -1: a single-column key, or the last
// column of a composite key when it is an integer and every other column is set (the id of
// (tenant_id, id)).
func genColumn(r *row) int {
	pk := r.m.PrimaryKeyView()
	last := len(pk) - 1
	if last < 0 {
		return -1
	}
	if _, ok := r.keyOf(pk[last]); ok {
		return -1
	}
	if last == 0 {
		return 0
	}
	if a, ok := r.m.Attr(pk[last]); !ok || a.Type != include.Int || a.Hidden {
		return -1
	}
	for _, c := range pk[:last] {
		if _, ok := r.keyOf(c); !ok {
			return -1
		}
	}
	return last
}

// hiddenInMap refuses a map value that holds a hidden tenant column.
func hiddenInMap(m *include.Model, k, what string) error {
	return fmt.Errorf("%w: %s: %q is %s's hidden tenant column (include.Tenant), which no value holds; pass it with the operation's Tenant(v)", ErrBadInput, what, k, m.Name())
}
