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
	return &partRows{columns: columns, branch: bi, ordinal: oi, parts: parts, open: open, done: done}, nil
}

type partRows struct {
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
	checked bool // the current part's columns were checked
	nullOrd bool // the current part does not send the ordinal
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
		rows, err := r.open(i)
		if err != nil {
			r.err = fmt.Errorf("statement %d of %d: %w", i+1, len(r.parts), err)
			return false
		}
		if isNil(rows) {
			r.err = fmt.Errorf("statement %d of %d: no rows", i+1, len(r.parts))
			return false
		}
		r.cur, r.part, r.checked = rows, &r.parts[i], false
		r.cells, _ = rows.(CellRows)
		r.subOf = nil
		r.nullOrd = r.ordinal >= 0 && !slices.Contains(r.part.Cols, r.ordinal)
	}
}

// check compares the current part's column count with what it should send, once.
func (r *partRows) check() error {
	if r.checked {
		return nil
	}
	r.checked = true
	cols, err := r.cur.Columns()
	if err != nil {
		return err
	}
	if len(cols) != len(r.part.Cols) {
		return fmt.Errorf("%w: statement of branch %d returned %d columns %v, want %d", ErrColumns, r.part.Branch, len(cols), cols, len(r.part.Cols))
	}
	return nil
}

func (r *partRows) ScanCells(cells []Cell) error {
	if r.cur == nil {
		return errors.New("hydrate: ScanCells without a current row")
	}
	if err := r.check(); err != nil {
		return err
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
	if r.cells != nil {
		return r.cells.ScanCells(r.sub)
	}
	return r.cur.Scan(r.dests...)
}

// Scan fills dest (one per result column) the way ScanCells does: the cells of a fold are
// also sql.Scanners.
func (r *partRows) Scan(dest ...any) error {
	if r.cur == nil {
		return errors.New("hydrate: Scan without a current row")
	}
	if err := r.check(); err != nil {
		return err
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
	return r.cur.Scan(sub...)
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
