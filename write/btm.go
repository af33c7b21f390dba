package write

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/joinery/joinery/include"
)

// link is one join row to write: the target's key and the join-table values (given ones in
// given, the scope's added in all).
type link struct {
	src   []any // the source's key, when it is not the operation's
	key   []any // the target's key (TargetKeys)
	given []colVal
	all   []colVal
}

// linkValues merges the operation's and the target's join-table values, resolves them to
// columns, checks them against the through scope and adds the scope's columns.
func (o Op) linkValues(t target, scoped []colVal, what string) (link, error) {
	a := o.as.a
	if len(o.through) == 0 && len(t.through) == 0 {
		// only resolved columns (a struct's through fields) and the scope
		l := link{key: t.key, given: t.thCols, all: t.thCols}
		if len(scoped) > 0 {
			l.all = append(append([]colVal(nil), t.thCols...), scoped...)
			for _, d := range scoped {
				for _, g := range t.thCols {
					if g.col == d.col && !equal(g.val, d.val) {
						return l, fmt.Errorf("%w: %s: join-table value %s = %v, but the through scope says %v", ErrScopeConflict, what, d.col, g.val, d.val)
					}
				}
			}
			l.all = dedupeCols(l.all)
		}
		return l, nil
	}
	merged := map[string]any{}
	for _, cv := range t.thCols {
		merged[cv.col] = cv.val
	}
	for k, v := range o.through {
		merged[k] = v
	}
	for k, v := range t.through {
		merged[k] = v
	}
	l := link{key: t.key}
	for _, k := range sortedKeys(merged) {
		c := k
		if a.Through != nil {
			at, ok := a.Through.Attr(k)
			if !ok {
				return l, badf("%s: join-table value %q is not an attribute of the join model %s (attributes: %s)", what, k, a.Through.Name(), joinCols(a.Through.AttrNames()))
			}
			c = at.Column
		} else if strings.ContainsAny(k, "\"`") {
			return l, badf("%s: join-table value %q must be a bare column name of %s", what, k, a.ThroughTable)
		}
		if slices.Contains(a.ForeignKeys, c) || slices.Contains(a.OtherKeys, c) {
			return l, badf("%s: join-table value %q is a key of the link (%s), which the operation sets", what, k, joinCols(linkCols(a)))
		}
		l.given = append(l.given, colVal{c, argOf(merged[k])})
	}
	l.all = append(l.all, l.given...)
	for _, d := range scoped {
		found := false
		for _, g := range l.given {
			if g.col == d.col {
				found = true
				if !equal(g.val, d.val) {
					return l, fmt.Errorf("%w: %s: join-table value %s = %v, but the through scope says %v", ErrScopeConflict, what, d.col, g.val, d.val)
				}
			}
		}
		if !found {
			l.all = append(l.all, d)
		}
	}
	return l, nil
}

func (o Op) prepareBTM(what string) (prepared, error) {
	a := o.as.a
	w := o.as.w
	src, err := o.sourceRow(what)
	if err != nil {
		return prepared{}, err
	}
	srcKey, err := linkKeys(src, a.SourceKeys, what)
	if err != nil {
		return prepared{}, err
	}
	thScope := defaults(a.ThroughScope, a.Through)
	b, err := newBTM(w, a, srcKey, what, thScope)
	if err != nil {
		return prepared{}, err
	}
	switch o.kind {
	case opCount:
		if err := o.noThrough(what); err != nil {
			return prepared{}, err
		}
		st, err := b.count(o)
		if err != nil {
			return prepared{}, err
		}
		return prepared{single: true, run: func(r *runner) error { return r.scanCount(st) }}, nil
	case opCreate:
		tr, err := rowOf(a.Target, o.value, "value of "+what, o.tn())
		if err != nil {
			return prepared{}, err
		}
		if err := applyScope(tr, defaults(a.Scope, a.Target), what); err != nil {
			return prepared{}, err
		}
		l, err := o.linkValues(target{}, thScope, what)
		if err != nil {
			return prepared{}, err
		}
		return prepared{run: func(r *runner) error {
			if err := w.insertModel(r, a.Target, []*row{tr}, what); err != nil {
				return err
			}
			k, err := linkKeys(tr, a.TargetKeys, what)
			if err != nil {
				return err
			}
			l.key = k
			if err := b.sameTenant(l, 0); err != nil {
				return err
			}
			return b.insertLinks(r, []link{l}, false)
		}}, nil
	}
	ts, err := o.targetRows(what, false, a.TargetKeys)
	if err != nil {
		return prepared{}, err
	}
	links := make([]link, len(ts))
	targetScope := defaults(a.Scope, a.Target)
	for i, t := range ts {
		if o.kind != opHas && o.kind != opRemove && len(targetScope) > 0 {
			if err := checkScope(t.r, targetScope, what); err != nil {
				return prepared{}, err
			}
		}
		if links[i], err = o.linkValues(t, thScope, what); err != nil {
			return prepared{}, err
		}
		if err := b.sameTenant(links[i], i+1); err != nil {
			return prepared{}, err
		}
	}
	switch o.kind {
	case opAdd:
		if !a.Unique {
			// one statement needs no transaction; links with different columns, or more
			// than one INSERT holds, get one
			ins := b.linkRows(links, false)
			single := len(ins) == 1 && ins[0].n()*len(ins[0].cols) <= w.maxArgs
			return prepared{single: single, run: func(r *runner) error { return b.runInserts(r, ins) }}, nil
		}
		return prepared{run: func(r *runner) error { return b.addUnique(r, dedupe(links)) }}, nil
	case opSet:
		if !a.Unique {
			return prepared{run: func(r *runner) error { return b.setNonUnique(r, links) }}, nil
		}
		return prepared{run: func(r *runner) error { return b.setUnique(r, dedupe(links)) }}, nil
	case opRemove:
		if err := o.noThrough(what); err != nil {
			return prepared{}, err
		}
		keys := b.keyTuples(dedupe(links))
		return prepared{single: len(b.chunks(keys)) == 1, run: func(r *runner) error {
			return b.deleteLinks(r, keys)
		}}, nil
	case opHas:
		if err := o.noThrough(what); err != nil {
			return prepared{}, err
		}
		keys := b.keyTuples(dedupe(links))
		return prepared{single: true, run: func(r *runner) error { return b.has(r, keys) }}, nil
	}
	return prepared{}, badf("%s: unknown operation", what)
}

// dedupe keeps one link per target key, the last one given (its values win).
func dedupe(links []link) []link {
	idx := newKeyIndex(len(links))
	out := make([]link, 0, len(links))
	for _, l := range links {
		if i, ok := idx.get(l.key); ok {
			out[i] = l
			continue
		}
		idx.put(l.key, len(out))
		out = append(out, l)
	}
	return out
}

// keyIndex maps keys (tuples), compared as the database stores them, to ints: single integer
// keys (the common case) without boxing.
type keyIndex struct {
	ints   map[int64]int
	others map[any]int
	tuples map[tupleKey]int
}

func newKeyIndex(n int) *keyIndex { return &keyIndex{ints: make(map[int64]int, n)} }

func (x *keyIndex) get(k []any) (int, bool) {
	if len(k) != 1 {
		i, ok := x.tuples[keyOfTuple(k)]
		return i, ok
	}
	switch v := norm(k[0]).(type) {
	case int64:
		i, ok := x.ints[v]
		return i, ok
	default:
		i, ok := x.others[v]
		return i, ok
	}
}

func (x *keyIndex) put(k []any, i int) {
	if len(k) != 1 {
		if x.tuples == nil {
			x.tuples = map[tupleKey]int{}
		}
		x.tuples[keyOfTuple(k)] = i
		return
	}
	switch v := norm(k[0]).(type) {
	case int64:
		x.ints[v] = i
	default:
		if x.others == nil {
			x.others = map[any]int{}
		}
		x.others[v] = i
	}
}

// keyTuples lists the links' keys as the join table's free other-key columns match them.
func (b *btm) keyTuples(links []link) [][]any {
	out := make([][]any, len(links))
	for i, l := range links {
		out[i] = b.match(l.key)
	}
	return out
}

// btm writes one source's links of a belongsToMany.
type btm struct {
	w      *Writer
	a      *include.Association
	srcKey []any
	what   string
	scoped []colVal
	// free lists the positions of the other-key columns that the foreign key does not share
	// (all of them but a tenant column both sides carry); shared pairs each other position
	// with the foreign-key position of the same column
	free   []int
	shared [][2]int
	// okFree and tkFree are the other-key and target-key columns at the free positions
	okFree, tkFree []string
}

func newBTM(w *Writer, a *include.Association, srcKey []any, what string, scoped []colVal) (*btm, error) {
	b := &btm{w: w, a: a, srcKey: srcKey, what: what, scoped: scoped}
	for i, c := range a.OtherKeys {
		if j := slices.Index(a.ForeignKeys, c); j >= 0 {
			b.shared = append(b.shared, [2]int{i, j})
			continue
		}
		b.free = append(b.free, i)
	}
	if len(b.free) == 0 {
		return nil, badf("%s: every column of the other key (%s) is also a column of the foreign key (%s) of join table %s: nothing tells the targets apart",
			what, joinCols(a.OtherKeys), joinCols(a.ForeignKeys), a.ThroughTable)
	}
	b.okFree, b.tkFree = pick(a.OtherKeys, b.free), pick(a.TargetKeys, b.free)
	return b, nil
}

// match is a target key's values at the free positions, as the join table's free other-key
// columns hold them.
func (b *btm) match(key []any) []any {
	if len(key) == 1 {
		return key
	}
	return pick(key, b.free)
}

// sameTenant checks that a link's target key holds the source's values in the columns the
// join table shares between its foreign key and other key (the tenant column); n numbers
// the target in errors (0: the value created).
func (b *btm) sameTenant(l link, n int) error {
	src := b.srcKey
	if l.src != nil {
		src = l.src
	}
	for _, p := range b.shared {
		if !equal(l.key[p[0]], src[p[1]]) {
			role := "value"
			if n > 0 {
				role = "target " + itoa(n)
			}
			return fmt.Errorf("%w: %s: the %s's %s is %v and the source's %s is %v, but join table %s has one %s column for both",
				ErrBadInput, b.what, role, b.a.TargetKeys[p[0]], l.key[p[0]], b.a.SourceKeys[p[1]], src[p[1]], b.a.ThroughTable, b.a.OtherKeys[p[0]])
		}
	}
	return nil
}

// fixed is the number of arguments a statement of the source's links has besides the keys
// it lists.
func (b *btm) fixed() int { return len(b.srcKey) + len(b.scoped) + 8 }

// chunks splits target keys for the statements that list them.
func (b *btm) chunks(keys [][]any) [][][]any { return b.w.chunkKeys(keys, len(b.free), b.fixed()) }

// ofSource writes "jt.fk = ? AND <through scope>" (every foreign-key column).
func (b *btm) ofSource(s *sqlBuf) {
	a := b.a
	for i, c := range a.ForeignKeys {
		if i > 0 {
			s.kw(" AND ")
		}
		s.col(a.ThroughTable, c).kw(" = ").arg(b.srcKey[i])
	}
	s.pred(a.ThroughScope, a.ThroughTable, a.Through, " AND ")
}

// linkCols lists the join table's key columns, each once.
func linkCols(a *include.Association) []string {
	out := append([]string(nil), a.ForeignKeys...)
	for _, c := range a.OtherKeys {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// insertLinks inserts join rows, one INSERT per set of columns; ignoreDup skips links that
// exist (added by a concurrent transaction).
func (b *btm) insertLinks(r *runner, links []link, ignoreDup bool) error {
	return b.runInserts(r, b.linkRows(links, ignoreDup))
}

// runInserts runs the INSERTs of join rows.
func (b *btm) runInserts(r *runner, rows []insertRows) error {
	for _, ins := range rows {
		sts, _, err := b.w.insertStatements(r, ins, b.what)
		if err != nil {
			return err
		}
		for _, st := range sts {
			if _, err := r.exec(st); err != nil {
				return err
			}
		}
	}
	return nil
}

// linkRows groups links into the INSERTs of their join rows, one per set of columns.
func (b *btm) linkRows(links []link, ignoreDup bool) []insertRows {
	a := b.a
	if len(links) > 1 {
		// in key order: two transactions adding the same links lock the unique index's
		// entries in the same order, instead of each waiting for the other's (a deadlock)
		links = slices.Clone(links)
		slices.SortStableFunc(links, func(x, y link) int {
			if c := cmpKeys(x.src, y.src); c != 0 {
				return c
			}
			return cmpKeys(x.key, y.key)
		})
	}
	type group struct {
		cols []string
		vals []any // row after row
	}
	var groups []*group
	bySig := map[string]*group{}
	var cur *group
	nk := len(a.ForeignKeys) + len(b.free)
	for _, l := range links {
		src := b.srcKey
		if l.src != nil {
			src = l.src
		}
		if cur == nil || !sameCols(cur.cols[nk:], l.all) {
			cols := append(append(make([]string, 0, nk+len(l.all)), a.ForeignKeys...), b.okFree...)
			for _, cv := range l.all {
				cols = append(cols, cv.col)
			}
			sig := strings.Join(cols, "\x00")
			cur = bySig[sig]
			if cur == nil {
				cur = &group{cols: cols}
				if len(groups) == 0 {
					// the first set of columns is sized for every link: most operations
					// have one set, and later ones grow as they need
					cur.vals = make([]any, 0, len(links)*len(cols))
				}
				bySig[sig] = cur
				groups = append(groups, cur)
			}
		}
		cur.vals = append(cur.vals, src...)
		cur.vals = append(cur.vals, b.match(l.key)...)
		for _, cv := range l.all {
			cur.vals = append(cur.vals, cv.val)
		}
	}
	out := make([]insertRows, len(groups))
	for i, g := range groups {
		out[i] = insertRows{table: a.ThroughTable, cols: g.cols, vals: g.vals, ignoreDup: ignoreDup}
	}
	return out
}

// sameCols reports whether vals name the columns cols, in order.
func sameCols(cols []string, vals []colVal) bool {
	if len(cols) != len(vals) {
		return false
	}
	for i, c := range cols {
		if vals[i].col != c {
			return false
		}
	}
	return true
}

// existing reads the source's join rows (to the targets in keys, or all when keys is nil):
// the primary key of a non-unique join model when pk is set, the other key, and the given
// columns.
func (b *btm) existing(r *runner, keys [][]any, pk []string, given []string) ([][]any, error) {
	a := b.a
	cols := append(append(append([]string(nil), pk...), b.okFree...), given...)
	chunks := [][][]any{nil}
	if keys != nil {
		chunks = b.chunks(keys)
	}
	var out [][]any
	for _, ch := range chunks {
		s := b.w.buf()
		s.kw("SELECT ")
		for i, c := range cols {
			if i > 0 {
				s.kw(", ")
			}
			s.col(a.ThroughTable, c)
		}
		s.kw(" FROM ").ident(a.ThroughTable).kw(" WHERE ")
		b.ofSource(s)
		if keys != nil {
			s.kw(" AND ")
			s.keyIn(a.ThroughTable, b.okFree, ch, false)
		}
		if len(pk) > 0 {
			s.kw(" ORDER BY ")
			for i, c := range pk {
				if i > 0 {
					s.kw(", ")
				}
				s.col(a.ThroughTable, c)
			}
		}
		st, err := s.statement()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.what, err)
		}
		rs, err := r.query(st)
		if err != nil {
			return nil, err
		}
		var block []any // rows' values, allocated 128 rows at a time
		ptrs := make([]any, len(cols))
		for rs.Next() {
			if len(block) < len(cols) {
				block = make([]any, 128*len(cols))
			}
			vals := block[:len(cols):len(cols)]
			block = block[len(cols):]
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				rs.Close()
				return nil, r.fail(err)
			}
			out = append(out, vals)
		}
		if err := rs.Close(); err != nil {
			return nil, r.fail(err)
		}
		if err := rs.Err(); err != nil {
			return nil, r.fail(err)
		}
	}
	return out, nil
}

// givenCols lists the columns some link gives a value for, sorted.
func givenCols(links []link) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range links {
		for _, g := range l.given {
			if !seen[g.col] {
				seen[g.col] = true
				out = append(out, g.col)
			}
		}
	}
	sort.Strings(out)
	return out
}

// changed reports whether stored values (in the order of cols) differ from the link's given
// values.
func changed(l link, cols []string, stored []any) bool {
	for _, g := range l.given {
		for i, c := range cols {
			if c == g.col && !sameValue(stored[i], g.val) {
				return true
			}
		}
	}
	return false
}

func (b *btm) addUnique(r *runner, links []link) error {
	if len(links) == 0 {
		return nil
	}
	given := givenCols(links)
	rows, err := b.existing(r, b.keyTuples(links), nil, given)
	if err != nil {
		return err
	}
	nf := len(b.free)
	have := newKeyIndex(len(rows))
	for i, rw := range rows {
		have.put(rw[:nf], i)
	}
	var missing, update []link
	for _, l := range links {
		i, ok := have.get(b.match(l.key))
		switch {
		case !ok:
			missing = append(missing, l)
		case changed(l, given, rows[i][nf:]):
			update = append(update, l)
		}
	}
	if err := b.updateLinks(r, update, nil); err != nil {
		return err
	}
	return b.insertLinks(r, missing, true)
}

// updateLinks writes the given values of links, one UPDATE per distinct set of values,
// identifying the join rows by the other key (unique) or by pks (non-unique, parallel to
// links).
func (b *btm) updateLinks(r *runner, links []link, pks [][]any) error {
	a := b.a
	type group struct {
		vals []colVal
		keys [][]any
	}
	var groups []*group
	bySig := map[string]*group{}
	for i, l := range links {
		if len(l.given) == 0 {
			continue
		}
		sig := fmt.Sprintf("%#v", normVals(l.given))
		g := bySig[sig]
		if g == nil {
			g = &group{vals: l.given}
			bySig[sig] = g
			groups = append(groups, g)
		}
		if pks != nil {
			g.keys = append(g.keys, pks[i])
		} else {
			g.keys = append(g.keys, b.match(l.key))
		}
	}
	var pkCols []string
	if pks != nil {
		pkCols = a.Through.PrimaryKeyView()
	}
	for _, g := range groups {
		width := len(b.free)
		if pks != nil {
			width = len(pkCols)
		}
		for _, ch := range b.w.chunkKeys(g.keys, width, len(g.vals)+b.fixed()) {
			s := b.w.buf()
			s.kw("UPDATE ").ident(a.ThroughTable).kw(" SET ")
			for i, cv := range g.vals {
				if i > 0 {
					s.kw(", ")
				}
				s.ident(cv.col).kw(" = ").arg(cv.val)
			}
			s.kw(" WHERE ")
			b.ofSource(s)
			s.kw(" AND ")
			if pks != nil {
				s.keyIn(a.ThroughTable, pkCols, ch, false)
			} else {
				s.keyIn(a.ThroughTable, b.okFree, ch, false)
			}
			if err := r.execBuf(s, b.what); err != nil {
				return err
			}
		}
	}
	return nil
}

func normVals(vals []colVal) []any {
	out := make([]any, 0, 2*len(vals))
	for _, v := range vals {
		if n, ok := v.val.(json.Number); ok {
			out = append(out, v.col, "json.Number:"+string(n)) // its text, as a VARCHAR keeps it
			continue
		}
		out = append(out, v.col, norm(v.val))
	}
	return out
}

// sameValue compares a join-table value stored with one given, as equal does, except that a
// json.Number is its text: a VARCHAR column keeps "1.50" and "1.5" apart.
func sameValue(stored, given any) bool {
	if n, ok := given.(json.Number); ok {
		return fmt.Sprint(norm(stored)) == string(n)
	}
	return equal(stored, given)
}

// deleteLinks deletes the source's join rows to the targets keys (by the other key), or by
// the join model's primary key when byPK.
func (b *btm) deleteLinks(r *runner, keys [][]any) error {
	return b.deleteWhere(r, keys, b.okFree)
}

func (b *btm) deleteWhere(r *runner, keys [][]any, cols []string) error {
	if len(keys) == 0 {
		return nil
	}
	a := b.a
	for _, ch := range b.w.chunkKeys(keys, len(cols), b.fixed()) {
		s := b.w.buf()
		s.kw("DELETE FROM ").ident(a.ThroughTable).kw(" WHERE ")
		b.ofSource(s)
		s.kw(" AND ")
		s.keyIn(a.ThroughTable, cols, ch, false)
		if err := r.execBuf(s, b.what); err != nil {
			return err
		}
	}
	return nil
}

func (b *btm) setUnique(r *runner, links []link) error {
	given := givenCols(links)
	rows, err := b.existing(r, nil, nil, given)
	if err != nil {
		return err
	}
	nf := len(b.free)
	want := newKeyIndex(len(links))
	for i, l := range links {
		want.put(b.match(l.key), i)
	}
	have := newKeyIndex(len(rows))
	var obsolete [][]any
	for i, rw := range rows {
		have.put(rw[:nf], i)
		if _, ok := want.get(rw[:nf]); !ok {
			obsolete = append(obsolete, rw[:nf:nf])
		}
	}
	var missing, update []link
	for _, l := range links {
		i, ok := have.get(b.match(l.key))
		switch {
		case !ok:
			missing = append(missing, l)
		case changed(l, given, rows[i][nf:]):
			update = append(update, l)
		}
	}
	if err := b.deleteLinks(r, obsolete); err != nil {
		return err
	}
	if err := b.updateLinks(r, update, nil); err != nil {
		return err
	}
	return b.insertLinks(r, missing, true)
}

// setNonUnique makes the source's links the multiset links: a target given n times keeps
// its n oldest links (by the join model's key), extra links are deleted, missing ones
// inserted; kept links take new values where given.
func (b *btm) setNonUnique(r *runner, links []link) error {
	given := givenCols(links)
	pk := b.a.Through.PrimaryKeyView()
	rows, err := b.existing(r, nil, pk, given)
	if err != nil {
		return err
	}
	// indices of the existing links per target, oldest first
	nf := len(b.free)
	byKey := map[tupleKey][]int{}
	for i, rw := range rows {
		k := keyOfTuple(rw[len(pk) : len(pk)+nf])
		byKey[k] = append(byKey[k], i)
	}
	kept := make([]bool, len(rows))
	var missing, update []link
	var updPK [][]any
	for _, l := range links {
		k := keyOfTuple(b.match(l.key))
		if ex := byKey[k]; len(ex) > 0 {
			rw := rows[ex[0]]
			kept[ex[0]] = true
			byKey[k] = ex[1:]
			if changed(l, given, rw[len(pk)+nf:]) {
				update = append(update, l)
				updPK = append(updPK, rw[:len(pk)])
			}
			continue
		}
		missing = append(missing, l)
	}
	var extra [][]any
	for i, rw := range rows {
		if !kept[i] {
			extra = append(extra, rw[:len(pk)])
		}
	}
	if err := b.deleteWhere(r, extra, pk); err != nil {
		return err
	}
	if err := b.updateLinks(r, update, updPK); err != nil {
		return err
	}
	return b.insertLinks(r, missing, false)
}

// fromTargets writes "FROM target INNER JOIN jt ON target.tk = jt.ok AND jt.fk = ? AND
// <through scope>".
func (b *btm) fromTargets(s *sqlBuf) {
	a := b.a
	tt := a.Target.Table()
	s.kw(" FROM ").ident(tt).kw(" INNER JOIN ").ident(a.ThroughTable).kw(" ON ")
	for i, c := range a.TargetKeys {
		s.col(tt, c).kw(" = ").col(a.ThroughTable, a.OtherKeys[i]).kw(" AND ")
	}
	b.ofSource(s)
}

// targetFilters writes the target's scope, default scope and a filter as WHERE terms.
func targetFilters(s *sqlBuf, a *include.Association, o Op, first bool) {
	tt := a.Target.Table()
	sep := " AND "
	if first {
		sep = " WHERE "
	}
	for _, sc := range []struct {
		empty bool
		fn    func(prefix string)
	}{
		{a.Scope.Empty(), func(p string) { s.pred(a.Scope, tt, a.Target, p) }},
		{a.Target.DefaultScope().Empty(), func(p string) { s.pred(a.Target.DefaultScope(), tt, a.Target, p) }},
		{o.where == nil, func(p string) { s.pred(whereScope(o.where), tt, a.Target, p) }},
	} {
		if sc.empty {
			continue
		}
		sc.fn(sep)
		sep = " AND "
	}
}

func (b *btm) count(o Op) (Statement, error) {
	s := b.w.buf()
	s.kw("SELECT COUNT(*)")
	b.fromTargets(s)
	targetFilters(s, b.a, o, true)
	st, err := s.statement()
	if err != nil {
		return st, fmt.Errorf("%s: %w", b.what, err)
	}
	return st, nil
}

func (b *btm) has(r *runner, keys [][]any) error {
	a := b.a
	found := 0
	tt := a.Target.Table()
	for _, ch := range b.chunks(keys) {
		if len(ch) == 0 {
			continue
		}
		s := b.w.buf()
		// the distinct targets linked (a non-unique join table may link one twice)
		if len(b.tkFree) == 1 {
			s.kw("SELECT COUNT(DISTINCT ").col(tt, b.tkFree[0]).kw(")")
		} else {
			s.kw("SELECT COUNT(*) FROM (SELECT DISTINCT ")
			for i, c := range b.tkFree {
				if i > 0 {
					s.kw(", ")
				}
				s.col(tt, c)
			}
		}
		b.fromTargets(s)
		s.kw(" WHERE ")
		s.keyIn(tt, b.tkFree, ch, false)
		targetFilters(s, a, Op{}, false)
		if len(b.tkFree) > 1 {
			s.kw(") ").ident("linked")
		}
		st, err := s.statement()
		if err != nil {
			return fmt.Errorf("%s: %w", b.what, err)
		}
		n, err := r.count(st)
		if err != nil {
			return err
		}
		found += int(n)
	}
	r.res.Has = found == len(keys)
	return nil
}

// count runs a SELECT COUNT and returns the number.
func (r *runner) count(st Statement) (int64, error) {
	rs, err := r.query(st)
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	var n int64
	if rs.Next() {
		if err := rs.Scan(&n); err != nil {
			return 0, r.fail(err)
		}
	}
	if err := rs.Err(); err != nil {
		return 0, r.fail(err)
	}
	return n, nil
}

func (r *runner) scanCount(st Statement) error {
	n, err := r.count(st)
	r.res.Count = n
	return err
}

// dedupeCols keeps the first value of each column.
func dedupeCols(in []colVal) []colVal {
	out := in[:0:0]
	for _, cv := range in {
		dup := false
		for _, o := range out {
			if o.col == cv.col {
				dup = true
			}
		}
		if !dup {
			out = append(out, cv)
		}
	}
	return out
}

// cmpKeys orders two key tuples as the database would order equal-typed keys: integers and
// floats by value, strings bytewise, other values by their text; a shorter tuple first.
func cmpKeys(a, b []any) int {
	for i := range min(len(a), len(b)) {
		if c := cmpValue(norm(a[i]), norm(b[i])); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func cmpValue(a, b any) int {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmp.Compare(x, y)
		case float64:
			return cmp.Compare(float64(x), y)
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return cmp.Compare(x, y)
		case int64:
			return cmp.Compare(x, float64(y))
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}
