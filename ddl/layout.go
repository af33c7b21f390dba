// Package ddl derives the tables a schema needs from its models and associations: CREATE
// TABLE statements per dialect with primary keys, the foreign keys each association implies
// (Sequelize's default rules, include.OnDelete / OnUpdate / NoConstraint to change them), the
// join tables' unique keys and an index on every foreign-key column; and checks a live
// database against the schema (Check).
//
// The statements are plain and deterministic: the same schema gives the same text, usable as
// a migration file (Statements) or run directly (Create).
package ddl

import (
	"errors"
	"fmt"
	"hash/fnv"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// ErrSchema is matched (errors.Is) by every error of this package about a schema that cannot
// be written as tables.
var ErrSchema = errors.New("ddl: schema")

// ErrCycle is matched by the error for a cycle of foreign keys the dialect cannot create.
var ErrCycle = errors.New("ddl: cycle of foreign keys")

// origin says who declared a column, for messages in the user's terms.
type origin struct {
	model *include.Model       // the model whose attribute it is (nil for a join table's key)
	attr  include.Attr         // that attribute
	assoc *include.Association // the association whose key it is
	role  string               // "foreign key", "other key", "join-table column"
}

func (o origin) String() string {
	switch {
	case o.model != nil && o.assoc != nil:
		return fmt.Sprintf("%s, received through association %s", attrName(o.model, o.attr), assocName(o.assoc))
	case o.model != nil:
		return attrName(o.model, o.attr)
	case o.assoc != nil:
		return fmt.Sprintf("%s of association %s", o.role, assocName(o.assoc))
	}
	return "?"
}

func attrName(m *include.Model, a include.Attr) string {
	if t := m.Type(); t != nil && a.Index != nil {
		f := t.FieldByIndex(a.Index)
		return fmt.Sprintf("model %s, field %s.%s", m.Name(), t.Name(), f.Name)
	}
	return fmt.Sprintf("model %s, attribute %s", m.Name(), a.Name)
}

func assocName(a *include.Association) string {
	return fmt.Sprintf("%s.%s (%s)", a.Source.Name(), a.As, a.Kind)
}

type column struct {
	name    string
	kind    include.Type
	goType  reflect.Type
	typ     string // the include.ColumnType override, "" for none
	notNull bool
	auto    bool // a generated integer key
	origins []origin
}

type foreignKey struct {
	name               string
	cols               []string
	refTable           string
	refCols            []string
	onDelete, onUpdate include.Rule
	explicit           bool                   // rules given by the first association
	assocs             []*include.Association // every association that implies it
	deferred           bool                   // added with ALTER TABLE after the tables
}

type key struct {
	name string
	cols []string
}

type table struct {
	name    string
	models  []*include.Model       // the models stored in it (none for a join table by name)
	joins   []*include.Association // BelongsToMany associations through it
	cols    []*column
	byName  map[string]*column
	pk      []string
	uniques []key
	fks     []*foreignKey
	indexes []key
	keyCols map[string]bool // columns in a key, unique constraint or index
}

func (t *table) col(name string) *column { return t.byName[name] }

func (t *table) addCol(c *column) *column {
	if old := t.byName[c.name]; old != nil {
		old.origins = append(old.origins, c.origins...)
		old.notNull = old.notNull || c.notNull
		return old
	}
	t.cols = append(t.cols, c)
	t.byName[c.name] = c
	return c
}

// owner names what the table is for, in messages.
func (t *table) owner() string {
	if len(t.models) > 0 {
		return "model " + t.models[0].Name()
	}
	if len(t.joins) > 0 {
		return "join table of association " + assocName(t.joins[0])
	}
	return "table " + t.name
}

// layout is the set of tables a schema needs, in creation order.
type layout struct {
	tables  []*table
	byName  map[string]*table
	d       dialects.Dialect
	tenant  string   // the schema's tenant column (include.Tenant)
	created []*table // in dependency order
	// named maps each derived index or constraint name to what it names, so that two
	// different things whose names come out alike get distinct ones (derived)
	named map[string]string
}

func newLayout(s *include.Schema, d dialects.Dialect) (*layout, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil schema", ErrSchema)
	}
	if d == nil {
		return nil, fmt.Errorf("%w: nil dialect", ErrSchema)
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("%w: the schema has a registration error: %w", ErrSchema, err)
	}
	l := &layout{byName: map[string]*table{}, d: d, tenant: s.Tenant()}
	var models []*include.Model
	for _, n := range s.ModelNames() {
		models = append(models, s.Model(n))
	}
	for _, m := range models {
		t := l.table(m.Table())
		t.models = append(t.models, m)
		for _, a := range m.Attrs() {
			t.addCol(&column{name: a.Column, kind: a.Type, goType: a.GoType, typ: m.ColumnType(a.Column), notNull: m.NotNull(a.Column),
				origins: []origin{{model: m, attr: a}}})
		}
		if t.pk == nil {
			t.pk = m.PrimaryKey()
		}
		for _, u := range m.Uniques() {
			name := u.Name
			if name == "" {
				name = l.derived(t.name, u.Columns, "_key")
			}
			if !t.hasUnique(u.Columns) {
				t.uniques = append(t.uniques, key{name: name, cols: u.Columns})
			}
		}
	}
	for _, m := range models {
		for _, a := range m.Associations() {
			if err := l.associate(a); err != nil {
				return nil, err
			}
		}
	}
	for _, t := range l.tables {
		t.keyCols = map[string]bool{}
		for _, c := range t.pk {
			t.keyCols[c] = true
		}
		for _, k := range append(append([]key(nil), t.uniques...), t.indexes...) {
			for _, c := range k.cols {
				t.keyCols[c] = true
			}
		}
		if len(t.pk) == 1 {
			if c := t.col(t.pk[0]); c != nil && c.kind == include.Int && (c.typ == "" || isIntegerType(c.typ)) && !t.isFK(c.name) {
				c.auto = true
			}
		}
		for _, c := range t.cols {
			if isPK(t, c.name) {
				c.notNull = true
			}
		}
	}
	if err := l.order(); err != nil {
		return nil, err
	}
	if d.Features().DDL.ForeignKeysLast {
		for _, t := range l.tables {
			for _, fk := range t.fks {
				fk.deferred = true
			}
		}
	}
	return l, nil
}

func isPK(t *table, col string) bool {
	for _, k := range t.pk {
		if k == col {
			return true
		}
	}
	return false
}

func (t *table) isFK(col string) bool {
	for _, fk := range t.fks {
		for _, c := range fk.cols {
			if c == col {
				return true
			}
		}
	}
	return false
}

func (l *layout) table(name string) *table {
	if t := l.byName[name]; t != nil {
		return t
	}
	t := &table{name: name, byName: map[string]*column{}}
	l.tables = append(l.tables, t)
	l.byName[name] = t
	return t
}

// associate adds what association a implies: its foreign key(s) with their rules, the join
// table of a BelongsToMany with its key, and the indexes.
func (l *layout) associate(a *include.Association) error {
	c := a.Constraint()
	switch a.Kind {
	case include.BelongsTo:
		t := l.byName[a.Source.Table()]
		return l.reference(t, a, a.ForeignKeys, a.Target, a.TargetKeys, c, c.Polymorphic != "", "foreign key")
	case include.HasOne, include.HasMany:
		t := l.byName[a.Target.Table()]
		return l.reference(t, a, a.ForeignKeys, a.Source, a.SourceKeys, c, c.Polymorphic != "", "foreign key")
	case include.BelongsToMany:
		t := l.table(a.ThroughTable)
		t.joins = append(t.joins, a)
		if a.Through == nil {
			// a join table declared by name: its key columns, typed like the keys they refer
			// to, and the join-table columns the target receives
			keyCols := func(cols []string, m *include.Model, refs []string, role string) {
				for i, c := range cols {
					ref, _ := attrOf(m, refs[i])
					t.addCol(&column{name: c, kind: ref.Type, goType: ref.GoType, typ: m.ColumnType(refs[i]), notNull: true,
						origins: []origin{{assoc: a, role: role}}})
				}
			}
			keyCols(a.ForeignKeys, a.Source, a.SourceKeys, "foreign key")
			keyCols(a.OtherKeys, a.Target, a.TargetKeys, "other key")
			for _, th := range a.Target.ThroughAttrs() {
				t.addCol(&column{name: th.Column, kind: th.Type, goType: th.GoType, origins: []origin{{model: a.Target, attr: th, assoc: a}}})
			}
			for _, col := range a.ThroughColumns() {
				if t.col(col) == nil {
					t.addCol(&column{name: col, kind: include.Any, origins: []origin{{assoc: a, role: "join-table column"}}})
				}
			}
			if t.pk == nil {
				t.pk = pairCols(a)
				if c.Polymorphic != "" {
					// a post and a video with one id may both have a tag
					t.pk = append(t.pk, c.Polymorphic)
					if col := t.col(c.Polymorphic); col != nil {
						col.notNull = true
					}
				}
			}
		}
		if a.Unique && !sameSet(t.pk, pairCols(a)) {
			cols := pairCols(a)
			if c.Polymorphic != "" {
				cols = append(cols, c.Polymorphic)
			}
			name := c.UniqueKey
			if name == "" {
				name = l.derived(t.name, cols, "_key")
			}
			if !t.hasUnique(cols) {
				t.uniques = append(t.uniques, key{name: name, cols: cols})
			}
		}
		if c.NotNull {
			for _, k := range pairCols(a) {
				if col := t.col(k); col != nil {
					col.notNull = true
				}
			}
		}
		rules := c
		if rules.OnDelete == "" {
			rules.OnDelete = include.Cascade
		}
		if rules.OnUpdate == "" {
			rules.OnUpdate = include.Cascade
		}
		explicit := c.OnDelete != "" || c.OnUpdate != ""
		if err := l.referenceRules(t, a, a.ForeignKeys, a.Source, a.SourceKeys, rules, explicit, c.None || c.Polymorphic != "", "foreign key"); err != nil {
			return err
		}
		return l.referenceRules(t, a, a.OtherKeys, a.Target, a.TargetKeys, rules, explicit, c.None, "other key")
	}
	return nil
}

// reference adds the foreign key of a BelongsTo, HasOne or HasMany with its kind's default
// rules (Sequelize's: SET NULL / CASCADE; a NOT NULL key CASCADE for HasOne and HasMany, NO
// ACTION for BelongsTo).
func (l *layout) reference(t *table, a *include.Association, cols []string, ref *include.Model, refCols []string, c include.Constraint, skip bool, role string) error {
	notNull := c.NotNull
	tenantKey := false // the key carries the schema's tenant column, which is never NULL
	for i, col := range cols {
		fkCol := t.col(col)
		if l.tenant != "" && col == l.tenant && len(cols) > 1 && refCols[i] == l.tenant {
			tenantKey = true
			continue // NOT NULL always: whether the key is, its other columns say
		}
		if fkCol != nil && fkCol.notNull {
			notNull = true
		}
		if c.NotNull && fkCol != nil {
			fkCol.notNull = true
		}
	}
	if tenantKey && (c.OnDelete == include.SetNull || c.OnDelete == include.SetDefault || c.OnUpdate == include.SetNull || c.OnUpdate == include.SetDefault) {
		return fmt.Errorf("%w: association %s: SET NULL / SET DEFAULT on a key of the tenant column %s would write the tenant column too; use include.NoAction, include.Restrict or include.Cascade",
			ErrSchema, assocName(a), l.tenant)
	}
	rules := c
	if rules.OnDelete == "" {
		switch {
		case !notNull && tenantKey:
			// SET NULL would null the tenant column with it: the parent's delete waits
			// until its children are unlinked
			rules.OnDelete = include.NoAction
		case !notNull:
			rules.OnDelete = include.SetNull
		case a.Kind == include.BelongsTo:
			rules.OnDelete = include.NoAction
		default:
			rules.OnDelete = include.Cascade
		}
	}
	if rules.OnUpdate == "" {
		rules.OnUpdate = include.Cascade
	}
	return l.referenceRules(t, a, cols, ref, refCols, rules, c.OnDelete != "" || c.OnUpdate != "", c.None || skip, role)
}

func (l *layout) referenceRules(t *table, a *include.Association, cols []string, ref *include.Model, refCols []string, rules include.Constraint, explicit, none bool, role string) error {
	if !none && l.d.Features().DDL.DistributionKeyRules && l.tenant != "" && slices.Contains(cols, l.tenant) {
		// a distributed database keeps rows on the shard of their tenant: a foreign key that
		// includes the tenant column cannot change it (ON UPDATE) or null it (ON DELETE)
		c := a.Constraint()
		if c.OnUpdate != "" && c.OnUpdate != include.NoAction && c.OnUpdate != include.Restrict {
			return fmt.Errorf("%w: association %s: ON UPDATE %s on foreign key %s(%s) is not possible where the tenant column %s is the distribution column: pass include.OnUpdate(include.NoAction)",
				ErrSchema, assocName(a), c.OnUpdate, t.name, strings.Join(cols, ", "), l.tenant)
		}
		if c.OnDelete == include.SetNull || c.OnDelete == include.SetDefault {
			return fmt.Errorf("%w: association %s: ON DELETE %s on foreign key %s(%s) would change the tenant column %s, the distribution column: pass include.OnDelete with Cascade, Restrict or NoAction",
				ErrSchema, assocName(a), c.OnDelete, t.name, strings.Join(cols, ", "), l.tenant)
		}
		rules.OnUpdate = include.NoAction
		if rules.OnDelete == include.SetNull || rules.OnDelete == include.SetDefault {
			rules.OnDelete = include.NoAction
		}
	}
	for _, col := range cols {
		c := t.col(col)
		if c == nil {
			return fmt.Errorf("%w: association %s: %s %q is not a column of table %s", ErrSchema, assocName(a), role, col, t.name)
		}
		known := false
		for _, o := range c.origins {
			known = known || o.assoc == a && o.model == nil
		}
		if !known {
			c.origins = append(c.origins, origin{assoc: a, role: role})
		}
	}
	if !t.hasIndex(cols) {
		t.indexes = append(t.indexes, key{name: l.derived(t.name, cols, "_idx"), cols: cols})
	}
	if none {
		return nil
	}
	rt := l.byName[ref.Table()]
	refRole := "source key"
	if a.Kind == include.BelongsTo || role == "other key" {
		refRole = "target key"
	}
	for _, refCol := range refCols {
		if rc := rt.col(refCol); rc != nil {
			rc.origins = append(rc.origins, origin{assoc: a, role: refRole})
		}
	}
	if !sameSet(rt.pk, refCols) && !rt.hasUnique(refCols) {
		// a foreign key needs a unique key to refer to
		rt.uniques = append(rt.uniques, key{name: l.derived(rt.name, refCols, "_key"), cols: refCols})
	}
	for _, fk := range t.fks {
		if sameList(fk.cols, cols) && fk.refTable == rt.name && sameList(fk.refCols, refCols) {
			if explicit && fk.explicit && (fk.onDelete != rules.OnDelete || fk.onUpdate != rules.OnUpdate) {
				return fmt.Errorf("%w: associations %s and %s declare the same foreign key %s(%s) with different rules (%s; %s): give the rules on one of them",
					ErrSchema, assocName(fk.assocs[0]), assocName(a), t.name, strings.Join(cols, ", "), rulesText(fk.onDelete, fk.onUpdate), rulesText(rules.OnDelete, rules.OnUpdate))
			}
			if explicit && !fk.explicit {
				fk.onDelete, fk.onUpdate, fk.explicit = rules.OnDelete, rules.OnUpdate, true
			}
			fk.assocs = append(fk.assocs, a)
			return nil
		}
	}
	t.fks = append(t.fks, &foreignKey{name: l.derived(t.name, cols, "_fkey"), cols: cols, refTable: rt.name, refCols: refCols,
		onDelete: rules.OnDelete, onUpdate: rules.OnUpdate, explicit: explicit, assocs: []*include.Association{a}})
	return nil
}

// pairCols are the key columns of a BelongsToMany's join table: its foreign and other keys,
// a column shared by both (the tenant column) once.
func pairCols(a *include.Association) []string {
	out := append([]string(nil), a.ForeignKeys...)
	for _, c := range a.OtherKeys {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func rulesText(del, upd include.Rule) string {
	return fmt.Sprintf("ON DELETE %s ON UPDATE %s", del, upd)
}

func (t *table) hasUnique(cols []string) bool {
	if sameSet(t.pk, cols) {
		return true
	}
	for _, u := range t.uniques {
		if sameSet(u.cols, cols) {
			return true
		}
	}
	return false
}

// hasIndex reports whether an index (the primary key, a unique key or an index) starts with
// cols, so that lookups by them need no index of their own.
func (t *table) hasIndex(cols []string) bool {
	return leads(append(append([][]string{t.pk}, keyCols(t.uniques)...), keyCols(t.indexes)...), cols)
}

func keyCols(ks []key) [][]string {
	out := make([][]string, len(ks))
	for i, k := range ks {
		out[i] = k.cols
	}
	return out
}

func attrOf(m *include.Model, col string) (include.Attr, bool) {
	for _, a := range m.Attrs() {
		if a.Column == col {
			return a, true
		}
	}
	return include.Attr{}, false
}

func sameList(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	return sameList(x, y)
}

// ident shortens a derived name to the dialect's identifier limit, deterministically: the
// head of the name and a hash of the whole.
func (l *layout) ident(name string) string {
	max := l.d.MaxIdentifierLength()
	if max <= 0 || len(name) <= max {
		return name
	}
	return shorten(name, max-9) + "_" + hash8(name)
}

// derived names the index or constraint of table's cols with suffix (_idx, _key, _fkey):
// table_col1_col2_suffix as Sequelize and PostgreSQL name them, shortened to the dialect's
// limit; when another table and columns gave the same name (user.post_author_id and
// user_post.author_id), a hash of what it names is added to this one.
func (l *layout) derived(table string, cols []string, suffix string) string {
	what := table + "\x00" + strings.Join(cols, "\x00") + "\x00" + suffix
	name := l.ident(table + "_" + strings.Join(cols, "_") + suffix)
	if l.named == nil {
		l.named = map[string]string{}
	}
	if prev, ok := l.named[name]; ok && prev != what {
		name = l.ident(table + "_" + strings.Join(cols, "_") + suffix + "_" + hash8(what))
	}
	l.named[name] = what
	return name
}

// shorten cuts s to at most n bytes, at the start of a character.
func shorten(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func hash8(s string) string {
	h := fnv.New32a()
	h.Write([]byte(s))
	return fmt.Sprintf("%08x", h.Sum32())
}

// order puts the tables in dependency order (a table after the tables it refers to, in the
// order of the models' names otherwise). A cycle is closed with ALTER TABLE after the tables
// where the dialect allows it, left as forward references where the dialect accepts them,
// and is an error otherwise.
func (l *layout) order() error {
	f := l.d.Features().DDL
	done := map[string]bool{}
	for len(l.created) < len(l.tables) {
		progress := false
		for _, t := range l.tables {
			if done[t.name] || !l.ready(t, done) {
				continue
			}
			done[t.name] = true
			l.created = append(l.created, t)
			progress = true
			break
		}
		if progress {
			continue
		}
		// a cycle: every remaining table waits for another
		var t *table
		for _, x := range l.tables {
			if !done[x.name] {
				t = x
				break
			}
		}
		switch {
		case f.ForwardForeignKeys:
		case f.AlterAddForeignKey:
			for _, fk := range t.fks {
				if fk.refTable != t.name && !done[fk.refTable] {
					fk.deferred = true
				}
			}
		default:
			return l.cycleError(t, done)
		}
		done[t.name] = true
		l.created = append(l.created, t)
	}
	return nil
}

func (l *layout) ready(t *table, done map[string]bool) bool {
	for _, fk := range t.fks {
		if fk.refTable != t.name && !done[fk.refTable] && !fk.deferred {
			return false
		}
	}
	return true
}

// cycleError names a cycle through t and the associations whose constraints form it.
func (l *layout) cycleError(start *table, done map[string]bool) error {
	// walk the first pending reference from each table until a table repeats
	path := []*table{start}
	var via []*foreignKey
	seen := map[string]int{start.name: 0}
	for t := start; ; {
		var next *foreignKey
		for _, fk := range t.fks {
			if fk.refTable != t.name && !done[fk.refTable] {
				next = fk
				break
			}
		}
		if next == nil {
			break
		}
		via = append(via, next)
		t = l.byName[next.refTable]
		if i, ok := seen[t.name]; ok {
			path = append(path[i:], t)
			via = via[i:]
			break
		}
		seen[t.name] = len(path)
		path = append(path, t)
	}
	var names, marks []string
	for _, t := range path {
		names = append(names, t.name)
	}
	for _, fk := range via {
		var as []string
		for _, a := range fk.assocs {
			as = append(as, assocName(a))
		}
		marks = append(marks, fmt.Sprintf("%s(%s) from %s", fk.name, strings.Join(fk.cols, ", "), strings.Join(as, " and ")))
	}
	return fmt.Errorf("%w: tables %s refer to each other and %s can neither add a foreign key after creating a table nor refer to a table not yet created: pass include.NoConstraint() to the association(s) of one of these constraints: %s",
		ErrCycle, strings.Join(names, " -> "), l.d.Name(), strings.Join(marks, "; "))
}

func isIntegerType(t string) bool {
	switch strings.ToLower(t) {
	case "integer", "bigint", "smallint", "int":
		return true
	}
	return false
}
