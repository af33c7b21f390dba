package hydrate

import (
	"errors"
	"fmt"
	"reflect"
)

// Keys says where the statement of a part run level by level (see Levels) gets the keys it
// is filtered by: the values of the result columns Cols in the rows of part From (an index
// into the parts, before this one). From is -1 for a part that needs no keys (the roots').
type Keys struct {
	From int
	Cols []int
	// Distinct says that the rows of part From hold each tuple of Cols once (they are its
	// objects' own key, a row per object): the keys are collected without a set. (A
	// repeated value would only make the array longer: `= ANY` matches a row once.)
	Distinct bool
}

// Levels reads the rows of several statements as one branch-tagged result, as Parts does,
// for statements that run one level of the tree at a time: each part's statement is filtered
// by the keys its parent's rows link by, which the fold has just read. keys[i] says which
// rows and columns hold part i's keys; open(i, arrays) runs part i's statement with them,
// once the rows of the part they come from have been read: arrays holds one slice per key
// column (arrays[k] the values of column keys[i].Cols[k], as []int64 when every value is an
// int64, []string when every one is a string, else []any), each tuple of non-NULL values
// once, in the order the rows brought them. A part whose parent rows brought no key is not
// opened at all: it has no rows. open(i, nil) runs a part with From -1.
//
// The keys are read from the fold's own cells: the rows must be folded by this package
// (All, One, Each and the map forms), which scan into them.
func Levels(m *Map, columns []string, parts []Part, keys []Keys, open func(i int, arrays []any) (Rows, error), done func() error) (CellRows, error) {
	if open == nil {
		return nil, errors.New("hydrate: Levels needs a function that opens each part's rows, got nil")
	}
	return levelRows(m, columns, parts, keys, func(w Wave) (func() (Rows, error), error) {
		return func() (Rows, error) { return open(w.Parts[0], w.Arrays[0]) }, nil
	}, false, done)
}

// Wave is a run of parts that LevelsBatched sends together: the parts after the last one
// read whose keys come from parts already read, in order. Parts lists those of them that
// are sent (a part whose parent rows brought no key is left out: it has no rows); Arrays[k]
// holds the key arrays of Parts[k] as Levels hands them to open (nil for a part with From
// -1). Last says that no part comes after the run: the wave ends the read.
type Wave struct {
	Parts  []int
	Arrays [][]any
	Last   bool
}

// LevelsBatched is Levels for a runner that sends several statements in one round trip
// (a pipeline): when the fold needs the next part's rows, send(w) is handed the wave w of
// every part from it on whose keys are already read (the tags and the comments of the posts
// just read, say), and returns a function that opens their results one after another, in
// the order of w.Parts; the fold calls it once per part of the wave, each after the rows
// before it are read. A wave with no part to send is not sent. The first wave (the roots'
// statement, and what follows it that needs no keys) is sent before LevelsBatched returns.
func LevelsBatched(m *Map, columns []string, parts []Part, keys []Keys, send func(w Wave) (func() (Rows, error), error), done func() error) (CellRows, error) {
	if send == nil {
		return nil, errors.New("hydrate: LevelsBatched needs a function that sends each wave of parts, got nil")
	}
	return levelRows(m, columns, parts, keys, send, true, done)
}

// WaveEnd is where the wave LevelsBatched sends when the fold needs part i ends (the index
// after its last part): i, and the parts after it whose keys come from parts before i, all
// read by then.
func WaveEnd(keys []Keys, i int) int {
	end := i + 1
	for end < len(keys) && keys[end].From < i {
		end++
	}
	return end
}

func levelRows(m *Map, columns []string, parts []Part, keys []Keys, send func(Wave) (func() (Rows, error), error), batch bool, done func() error) (CellRows, error) {
	if len(keys) != len(parts) {
		return nil, fmt.Errorf("%w: %d parts and %d key sources", ErrColumns, len(parts), len(keys))
	}
	lv := &levels{keys: keys, sets: make([]*keySet, len(parts)), send: send, batch: batch}
	for i, k := range keys {
		if k.From < 0 {
			continue
		}
		if k.From >= i {
			return nil, fmt.Errorf("%w: part %d takes its keys from part %d, which does not come before it", ErrColumns, i, k.From)
		}
		if len(k.Cols) == 0 {
			return nil, fmt.Errorf("%w: part %d takes its keys from no column", ErrColumns, i)
		}
		for _, c := range k.Cols {
			if c < 0 || c >= len(columns) || !containsInt(parts[k.From].Cols, c) {
				return nil, fmt.Errorf("%w: part %d takes its keys from result column %d, which part %d does not send", ErrColumns, i, c, k.From)
			}
		}
		// parts with the same source share one set
		for j := range i {
			if keys[j].From == k.From && equalInts(keys[j].Cols, k.Cols) && keys[j].Distinct == k.Distinct {
				lv.sets[i] = lv.sets[j]
				break
			}
		}
		if lv.sets[i] == nil {
			lv.sets[i] = &keySet{cols: k.Cols, seen: map[any]struct{}{}, distinct: k.Distinct}
			lv.bySource = append(lv.bySource, sourceSet{k.From, lv.sets[i]})
		}
	}
	rows, err := Parts(m, columns, parts, func(int) (Rows, error) {
		return nil, errors.New("hydrate: internal error: Levels opens its own parts")
	}, done)
	if err != nil {
		return nil, err
	}
	pr := rows.(*partRows)
	pr.lv = lv
	if batch && len(parts) > 0 {
		// the roots' statement needs no keys: sent now, so that its errors (and what the
		// runner sends with it) are known when the rows are handed out
		if err := lv.sendWave(0); err != nil {
			return nil, fmt.Errorf("statement 1 of %d: %w", len(parts), err)
		}
	}
	return pr, nil
}

// levels is the state of a Levels read: the keys collected so far, per part.
type levels struct {
	keys     []Keys
	sets     []*keySet // part i's keys (shared by parts of one source)
	bySource []sourceSet
	send     func(Wave) (func() (Rows, error), error)
	batch    bool // waves of several parts (LevelsBatched); else one part at a time

	// the wave sent last: parts up to end (exclusive), those in it opened by next
	end  int
	in   []bool // in[i]: part i was sent (indexed by part)
	next func() (Rows, error)
}

type sourceSet struct {
	from int
	set  *keySet
}

// keySet collects the distinct non-NULL tuples of some columns of a part's rows.
type keySet struct {
	cols    []int
	seen    map[any]struct{}
	seenInt map[int64]struct{}
	vals    [][]any // per column
	// ints and strs: the one column's values while every one is an int64 / a string
	ints     []int64
	strs     []string
	kind     int  // 0 none yet, 1 ints, 2 strings, 3 any
	distinct bool // (Keys.Distinct) every tuple comes once: no set
}

// openPart opens part i with its keys; skip when it has none. The parts are opened in
// order, each once the rows before it are read: part i starts a wave unless the last one
// sent holds it.
func (lv *levels) openPart(i int) (rows Rows, skip bool, err error) {
	if i >= lv.end {
		if err := lv.sendWave(i); err != nil {
			return nil, false, err
		}
	}
	if !lv.in[i] {
		return nil, true, nil
	}
	rows, err = lv.next()
	return rows, false, err
}

// sendWave sends the wave that starts at part i: i and, in batches, the parts after it
// whose keys come from parts before i (every one of which is read).
func (lv *levels) sendWave(i int) error {
	end := i + 1
	if lv.batch {
		end = WaveEnd(lv.keys, i)
	}
	if lv.in == nil {
		lv.in = make([]bool, len(lv.keys))
	}
	lv.end = end
	w := Wave{Last: end == len(lv.keys)}
	for j := i; j < end; j++ {
		var arrays []any
		if lv.keys[j].From >= 0 {
			if arrays = lv.sets[j].arrays(); arrays == nil {
				continue // no parent row brought a key: no rows
			}
		}
		lv.in[j] = true
		w.Parts = append(w.Parts, j)
		w.Arrays = append(w.Arrays, arrays)
	}
	if len(w.Parts) == 0 {
		return nil
	}
	next, err := lv.send(w)
	if err != nil {
		return err
	}
	lv.next = next
	return nil
}

// collect reads the key columns of a row of part p: cell(c) is the fold's cell of result
// column c.
func (lv *levels) collect(p int, cell func(c int) any) error {
	for _, ss := range lv.bySource {
		if ss.from != p {
			continue
		}
		if err := ss.set.add(cell); err != nil {
			return err
		}
	}
	return nil
}

// arrays is the set's values, one slice per column; nil when it has none.
func (s *keySet) arrays() []any {
	switch s.kind {
	case 0:
		return nil
	case 1:
		return []any{s.ints}
	case 2:
		return []any{s.strs}
	}
	out := make([]any, len(s.vals))
	for i, v := range s.vals {
		out[i] = v
	}
	return out
}

// add adds the current row's tuple (cell(c) is the cell of result column c) when no column is NULL
// and the set does not hold it yet.
func (s *keySet) add(cell func(c int) any) error {
	if len(s.cols) == 1 {
		c := cell(s.cols[0])
		// the common cells, read without boxing their value
		switch x := c.(type) {
		case *intSlot:
			if !x.v.Valid {
				return nil
			}
			if s.kind == 0 || s.kind == 1 {
				if s.distinct {
					s.ints, s.kind = append(s.ints, x.v.Int64), 1
					return nil
				}
				if _, ok := s.seenInt[x.v.Int64]; !ok {
					if s.seenInt == nil {
						s.seenInt = map[int64]struct{}{}
					}
					s.seenInt[x.v.Int64] = struct{}{}
					s.ints, s.kind = append(s.ints, x.v.Int64), 1
				}
				return nil
			}
		case *stringSlot:
			if !x.v.Valid {
				return nil
			}
			if s.kind == 0 || s.kind == 2 {
				if s.distinct {
					s.strs, s.kind = append(s.strs, x.v.String), 2
					return nil
				}
				if _, ok := s.seen[x.v.String]; !ok {
					s.seen[x.v.String] = struct{}{}
					s.strs, s.kind = append(s.strs, x.v.String), 2
				}
				return nil
			}
		}
		v, err := cellValue(c)
		if err != nil || v == nil {
			return err
		}
		s.toAny()
		if s.distinct {
			s.vals[0] = append(s.vals[0], v)
			return nil
		}
		k, err := keyOf(v)
		if err != nil {
			return err
		}
		if _, ok := s.seen[k]; !ok {
			s.seen[k] = struct{}{}
			s.vals[0] = append(s.vals[0], v)
		}
		return nil
	}
	if len(s.cols) > 4 {
		return fmt.Errorf("hydrate: a key of %d columns; at most 4", len(s.cols))
	}
	var tuple [4]any
	var vals [4]any
	for i, c := range s.cols {
		v, err := cellValue(cell(c))
		if err != nil || v == nil {
			return err
		}
		k, err := keyOf(v)
		if err != nil {
			return err
		}
		tuple[i], vals[i] = k, v
	}
	s.toAny()
	if _, ok := s.seen[tuple]; ok {
		return nil
	}
	s.seen[tuple] = struct{}{}
	for i := range s.cols {
		s.vals[i] = append(s.vals[i], vals[i])
	}
	return nil
}

// toAny moves the values collected as ints or strings to the general form.
func (s *keySet) toAny() {
	if s.kind == 3 {
		return
	}
	s.vals = make([][]any, len(s.cols))
	for _, x := range s.ints {
		s.vals[0] = append(s.vals[0], x)
	}
	for _, x := range s.strs {
		s.vals[0] = append(s.vals[0], x)
	}
	s.ints, s.strs, s.kind = nil, nil, 3
}

// keyOf is v as a map key: a []byte as a string, a comparable value as it is.
func keyOf(v any) (any, error) {
	if b, ok := v.([]byte); ok {
		return string(b), nil
	}
	if t := reflect.TypeOf(v); !t.Comparable() {
		return nil, fmt.Errorf("hydrate: a key value of type %T cannot be compared", v)
	}
	return v, nil
}

// cellValue is the value a fold's cell holds (nil when NULL).
func cellValue(c any) (any, error) {
	s, ok := c.(slot)
	if !ok {
		return nil, fmt.Errorf("hydrate: Levels reads the keys from the fold's cells, and was handed a %T", c)
	}
	if b, ok := s.(*bytesSlot); ok && b.v != nil {
		return append([]byte(nil), b.v...), nil // (the cell's buffer serves the next row)
	}
	return s.value(nil), nil
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
