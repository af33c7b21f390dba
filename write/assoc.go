package write

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/meta"
)

// Assoc is one association's write accessors. It is a value: its methods return operations
// and keep the first error, returned when an operation runs.
type Assoc struct {
	w   *Writer
	a   *include.Association
	err error
}

// Assoc returns the accessors of model's association alias ("User", "projects").
func (w *Writer) Assoc(model, alias string) Assoc {
	if err := w.check(); err != nil {
		return Assoc{w: w, err: err}
	}
	m := w.schema.Model(model)
	if m == nil {
		return Assoc{w: w, err: fmt.Errorf("%w: model %q (known: %s)", ErrUnknown, model, joinCols(w.schema.ModelNames()))}
	}
	a := m.Association(alias)
	if a == nil {
		return Assoc{w: w, err: fmt.Errorf("%w: %s has no association %q (associations: %s)", ErrUnknown, model, alias, joinCols(m.AssociationNames()))}
	}
	return Assoc{w: w, a: a}
}

// Association is the association the accessors write.
func (a Assoc) Association() *include.Association { return a.a }

type opKind uint8

const (
	opAdd opKind = iota + 1
	opSet
	opRemove
	opHas
	opCount
	opCreate
)

func (k opKind) String() string {
	return [...]string{"", "add", "set", "remove", "has", "count", "create"}[k]
}

// Op is one compiled write operation. Its methods return modified copies.
type Op struct {
	as      Assoc
	kind    opKind
	source  any
	targets []any
	through map[string]any
	where   sq.Sqlizer
	del     bool
	value   any
	err     error
	// tenant is the tenant value (Tenant), nil for the Writer's
	tenant any
}

// Add links targets to source (belongsToMany, hasMany).
func (a Assoc) Add(source any, targets ...any) Op {
	return Op{as: a, kind: opAdd, source: source, targets: targets}
}

// Set makes targets the source's only linked targets (belongsToMany, hasMany); for hasOne and
// belongsTo it takes one target, or none (or nil) to unlink.
func (a Assoc) Set(source any, targets ...any) Op {
	return Op{as: a, kind: opSet, source: source, targets: targets}
}

// Remove unlinks targets from source (belongsToMany, hasMany).
func (a Assoc) Remove(source any, targets ...any) Op {
	return Op{as: a, kind: opRemove, source: source, targets: targets}
}

// Has reports whether every target is linked to source (belongsToMany, hasMany); see
// Op.Bool.
func (a Assoc) Has(source any, targets ...any) Op {
	return Op{as: a, kind: opHas, source: source, targets: targets}
}

// Count counts source's linked targets (belongsToMany, hasMany); see Op.Where and Op.Int.
func (a Assoc) Count(source any) Op { return Op{as: a, kind: opCount, source: source} }

// Create inserts value as a new target linked to source (every kind). value is a pointer to
// a struct of the target model or a map; its generated key is written back into it.
func (a Assoc) Create(source any, value any) Op {
	return Op{as: a, kind: opCreate, source: source, value: value}
}

// Through sets join-table values for every target of a belongsToMany add, set or create
// (attribute names of the join model, or columns of a join table); Link overrides them per
// target.
func (o Op) Through(values map[string]any) Op {
	o.through = values
	return o
}

// Where filters the targets count counts (bare columns of the target, as in an include's
// Where).
func (o Op) Where(pred sq.Sqlizer) Op {
	if pred != nil && meta.NilRef(pred) && o.err == nil {
		o.err = badf("%s: Where: a nil %T", o.kind, pred)
		return o
	}
	o.where = pred
	return o
}

// DeleteUnlinked makes hasMany set and remove, and hasOne set and create, delete the children
// they unlink instead of setting their foreign key to NULL (a NOT NULL foreign key).
func (o Op) DeleteUnlinked() Op {
	o.del = true
	return o
}

// Tenant sets the tenant value of a multi-tenant schema (include.Tenant) for the operation,
// overriding the Writer's (WithTenant): the value of the tenant column of every row it
// writes or matches whose model has no field for it (a hidden attribute), and of a visible
// tenant field left unset. A value whose tenant field holds another tenant is an error, and
// so is a model with a hidden tenant column when no tenant value is given. write.Key may
// then leave the tenant column out (write.Key(id) for the key (tenant_id, id)).
func (o Op) Tenant(v any) Op {
	o.tenant = v
	return o
}

// tn is the operation's tenant value.
func (o Op) tn() any {
	if o.tenant != nil {
		return o.tenant
	}
	if o.as.w != nil {
		return o.as.w.tenant
	}
	return nil
}

func (o Op) what() string {
	if o.as.a == nil {
		return o.kind.String()
	}
	return fmt.Sprintf("%s %s.%s", o.kind, o.as.a.Source.Name(), o.as.a.As)
}

// Exec runs the operation on q: a *sql.Tx runs it in the caller's transaction; a pool or
// connection gets a transaction of its own for an operation of more than one statement.
func (o Op) Exec(ctx context.Context, q Querier) (Result, error) {
	p, err := o.prepare()
	if err != nil {
		return Result{}, err
	}
	return atomic(ctx, q, o.what(), p.single, p.run)
}

// Int runs count and returns the number.
func (o Op) Int(ctx context.Context, q Querier) (int64, error) {
	if o.kind != opCount {
		return 0, badf("%s: Int is count's answer", o.what())
	}
	res, err := o.Exec(ctx, q)
	return res.Count, err
}

// Bool runs has and returns the answer.
func (o Op) Bool(ctx context.Context, q Querier) (bool, error) {
	if o.kind != opHas {
		return false, badf("%s: Bool is has's answer", o.what())
	}
	res, err := o.Exec(ctx, q)
	return res.Has, err
}

// Statements lists the operation's statements without running anything: every statement
// when the operation reads nothing first, else those up to and including the first whose
// result decides the rest (the SELECT of existing links, an INSERT .. RETURNING).
func (o Op) Statements() ([]Statement, error) {
	p, err := o.Plan()
	return p.Statements, err
}

// Plan is what an operation will run, known before it runs.
type Plan struct {
	// Statements: every statement when Complete, else those up to and including the first
	// read whose result decides the rest.
	Statements []Statement
	// Complete: the operation reads nothing, so Statements is all of it (false for has and
	// count too, whose one statement is a read).
	Complete bool
	// Transaction: handed a pool, the operation opens a transaction (more than one
	// statement); handed a *sql.Tx it runs in it.
	Transaction bool
}

// Plan compiles the operation without running it. Like Exec, it fills the foreign key and
// scope columns the operation sets into the values it was given (maps, struct pointers).
func (o Op) Plan() (Plan, error) {
	p, err := o.prepare()
	if err != nil {
		return Plan{}, err
	}
	return dryPlan(o.what(), !p.single, p.run)
}

// dryPlan records fn's statements without a database.
func dryPlan(what string, tx bool, fn func(r *runner) error) (Plan, error) {
	var res Result
	r := &runner{ctx: context.Background(), q: dryQuerier(true), res: &res, what: what, dry: true}
	err := fn(r)
	complete := err == nil
	if errors.Is(err, errDry) {
		err, complete = nil, false // stopped at a read (has and count are one read)
	}
	if err != nil {
		return Plan{}, err
	}
	return Plan{Statements: res.Statements, Complete: complete, Transaction: tx}, nil
}

// prepared is an operation validated and ready to run.
type prepared struct {
	single bool
	run    func(r *runner) error
}

func (o Op) prepare() (prepared, error) {
	if o.as.err != nil {
		return prepared{}, fmt.Errorf("%s: %w", o.kind, o.as.err)
	}
	if o.err != nil {
		return prepared{}, o.err
	}
	if o.as.a == nil || o.as.w == nil {
		return prepared{}, badf("%s: a zero Assoc; get one from Writer.Assoc", o.kind)
	}
	a := o.as.a
	what := o.what()
	if err := checkTenant(o.as.w.schema, o.tn(), what); err != nil {
		return prepared{}, err
	}
	switch a.Kind {
	case include.BelongsToMany:
		return o.prepareBTM(what)
	case include.HasMany:
		return o.prepareHasMany(what)
	case include.HasOne:
		return o.prepareHasOne(what)
	case include.BelongsTo:
		return o.prepareBelongsTo(what)
	}
	return prepared{}, badf("%s: unknown association kind %v", what, a.Kind)
}

// sourceKey reads the value of the source's col the association links by.
func (o Op) sourceRow(what string) (*row, error) {
	return rowOf(o.as.a.Source, o.source, "source of "+what, o.tn())
}

// target is one target of an operation with its join-table values.
type target struct {
	r       *row
	key     []any // the linked key (TargetKeys for belongsToMany and belongsTo)
	pk      []any // the primary key (hasMany, hasOne)
	through map[string]any
	// thCols are join-table values already resolved to columns (a nested struct target's
	// through fields)
	thCols []colVal
}

func (o Op) targetRows(what string, needPK bool, keyCols []string) ([]target, error) {
	a := o.as.a
	tn := o.tn()
	n := len(o.targets)
	for _, t := range o.targets {
		if kl, ok := t.(KeyList); ok {
			n += len(kl.values) - 1
		}
	}
	out := make([]target, 0, n)
	keys := make([]row, 0, n) // rows of targets named by a key, allocated together
	pk := a.Target.PrimaryKeyView()
	byPK := slices.Equal(keyCols, pk)
	// pk1 is the key write.Keys names rows by: the primary key, without a tenant column that
	// the operation's Tenant gives
	pk1 := pk
	if tn != nil && a.Target.Tenant() != "" && len(pk) > 1 && pk[0] == a.Target.Tenant() {
		pk1 = pk[1:]
	}
	// byKey adds the target whose primary key is key
	byKey := func(key []any) error {
		keys = append(keys, row{m: a.Target, key: key})
		r := &keys[len(keys)-1]
		tg := target{r: r}
		if byPK {
			tg.key = args(key)
		} else if keyCols != nil {
			k, err := linkKeys(r, keyCols, what)
			if err != nil {
				return err
			}
			tg.key = k
		}
		if needPK {
			tg.pk = args(key)
		}
		out = append(out, tg)
		return nil
	}
	for i, t := range o.targets {
		if kl, ok := t.(KeyList); ok {
			if len(pk1) != 1 {
				return nil, badf("target %d of %s: write.Keys names rows by a single-column key; %s's primary key is (%s): pass write.Key(...) per row", i+1, what, a.Target.Name(), joinCols(pk))
			}
			for j := range kl.values {
				if isMissing(kl.values[j]) {
					return nil, fmt.Errorf("%w: target %d of %s: write.Keys value %d is empty", ErrMissingKey, i+1, what, j+1)
				}
				key := kl.values[j : j+1 : j+1]
				if len(pk) > 1 {
					key = []any{tn, kl.values[j]}
				}
				if err := byKey(key); err != nil {
					return nil, err
				}
			}
			continue
		}
		if kv, ok := t.(KeyValue); ok && len(kv.values) == 1 && len(pk1) == 1 && !isMissing(kv.values[0]) {
			// the common case without a row of its own: a single-column primary key
			key := kv.values
			if len(pk) > 1 {
				key = []any{tn, kv.values[0]}
			}
			if err := byKey(key); err != nil {
				return nil, err
			}
			continue
		}
		role := fmt.Sprintf("target %d of %s", i+1, what)
		var th map[string]any
		if l, ok := t.(LinkValue); ok {
			if a.Kind != include.BelongsToMany {
				return nil, badf("%s: write.Link carries join-table values, and %s has no join table", role, a)
			}
			t, th = l.target, l.through
		}
		r, err := rowOf(a.Target, t, role, tn)
		if err != nil {
			return nil, err
		}
		tg := target{r: r, through: th}
		if keyCols != nil {
			if tg.key, err = linkKeys(r, keyCols, role); err != nil {
				return nil, err
			}
		}
		if needPK {
			pk, err := pkOf(r, role)
			if err != nil {
				return nil, err
			}
			for i := range pk {
				pk[i] = argOf(pk[i])
			}
			tg.pk = pk
		}
		out = append(out, tg)
	}
	return out, nil
}

func (o Op) noThrough(what string) error {
	if len(o.through) > 0 {
		return badf("%s: Through needs a belongsToMany", what)
	}
	return nil
}

// sortedKeys returns m's keys sorted.
func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
