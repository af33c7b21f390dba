package ddl

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// Option configures Statements and Create.
type Option func(*options)

type options struct {
	ifNotExists  bool
	tableOptions string
	noIndexes    bool
}

// IfNotExists writes CREATE TABLE IF NOT EXISTS and CREATE INDEX IF NOT EXISTS.
func IfNotExists() Option { return func(o *options) { o.ifNotExists = true } }

// TableOptions appends text to every CREATE TABLE, as written (MySQL: "DEFAULT CHARSET=utf8mb4
// COLLATE=utf8mb4_bin"). It is the caller's SQL; pass only constants.
func TableOptions(text string) Option { return func(o *options) { o.tableOptions = text } }

// NoIndexes leaves out the indexes on foreign-key columns (Sequelize creates none).
func NoIndexes() Option { return func(o *options) { o.noIndexes = true } }

// Statements returns the DDL of schema s for dialect d: a CREATE TABLE per model and join
// table (columns, primary key, unique keys, foreign keys), in dependency order, then the
// indexes on foreign-key columns, then the foreign keys that close a cycle (ALTER TABLE).
// Each statement is one string without a terminating semicolon; the same schema gives the
// same statements.
func Statements(s *include.Schema, d dialects.Dialect, opts ...Option) ([]string, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	l, err := newLayout(s, d)
	if err != nil {
		return nil, err
	}
	return l.statements(o)
}

// Execer runs a statement: *sql.DB, *sql.Tx, *sql.Conn.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Create runs the statements of s on db, one after another, stopping at the first error
// (which names the statement). PostgreSQL and SQLite run DDL in transactions: pass a *sql.Tx
// for all or nothing; MySQL commits each DDL statement.
func Create(ctx context.Context, db Execer, s *include.Schema, d dialects.Dialect, opts ...Option) error {
	if err := needDB(ctx, db, "Create"); err != nil {
		return err
	}
	stmts, err := Statements(s, d, opts...)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		if _, err := db.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("ddl: %w\n%s", err, st)
		}
	}
	return nil
}

func (l *layout) statements(o options) ([]string, error) {
	q := l.d.Quote
	f := l.d.Features().DDL
	var out, indexes, alters []string
	for _, t := range l.created {
		var parts []string
		for _, c := range t.cols {
			typ, err := l.columnType(t, c)
			if err != nil {
				return nil, err
			}
			s := q(c.name) + " " + typ
			if c.notNull {
				s += " NOT NULL"
			}
			if c.auto && f.IntegerKey == "" {
				s += f.AutoIncrement
			}
			parts = append(parts, s)
		}
		if len(t.pk) > 0 {
			parts = append(parts, "PRIMARY KEY ("+quoteList(l.d, t.pk)+")")
		}
		for _, u := range t.uniques {
			parts = append(parts, "CONSTRAINT "+q(u.name)+" UNIQUE ("+quoteList(l.d, u.cols)+")")
		}
		for _, fk := range t.fks {
			if !fk.deferred {
				parts = append(parts, l.fkClause(fk))
			}
		}
		head := "CREATE TABLE "
		if o.ifNotExists {
			head += "IF NOT EXISTS "
		}
		s := head + q(t.name) + " (\n  " + strings.Join(parts, ",\n  ") + "\n)"
		if opt := strings.TrimSpace(o.tableOptions); opt != "" {
			s += " " + opt
		}
		out = append(out, s)
		if !o.noIndexes {
			for _, ix := range t.indexes {
				h := "CREATE INDEX "
				if o.ifNotExists {
					h += "IF NOT EXISTS "
				}
				indexes = append(indexes, h+q(ix.name)+" ON "+q(t.name)+" ("+quoteList(l.d, ix.cols)+")")
			}
		}
		for _, fk := range t.fks {
			if fk.deferred {
				alters = append(alters, "ALTER TABLE "+q(t.name)+" ADD "+l.fkClause(fk))
			}
		}
	}
	return append(append(out, indexes...), alters...), nil
}

func (l *layout) fkClause(fk *foreignKey) string {
	q := l.d.Quote
	return "CONSTRAINT " + q(fk.name) + " FOREIGN KEY (" + quoteList(l.d, fk.cols) + ") REFERENCES " + q(fk.refTable) +
		" (" + quoteList(l.d, fk.refCols) + ") ON DELETE " + string(fk.onDelete) + " ON UPDATE " + string(fk.onUpdate)
}

func quoteList(d dialects.Dialect, cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = d.Quote(c)
	}
	return strings.Join(q, ", ")
}

// columnType is c's type on the dialect: the include.ColumnType override (a logical type
// spelt per dialect, else as written), else from the Go type or the attribute's kind.
func (l *layout) columnType(t *table, c *column) (string, error) {
	f := l.d.Features().DDL
	ty := f.Types
	isKey := t.keyCols[c.name]
	if c.auto && f.IntegerKey != "" {
		return f.IntegerKey, nil
	}
	var typ string
	if c.typ != "" {
		var ok bool
		if typ, ok = logicalType(ty, c.typ, isKey); !ok {
			return c.typ, nil
		}
	} else {
		typ = kindType(ty, c.kind, c.goType, isKey)
	}
	if typ == "" && len(c.origins) > 0 && c.origins[0].model == nil {
		return "", fmt.Errorf("%w: %s: join-table column %s.%s has no type: receive it in a through field of the target, or declare a join model (include.ThroughModel) with include.ColumnType",
			ErrSchema, c.origins[0], t.name, c.name)
	}
	if typ == "" {
		return "", fmt.Errorf("%w: %s: column %s.%s: dialect %s has no column type for %s; pass include.ColumnType(%q, \"...\")",
			ErrSchema, t.owner(), t.name, c.name, l.d.Name(), kindName(c), c.name)
	}
	return typ, nil
}

func kindName(c *column) string {
	if c.goType != nil {
		return c.goType.String()
	}
	return fmt.Sprintf("kind %d", c.kind)
}

// logicalType spells a logical type name of include.ColumnType.
func logicalType(ty dialects.ColumnTypes, name string, isKey bool) (string, bool) {
	switch name {
	case "integer":
		return ty.Integer, true
	case "bigint":
		return ty.BigInt, true
	case "smallint":
		return ty.SmallInt, true
	case "text":
		return text(ty, isKey), true
	case "string":
		return ty.Varchar, true
	case "uuid":
		return ty.UUID, true
	case "boolean":
		return ty.Bool, true
	case "double":
		return ty.Float, true
	case "timestamp":
		return ty.Timestamp, true
	case "date":
		return ty.Date, true
	case "bytes":
		return ty.Bytes, true
	case "json":
		return ty.JSON, true
	}
	return "", false
}

func text(ty dialects.ColumnTypes, isKey bool) string {
	if isKey && ty.KeyText != "" {
		return ty.KeyText
	}
	return ty.Text
}

var timeType = reflect.TypeOf((*interface{ UnixNano() int64 })(nil)).Elem()

// kindType is the dialect's type for a Go type (struct models) or an attribute kind.
func kindType(ty dialects.ColumnTypes, k include.Type, t reflect.Type, isKey bool) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil {
		switch t.Kind() {
		case reflect.Int8, reflect.Int16, reflect.Uint8:
			return ty.SmallInt
		case reflect.Int32, reflect.Uint16:
			return ty.Integer
		case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
			return ty.BigInt
		case reflect.Float32, reflect.Float64:
			return ty.Float
		case reflect.String:
			return text(ty, isKey)
		case reflect.Bool:
			return ty.Bool
		case reflect.Slice:
			if t.Elem().Kind() == reflect.Uint8 {
				return ty.Bytes
			}
		case reflect.Struct:
			if t.Implements(timeType) {
				return ty.Timestamp
			}
			// sql.NullString and friends: the type of their Valid-guarded value field
			if f, ok := t.FieldByName("Valid"); ok && f.Type.Kind() == reflect.Bool && t.NumField() == 2 {
				v := t.Field(0)
				if v.Name == "Valid" {
					v = t.Field(1)
				}
				return kindType(ty, include.Any, v.Type, isKey)
			}
		}
	}
	switch k {
	case include.Int:
		return ty.BigInt
	case include.Float:
		return ty.Float
	case include.String:
		return text(ty, isKey)
	case include.Bool:
		return ty.Bool
	case include.Time:
		return ty.Timestamp
	case include.Bytes:
		return ty.Bytes
	}
	return ""
}
