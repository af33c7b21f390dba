// Package hydrate folds flat result rows into nested values: []T, *T or []map[string]any.
//
// It is driven only by a Map: a tree of nodes, each naming the result columns that hold its
// values and its identity, and the Go field or map key that receives it. The statement builder
// produces a Map with every Plan, and a Map can be written by hand to fold handwritten SQL.
//
// Identity is (parent identity, own key), compared as typed values: a Tag shared by two Posts
// appears under both. A node whose key columns are all NULL is absent: a nil pointer, no slice
// element; an included to-many with no rows is an empty, non-nil slice. Children keep the
// order in which they first appear in the rows. The per-row path runs precompiled setters and
// typed keys: no reflection lookups, no string formatting, no map of column names.
package hydrate

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Kind is the value kind of a column of a map node, choosing how it is scanned.
type Kind uint8

// Column kinds for map nodes. Struct nodes take the kind from the field's Go type.
const (
	Any    Kind = iota // whatever the driver returns; []byte becomes string
	Int                // int64
	Float              // float64
	String             // string
	Bool               // bool
	Time               // time.Time
	Bytes              // []byte
)

// Map describes how the columns of a result set fold into nested values.
type Map struct {
	Root *Node
	// Branch names the column that tags each row with the node it belongs to, for statements
	// that send each node's rows separately (a UNION ALL with one branch per node). Empty for
	// a flat statement, where every row is a path through the tree.
	Branch string
	// Ordinal names the column that orders each branch's rows (ROW_NUMBER() over the
	// branch's order): roots are returned, and children attached, in ordinal order; rows with
	// a NULL ordinal keep their arrival order. Optional.
	Ordinal string

	once sync.Once
	prog *program
	err  error
	src  *Map // a Clone's original, which compiles for both
}

// Node is one level of the tree: the root model or one include.
type Node struct {
	// Path names the node in errors and in Explain output: "" for the root, else the include
	// path ("posts.comments").
	Path string
	// Name is the display name of the node's Go type or model, for error field paths.
	Name string
	// Field is the Go field name (struct parents) or map key (map parents) in the parent that
	// receives this node. Unused for the root.
	Field string
	// FieldIndex, when set, is the index path of that field in a struct parent, which names
	// it where an embedded struct has another field of the same name.
	FieldIndex []int
	// Type is the struct type of the node's values; nil means map[string]any.
	Type reflect.Type
	// Many: the parent holds a slice of these.
	Many bool
	// Cols are the result columns of this node.
	Cols []Col
	// Key are indexes into Cols that form the node's identity. Required.
	Key []int
	// Through is the key under which join-table columns are nested in the map form.
	Through string
	// Children are the included nodes.
	Children []*Node

	// Branch-tagged rows (Map.Branch set): Branch is this node's tag value; a row of this
	// node is attached to every instance of the parent whose ParentLink columns (indexes into
	// the parent's Cols) equal this row's Link columns (indexes into Cols). For a HasMany the
	// link is the child's foreign key against the parent's key; for a BelongsTo, the target's
	// key against the parent's foreign key.
	Branch     int
	Link       []int
	ParentLink []int
	// Distinct is ignored: branch rows are folded by identity like flat rows, because a
	// table without a key constraint can send the same key twice however the statement is
	// written. It remains so that Maps that set it keep compiling.
	Distinct bool
}

// Col is one result column of a node.
type Col struct {
	// Column is the result column's name, as rows.Columns() reports it.
	Column string
	// Field is the db name of the struct field (struct nodes) or the key (map nodes) that
	// receives the value; "" selects the column for identity or joining without reporting it.
	Field string
	// Through marks a join-table column: in a struct it lands on the field tagged
	// `joinery:"through:<Field>"` or on the field <Field> of the struct tagged
	// `joinery:"through"`; in a map, under Node.Through.
	Through bool
	// Computed marks a value the statement computes (an aggregate, an expression): in a
	// struct it lands on the field tagged `joinery:"computed:<Field>"`; in a map, under
	// Field.
	Computed bool
	// Kind chooses the scan type of a map node's column.
	Kind Kind
	// Desc describes the column for errors ("posts.title"); optional.
	Desc string
}

// Walk calls fn for every node of the map in pre-order.
func (m *Map) Walk(fn func(n *Node, depth int)) {
	if m == nil {
		return
	}
	// a malformed tree (a nil child, a node below itself) is reported by the fold; here it
	// is skipped rather than walked forever
	seen := map[*Node]bool{}
	var rec func(n *Node, d int)
	rec = func(n *Node, d int) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		fn(n, d)
		for _, c := range n.Children {
			rec(c, d+1)
		}
	}
	rec(m.Root, 0)
}

// Columns lists the result columns the map expects, in pre-order of the nodes.
func (m *Map) Columns() []string {
	var out []string
	m.Walk(func(n *Node, _ int) {
		for _, c := range n.Cols {
			out = append(out, c.Column)
		}
	})
	return out
}

// String prints the map's tree: node paths, fields, cardinality and columns.
func (m *Map) String() string {
	var b strings.Builder
	m.Walk(func(n *Node, d int) {
		b.WriteString(strings.Repeat("  ", d))
		name := n.Path
		if name == "" {
			name = n.Name
		}
		card := "one"
		if n.Many {
			card = "many"
		}
		fmt.Fprintf(&b, "%s (%s)", name, card)
		for _, c := range n.Cols {
			f := c.Field
			if f == "" {
				f = "-"
			}
			if c.Through {
				f = "through." + f
			}
			fmt.Fprintf(&b, " %s=%s", c.Column, f)
		}
		b.WriteByte('\n')
	})
	return b.String()
}

// Clone returns a deep copy of m that shares nothing with it that can be written: its nodes,
// their columns, keys and links are copies. The copy folds as m does, with m's compiled form
// (compiled once, on the first fold by either): changing the copy's nodes changes neither
// map's folding.
func (m *Map) Clone() *Map {
	if m == nil {
		return nil
	}
	src := m
	if m.src != nil {
		src = m.src
	}
	// one array per kind of value for the whole tree
	var nodes, cols, ints, kids int
	var count func(n *Node)
	count = func(n *Node) {
		nodes++
		cols += len(n.Cols)
		ints += len(n.Key) + len(n.Link) + len(n.ParentLink)
		kids += len(n.Children)
		for _, c := range n.Children {
			count(c)
		}
	}
	if m.Root != nil {
		count(m.Root)
	}
	a := cloneArrays{
		nodes: make([]Node, 0, nodes),
		cols:  make([]Col, 0, cols),
		ints:  make([]int, 0, ints),
		kids:  make([]*Node, 0, kids),
	}
	return &Map{Root: a.node(m.Root), Branch: m.Branch, Ordinal: m.Ordinal, src: src}
}

type cloneArrays struct {
	nodes []Node
	cols  []Col
	ints  []int
	kids  []*Node
}

func (a *cloneArrays) node(n *Node) *Node {
	if n == nil {
		return nil
	}
	a.nodes = append(a.nodes, *n)
	c := &a.nodes[len(a.nodes)-1]
	c.Cols = carve(&a.cols, n.Cols)
	c.Key = carve(&a.ints, n.Key)
	c.Link = carve(&a.ints, n.Link)
	c.ParentLink = carve(&a.ints, n.ParentLink)
	if n.Children != nil {
		c.Children = carve(&a.kids, n.Children)
		for i, ch := range n.Children {
			c.Children[i] = a.node(ch)
		}
	}
	return c
}

// carve copies vs into the free part of *arr and returns the copy (nil for nil), its
// capacity its length, so that appending to it copies it out.
func carve[T any](arr *[]T, vs []T) []T {
	if vs == nil {
		return nil
	}
	n := len(*arr)
	*arr = append(*arr, vs...)
	return (*arr)[n : n+len(vs) : n+len(vs)]
}
