package conformance

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

// writeCasesDir holds the recorded write cases, copied from the shared conformance folder.
var writeCasesDir = filepath.Join("..", "testdata", "sequelize_writes")

// TestSequelizeWriteConformance replays every recorded write case on every configured
// database with joinery's write API (package write) and compares every table after every
// operation, and has / count / create results, with Sequelize's. Deliberate differences are
// in writeDeviations with their reason. It prints a line per case and database and ends
// with "write conformance: N passed, D deviations, F failed". DDL-only cases (category ddl,
// no operations) belong to the DDL work and are listed, not counted.
func TestSequelizeWriteConformance(t *testing.T) {
	dirs := []string{writeCasesDir}
	for _, d := range strings.Split(os.Getenv("JOINERY_WRITE_CONFORMANCE_DIR"), ":") {
		if d = strings.TrimSpace(d); d != "" {
			dirs = append(dirs, d)
		}
	}
	var cases []*WriteCase
	names := map[string]bool{}
	for _, dir := range dirs {
		cs, err := readWriteCases(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if names[c.Name] {
				t.Errorf("write case name %q appears twice (%s)", c.Name, dir)
			}
			names[c.Name] = true
		}
		cases = append(cases, cs...)
	}
	for name := range writeDeviations {
		if !names[name] {
			t.Errorf("the write deviations table names %q, which is not a case", name)
		}
	}
	ctx := context.Background()
	var total tally
	for _, tdb := range writeDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			var tl tally
			var bad []string
			for _, c := range cases {
				if c.Category == "ddl" {
					fmt.Printf("%-8s %-40s not counted: a DDL case (no operations), for the DDL runner\n", tdb.name, c.ID)
					continue
				}
				o, detail := runWriteCase(ctx, tdb, c)
				tl.add(o)
				total.add(o)
				if o == failed {
					bad = append(bad, c.ID)
				}
				fmt.Printf("%-8s %-40s %s\n", tdb.name, c.ID, detail)
			}
			fmt.Printf("write conformance[%s]: %s\n", tdb.name, tl)
			if len(bad) > 0 {
				t.Errorf("%s: %d write cases failed: %s", tdb.name, len(bad), strings.Join(bad, ", "))
			}
		})
	}
	fmt.Printf("write conformance: %s\n", total)
}

// writeDBs is openDBs with SQLite enforcing foreign keys (ON DELETE rules are part of what
// the cases record).
func writeDBs(t *testing.T) []testDB {
	dbs := openDBs(t)
	for i, d := range dbs {
		if d.name != "sqlite" {
			continue
		}
		path := filepath.Join(t.TempDir(), "writes.db")
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=case_sensitive_like(1)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i].db = db
	}
	return dbs
}

// runWriteCase sets one case up on one database and runs its operations.
func runWriteCase(ctx context.Context, tdb testDB, c *WriteCase) (outcome, string) {
	fail := func(format string, args ...any) (outcome, string) {
		return failed, "FAIL " + fmt.Sprintf(format, args...)
	}
	if c.SyncError != nil {
		return fail("sync failed in Sequelize (%v): nothing to run", c.SyncError)
	}
	dev := writeDeviations[c.Name]
	rc := c.readCase()
	if err := resetWriteDB(ctx, tdb); err != nil {
		return fail("setup: reset: %v", err)
	}
	if err := createWriteTables(ctx, tdb, c); err != nil {
		return fail("setup: %v", err)
	}
	if err := insertData(ctx, tdb, rc); err != nil {
		return fail("setup: %v", err)
	}
	if tdb.name == "postgres" {
		for _, s := range c.SetupSQL {
			if _, err := tdb.db.ExecContext(ctx, s); err != nil {
				return fail("setup: %s: %v", s, err)
			}
		}
	}
	s, err := declareSchema(rc, nil)
	if err != nil {
		return fail("schema: %v", err)
	}
	return runWriteOps(ctx, tdb, c, s, write.New(s, tdb.dialect), dev)
}

// runWriteOps runs the case's operations with w over schema s and compares each result and
// every table after each with the expectation (adjusted by the case's deviation dev).
func runWriteOps(ctx context.Context, tdb testDB, c *WriteCase, s *include.Schema, w *write.Writer, dev *writeDeviation) (outcome, string) {
	fail := func(format string, args ...any) (outcome, string) {
		return failed, "FAIL " + fmt.Sprintf(format, args...)
	}
	var notes []string
	var prev map[string][]map[string]any
	adjusted := false
	for i, op := range c.Operations {
		want := expectation{tables: op.Tables, result: op.Result, err: op.Error != nil}
		if dev != nil && dev.adjust != nil {
			if adj, ok := dev.adjust(i, prev, want); ok {
				want, adjusted = adj, true
			}
		}
		prev = want.tables
		res, gotErr, note := runWriteOp(ctx, tdb, w, s, c, op)
		if note != "" {
			notes = append(notes, fmt.Sprintf("op %d: %s", i, note))
		}
		if gotErr != nil && !want.err {
			if isUnsupported(gotErr) {
				return fail("op %d (%s): %v", i, op.Op, gotErr)
			}
			return fail("op %d (%s): %v", i, op.Op, gotErr)
		}
		if gotErr == nil && want.err {
			return fail("op %d (%s): Sequelize failed (%v), joinery did not", i, op.Op, op.Error)
		}
		if !want.err {
			if d := compareResult(op, res, want.result); d != "" {
				return fail("op %d (%s): result: %s", i, op.Op, d)
			}
		}
		for _, tb := range sortedTables(want.tables) {
			if d := compareTable(ctx, tdb, c, tb, want.tables[tb]); d != "" {
				return fail("op %d (%s): table %s: %s", i, op.Op, tb, d)
			}
		}
	}
	if dev != nil && !adjusted {
		return fail("the write deviations table entry for %q adjusts no operation", c.Name)
	}
	detail := "pass"
	if dev != nil {
		detail = "deviation: " + dev.why
	}
	if len(notes) > 0 {
		detail += " (" + strings.Join(notes, "; ") + ")"
	}
	if dev != nil {
		return deviated, detail
	}
	return pass, detail
}

type expectation struct {
	tables map[string][]map[string]any
	result any
	err    bool
}

func sortedTables(m map[string][]map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// runWriteOp runs one operation with joinery's write API. It returns what to compare with
// the result: a bool (has), an int64 (count), the created map (create, createNested).
func runWriteOp(ctx context.Context, tdb testDB, w *write.Writer, s *include.Schema, c *WriteCase, op WriteOp) (any, error, string) {
	if op.Op == "createNested" {
		values, _ := deepArg(op.Values).(map[string]any)
		var paths []string
		var walk func(prefix string, incs []NestedInclude)
		walk = func(prefix string, incs []NestedInclude) {
			for _, inc := range incs {
				p := prefix + inc.As
				paths = append(paths, p)
				walk(p+".", inc.Include)
			}
		}
		walk("", op.Include)
		_, err := w.CreateMap(op.Model, values, paths...).Exec(ctx, tdb.db)
		return values, err, ""
	}
	if op.Source == nil {
		return nil, fmt.Errorf("operation %s without a source", op.Op), ""
	}
	src, err := findByPK(ctx, tdb, s, op.Source.Model, op.Source.PK)
	if err != nil {
		return nil, err, ""
	}
	if op.Op == "destroy" {
		m := s.Model(op.Source.Model)
		d := tdb.dialect
		del := "DELETE FROM " + d.Quote(m.Table()) + " WHERE " + d.Quote(ownKey(m)) + " = " + d.Placeholder(1)
		args := []any{jsonArg(op.Source.PK)}
		if m.Tenant() != "" && tdb.tenant != nil {
			del += " AND " + d.Quote(m.Tenant()) + " = " + d.Placeholder(2)
			args = append(args, tdb.tenant)
		}
		_, err := tdb.db.ExecContext(ctx, del, args...)
		return nil, err, "destroy is Model.destroy, not an association write: the harness deletes the row with a plain DELETE and the tables follow the DDL's ON DELETE rules"
	}
	a := w.Assoc(op.Source.Model, op.Association)
	assoc := a.Association()
	if assoc == nil {
		_, err := a.Count(src).Exec(ctx, tdb.db)
		return nil, err, ""
	}
	var targets []any
	if op.Targets != nil {
		list, isList := op.Targets.([]any)
		if !isList {
			list = []any{op.Targets}
		}
		for _, t := range list {
			pk := t
			var th map[string]any
			if m, ok := t.(map[string]any); ok {
				pk = m["pk"]
				th, _ = deepArg(m["through"]).(map[string]any)
			}
			tv, err := findByPK(ctx, tdb, s, assoc.Target.Name(), pk)
			if err != nil {
				return nil, err, ""
			}
			if th != nil {
				targets = append(targets, write.Link(tv, th))
			} else {
				targets = append(targets, tv)
			}
		}
	}
	var through map[string]any
	if op.Through != nil {
		through, _ = deepArg(op.Through).(map[string]any)
	}
	switch op.Op {
	case "add":
		_, err = a.Add(src, targets...).Through(through).Exec(ctx, tdb.db)
		return nil, err, ""
	case "set":
		if op.Targets == nil {
			_, err = a.Set(src).Through(through).Exec(ctx, tdb.db)
		} else {
			_, err = a.Set(src, targets...).Through(through).Exec(ctx, tdb.db)
		}
		return nil, err, ""
	case "remove":
		_, err = a.Remove(src, targets...).Exec(ctx, tdb.db)
		return nil, err, ""
	case "has":
		has, err := a.Has(src, targets...).Bool(ctx, tdb.db)
		return has, err, ""
	case "count":
		o := a.Count(src)
		if op.Where != nil {
			pred, err := wherePred(op.Where)
			if err != nil {
				return nil, err, ""
			}
			o = o.Where(pred)
		}
		n, err := o.Int(ctx, tdb.db)
		return n, err, ""
	case "create":
		values, _ := deepArg(op.Values).(map[string]any)
		if values == nil {
			values = map[string]any{}
		}
		_, err = a.Create(src, values).Through(through).Exec(ctx, tdb.db)
		return values, err, ""
	}
	return nil, unsupportedf("operation %q", op.Op), ""
}

// findByPK loads a row as the run-time model's map (Sequelize's findByPk before each call).
func findByPK(ctx context.Context, tdb testDB, s *include.Schema, model string, pk any) (map[string]any, error) {
	m := s.Model(model)
	if m == nil {
		return nil, fmt.Errorf("unknown model %s", model)
	}
	d := tdb.dialect
	var cols []string
	var attrs []include.Attr
	for _, at := range m.Attrs() {
		if !at.Hidden {
			cols = append(cols, d.Quote(at.Column))
			attrs = append(attrs, at)
		}
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + d.Quote(m.Table()) + " WHERE " + d.Quote(ownKey(m)) + " = " + d.Placeholder(1)
	args := []any{jsonArg(pk)}
	if m.Tenant() != "" && tdb.tenant != nil {
		q += " AND " + d.Quote(m.Tenant()) + " = " + d.Placeholder(2)
		args = append(args, tdb.tenant)
	}
	rows, err := tdb.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("findByPk(%s, %v): %w", model, pk, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, fmt.Errorf("findByPk(%s, %v): no row", model, pk)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for i, at := range attrs {
		v := vals[i]
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		out[at.Name] = v
	}
	return out, rows.Err()
}

// ownKey is the column of m's primary key that the recorded operations name (the key
// without the tenant column of a multi-tenant layout).
func ownKey(m *include.Model) string {
	for _, k := range m.PrimaryKey() {
		if k != m.Tenant() {
			return k
		}
	}
	return m.PrimaryKey()[0]
}

// compareResult compares has / count / create results; "" when they agree.
func compareResult(op WriteOp, got, want any) string {
	switch op.Op {
	case "has":
		if got != want {
			return fmt.Sprintf("has: joinery %v, Sequelize %v", got, want)
		}
	case "count":
		if canonValue(got) != canonValue(want) {
			return fmt.Sprintf("count: joinery %v, Sequelize %v", got, want)
		}
	case "create", "createNested":
		return compareCreated("", got, want)
	}
	return ""
}

// compareCreated compares a created value with Sequelize's toJSON: every attribute and
// nested association Sequelize returns; an attribute joinery's map lacks must be null in
// Sequelize's, and a join model's object (Sequelize returns its keys as null) is skipped.
func compareCreated(path string, got, want any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: joinery %T, Sequelize an object", path, got)
		}
		for _, k := range sortedKeys(w) {
			wv := w[k]
			gv, has := g[k]
			if !has {
				if wv != nil {
					if _, isObj := wv.(map[string]any); isObj {
						continue // the join model's object (through values): not part of the created row
					}
					return fmt.Sprintf("%s.%s: missing in joinery's value, Sequelize %v", path, k, wv)
				}
				continue
			}
			if d := compareCreated(path+"."+k, gv, wv); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: joinery %T, Sequelize a list", path, got)
		}
		if len(g) != len(w) {
			return fmt.Sprintf("%s: joinery %d elements, Sequelize %d", path, len(g), len(w))
		}
		for i := range w {
			if d := compareCreated(fmt.Sprintf("%s[%d]", path, i), g[i], w[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if canonValue(got) != canonValue(want) {
		return fmt.Sprintf("%s: joinery %v, Sequelize %v", path, got, want)
	}
	return ""
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// canonValue writes a value the same way whether it came from JSON or a driver.
func canonValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case json.Number:
		return canonValue(jsonArg(x))
	case []byte:
		return strconv.Quote(string(x))
	case string:
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprintf("%v", v)
}

// compareTable compares a table's contents, as sorted rows, with the expectation.
func compareTable(ctx context.Context, tdb testDB, c *WriteCase, table string, want []map[string]any) string {
	cols := map[string]bool{}
	for _, r := range want {
		for k := range r {
			cols[k] = true
		}
	}
	if tc, ok := c.Constraints[table]; ok {
		for _, cl := range tc.Columns {
			cols[cl.Name] = true
		}
	}
	names := make([]string, 0, len(cols))
	for k := range cols {
		names = append(names, k)
	}
	sort.Strings(names)
	bools := map[string]bool{}
	for _, cl := range c.Constraints[table].Columns {
		if cl.Type == "boolean" {
			bools[cl.Name] = true
		}
	}
	d := tdb.dialect
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = d.Quote(n)
	}
	sel := "SELECT " + strings.Join(quoted, ", ") + " FROM " + d.Quote(table)
	var args []any
	if tdb.tenant != nil && tdb.tenantTables[table] {
		// the table of a multi-tenant layout: the operations' tenant's rows
		sel += " WHERE " + d.Quote(tenantColumn) + " = " + d.Placeholder(1)
		args = append(args, tdb.tenant)
	}
	rows, err := tdb.db.QueryContext(ctx, sel, args...)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err.Error()
		}
		parts := make([]string, len(names))
		for i, n := range names {
			v := vals[i]
			if bools[n] {
				switch x := v.(type) {
				case int64:
					v = x != 0
				}
			}
			parts[i] = n + "=" + canonValue(v)
		}
		got = append(got, strings.Join(parts, " "))
	}
	if err := rows.Err(); err != nil {
		return err.Error()
	}
	var exp []string
	for _, r := range want {
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = n + "=" + canonValue(r[n])
		}
		exp = append(exp, strings.Join(parts, " "))
	}
	sort.Strings(got)
	sort.Strings(exp)
	if strings.Join(got, "\n") == strings.Join(exp, "\n") {
		return ""
	}
	return fmt.Sprintf("\n      joinery:   %s\n      Sequelize: %s", strings.Join(got, "\n                 "), strings.Join(exp, "\n                 "))
}

// createWriteTables creates the case's tables: the recorded DDL on PostgreSQL, elsewhere a
// translation of the constraints PostgreSQL reported (columns, NOT NULL, generated keys,
// primary and unique keys, foreign keys with their rules).
func createWriteTables(ctx context.Context, tdb testDB, c *WriteCase) error {
	if tdb.name == "postgres" {
		if _, err := tdb.db.ExecContext(ctx, c.DDL); err != nil {
			return fmt.Errorf("recorded ddl: %w", err)
		}
		return nil
	}
	stmts, err := translateWriteDDL(c, tdb.dialect)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := tdb.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%w\n%s", err, s)
		}
	}
	return nil
}

func translateWriteDDL(c *WriteCase, d dialects.Dialect) ([]string, error) {
	mysql := d == dialects.MySQL
	tables := make([]string, 0, len(c.Constraints))
	for tb := range c.Constraints {
		tables = append(tables, tb)
	}
	sort.Strings(tables)
	q := func(cols []string) string {
		out := make([]string, len(cols))
		for i, cl := range cols {
			out[i] = d.Quote(cl)
		}
		return strings.Join(out, ", ")
	}
	var out, alters []string
	for _, tb := range tables {
		tc := c.Constraints[tb]
		keyed := map[string]bool{}
		if tc.PrimaryKey != nil {
			for _, k := range tc.PrimaryKey.Columns {
				keyed[k] = true
			}
		}
		for _, u := range tc.Unique {
			for _, k := range u.Columns {
				keyed[k] = true
			}
		}
		for _, f := range tc.ForeignKeys {
			for _, k := range f.Columns {
				keyed[k] = true
			}
		}
		var parts []string
		for _, cl := range tc.Columns {
			typ, err := sqlType(d, cl.Type, keyed[cl.Name])
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", tb, cl.Name, err)
			}
			def := d.Quote(cl.Name) + " " + typ
			if cl.NotNull {
				def += " NOT NULL"
			}
			if cl.Default != nil && strings.HasPrefix(*cl.Default, "nextval(") && mysql {
				def += " AUTO_INCREMENT"
			}
			parts = append(parts, def)
		}
		if tc.PrimaryKey != nil {
			parts = append(parts, "PRIMARY KEY ("+q(tc.PrimaryKey.Columns)+")")
		}
		for _, u := range tc.Unique {
			parts = append(parts, "UNIQUE ("+q(u.Columns)+")")
		}
		for _, f := range tc.ForeignKeys {
			fk := "FOREIGN KEY (" + q(f.Columns) + ") REFERENCES " + d.Quote(f.RefTable) + " (" + q(f.RefColumns) + ")"
			if f.OnDelete != "" {
				fk += " ON DELETE " + f.OnDelete
			}
			if f.OnUpdate != "" {
				fk += " ON UPDATE " + f.OnUpdate
			}
			if mysql {
				alters = append(alters, "ALTER TABLE "+d.Quote(tb)+" ADD CONSTRAINT "+d.Quote(f.Name)+" "+fk)
			} else {
				parts = append(parts, fk)
			}
		}
		s := "CREATE TABLE " + d.Quote(tb) + " (" + strings.Join(parts, ", ") + ")"
		if mysql {
			s += " DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
		}
		out = append(out, s)
	}
	return append(out, alters...), nil
}

// sqlType maps a PostgreSQL column type (format_type) to MySQL/MariaDB or SQLite.
func sqlType(d dialects.Dialect, typ string, key bool) (string, error) {
	mysql := d == dialects.MySQL
	switch {
	case typ == "integer":
		if mysql {
			return "INT", nil
		}
		return "INTEGER", nil
	case typ == "bigint":
		if mysql {
			return "BIGINT", nil
		}
		return "INTEGER", nil
	case typ == "text":
		if mysql && key {
			return "VARCHAR(255)", nil
		}
		return "TEXT", nil
	case strings.HasPrefix(typ, "character varying"):
		return "VARCHAR" + strings.TrimPrefix(typ, "character varying"), nil
	case typ == "uuid":
		if mysql {
			return "CHAR(36)", nil
		}
		return "TEXT", nil
	case typ == "boolean":
		return "BOOLEAN", nil
	case typ == "double precision":
		if mysql {
			return "DOUBLE", nil
		}
		return "REAL", nil
	}
	return "", fmt.Errorf("column type %q has no translation", typ)
}

// resetWriteDB is resetDB where tables may reference each other: MySQL/MariaDB drop them
// with foreign-key checks off, on one connection.
func resetWriteDB(ctx context.Context, tdb testDB) error {
	if tdb.name != "mysql" {
		return resetDB(ctx, tdb)
	}
	conn, err := tdb.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()`)
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
	if _, err := conn.ExecContext(ctx, "SET FOREIGN_KEY_CHECKS = 0"); err != nil {
		return err
	}
	for _, tb := range tables {
		if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+tdb.dialect.Quote(tb)); err != nil {
			return err
		}
	}
	_, err = conn.ExecContext(ctx, "SET FOREIGN_KEY_CHECKS = 1")
	return err
}
