package write

import (
	"fmt"
	"strconv"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

// sqlBuf writes one statement: identifiers quoted by the dialect, each placeholder written
// together with its argument, so that placeholders are numbered once, by construction.
type sqlBuf struct {
	d    dialects.Dialect
	f    dialects.Features
	b    []byte
	args []any
	err  error
}

func (w *Writer) buf() *sqlBuf { return &sqlBuf{d: w.dialect, f: w.f, b: make([]byte, 0, 128)} }

func (s *sqlBuf) kw(x string) *sqlBuf { s.b = append(s.b, x...); return s }

func (s *sqlBuf) ident(x string) *sqlBuf {
	if a, ok := s.d.(interface{ AppendQuote([]byte, string) []byte }); ok {
		s.b = a.AppendQuote(s.b, x)
	} else {
		s.b = append(s.b, s.d.Quote(x)...)
	}
	return s
}

// col writes table.column, both quoted.
func (s *sqlBuf) col(table, column string) *sqlBuf {
	return s.ident(table).kw(".").ident(column)
}

func (s *sqlBuf) arg(v any) *sqlBuf {
	s.args = append(s.args, v)
	if a, ok := s.d.(interface{ AppendPlaceholder([]byte, int) []byte }); ok {
		s.b = a.AppendPlaceholder(s.b, len(s.args))
	} else {
		s.b = append(s.b, s.d.Placeholder(len(s.args))...)
	}
	return s
}

func (s *sqlBuf) statement() (Statement, error) {
	if s.err != nil {
		return Statement{}, s.err
	}
	return Statement{SQL: string(s.b), Args: s.args}, nil
}

// keyIn writes the test that the key columns of table hold one of tuples: col IN (..), a
// tuple IN for composite keys where the dialect has it, else ORs of ANDs. No tuple matches
// nothing (1 = 0); not negates the test.
func (s *sqlBuf) keyIn(table string, cols []string, tuples [][]any, not bool) {
	if len(tuples) == 0 {
		if not {
			s.kw("1 = 1")
		} else {
			s.kw("1 = 0")
		}
		return
	}
	switch one := len(cols) == 1; {
	case one || s.f.TupleIn:
		// col IN (?, ?) or (a, b) IN ((?, ?), (?, ?))
		s.tuple(one, len(cols), func(j int) { s.col(table, cols[j]) })
		if not {
			s.kw(" NOT")
		}
		s.kw(" IN (")
		for i, t := range tuples {
			if i > 0 {
				s.kw(", ")
			}
			s.tuple(one, len(t), func(j int) { s.arg(t[j]) })
		}
		s.kw(")")
	default:
		if not {
			s.kw("NOT ")
		}
		s.kw("(")
		for i, t := range tuples {
			if i > 0 {
				s.kw(" OR ")
			}
			s.kw("(")
			for j, c := range cols {
				if j > 0 {
					s.kw(" AND ")
				}
				s.col(table, c).kw(" = ").arg(t[j])
			}
			s.kw(")")
		}
		s.kw(")")
	}
}

// tuple writes n items, parenthesised and comma-separated unless one is set (then n is 1).
func (s *sqlBuf) tuple(one bool, n int, item func(j int)) {
	if one {
		item(0)
		return
	}
	s.kw("(")
	for j := 0; j < n; j++ {
		if j > 0 {
			s.kw(", ")
		}
		item(j)
	}
	s.kw(")")
}

// keyEq writes table.col = ? AND ... for one key.
func (s *sqlBuf) keyEq(table string, cols []string, vals []any) {
	for i, c := range cols {
		if i > 0 {
			s.kw(" AND ")
		}
		s.col(table, c)
		if vals[i] == nil {
			s.kw(" IS NULL")
			continue
		}
		s.kw(" = ").arg(vals[i])
	}
}

// pred writes a scope or filter bound to table (its columns resolved on m, or taken as
// columns when m is nil), prefixed by " AND " when prefix is set and the scope is not empty.
func (s *sqlBuf) pred(sc scope.Scope, table string, m *include.Model, prefix string) {
	if sc.Empty() || s.err != nil {
		return
	}
	text, args, err := sc.Render(resolver{s: s, table: table, m: m})
	if err != nil {
		s.err = badf("%v", err)
		return
	}
	s.kw(prefix)
	s.raw(text, args)
}

// raw appends a fragment written with '?' placeholders (squirrel's convention), numbering
// them for the dialect. A '?' inside a literal, quoted identifier or comment is not a
// placeholder (dialects.Lexical.Walk, as the read statements' renderer reads fragments).
func (s *sqlBuf) raw(text string, args []any) {
	n := 0
	err := s.f.Lexical.Walk(text, s.d.Placeholder(1) != "?", func(t string) { s.b = append(s.b, t...) }, func() bool {
		if n >= len(args) {
			s.err = badf("a filter has more placeholders than arguments: %s", text)
			return false
		}
		s.arg(args[n])
		n++
		return true
	})
	switch {
	case err != nil:
		s.err = badf("a filter: %v: %s", err, text)
	case s.err == nil && n != len(args):
		s.err = badf("a filter has %d placeholders and %d arguments: %s", n, len(args), text)
	}
}

// resolver binds scope and filter column names to a table of a write statement.
type resolver struct {
	s     *sqlBuf
	table string
	m     *include.Model
}

func (r resolver) Column(name string) (string, error) {
	c := name
	if r.m != nil {
		a, ok := r.m.Attr(name)
		if !ok {
			return "", fmt.Errorf("%q is not a column of %s (columns: %s)", name, r.m.Name(), joinCols(r.m.AttrNames()))
		}
		c = a.Column
	}
	return r.s.d.Quote(r.table) + "." + r.s.d.Quote(c), nil
}

func (r resolver) Alias() string { return r.s.d.Quote(r.table) }
func (r resolver) ILike() bool   { return r.s.f.ILike }

// whereScope is a caller's filter as a scope.
func whereScope(p sq.Sqlizer) scope.Scope {
	if p == nil {
		return scope.Scope{}
	}
	return scope.New(p)
}

// insertRows is one multi-row INSERT's worth of rows: the same columns in every row, the
// values row after row in one slice.
type insertRows struct {
	table string
	cols  []string
	vals  []any // len(cols) values a row
	// returning lists the columns to read back (generated keys), nil for none
	returning []string
	// ignoreDup skips rows that violate a unique key (a link another transaction added)
	ignoreDup bool
}

func (ins insertRows) n() int { return len(ins.vals) / len(ins.cols) }

// inserts renders the INSERT statements for ins, as many rows each as the bind-parameter
// limit allows; each statement's arguments are a window of ins.vals, not a copy.
func (w *Writer) inserts(ins insertRows) ([]Statement, []int, error) {
	width := len(ins.cols)
	if width == 0 {
		return nil, nil, badf("INSERT INTO %s: no columns to insert", ins.table)
	}
	per := w.maxArgs / width
	if per < 1 {
		return nil, nil, badf("INSERT INTO %s: %d columns exceed the bind-parameter limit %d", ins.table, width, w.maxArgs)
	}
	ap, _ := w.dialect.(interface{ AppendPlaceholder([]byte, int) []byte })
	var out []Statement
	var sizes []int
	for start := 0; start < ins.n(); start += per {
		end := min(start+per, ins.n())
		s := w.buf()
		s.b = make([]byte, 0, 32+width*16+(end-start)*(width*8+4))
		s.kw("INSERT INTO ").ident(ins.table).kw(" (")
		for i, c := range ins.cols {
			if i > 0 {
				s.kw(", ")
			}
			s.ident(c)
		}
		s.kw(") VALUES ")
		n := 0
		for i := start; i < end; i++ {
			if i > start {
				s.kw(", ")
			}
			s.kw("(")
			for j := 0; j < width; j++ {
				if j > 0 {
					s.kw(", ")
				}
				n++
				if ap != nil {
					s.b = ap.AppendPlaceholder(s.b, n)
				} else {
					s.b = append(s.b, w.dialect.Placeholder(n)...)
				}
			}
			s.kw(")")
		}
		s.args = ins.vals[start*width : end*width : end*width]
		if ins.ignoreDup {
			switch {
			case w.f.OnConflictDoNothing:
				s.kw(" ON CONFLICT DO NOTHING")
			case w.f.OnDuplicateKeyUpdate:
				s.kw(" ON DUPLICATE KEY UPDATE ").ident(ins.cols[0]).kw(" = ").ident(ins.cols[0])
			}
		}
		if len(ins.returning) > 0 {
			s.kw(" RETURNING ")
			for i, c := range ins.returning {
				if i > 0 {
					s.kw(", ")
				}
				s.ident(c)
			}
		}
		st, err := s.statement()
		if err != nil {
			return nil, nil, err
		}
		out = append(out, st)
		sizes = append(sizes, end-start)
	}
	return out, sizes, nil
}

// chunkKeys splits key tuples so that a statement with fixed other arguments stays under
// the bind-parameter limit.
func (w *Writer) chunkKeys(tuples [][]any, width, fixed int) [][][]any {
	per := (w.maxArgs - fixed) / max(width, 1)
	if per < 1 {
		per = 1
	}
	if len(tuples) <= per {
		return [][][]any{tuples}
	}
	var out [][][]any
	for start := 0; start < len(tuples); start += per {
		out = append(out, tuples[start:min(start+per, len(tuples))])
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
