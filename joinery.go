// Package joinery loads nested data from SQL with one statement: declare models and
// associations once (package include), say what to load as an include tree, and joinery
// compiles it into one SELECT (package builder) and folds the flat rows back into nested Go
// structs or JSON-ready maps (package hydrate).
//
//	users, err := joinery.Query[User](schema, dialects.Postgres).
//		Where(sq.Eq{"active": true}).
//		Include("posts.comments.author", include.New("projects").ThroughColumns("role")).
//		OrderBy("name").
//		All(ctx, db)
//
// joinery is not an ORM: it writes no rows, tracks no changes and opens no connections. It
// composes into a handwritten data layer over database/sql, sqlx or squirrel.
//
// The imports: sq is github.com/Masterminds/squirrel (sq.Eq, sq.Gt, sq.Expr ... as filters);
// include declares the schema and builds include trees; scope holds association and default
// scopes; dialects names the database; joinerytest sets up sqlmock for tests of a data layer.
//
// # Struct tags
//
// joinery reads these tags on struct models:
//
//	db:"name"             a scalar field: its column (sqlx's rules; db:"-" skips the field;
//	                      an untagged field maps to its lower-cased name, or through the
//	                      schema's mapper: include.WithColumnNames(include.SnakeCase))
//	joinery:"alias"       a struct, pointer or slice field: receives the association
//	                      registered with include.As("alias") (by default the field named
//	                      like the alias, or like the target's type)
//	joinery:"through:col" a scalar field of a belongsToMany target: the join table's column col
//	joinery:"through"     a struct field of a belongsToMany target: the join model's (or join
//	                      table's) columns, by its own db tags; on a scalar field, the
//	                      join-table column its name maps to
package joinery

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"sync"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/meta"
)

// Querier runs a query: *sql.DB, *sql.Tx, *sql.Conn, *sqlx.DB, *sqlx.Tx and sqlmock's DB all
// satisfy it.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ErrNoRows is returned by One when nothing matched; errors.Is(err, sql.ErrNoRows) holds too.
var ErrNoRows = fmt.Errorf("joinery: no rows: %w", sql.ErrNoRows)

// Q is a query being built. Its methods return modified copies, so a base query can be shared
// and forked; they never panic, and the first error is returned when the query is compiled.
type Q[T any] struct {
	schema  *include.Schema
	dialect dialects.Dialect
	model   *include.Model
	q       builder.Query
	err     error
	cache   *planCache
	bound   map[string]any // Bind's values
}

// planCache holds the plans of one query value: a query built once and run many times
// compiles once, whatever values it is bound to (Bind). Every method that changes a query
// gives the copy a new cache; Bind keeps it.
type planCache struct {
	plain compiled // Plan
	piped compiled // PlanPipelined
	far   compiled // PlanPipelinedDistant
	each  compiled // PlanEach
	count compiled // Count
	one   compiled // One: the roots limited to one
}

// of is the cache of plans of kind k (a fresh one, compiled every time, without a cache).
func (c *planCache) of(k planKind) *compiled {
	if c == nil {
		return &compiled{}
	}
	switch k {
	case kindPiped:
		return &c.piped
	case kindFar:
		return &c.far
	case kindEach:
		return &c.each
	case kindCount:
		return &c.count
	case kindOne:
		return &c.one
	}
	return &c.plain
}

type compiled struct {
	once   sync.Once
	plan   *builder.Plan
	err    error
	params []string // the names of the Params among the plan's arguments
}

// Query starts a query whose root is the struct model registered for T.
func Query[T any](schema *include.Schema, d dialects.Dialect) Q[T] {
	q := Q[T]{schema: schema, dialect: d, cache: &planCache{}}
	t := reflect.TypeOf((*T)(nil)).Elem()
	if schema == nil {
		q.err = errors.New("joinery: nil schema")
		return q
	}
	q.model = schema.ModelOf(t)
	if q.model == nil {
		q.err = fmt.Errorf("joinery: %s is not a registered model; register it with schema.Define(%s{}, \"table\")", t, t.Name())
	}
	q.q.Model = q.model
	return q
}

// QueryMap starts a query whose root is the run-time model called model; it hydrates into
// map[string]any.
func QueryMap(schema *include.Schema, d dialects.Dialect, model string) Q[map[string]any] {
	q := Q[map[string]any]{schema: schema, dialect: d, cache: &planCache{}}
	if schema == nil {
		q.err = errors.New("joinery: nil schema")
		return q
	}
	q.model = schema.Model(model)
	if q.model == nil {
		q.err = fmt.Errorf("joinery: unknown model %q (known: %v)", model, schema.ModelNames())
	} else if q.model.Type() != nil {
		q.err = fmt.Errorf("joinery: model %q is a struct model; use joinery.Query[%s]", model, q.model.Type().Name())
	}
	q.q.Model = q.model
	return q
}

func (q Q[T]) clone() Q[T] {
	q.cache = &planCache{}
	q.q.After = append([]any(nil), q.q.After...)
	q.q.Where = append([]sq.Sqlizer(nil), q.q.Where...)
	q.q.OrderBy = append([]string(nil), q.q.OrderBy...)
	q.q.Include = append([]include.Node(nil), q.q.Include...)
	return q
}

// Where adds a root filter (ANDed). Map predicates name root columns, or included columns by
// path ("posts.title"); a raw sq.Expr names the root table as {{self}}.
func (q Q[T]) Where(pred sq.Sqlizer) Q[T] {
	q = q.clone()
	if meta.NilRef(pred) {
		if q.err == nil {
			if pred == nil {
				q.err = errors.New("joinery: Where(nil)")
			} else {
				q.err = fmt.Errorf("joinery: Where(a nil %T)", pred)
			}
		}
		return q
	}
	q.q.Where = append(q.q.Where, pred)
	return q
}

// Tenant holds the query to one tenant of a multi-tenant schema (include.Tenant): the roots,
// and every include's table that carries the tenant column, are filtered by it equal to v,
// so a distributed database (Citus) routes each statement, and each subquery in it, to the
// one shard that holds the tenant. A keyset cursor (Cursor, After) then holds no tenant value, which
// a model without a field for the tenant column could not give.
func (q Q[T]) Tenant(v any) Q[T] {
	q = q.clone()
	col := ""
	if q.model != nil {
		col = q.model.Tenant()
	}
	if col == "" {
		if q.err == nil {
			name := "?"
			if q.model != nil {
				name = q.model.Name()
			}
			q.err = fmt.Errorf("%w: Tenant: model %s carries no tenant column: declare the schema with include.Tenant, and do not list %s among its shared models",
				builder.ErrInclude, name, name)
		}
		return q
	}
	q.q.Where = append(q.q.Where, sq.Eq{col: v})
	q.q.OneTenant, q.q.TenantValue = true, v
	return q
}

// Include adds includes: dotted paths ("posts.comments") or include.Node values.
func (q Q[T]) Include(items ...any) Q[T] {
	q = q.clone()
	nodes, err := include.Tree(items...)
	if err != nil && q.err == nil {
		q.err = err
	}
	q.q.Include = append(q.q.Include, nodes...)
	return q
}

// OrderBy adds root order terms: "name", "name DESC", "posts.created_at DESC".
func (q Q[T]) OrderBy(terms ...string) Q[T] {
	q = q.clone()
	q.q.OrderBy = append(q.q.OrderBy, terms...)
	return q
}

// Columns selects a subset of the root's columns; its key is selected anyway.
func (q Q[T]) Columns(cols ...string) Q[T] {
	q = q.clone()
	q.q.Columns, q.q.HasColumns = append([]string(nil), cols...), true
	return q
}

// Unscoped lifts the root model's default scope.
func (q Q[T]) Unscoped() Q[T] {
	q = q.clone()
	q.q.Unscoped = true
	return q
}

// Compute adds values computed for each root, in the same statement: aggregates of its
// to-many associations (include.Count("tasks").Where(open).As("open_tasks"),
// include.Max("tasks", "updated_at").As("last_update")) or expressions over its table
// (include.Expr("UPPER({{self}}.name)").As("upper_name")). Each lands on the struct field
// tagged `joinery:"computed:<name>"` (or the map key <name>), and OrderBy can name it. An
// include computes values for its rows with include.Node.Compute.
func (q Q[T]) Compute(vals ...include.Value) Q[T] {
	q = q.clone()
	out := make([]include.Computed, 0, len(q.q.Computed)+len(vals))
	out = append(out, q.q.Computed...)
	for _, v := range vals {
		out = append(out, v.Computed())
	}
	q.q.Computed = out
	return q
}

// Limit returns at most n roots, each with all of its included children: with a to-many
// include the roots are limited in a subquery and the includes joined outside it.
func (q Q[T]) Limit(n uint64) Q[T] {
	q = q.clone()
	q.q.Limit, q.q.HasLimit, q.q.LimitArg = n, true, nil
	return q
}

// LimitParam is Limit with the number bound per run (Bind) under the name p: a page size
// chosen per call reuses the compiled plan. The bound value must be a non-negative integer.
// The statement is planned as for a small page (a Limit of at most 1,000).
func (q Q[T]) LimitParam(p Param) Q[T] {
	q = q.clone()
	q.q.Limit, q.q.HasLimit, q.q.LimitArg = 0, false, p
	return q
}

// Offset skips the first n roots in the root order.
func (q Q[T]) Offset(n uint64) Q[T] {
	q = q.clone()
	q.q.Offset, q.q.OffsetArg = n, nil
	return q
}

// OffsetParam is Offset with the number bound per run (Bind) under the name p; the bound
// value must be a non-negative integer.
func (q Q[T]) OffsetParam(p Param) Q[T] {
	q = q.clone()
	q.q.Offset, q.q.OffsetArg = 0, p
	return q
}

// After returns the roots after cursor in the root order (keyset pagination); build the
// cursor with Cursor from the last root of the previous page.
func (q Q[T]) After(c Cursor) Q[T] {
	q = q.clone()
	q.q.After = append([]any(nil), c.Values...)
	q.q.AfterOrder = c.order
	return q
}

// Cursor is a keyset position: the values of the root order columns and the primary key of
// one root. One made by Q.Cursor remembers the order it was made under, and a query of
// another order refuses it (one built by hand, Cursor{Values: ...}, is taken as it is).
type Cursor struct {
	Values []any
	order  string
}

// Cursor builds the keyset cursor of root under q's order (root columns and values computed
// for the roots; the primary key is added as a tiebreaker).
func (q Q[T]) Cursor(root T) (Cursor, error) {
	if q.err != nil {
		return Cursor{}, q.err
	}
	parts, err := builder.KeysetColumns(q.schema, q.q)
	if err != nil {
		return Cursor{}, err
	}
	c := Cursor{order: builder.KeysetSignature(parts)}
	selected := map[string]bool{} // Columns: the attributes the roots were loaded with
	for _, n := range q.q.Columns {
		selected[n] = true
	}
	for _, a := range q.model.Attrs() {
		if slices.Contains(q.model.PrimaryKeyView(), a.Column) {
			selected[a.Name] = true // (the key is always loaded)
		}
	}
	rv := reflect.ValueOf(root)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return Cursor{}, errors.New("joinery: Cursor of a nil root")
		}
		rv = rv.Elem()
	}
	for _, p := range parts {
		if m, ok := any(root).(map[string]any); ok {
			v, ok := m[p.Attr]
			if !ok {
				return Cursor{}, fmt.Errorf("joinery: Cursor: the root has no %q (select it)", p.Attr)
			}
			c.Values = append(c.Values, v)
			continue
		}
		a, _ := q.model.Attr(p.Attr)
		if p.Computed {
			a, _ = q.model.ComputedAttr(p.Attr)
		} else if q.q.HasColumns && !selected[p.Attr] && !selected[a.Column] {
			return Cursor{}, fmt.Errorf("joinery: Cursor: the order's %q is not among the query's Columns, so the root does not hold it (select it)", p.Attr)
		}
		if a.Index == nil {
			return Cursor{}, fmt.Errorf("joinery: Cursor: no field for %q", p.Attr)
		}
		c.Values = append(c.Values, rv.FieldByIndex(a.Index).Interface())
	}
	return c, nil
}

// Shape is the form of the statement a query compiles to.
type Shape = builder.Shape

// Statement shapes: see builder.ShapeAuto, builder.ShapeFlat, builder.ShapeUnion and
// builder.ShapePipeline.
const (
	ShapeAuto     = builder.ShapeAuto
	ShapeFlat     = builder.ShapeFlat
	ShapeUnion    = builder.ShapeUnion
	ShapePipeline = builder.ShapePipeline
)

// Shape overrides the statement's form. By default (ShapeAuto) a tree with includes (to-one
// chains too: measured in bench/, W2) compiles to a UNION ALL with one branch per include,
// which sends each object's columns once instead of once per row of every sibling; a query
// without includes, one whose root filter names an included column, streaming (Each, Iter),
// and a dialect without what the branches need (window functions for ordered or limited
// branches, WITH for a page of roots) compile to a flat JOIN. Plan().Explain() says which
// shape was chosen and why (Plan.Why).
func (q Q[T]) Shape(s Shape) Q[T] {
	q = q.clone()
	q.q.Shape = s
	return q
}

// Plan compiles the query. A query value compiles once: running it again reuses the plan
// (the predicates it was given are read when it first compiles, so do not change a map
// predicate such as sq.Eq after passing it). The plan returned is a copy of the cached one
// (builder.Plan.Clone), so changing it changes nothing the query runs. A query with Params
// bound by Bind gets the cached plan with the values in place of the Params.
func (q Q[T]) Plan() (*builder.Plan, error) { return cloned(q.compile(kindPlain)) }

// PlanPipelined compiles the query for a driver that sends several statements in one round
// trip (joinery/pgx, and a *sql.DB on pgx's stdlib driver once joinery/pgx is imported):
// where ShapeAuto would pick the UNION ALL of branches it picks, on PostgreSQL, ShapeLevels
// (a statement per level, filtered by its parent rows' keys as one array; the runner sends
// the levels whose keys are in hand in one batch), which bench/ measured faster than the
// pipeline and the UNION ALL on every workload; on a dialect without array parameters, and
// on Citus, ShapePipeline (the same branches as statements of their own, in one batch)
// unless the roots are a small page (a Limit of at most 1,000), where the one statement is
// faster. An explicit Shape is kept. Cached like Plan.
func (q Q[T]) PlanPipelined() (*builder.Plan, error) { return cloned(q.compile(kindPiped)) }

// PlanPipelinedDistant is PlanPipelined for a connection whose round trip costs more than
// computing the roots again (builder.Query.Distant): in the per-level shape the root's
// to-many includes go in the roots' batch, linked by a semi-join on the roots, a round trip
// less. joinery/pgx picks it when the round trips it measures (the first batch's BEGIN)
// average more than half a millisecond. Cached like Plan.
func (q Q[T]) PlanPipelinedDistant() (*builder.Plan, error) { return cloned(q.compile(kindFar)) }

// pipelinedPlan is the cached plan for a pipelining driver: distant's, or the nearby one.
func (q Q[T]) pipelinedPlan(distant bool) (*builder.Plan, error) {
	if distant {
		return q.compile(kindFar)
	}
	return q.compile(kindPiped)
}

// PlanOne compiles the statement One runs: the roots limited to one (LIMIT 1), each with all
// of its children. Cached like Plan.
func (q Q[T]) PlanOne() (*builder.Plan, error) { return cloned(q.compile(kindOne)) }

// PlanEach compiles the statement Each and Iter run: the flat JOIN ordered so that each
// root's rows are contiguous. Cached like Plan.
func (q Q[T]) PlanEach() (*builder.Plan, error) { return cloned(q.compile(kindEach)) }

// cloned is the copy of a cached plan that is handed out (builder.Plan.Clone): what the
// caller does with it cannot change the plan the query runs.
func cloned(p *builder.Plan, err error) (*builder.Plan, error) {
	if err != nil {
		return nil, err
	}
	return p.Clone(), nil
}

type planKind int

const (
	kindPlain planKind = iota
	kindPiped
	kindFar
	kindEach
	kindCount
	kindOne
)

// compile returns the query's plan of kind k, compiled once per query value (Bind keeps the
// cache: a bound run only puts its values in the cached plan's arguments).
func (q Q[T]) compile(k planKind) (*builder.Plan, error) {
	if q.err != nil {
		return nil, q.err
	}
	if q.dialect == nil {
		return nil, errors.New("joinery: no dialect: pass dialects.Postgres, dialects.MySQL or dialects.SQLite to Query")
	}
	c := q.cache.of(k)
	c.once.Do(func() {
		defer func() {
			// a panic in the builder (a bug of ours, or a caller's Sqlizer) must not leave
			// the once done with no plan: every later call would misbehave
			if p := recover(); p != nil {
				c.plan, c.err = nil, fmt.Errorf("joinery: compiling the query panicked: %v", p)
			}
		}()
		bq := q.q
		switch k {
		case kindPiped:
			bq.Pipelining = true
		case kindFar:
			bq.Pipelining, bq.Distant = true, true
		case kindEach:
			bq.Stream = true
		case kindOne:
			// one root, with all of its children; a LimitParam stays (its value may be 0)
			if bq.LimitArg == nil && (!bq.HasLimit || bq.Limit > 1) {
				bq.HasLimit, bq.Limit = true, 1
			}
		}
		if k == kindCount {
			c.plan, c.err = builder.CompileCount(q.schema, q.dialect, bq)
		} else {
			c.plan, c.err = builder.Compile(q.schema, q.dialect, bq)
		}
		if k == kindOne && c.err != nil && !q.q.HasLimit && q.q.LimitArg == nil {
			// a query no limit can express (a root filter on a to-many include): One
			// takes the first root of the query as All runs it
			c.plan, c.err = builder.Compile(q.schema, q.dialect, q.q)
		}
		if c.err == nil {
			c.params = paramsOf(c.plan)
		}
	})
	if c.err != nil {
		return nil, c.err
	}
	// (Count's statement has part of the query's filters: optional includes' do not count)
	return bind(c.plan, c.params, q.bound, k == kindCount)
}

// ToSql implements squirrel.Sqlizer: the statement and its arguments.
func (q Q[T]) ToSql() (string, []any, error) {
	p, err := q.compile(kindPlain)
	if err != nil {
		return "", nil, err
	}
	sql, args, err := p.ToSql()
	return sql, slices.Clone(args), err
}

// All runs the query and returns every root with its includes.
func (q Q[T]) All(ctx context.Context, db Querier) ([]T, error) { return q.all("All", ctx, db) }

// all runs All for op (All or One).
func (q Q[T]) all(op string, ctx context.Context, db Querier) ([]T, error) {
	kind := kindPlain
	if op == "One" {
		kind = kindOne // LIMIT 1 on the roots
	}
	p, err := q.compile(kind) // (compile errors first, before any connection is taken)
	if err != nil {
		return nil, err
	}
	if err := checkRun(op, ctx, db); err != nil {
		return nil, err
	}
	var out []T
	fold := func(rows hydrate.Rows, p *builder.Plan, err error) error {
		if err != nil {
			return err
		}
		out, err = hydrate.All[T](rows, p.Map)
		return err
	}
	// over the driver connection when db lends it and an adapter runs it (see rawsql.go),
	// else database/sql's rows
	ok, err := withDriver(ctx, db, func(c *driverConn) error {
		r, plan := c.runner(), p
		if r == nil {
			return errNoAdapter
		}
		if r.Pipeline != nil && kind == kindPlain {
			// the connection pipelines: the plan for a pipelining driver
			pp, err := q.pipelinedPlan(r.Distant != nil && r.Distant()) // (the cached plan: handing out a copy is for callers)
			if err != nil {
				return err
			}
			plan = pp
		}
		if plan.Shape == builder.ShapePipeline && r.Pipeline != nil {
			rows, err := r.Pipeline(plan)
			return fold(rows, plan, err)
		}
		if plan.Shape == builder.ShapeLevels && r.Levels != nil {
			rows, err := r.Levels(plan)
			return fold(rows, plan, err)
		}
		rows, err := run(r.Query, plan)
		return fold(rows, plan, err)
	})
	if !ok {
		rows, err2 := run(sqlQuery(ctx, db), p)
		err = fold(rows, p, err2)
	}
	if err != nil {
		return nil, fmt.Errorf("joinery: %w", err)
	}
	return out, nil
}

// checkRun returns the error for a run that cannot start: a nil context or Querier (a nil
// pointer of a known Querier type, or of any pointer type, counts), where database/sql
// would panic. (A query that does not compile reports that first.)
func checkRun(op string, ctx context.Context, db Querier) error {
	if ctx == nil {
		return fmt.Errorf("joinery: %s: nil context (pass context.Background() or a request's context)", op)
	}
	if isNilQuerier(db) {
		return fmt.Errorf("joinery: %s: nil Querier", op)
	}
	return nil
}

func isNilQuerier(db Querier) bool {
	switch x := db.(type) {
	case nil:
		return true
	case *sql.DB:
		return x == nil
	case *sql.Conn:
		return x == nil
	case *sql.Tx:
		return x == nil
	case *sqlx.DB:
		return x == nil || x.DB == nil
	case *sqlx.Tx:
		return x == nil || x.Tx == nil
	}
	// another Querier: a nil pointer, map, func or chan behind the interface
	switch v := reflect.ValueOf(db); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Chan, reflect.Slice:
		return v.IsNil()
	}
	return false
}

// queryFunc runs one statement.
type queryFunc func(query string, args []any) (hydrate.Rows, error)

// sqlQuery runs statements through database/sql. A context that has ended runs no further
// statement (a pipeline's next one): a *sql.DB would refuse it anyway, but a *sql.Conn or a
// *sql.Tx would hand it to the driver, and lib/pq closes a connection whose query starts
// under an ended context.
func sqlQuery(ctx context.Context, db Querier) queryFunc {
	return func(query string, args []any) (hydrate.Rows, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rows, err := db.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, ctxError(ctx, err)
		}
		return rows, nil
	}
}

// run runs p's statement, or a pipelined plan's statements one after another (each opened
// when the previous one's rows are read).
func run(query queryFunc, p *builder.Plan) (hydrate.Rows, error) {
	if p.Shape == builder.ShapeLevels {
		return runLevels(query, p)
	}
	if p.Shape != builder.ShapePipeline {
		rows, err := query(p.SQL, p.Args)
		return rows, aliasesOf(namedArg(err, p.ArgSource), p)
	}
	return hydrate.Parts(p.Map, p.ResultColumns(), p.Parts(), func(i int) (hydrate.Rows, error) {
		rows, err := query(p.Statements[i].SQL, p.Statements[i].Args)
		return rows, aliasesOf(namedArg(err, p.Statements[i].ArgSource), p)
	}, nil)
}

// aliasWord finds joinery's table aliases (t0, t1, ...) in a database's error.
var aliasWord = regexp.MustCompile(`(?:^|[^A-Za-z0-9_$])(t[0-9]+)(?:[^A-Za-z0-9_$]|$)`)

// aliasesOf gives a database's error about a statement the include paths of the table
// aliases it names: "no such column: t1.nope" says nothing of the query it came from, so
// the error adds `(t1 is include "Posts", table posts)`.
func aliasesOf(err error, p *builder.Plan) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var said []string
	for _, m := range aliasWord.FindAllStringSubmatch(err.Error(), -1) {
		for _, t := range p.Tables {
			if t.Alias != m[1] || slices.Contains(said, t.Alias) {
				continue
			}
			what := "the root"
			if t.Path != "" {
				what = strconv.Quote(t.Path)
				what = "include " + what
			}
			said = append(said, t.Alias)
			err = fmt.Errorf("%w (%s is %s, table %s)", err, t.Alias, what, t.Table)
		}
	}
	return err
}

// argNumber finds the argument database/sql could not convert in its error.
var argNumber = regexp.MustCompile(`converting argument \$(\d+) type`)

// namedArg gives an error about an argument's value the argument's place in the query, in
// the user's terms (what it is for: `root User filter`, `include "posts" Limit`, ...), for
// an error that names the argument only by its position.
func namedArg(err error, source func(int) string) error {
	if err == nil {
		return nil
	}
	m := argNumber.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	n, _ := strconv.Atoi(m[1])
	if src := source(n - 1); src != "" {
		return fmt.Errorf("%w (argument %d is a value of the %s)", err, n, src)
	}
	return err
}

// Each runs the query and calls fn with one root at a time, as soon as its rows are read:
// memory holds one root's subtree, not the whole result. The statement is a flat JOIN ordered
// by the root order (root or to-one columns) and the root's key. An error from fn stops the
// query and is returned. A panic in fn propagates to the caller, after the rows are closed
// (the connection goes back to its pool).
func (q Q[T]) Each(ctx context.Context, db Querier, fn func(T) error) error {
	return q.each("Each", ctx, db, fn)
}

func (q Q[T]) each(op string, ctx context.Context, db Querier, fn func(T) error) error {
	p, err := q.compile(kindEach)
	if err != nil {
		return err
	}
	if err := checkRun(op, ctx, db); err != nil {
		return err
	}
	if fn == nil {
		return fmt.Errorf("joinery: %s: nil callback", op)
	}
	rows, err := sqlQuery(ctx, db)(p.SQL, p.Args)
	if err != nil {
		return fmt.Errorf("joinery: %w", namedArg(err, p.ArgSource))
	}
	if done := ctx.Done(); done != nil {
		// no root is handed out once the context has ended: database/sql notices the end
		// on a goroutine of its own, and fn may have ended it itself
		inner := fn
		fn = func(v T) error {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
			return inner(v)
		}
	}
	if err := hydrate.Each(rows, p.Map, fn); err != nil {
		if errors.Is(err, errStop) {
			return nil
		}
		return fmt.Errorf("joinery: %w", err)
	}
	return nil
}

var errStop = errors.New("joinery: stop")

// Iter runs the query and yields one root at a time (see Each); breaking out of the loop
// stops the query.
//
//	for u, err := range q.Iter(ctx, db) { ... }
func (q Q[T]) Iter(ctx context.Context, db Querier) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		err := q.each("Iter", ctx, db, func(v T) error {
			if !yield(v, nil) {
				return errStop
			}
			return nil
		})
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

// Count returns the number of distinct roots matching the root filters and the required
// includes (limit and offset aside), in one statement.
func (q Q[T]) Count(ctx context.Context, db Querier) (int64, error) {
	if q.err != nil {
		return 0, q.err
	}
	if q.dialect == nil {
		return 0, errors.New("joinery: no dialect")
	}
	p, err := q.countPlan()
	if err != nil {
		return 0, err
	}
	if err := checkRun("Count", ctx, db); err != nil {
		return 0, err
	}
	return runCount(ctx, db, p)
}

// runCount runs p, a Count statement, and reads its one number.
func runCount(ctx context.Context, db Querier, p *builder.Plan) (int64, error) {
	rows, err := sqlQuery(ctx, db)(p.SQL, p.Args)
	if err != nil {
		return 0, fmt.Errorf("joinery: %w", namedArg(err, p.ArgSource))
	}
	defer rows.Close()
	var n int64
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("joinery: %w", err)
		}
		return 0, errors.New("joinery: COUNT returned no row")
	}
	if err := rows.Scan(&n); err != nil {
		return 0, fmt.Errorf("joinery: %w", err)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("joinery: %w", err)
	}
	return n, nil
}

func (q Q[T]) countPlan() (*builder.Plan, error) { return q.compile(kindCount) }

// CountSql compiles the Count statement.
func (q Q[T]) CountSql() (string, []any, error) {
	if q.err != nil {
		return "", nil, q.err
	}
	p, err := q.countPlan()
	if err != nil {
		return "", nil, err
	}
	return p.SQL, p.Args, nil
}

// One runs the query and returns the first root, or an error matching ErrNoRows and
// sql.ErrNoRows. It reads one root (LIMIT 1 on the roots; a LimitParam stays, bound as
// All binds it), except for a query no limit can express (a root filter on a to-many
// include), which it runs as All does to take the first root.
func (q Q[T]) One(ctx context.Context, db Querier) (T, error) {
	var zero T
	all, err := q.all("One", ctx, db)
	if err != nil {
		return zero, err
	}
	if len(all) == 0 {
		return zero, ErrNoRows
	}
	return all[0], nil
}
