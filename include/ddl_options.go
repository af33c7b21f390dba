package include

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// Rule is a foreign key's referential action (ON DELETE / ON UPDATE).
type Rule string

// Referential actions.
const (
	Cascade    Rule = "CASCADE"
	SetNull    Rule = "SET NULL"
	Restrict   Rule = "RESTRICT"
	NoAction   Rule = "NO ACTION"
	SetDefault Rule = "SET DEFAULT"
)

func (r Rule) valid() bool {
	switch r {
	case Cascade, SetNull, Restrict, NoAction, SetDefault:
		return true
	}
	return false
}

// Constraint is what an association says about the foreign-key constraint(s) it implies,
// for DDL (package ddl) and the schema check. The zero value is Sequelize's default: a
// constraint with the default rules of the association's kind.
type Constraint struct {
	// OnDelete and OnUpdate are the rules given with include.OnDelete / include.OnUpdate; ""
	// leaves the default of the kind.
	OnDelete, OnUpdate Rule
	// None: no constraint (include.NoConstraint, Sequelize's `constraints: false`).
	None bool
	// UniqueKey names the join table's unique key on (ForeignKey, OtherKey) (BelongsToMany;
	// include.UniqueKey); "" for the derived name.
	UniqueKey string
	// NotNull: the foreign-key column is NOT NULL (include.ForeignKeyNotNull, Sequelize's
	// `foreignKey: {allowNull: false}`), whatever the field's type.
	NotNull bool
	// Polymorphic is the type column of a polymorphic association (include.Polymorphic): the
	// foreign key then refers to rows of several tables, so no constraint is declared, and a
	// join table's unique key includes the type column.
	Polymorphic string
}

// OnDelete sets the foreign key's ON DELETE rule. Defaults, as in Sequelize: SET NULL
// (BelongsTo, HasOne, HasMany), CASCADE (a BelongsToMany's join table); with a NOT NULL
// foreign key CASCADE for HasOne and HasMany and NO ACTION for BelongsTo.
func OnDelete(r Rule) AssocOption { return func(o *assocOpts) { o.constraint.OnDelete = r } }

// OnUpdate sets the foreign key's ON UPDATE rule (CASCADE by default).
func OnUpdate(r Rule) AssocOption { return func(o *assocOpts) { o.constraint.OnUpdate = r } }

// NoConstraint declares the association without a foreign-key constraint (Sequelize's
// `constraints: false`): the column is still created and indexed. Use it to break a cycle
// of constraints on a database that cannot add one afterwards.
func NoConstraint() AssocOption { return func(o *assocOpts) { o.constraint.None = true } }

// UniqueKey names the unique key a BelongsToMany's join table gets on its two key columns
// (Sequelize's `uniqueKey`).
func UniqueKey(name string) AssocOption { return func(o *assocOpts) { o.constraint.UniqueKey = name } }

// ForeignKeyNotNull makes the foreign-key column NOT NULL (Sequelize's `foreignKey:
// {allowNull: false}`); a struct field of a non-pointer type is NOT NULL anyway.
func ForeignKeyNotNull() AssocOption { return func(o *assocOpts) { o.constraint.NotNull = true } }

// Constraint is what the association says about its foreign-key constraint.
func (a *Association) Constraint() Constraint { return a.constraint }

// checkConstraint validates the DDL options of an association being built.
func checkDDL(a *Association, o *assocOpts, what string) error {
	c := o.constraint
	for _, r := range []Rule{c.OnDelete, c.OnUpdate} {
		if r != "" && !r.valid() {
			return defErr("%s: %q is not a referential action; pass include.Cascade, SetNull, Restrict, NoAction or SetDefault", what, string(r))
		}
	}
	if c.UniqueKey != "" && a.Kind != BelongsToMany {
		return defErr("%s: include.UniqueKey applies to a BelongsToMany's join table, and this is a %s", what, a.Kind)
	}
	if c.UniqueKey != "" && !a.Unique {
		return defErr("%s: include.UniqueKey and include.NonUnique contradict each other: a join table that may link a pair twice has no unique key", what)
	}
	if o.polyColumn != "" {
		on := a.Target
		switch a.Kind {
		case BelongsTo:
			on = a.Source
		case BelongsToMany:
			on = a.Through
		}
		c.Polymorphic = o.polyColumn
		if on != nil {
			col, ok := on.column(o.polyColumn)
			if !ok {
				return defErr("%s: polymorphic type column %q is not a column of %s (columns: %s)", what, o.polyColumn, on.name, strings.Join(on.AttrNames(), ", "))
			}
			c.Polymorphic = col
		}
	}
	a.constraint = c
	return checkJoinDecl(a, o, what)
}

// joinDecl is what the user said about a join table declared by name (include.Through).
type joinDecl struct {
	columns []string // named with include.Through, in order
	loose   bool     // include.LooseThrough
}

// LooseThrough declares a join table by name without listing its columns on purpose: an
// include may then select any join-table column (ThroughColumns), and the schema check looks
// only at its keys.
func LooseThrough() AssocOption { return func(o *assocOpts) { o.join.loose = true } }

func checkJoinDecl(a *Association, o *assocOpts, what string) error {
	j := o.join
	if (len(j.columns) > 0 || j.loose) && (a.Kind != BelongsToMany || a.Through != nil) {
		return defErr("%s: join-table columns and include.LooseThrough apply to a join table declared by name (include.Through)", what)
	}
	if len(j.columns) > 0 && j.loose {
		return defErr("%s: include.Through lists the columns of %s and include.LooseThrough says they are not listed: pass one of them", what, a.ThroughTable)
	}
	if len(j.columns) > 0 {
		seen := map[string]bool{}
		for _, c := range j.columns {
			if c == "" || strings.ContainsAny(c, ".\"`") {
				return defErr("%s: join-table column %q of %s must be a bare column name", what, c, a.ThroughTable)
			}
			if seen[c] {
				return defErr("%s: join-table column %q of %s is listed twice", what, c, a.ThroughTable)
			}
			seen[c] = true
		}
		list := strings.Join(j.columns, ", ")
		for _, k := range []struct {
			cols         []string
			role, option string
		}{{a.ForeignKeys, "foreign key", "ForeignKey"}, {a.OtherKeys, "other key", "OtherKey"}} {
			for _, c := range k.cols {
				if !seen[c] {
					return defErr("%s: the join table %s is declared with columns (%s), which lack its %s %q: pass include.%s naming one of them, or add %q to include.Through",
						what, a.ThroughTable, list, k.role, c, k.option, c)
				}
			}
		}
		for _, th := range a.Target.through {
			if !seen[th.Column] {
				return defErr("%s: %s receives join-table column %q, which the join table %s is not declared with (%s): add it to include.Through",
					what, a.Target.name, th.Column, a.ThroughTable, list)
			}
		}
		for _, c := range a.ThroughScope.Columns() {
			if !seen[c] {
				return defErr("%s: the through scope names column %q, which the join table %s is not declared with (%s): add it to include.Through",
					what, c, a.ThroughTable, list)
			}
		}
	}
	a.join = j
	return nil
}

// ThroughColumns lists the columns of a join table declared by name: those named with
// include.Through, else the keys and the join-table columns the target receives (its through
// fields). Nil for a join model (its model's columns) and for any other kind.
func (a *Association) ThroughColumns() []string {
	if a.Kind != BelongsToMany || a.Through != nil {
		return nil
	}
	if len(a.join.columns) > 0 {
		return append([]string(nil), a.join.columns...)
	}
	out := make([]string, 0, len(a.ForeignKeys)+len(a.OtherKeys)+len(a.Target.through))
	add := func(c string) {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, c := range a.ForeignKeys {
		add(c)
	}
	for _, c := range a.OtherKeys {
		add(c)
	}
	for _, th := range a.Target.through {
		add(th.Column)
	}
	for _, c := range a.ThroughScope.Columns() {
		add(c)
	}
	return out
}

// LooseThrough reports whether the join table was declared by name with include.LooseThrough.
func (a *Association) LooseThrough() bool { return a.join.loose }

// CheckThroughColumn says whether an include may select join-table column col of a join
// table declared by name: a declared column (ThroughColumns), or any column of a join table
// declared loosely. Nil for a join model (the builder checks its model's columns).
func (a *Association) CheckThroughColumn(col string) error {
	if a.Kind != BelongsToMany || a.Through != nil || a.join.loose {
		return nil
	}
	cols := a.ThroughColumns()
	for _, c := range cols {
		if c == col {
			return nil
		}
	}
	return fmt.Errorf("join-table column %q of %s is not declared (declared: %s): list it in include.Through(%q, ...), receive it in a field tagged `joinery:\"through:%s\"`, or declare the join table with include.LooseThrough()",
		col, a.ThroughTable, strings.Join(cols, ", "), a.ThroughTable, col)
}

// modelDDL is what a model says about its table beyond its columns.
type modelDDL struct {
	types   map[string]string // column -> type
	notNull map[string]bool   // column -> NOT NULL
	uniques []Key
}

// Key is a named list of columns: a unique key.
type Key struct {
	Name    string // "" for the derived name (table_col1_col2_key)
	Columns []string
}

// Unique declares a unique key on the model's columns (Sequelize's `unique: true`, or
// `unique: "name"` on several columns); name "" derives table_col_key. In a multi-tenant
// schema (Tenant) the tenant column leads it: unique within a tenant.
func Unique(name string, columns ...string) ModelOption {
	return func(o *modelOpts) { o.uniques = append(o.uniques, Key{Name: name, Columns: columns}) }
}

// Uniques lists the model's unique keys (include.Unique), by column.
func (m *Model) Uniques() []Key { return m.ddl.uniques }

// ColumnType sets the column type of a model's attribute or column in DDL. A logical type
// ("integer", "bigint", "smallint", "text", "string" (VARCHAR(255)), "uuid", "boolean",
// "double", "timestamp", "date", "bytes", "json") is spelt per dialect; anything else is used
// as written, on every dialect.
func ColumnType(column, sqlType string) ModelOption {
	return func(o *modelOpts) {
		if o.types == nil {
			o.types = map[string]string{}
		}
		o.types[column] = sqlType
	}
}

// NotNull declares columns NOT NULL in DDL. Struct fields of non-pointer types are NOT NULL
// without it; run-time (map) attributes are nullable unless named here.
func NotNull(columns ...string) ModelOption {
	return func(o *modelOpts) { o.notNull = append(o.notNull, columns...) }
}

// ColumnType is the column type declared for column with include.ColumnType, or "".
func (m *Model) ColumnType(column string) string { return m.ddl.types[column] }

// NotNull reports whether column is NOT NULL: declared so (include.NotNull), or a struct
// field whose type cannot hold NULL. A primary-key column is always NOT NULL.
func (m *Model) NotNull(column string) bool {
	if m.ddl.notNull[column] {
		return true
	}
	for _, k := range m.pk {
		if k == column {
			return true
		}
	}
	if i, ok := m.byCol[column]; ok && m.goType != nil {
		return !nullable(m.attrs[i])
	}
	return false
}

// finishModelDDL resolves the DDL options of a model being registered to its columns.
func (m *Model) finishModelDDL(o modelOpts) error {
	names := make([]string, 0, len(o.types))
	for k := range o.types {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c, ok := m.column(k)
		if !ok {
			return defErr("model %s: include.ColumnType names %q, which is not a column (columns: %s)", m.name, k, strings.Join(m.AttrNames(), ", "))
		}
		if strings.TrimSpace(o.types[k]) == "" {
			return defErr("model %s: include.ColumnType(%q, \"\") gives no type", m.name, k)
		}
		if why := badType(o.types[k]); why != "" {
			return defErr("model %s: include.ColumnType(%q, %q): %s; a column type is one type (VARCHAR(20), NUMERIC(10, 2), TEXT COLLATE \"C\")", m.name, k, o.types[k], why)
		}
		if m.ddl.types == nil {
			m.ddl.types = map[string]string{}
		}
		m.ddl.types[c] = o.types[k]
	}
	for _, u := range o.uniques {
		if len(u.Columns) == 0 {
			return defErr("model %s: include.Unique(%q) names no column", m.name, u.Name)
		}
		k := Key{Name: u.Name}
		for _, n := range u.Columns {
			c, ok := m.column(n)
			if !ok {
				return defErr("model %s: include.Unique names %q, which is not a column (columns: %s)", m.name, n, strings.Join(m.AttrNames(), ", "))
			}
			if slices.Contains(k.Columns, c) {
				return defErr("model %s: include.Unique(%q) names column %s twice", m.name, u.Name, c)
			}
			k.Columns = append(k.Columns, c)
		}
		if u.Name != "" && slices.ContainsFunc(m.ddl.uniques, func(x Key) bool { return x.Name == u.Name }) {
			return defErr("model %s: two include.Unique keys are named %q; give each its own name", m.name, u.Name)
		}
		if m.tenant != "" && !slices.Contains(k.Columns, m.tenant) {
			// unique within a tenant, as the primary key is (and the only unique key a
			// distributed table may have)
			k.Columns = append([]string{m.tenant}, k.Columns...)
		}
		m.ddl.uniques = append(m.ddl.uniques, k)
	}
	for _, k := range o.notNull {
		c, ok := m.column(k)
		if !ok {
			return defErr("model %s: include.NotNull names %q, which is not a column (columns: %s)", m.name, k, strings.Join(m.AttrNames(), ", "))
		}
		if m.ddl.notNull == nil {
			m.ddl.notNull = map[string]bool{}
		}
		m.ddl.notNull[c] = true
	}
	return nil
}

// nullable reports whether a struct field can hold NULL: a pointer, an interface, a slice or
// map, or a type with a Scan method (sql.NullString, ...).
func nullable(a Attr) bool {
	t := a.GoType
	if t == nil {
		return true
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return true
	}
	if _, ok := t.MethodByName("Scan"); ok {
		return true
	}
	if _, ok := reflect.PointerTo(t).MethodByName("Scan"); ok {
		return true
	}
	return false
}

// String names a constraint option set for messages.
func (c Constraint) String() string {
	if c.None {
		return "no constraint"
	}
	return fmt.Sprintf("ON DELETE %s ON UPDATE %s", orDefault(c.OnDelete), orDefault(c.OnUpdate))
}

func orDefault(r Rule) string {
	if r == "" {
		return "(default)"
	}
	return string(r)
}

// badType says why sqlType, written into CREATE TABLE as given, is not one column type: a
// statement separator or a comment (which would run or hide more SQL), or unbalanced
// parentheses or quotes; "" when it is fine.
func badType(sqlType string) string {
	switch {
	case strings.Contains(sqlType, ";"):
		return "it holds a ; (a second statement)"
	case strings.Contains(sqlType, "--"), strings.Contains(sqlType, "/*"), strings.Contains(sqlType, "*/"):
		return "it holds a comment"
	}
	depth := 0
	var quote rune
	for _, r := range sqlType {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"' || r == '`':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return "its parentheses do not balance"
			}
		}
	}
	switch {
	case quote != 0:
		return "a quote is not closed"
	case depth != 0:
		return "its parentheses do not balance"
	}
	return ""
}
