package builder

import (
	"database/sql/driver"
	"fmt"
	"slices"
	"strconv"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/hydrate"
	"github.com/joinery/joinery/scope"
)

// ShapeLevels runs the tree level by level: one statement per node of the tree, as
// ShapePipeline, but each include's statement is filtered by the keys its parent's rows just
// brought, sent as one array parameter (`t1.user_id = ANY($1)`), instead of a semi-join that
// recomputes the parent's rows. A statement waits for the rows its keys come from (an
// include whose parent returned no rows is not sent): over database/sql each is a round
// trip; joinery/pgx sends the statements whose keys are in hand together, in one batch
// (hydrate.LevelsBatched: W1's tags and comments of the posts just read), and on a
// connection it holds runs them all in one REPEATABLE READ, READ ONLY transaction (BEGIN in
// the first batch, COMMIT in the last), so every level sees one snapshot. Each statement is
// as cheap for the server as a hand-written loader's: an index probe per key, no subquery.
// Two exceptions: the root's includes go with the roots, by the pipeline's semi-join on
// them, where reading the roots again costs less than a round trip (withRoots); and a link
// recorded without an index (include.Schema.SetIndexed, ddl.Learn) is matched by a
// semi-join on the keys the planner can hash (unindexed).
//
// ShapeAuto picks it for a pipelining driver (Query.Pipelining: joinery/pgx) on a dialect
// with array parameters that is not distributed; elsewhere it is chosen only when asked
// (Query.Shape). Measured in bench/ (paired runs), it was faster than the pipeline and the
// UNION ALL joinery/pgx sent before on W1-W5, on loopback and at +1 ms per round trip.
//
// The key is sent as an array (one per column of a multi-column link, read side by side):
// the shape needs a dialect with array parameters (Features.AnyArray, PostgreSQL);
// elsewhere Build returns ErrShape. The argument that carries the keys is a LevelKeys in Statement.Args,
// which the runner replaces (joinery's All, joinery/pgx); Statement.Keys says which rows and
// columns the keys come from (hydrate.Levels folds the rows and collects them).
const ShapeLevels Shape = ShapePipeline + 1

// LevelKeys stands in a ShapeLevels statement's arguments for the keys of the parent rows,
// filled in when the plan runs: it cannot be sent as it is.
type LevelKeys struct {
	// Path is the include whose statement the keys filter; Column its column compared
	// with them.
	Path, Column string
}

// String says what the argument is, for goldens and errors.
func (k LevelKeys) String() string {
	return fmt.Sprintf("keys of the parents of %q (%s)", k.Path, k.Column)
}

// Value refuses to be sent: the keys are known only when the plan runs.
func (k LevelKeys) Value() (driver.Value, error) {
	return nil, fmt.Errorf("builder: the %s are filled in when the ShapeLevels plan runs: run it with joinery (All) or joinery/pgx, which read them from the parent's rows", k)
}

// levelRows is the condition for a row of include n's table to belong to its ShapeLevels
// statement: its link column among the parent keys (one array parameter), its own filters
// and required includes.
func (b *builder) levelRows(n *bnode) ([]node, error) {
	l := b.linkOf(n)
	cols := l.childCols()
	if len(l.child) == 1 {
		keys := arg{LevelKeys{Path: n.path, Column: l.child[0]}, where(n) + " parent keys"}
		if b.unindexed(n) {
			// no index to probe: a semi-join on the keys, which the planner hashes. The
			// empty array of the column's own type types the parameter (unnest alone
			// could not); COALESCE never evaluates it.
			k := pick("jr_k", b.taken)
			t, _ := n.assoc.Link()
			empty := &selectStmt{items: b.one(col{k, l.child[0]}), from: b.table(t, k), where: b.one(kw("false"))}
			return b.ownRows(b.one(seq{cols[0], kw(" IN (SELECT unnest(COALESCE("), keys, kw(", ARRAY("), empty, kw("))))")}), n)
		}
		return b.ownRows(b.one(seq{cols[0], kw(" = ANY("), keys, kw(")")}), n)
	}
	if !b.d.Features().NumberedParams {
		return nil, qErr("%w: %s links to its parent by %d columns (%s), and the per-level shape (ShapeLevels) refers to each column's array twice, which needs numbered parameters",
			ErrShape, where(n), len(l.child), strings.Join(l.child, ", "))
	}
	// several columns: an array per column, the tuples read from them side by side. Each
	// column's = ANY types its array's parameter (a subscript alone could not) and lets the
	// planner probe an index; the row value IN keeps exactly the parent tuples:
	// c1 = ANY($1) AND c2 = ANY($2) AND (c1, c2) IN (SELECT ($1)[i], ($2)[i] FROM
	// generate_subscripts($1, 1) AS i)
	arrays := make([]node, len(l.child))
	for i, c := range l.child {
		arrays[i] = arg{&shared{LevelKeys{Path: n.path, Column: c}}, where(n) + " parent keys"}
	}
	i := pick("jr_i", b.taken)
	elems := make([]node, len(arrays))
	for k, a := range arrays {
		elems[k] = seq{kw("("), a, kw(")["), ident(i), kw("]")}
	}
	w := make([]node, 0, len(cols)+1)
	for k, c := range cols {
		w = append(w, seq{c, kw(" = ANY("), arrays[k], kw(")")})
	}
	w = append(w, seq{tuple(cols), kw(" IN (SELECT "), commas(elems), kw(" FROM generate_subscripts("), arrays[0], kw(", 1) AS "), ident(i), kw(")")})
	return b.ownRows(w, n)
}

// unindexed reports whether n's link columns are recorded as having no index
// (include.Schema.SetIndexed), on a dialect with array parameters: its statement then
// matches the parent keys by a semi-join the planner can hash instead of = ANY (an array
// parameter's comparison in a generic plan is a linear search, for every row scanned).
// It notes the link in the plan's Why.
func (b *builder) unindexed(n *bnode) bool {
	if n.assoc == nil || !b.d.Features().AnyArray {
		return false
	}
	t, cols := n.assoc.Link()
	if b.schema.Indexed(t, cols) {
		return false
	}
	note := t + "(" + strings.Join(cols, ", ") + ")"
	if !slices.Contains(b.hashedLinks, note) {
		b.hashedLinks = append(b.hashedLinks, note)
	}
	return true
}

// withRoots reports whether include n's ShapeLevels statement goes in the roots' batch: a
// child of the root linked by the root's own key, under roots that are not paged or are a
// small page, when computing the roots again costs less than a round trip (Query.Distant)
// or nothing to speak of (rootPinned: one root, found by its key; rootsCheap: the roots
// without a filter, all of them or a first page in key order). It is then linked by the
// pipeline's semi-join on the roots, and takes no keys.
func (b *builder) withRoots(n *bnode) bool {
	q := &b.query
	return q.Shape == ShapeLevels && n.parent == b.root && n.assoc != nil &&
		(!q.paged() || q.smallPage()) && sameInts(n.hnode.ParentLink, b.root.hnode.Key) &&
		(q.Distant || b.rootPinned() || b.cheap)
}

// rootsCheap reports whether reading the roots again costs next to nothing: they have no
// filter (no where, default scope, cursor or required include), and are either every row
// of the table (a semi-join on it is cheaper than sending every key) or a first page in the
// order of the primary key (LIMIT n reads n entries of its index; no offset). Measured on
// the Sequelize stress case 098 (the first 50 users by id -> posts + projects): a round
// trip less saved about 0.2 ms of 1.1. A sort on another column or a filter is work the
// semi-join would repeat (W4, W5: the first users by name).
func (b *builder) rootsCheap(terms []term) (bool, error) {
	q := &b.query
	if q.Offset > 0 || q.OffsetArg != nil {
		return false, nil
	}
	for _, c := range b.root.children {
		if c.opts.Required {
			return false, nil
		}
	}
	if w, err := b.rootWhere(nil, terms); err != nil || len(w) > 0 {
		return false, err
	}
	if !q.paged() {
		return true, nil
	}
	pk := b.root.pk
	if len(terms) < len(pk) {
		return false, nil
	}
	for i, t := range terms[:len(pk)] {
		if t.n != b.root || t.through || t.expr != nil || t.col.name != pk[i] {
			return false, nil
		}
	}
	return true, nil
}

// rootPinned reports whether the root's filters pick at most one row by its primary key:
// an equality (sq.Eq, alone or in an sq.And) on every key column with one value each, not
// a list and not NULL. Found once per compile.
func (b *builder) rootPinned() bool {
	if b.pinned == 0 {
		b.pinned = 1
		m := b.root.model
		column := func(name string) string {
			if a, ok := m.Attr(name); ok && !strings.Contains(name, ".") {
				return a.Column
			}
			return ""
		}
		if pinsKey(b.query.Where, b.root.pk, column) {
			b.pinned = 2
		}
	}
	return b.pinned == 2
}

// pinsKey reports whether the conjunction of ws has an equality on each of the key columns
// (column resolves a map predicate's name to its column).
func pinsKey(ws []sq.Sqlizer, key []string, column func(string) string) bool {
	if len(key) == 0 {
		return false
	}
	pinned := 0
	var walk func(ws []sq.Sqlizer)
	walk = func(ws []sq.Sqlizer) {
		for _, w := range ws {
			switch v := w.(type) {
			case sq.And:
				walk(v)
			case sq.Eq:
				for name, val := range v {
					if i := slices.Index(key, column(name)); i >= 0 && i < 63 && scope.OneValue(val) {
						pinned |= 1 << i
					}
				}
			}
		}
	}
	walk(ws)
	return pinned == 1<<len(key)-1
}

// finishLevels builds a ShapeLevels plan: the pipeline's statements with each include
// linked to its parent's keys (levelRows), and what the runner needs to fill them in.
func (b *builder) finishLevels(terms []term) (*Plan, error) {
	f := b.d.Features()
	if !f.AnyArray {
		return nil, qErr("%w: the per-level shape (ShapeLevels) sends each level's parent keys as one array parameter (= ANY($n)), and %s has no array parameters: use ShapePipeline, ShapeUnion or ShapeFlat", ErrShape, b.d.Name())
	}
	if err := b.unionable(terms, true); err != nil {
		return nil, err
	}
	if b.plan.Why == "" {
		b.plan.Why = "asked for (Shape)"
	}
	var err error
	if b.cheap, err = b.rootsCheap(terms); err != nil {
		return nil, err
	}
	p, err := b.finishUnion(terms, true)
	if err != nil {
		return nil, err
	}
	p.Shape = ShapeLevels
	b.exportColumns()
	// the result column of each column alias
	result := map[string]int{}
	for i, c := range p.ResultColumns() {
		result[c] = i
	}
	for _, n := range b.nodes[1:] {
		if n.opts.FilterOnly {
			continue
		}
		st := &p.Statements[n.hnode.Branch]
		if b.withRoots(n) {
			st.Keys.From = -1 // (in the roots' batch, by a semi-join)
			continue
		}
		// (statement i returns branch i; a branch's parent is a branch)
		st.Keys.From = n.parent.hnode.Branch
		for _, pl := range n.hnode.ParentLink {
			st.Keys.Cols = append(st.Keys.Cols, result[n.parent.hnode.Cols[pl].Column])
		}
		// the parent's own key, from a statement with a row per parent object (not a
		// target read through a join table, which repeats per link): distinct already
		st.Keys.Distinct = n.parent.jalias == "" && sameInts(n.hnode.ParentLink, n.parent.hnode.Key)
		for j, a := range st.Args {
			if _, ok := a.(LevelKeys); ok {
				st.KeyArgs = append(st.KeyArgs, j)
			}
		}
		if len(st.KeyArgs) != len(st.Keys.Cols) {
			return nil, fmt.Errorf("builder: internal error: the statement of %s has %d key arguments for %d key columns", where(n), len(st.KeyArgs), len(st.Keys.Cols))
		}
	}
	p.Statements[0].Keys.From = -1
	return p, nil
}

// Keys lists, for each of a ShapeLevels plan's Statements, where its keys come from (see
// hydrate.Levels).
func (p *Plan) Keys() []hydrate.Keys {
	out := make([]hydrate.Keys, len(p.Statements))
	for i, st := range p.Statements {
		out[i] = st.Keys
	}
	return out
}

// explainLevels says, for a ShapeLevels plan, which statement's rows fill each statement's
// keys.
func (p *Plan) explainLevels(b *strings.Builder) {
	cols := p.ResultColumns()
	b.WriteString("round trips: the statements of one are sent in one batch by joinery/pgx (and over database/sql with its driver adapter); over *sql.Rows each statement is one\n")
	keys, trip, end := p.Keys(), 0, 0
	for i, st := range p.Statements {
		if i == end {
			end, trip = hydrate.WaveEnd(keys, i), trip+1
		}
		fmt.Fprintf(b, "statement %d: branch %d", i+1, st.Part.Branch)
		if st.Keys.From >= 0 {
			names := make([]string, len(st.Keys.Cols))
			for k, c := range st.Keys.Cols {
				names[k] = cols[c]
				for _, ca := range p.Columns {
					if ca.Alias == cols[c] {
						names[k] = ca.Alias + " (" + ca.Path + ")"
					}
				}
			}
			args := make([]string, len(st.KeyArgs))
			for k, a := range st.KeyArgs {
				args[k] = "argument " + strconv.Itoa(a+1)
			}
			fmt.Fprintf(b, ", %s = the distinct %s of statement %d's rows", strings.Join(args, ", "), strings.Join(names, ", "), st.Keys.From+1)
		} else if i > 0 {
			b.WriteString(", with the roots (a semi-join on them: Distant, one root by its key, or roots without a filter)")
		}
		fmt.Fprintf(b, ", round trip %d\n", trip)
	}
}

// sameInts reports whether a and b hold the same values (in any order).
func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
