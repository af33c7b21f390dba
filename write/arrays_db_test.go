package write_test

import (
	"context"
	"strings"
	"testing"

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
