package hydrate

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// Part is one statement of a result sent as several (one statement per branch, as a pipeline
// of statements does): all its rows belong to branch Branch and carry, in order, the result
// columns Cols (indexes into the columns of the whole result, whose branch column the part
// does not send).
type Part struct {
	Branch int
	Cols   []int
}

// Parts reads the rows of several statements as one branch-tagged result with the given
// columns, for m (its Branch column among them): open(i) runs part i's statement and returns
// its rows, in turn, each closed before the next is opened. done, when not nil, is called
// once by Close, after the last part or on an early stop, and its error is Close's.
//
// A part's rows that are a CellRows hand their values over typed; others are scanned. Each
// row sets the branch tag, the part's own columns, and NULL in m's Ordinal column when the
// part does not send it (its rows then keep their arrival order); the fold of a branch row
// reads nothing else, so the columns of other branches are left as they are.
//
// Every column the fold reads must be sent, or rows and children would be dropped without a
// word (a NULL key is no object, a NULL link attaches nowhere): Parts refuses (ErrColumns) a
// part of a branch m does not have, a branch without a part, and a part that leaves out a
// column of its branch's node (key, field, link to its parent, column its children link to);
// the Ordinal alone may be left out. Each statement's columns are compared, by name and
// position, with those its Part names when it is opened, before its first row, so one that
// returns no row is checked too.
func Parts(m *Map, columns []string, parts []Part, open func(i int) (Rows, error), done func() error) (CellRows, error) {
	if m == nil {
		return nil, mapErr("nil Map")
	}
	if open == nil {
		return nil, errors.New("hydrate: Parts needs a function that opens each part's rows, got nil")
	}
	bi, oi := -1, -1
	for i, c := range columns {
		switch c {
		case m.Branch:
			bi = i
		case m.Ordinal:
			oi = i
		}
	}
	if m.Branch == "" || bi < 0 {
		return nil, fmt.Errorf("%w: the branch column %q is not among %v", ErrColumns, m.Branch, columns)
	}
	for _, p := range parts {
		for _, c := range p.Cols {
			if c < 0 || c >= len(columns) || c == bi {
				return nil, fmt.Errorf("%w: part of branch %d names result column %d of %d", ErrColumns, p.Branch, c, len(columns))
			}
		}
	}
	prog, err := checkParts(m, columns, parts)
	if err != nil {
		return nil, err
	}
	return &partRows{p: prog, columns: columns, branch: bi, ordinal: oi, parts: parts, open: open, done: done}, nil
}

// checkParts refuses parts that would leave a column the fold reads unset (see Parts): a
// branch row reads its node's columns, the branch tag and the ordinal, nothing else.
func checkParts(m *Map, columns []string, parts []Part) (*program, error) {
	p, err := m.program()
	if err != nil {
		return nil, err
	}
	has := make([]bool, len(p.byBranch))
	for _, part := range parts {
		if part.Branch < 0 || part.Branch >= len(p.byBranch) || p.byBranch[part.Branch] == nil {
			return nil, fmt.Errorf("%w: a part is of branch %d, which the map does not have", ErrColumns, part.Branch)
		}
		has[part.Branch] = true
		pn := p.byBranch[part.Branch]
		for j, c := range p.cols {
			if c.node != pn {
				continue
			}
			if !slices.ContainsFunc(part.Cols, func(k int) bool { return columns[k] == c.name }) {
				return nil, fmt.Errorf("%w: column %q (%s) is missing from the statement of branch %d", ErrColumns, c.name, p.describe(j), part.Branch)
			}
		}
	}
	for b, pn := range p.byBranch {
		if pn != nil && !has[b] {
			return nil, fmt.Errorf("%w: no statement returns the rows of %s (branch %d)", ErrColumns, pn.label(), b)
		}
	}
	return p, nil
}

type partRows struct {
	p       *program
	columns []string
	branch  int
	ordinal int // m.Ordinal's column, or -1
	parts   []Part
	open    func(int) (Rows, error)
	done    func() error
	next    int // the next part to open

	cur     Rows
	cells   CellRows // cur, when it hands cells over
	part    *Part
	sub     []Cell // the part's cells, for the current ScanCells call's cells
	subOf   []Cell // the cells sub was built from
	dests   []any
	err     error
	closed  bool
	nullOrd bool    // the current part does not send the ordinal
	lv      *levels // Levels: the keys each part is run with
}

func (r *partRows) Columns() ([]string, error) { return r.columns, nil }

func (r *partRows) Next() bool {
	if r.err != nil || r.closed {
		return false
	}
	for {
		if r.cur != nil {
			if r.cur.Next() {
				return true
			}
			err := r.cur.Err()
			if cerr := r.cur.Close(); err == nil {
				err = cerr
			}
			r.cur, r.cells = nil, nil
			if err != nil {
				r.err = err
				return false
			}
		}
		if r.next == len(r.parts) {
			return false
		}
		i := r.next
		r.next++
		var rows Rows
		var err error
		if r.lv != nil {
			var skip bool
			if rows, skip, err = r.lv.openPart(i); skip {
				continue // (Levels: no parent row brought a key)
			}
		} else {
			rows, err = r.open(i)
		}
		if err != nil {
			r.err = fmt.Errorf("statement %d of %d: %w", i+1, len(r.parts), err)
			return false
		}
		if isNil(rows) {
			r.err = fmt.Errorf("statement %d of %d: no rows", i+1, len(r.parts))
			return false
		}
		r.cur, r.part = rows, &r.parts[i]
		r.cells, _ = rows.(CellRows)
		r.subOf = nil
		r.nullOrd = r.ordinal >= 0 && !slices.Contains(r.part.Cols, r.ordinal)
		if err := r.check(i); err != nil {
			r.err = err
			return false
		}
	}
}

// check compares the columns statement i describes, by name and position, with the ones its
// Part names, once, before its first row: a statement that returns no row is checked too. A
// statement that failed before its first row may describe no columns (pgx reports the
// failure once the rows are read): its error is returned, not the mismatch it caused.
func (r *partRows) check(i int) error {
	cols, err := r.cur.Columns()
	if err != nil {
		return fmt.Errorf("statement %d of %d: %w", i+1, len(r.parts), err)
	}
	want := make([]string, len(r.part.Cols))
	for k, c := range r.part.Cols {
		want[k] = r.columns[c]
	}
	if slices.Equal(cols, want) {
		return nil
	}
	if !r.cur.Next() {
		if err := r.cur.Err(); err != nil {
			return fmt.Errorf("statement %d of %d: %w", i+1, len(r.parts), err)
		}
	}
	for _, name := range want {
		if j, ok := r.p.byName[name]; ok && !slices.Contains(cols, name) {
			return fmt.Errorf("%w: column %q (%s) is missing from statement %d of %d (branch %d), which returned %v", ErrColumns, name, r.p.describe(j), i+1, len(r.parts), r.part.Branch, cols)
		}
	}
	return fmt.Errorf("%w: statement %d of %d (branch %d) returned %d columns %v, want %v", ErrColumns, i+1, len(r.parts), r.part.Branch, len(cols), cols, want)
}

func (r *partRows) ScanCells(cells []Cell) error {
	if r.cur == nil {
		return errors.New("hydrate: ScanCells without a current row")
	}
	if len(cells) != len(r.columns) {
		return fmt.Errorf("hydrate: ScanCells of %d cells, want %d", len(cells), len(r.columns))
	}
	if err := cells[r.branch].SetInt(int64(r.part.Branch)); err != nil {
		return err
	}
	if r.nullOrd {
		if err := cells[r.ordinal].SetNull(); err != nil {
			return err
		}
	}
	if r.subOf == nil || &r.subOf[0] != &cells[0] {
		r.sub = r.sub[:0]
		r.dests = r.dests[:0]
		for _, c := range r.part.Cols {
			r.sub = append(r.sub, cells[c])
			r.dests = append(r.dests, cells[c])
		}
		r.subOf = cells
	}
	var err error
	if r.cells != nil {
		err = r.cells.ScanCells(r.sub)
	} else {
		err = r.cur.Scan(r.dests...)
	}
	if err == nil && r.lv != nil {
		err = r.lv.collect(r.next-1, func(c int) any { return cells[c] })
	}
	return err
}

// Scan fills dest (one per result column) the way ScanCells does: the cells of a fold are
// also sql.Scanners.
func (r *partRows) Scan(dest ...any) error {
	if r.cur == nil {
		return errors.New("hydrate: Scan without a current row")
	}
	if len(dest) != len(r.columns) {
		return fmt.Errorf("hydrate: Scan of %d destinations, want %d", len(dest), len(r.columns))
	}
	if err := convertAssign(dest[r.branch], int64(r.part.Branch)); err != nil {
		return err
	}
	if r.nullOrd {
		if err := convertAssign(dest[r.ordinal], nil); err != nil {
			return err
		}
	}
	sub := make([]any, len(r.part.Cols))
	for i, c := range r.part.Cols {
		sub[i] = dest[c]
	}
	err := r.cur.Scan(sub...)
	if err == nil && r.lv != nil {
		err = r.lv.collect(r.next-1, func(c int) any { return dest[c] })
	}
	return err
}

// convertAssign stores the branch tag (an int64) or a NULL (nil) in a Scan destination.
func convertAssign(dest any, v any) error {
	switch d := dest.(type) {
	case sql.Scanner:
		return d.Scan(v)
	case *any:
		*d = v
	case *int64:
		if n, ok := v.(int64); ok {
			*d = n
			return nil
		}
		return fmt.Errorf("hydrate: cannot store NULL in %T", dest)
	default:
		return fmt.Errorf("hydrate: cannot store %v in %T", v, dest)
	}
	return nil
}

func (r *partRows) Err() error { return r.err }

func (r *partRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	var err error
	if r.cur != nil {
		err = r.cur.Close()
		r.cur = nil
	}
	if r.done != nil {
		if derr := r.done(); err == nil {
			err = derr
		}
	}
	return err
}
