package conformance

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/internal/testdbs"
	"github.com/joinery/joinery/write"
)

// TestSequelizeWriteConformanceCitus replays every recorded write case on a Citus cluster
// (JOINERY_CITUS_DSN) with the case's tables DISTRIBUTED: the recorded tables with tenant_id
// added in front of every primary, unique and foreign key (citusWriteDDL), every table
// distributed by it, co-located (no reference tables: every recorded table is written to by
// some operation, and a write to a reference table is not one tenant's). The recorded rows
// are tenant 1's and tenant 2 holds a copy; the operations run with write.Writer.WithTenant(1)
// and every table's tenant-1 rows after each are compared with Sequelize's, as on the other
// databases; after the last, tenant 2's rows must be the recorded data, untouched. It ends
// with "write conformance on citus: N passed, D deviations, F failed".
func TestSequelizeWriteConformanceCitus(t *testing.T) {
	cdb, ok := testdbs.CitusParams(t, "joinery_conformance_wcitus", citusParams)
	if !ok {
		t.Skip("JOINERY_CITUS_DSN is not set: the write cases run on distributed tables only on a Citus cluster")
	}
	cases, err := readWriteCases(writeCasesDir)
	if err != nil {
		t.Fatal(err)
	}
	for name := range citusWriteDeviations {
		found := false
		for _, c := range cases {
			found = found || c.Name == name
		}
		if !found {
			t.Errorf("citusWriteDeviations names %q, which is not a write case", name)
		}
	}
	ctx := context.Background()
	tdb := testDB{name: cdb.Name, dialect: cdb.Dialect, db: cdb.DB}
	var tl tally
	var bad []string
	for _, c := range cases {
		if c.Category == "ddl" {
			fmt.Printf("%-8s %-40s not counted: a DDL case (no operations)\n", "citus", c.ID)
			continue
		}
		o, detail := runWriteCaseCitus(ctx, tdb, c)
		tl.add(o)
		if o == failed {
			bad = append(bad, c.ID)
		}
		fmt.Printf("%-8s %-40s %s\n", "citus", c.ID, detail)
	}
	if len(bad) > 0 {
		t.Errorf("citus: %d write cases failed: %s", len(bad), strings.Join(bad, ", "))
	}
	fmt.Printf("write conformance on citus: %s\n", tl)
}

// citusWriteDeviations are the write cases whose recorded behaviour cannot be had on tables
// distributed by the tenant column, with the reason; the case's own deviation (if any) does
// not apply on Citus then.
var citusWriteDeviations = map[string]func(c *WriteCase) *writeDeviation{
	"hm_default_destroy_set_null": func(c *WriteCase) *writeDeviation {
		return &writeDeviation{
			why: "Citus refuses ON DELETE SET NULL on a foreign key that includes the distribution column (even SET NULL (authorId)): the key is NO ACTION, " +
				"so destroying a user who has posts fails and changes nothing (Sequelize nulls the posts' authorId)",
			adjust: func(i int, prev map[string][]map[string]any, want expectation) (expectation, bool) {
				if i != 0 {
					return want, false
				}
				tables := map[string][]map[string]any{}
				for tb := range want.tables {
					tables[tb] = []map[string]any{}
					for _, d := range c.Data {
						if d.Table == tb {
							tables[tb] = append(tables[tb], d.Rows...)
						}
					}
				}
				return expectation{tables: tables, err: true}, true
			},
		}
	},
}

// runWriteCaseCitus sets one write case up on distributed tables, tenant 2 holding a copy of
// the rows, runs its operations as tenant 1 and checks tenant 2's rows.
func runWriteCaseCitus(ctx context.Context, tdb testDB, c *WriteCase) (outcome, string) {
	fail := func(format string, args ...any) (outcome, string) {
		return failed, "FAIL " + fmt.Sprintf(format, args...)
	}
	if c.SyncError != nil {
		return fail("sync failed in Sequelize (%v): nothing to run", c.SyncError)
	}
	dev := writeDeviations[c.Name]
	if d, ok := citusWriteDeviations[c.Name]; ok {
		dev = d(c)
	}
	rc := c.readCase()
	if err := resetDB(ctx, tdb); err != nil {
		return fail("setup: reset: %v", err)
	}
	tables, err := createWriteTablesCitus(ctx, tdb, c)
	if err != nil {
		return fail("setup: %v", err)
	}
	if err := insertData(ctx, tdb, rc); err != nil {
		return fail("setup: %v", err)
	}
	for _, s := range c.SetupSQL {
		if _, err := tdb.db.ExecContext(ctx, s); err != nil {
			return fail("setup: %s: %v", s, err)
		}
	}
	if err := copyTenant(ctx, tdb, rc, tables, 2); err != nil {
		return fail("setup: %v", err)
	}
	s, err := declareSchemaIn(rc, nil, &tenantLayout{column: tenantColumn})
	if err != nil {
		return fail("schema: %v", err)
	}
	one := tdb
	one.tenant, one.tenantTables = int64(1), map[string]bool{}
	for _, tb := range tables {
		one.tenantTables[tb] = true
	}
	o, detail := runWriteOps(ctx, one, c, s, write.New(s, tdb.dialect).WithTenant(int64(1)), dev)
	if o == failed {
		return o, detail
	}
	// tenant 2 is untouched
	two := one
	two.tenant = int64(2)
	for _, tb := range tables {
		var want []map[string]any
		for _, d := range c.Data {
			if d.Table == tb {
				want = append(want, d.Rows...)
			}
		}
		if d := compareTable(ctx, two, c, tb, want); d != "" {
			return fail("tenant 2's rows of %s changed: %s", tb, d)
		}
	}
	return o, detail
}

// createWriteTablesCitus creates the case's tables from the constraints PostgreSQL reported
// for Sequelize's sync(), in the multi-tenant layout: tenant_id BIGINT NOT NULL DEFAULT 1
// first, leading the primary key, every unique key and both sides of every foreign key; a
// column Sequelize made SERIAL is SERIAL (a sequence shared by the tenants). Citus allows no
// foreign key that includes the distribution column to change it, so ON DELETE SET NULL /
// SET DEFAULT become NO ACTION and ON UPDATE rules NO ACTION (citusWriteDeviations lists the
// cases where that shows). The tables are distributed by tenant_id, co-located, before their
// foreign keys are added. It returns the tables.
func createWriteTablesCitus(ctx context.Context, tdb testDB, c *WriteCase) ([]string, error) {
	create, fks, tables := citusWriteDDL(c, tdb.dialect)
	for _, st := range create {
		if _, err := tdb.db.ExecContext(ctx, st); err != nil {
			return nil, fmt.Errorf("%w\n%s", err, st)
		}
	}
	if err := testdbs.DistributeTables(ctx, tdb.db, tenantColumn, tables, nil); err != nil {
		return nil, err
	}
	for _, st := range fks {
		if _, err := tdb.db.ExecContext(ctx, st); err != nil {
			return nil, fmt.Errorf("%w\n%s", err, st)
		}
	}
	return tables, nil
}

// citusWriteDDL writes the CREATE TABLE statements and the ALTER TABLE .. ADD FOREIGN KEY
// statements of createWriteTablesCitus, tables sorted by name.
func citusWriteDDL(c *WriteCase, d dialects.Dialect) (create, fks, tables []string) {
	for tb := range c.Constraints {
		tables = append(tables, tb)
	}
	sort.Strings(tables)
	q := func(cols []string) string {
		out := []string{d.Quote(tenantColumn)}
		for _, cl := range cols {
			out = append(out, d.Quote(cl))
		}
		return strings.Join(out, ", ")
	}
	for _, tb := range tables {
		tc := c.Constraints[tb]
		parts := []string{d.Quote(tenantColumn) + " BIGINT NOT NULL DEFAULT 1"}
		for _, cl := range tc.Columns {
			typ := cl.Type
			if cl.Default != nil && strings.HasPrefix(*cl.Default, "nextval(") {
				switch typ {
				case "integer":
					typ = "SERIAL"
				case "bigint":
					typ = "BIGSERIAL"
				}
			}
			def := d.Quote(cl.Name) + " " + typ
			if cl.NotNull {
				def += " NOT NULL"
			}
			parts = append(parts, def)
		}
		if tc.PrimaryKey != nil {
			parts = append(parts, "PRIMARY KEY ("+q(tc.PrimaryKey.Columns)+")")
		}
		for _, u := range tc.Unique {
			parts = append(parts, "UNIQUE ("+q(u.Columns)+")")
		}
		create = append(create, "CREATE TABLE "+d.Quote(tb)+" ("+strings.Join(parts, ", ")+")")
		for _, f := range tc.ForeignKeys {
			onDelete := f.OnDelete
			if onDelete == "SET NULL" || onDelete == "SET DEFAULT" {
				onDelete = "NO ACTION"
			}
			fks = append(fks, "ALTER TABLE "+d.Quote(tb)+" ADD CONSTRAINT "+d.Quote(f.Name)+" FOREIGN KEY ("+q(f.Columns)+") REFERENCES "+
				d.Quote(f.RefTable)+" ("+q(f.RefColumns)+") ON DELETE "+onDelete+" ON UPDATE NO ACTION")
		}
	}
	return create, fks, tables
}
