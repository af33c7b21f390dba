package write

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"

	sq "github.com/Masterminds/squirrel"
	"github.com/lib/pq"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/pgarray"
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

// idents writes the identifiers xs, quoted, separated by ", ".
func (s *sqlBuf) idents(xs []string) *sqlBuf {
	for i, x := range xs {
		if i > 0 {
			s.kw(", ")
		}
		s.ident(x)
	}
	return s
}

// insertHead writes INSERT INTO table (cols; insertTail writes what follows the rows: the
// duplicate-key clause of an insert that ignores duplicates and RETURNING. The VALUES and
// the unnest forms of an INSERT share both.
func (s *sqlBuf) insertHead(ins insertRows) *sqlBuf {
	return s.kw("INSERT INTO ").ident(ins.table).kw(" (").idents(ins.cols)
}

func (s *sqlBuf) insertTail(ins insertRows) {
	if ins.ignoreDup {
		switch {
		case s.f.OnConflictDoNothing:
			s.kw(" ON CONFLICT DO NOTHING")
		case s.f.OnDuplicateKeyUpdate:
			s.kw(" ON DUPLICATE KEY UPDATE ").ident(ins.cols[0]).kw(" = ").ident(ins.cols[0])
		}
	}
	if len(ins.returning) > 0 {
		s.kw(" RETURNING ").idents(ins.returning)
	}
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
		s.insertHead(ins).kw(") VALUES ")
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
		s.insertTail(ins)
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

// insertStatements renders ins for r's operation: VALUES lists (inserts), or with
// WithArrays on a dialect with array parameters one INSERT .. SELECT * FROM unnest(..).
// what names the operation in a rendering error; a failed catalog query is r's error.
func (w *Writer) insertStatements(r *runner, ins insertRows, what string) ([]Statement, []int, error) {
	if w.arrays && w.f.AnyArray && len(ins.cols) > 0 && ins.n() > 0 {
		types, err := r.columnTypes(w, ins.table)
		if err != nil {
			return nil, nil, err
		}
		st, ok, err := w.arrayInsert(ins, types)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", what, err)
		}
		if ok {
			return []Statement{st}, []int{ins.n()}, nil
		}
	}
	sts, sizes, err := w.inserts(ins)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	return sts, sizes, nil
}

// columnTypes reads the SQL types of table's columns from the PostgreSQL catalog, once per
// operation; the table is named as the INSERT names it, so both resolve alike.
func (r *runner) columnTypes(w *Writer, table string) (map[string]string, error) {
	if t, ok := r.types[table]; ok {
		return t, nil
	}
	st := Statement{
		SQL:  "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = CAST(" + w.dialect.Placeholder(1) + " AS regclass) AND a.attnum > 0 AND NOT a.attisdropped",
		Args: []any{w.dialect.Quote(table)},
	}
	rs, err := r.query(st)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	types := map[string]string{}
	for rs.Next() {
		var col, ty string
		if err := rs.Scan(&col, &ty); err != nil {
			return nil, r.fail(err)
		}
		types[col] = ty
	}
	if err := rs.Err(); err != nil {
		return nil, r.fail(err)
	}
	if r.types == nil {
		r.types = map[string]map[string]string{}
	}
	r.types[table] = types
	return types, nil
}

// arrayInsert renders ins as one INSERT .. SELECT * FROM unnest($1::text::t1[], ...), a column's
// values one array argument, cast to the column's type as the catalog names it (types). It
// reports false for a column whose type is itself an array, which unnest would flatten.
// unnest returns the elements in order, so RETURNING lists the keys in the rows' order, as
// it does for a VALUES list.
func (w *Writer) arrayInsert(ins insertRows, types map[string]string) (Statement, bool, error) {
	width, n := len(ins.cols), ins.n()
	for _, c := range ins.cols {
		ty, ok := types[c]
		if !ok {
			return Statement{}, false, badf("INSERT INTO %s: the database's table %s has no column %s", ins.table, ins.table, c)
		}
		if strings.HasSuffix(ty, "]") || ty == "bytea" {
			// unnest would flatten an array column; bytes have no faithful place in an
			// array's text form
			return Statement{}, false, nil
		}
	}
	s := w.buf()
	s.insertHead(ins).kw(") SELECT * FROM unnest(")
	for j, c := range ins.cols {
		if j > 0 {
			s.kw(", ")
		}
		col := make([]any, n)
		for i := range col {
			col[i] = ins.vals[i*width+j]
		}
		// the array goes in its text form ('{1,2,NULL}', lib/pq's encoding), which every
		// PostgreSQL driver can send, as a text parameter (a driver that knew the
		// parameter's type as an array would parse the text only to encode it again); the
		// cast is the server's own name for the column's type (format_type), never the
		// caller's
		s.arg(textArray(col)).kw("::text::").kw(types[c]).kw("[]")
	}
	s.kw(")")
	s.insertTail(ins)
	st, err := s.statement()
	return st, err == nil, err
}

// textArray is a column's values as one PostgreSQL array argument, sent in the array's text
// form: '{1,NULL,"a \"b\""}', exactly as lib/pq's pq.Array writes it, written here without
// reflection for the values bind arguments usually are (integers, strings, booleans,
// floats, NULL) and by pq.GenericArray for any other.
type textArray []any

func (a textArray) Value() (driver.Value, error) {
	b := make([]byte, 0, 2+len(a)*8)
	b = append(b, '{')
	for i, v := range a {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = pgarray.AppendElem(b, v); !ok {
			return pq.GenericArray{A: []any(a)}.Value()
		}
	}
	return string(append(b, '}')), nil
}
