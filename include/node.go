package include

import (
	"fmt"
	"strings"

	sq "github.com/Masterminds/squirrel"
	"github.com/joinery/joinery/internal/meta"
)

// Node is one include of an include tree: an association path and what to load with it.
// Nodes are immutable values: every method returns a modified copy, so a base tree can be
// shared and forked per request.
//
// A Node made from a dotted path ("posts.comments") stands for the whole chain; its options
// apply to the last segment and the segments before it are plain optional includes.
type Node struct {
	path        string
	where       []sq.Sqlizer
	order       []string
	columns     []string
	hasColumns  bool
	required    bool
	setRequired bool
	thCols      []string
	hasThCols   bool
	thWhere     []sq.Sqlizer
	unscoped    bool
	limit       uint64
	offset      uint64
	hasLimit    bool
	limitSet    bool
	offsetSet   bool
	filterOnly  bool
	children    []Node
	computed    []Computed
	err         error
}

// New returns an include of the association path path ("posts" or "posts.comments.author").
func New(path string) Node { return Node{path: path} }

// Path is the node's path as given.
func (n Node) Path() string { return n.path }

// Where adds a filter on the included table; several are ANDed. It goes in the JOIN's ON
// clause, so an optional include stays optional. Map predicates (sq.Eq, sq.Lt, ...) name bare
// columns of the include; a raw sq.Expr names the include's table as {{self}}.
func (n Node) Where(pred sq.Sqlizer) Node {
	if n.nilPred("Where", pred) {
		return n
	}
	n.where = append(append([]sq.Sqlizer(nil), n.where...), pred)
	return n
}

// nilPred reports a nil predicate (a typed nil too, whose ToSql would dereference it) given
// to method, and keeps it as n's error.
func (n *Node) nilPred(method string, pred sq.Sqlizer) bool {
	if !meta.NilRef(pred) {
		return false
	}
	if n.err == nil {
		what := "nil"
		if pred != nil {
			what = fmt.Sprintf("a nil %T", pred)
		}
		n.err = fmt.Errorf("include %q: %s(%s)", n.path, method, what)
	}
	return true
}

// Order orders the included rows within each parent: "created_at", "created_at DESC". It is
// compiled into the statement's ORDER BY after the parent's ordering.
func (n Node) Order(terms ...string) Node {
	n.order = append(append([]string(nil), n.order...), terms...)
	return n
}

// Columns selects a subset of the include's columns. Keys needed for joining and identity
// are selected anyway and not reported. Columns() with no names selects no reported columns.
func (n Node) Columns(cols ...string) Node {
	n.columns = append([]string(nil), cols...)
	n.hasColumns = true
	return n
}

// Required makes the include an INNER JOIN: parents without a match are dropped. A required
// include under an optional parent joins inside the parent's group, so the root survives.
func (n Node) Required() Node { n.required, n.setRequired = true, true; return n }

// Optional makes the include a LEFT JOIN (the default).
func (n Node) Optional() Node { n.required, n.setRequired = false, true; return n }

// ThroughColumns selects join-table columns of a BelongsToMany; they land on the target.
func (n Node) ThroughColumns(cols ...string) Node {
	n.thCols = append([]string(nil), cols...)
	n.hasThCols = true
	return n
}

// ThroughWhere filters the join table of a BelongsToMany (inside its join group).
func (n Node) ThroughWhere(pred sq.Sqlizer) Node {
	if n.nilPred("ThroughWhere", pred) {
		return n
	}
	n.thWhere = append(append([]sq.Sqlizer(nil), n.thWhere...), pred)
	return n
}

// Limit keeps at most n included rows per parent (the newest 3 comments of each post, with
// Order), inside the same statement: LATERAL on PostgreSQL, ROW_NUMBER() elsewhere.
func (n Node) Limit(limit uint64) Node { n.limit, n.hasLimit, n.limitSet = limit, true, true; return n }

// Offset skips the first n included rows of each parent (with Limit, or alone).
func (n Node) Offset(offset uint64) Node {
	n.offset, n.hasLimit, n.offsetSet = offset, true, true
	return n
}

// FilterOnly joins the include to filter its parent (with Required and Where) but loads
// nothing from it: the parent gets no field or key for it (Sequelize's `attributes: []`).
func (n Node) FilterOnly() Node { n.filterOnly = true; return n }

// Unscoped lifts the target model's default scope for this include.
func (n Node) Unscoped() Node { n.unscoped = true; return n }

// Include adds children: dotted path strings or Nodes.
func (n Node) Include(children ...any) Node {
	kids, err := Tree(children...)
	if err != nil && n.err == nil {
		n.err = err
	}
	n.children = append(append([]Node(nil), n.children...), kids...)
	return n
}

// Tree turns a list of dotted path strings and Nodes into nodes.
func Tree(items ...any) ([]Node, error) {
	var out []Node
	for _, it := range items {
		switch v := it.(type) {
		case string:
			out = append(out, New(v))
		case Node:
			out = append(out, v)
		case *Node:
			if v == nil {
				return out, fmt.Errorf("include: nil *Node")
			}
			out = append(out, *v)
		case []Node:
			out = append(out, v...)
		default:
			return out, fmt.Errorf("include: cannot include a %T: pass a dotted path string or an include.Node", it)
		}
	}
	return out, nil
}

// Resolved is a normalized include node: one association segment with its options merged.
type Resolved struct {
	Segment      string
	Where        []sq.Sqlizer
	Order        []string
	Columns      []string
	HasColumns   bool
	Required     bool
	ThroughCols  []string
	HasThCols    bool
	ThroughWhere []sq.Sqlizer
	Unscoped     bool
	// Limit and Offset apply per parent when HasLimit; Limit 0 with HasLimit means no limit
	// (an Offset alone) unless LimitSet.
	Limit, Offset uint64
	HasLimit      bool
	LimitSet      bool
	// FilterOnly: joined to filter, nothing selected or hydrated.
	FilterOnly bool
	Children   []*Resolved
	// Computed are the values computed for each row of the include (Node.Compute).
	Computed []Computed
}

// Normalize splits dotted paths into single-segment nodes and merges nodes with the same
// path, keeping the first-seen order of siblings. Options set on two nodes of the same path
// combine: filters are ANDed, orders appended, and the later explicit columns, required flag
// and join-table columns win.
func Normalize(nodes []Node) ([]*Resolved, error) {
	var roots []*Resolved
	// the resolved nodes come from one array: at most a node per path segment
	k := 0
	for _, n := range nodes {
		k += segments(n)
	}
	slab := make([]Resolved, 0, k)
	for _, n := range nodes {
		if err := merge(&roots, n, &slab); err != nil {
			return nil, err
		}
	}
	return roots, nil
}

// segments counts the path segments of n and its children.
func segments(n Node) int {
	k := strings.Count(n.path, ".") + 1
	for _, c := range n.children {
		k += segments(c)
	}
	return k
}

func merge(list *[]*Resolved, n Node, slab *[]Resolved) error {
	if n.err != nil {
		return n.err
	}
	if strings.TrimSpace(n.path) == "" {
		return fmt.Errorf("include: empty include path")
	}
	cur := list
	var r *Resolved
	for rest, more := n.path, true; more; {
		var seg string
		seg, rest, more = strings.Cut(rest, ".")
		if seg == "" {
			return fmt.Errorf("include: bad include path %q: empty segment", n.path)
		}
		r = nil
		for _, x := range *cur {
			if strings.EqualFold(x.Segment, seg) { // aliases are unique ignoring case
				r = x
				break
			}
		}
		if r == nil {
			if len(*slab) < cap(*slab) {
				*slab = append(*slab, Resolved{Segment: seg})
				r = &(*slab)[len(*slab)-1]
			} else {
				r = &Resolved{Segment: seg}
			}
			*cur = append(*cur, r)
		}
		cur = &r.Children
	}
	r.Where = append(r.Where, n.where...)
	r.Order = append(r.Order, n.order...)
	if n.hasColumns {
		r.Columns, r.HasColumns = n.columns, true
	}
	if n.setRequired {
		r.Required = n.required
	}
	if n.hasThCols {
		r.ThroughCols, r.HasThCols = n.thCols, true
	}
	r.ThroughWhere = append(r.ThroughWhere, n.thWhere...)
	r.Computed = append(r.Computed, n.computed...)
	r.Unscoped = r.Unscoped || n.unscoped
	r.FilterOnly = r.FilterOnly || n.filterOnly
	if n.hasLimit {
		r.HasLimit = true
		if n.offsetSet {
			r.Offset = n.offset // (a later node's Limit alone keeps an earlier Offset)
		}
		if n.limitSet {
			r.Limit, r.LimitSet = n.limit, true
		}
	}
	for _, c := range n.children {
		if err := merge(&r.Children, c, slab); err != nil {
			return err
		}
	}
	return nil
}
