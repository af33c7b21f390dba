// Package include holds the association graph (Schema, Model, Association), validated when it
// is registered, and the include tree (Node) that says what to load with a query.
//
// A Schema is built once at start-up and then only read: register every model and association
// before the first query. Registration methods return an error that says what to change; the
// Schema also keeps the first such error (Err), and queries compiled against a schema with a
// registration error return it.
package include

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

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
type Attr struct {
	Name   string
	Column string // defaults to Name
	Type   Type
	// GoType is the Go type of a struct model's field (nil for run-time models), and Index
	// its index path in the struct (reflect.Value.FieldByIndex).
	GoType reflect.Type
	Index  []int
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
}

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

// AttrNames lists the attribute names, for error messages.
func (m *Model) AttrNames() []string {
	out := make([]string, len(m.attrs))
	for i, a := range m.attrs {
		out[i] = a.Name
	}
	return out
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
	naming Naming
	mu     sync.RWMutex
	models map[string]*Model
	byType map[reflect.Type]*Model
	names  []string
	err    error
}

// SchemaOption configures a Schema.
type SchemaOption func(*Schema)

// WithNaming sets the convention for derived key names (SnakeCase by default).
func WithNaming(n Naming) SchemaOption { return func(s *Schema) { s.naming = n } }

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
// Its columns are the struct's fields as sqlx maps them (the db tag).
func (s *Schema) Define(v any, table string, opts ...ModelOption) (*Model, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
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
	m := &Model{name: o.name, table: table, goType: t, st: st}
	for _, f := range st.Columns {
		m.attrs = append(m.attrs, Attr{Name: f.Name, Column: f.Name, Type: typeOf(f.Type), GoType: f.Type, Index: f.Index})
	}
	if err := s.finishModel(m, o); err != nil {
		return nil, err
	}
	s.byType[t] = m
	return m, nil
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
			return s.fail(defErr("model %s: primary key %q is not a column (columns: %s)", m.name, k, strings.Join(m.AttrNames(), ", ")))
		}
		m.pk = append(m.pk, c)
	}
	if len(m.pk) > 4 {
		return s.fail(defErr("model %s: primary keys of more than 4 columns are not supported", m.name))
	}
	if err := checkScope(o.scope, m, "default scope of model "+m.name); err != nil {
		return s.fail(err)
	}
	m.scope = o.scope
	m.byAlias = map[string]*Association{}
	s.models[m.name] = m
	s.names = append(s.names, m.name)
	return nil
}

func checkScope(sc scope.Scope, m *Model, what string) error {
	for _, c := range sc.Columns() {
		if _, ok := m.column(c); !ok {
			return defErr("%s: column %q is not a column of model %s (columns: %s)", what, c, m.name, strings.Join(m.AttrNames(), ", "))
		}
	}
	return nil
}
