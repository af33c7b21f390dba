package conformance

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// DeclaredModel is a model as the case declared it: the column options that decide its
// constraints.
type DeclaredModel struct {
	Timestamps *bool `json:"timestamps"`
	Columns    orderedMap[struct {
		AllowNull *bool `json:"allowNull"`
		Unique    any   `json:"unique"`
	}] `json:"columns"`
}

// DeclaredAssoc is an association as the case declared it: the options that decide its
// constraints (the rest is in ResolvedAssoc).
type DeclaredAssoc struct {
	Source      string          `json:"source"`
	Kind        string          `json:"kind"`
	Target      string          `json:"target"`
	As          *string         `json:"as"`
	ForeignKey  json.RawMessage `json:"foreignKey"`
	Constraints *bool           `json:"constraints"`
	OnDelete    *string         `json:"onDelete"`
	OnUpdate    *string         `json:"onUpdate"`
	UniqueKey   *string         `json:"uniqueKey"`
}

// writesDir holds the recorded write and DDL cases, copied from the shared conformance
// folder; their `constraints` are what PostgreSQL reported after Sequelize's sync().
var writesDir = filepath.Join("..", "testdata", "sequelize_writes")

// ddlModelOptions are the DDL options of resolved model mn: column types from the README's
// type table, NOT NULL (allowNull: false) and unique keys (unique: true or a key name), in
// the multi-tenant layout mt (nil: plain tables) led by the tenant column.
func ddlModelOptions(c *Case, mn string, mt *tenantLayout) []include.ModelOption {
	m := c.Resolved.Models.M[mn]
	var opts []include.ModelOption
	for _, an := range m.Attributes.Keys {
		if typ := ddlType(m.Attributes.M[an].Type); typ != "" {
			opts = append(opts, include.ColumnType(an, typ))
		}
	}
	// Sequelize's unique: "name" groups columns into one key; on PostgreSQL it leaves the
	// key's name to the database, as joinery does for a key without a name
	dm := c.Models.M[mn]
	if dm.Timestamps == nil || *dm.Timestamps {
		// Sequelize's timestamps are NOT NULL
		for _, an := range []string{"createdAt", "updatedAt"} {
			if _, ok := m.Attributes.M[an]; ok {
				opts = append(opts, include.NotNull(an))
			}
		}
	}
	named := map[string][]string{}
	var names []string
	for _, an := range dm.Columns.Keys {
		a := dm.Columns.M[an]
		if a.AllowNull != nil && !*a.AllowNull {
			opts = append(opts, include.NotNull(an))
		}
		switch u := a.Unique.(type) {
		case bool:
			if u {
				opts = append(opts, include.Unique("", mt.uniqueKey(mn, an)...))
			}
		case string:
			if _, ok := named[u]; !ok {
				names = append(names, u)
			}
			named[u] = append(named[u], an)
		}
	}
	for _, n := range names {
		opts = append(opts, include.Unique("", mt.uniqueKey(mn, named[n]...)...))
	}
	return opts
}

// ddlType is the logical column type (include.ColumnType) of a README type.
func ddlType(typ string) string {
	switch typ {
	case "integer", "text", "string", "uuid", "boolean", "double":
		return typ
	case "date":
		return "timestamp"
	case "dateonly":
		return "date"
	}
	return ""
}

// ddlAssocOptions are the constraint options of resolved association i, from its declaration.
func ddlAssocOptions(c *Case, i int) ([]include.AssocOption, error) {
	r := c.Resolved.Associations[i]
	var d *DeclaredAssoc
	for j := range c.Associations {
		x := &c.Associations[j]
		if x.Source == r.Source && x.Kind == r.Kind && x.Target == r.Target && (x.As != nil && *x.As == r.As || x.As == nil && !r.IsAliased) {
			d = x
			break
		}
	}
	if d == nil {
		return nil, fmt.Errorf("resolved association %s %s %s as %q has no declaration", r.Source, r.Kind, r.Target, r.As)
	}
	var opts []include.AssocOption
	if d.Constraints != nil && !*d.Constraints {
		opts = append(opts, include.NoConstraint())
	}
	if d.OnDelete != nil {
		opts = append(opts, include.OnDelete(include.Rule(*d.OnDelete)))
	}
	if d.OnUpdate != nil {
		opts = append(opts, include.OnUpdate(include.Rule(*d.OnUpdate)))
	}
	if d.UniqueKey != nil {
		opts = append(opts, include.UniqueKey(*d.UniqueKey))
	}
	if len(d.ForeignKey) > 0 && d.ForeignKey[0] == '{' {
		var fk struct {
			AllowNull *bool `json:"allowNull"`
		}
		if err := json.Unmarshal(d.ForeignKey, &fk); err != nil {
			return nil, fmt.Errorf("association %d foreignKey: %w", i, err)
		}
		if fk.AllowNull != nil && !*fk.AllowNull {
			opts = append(opts, include.ForeignKeyNotNull())
		}
	}
	return opts, nil
}

// ddlOptions are the options of joinery's DDL for the conformance tables: on MySQL a binary
// collation, so that equality, LIKE and ORDER BY are case-sensitive as on PostgreSQL.
func ddlOptions(d dialects.Dialect) []ddl.Option {
	if d == dialects.MySQL {
		return []ddl.Option{ddl.TableOptions("DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")}
	}
	return nil
}

// loadWriteCases reads the write and DDL cases (their models, associations, ddl and
// constraints; the operations are issue 15's).
func loadWriteCases(dir string) ([]*Case, []map[string]pgTable, error) {
	files, err := filepath.Glob(filepath.Join(dir, "[0-9]*.json"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(files)
	var cases []*Case
	var cons []map[string]pgTable
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		c := &Case{ID: strings.TrimSuffix(filepath.Base(f), ".json")}
		if err := strictNumbers(b, c); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		var rec struct {
			Constraints map[string]struct {
				NotNull    []string `json:"notNull"`
				PrimaryKey *pgKey   `json:"primaryKey"`
				Unique     []pgKey  `json:"unique"`
				ForeignKey []struct {
					Name       string   `json:"name"`
					Columns    []string `json:"columns"`
					RefTable   string   `json:"refTable"`
					RefColumns []string `json:"refColumns"`
					OnDelete   string   `json:"onDelete"`
					OnUpdate   string   `json:"onUpdate"`
				} `json:"foreignKeys"`
			} `json:"constraints"`
		}
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(&rec); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		tables := map[string]pgTable{}
		for tn, t := range rec.Constraints {
			pt := pgTable{NotNull: t.NotNull, Unique: t.Unique}
			if t.PrimaryKey != nil {
				pt.PrimaryKey = *t.PrimaryKey
			}
			for _, fk := range t.ForeignKey {
				pt.ForeignKeys = append(pt.ForeignKeys, pgFK{Name: fk.Name, Columns: fk.Columns, RefTable: fk.RefTable, RefColumns: fk.RefColumns, OnDelete: fk.OnDelete, OnUpdate: fk.OnUpdate})
			}
			tables[tn] = pt.sorted()
		}
		cases = append(cases, c)
		cons = append(cons, tables)
	}
	if len(cases) == 0 {
		return nil, nil, fmt.Errorf("%s: no write cases", dir)
	}
	return cases, cons, nil
}

type pgKey struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
}

type pgFK struct {
	Name               string
	Columns            []string
	RefTable           string
	RefColumns         []string
	OnDelete, OnUpdate string
}

// pgTable is what the comparison looks at: the constraints, not the indexes (joinery adds one
// per foreign-key column, Sequelize none: the listed deviation every case shares).
type pgTable struct {
	NotNull     []string
	PrimaryKey  pgKey
	Unique      []pgKey
	ForeignKeys []pgFK
}

func (t pgTable) sorted() pgTable {
	sort.Strings(t.NotNull)
	sort.Slice(t.Unique, func(i, j int) bool { return t.Unique[i].Name < t.Unique[j].Name })
	sort.Slice(t.ForeignKeys, func(i, j int) bool { return t.ForeignKeys[i].Name < t.ForeignKeys[j].Name })
	return t
}

// pgConstraints reads the constraints of every table of the connection's current schema.
func pgConstraints(ctx context.Context, db *sql.Conn) (map[string]pgTable, error) {
	out := map[string]pgTable{}
	rows, err := db.QueryContext(ctx, `SELECT t.relname, con.conname, con.contype::text,
  (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(att, ord) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.att),
  COALESCE(rt.relname, ''),
  COALESCE((SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(att, ord) JOIN pg_attribute a ON a.attrelid = rt.oid AND a.attnum = k.att), ''),
  CASE con.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'r' THEN 'RESTRICT' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END,
  CASE con.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'r' THEN 'RESTRICT' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END
FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN pg_class rt ON rt.oid = con.confrelid
WHERE n.nspname = current_schema() AND con.contype IN ('p', 'u', 'f')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var tn, name, typ, cols, rt, rcols, del, upd string
		if err := rows.Scan(&tn, &name, &typ, &cols, &rt, &rcols, &del, &upd); err != nil {
			return nil, err
		}
		t := out[tn]
		k := pgKey{Name: name, Columns: strings.Split(cols, ",")}
		switch typ {
		case "p":
			t.PrimaryKey = k
		case "u":
			t.Unique = append(t.Unique, k)
		case "f":
			t.ForeignKeys = append(t.ForeignKeys, pgFK{Name: name, Columns: k.Columns, RefTable: rt, RefColumns: strings.Split(rcols, ","), OnDelete: del, OnUpdate: upd})
		}
		out[tn] = t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	nn, err := db.QueryContext(ctx, `SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull`)
	if err != nil {
		return nil, err
	}
	defer nn.Close()
	for nn.Next() {
		var tn, cn string
		if err := nn.Scan(&tn, &cn); err != nil {
			return nil, err
		}
		t := out[tn]
		t.NotNull = append(t.NotNull, cn)
		out[tn] = t
	}
	if err := nn.Err(); err != nil {
		return nil, err
	}
	for k, t := range out {
		out[k] = t.sorted()
	}
	return out, nil
}

// diffConstraints lists the differences between joinery's constraints and Sequelize's.
func diffConstraints(got, want map[string]pgTable) []string {
	var out []string
	var names []string
	for n := range want {
		names = append(names, n)
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		g, ok1 := got[n]
		w, ok2 := want[n]
		switch {
		case !ok1:
			out = append(out, fmt.Sprintf("%s: table missing", n))
			continue
		case !ok2:
			out = append(out, fmt.Sprintf("%s: table Sequelize does not create", n))
			continue
		}
		if a, b := fmt.Sprint(g.PrimaryKey), fmt.Sprint(w.PrimaryKey); a != b {
			out = append(out, fmt.Sprintf("%s: primary key %s, Sequelize %s", n, a, b))
		}
		if a, b := fmt.Sprint(g.NotNull), fmt.Sprint(w.NotNull); a != b {
			out = append(out, fmt.Sprintf("%s: NOT NULL %s, Sequelize %s", n, a, b))
		}
		if a, b := fmt.Sprint(g.Unique), fmt.Sprint(w.Unique); a != b {
			out = append(out, fmt.Sprintf("%s: unique %s, Sequelize %s", n, a, b))
		}
		if a, b := fmt.Sprint(g.ForeignKeys), fmt.Sprint(w.ForeignKeys); a != b {
			out = append(out, fmt.Sprintf("%s: foreign keys %s, Sequelize %s", n, a, b))
		}
	}
	return out
}

// TestDDLConstraints creates every read and write case's tables from joinery's DDL on
// PostgreSQL and compares the constraints (primary keys, unique keys, foreign keys with their
// rules, NOT NULL) with those Sequelize's sync() created: for a write case the recorded
// `constraints`, for a read case those of the recorded DDL run in a schema of its own. Every
// difference must be a listed deviation (ddlDeviations). The indexes joinery adds on
// foreign-key columns are not compared (Sequelize creates none): the deviation every case
// shares.
func TestDDLConstraints(t *testing.T) {
	dsn := os.Getenv("JOINERY_PG_DSN")
	if dsn == "" {
		t.Log("JOINERY_PG_DSN is not set: the constraints are compared on PostgreSQL only")
		return
	}
	ctx := context.Background()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatalf("JOINERY_PG_DSN is set but PostgreSQL is unreachable: %v", err)
	}
	defer conn.Close()
	const mine, theirs = "joinery_conformance_ddl", "joinery_conformance_seq"
	fresh := func(schema string) error {
		for _, st := range []string{"DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema, "SET search_path TO " + schema} {
			if _, err := conn.ExecContext(ctx, st); err != nil {
				return fmt.Errorf("%s: %w", st, err)
			}
		}
		return nil
	}
	reads, err := loadCases(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	writes, recorded, err := loadWriteCases(writesDir)
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]*Case(nil), reads...), writes...)
	seen := map[string]bool{}
	var passed, deviated, failed int
	for i, c := range all {
		seen[c.Name] = true
		var want map[string]pgTable
		if i >= len(reads) {
			want = recorded[i-len(reads)]
		} else {
			if err := fresh(theirs); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, c.DDL); err != nil {
				t.Fatalf("%s: recorded ddl: %v", c.ID, err)
			}
			if want, err = pgConstraints(ctx, conn); err != nil {
				t.Fatal(err)
			}
		}
		line := func(status string) { fmt.Printf("ddl      %-54s %s\n", c.ID, status) }
		s, err := declareSchema(c, deviations[c.Name])
		if err == nil {
			err = fresh(mine)
		}
		if err == nil {
			err = ddl.Create(ctx, conn, s, dialects.Postgres)
		}
		var got map[string]pgTable
		if err == nil {
			got, err = pgConstraints(ctx, conn)
		}
		if err != nil {
			failed++
			line("FAIL " + err.Error())
			t.Errorf("%s: %v", c.ID, err)
			continue
		}
		diff := strings.Join(diffConstraints(got, want), "; ")
		dev, listed := ddlDeviations[c.Name]
		switch {
		case diff == "" && !listed:
			passed++
			line("pass")
		case diff == "" && listed:
			failed++
			line("FAIL listed as a deviation, but the constraints match")
			t.Errorf("%s: listed in ddlDeviations, but the constraints match", c.ID)
		case listed && diff == dev.diff:
			deviated++
			line("deviation: " + dev.why)
		default:
			failed++
			line("FAIL " + diff)
			t.Errorf("%s: constraints differ from Sequelize's:\n  %s", c.ID, diff)
		}
	}
	for name := range ddlDeviations {
		if !seen[name] {
			t.Errorf("ddlDeviations names %q, which is not a case", name)
		}
	}
	fmt.Printf("ddl conformance: %d passed, %d deviations, %d failed\n", passed, deviated, failed)
}

// ddlDeviation is a case whose constraints differ from Sequelize's on purpose: diff is the
// exact difference, why the reason.
type ddlDeviation struct{ diff, why string }

var ddlDeviations = map[string]ddlDeviation{
	"ddl_unique_key_custom": {
		diff: "purchases: unique [{purchase_user_product_uk [userId productId]}], Sequelize [{purchases_userId_productId_key [userId productId]}]",
		why:  "include.UniqueKey names the join table's unique key; Sequelize 6 on PostgreSQL writes UNIQUE without its uniqueKey name, so PostgreSQL derives one",
	},
}

// TestDDLEveryDatabase creates every read and write case's tables from joinery's DDL on every
// database, inserts the recorded rows (under the constraints) and checks the database
// against the declarations: no problem, not even advice.
func TestDDLEveryDatabase(t *testing.T) {
	ctx := context.Background()
	reads, err := loadCases(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	writes, _, err := loadWriteCases(writesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tdb := range openDBs(t) {
		for _, c := range append(reads, writes...) {
			s, err := declareSchema(c, deviations[c.Name])
			if err == nil {
				err = resetDB(ctx, tdb)
			}
			if err == nil {
				err = createTables(ctx, tdb, s)
			}
			if err == nil {
				err = insertData(ctx, tdb, c)
			}
			if err == nil {
				err = ddl.Check(ctx, tdb.db, s, tdb.dialect)
			}
			if err != nil {
				t.Errorf("%s %s: %v", tdb.name, c.ID, err)
			}
		}
	}
}
