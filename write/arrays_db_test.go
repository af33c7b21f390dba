package write_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

// TestArraysDB runs a nested create and an add with WithArrays on the databases whose
// dialect has array parameters (PostgreSQL): every INSERT is one INSERT .. SELECT * FROM
// unnest(..) after one catalog query per table, and the tables hold what the VALUES lists
// write (TestNestedCreateDB's tree), including NULLs and text that an array's text form
// must escape.
func TestArraysDB(t *testing.T) {
	ctx := context.Background()
	s := schema(t)
	ran := false
	for _, tdb := range openDBs(t) {
		if !tdb.dialect.Features().AnyArray {
			continue
		}
		ran = true
		t.Run(tdb.name, func(t *testing.T) {
			seed(t, tdb)
			w := write.New(s, tdb.dialect).WithArrays()
			odd := `a,"b" {c} \d NULL`
			shared := Tag{Name: "shared"}
			users := []*User{
				{Name: "eve", Profile: &Profile{Bio: "eve bio"},
					Posts: []Post{
						{Title: "e1", Tags: []Tag{{Name: "t1", AddedBy: strp("eve")}, {Name: "t2"}}, Comments: []Comment{{Body: "ce1"}}},
						{Title: odd},
					},
					Projects: []Project{{Name: "gemini2", Membership: UserProject{Role: strp("lead")}}}},
				{Name: "fay", Posts: []Post{{Title: "f1", Tags: []Tag{shared}}}},
			}
			res := must(t)(w.Create(&users, "posts.tags", "posts.comments", "profile", "projects").Exec(ctx, tdb.db))
			if users[0].ID != 4 || users[1].ID != 5 || users[0].Posts[1].ID != 6 || *users[1].Posts[0].UserID != 5 {
				t.Errorf("keys not written back: %+v", users)
			}
			wantTable(t, tdb, "users", "1|ann", "2|ben", "3|cid", "4|eve", "5|fay")
			wantTable(t, tdb, "posts", "1|1|p1", "2|1|p2", "3|2|p3", "4|NULL|p4", "5|4|e1", "6|4|"+odd, "7|5|f1")
			wantTable(t, tdb, "tags", "1|news", "2|howto", "3|fun", "4|t1", "5|t2", "6|shared")
			wantTable(t, tdb, "item_tags", "1|1|post|1|NULL", "2|1|video|1|NULL", "3|4|post|5|eve", "4|5|post|5|NULL", "5|6|post|7|NULL")
			wantTable(t, tdb, "comments", "1|post|1|c1", "2|video|1|c2", "3|post|2|c3", "4|post|5|ce1")
			wantTable(t, tdb, "profiles", "1|1|ann bio", "2|4|eve bio")
			wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|dev", "2|1|qa", "4|5|lead")
			inserts, catalog := 0, 0
			for _, st := range res.Statements {
				switch {
				case strings.HasPrefix(st.SQL, "INSERT"):
					inserts++
					if !strings.Contains(st.SQL, ") SELECT * FROM unnest($1::text::") {
						t.Errorf("not an array INSERT: %s", st.SQL)
					}
				case strings.Contains(st.SQL, "pg_attribute"):
					catalog++
				}
			}
			if inserts != 8 || catalog != 8 {
				t.Errorf("%d INSERTs and %d catalog queries, want 8 and 8 (one per table): %v", inserts, catalog, res.Statements)
			}
			// add through arrays: a linked target left alone, a new link with its role
			a := w.Assoc("User", "projects")
			must(t)(a.Add(User{ID: 1}, write.Key(int64(1)), write.Key(int64(3))).Through(map[string]any{"role": "o'p"}).Exec(ctx, tdb.db))
			wantTable(t, tdb, "user_projects", "1|1|o'p", "1|2|dev", "1|3|o'p", "2|1|qa", "4|5|lead")
		})
	}
	if !ran {
		t.Log("no database with array parameters (JOINERY_PG_DSN unset): nothing to run")
	}
}

// typed holds the column types whose array text form is not a plain number or string.
type typed struct {
	ID    int64      `db:"id"`
	Set   string     `db:"set"`
	At    time.Time  `db:"at"`
	AtTZ  time.Time  `db:"at_tz"`
	Day   *time.Time `db:"day"`
	Price string     `db:"price"`
	Ratio float64    `db:"ratio"`
	OK    bool       `db:"ok"`
	Doc   []byte     `db:"doc"`
	UID   string     `db:"uid"`
}

// TestArraysTypesDB writes the same rows with VALUES lists and with arrays into columns of
// timestamp, timestamptz, date, numeric, double precision, boolean, jsonb and uuid types:
// the tables hold the same values.
func TestArraysTypesDB(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openDBs(t) {
		if !tdb.dialect.Features().AnyArray {
			continue
		}
		t.Run(tdb.name, func(t *testing.T) {
			mustExec(t, tdb.db, "DROP TABLE IF EXISTS w_typed",
				`CREATE TABLE w_typed (id SERIAL PRIMARY KEY, set TEXT NOT NULL, at TIMESTAMP, at_tz TIMESTAMPTZ, day DATE,
					price NUMERIC(10, 2), ratio DOUBLE PRECISION, ok BOOLEAN, doc JSONB, uid UUID)`)
			s := include.NewSchema()
			if _, err := s.Define(typed{}, "w_typed"); err != nil {
				t.Fatal(err)
			}
			zone := time.FixedZone("plus2", 2*3600)
			day := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
			rows := func(set string) []typed {
				return []typed{
					{Set: set, At: time.Date(2026, 12, 3, 14, 5, 6, 789000000, zone), AtTZ: time.Date(2026, 12, 3, 14, 5, 6, 789123000, zone),
						Day: &day, Price: "12.50", Ratio: 0.1, OK: true, Doc: []byte(`{"a": [1, "x\"y"]}`), UID: "6f1d2a4e-9c1b-4f3e-8a7d-2b5c9e0f1a3b"},
					{Set: set, At: time.Date(1999, 1, 2, 3, 4, 5, 0, time.UTC), AtTZ: time.Date(1999, 1, 2, 3, 4, 5, 0, time.UTC),
						Price: "-0.01", Ratio: 1e-300, OK: false, Doc: []byte(`null`), UID: "00000000-0000-0000-0000-000000000000"},
				}
			}
			values, arrays := rows("values"), rows("arrays")
			must(t)(write.New(s, tdb.dialect).Create(&values).Exec(ctx, tdb.db))
			res := must(t)(write.New(s, tdb.dialect).WithArrays().Create(&arrays).Exec(ctx, tdb.db))
			if !strings.Contains(res.Statements[len(res.Statements)-1].SQL, "unnest(") {
				t.Fatalf("not an array INSERT: %v", res.Statements)
			}
			q := "SELECT at, at_tz, day, price, ratio, ok, doc, uid FROM w_typed WHERE set = '%s' ORDER BY id"
			got, want := dumpQuery(t, tdb.db, fmt.Sprintf(q, "arrays")), dumpQuery(t, tdb.db, fmt.Sprintf(q, "values"))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("arrays wrote\n%s\nVALUES lists wrote\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if arrays[0].ID != values[1].ID+1 || arrays[1].ID != values[1].ID+2 {
				t.Errorf("keys: values %d %d, arrays %d %d", values[0].ID, values[1].ID, arrays[0].ID, arrays[1].ID)
			}
		})
	}
}
