package joinery

import (
	"context"
	"database/sql"
	"testing"

	"github.com/joinery/joinery/hydrate"
	_ "modernc.org/sqlite"
)

// *sql.DB and *sql.Conn lend their driver connection: statements run on the driver and rows
// reach the hydrator as typed cells; a *sql.Tx goes through database/sql.
func TestWithDriver(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for name, q := range map[string]Querier{"*sql.DB": db, "*sql.Conn": conn} {
		var got []any
		ok, err := withDriver(ctx, q, func(c *driverConn) error {
			rows, err := c.query("SELECT ? + 1, ?, NULL", []any{41, "x"})
			if err != nil {
				return err
			}
			defer rows.Close()
			if _, ok := rows.(hydrate.CellRows); !ok {
				t.Errorf("%s: driver rows are not CellRows", name)
			}
			for rows.Next() {
				var a sql.NullInt64
				var b sql.NullString
				var n sql.NullString
				if err := rows.Scan(&a, &b, &n); err != nil {
					return err
				}
				got = append(got, a.Int64, b.String, n.Valid)
			}
			return rows.Err()
		})
		if !ok || err != nil || len(got) != 3 || got[0] != int64(42) || got[1] != "x" || got[2] != false {
			t.Fatalf("%s: ok %v, err %v, got %v", name, ok, err, got)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if ok, _ := withDriver(ctx, tx, func(*driverConn) error { return nil }); ok {
		t.Fatal("a *sql.Tx has no driver connection to lend")
	}
}
