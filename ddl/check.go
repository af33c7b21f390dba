package ddl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/meta"
)

// ErrDrift is matched (errors.Is) by the error Check returns when the database differs from
// the schema; errors.As gives the *Problems.
var ErrDrift = errors.New("ddl: the database differs from the schema")

// ProblemKind says what a Problem is about.
type ProblemKind uint8

// Kinds of problems.
const (
	MissingTable      ProblemKind = iota + 1 // a model's table or a join table does not exist
	MissingColumn                            // a model's column, an association's key or a join-table column does not exist
	WrongType                                // a column's type cannot hold the declared value
	NullableColumn                           // advice: a column allows NULL but its field cannot hold one
	MissingIndex                             // advice: a foreign-key column has no index
	MissingConstraint                        // advice: a foreign-key constraint the declarations imply does not exist
	ConstraintRules                          // advice: a foreign-key constraint has other ON DELETE / ON UPDATE rules than declared
)

func (k ProblemKind) String() string {
	switch k {
	case MissingTable:
		return "missing table"
	case MissingColumn:
		return "missing column"
	case WrongType:
		return "wrong type"
	case NullableColumn:
		return "nullable column"
	case MissingIndex:
		return "missing index"
	case MissingConstraint:
		return "missing constraint"
	case ConstraintRules:
		return "constraint rules"
	}
	return "problem"
}

// Advice reports whether the kind is advice (the schema's queries still work) rather than an
// error (queries fail).
func (k ProblemKind) Advice() bool { return k >= NullableColumn }

// Problem is one difference between the schema and the database.
type Problem struct {
	Kind ProblemKind
	// Model and Association name what declared the table or column, in the schema's terms
	// ("" when not one of them).
	Model, Association string
	Table, Column      string
	// Message says what is wrong and what to change.
	Message string
}

func (p Problem) String() string {
	tag := "error"
	if p.Kind.Advice() {
		tag = "advice"
	}
	return tag + ": " + p.Message
}

// Problems is every difference Check found, errors first, each group in table order.
type Problems struct {
	List []Problem
}

// Error lists every problem, one a line.
func (p *Problems) Error() string {
	var b strings.Builder
	n := 0
	for _, x := range p.List {
		if !x.Kind.Advice() {
			n++
		}
	}
	fmt.Fprintf(&b, "%v: %d error(s), %d advice", ErrDrift, n, len(p.List)-n)
	for _, x := range p.List {
		b.WriteString("\n  ")
		b.WriteString(x.String())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrDrift) true.
func (p *Problems) Unwrap() error { return ErrDrift }

// Errors are the problems that make queries fail (advice left out).
func (p *Problems) Errors() []Problem {
	var out []Problem
	for _, x := range p.List {
		if !x.Kind.Advice() {
			out = append(out, x)
		}
	}
	return out
}

// CheckOption configures Check.
type CheckOption func(*checkOpts)

type checkOpts struct{ noAdvice bool }

// NoAdvice makes Check report only errors: missing tables and columns and wrong types.
func NoAdvice() CheckOption { return func(o *checkOpts) { o.noAdvice = true } }

// Querier reads the catalog: *sql.DB, *sql.Tx, *sql.Conn.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Check compares schema s with the live database behind db (dialect d, its current schema or
// database): every model's table and column, every join table and join-table column, every
// association's key columns, with types compatible with the declared ones; and, as advice,
// foreign-key columns without an index, declared constraints that do not exist and nullable
// columns whose fields cannot hold NULL. It returns nil, or one *Problems (matching ErrDrift)
// naming each problem's model, association and column. It runs three or four catalog queries.
func Check(ctx context.Context, db Querier, s *include.Schema, d dialects.Dialect, opts ...CheckOption) error {
	if err := needDB(ctx, db, "Check"); err != nil {
		return err
	}
	var o checkOpts
	for _, f := range opts {
		f(&o)
	}
	l, err := newLayout(s, d)
	if err != nil {
		return err
	}
	cat, err := readCatalog(ctx, db, d)
	if err != nil {
		return err
	}
	var errs, advice []Problem
	for _, t := range l.tables {
		dt := cat[t.name]
		model, assoc := t.owners()
		if dt == nil {
			errs = append(errs, Problem{Kind: MissingTable, Model: model, Association: assoc, Table: t.name,
				Message: fmt.Sprintf("%s: table %s is missing", t.owner(), t.name)})
			continue
		}
		for _, c := range t.cols {
			dc, ok := dt.cols[c.name]
			m, a := c.names()
			if !ok {
				errs = append(errs, Problem{Kind: MissingColumn, Model: m, Association: a, Table: t.name, Column: c.name,
					Message: fmt.Sprintf("%s: column %s.%s is missing", c.who(), t.name, c.name)})
				continue
			}
			if want, got := c.category(), categoryOf(dc.typ); !compatible(want, got) {
				errs = append(errs, Problem{Kind: WrongType, Model: m, Association: a, Table: t.name, Column: c.name,
					Message: fmt.Sprintf("%s: column %s.%s has type %s, which does not hold %s", c.who(), t.name, c.name, dc.typ, c.describe())})
			}
			if c.fieldNotNull() && !dc.notNull && !o.noAdvice && !isPK(t, c.name) {
				msg := fmt.Sprintf("%s: column %s.%s allows NULL, which the field's type %s cannot hold: make the field a pointer or the column NOT NULL", c.who(), t.name, c.name, c.goType)
				if c.goType != nil && c.goType.Kind() == reflect.Pointer {
					msg = fmt.Sprintf("%s: column %s.%s allows NULL, but the declarations say NOT NULL (include.NotNull): make the column NOT NULL, or drop the option", c.who(), t.name, c.name)
				}
				advice = append(advice, Problem{Kind: NullableColumn, Model: m, Association: a, Table: t.name, Column: c.name, Message: msg})
			}
		}
		if o.noAdvice {
			continue
		}
		for _, fk := range t.fks {
			if x := dt.fk(fk); x != nil {
				if x.onDelete != "" && (x.onDelete != string(fk.onDelete) || x.onUpdate != string(fk.onUpdate)) {
					advice = append(advice, Problem{Kind: ConstraintRules, Model: fk.assocs[0].Source.Name(), Association: fk.assocs[0].As, Table: t.name, Column: strings.Join(fk.cols, ", "),
						Message: fmt.Sprintf("association %s: foreign key %s(%s) has ON DELETE %s ON UPDATE %s, the declarations say %s: change the constraint, or declare the rules with include.OnDelete / include.OnUpdate",
							assocNames(fk.assocs), t.name, strings.Join(fk.cols, ", "), x.onDelete, x.onUpdate, rulesText(fk.onDelete, fk.onUpdate))})
				}
				continue
			}
			if dt.hasCols(fk.cols) {
				advice = append(advice, Problem{Kind: MissingConstraint, Model: fk.assocs[0].Source.Name(), Association: fk.assocs[0].As, Table: t.name, Column: strings.Join(fk.cols, ", "),
					Message: fmt.Sprintf("association %s: no foreign-key constraint %s(%s) REFERENCES %s(%s): add it (%s), or declare the association with include.NoConstraint()",
						assocNames(fk.assocs), t.name, strings.Join(fk.cols, ", "), fk.refTable, strings.Join(fk.refCols, ", "), l.fkClause(fk))})
			}
		}
		for _, ix := range t.indexes {
			if dt.hasIndex(ix.cols) || !dt.hasCols(ix.cols) {
				continue
			}
			as := t.assocsOn(ix.cols[len(ix.cols)-1])
			advice = append(advice, Problem{Kind: MissingIndex, Model: firstSource(as), Association: firstAlias(as), Table: t.name, Column: strings.Join(ix.cols, ", "),
				Message: fmt.Sprintf("association %s: foreign-key column %s.%s has no index; loading the association reads it by that column: CREATE INDEX %s ON %s (%s)%s",
					assocNames(as), t.name, strings.Join(ix.cols, ", "), d.Quote(ix.name), d.Quote(t.name), quoteList(d, ix.cols), learnHint(d))})
		}
		// the foreign keys the declared primary or unique key indexes (no index of their
		// own in the layout): the database must have that key, or another index
		for _, fk := range t.fks {
			if leads(keyCols(t.indexes), fk.cols) || dt.hasIndex(fk.cols) || !dt.hasCols(fk.cols) || !dt.hasCols(t.pk) {
				// (an index of the layout's own, which the loop above checked; or a key
				// whose missing column is already an error)
				continue
			}
			as := t.assocsOn(fk.cols[len(fk.cols)-1])
			advice = append(advice, Problem{Kind: MissingIndex, Model: firstSource(as), Association: firstAlias(as), Table: t.name, Column: strings.Join(fk.cols, ", "),
				Message: fmt.Sprintf("association %s: foreign-key column %s.%s has no index (the declarations expect the key %s(%s) to lead with it); loading the association reads it by that column: CREATE INDEX %s ON %s (%s)%s",
					assocNames(as), t.name, strings.Join(fk.cols, ", "), t.name, strings.Join(t.pk, ", "), d.Quote(l.derived(t.name, fk.cols, "_idx")), d.Quote(t.name), quoteList(d, fk.cols), learnHint(d))})
		}
		if len(t.joins) > 0 && len(t.models) == 0 && len(t.pk) > 0 && dt.hasCols(t.pk) && !dt.hasIndex(t.pk) {
			advice = append(advice, Problem{Kind: MissingConstraint, Model: t.joins[0].Source.Name(), Association: t.joins[0].As, Table: t.name, Column: strings.Join(t.pk, ", "),
				Message: fmt.Sprintf("association %s: join table %s has no primary key (%s), so the same link can be written twice: ALTER TABLE %s ADD PRIMARY KEY (%s)",
					assocNames(t.joins), t.name, strings.Join(t.pk, ", "), d.Quote(t.name), quoteList(d, t.pk))})
		}
	}
	if len(errs)+len(advice) == 0 {
		return nil
	}
	return &Problems{List: append(errs, advice...)}
}

func (t *table) owners() (model, assoc string) {
	if len(t.models) > 0 {
		return t.models[0].Name(), ""
	}
	if len(t.joins) > 0 {
		return t.joins[0].Source.Name(), t.joins[0].As
	}
	return "", ""
}

// assocsOn lists the associations whose key is column col of t.
func (t *table) assocsOn(col string) []*include.Association {
	var out []*include.Association
	for _, fk := range t.fks {
		if slices.Contains(fk.cols, col) {
			out = append(out, fk.assocs...)
		}
	}
	for _, c := range t.cols {
		if c.name != col {
			continue
		}
		for _, o := range c.origins {
			if o.assoc != nil && !containsAssoc(out, o.assoc) {
				out = append(out, o.assoc)
			}
		}
	}
	for _, m := range t.models {
		for _, a := range m.Associations() {
			if a.Kind == include.BelongsTo && slices.Contains(a.ForeignKeys, col) && !containsAssoc(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

func containsAssoc(list []*include.Association, a *include.Association) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func assocNames(as []*include.Association) string {
	if len(as) == 0 {
		return "?"
	}
	var out []string
	for _, a := range as {
		out = append(out, assocName(a))
	}
	return strings.Join(out, " and ")
}

func firstSource(as []*include.Association) string {
	if len(as) == 0 {
		return ""
	}
	return as[0].Source.Name()
}

func firstAlias(as []*include.Association) string {
	if len(as) == 0 {
		return ""
	}
	return as[0].As
}

// names are the model and association a column belongs to, for a Problem.
func (c *column) names() (model, assoc string) {
	for _, o := range c.origins {
		if o.model != nil {
			model = o.model.Name()
		}
		if o.assoc != nil && assoc == "" {
			assoc = o.assoc.As
			if model == "" {
				model = o.assoc.Source.Name()
			}
		}
	}
	return model, assoc
}

// who describes a column's declarations for a message.
func (c *column) who() string {
	var out []string
	for _, o := range c.origins {
		out = append(out, o.String())
	}
	return strings.Join(out, "; ")
}

func (c *column) describe() string {
	if c.typ != "" {
		return "the declared type " + c.typ
	}
	if c.goType != nil {
		return "a " + c.goType.String()
	}
	switch c.kind {
	case include.Int:
		return "an integer"
	case include.Float:
		return "a float"
	case include.String:
		return "a string"
	case include.Bool:
		return "a bool"
	case include.Time:
		return "a time"
	case include.Bytes:
		return "bytes"
	}
	return "the declared value"
}

// fieldNotNull reports whether the column is read into a struct field that cannot hold NULL.
func (c *column) fieldNotNull() bool {
	for _, o := range c.origins {
		if o.model != nil && o.attr.GoType != nil && o.assoc == nil && o.model.NotNull(c.name) {
			return true
		}
	}
	return false
}

type category uint8

const (
	catUnknown category = iota
	catInt
	catFloat
	catText
	catBool
	catTime
	catBytes
	catBoolInt // MySQL's BOOLEAN, tinyint(1)
)

func (c *column) category() category {
	if c.typ != "" {
		if t, ok := logicalType(dialects.Postgres.Features().DDL.Types, c.typ, false); ok {
			return categoryOf(t)
		}
		return categoryOf(c.typ)
	}
	switch kindType(dialects.Postgres.Features().DDL.Types, c.kind, c.goType, false) {
	case "SMALLINT", "INTEGER", "BIGINT":
		return catInt
	case "DOUBLE PRECISION":
		return catFloat
	case "TEXT":
		return catText
	case "BOOLEAN":
		return catBool
	case "TIMESTAMP WITH TIME ZONE":
		return catTime
	case "BYTEA":
		return catBytes
	}
	return catUnknown
}

// categoryOf classifies a database's type name.
func categoryOf(typ string) category {
	t := strings.ToLower(strings.TrimSpace(typ))
	switch {
	case t == "":
		return catUnknown
	case strings.HasPrefix(t, "tinyint(1)"):
		return catBoolInt
	case strings.HasPrefix(t, "bool"):
		return catBool
	case isIntType(t):
		return catInt
	case strings.HasPrefix(t, "numeric"), strings.HasPrefix(t, "decimal"):
		return catFloat
	case strings.Contains(t, "real"), strings.Contains(t, "floa"), strings.Contains(t, "doub"):
		return catFloat
	case strings.Contains(t, "char"), strings.Contains(t, "text"), strings.Contains(t, "clob"), t == "uuid",
		strings.HasPrefix(t, "json"), strings.HasPrefix(t, "enum"), strings.HasPrefix(t, "set("):
		return catText
	case strings.Contains(t, "time"), strings.HasPrefix(t, "date"):
		return catTime
	case strings.Contains(t, "blob"), t == "bytea", strings.Contains(t, "binary"):
		return catBytes
	}
	return catUnknown
}

// isIntType reports whether a type name's first word is an integer type (int, bigint,
// "integer", "int unsigned", "bigserial", ...; not "interval" or "point").
func isIntType(t string) bool {
	w := t
	if i := strings.IndexAny(w, " ("); i >= 0 {
		w = w[:i]
	}
	switch w {
	case "int", "integer", "bigint", "smallint", "tinyint", "mediumint", "int2", "int4", "int8",
		"serial", "bigserial", "smallserial", "serial4", "serial8", "unsigned":
		return true
	}
	return false
}

// compatible reports whether a column of category got holds a value declared as want.
func compatible(want, got category) bool {
	if want == catUnknown || got == catUnknown || want == got {
		return true
	}
	switch want {
	case catInt:
		return got == catBoolInt
	case catFloat:
		return got == catInt || got == catBoolInt
	case catBool:
		return got == catBoolInt || got == catInt
	case catBytes:
		return got == catText
	}
	return false
}

type dbColumn struct {
	typ     string
	notNull bool
}

type dbFK struct {
	name               string
	cols, refCols      []string
	refTable           string
	onDelete, onUpdate string // "" when the catalog did not say
}

type dbTable struct {
	cols    map[string]dbColumn
	indexes [][]string
	fks     []dbFK
}

// fk finds the database's foreign key that is the declared fk, or nil.
func (t *dbTable) fk(fk *foreignKey) *dbFK {
	for i, x := range t.fks {
		if x.refTable == fk.refTable && sameList(x.cols, fk.cols) && (sameList(x.refCols, fk.refCols) || len(x.refCols) == 0 || x.refCols[0] == "") {
			return &t.fks[i]
		}
	}
	return nil
}

func (t *dbTable) hasIndex(cols []string) bool { return leads(t.indexes, cols) }

// leads reports whether one of keys starts with cols.
func leads(keys [][]string, cols []string) bool {
	for _, k := range keys {
		if len(k) >= len(cols) && sameList(k[:len(cols)], cols) {
			return true
		}
	}
	return false
}

func (t *dbTable) hasCols(cols []string) bool {
	for _, c := range cols {
		if _, ok := t.cols[c]; !ok {
			return false
		}
	}
	return true
}

// readCatalog reads the tables, columns, indexes and foreign keys of the current schema with
// the dialect's catalog queries.
func readCatalog(ctx context.Context, db Querier, d dialects.Dialect) (map[string]*dbTable, error) {
	q := d.Features().DDL.Catalog
	if q.Columns == "" || q.Indexes == "" || q.ForeignKeys == "" {
		return nil, fmt.Errorf("ddl: dialect %s has no catalog queries (dialects.DDL.Catalog): it cannot be checked", d.Name())
	}
	cat := map[string]*dbTable{}
	tbl := func(name string) *dbTable {
		t := cat[name]
		if t == nil {
			t = &dbTable{cols: map[string]dbColumn{}}
			cat[name] = t
		}
		return t
	}
	if err := scanAll(ctx, db, q.Columns, func(r *sql.Rows) error {
		var tn, cn, typ string
		var notNull int64
		if err := r.Scan(&tn, &cn, &typ, &notNull); err != nil {
			return err
		}
		tbl(tn).cols[cn] = dbColumn{typ: typ, notNull: notNull != 0}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("ddl: reading columns: %w", err)
	}
	var lastT, lastI string
	if err := scanAll(ctx, db, q.Indexes, func(r *sql.Rows) error {
		var tn, in string
		var cn sql.NullString // NULL: an expression (lower(name)), which names no column
		var pos int64
		if err := r.Scan(&tn, &in, &cn, &pos); err != nil {
			return err
		}
		t := tbl(tn)
		if tn != lastT || in != lastI || len(t.indexes) == 0 {
			t.indexes = append(t.indexes, nil)
			lastT, lastI = tn, in
		}
		// an expression part is "", which no column matches: the index serves the
		// columns before it
		t.indexes[len(t.indexes)-1] = append(t.indexes[len(t.indexes)-1], cn.String)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("ddl: reading indexes: %w", err)
	}
	lastT, lastI = "", ""
	if err := scanAll(ctx, db, q.ForeignKeys, func(r *sql.Rows) error {
		var tn, name, cn, rt, rc, del, upd string
		var pos int64
		if err := r.Scan(&tn, &name, &cn, &rt, &rc, &pos, &del, &upd); err != nil {
			return err
		}
		t := tbl(tn)
		if tn != lastT || name != lastI || len(t.fks) == 0 {
			t.fks = append(t.fks, dbFK{name: name, refTable: rt, onDelete: strings.ToUpper(del), onUpdate: strings.ToUpper(upd)})
			lastT, lastI = tn, name
		}
		fk := &t.fks[len(t.fks)-1]
		fk.cols = append(fk.cols, cn)
		fk.refCols = append(fk.refCols, rc)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("ddl: reading foreign keys: %w", err)
	}
	if q.ForeignKeyRules != "" {
		if err := scanAll(ctx, db, q.ForeignKeyRules, func(r *sql.Rows) error {
			var tn, name, del, upd string
			if err := r.Scan(&tn, &name, &del, &upd); err != nil {
				return err
			}
			if t := cat[tn]; t != nil {
				for i := range t.fks {
					if t.fks[i].name == name {
						t.fks[i].onDelete, t.fks[i].onUpdate = strings.ToUpper(del), strings.ToUpper(upd)
					}
				}
			}
			return nil
		}); err != nil {
			return nil, fmt.Errorf("ddl: reading foreign-key rules: %w", err)
		}
	}
	return cat, nil
}

func scanAll(ctx context.Context, db Querier, query string, row func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// learnHint is what a missing index's advice adds where ddl.Learn changes the statements.
func learnHint(d dialects.Dialect) string {
	if !d.Features().AnyArray {
		return ""
	}
	return "; or, where it stays without one, call ddl.Learn at start-up: joinery then matches it by a hash of the keys"
}

// Learn reads the catalog of the database behind db (as Check does) and records on s, for
// each association, whether an index starts with the columns its include finds rows by
// (include.Association.Link; include.Schema.SetIndexed): a schema made by another tool
// (Sequelize's sync indexes no foreign key) then gets statements the planner can run
// without an index. A link whose table or columns are missing is left as it was (Check
// reports it). Call it before building queries, typically at start-up next to Check: a
// query value compiled before keeps its statements. It runs three or four catalog queries.
func Learn(ctx context.Context, db Querier, s *include.Schema, d dialects.Dialect) error {
	if err := needDB(ctx, db, "Learn"); err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("%w: nil schema", ErrSchema)
	}
	if d == nil {
		return fmt.Errorf("%w: nil dialect", ErrSchema)
	}
	if err := s.Err(); err != nil {
		return err
	}
	cat, err := readCatalog(ctx, db, d)
	if err != nil {
		return err
	}
	for _, name := range s.ModelNames() {
		for _, a := range s.Model(name).Associations() {
			table, cols := a.Link()
			if dt := cat[table]; dt != nil && dt.hasCols(cols) {
				s.SetIndexed(table, cols, dt.hasIndex(cols))
			}
		}
	}
	return nil
}

// needDB refuses a nil context or database (a typed nil *sql.DB too) before anything runs.
func needDB(ctx context.Context, db any, op string) error {
	if ctx == nil {
		return fmt.Errorf("ddl: %s: nil context", op)
	}
	if meta.NilRef(db) {
		return fmt.Errorf("ddl: %s: nil database", op)
	}
	return nil
}
