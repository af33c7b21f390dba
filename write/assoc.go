package write

import (
	"context"
	"errors"
	"fmt"
	"sort"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/include"
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
	o.where = pred
	return o
}

// DeleteUnlinked makes hasMany set and remove, and hasOne set and create, delete the children
// they unlink instead of setting their foreign key to NULL (a NOT NULL foreign key).
func (o Op) DeleteUnlinked() Op {
	o.del = true
	return o
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
	return rowOf(o.as.a.Source, o.source, "source of "+what)
}

func linkKey(r *row, col, what string) (any, error) {
	if r.isKey() {
		pk := r.m.PrimaryKeyView()
		if len(pk) != 1 || pk[0] != col {
			return nil, fmt.Errorf("%w: %s: the association links by %s.%s, not the primary key; pass the %s value instead of write.Key", ErrBadInput, what, r.m.Name(), col, r.m.Name())
		}
	}
	v, ok := r.keyOf(col)
	if !ok {
		return nil, fmt.Errorf("%w: %s: the %s has no %s (was it saved?)", ErrMissingKey, what, r.m.Name(), col)
	}
	return argOf(v), nil
}

// target is one target of an operation with its join-table values.
type target struct {
	r       *row
	key     any   // the linked key (TargetKey for belongsToMany and belongsTo)
	pk      []any // the primary key (hasMany, hasOne)
	through map[string]any
	// thCols are join-table values already resolved to columns (a nested struct target's
	// through fields)
	thCols []colVal
}

func (o Op) targetRows(what string, needPK bool, keyCol string) ([]target, error) {
	a := o.as.a
	n := len(o.targets)
	for _, t := range o.targets {
		if kl, ok := t.(KeyList); ok {
			n += len(kl.values) - 1
		}
	}
	out := make([]target, 0, n)
	keys := make([]row, 0, n) // rows of targets named by a single-column key, allocated together
	pk1 := a.Target.PrimaryKeyView()
	// byKey adds the target whose single-column primary key is key[0]
	byKey := func(key []any) error {
		keys = append(keys, row{m: a.Target, key: key})
		r := &keys[len(keys)-1]
		tg := target{r: r}
		if keyCol == pk1[0] {
			tg.key = argOf(key[0])
		} else if keyCol != "" {
			k, err := linkKey(r, keyCol, what)
			if err != nil {
				return err
			}
			tg.key = k
		}
		if needPK {
			tg.pk = []any{argOf(key[0])}
		}
		out = append(out, tg)
		return nil
	}
	for i, t := range o.targets {
		if kl, ok := t.(KeyList); ok {
			if len(pk1) != 1 {
				return nil, badf("target %d of %s: write.Keys names rows by a single-column key; %s's primary key is (%s): pass write.Key(...) per row", i+1, what, a.Target.Name(), joinCols(pk1))
			}
			for j := range kl.values {
				if isMissing(kl.values[j]) {
					return nil, fmt.Errorf("%w: target %d of %s: write.Keys value %d is empty", ErrMissingKey, i+1, what, j+1)
				}
				if err := byKey(kl.values[j : j+1 : j+1]); err != nil {
					return nil, err
				}
			}
			continue
		}
		if kv, ok := t.(KeyValue); ok && len(kv.values) == 1 && len(pk1) == 1 && !isMissing(kv.values[0]) {
			// the common case without a row of its own: a single-column primary key
			if err := byKey(kv.values); err != nil {
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
		r, err := rowOf(a.Target, t, role)
		if err != nil {
			return nil, err
		}
		tg := target{r: r, through: th}
		if keyCol != "" {
			if tg.key, err = linkKey(r, keyCol, role); err != nil {
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
