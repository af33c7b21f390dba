package write_test

import (
	"context"
	"errors"
	"testing"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

type Org struct {
	ID      string   `db:"id"`
	Name    string   `db:"name"`
	Members []Member `joinery:"staff"`
	Parent  *Org     `joinery:"parent"`
	OwnerID *string  `db:"parent_id"`
}

// Member has a composite primary key, one part of which is the foreign key the nested
// create fills in.
type Member struct {
	OrgID string `db:"org_id"`
	Seq   int64  `db:"seq"`
	Name  string `db:"name"`
}

// TestNestedCreateKeysDB: UUID (text) keys given by the caller, a composite key completed by
// the foreign key, an alias, and a belongsTo parent of the same model, on every database.
func TestNestedCreateKeysDB(t *testing.T) {
	ctx := context.Background()
	s := include.NewSchema()
	s.Define(Org{}, "orgs")
	s.Define(Member{}, "members", include.PrimaryKey("org_id", "seq"))
	s.HasMany("Org", "Member", include.As("staff"), include.ForeignKey("org_id"))
	s.BelongsTo("Org", "Org", include.As("parent"), include.ForeignKey("parent_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	for _, tdb := range openDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			mustExec(t, tdb.db, "DROP TABLE IF EXISTS members", "DROP TABLE IF EXISTS orgs",
				"CREATE TABLE orgs (id CHAR(36) PRIMARY KEY, name VARCHAR(50) NOT NULL, parent_id CHAR(36) REFERENCES orgs(id))",
				"CREATE TABLE members (org_id CHAR(36) NOT NULL REFERENCES orgs(id), seq INTEGER NOT NULL, name VARCHAR(50) NOT NULL, PRIMARY KEY (org_id, seq))")
			w := write.New(s, tdb.dialect)
			orgs := []Org{
				{ID: "00000000-0000-4000-8000-000000000002", Name: "child",
					Parent:  &Org{ID: "00000000-0000-4000-8000-000000000001", Name: "root"},
					Members: []Member{{Seq: 1, Name: "ann"}, {Seq: 2, Name: "ben"}}},
				{ID: "00000000-0000-4000-8000-000000000003", Name: "other", Members: []Member{{Seq: 1, Name: "cid"}}},
			}
			if _, err := w.Create(&orgs, "staff", "parent").Exec(ctx, tdb.db); err != nil {
				t.Fatal(err)
			}
			if orgs[0].OwnerID == nil || *orgs[0].OwnerID != "00000000-0000-4000-8000-000000000001" || orgs[1].Members[0].OrgID != orgs[1].ID {
				t.Errorf("keys not written back: %+v", orgs)
			}
			wantTable(t, tdb, "orgs",
				"00000000-0000-4000-8000-000000000001|root|NULL",
				"00000000-0000-4000-8000-000000000002|child|00000000-0000-4000-8000-000000000001",
				"00000000-0000-4000-8000-000000000003|other|NULL")
			wantTable(t, tdb, "members",
				"00000000-0000-4000-8000-000000000002|1|ann", "00000000-0000-4000-8000-000000000002|2|ben",
				"00000000-0000-4000-8000-000000000003|1|cid")
			// hasMany remove by composite keys
			if _, err := w.Assoc("Org", "staff").Remove(write.Key(orgs[0].ID), Member{OrgID: orgs[0].ID, Seq: 2}).DeleteUnlinked().Exec(ctx, tdb.db); err != nil {
				t.Fatal(err)
			}
			wantTable(t, tdb, "members",
				"00000000-0000-4000-8000-000000000002|1|ann", "00000000-0000-4000-8000-000000000003|1|cid")
			n, err := w.Assoc("Org", "staff").Count(orgs[1]).Int(ctx, tdb.db)
			if err != nil || n != 1 {
				t.Errorf("count: %d %v", n, err)
			}
			// a composite key that is not complete: an error before any statement
			res, err := w.Create(&Member{Seq: 9, Name: "x"}).Exec(ctx, tdb.db)
			if !errors.Is(err, write.ErrMissingKey) || len(res.Statements) != 0 {
				t.Errorf("a member without its org_id: %v, %d statements", err, len(res.Statements))
			}
		})
	}
}
