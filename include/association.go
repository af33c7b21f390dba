package include

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/joinery/joinery/internal/meta"
	"github.com/joinery/joinery/scope"
)

// Kind is an association's kind.
type Kind uint8

// Association kinds, as in Sequelize.
const (
	BelongsTo Kind = iota + 1
	HasOne
	HasMany
	BelongsToMany
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case BelongsTo:
		return "BelongsTo"
	case HasOne:
		return "HasOne"
	case HasMany:
		return "HasMany"
	case BelongsToMany:
		return "BelongsToMany"
	}
	return "Kind(?)"
}

// Association is a registered association. Its fields are resolved at registration (key
// names are columns) and must not be changed afterwards.
type Association struct {
	Kind   Kind
	Source *Model
	Target *Model
	// As is the alias: the include path segment and, by default, the receiving field's name.
	As string
	// The keys are column lists, paired by position: a key of several columns (a tenant
	// column and an id) links rows where every pair of columns is equal.
	//
	// ForeignKeys are the columns holding the reference: on the source (BelongsTo), on the
	// target (HasOne, HasMany), or on the join table pointing at the source (BelongsToMany).
	ForeignKeys []string
	// SourceKeys are the source columns the foreign key references (HasOne, HasMany,
	// BelongsToMany); the source's primary key by default.
	SourceKeys []string
	// TargetKeys are the target columns referenced (BelongsTo: by ForeignKeys;
	// BelongsToMany: by OtherKeys); the target's primary key by default.
	TargetKeys []string
	// OtherKeys are the join-table columns pointing at the target (BelongsToMany).
	OtherKeys []string
	// ThroughTable is the join table (BelongsToMany); Through is its model when one was
	// registered (join-table columns are then validated and typed).
	ThroughTable string
	Through      *Model
	// Scope applies to the target, ThroughScope to the join table, SourceScope to the source
	// (a polymorphic BelongsTo's type test); all go in the JOIN's ON clause.
	Scope        scope.Scope
	ThroughScope scope.Scope
	SourceScope  scope.Scope
	// Unique is false for a join table that may link the same pair twice: each link is kept
	// and the target's identity under its parent is the join row's primary key.
	Unique bool
	// FieldName is the Go field of the source struct that receives the association (struct
	// models; "" for run-time models, where the alias is the map key).
	FieldName string
	// FieldIndex is that field's index path in the source struct (reflect's FieldByIndex):
	// the field itself, where an embedded struct has a field of the same name as another
	FieldIndex []int
	// NoField: declared with include.NoField, never loaded (filters, computed values,
	// writes)
	NoField bool

	constraint Constraint // DDL options (ddl_options.go)
	join       joinDecl   // a join table declared by name (ddl_options.go)
}

// Many reports whether the association loads a slice.
func (a *Association) Many() bool { return a.Kind == HasMany || a.Kind == BelongsToMany }

// Link is the table and the columns an include of a finds its rows by, compared with its
// parent's keys: the target's TargetKeys (BelongsTo), the target's ForeignKeys (HasOne,
// HasMany), the join table's ForeignKeys (BelongsToMany). Schema.SetIndexed records
// whether an index serves them.
func (a *Association) Link() (table string, cols []string) {
	switch a.Kind {
	case BelongsTo:
		return a.Target.Table(), a.TargetKeys
	case BelongsToMany:
		return a.ThroughTable, a.ForeignKeys
	}
	return a.Target.Table(), a.ForeignKeys
}

// String describes the association for messages.
func (a *Association) String() string {
	return fmt.Sprintf("%s %s -> %s as %q", a.Kind, a.Source.name, a.Target.name, a.As)
}

// AssocOption configures an association at registration.
type AssocOption func(*assocOpts)

type assocOpts struct {
	as             string
	fk, sk, tk, ok []string
	throughTable   string
	throughModel   string
	field          string
	scope, thScope scope.Scope
	srcScope       scope.Scope
	polyColumn     string
	polyValue      *string
	nonUnique      bool
	noField        bool
	constraint     Constraint // ddl_options.go
	join           joinDecl   // ddl_options.go
}

// As sets the alias (Sequelize's `as`). Default: the target's name for BelongsTo and HasOne,
// its plural for HasMany and BelongsToMany (Posts).
func As(alias string) AssocOption { return func(o *assocOpts) { o.as = alias } }

// ForeignKey names the foreign-key attributes or columns (see Association.ForeignKeys): one,
// or several for a multi-column key (ForeignKey("tenant_id", "user_id")), paired by position
// with the key they reference.
func ForeignKey(names ...string) AssocOption { return func(o *assocOpts) { o.fk = names } }

// SourceKey names the source attributes the foreign key references (several for a
// multi-column key: SourceKey("tenant_id", "id")).
func SourceKey(names ...string) AssocOption { return func(o *assocOpts) { o.sk = names } }

// TargetKey names the target attributes referenced (several for a multi-column key).
func TargetKey(names ...string) AssocOption { return func(o *assocOpts) { o.tk = names } }

// OtherKey names the join-table columns pointing at the target (BelongsToMany; several for
// a multi-column key).
func OtherKey(names ...string) AssocOption { return func(o *assocOpts) { o.ok = names } }

// Through names the join table of a BelongsToMany when it has no model of its own, and
// optionally its columns (ddl_options.go): the foreign and other keys must be among them, and
// an include may select (ThroughColumns) only declared columns.
func Through(table string, columns ...string) AssocOption {
	return func(o *assocOpts) { o.throughTable, o.join.columns = table, columns }
}

// ThroughModel names a registered join model of a BelongsToMany: its columns can be selected
// and filtered, typed.
func ThroughModel(name string) AssocOption { return func(o *assocOpts) { o.throughModel = name } }

// Field names the Go field of the source struct that receives the association. By default it
// is the field tagged `joinery:"<alias>"`, else the field whose name equals the alias
// ignoring case.
func Field(goName string) AssocOption { return func(o *assocOpts) { o.field = goName } }

// NoField declares an association of a struct model that has no field to receive it: it is
// never loaded, but filters (FilterOnly includes), computed values (include.Count(..)) and
// writes use it. Including it to load its rows is an error naming this option.
func NoField() AssocOption { return func(o *assocOpts) { o.noField = true } }

// WithScope adds a scope on the target; it goes in the JOIN's ON clause.
func WithScope(sc scope.Scope) AssocOption { return func(o *assocOpts) { o.scope = o.scope.Merge(sc) } }

// WithThroughScope adds a scope on the join table of a BelongsToMany.
func WithThroughScope(sc scope.Scope) AssocOption {
	return func(o *assocOpts) { o.thScope = o.thScope.Merge(sc) }
}

// WithSourceScope adds a scope on the source table, tested in the JOIN's ON clause: the
// association only exists for source rows that match it.
func WithSourceScope(sc scope.Scope) AssocOption {
	return func(o *assocOpts) { o.srcScope = o.srcScope.Merge(sc) }
}

// Polymorphic makes the association polymorphic on typeColumn (Sequelize's
// `scope: {commentable: 'post'}`): for HasOne and HasMany the target's typeColumn must equal
// the value, for BelongsToMany the join table's, and for BelongsTo the source's, so that a
// comment loads its Post owner only when its type says "Post". The value defaults to the
// owner's model name: the source's for HasOne, HasMany and BelongsToMany, the target's for
// BelongsTo. Polymorphic associations usually also need ForeignKey ("commentable_id").
func Polymorphic(typeColumn string, value ...string) AssocOption {
	return func(o *assocOpts) {
		o.polyColumn = typeColumn
		if len(value) > 0 {
			v := value[0]
			o.polyValue = &v
		}
	}
}

// NonUnique declares that the join table may link the same pair more than once (it has a
// primary key of its own and no unique constraint on the pair): every link is kept.
func NonUnique() AssocOption { return func(o *assocOpts) { o.nonUnique = true } }

// BelongsTo registers source.belongsTo(target): the foreign key is on the source.
func (s *Schema) BelongsTo(source, target string, opts ...AssocOption) (*Association, error) {
	return s.associate(BelongsTo, source, target, opts)
}

// HasOne registers source.hasOne(target): the foreign key is on the target.
func (s *Schema) HasOne(source, target string, opts ...AssocOption) (*Association, error) {
	return s.associate(HasOne, source, target, opts)
}

// HasMany registers source.hasMany(target): the foreign key is on the target.
func (s *Schema) HasMany(source, target string, opts ...AssocOption) (*Association, error) {
	return s.associate(HasMany, source, target, opts)
}

// BelongsToMany registers source.belongsToMany(target) through a join table (Through) or a
// join model (ThroughModel).
func (s *Schema) BelongsToMany(source, target string, opts ...AssocOption) (*Association, error) {
	return s.associate(BelongsToMany, source, target, opts)
}

func (s *Schema) associate(kind Kind, source, target string, opts []AssocOption) (*Association, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen.Add(1)
	a, err := s.build(kind, source, target, opts)
	if err != nil {
		return nil, s.fail(err)
	}
	a.Source.assocs = append(a.Source.assocs, a)
	a.Source.byAlias[a.As] = a
	return a, nil
}

func (s *Schema) build(kind Kind, source, target string, opts []AssocOption) (*Association, error) {
	var o assocOpts
	for _, f := range opts {
		f(&o)
	}
	what := fmt.Sprintf("%s(%s, %s)", kind, source, target)
	src, tgt := s.models[source], s.models[target]
	known := append([]string(nil), s.names...)
	if src == nil {
		return nil, defErr("%s: unknown model %q; register it with Define or DefineMap first (known: %s)", what, source, strings.Join(known, ", "))
	}
	if tgt == nil {
		return nil, defErr("%s: unknown model %q; register it with Define or DefineMap first (known: %s)", what, target, strings.Join(known, ", "))
	}
	if (src.goType == nil) != (tgt.goType == nil) {
		return nil, defErr("%s: a struct model and a run-time (map) model cannot be associated; define both the same way", what)
	}
	a := &Association{Kind: kind, Source: src, Target: tgt, As: o.as, Scope: o.scope, ThroughScope: o.thScope,
		SourceScope: o.srcScope, Unique: !o.nonUnique}
	if o.polyColumn != "" {
		owner := src.name
		if kind == BelongsTo {
			owner = tgt.name
		}
		if o.polyValue != nil {
			owner = *o.polyValue
		}
		poly := scope.Eq(o.polyColumn, owner)
		switch kind {
		case HasOne, HasMany:
			a.Scope = a.Scope.Merge(poly)
		case BelongsToMany:
			a.ThroughScope = a.ThroughScope.Merge(poly)
		case BelongsTo:
			a.SourceScope = a.SourceScope.Merge(poly)
		}
	}
	if a.As == "" {
		if a.Many() {
			a.As = Plural(tgt.name)
		} else {
			a.As = tgt.name
		}
	}
	what = fmt.Sprintf("%s(%s, %s) as %q", kind, source, target, a.As)
	if a.As == "" || strings.ContainsAny(a.As, ". \t\n") {
		return nil, defErr("%s: an alias is one segment of an include path: no dots or spaces; pass include.As with another alias", what)
	}
	if src.goType == nil {
		if _, ok := src.Attr(a.As); ok {
			// a map holds both under one key
			return nil, defErr("%s: %s has an attribute %q, and a map value holds both under one key; pass include.As with another alias", what, src.name, a.As)
		}
	}
	if prev := src.Association(a.As); prev != nil && strings.EqualFold(prev.As, a.As) {
		return nil, defErr("%s: duplicate alias: %s already has an association %q (%s -> %s); pass include.As with another alias", what, src.name, prev.As, prev.Kind, prev.Target.name)
	}
	k := keys{s: s, what: what}
	var err error
	switch kind {
	case BelongsTo:
		if a.TargetKeys, err = k.own(tgt, o.tk, "target key", "TargetKey"); err != nil {
			return nil, err
		}
		if a.ForeignKeys, err = k.refs(src, o.fk, a.As, tgt, a.TargetKeys, "foreign key", "ForeignKey"); err != nil {
			return nil, err
		}
		a.ForeignKeys, a.TargetKeys = k.tenant(src, a.ForeignKeys, tgt, a.TargetKeys)
		if err := k.pair(src, a.ForeignKeys, "foreign key", tgt, a.TargetKeys, "target key", "TargetKey"); err != nil {
			return nil, err
		}
	case HasOne, HasMany:
		if a.SourceKeys, err = k.own(src, o.sk, "source key", "SourceKey"); err != nil {
			return nil, err
		}
		prefix := src.name
		if kind == HasOne && o.as != "" {
			prefix = Singular(o.as) // Sequelize's hasOne derives from the alias
		}
		if a.ForeignKeys, err = k.refs(tgt, o.fk, prefix, src, a.SourceKeys, "foreign key", "ForeignKey"); err != nil {
			return nil, err
		}
		a.ForeignKeys, a.SourceKeys = k.tenant(tgt, a.ForeignKeys, src, a.SourceKeys)
		if err := k.pair(tgt, a.ForeignKeys, "foreign key", src, a.SourceKeys, "source key", "SourceKey"); err != nil {
			return nil, err
		}
	case BelongsToMany:
		if a.SourceKeys, err = k.own(src, o.sk, "source key", "SourceKey"); err != nil {
			return nil, err
		}
		if a.TargetKeys, err = k.own(tgt, o.tk, "target key", "TargetKey"); err != nil {
			return nil, err
		}
		switch {
		case o.throughModel != "" && o.throughTable != "":
			return nil, defErr("%s: pass include.Through or include.ThroughModel, not both", what)
		case o.throughModel != "":
			jm := s.models[o.throughModel]
			if jm == nil {
				return nil, defErr("%s: unknown join model %q; register it first (known: %s)", what, o.throughModel, strings.Join(known, ", "))
			}
			if (jm.goType == nil) != (src.goType == nil) {
				return nil, defErr("%s: join model %s must be defined the same way as %s (struct or run-time)", what, jm.name, src.name)
			}
			a.Through, a.ThroughTable = jm, jm.table
		case o.throughTable != "":
			a.ThroughTable = o.throughTable
		default:
			return nil, defErr("%s: a BelongsToMany needs a join table: pass include.Through(\"table\") or include.ThroughModel(\"Model\")", what)
		}
		prefix := tgt.name
		if src == tgt {
			prefix = Singular(a.As)
		}
		jm := a.Through
		if jm == nil {
			// a join table declared by name: its key columns are taken as given
			jm = &Model{name: a.ThroughTable, table: a.ThroughTable, tenant: src.tenant}
			if jm.tenant == "" {
				jm.tenant = tgt.tenant
			}
		}
		role := "join model " + jm.name + " lacks its "
		if a.Through == nil {
			role = "join table " + jm.name + ": "
		}
		if a.ForeignKeys, err = k.refs(jm, o.fk, src.name, src, a.SourceKeys, role+"foreign key", "ForeignKey"); err != nil {
			return nil, err
		}
		if a.OtherKeys, err = k.refs(jm, o.ok, prefix, tgt, a.TargetKeys, role+"other key", "OtherKey"); err != nil {
			return nil, err
		}
		a.ForeignKeys, a.SourceKeys = k.tenant(jm, a.ForeignKeys, src, a.SourceKeys)
		a.OtherKeys, a.TargetKeys = k.tenant(jm, a.OtherKeys, tgt, a.TargetKeys)
		if err := k.pair(jm, a.ForeignKeys, "foreign key", src, a.SourceKeys, "source key", "SourceKey"); err != nil {
			return nil, err
		}
		if err := k.pair(jm, a.OtherKeys, "other key", tgt, a.TargetKeys, "target key", "TargetKey"); err != nil {
			return nil, err
		}
		if a.Through != nil {
			if err := checkScope(a.ThroughScope, a.Through, what+": through scope"); err != nil {
				return nil, err
			}
		} else if !a.ThroughScope.Empty() {
			// validated against nothing: the join table has no model; names are columns
			for _, c := range a.ThroughScope.Columns() {
				if strings.ContainsAny(c, ".\"`") {
					return nil, defErr("%s: through scope column %q must be a bare column name", what, c)
				}
			}
		}
		if slices.Equal(a.ForeignKeys, a.OtherKeys) {
			return nil, defErr("%s: foreign key and other key are both %s; a self-association needs distinct keys: pass include.ForeignKey and include.OtherKey", what, colList(a.ForeignKeys))
		}
		if !a.Unique && a.Through == nil {
			return nil, defErr("%s: NonUnique needs a join model with its own primary key: pass include.ThroughModel", what)
		}
		if !a.Unique {
			// the join model's key must have a column of its own (an id), beyond the keys
			// of the pair (the tenant column among them)
			own := false
			for _, c := range a.Through.pk {
				own = own || !slices.Contains(a.ForeignKeys, c) && !slices.Contains(a.OtherKeys, c)
			}
			if !own {
				return nil, defErr("%s: NonUnique needs the join model %s to have a primary key of its own (an id column), not the pair (%s, %s): declare it with include.PrimaryKey(\"id\")",
					what, a.Through.name, strings.Join(a.ForeignKeys, ", "), strings.Join(a.OtherKeys, ", "))
			}
		}
	}
	if err := checkScope(a.Scope, tgt, what+": scope"); err != nil {
		return nil, err
	}
	if err := checkScope(a.SourceScope, src, what+": source scope"); err != nil {
		return nil, err
	}
	if err := checkDDL(a, &o, what); err != nil {
		return nil, err
	}
	if o.noField {
		if o.field != "" {
			return nil, defErr("%s: NoField and Field(%q) contradict each other: pass one", what, o.field)
		}
		a.NoField = true
	} else if src.goType != nil {
		f, err := findField(src, tgt, a, o.field, what)
		if err != nil {
			return nil, err
		}
		a.FieldName, a.FieldIndex = f.GoName, f.Index
	}
	return a, nil
}

// findField finds and checks the source field that receives association a.
func findField(src, tgt *Model, a *Association, goName, what string) (*meta.Field, error) {
	var f *meta.Field
	for _, c := range src.st.Others {
		switch {
		case goName != "" && c.GoName == goName:
			f = c
		case goName == "" && c.Tag == a.As:
			f = c
		}
		if f != nil {
			break
		}
	}
	if f == nil && goName == "" {
		for _, c := range src.st.Others {
			if c.Tag == "" && strings.EqualFold(c.GoName, a.As) {
				f = c
				break
			}
		}
	}
	if f != nil {
		for _, other := range src.assocs {
			if other.FieldName != "" && slices.Equal(other.FieldIndex, f.Index) {
				return nil, defErr("%s: field %s.%s already receives association %q; give this one its own field (tag it `joinery:%q`) or pass include.Field(...)",
					what, src.goType.Name(), f.GoName, other.As, a.As)
			}
		}
	}
	want := fmt.Sprintf("*%[1]s (or %[1]s)", tgt.goType.Name())
	if a.Many() {
		want = fmt.Sprintf("[]%[1]s (or []*%[1]s)", tgt.goType.Name())
	}
	if f == nil {
		name := goName
		if name == "" {
			name = strings.ToUpper(a.As[:1]) + a.As[1:]
		}
		return nil, defErr("%s: %s has no field for it: add `%s %s` to %s, tag a field `joinery:%q`, or pass include.Field(...)",
			what, src.goType.Name(), name, strings.Fields(want)[0], src.goType.Name(), a.As)
	}
	ft, t := f.Type, tgt.goType
	ok := false
	if a.Many() {
		ok = ft.Kind() == reflect.Slice && (ft.Elem() == t || ft.Elem().Kind() == reflect.Pointer && ft.Elem().Elem() == t)
	} else {
		ok = ft == t || ft.Kind() == reflect.Pointer && ft.Elem() == t
	}
	if !ok {
		return nil, defErr("%s: field %s.%s is %s; it must be %s", what, src.goType.Name(), f.GoName, ft, want)
	}
	return f, nil
}
