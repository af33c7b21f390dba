package builder

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/include"
)

// ErrInclude is matched (errors.Is) by errors in an include tree or a root query: an unknown
// include path or column, a bad order term.
var ErrInclude = errors.New("builder: bad query")

func qErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInclude}, args...)...)
}

// wrapQ gives err the context ctx (which part of the query it is about), wrapped once: an
// error that is already a bad query names its include and column itself and comes back as
// it is; another (a predicate that failed to render) becomes a bad query that wraps it.
func wrapQ(ctx string, err error) error {
	if errors.Is(err, ErrInclude) {
		return err
	}
	return fmt.Errorf("%w: %s: %w", ErrInclude, ctx, err)
}

// Query is what to compile: the root model, its filters, order and columns, and the includes.
type Query struct {
	Model *include.Model
	// Where filters the root; several are ANDed. Map predicates name root columns, or
	// included columns by path ("posts.title").
	Where []sq.Sqlizer
	// OrderBy terms: "name", "name DESC", or an included column by path
	// ("posts.created_at DESC", "tags.@through.added_by").
	OrderBy []string
	// Columns selects a subset of the root's columns when HasColumns is set.
	Columns    []string
	HasColumns bool
	// Unscoped lifts the root model's default scope.
	Unscoped bool
	Include  []include.Node
	// Computed are values computed for each root (include.Count(..).As(name), ...).
	Computed []include.Computed
	// Limit and Offset page the roots (not the rows): with a to-many include the roots are
	// limited in a subquery and the includes joined outside it.
	Limit, Offset uint64
	HasLimit      bool
	// LimitArg and OffsetArg, when set, are written as the LIMIT / OFFSET argument in place
	// of Limit / Offset: a parameter bound per run (a value with a ParamName method, such
	// as joinery.Param). A parameter limit plans as a small page (a Limit of at most 1,000).
	LimitArg, OffsetArg any
	// After is a keyset cursor: the values of KeysetColumns for the last root of the previous
	// page; the statement returns the roots after it in the root order.
	After []any
	// AfterOrder, when set, is the order the cursor was made under (KeysetSignature of its
	// query): a cursor of another order is an error, not a page of wrong roots.
	AfterOrder string
	// OneTenant: the query is held to the tenant TenantValue of an include.Tenant schema
	// (joinery's Q.Tenant, which also filters the roots): every include's table that carries
	// the tenant column is filtered by it too, so that a distributed database routes every
	// part of a statement (a correlated subquery, a semi-join, a CTE) to the tenant's shard;
	// a keyset cursor holds no value for the tenant column.
	OneTenant   bool
	TenantValue any
	// Shape chooses the statement's form; ShapeAuto by default.
	Shape Shape
	// Stream compiles for a fold that hands out one root at a time: the flat shape, ordered
	// so that each root's rows are contiguous.
	Stream bool
	// Pipelining says the driver sends several statements in one round trip: where it
	// would pick ShapeUnion, ShapeAuto picks ShapeLevels on a dialect with array parameters
	// (PostgreSQL; not a distributed one), else ShapePipeline, but for a small page of roots
	// (a Limit of at most 1,000).
	Pipelining bool
	// Distant (ShapeLevels) is for a connection whose round trip costs more than computing
	// the roots again: the root's to-many includes (linked by the root's key) go in the
	// roots' batch, each linked by a semi-join on the roots' filter (or their small page),
	// instead of waiting for the roots' keys: a round trip less (bench/: W3 and W4 at +1 ms).
	// A large page of roots keeps the keys (the page would be computed twice).
	Distant bool
	// shareRoots: a UNION ALL reads its roots from the WITH clause, so that their
	// conditions' arguments are written once (see union)
	shareRoots bool
}

// paged reports whether the query pages its roots (a limit or an offset).
func (q *Query) paged() bool {
	return q.HasLimit || q.LimitArg != nil || q.Offset > 0 || q.OffsetArg != nil
}

// smallPage reports whether the roots are limited to a small page: a Limit of at most
// arraysUpTo, or a parameter.
func (q *Query) smallPage() bool {
	return q.LimitArg != nil || q.HasLimit && q.Limit <= arraysUpTo
}

// limits is the query's LIMIT / OFFSET clause, nil when it has none.
func (q *Query) limits(what string) *limits {
	if !q.paged() {
		return nil
	}
	l := &limits{hasLimit: q.HasLimit || q.LimitArg != nil, limit: q.LimitArg, offset: q.OffsetArg, what: what}
	if l.limit == nil {
		l.limit = capInt64(q.Limit)
	}
	if l.offset == nil && q.Offset > 0 {
		l.offset = capInt64(q.Offset)
	}
	return l
}

type bnode struct {
	model    *include.Model
	assoc    *include.Association // nil for the root
	parent   *bnode
	path     string
	alias    string // target table alias
	jalias   string // join table alias (BelongsToMany)
	opts     *include.Resolved
	children []*bnode
	hnode    *hydrate.Node
	// its predicates, rendered once: on the target, on the join table, on the parent
	target, through, source memo
	link                    link     // to its parent (linkOf)
	pk                      []string // the model's primary key
	res                     resolver // for predicates on its table (see resolver)
	linkCol                 col      // the child's column of a one-column link, and it as a list (linkOf)
	linkCols                [1]node
	// its membership of a UNION ALL statement, made once (see membership)
	member        []node
	memberDone    bool
	memberUsePage bool
	// the values computed for each of its rows (compute.go)
	computed []*computed
}

type builder struct {
	d      dialects.Dialect
	schema *include.Schema
	query  Query
	root   *bnode
	nodes  []*bnode
	nt     int
	plan   *Plan
	// the select list's columns (the plan's Columns when it is done; see exportColumns)
	selCols []selCol
	// the names joinery adds to statements, picked so that none is a table or column of
	// the tree (see internalNames)
	pageCTE, rowNumber, oneAlias string
	// the tree's tables and columns that start with jr_ (taken), collected once
	jrNames []string
	jrDone  bool
	paths   []string // pathsOf's list
	// the UNION ALL's branches (branchStmts)
	stmtBuf []selectStmt
	itemBuf []branchItems
	// the root's conditions, rendered once, and the included nodes they name
	rootCond memo
	rootUsed map[*bnode]bool
	// maps kept for the next compile (see cleared)
	spareOrds     [2]map[*bnode][]node
	spareRootJoin map[*bnode]bool
	// paged: the UNION ALL's WITH clause holds the roots (a page of them under a root
	// limit, or all of them to write their conditions once); usedPage: the statement being
	// built reads it
	paged, usedPage bool
	// the root's filters pick one row by its key: 0 not yet known, 1 no, 2 yes (rootPinned)
	pinned int8
	// the roots cost next to nothing to read again (rootsCheap), for ShapeLevels
	cheap bool
	// the links matched by a hashed semi-join on their keys (unindexed), for the plan's Why
	hashedLinks []string
	slab        []bnode              // the tree's nodes (newNode)
	hslab       []hydrate.Node       // and their hydrate nodes
	kids        chunk[*bnode]        // the nodes' children lists (pooled)
	hkids       chunk[*hydrate.Node] // the hydrate nodes' children lists (the plan's: new per compile)
	// chunks the tree's small values come from (alloc.go)
	cols   chunk[col]
	eqs    chunk[colEq]
	lists  chunk[node]
	ints   chunk[int]
	sels   chunk[selectStmt]
	tables chunk[table]
	semis  chunk[semiJoin]
	// resolvers of predicates that name paths (see resolver)
	resolvers chunk[resolver]
	rootOpts  include.Resolved // the root's options (newBuilder)
	str       strs
}

// col is a column node from a chunk: a statement has dozens, and each boxed on its own
// would be an allocation.
func (b *builder) col(table, name string) *col { return b.cols.new(col{table, name}) }

// one is a list of one node.
func (b *builder) one(n node) []node { return b.lists.of(n) }

// table is a table reference node.
func (b *builder) table(name, alias string) *table { return b.tables.new(table{name, alias}) }

func newBuilder(schema *include.Schema, d dialects.Dialect, q Query) (*builder, error) {
	if schema == nil {
		return nil, qErr("nil schema")
	}
	if err := schema.Err(); err != nil {
		return nil, err
	}
	if q.Model == nil {
		return nil, qErr("no root model")
	}
	if d == nil {
		return nil, qErr("no dialect: pass dialects.Postgres, dialects.MySQL or dialects.SQLite")
	}
	incs, err := include.Normalize(q.Include)
	if err != nil {
		return nil, wrapQ("include tree", err)
	}
	b := getBuilder()
	b.d, b.schema, b.query, b.plan = d, schema, q, &Plan{}
	count := 1 + countIncludes(incs)
	if cap(b.slab) < count {
		b.nodes, b.slab = make([]*bnode, 0, count), make([]bnode, 0, count)
	}
	b.hslab = make([]hydrate.Node, 0, count)
	b.hkids = chunk[*hydrate.Node]{s: make([]*hydrate.Node, 0, count)} // (one array, as large as the tree)
	b.rootOpts = include.Resolved{Columns: q.Columns, HasColumns: q.HasColumns, Unscoped: q.Unscoped, Computed: q.Computed}
	rootOpts := &b.rootOpts
	b.root = b.newNode(q.Model, nil, nil, "", rootOpts)
	if err := b.resolve(b.root, incs); err != nil {
		return nil, err
	}
	if err := b.resolveComputed(); err != nil {
		return nil, err
	}
	b.pageCTE = pick("jr_p", b.taken)
	b.rowNumber = pick("jr_rn", b.taken)
	b.oneAlias = pick("jr_one", b.taken)
	return b, nil
}

// taken reports whether name (case-insensitively) is a table of the tree or a column of
// one of its models or join tables: a name joinery adds to a statement must be neither, or
// a CTE would hide a table and a derived table would have two columns of one name.
func (b *builder) taken(name string) bool {
	if hasJR(name) {
		// every name joinery adds starts with jr_: compare with the tree's few that do
		if !b.jrDone {
			b.jrDone = true
			b.treeNames(func(s string) bool {
				if hasJR(s) {
					b.jrNames = append(b.jrNames, s)
				}
				return false
			})
		}
		for _, s := range b.jrNames {
			if strings.EqualFold(s, name) {
				return true
			}
		}
		return false
	}
	return b.treeNames(func(s string) bool { return strings.EqualFold(s, name) })
}

// hasJR reports whether s starts with "jr_", in any case.
func hasJR(s string) bool {
	return len(s) >= 3 && s[0]|0x20 == 'j' && s[1]|0x20 == 'r' && s[2] == '_'
}

// treeNames calls fn with every table of the tree and every column of its models and join
// tables, until fn returns true; it reports whether one did.
func (b *builder) treeNames(fn func(string) bool) bool {
	model := func(m *include.Model) bool {
		if fn(m.Table()) {
			return true
		}
		for _, a := range m.Attrs() {
			if fn(a.Column) {
				return true
			}
		}
		return false
	}
	for _, n := range b.nodes {
		if model(n.model) {
			return true
		}
		if a := n.assoc; a != nil && a.Kind == include.BelongsToMany {
			if fn(a.ThroughTable) || a.Through != nil && model(a.Through) {
				return true
			}
			for _, c := range a.ThroughColumns() {
				if fn(c) {
					return true
				}
			}
			for _, c := range n.opts.ThroughCols {
				if fn(c) {
					return true
				}
			}
		}
	}
	return false
}

// orderCol names the root subquery's column holding the value of root order term i.
func (b *builder) orderCol(i int) string { return pick("jr_o"+strconv.Itoa(i), b.taken) }

// Build compiles q against schema for dialect d.
func Build(schema *include.Schema, d dialects.Dialect, q Query) (*Plan, error) {
	p, err := build(schema, d, q)
	if errors.Is(err, ErrTooManyParams) && !q.shareRoots && !d.Features().NumberedParams {
		// the branches repeat the root's conditions: try them once, in the WITH clause
		q.shareRoots = true
		if p, err2 := build(schema, d, q); err2 == nil {
			return p, nil
		}
	}
	return p, err
}

func build(schema *include.Schema, d dialects.Dialect, q Query) (*Plan, error) {
	if q.Shape > ShapeLevels {
		return nil, fmt.Errorf("%w: unknown Shape(%d) (shapes: ShapeAuto, ShapeFlat, ShapeUnion, ShapePipeline, ShapeLevels)", ErrShape, q.Shape)
	}
	b, err := newBuilder(schema, d, q)
	if err != nil {
		return nil, err
	}
	defer b.release()
	p, err := b.build(q)
	if err != nil {
		return nil, err
	}
	if len(b.hashedLinks) > 0 {
		p.Why += "; links without an index (include.Schema.SetIndexed), matched by a hashed semi-join on their parents' keys: " + strings.Join(b.hashedLinks, ", ")
	}
	b.exportColumns()
	return p, nil
}

// exportColumns gives the plan its Columns: what it reports of the select list, in a list
// of its own (the builder's is pooled).
func (b *builder) exportColumns() {
	if len(b.plan.Columns) == len(b.selCols) {
		return
	}
	b.plan.Columns = make([]ColumnAlias, len(b.selCols))
	for i := range b.selCols {
		b.plan.Columns[i] = b.selCols[i].ColumnAlias
	}
}

// build compiles q on b, fresh from newBuilder.
func (b *builder) build(q Query) (*Plan, error) {
	if err := b.selectColumns(); err != nil {
		return nil, err
	}
	terms, err := b.rootTerms()
	if err != nil {
		return nil, err
	}
	if q.Stream {
		// one root at a time: a flat statement whose rows of each root are contiguous
		for _, t := range terms {
			if !toOne(t.n) {
				return nil, qErr("streaming orders the roots by root or to-one columns; %q is a to-many include's column", t.text)
			}
		}
		if q.Shape == ShapeUnion {
			return nil, qErr("streaming needs the flat shape, not ShapeUnion")
		}
		q.Shape = ShapeFlat
		b.plan.Why = "streaming (Each, Iter) reads one root at a time: the flat JOIN, each root's rows contiguous"
	}
	switch q.Shape {
	case ShapeLevels:
		return b.finishLevels(terms)
	case ShapeUnion, ShapePipeline:
		if err := b.unionable(terms, q.Shape == ShapePipeline); err != nil {
			return nil, err
		}
		b.plan.Why = "asked for (Shape)"
		return b.finishUnion(terms, q.Shape == ShapePipeline)
	case ShapeFlat:
		if b.plan.Why == "" {
			b.plan.Why = "asked for (Shape)"
		}
	case ShapeAuto:
		// pipelined statements send no NULL columns and no window ordinals, but each pays
		// its own execution and, under a limit, its own page of roots: for a small page the
		// one statement wins (bench/: W4, W5)
		small := q.smallPage()
		pipeline := q.Pipelining && !small
		if !b.wantsUnion() {
			b.plan.Why = "no includes that load rows: one table"
			break
		}
		if f := b.d.Features(); q.Pipelining && f.AnyArray && !f.Distributed && b.unionable(terms, true) == nil {
			// a statement per level with its parent keys as one array: each as cheap for
			// the server as a hand-written loader's (a probe per key, no semi-join that
			// recomputes the ancestors), the levels whose keys are in hand sent together
			// (bench/: faster than the pipeline and the UNION ALL on W1-W5)
			b.query.Shape = ShapeLevels
			b.plan.Why = "the tree has includes, the driver pipelines statements (PlanPipelined) and the database takes array parameters: a statement per level, each filtered by its parent rows' keys as one array, the levels whose keys are in hand sent in one round trip"
			return b.finishLevels(terms)
		}
		if b.d.Features().Distributed && !q.OneTenant && !pipeline {
			// Citus runs a UNION ALL across shards branch by branch, each through the
			// coordinator (bench/: W1 across tenants 3.2x plain PostgreSQL, the flat JOIN
			// 1.85x, the pipeline 1.77x); held to one tenant the UNION ALL is one router
			// statement
			b.plan.Why = "the tables are distributed and the query spans tenants: the flat JOIN runs on every shard at once, where a UNION ALL would gather each branch on the coordinator"
			break
		}
		err := b.unionable(terms, pipeline)
		if err == nil {
			switch {
			case pipeline:
				b.plan.Why = "the tree has includes and the driver pipelines statements (PlanPipelined): a statement per branch, in one round trip"
			case q.Pipelining:
				b.plan.Why = "the tree has includes; the roots are a small page (a Limit of at most 1,000, or a parameter), where one statement beats a pipeline"
			default:
				b.plan.Why = "the tree has includes: one branch per include, each object's columns sent once (a flat JOIN repeats rows per sibling to-many)"
			}
			return b.finishUnion(terms, pipeline)
		}
		reason := err.Error()
		if i := strings.LastIndex(reason, "cannot express this query: "); i >= 0 {
			reason = reason[i+len("cannot express this query: "):]
		}
		b.plan.Why = "the UNION ALL of branches cannot express this query: " + reason
	}
	st, err := b.flat(terms)
	if err != nil {
		return nil, err
	}
	b.plan.Shape = ShapeFlat
	if err := b.renderStatement(st); err != nil {
		return nil, err
	}
	b.plan.Map = &hydrate.Map{Root: b.root.hnode}
	return b.plan, nil
}

func (b *builder) finishUnion(terms []term, pipeline bool) (*Plan, error) {
	b.plan.Map = &hydrate.Map{Root: b.root.hnode, Branch: branchCol}
	u, err := b.union(terms, pipeline)
	if err != nil {
		return nil, err
	}
	b.plan.Shape = ShapeUnion
	if pipeline {
		b.plan.Shape = ShapePipeline
	}
	if b.plan.Tables == nil {
		b.plan.Tables = make([]TableAlias, 0, 2*len(b.nodes))
	}
	b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: b.root.alias, Table: b.query.Model.Table(), Join: "branch 0"})
	for _, n := range b.nodes[1:] {
		if n.opts.FilterOnly {
			continue
		}
		branch := aliasName("branch ", n.hnode.Branch, branchNames[:])
		if n.jalias != "" {
			b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.jalias, Table: n.assoc.ThroughTable, Path: b.str.join(n.path, ".@through"), Join: branch})
		}
		b.plan.Tables = append(b.plan.Tables, TableAlias{Alias: n.alias, Table: n.model.Table(), Path: n.path, Join: branch})
	}
	if pipeline {
		var all []string
		for i, st := range u.stmts {
			r, err := renderPlan(st, b.d)
			if err != nil {
				return nil, err
			}
			b.plan.Statements = append(b.plan.Statements, Statement{SQL: r.sql, Args: r.args, Part: u.parts[i], lines: r.lines, sources: r.sources})
			b.plan.sources = append(b.plan.sources, r.sources...)
			b.plan.Args = append(b.plan.Args, r.args...)
			all = append(all, r.sql)
		}
		b.plan.SQL = strings.Join(all, ";\n")
		return b.plan, nil
	}
	if err := b.renderStatement(u.union); err != nil {
		return nil, err
	}
	return b.plan, nil
}

// renderStatement renders n as the plan's statement.
func (b *builder) renderStatement(n node) error {
	r, err := renderPlan(n, b.d)
	if err != nil {
		return err
	}
	b.plan.SQL, b.plan.Args, b.plan.sources, b.plan.lines = r.sql, r.args, r.sources, r.lines
	return nil
}

// hasMany reports whether any include under n loads a slice.
func (b *builder) hasMany(n *bnode) bool {
	for _, c := range n.children {
		if c.assoc.Many() || b.hasMany(c) {
			return true
		}
	}
	return false
}

func (b *builder) q(ident string) string { return b.d.Quote(ident) }

func (b *builder) newAlias() string {
	a := aliasName("t", b.nt, tableNames[:])
	b.nt++
	return a
}

// tableNames and columnNames are the first aliases, made once; branchNames the first
// branches' names in Plan.Tables.
var tableNames, columnNames, branchNames = func() (t [64]string, c [256]string, br [64]string) {
	for i := range t {
		t[i] = "t" + strconv.Itoa(i)
		br[i] = "branch " + strconv.Itoa(i)
	}
	for i := range c {
		c[i] = "c" + strconv.Itoa(i)
	}
	return
}()

// aliasName is prefix followed by i, from made when it has it.
func aliasName(prefix string, i int, made []string) string {
	if i < len(made) {
		return made[i]
	}
	return prefix + strconv.Itoa(i)
}

// countIncludes is the number of nodes of an include tree.
func countIncludes(incs []*include.Resolved) int {
	n := len(incs)
	for _, r := range incs {
		n += countIncludes(r.Children)
	}
	return n
}

func (b *builder) newNode(m *include.Model, a *include.Association, parent *bnode, path string, opts *include.Resolved) *bnode {
	// the nodes of a tree come from one slab each (sized by countIncludes), written in
	// place; a full slab is followed by a new one, never moved, so the pointers stay valid
	if len(b.slab) == cap(b.slab) {
		b.slab = make([]bnode, 0, 4)
	}
	b.slab = b.slab[:len(b.slab)+1]
	n := &b.slab[len(b.slab)-1]
	n.model, n.assoc, n.parent, n.path, n.opts, n.pk = m, a, parent, path, opts, m.PrimaryKeyView()
	if k := len(opts.Children); k > 0 {
		n.children = b.kids.make(k)
	}
	if a != nil && a.Kind == include.BelongsToMany {
		n.jalias = b.newAlias()
	}
	n.alias = b.newAlias()
	b.nodes = append(b.nodes, n)
	if len(b.hslab) == cap(b.hslab) {
		b.hslab = make([]hydrate.Node, 0, 4)
	}
	b.hslab = b.hslab[:len(b.hslab)+1]
	h := &b.hslab[len(b.hslab)-1]
	h.Path, h.Name, h.Type = path, m.Name(), m.Type()
	if k := len(opts.Children); k > 0 {
		h.Children = b.hkids.make(k)
	}
	if a != nil {
		h.Many = a.Many()
		if a.FieldName != "" {
			h.Field, h.FieldIndex = a.FieldName, a.FieldIndex
		} else {
			h.Field = a.As
		}
		if a.Through != nil {
			h.Through = a.Through.Name()
		} else {
			h.Through = a.ThroughTable
		}
		if !opts.FilterOnly {
			parent.hnode.Children = append(parent.hnode.Children, h)
		}
		parent.children = append(parent.children, n)
	}
	n.hnode = h
	return n
}

func (b *builder) resolve(parent *bnode, incs []*include.Resolved) error {
	for _, r := range incs {
		a := parent.model.Association(r.Segment)
		if a == nil {
			path := b.pathOf(parent.path, r.Segment)
			valid := parent.model.AssociationNames()
			list := "none: register associations on " + parent.model.Name() + " first"
			if len(valid) > 0 {
				list = strings.Join(valid, ", ")
			}
			return qErr("unknown include %q on %s (path %q); valid: %s", r.Segment, parent.model.Name(), path, list)
		}
		path := b.pathOf(parent.path, a.As)
		if a.Kind != include.BelongsToMany && (r.HasThCols || len(r.ThroughWhere) > 0) {
			return qErr("include %q: ThroughColumns and ThroughWhere apply only to a BelongsToMany, and %s is a %s", path, a.As, a.Kind)
		}
		if a.NoField && !r.FilterOnly {
			return qErr("include %q: %s.%s is declared with include.NoField and is never loaded: make the include FilterOnly, or give %s a field for it", path, parent.model.Name(), a.As, parent.model.Name())
		}
		if parent.opts.FilterOnly && !r.FilterOnly {
			return qErr("include %q is under %q, which is FilterOnly: mark it FilterOnly too", path, parent.path)
		}
		n := b.newNode(a.Target, a, parent, path, r)
		if err := b.resolve(n, r.Children); err != nil {
			return err
		}
	}
	return nil
}

// pathsOf is the include path of each attribute of a node at path, in a list that the
// next call reuses.
func (b *builder) pathsOf(path string, attrs []include.Attr) []string {
	out := b.paths[:0]
	for _, a := range attrs {
		out = append(out, b.pathOf(path, a.Name))
	}
	b.paths = out
	return out
}

// pathOf is the include path of seg under parent.
func (b *builder) pathOf(parent, seg string) string {
	if parent == "" {
		return seg
	}
	return b.str.join(parent, ".", seg)
}

// selectColumns assigns the column aliases and builds each node's hydrate columns.
// addCol selects tableAlias.column for node n under the next column alias and returns its
// index in n's hydrate columns.
func (b *builder) addCol(n *bnode, tableAlias, column, path string, col hydrate.Col, reported bool) int {
	col.Column = aliasName("c", len(b.selCols), columnNames[:])
	col.Desc = path
	n.hnode.Cols = append(n.hnode.Cols, col)
	b.selCols = append(b.selCols, selCol{ColumnAlias: ColumnAlias{Alias: col.Column, Table: tableAlias, Column: column, Path: path, Reported: reported}, node: n})
	return len(n.hnode.Cols) - 1
}

func (b *builder) selectColumns() error {
	total := 0
	for _, n := range b.nodes {
		total += len(n.model.Attrs()) + 2
	}
	b.selCols = slices.Grow(b.selCols[:0], total)
	// every node's hydrate columns, in one array (a node with more appends beyond its share)
	hcols := make([]hydrate.Col, total)
	add := func(n *bnode, tableAlias, column, path string, col hydrate.Col, reported bool) {
		b.addCol(n, tableAlias, column, path, col, reported)
	}
	for _, n := range b.nodes {
		if n.opts.FilterOnly {
			continue
		}
		m := n.model
		var want map[string]bool
		if n.opts.HasColumns {
			want = map[string]bool{}
			for _, c := range n.opts.Columns {
				a, ok := m.Attr(c)
				if !ok {
					return qErr("%s: unknown column %q of %s; valid: %s", where(n), c, m.Name(), strings.Join(m.AttrNames(), ", "))
				}
				if a.Hidden {
					return qErr("%s: column %q of %s is the schema's hidden tenant column: no field receives it; filter by it instead", where(n), c, m.Name())
				}
				want[a.Column] = true
			}
		}
		keyIdx := b.ints.make(len(n.pk))[:len(n.pk)]
		paths := b.pathsOf(n.path, m.Attrs())
		k := len(m.Attrs()) + 2
		n.hnode.Cols, hcols = hcols[:0:k], hcols[k:]
		for ai, a := range m.Attrs() {
			pki := slices.Index(n.pk, a.Column)
			isKey := pki >= 0
			reported := (!n.opts.HasColumns || want[a.Column]) && !a.Hidden
			if !reported && !isKey {
				continue
			}
			col := hydrate.Col{Kind: a.Type}
			if a.GoType != nil {
				col.Kind = kindOf(a.GoType)
			}
			if reported {
				col.Field = a.Name
			}
			if isKey {
				keyIdx[pki] = len(n.hnode.Cols)
			}
			add(n, n.alias, a.Column, paths[ai], col, reported)
		}
		n.hnode.Key = keyIdx
		if n.assoc != nil && n.assoc.Kind == include.BelongsToMany {
			cols, err := b.throughColumns(n)
			if err != nil {
				return err
			}
			for _, tc := range cols {
				add(n, n.jalias, tc.column, b.str.join(n.path, ".@through.", tc.name),
					hydrate.Col{Field: tc.name, Through: true, Kind: tc.kind}, true)
			}
			if !n.assoc.Unique {
				// every link is its own object: identity under the parent is the join row's key
				jm := n.assoc.Through
				n.hnode.Key = n.hnode.Key[:0]
				for _, k := range jm.PrimaryKeyView() {
					at, _ := jm.Attr(k)
					kind := at.Type
					if at.GoType != nil {
						kind = kindOf(at.GoType)
					}
					n.hnode.Key = append(n.hnode.Key, len(n.hnode.Cols))
					add(n, n.jalias, k, b.str.join(n.path, ".@through.", at.Name), hydrate.Col{Kind: kind}, false)
				}
			}
		}
		for _, cv := range n.computed {
			e, err := b.computedExpr(n, cv)
			if err != nil {
				return err
			}
			add(n, n.alias, cv.c.Name, b.pathOf(n.path, cv.c.Name), hydrate.Col{Field: cv.c.Name, Computed: true, Kind: cv.kind}, true)
			cv.column = len(b.selCols) - 1
			b.selCols[cv.column].expr = e
		}
	}
	return nil
}

func where(n *bnode) string {
	if n.path == "" {
		return "root " + n.model.Name()
	}
	return "include " + strconv.Quote(n.path)
}

type thCol struct {
	name, column string
	kind         hydrate.Kind
}

// throughColumns decides which join-table columns a BelongsToMany include selects: the ones
// asked for, else every column of a join model that has somewhere to land (all of them in
// the map form; in a struct, those with a through field). A struct target's through fields
// come from include (Model.ThroughAttrs), which names their columns with the schema's column
// mapper: each lands by its Name, the key the hydrator looks for.
func (b *builder) throughColumns(n *bnode) ([]thCol, error) {
	a := n.assoc
	jm := a.Through
	isStruct := n.model.Type() != nil
	tas := n.model.ThroughAttrs()
	attrKind := func(at include.Attr) hydrate.Kind {
		if at.GoType != nil {
			return kindOf(at.GoType)
		}
		return at.Type
	}
	// landing is the through field of the struct target that receives join-table column col
	landing := func(col string) (include.Attr, bool) {
		for _, ta := range tas {
			if ta.Column == col {
				return ta, true
			}
		}
		return include.Attr{}, false
	}
	var out []thCol
	if n.opts.HasThCols {
		for _, c := range n.opts.ThroughCols {
			tc := thCol{name: c, column: c, kind: hydrate.Any}
			if jm == nil {
				if !isIdent(c) {
					return nil, qErr("%s: join-table column %q must be a bare column name", where(n), c)
				}
				if err := a.CheckThroughColumn(c); err != nil {
					return nil, qErr("%s: %v", where(n), err)
				}
			} else {
				at, ok := jm.Attr(c)
				if !ok {
					return nil, qErr("%s: unknown join-table column %q of %s; valid: %s", where(n), c, jm.Name(), strings.Join(jm.AttrNames(), ", "))
				}
				tc = thCol{name: at.Name, column: at.Column, kind: attrKind(at)}
			}
			if ta, ok := landing(tc.column); ok {
				tc.name, tc.kind = ta.Name, kindOf(ta.GoType)
			} else if isStruct {
				return nil, qErr("%s: join-table column %q has nowhere to land in %s: add a field tagged `joinery:\"through:%s\"` or a struct field tagged `joinery:\"through\"`",
					where(n), tc.column, n.model.Name(), tc.column)
			}
			out = append(out, tc)
		}
		return out, nil
	}
	if jm != nil {
		for _, at := range jm.Attrs() {
			if at.Hidden {
				continue // (the schema's tenant column: no value receives it)
			}
			if !isStruct {
				out = append(out, thCol{name: at.Name, column: at.Column, kind: attrKind(at)})
			} else if ta, ok := landing(at.Column); ok {
				out = append(out, thCol{name: ta.Name, column: at.Column, kind: kindOf(ta.GoType)})
			}
		}
		return out, nil
	}
	// no join model: the through fields of the struct say which columns exist
	for _, ta := range tas {
		out = append(out, thCol{name: ta.Name, column: ta.Column, kind: kindOf(ta.GoType)})
	}
	return out, nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
