package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

// resetDB drops every table of the test's schema (PostgreSQL) or database (MySQL, SQLite).
func resetDB(ctx context.Context, tdb testDB) error {
	var list string
	switch tdb.name {
	case "postgres", "citus":
		list = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	case "mysql":
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()`
	default:
		list = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	}
	rows, err := tdb.db.QueryContext(ctx, list)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if tdb.name == "mysql" {
		// a cycle of foreign keys (documents <-> versions) lets no table go first
		if err := dropMySQLForeignKeys(ctx, tdb); err != nil {
			return err
		}
	}
	// tables referred to by foreign keys go after the tables referring to them: drop what can
	// be dropped, then again, while that makes progress (PostgreSQL: CASCADE)
	for len(tables) > 0 {
		var left []string
		var last error
		for _, tb := range tables {
			stmt := "DROP TABLE IF EXISTS " + tdb.dialect.Quote(tb)
			if tdb.name == "postgres" || tdb.name == "citus" {
				stmt += " CASCADE"
			}
			if _, err := tdb.db.ExecContext(ctx, stmt); err != nil {
				left, last = append(left, tb), fmt.Errorf("%s: %w", stmt, err)
			}
		}
		if len(left) == len(tables) {
			return last
		}
		tables = left
	}
	return nil
}

func dropMySQLForeignKeys(ctx context.Context, tdb testDB) error {
	rows, err := tdb.db.QueryContext(ctx, `SELECT table_name, constraint_name FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE()`)
	if err != nil {
		return err
	}
	var stmts []string
	for rows.Next() {
		var tb, name string
		if err := rows.Scan(&tb, &name); err != nil {
			rows.Close()
			return err
		}
		stmts = append(stmts, "ALTER TABLE "+tdb.dialect.Quote(tb)+" DROP FOREIGN KEY "+tdb.dialect.Quote(name))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, st := range stmts {
		if _, err := tdb.db.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
	}
	return nil
}

// createTables creates the case's tables from joinery's DDL for the declarations of s (the
// constraints match those of Sequelize's sync(): TestDDLConstraints), on every database.
func createTables(ctx context.Context, tdb testDB, s *include.Schema) error {
	return ddl.Create(ctx, tdb.db, s, tdb.dialect, ddlOptions(tdb.dialect)...)
}

// insertData inserts the case's rows in their recorded order, several rows a statement, in
// one transaction.
func insertData(ctx context.Context, tdb testDB, c *Case) error {
	tx, err := tdb.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	d := tdb.dialect
	for _, t := range c.Data {
		if len(t.Rows) == 0 {
			continue
		}
		var colNames []string
		seen := map[string]bool{}
		for _, r := range t.Rows {
			for k := range r {
				if !seen[k] {
					seen[k] = true
					colNames = append(colNames, k)
				}
			}
		}
		sort.Strings(colNames)
		var quoted []string
		for _, k := range colNames {
			quoted = append(quoted, d.Quote(k))
		}
		head := "INSERT INTO " + d.Quote(t.Table) + " (" + strings.Join(quoted, ", ") + ") VALUES "
		const batch = 200
		for start := 0; start < len(t.Rows); start += batch {
			end := min(start+batch, len(t.Rows))
			var sb strings.Builder
			sb.WriteString(head)
			var args []any
			for i, r := range t.Rows[start:end] {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteByte('(')
				for j, k := range colNames {
					if j > 0 {
						sb.WriteString(", ")
					}
					typ, _ := c.fieldType(t.Table, k)
					v, err := dbValue(d, typ, r[k])
					if err != nil {
						return fmt.Errorf("%s.%s: %w", t.Table, k, err)
					}
					args = append(args, v)
					sb.WriteString(d.Placeholder(len(args)))
				}
				sb.WriteByte(')')
			}
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return fmt.Errorf("insert into %s: %w", t.Table, err)
			}
		}
	}
	return tx.Commit()
}

// dbValue converts a JSON value of a column of type typ into a bind argument for d.
func dbValue(d dialects.Dialect, typ string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case "date":
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("date value %v is not a string", v)
		}
		if d == dialects.MySQL {
			// MySQL/MariaDB DATETIME takes no zone; the connection's zone is UTC
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, err
			}
			return t.UTC().Format("2006-01-02 15:04:05.000"), nil
		}
		return s, nil
	}
	return jsonArg(v), nil
}

// jsonArg turns a decoded JSON value into a bind argument: integral numbers become int64,
// other numbers float64.
func jsonArg(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonArg(e)
		}
		return out
	}
	return v
}

// attrType maps a README column type to the run-time attribute type.
func attrType(typ string) (include.Type, error) {
	switch typ {
	case "integer":
		return include.Int, nil
	case "text", "string", "uuid":
		return include.String, nil
	case "boolean":
		return include.Bool, nil
	case "date", "dateonly":
		return include.Time, nil
	case "double":
		return include.Float, nil
	}
	return include.Any, fmt.Errorf("column type %q is not in the README's type table", typ)
}

// declareSchema declares every resolved model as a run-time model and every resolved
// association, with the extra options the case's deviation adds.
func declareSchema(c *Case, dev *deviation) (*include.Schema, error) {
	return declareSchemaIn(c, dev, nil)
}

// declareSchemaIn is declareSchema in the multi-tenant layout mt (citus_test.go), or with
// plain tables when mt is nil.
func declareSchemaIn(c *Case, dev *deviation, mt *tenantLayout) (*include.Schema, error) {
	sopts := []include.SchemaOption{include.WithNaming(include.CamelCase)}
	if mt != nil {
		sopts = append(sopts, include.Tenant(mt.column, mt.shared...))
	}
	s := include.NewSchema(sopts...)
	for _, mn := range c.Resolved.Models.Keys {
		m := c.Resolved.Models.M[mn]
		var attrs []include.Attr
		for _, an := range m.Attributes.Keys {
			a := m.Attributes.M[an]
			typ, err := attrType(a.Type)
			if err != nil {
				return nil, fmt.Errorf("model %s attribute %s: %w", mn, an, err)
			}
			attrs = append(attrs, include.Attr{Name: an, Column: a.Field, Type: typ})
		}
		if _, err := s.DefineMap(mn, m.Table, attrs, append(ddlModelOptions(c, mn, mt), include.PrimaryKey(m.PrimaryKeyAttributes...))...); err != nil {
			return nil, fmt.Errorf("DefineMap(%s): %w", mn, err)
		}
	}
	for i, a := range c.Resolved.Associations {
		opts, err := ddlAssocOptions(c, i)
		if err != nil {
			return nil, err
		}
		opts = append(opts, include.As(a.As))
		if a.ForeignKey != "" {
			opts = append(opts, include.ForeignKey(a.ForeignKey))
		}
		if a.SourceKey != "" {
			opts = append(opts, include.SourceKey(a.SourceKey))
		}
		if a.TargetKey != "" {
			opts = append(opts, include.TargetKey(a.TargetKey))
		}
		if a.OtherKey != "" {
			opts = append(opts, include.OtherKey(a.OtherKey))
		}
		if len(a.Scope) > 0 {
			opts = append(opts, include.WithScope(scopeOf(a.Scope)))
		}
		if len(a.ThroughScope) > 0 {
			opts = append(opts, include.WithThroughScope(scopeOf(a.ThroughScope)))
		}
		if a.Kind == "belongsToMany" {
			if _, ok := c.model(a.ThroughModel); ok {
				opts = append(opts, include.ThroughModel(a.ThroughModel))
			} else {
				opts = append(opts, include.Through(a.ThroughTable))
			}
			if a.ThroughUnique != nil && !*a.ThroughUnique {
				opts = append(opts, include.NonUnique())
			}
		}
		if dev != nil {
			opts = append(opts, dev.assocOptions[a.Source+"."+a.As]...)
		}
		opts = append(opts, mt.assocOptions(c, i)...)
		switch a.Kind {
		case "belongsTo":
			_, err = s.BelongsTo(a.Source, a.Target, opts...)
		case "hasOne":
			_, err = s.HasOne(a.Source, a.Target, opts...)
		case "hasMany":
			_, err = s.HasMany(a.Source, a.Target, opts...)
		case "belongsToMany":
			_, err = s.BelongsToMany(a.Source, a.Target, opts...)
		default:
			return nil, unsupportedf("association kind %q", a.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("%s %s -> %s as %q: %w", a.Kind, a.Source, a.Target, a.As, err)
		}
	}
	return s, nil
}

// scopeOf turns a Sequelize scope object ({"commentable": "post"}) into a joinery scope.
func scopeOf(m map[string]any) scope.Scope {
	eq := sq.Eq{}
	for k, v := range m {
		eq[k] = jsonArg(v)
	}
	return scope.New(eq)
}
