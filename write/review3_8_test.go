package write_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

type uOrder struct {
	ID    uuid.UUID `db:"id"`
	Name  string    `db:"name"`
	Lines []uLine   `joinery:"lines"`
}
type uLine struct {
	ID      uuid.UUID `db:"id"`
	OrderID uuid.UUID `db:"order_id"`
	Sku     string    `db:"sku"`
}

func TestReview3S16UUIDKeys(t *testing.T) {
	ctx := context.Background()
	s := include.NewSchema()
	s.Define(uOrder{}, "u_orders", include.Name("Order"))
	s.Define(uLine{}, "u_lines", include.Name("Line"))
	s.HasMany("Order", "Line", include.As("lines"), include.ForeignKey("order_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	eachS(t, s, func(t *testing.T, tdb testDB, w *write.Writer) {
		mustExec(t, tdb.db, "DROP TABLE IF EXISTS u_lines", "DROP TABLE IF EXISTS u_orders",
			"CREATE TABLE u_orders (id VARCHAR(36) PRIMARY KEY, name TEXT)", "CREATE TABLE u_lines (id VARCHAR(36) PRIMARY KEY, order_id VARCHAR(36), sku TEXT)")
		o := &uOrder{ID: uuid.New(), Name: "o", Lines: []uLine{{ID: uuid.New(), Sku: "a"}}}
		res, err := w.Create(o, "lines").Exec(ctx, tdb.db)
		if err != nil {
			t.Errorf("nested create with uuid keys: %v (%d statements)", err, len(res.Statements))
		}
		// Op-level add: an existing line moved to an existing order
		o2, l2 := uuid.New(), uuid.New()
		mustExec(t, tdb.db, "INSERT INTO u_orders VALUES ('"+o2.String()+"', 'o2')", "INSERT INTO u_lines VALUES ('"+l2.String()+"', NULL, 'b')")
		line := &uLine{ID: l2, Sku: "b"}
		_, err = w.Assoc("Order", "lines").Add(write.Key(o2), line).Exec(ctx, tdb.db)
		if err != nil {
			t.Errorf("add: %v", err)
		}
		wantRows(t, tdb, "SELECT COUNT(*) FROM u_lines WHERE order_id = '"+o2.String()+"'", "1")
	})
}
