package builder

import "sync"

// builders holds released builders: a compile's tree nodes and SQL tree (its slab and
// chunks) serve the next compile instead of becoming garbage. What a Plan keeps (its text,
// arguments, column and table lists, the hydrator's Map, the names in them) never comes
// from the pooled parts: the Map's nodes and index lists and the names arena are made anew
// for every compile, and the plan's Columns are copied from the builder's list (exportColumns). The
// plan keeps no SQL tree: Readable prints the text with the line breaks the renderer
// recorded.
var builders sync.Pool

// getBuilder returns a builder from builders, or a new one.
func getBuilder() *builder {
	if b, ok := builders.Get().(*builder); ok {
		return b
	}
	return &builder{}
}

// release gives b back to builders after its compile, done or failed: b, and every node
// of its SQL tree, is not used again. The tree nodes are zeroed (newNode writes only some of
// a node's fields); the chunks' values and the branches' SELECTs are written anew when
// they are handed out again (see chunk.reset, branchStmts).
func (b *builder) release() {
	clear(b.selCols)
	clear(b.rootUsed)
	clear(b.spareOrds[0])
	clear(b.spareOrds[1])
	clear(b.spareRootJoin)
	clear(b.slab)
	clear(b.nodes)
	clear(b.paths)
	keep := builder{
		selCols: b.selCols[:0],
		// (maps emptied above, used again through cleared)
		rootUsed:      b.rootUsed,
		spareOrds:     b.spareOrds,
		spareRootJoin: b.spareRootJoin,
		kids:          b.kids,
		slab:          b.slab[:0],
		nodes:         b.nodes[:0],
		paths:         b.paths[:0],
		stmtBuf:       b.stmtBuf[:0],
		itemBuf:       b.itemBuf[:0],
		cols:          b.cols,
		eqs:           b.eqs,
		lists:         b.lists,
		sels:          b.sels,
		tables:        b.tables,
		semis:         b.semis,
		resolvers:     b.resolvers,
	}
	keep.cols.reset()
	keep.eqs.reset()
	keep.lists.reset()
	keep.sels.reset()
	keep.tables.reset()
	keep.semis.reset()
	keep.kids.reset()
	keep.resolvers.reset()
	*b = keep
	builders.Put(b)
}

// branchStmts returns k zeroed SELECTs and select lists for the branches of a UNION ALL.
func (b *builder) branchStmts(k int) ([]selectStmt, []branchItems) {
	if cap(b.stmtBuf) < k {
		b.stmtBuf, b.itemBuf = make([]selectStmt, 0, k), make([]branchItems, 0, k)
	}
	b.stmtBuf, b.itemBuf = b.stmtBuf[:k], b.itemBuf[:k]
	clear(b.stmtBuf)
	clear(b.itemBuf)
	return b.stmtBuf, b.itemBuf
}

// cleared returns m emptied, or a new map: a map the builder keeps for its next compile.
func cleared[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	clear(m) // (a second use within a compile)
	return m
}
