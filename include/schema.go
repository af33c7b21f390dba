// Package include holds the association graph (Schema, Model, Association), validated when it
// is registered, and the include tree (Node) that says what to load with a query.
//
// A Schema is built once at start-up and then only read: register every model and association
// before the first query. Registration methods return an error that says what to change; the
// Schema also keeps the first such error (Err), and queries compiled against a schema with a
// registration error return it.
//
// # Columns of struct models
//
// A struct model's columns are its scalar fields, as sqlx maps them: the db tag names the
// column, `db:"-"` skips the field, embedded structs are flattened, and a field without a tag
// maps to its lower-cased Go name (UserID -> userid). A schema's column mapper changes the last
// rule, as sqlx's db.Mapper does, so that structs shared with other code or generated need no
// tags:
//
//	s := include.NewSchema(include.WithColumnNames(include.SnakeCase)) // UserID -> user_id
//	s := include.NewSchema(include.WithColumnNames(include.ColumnFunc(strings.ToUpper)))
//
// A db tag always wins over the mapper. The mapper belongs to the schema, not the type: two
// schemas with different mappers can register the same struct type. Default foreign keys are
// derived as before (WithNaming: user_id) and must name a column under the mapper.
//
// A field keeps its sqlx name (the db tag, else the lower-cased Go name) as its attribute
// name (Attr.Name), the key by which the hydrator finds it; the mapper decides only its
// column (Attr.Column). Filters, orders and options take either.
//
// # Join-table columns on a struct
//
// The target of a BelongsToMany receives join-table columns in fields tagged `joinery`:
//
//	AddedBy int64     `joinery:"through:added_by"` // the join-table column added_by
//	AddedBy int64     `joinery:"through"`          // the column the mapper gives AddedBy (addedby without one)
//	Link    UserGroup `joinery:"through"`          // a struct: its column fields, named like a model's
//
// The bare form reads like an untagged field: the schema's mapper names the column, as for
// the model's own columns, and the tagged form like a db tag. Model.ThroughAttrs lists them.
package include

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/internal/meta"
	"github.com/joinery/joinery/scope"
)

// ErrDefinition is matched (errors.Is) by every registration error.
var ErrDefinition = errors.New("include: bad definition")

func defErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrDefinition}, args...)...)
}

// Type is the value type of a run-time model's attribute; it chooses how the column is
// scanned. It is the hydrator's column kind: one enum for both.
type Type = hydrate.Kind

// Attribute types of run-time models (the hydrator's kinds).
const (
	Any    = hydrate.Any    // what the driver returns; bytes become a string
	Int    = hydrate.Int    // int64
	Float  = hydrate.Float  // float64
	String = hydrate.String // string
	Bool   = hydrate.Bool   // bool
	Time   = hydrate.Time   // time.Time
	Bytes  = hydrate.Bytes  // []byte
)

// Attr is one attribute of a model: the name it has in Go (a map key, or a struct field's db
// name) and the column that stores it.
//
// A struct field's Name is its sqlx name, the db tag or else the lower-cased Go name, whatever
// the schema's column mapper: it is the key by which the field is found (hydrate.Col.Field).
// Column is the tag too, or else what the mapper makes of the Go name; without a mapper
// Column equals Name.
type Attr struct {
	Name   string
	Column string // defaults to Name
	Type   Type
	// GoType is the Go type of a struct model's field (nil for run-time models), and Index
	// its index path in the struct (reflect.Value.FieldByIndex).
	GoType reflect.Type
	Index  []int
	// Hidden marks the schema's tenant column on a model that has no field or attribute for
	// it (Tenant): keys, filters and DDL use it; it is never loaded into a value or written
	// from one.
	Hidden bool
}

// Model is a registered model: a struct type with db tags, or a run-time model that
// hydrates into map[string]any.
type Model struct {
	name    string
	table   string
	pk      []string // columns
	goType  reflect.Type
	st      *meta.Struct
	attrs   []Attr
	byAttr  map[string]int
	byCol   map[string]int
	assocs  []*Association
	byAlias map[string]*Association
	scope   scope.Scope
	through []Attr
	// computed: the fields tagged joinery:"computed" (ComputedAttrs)
	computed []Attr
	columns  ColumnMapper // the schema's mapper when the struct model was registered
	ddl      modelDDL     // DDL options (ddl_options.go)
	// tenant is the schema's tenant column when the model carries it (Tenant), else ""
	tenant string
}

// Tenant is the schema's tenant column when the model carries it (include.Tenant), else "".
func (m *Model) Tenant() string { return m.tenant }

// Name is the model's name ("User").
func (m *Model) Name() string { return m.name }

// Table is the model's table.
func (m *Model) Table() string { return m.table }

// PrimaryKey lists the primary-key columns.
func (m *Model) PrimaryKey() []string { return append([]string(nil), m.pk...) }

// Type is the struct type of a struct model; nil for a run-time model.
func (m *Model) Type() reflect.Type { return m.goType }

// Attrs lists the model's attributes in declaration order.
func (m *Model) Attrs() []Attr { return m.attrs }

// DefaultScope is the scope applied wherever the model appears.
func (m *Model) DefaultScope() scope.Scope { return m.scope }

// Attr finds an attribute by attribute name, then by column name.
func (m *Model) Attr(name string) (Attr, bool) {
	if i, ok := m.byAttr[name]; ok {
		return m.attrs[i], true
	}
	if i, ok := m.byCol[name]; ok {
		return m.attrs[i], true
	}
	return Attr{}, false
}

// AttrNames lists the names to refer to the attributes by, for error messages: a run-time
// model's attribute names, a struct model's columns.
func (m *Model) AttrNames() []string {
	out := make([]string, len(m.attrs))
	for i, a := range m.attrs {
		out[i] = a.Name
		if m.goType != nil {
			out[i] = a.Column
		}
	}
	return out
}

// ThroughAttrs lists the join-table columns a struct model receives when it is the target of a
// BelongsToMany, from its `joinery:"through"` fields: Column is the join-table column, Name
// the key a hydrate.Col with Through set takes to land on the field (the tag's column, the
// sqlx name of a bare through field, or the sqlx name of a field of a through struct), GoType
// and Index the field (Index may step through the pointer of a `*Struct` through field).
// Nil for a run-time model.
func (m *Model) ThroughAttrs() []Attr { return m.through }

// ComputedAttrs lists the fields of a struct model that receive computed values (tagged
// `joinery:"computed"` or `joinery:"computed:<name>"`): Name is the name a query computes
// the value under (include.Count(..).As(name)). Nil for a run-time model, whose maps take
// any name.
func (m *Model) ComputedAttrs() []Attr { return m.computed }

// ComputedAttr returns the field receiving the computed value name (ComputedAttrs).
func (m *Model) ComputedAttr(name string) (Attr, bool) {
	for _, a := range m.computed {
		if a.Name == name {
			return a, true
		}
	}
	return Attr{}, false
}

// column resolves an attribute or column name to the column.
func (m *Model) column(name string) (string, bool) {
	a, ok := m.Attr(name)
	return a.Column, ok
}

// Associations lists the model's associations in registration order.
func (m *Model) Associations() []*Association { return m.assocs }

// Association finds an association by alias: exactly, else case-insensitively.
func (m *Model) Association(alias string) *Association {
	if a, ok := m.byAlias[alias]; ok {
		return a
	}
	for _, a := range m.assocs {
		if strings.EqualFold(a.As, alias) {
			return a
		}
	}
	return nil
}

// AssociationNames lists the aliases, sorted, for error messages.
func (m *Model) AssociationNames() []string {
	out := make([]string, 0, len(m.assocs))
	for _, a := range m.assocs {
		out = append(out, a.As)
	}
	sort.Strings(out)
	return out
}

// Schema is a set of models and their associations.
type Schema struct {
	naming  Naming
	columns ColumnMapper
	tenant  string          // Tenant
	shared  map[string]bool // Tenant: the models without the tenant column
	mu      sync.RWMutex
	models  map[string]*Model
	byType  map[reflect.Type]*Model
	names   []string
	err     error
	gen     atomic.Uint64 // Generation
	// link columns recorded without an index (SetIndexed), by indexKey
	unindexed map[string]bool
}

// Generation changes whenever a model or an association is registered: a plan compiled
// for one generation (builder.Compile's cache) is not served for another.
func (s *Schema) Generation() uint64 { return s.gen.Load() }

// SchemaOption configures a Schema.
type SchemaOption func(*Schema)

// WithNaming sets the convention for derived key names (SnakeCase by default).
func WithNaming(n Naming) SchemaOption { return func(s *Schema) { s.naming = n } }

// WithColumnNames sets the column mapper: the column of a struct field without a db tag is
// m.ColumnName(its Go name) instead of its lower-cased Go name. SnakeCase maps UserID to
// user_id; any function does as ColumnFunc(f). A db tag always wins; nil restores the default.
// It applies to struct models registered after it, and to their through fields.
func WithColumnNames(m ColumnMapper) SchemaOption {
	if f, ok := m.(ColumnFunc); ok && f == nil {
		m = nil
	}
	return func(s *Schema) { s.columns = m }
}

// Tenant declares a multi-tenant schema, the layout a distributed PostgreSQL (Citus) shards
// by: every model carries column (tenant_id) except the shared models named (reference
// tables, by model name). A model that has no attribute for the column gets a hidden one
// (Attr.Hidden: keys, filters and DDL use it; values never hold it). The tenant column
// leads each model's primary key, and every association between two models that carry it
// pairs it with itself in front of its keys, so that every join and every key a statement
// compares carries it: ForeignKey("user_id") on Post -> User becomes (tenant_id, user_id) ->
// (tenant_id, id). A join table declared by name carries it when the source or target does.
func Tenant(column string, shared ...string) SchemaOption {
	return func(s *Schema) {
		s.tenant, s.shared = column, map[string]bool{}
		for _, m := range shared {
			s.shared[m] = true
		}
	}
}

// Tenant is the schema's tenant column (include.Tenant), or "".
func (s *Schema) Tenant() string { return s.tenant }

// NewSchema returns an empty schema.
func NewSchema(opts ...SchemaOption) *Schema {
	s := &Schema{models: map[string]*Model{}, byType: map[reflect.Type]*Model{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Naming is the schema's key naming convention.
func (s *Schema) Naming() Naming { return s.naming }

// SetIndexed records whether an index of table starts with the columns cols (in order): the
// columns an association's rows are found by (a foreign key, or a join table's column
// toward the source). Without a record a link is taken to be indexed, as the tables
// ddl.Statements creates are. ddl.Learn records every link of the schema from the
// database's catalog.
//
// It chooses how an include's statement matches its parent's keys on PostgreSQL. Over an
// index, `fk = ANY($1)` with the keys as one array probes the index once per key. Without
// one, that comparison runs against every row for every key (a cached statement's generic
// plan cannot hash an array parameter), so an unindexed link is matched by a semi-join on
// the keys, `fk IN (SELECT unnest(..))`, which the planner hashes: measured in bench/
// (cmd/seqcases) on the schema Sequelize creates, which indexes no foreign key. A change
// counts as a registration (Generation): a query value compiled before keeps its statements,
// so record it before building queries.
func (s *Schema) SetIndexed(table string, cols []string, indexed bool) {
	if len(cols) == 0 {
		return
	}
	k := indexKey(table, cols)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unindexed[k] == !indexed {
		return
	}
	if indexed {
		delete(s.unindexed, k)
	} else {
		if s.unindexed == nil {
			s.unindexed = map[string]bool{}
		}
		s.unindexed[k] = true
	}
	s.gen.Add(1)
}

// Indexed reports whether the link columns cols of table have an index (SetIndexed): true
// unless recorded otherwise.
func (s *Schema) Indexed(table string, cols []string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.unindexed) == 0 || !s.unindexed[indexKey(table, cols)]
}

func indexKey(table string, cols []string) string {
	return table + "\x00" + strings.Join(cols, "\x00")
}

// ColumnNames is the schema's column mapper, nil for sqlx's lower-cased Go names.
func (s *Schema) ColumnNames() ColumnMapper { return s.columns }

// Err returns the first registration error, or nil.
func (s *Schema) Err() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.err
}

func (s *Schema) fail(err error) error {
	if s.err == nil {
		s.err = err
	}
	return err
}

// Model returns the model called name, or nil.
func (s *Schema) Model(name string) *Model {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.models[name]
}

// ModelOf returns the struct model registered for type t (or *t), or nil.
func (s *Schema) ModelOf(t reflect.Type) *Model {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byType[t]
}

// ModelNames lists the registered model names, sorted.
func (s *Schema) ModelNames() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := append([]string(nil), s.names...)
	sort.Strings(out)
	return out
}

// ModelOption configures a model at registration.
type ModelOption func(*modelOpts)

type modelOpts struct {
	name  string
	pk    []string
	scope scope.Scope
	// DDL options (ddl_options.go)
	types   map[string]string
	notNull []string
	uniques []Key
}

// PrimaryKey names the primary-key attributes or columns (several for a composite key).
// Without it, a model with an "id" column uses that.
func PrimaryKey(cols ...string) ModelOption { return func(o *modelOpts) { o.pk = cols } }

// Name sets the model's name; a struct model defaults to its type's name.
func Name(name string) ModelOption { return func(o *modelOpts) { o.name = name } }

// DefaultScope attaches a scope that applies wherever the model appears: in WHERE as the
// root, in the JOIN's ON clause as an include (soft delete: scope.Eq("deleted_at", nil)).
func DefaultScope(sc scope.Scope) ModelOption { return func(o *modelOpts) { o.scope = sc } }

// Define registers the struct type of v (User{} or (*User)(nil)) as a model stored in table.
// Its columns are the struct's fields as sqlx maps them (the db tag), with the schema's
// column mapper naming untagged fields (WithColumnNames).
func (s *Schema) Define(v any, table string, opts ...ModelOption) (*Model, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen.Add(1)
	t := reflect.TypeOf(v)
	if t == nil {
		return nil, s.fail(defErr("Define: pass a struct value such as User{}"))
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	o := modelOpts{name: t.Name()}
	for _, f := range opts {
		f(&o)
	}
	st, err := meta.Of(t)
	if err != nil {
		return nil, s.fail(defErr("model %s: %v", o.name, err))
	}
	if _, dup := s.byType[t]; dup {
		return nil, s.fail(defErr("model %s: type %s is already registered; register each struct type once", o.name, t))
	}
	m := &Model{name: o.name, table: table, goType: t, st: st, columns: s.columns}
	if m.attrs, err = s.columnAttrs(st, nil, o.name); err != nil {
		return nil, s.fail(err)
	}
	if m.through, err = s.throughAttrs(st, o.name); err != nil {
		return nil, s.fail(err)
	}
	for _, f := range st.Computed {
		if !meta.IsScalar(f.Type) {
			return nil, s.fail(defErr("model %s: field %s is tagged joinery:%q and is a %s: a computed value lands on a scalar field (a number, string, bool, time or their pointers)", o.name, f.GoName, f.Tag, f.Type))
		}
		m.computed = append(m.computed, Attr{Name: f.Name, Column: f.Name, Type: hydrate.KindOf(f.Type), GoType: f.Type, Index: f.Index})
	}
	if err := s.finishModel(m, o); err != nil {
		return nil, err
	}
	s.byType[t] = m
	return m, nil
}

// columnName is the column of field f under the schema's column mapper: its name when it is
// tagged or there is no mapper. A mapper that panics or names no column is an error.
func (s *Schema) columnName(f *meta.Field, owner string) (col string, err error) {
	if f.Tagged || s.columns == nil {
		return f.Name, nil
	}
	defer func() {
		if r := recover(); r != nil {
			col, err = "", defErr("model %s: the column mapper panicked on field %s: %v; fix the mapper or tag the field `db:\"column\"`", owner, f.GoName, r)
		}
	}()
	col = s.columns.ColumnName(f.GoName)
	if col == "" {
		return "", defErr("model %s: the column mapper gave field %s no column name; tag it `db:\"column\"` (or `db:\"-\"` to skip it)", owner, f.GoName)
	}
	return col, nil
}

// columnAttrs are the attributes of st's column fields, with columns from the mapper; index
// prefixes each field's index (a through struct's fields). Two fields that share an sqlx
// name are one key for the hydrator, so if the mapper would give them different columns
// that is an error.
func (s *Schema) columnAttrs(st *meta.Struct, index []int, owner string) ([]Attr, error) {
	out := make([]Attr, 0, len(st.Columns))
	for _, f := range st.Columns {
		col, err := s.columnName(f, owner)
		if err != nil {
			return nil, err
		}
		idx := f.Index
		if index != nil {
			idx = append(append([]int(nil), index...), f.Index...)
		}
		out = append(out, Attr{Name: f.Name, Column: col, Type: typeOf(f.Type), GoType: f.Type, Index: idx})
	}
	for _, sh := range st.Shadowed {
		won := st.Column(sh.Name)
		c1, err := s.columnName(won, owner)
		if err != nil {
			return nil, err
		}
		c2, err := s.columnName(sh, owner)
		if err != nil {
			return nil, err
		}
		if c1 == c2 {
			continue // the same column: the shallower field takes it, as in sqlx
		}
		var fix []string
		for _, f := range []*meta.Field{won, sh} {
			if !f.Tagged {
				c, _ := s.columnName(f, owner)
				fix = append(fix, fmt.Sprintf("`db:%q` on %s", c, f.GoName))
			}
		}
		return nil, defErr("model %s: fields %s and %s share the db name %q, so only %s can be loaded by it, yet the column mapper gives them columns %s and %s: tag them (%s)",
			owner, won.GoName, sh.GoName, sh.Name, won.GoName, c1, c2, strings.Join(fix, ", "))
	}
	return out, nil
}

// throughAttrs are the join-table columns st's `joinery:"through"` fields receive.
func (s *Schema) throughAttrs(st *meta.Struct, owner string) ([]Attr, error) {
	var out []Attr
	for _, f := range st.Through {
		if f.Name != "" {
			col, err := s.columnName(f, owner)
			if err != nil {
				return nil, err
			}
			out = append(out, Attr{Name: f.Name, Column: col, Type: typeOf(f.Type), GoType: f.Type, Index: f.Index})
			continue
		}
		inner, err := meta.Of(f.Type)
		if err != nil {
			return nil, defErr("model %s: field %s is tagged `joinery:\"through\"`: %v; tag a scalar field, or a struct of column fields", owner, f.GoName, err)
		}
		attrs, err := s.columnAttrs(inner, f.Index, owner+"."+f.GoName)
		if err != nil {
			return nil, err
		}
		out = append(out, attrs...)
	}
	return out, nil
}

func typeOf(t reflect.Type) Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Int
	case reflect.String:
		return String
	case reflect.Bool:
		return Bool
	case reflect.Float32, reflect.Float64:
		return Float
	}
	return Any
}

// DefineMap registers a run-time model: rows of table hydrate into map[string]any keyed by
// attribute name.
func (s *Schema) DefineMap(name, table string, attrs []Attr, opts ...ModelOption) (*Model, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen.Add(1)
	o := modelOpts{name: name}
	for _, f := range opts {
		f(&o)
	}
	if o.name == "" {
		return nil, s.fail(defErr("DefineMap: the model needs a name"))
	}
	m := &Model{name: o.name, table: table}
	for _, a := range attrs {
		if a.Name == "" {
			return nil, s.fail(defErr("model %s: an attribute has no name", o.name))
		}
		if a.Column == "" {
			a.Column = a.Name
		}
		a.GoType, a.Index = nil, nil
		m.attrs = append(m.attrs, a)
	}
	if err := s.finishModel(m, o); err != nil {
		return nil, err
	}
	return m, nil
}

func (s *Schema) finishModel(m *Model, o modelOpts) error {
	if m.name == "" {
		return s.fail(defErr("a model needs a name: pass include.Name(...)"))
	}
	if _, dup := s.models[m.name]; dup {
		return s.fail(defErr("model %s is already registered; give the second one another include.Name", m.name))
	}
	if m.table == "" {
		return s.fail(defErr("model %s: the table name is empty", m.name))
	}
	if s.tenant != "" && !s.shared[m.name] {
		m.tenant = s.tenant
		if !slices.ContainsFunc(m.attrs, func(a Attr) bool { return a.Column == s.tenant || a.Name == s.tenant }) {
			m.attrs = append(m.attrs, Attr{Name: s.tenant, Column: s.tenant, Type: Int, Hidden: true})
		}
	}
	m.byAttr = map[string]int{}
	m.byCol = map[string]int{}
	for i, a := range m.attrs {
		if _, dup := m.byAttr[a.Name]; dup {
			return s.fail(defErr("model %s: attribute %q is declared twice", m.name, a.Name))
		}
		if _, dup := m.byCol[a.Column]; dup {
			if m.goType != nil {
				return s.fail(defErr("model %s: column %q is mapped twice", m.name, a.Column))
			}
			// a run-time model may report one column under two attribute names
			// (Sequelize's UserId and userId on user_id): selected once per name
			m.byAttr[a.Name] = i
			continue
		}
		m.byAttr[a.Name] = i
		m.byCol[a.Column] = i
	}
	if m.goType != nil {
		// a name is looked up as an attribute, then as a column: under a mapper both must
		// lead to the same field
		for i, a := range m.attrs {
			if j, ok := m.byAttr[a.Column]; ok && j != i && !a.Hidden && !m.attrs[j].Hidden {
				f, g := m.st.Columns[i], m.st.Columns[j]
				return s.fail(defErr("model %s: column %q of field %s is also the db name of field %s, so the name is ambiguous: tag %s `db:%q`",
					m.name, a.Column, f.GoName, g.GoName, g.GoName, m.attrs[j].Column))
			}
		}
	}
	if len(m.attrs) == 0 {
		return s.fail(defErr("model %s has no columns: add fields with db tags", m.name))
	}
	pk := o.pk
	if len(pk) == 0 {
		if _, ok := m.column("id"); !ok {
			return s.fail(defErr("model %s has no primary key: pass include.PrimaryKey(...) naming its key columns (columns: %s)",
				m.name, strings.Join(m.AttrNames(), ", ")))
		}
		pk = []string{"id"}
	}
	for _, k := range pk {
		c, ok := m.column(k)
		if !ok {
			return s.fail(defErr("model %s: primary key %q is not a column (columns: %s)%s", m.name, k, strings.Join(m.AttrNames(), ", "), m.columnHint(k, "; ")))
		}
		if slices.Contains(m.pk, c) {
			return s.fail(defErr("model %s: include.PrimaryKey names column %s twice", m.name, c))
		}
		m.pk = append(m.pk, c)
	}
	if m.tenant != "" && !slices.Contains(m.pk, m.tenant) {
		// the tenant column leads the key: rows are identified, and keys compared, within
		// their tenant
		m.pk = append([]string{m.tenant}, m.pk...)
	}
	if len(m.pk) > 4 {
		return s.fail(defErr("model %s: primary keys of more than 4 columns are not supported", m.name))
	}
	if err := checkScope(o.scope, m, "default scope of model "+m.name); err != nil {
		return s.fail(err)
	}
	if err := m.finishModelDDL(o); err != nil {
		return s.fail(err)
	}
	m.scope = o.scope
	m.byAlias = map[string]*Association{}
	s.models[m.name] = m
	s.names = append(s.names, m.name)
	return nil
}

func checkScope(sc scope.Scope, m *Model, what string) error {
	if err := sc.Err(); err != nil {
		return defErr("%s: %v; pass a predicate value (sq.Eq{...}) or none", what, err)
	}
	for _, c := range sc.Columns() {
		if _, ok := m.column(c); !ok {
			return defErr("%s: column %q is not a column of model %s (columns: %s)%s", what, c, m.name, strings.Join(m.AttrNames(), ", "), m.columnHint(c, "; "))
		}
	}
	return nil
}

// columnHint explains why name, which looks like the column of a field of struct model m, is
// not one, and what to change; sep precedes it. "" when no field looks like it.
func (m *Model) columnHint(name, sep string) string {
	if m.goType == nil || m.st == nil {
		return ""
	}
	squash := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	for i, f := range m.st.Columns {
		if i >= len(m.attrs) || squash(f.GoName) != squash(name) && squash(f.Name) != squash(name) {
			continue
		}
		col := m.attrs[i].Column
		field := m.goType.Name() + "." + f.GoName
		switch {
		case f.Tagged:
			return fmt.Sprintf("%sfield %s is tagged `db:%q`: tag it `db:%q` if that is its column", sep, field, f.Name, name)
		case m.columns == nil:
			for _, n := range []Naming{SnakeCase, CamelCase} {
				if n.ColumnName(f.GoName) == name {
					return fmt.Sprintf("%sfield %s maps to column %s (untagged fields map to lower-cased Go names): use include.WithColumnNames(include.%s) or tag the field `db:%q`",
						sep, field, col, n, name)
				}
			}
			return fmt.Sprintf("%sfield %s maps to column %s (untagged fields map to lower-cased Go names): tag it `db:%q`", sep, field, col, name)
		default:
			return fmt.Sprintf("%sfield %s maps to column %s under the schema's column mapper: tag it `db:%q`", sep, field, col, name)
		}
	}
	return ""
}
