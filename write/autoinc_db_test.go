package write_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/joinery/joinery/write"
)

// TestNestedCreateKeyStepDB runs a nested create on MariaDB/MySQL in a session whose
// auto-increment step is 3 (auto_increment_increment, which a replication set-up changes):
// the keys of a multi-row INSERT are LastInsertId, +3, +6 ..., the operation asks the server
// for the step, and every key written back and every foreign key below it names the row
// it should. The other dialects read the keys back (RETURNING) and have no step.
func TestNestedCreateKeyStepDB(t *testing.T) {
	ctx := context.Background()
	s := schema(t)
	ran := false
	for _, tdb := range openDBs(t) {
		if !tdb.dialect.Features().LastInsertID {
			continue
		}
		ran = true
		t.Run(tdb.name, func(t *testing.T) {
			seed(t, tdb)
			conn, err := tdb.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.ExecContext(ctx, "SET SESSION auto_increment_increment = 3, auto_increment_offset = 1"); err != nil {
				t.Fatal(err)
			}
			defer conn.ExecContext(ctx, "SET SESSION auto_increment_increment = 1, auto_increment_offset = 1")
			users := make([]User, 4)
			for u := range users {
				users[u].Name = "step" + strconv.Itoa(u)
				for p := 0; p < 3; p++ {
					post := Post{Title: fmt.Sprintf("step%d-%d", u, p)}
					for g := 0; g < 2; g++ {
						post.Tags = append(post.Tags, Tag{Name: fmt.Sprintf("step%d-%d-%d", u, p, g)})
					}
					users[u].Posts = append(users[u].Posts, post)
				}
			}
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := write.New(s, tdb.dialect).Create(&users, "posts.tags").Exec(ctx, tx)
			if err != nil {
				tx.Rollback()
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if d := users[1].ID - users[0].ID; d != 3 {
				t.Fatalf("the users' keys are %d apart, want 3 (the session's step): %d, %d", d, users[0].ID, users[1].ID)
			}
			inserts := 0
			for _, st := range res.Statements {
				if len(st.SQL) > 6 && st.SQL[:6] == "INSERT" {
					inserts++
				}
			}
			if inserts != 4 {
				t.Errorf("%d INSERTs, want one per table and level (4): %v", inserts, res.Statements)
			}
			// every key written back names its row, and the rows below point at it
			for _, u := range users {
				wantRows(t, tdb, fmt.Sprintf("SELECT name FROM users WHERE id = %d", u.ID), u.Name)
				for _, p := range u.Posts {
					if p.UserID == nil || *p.UserID != u.ID {
						t.Errorf("post %q: user_id %v, want %d", p.Title, p.UserID, u.ID)
					}
					wantRows(t, tdb, fmt.Sprintf("SELECT CONCAT(p.title, '|', u.name) FROM posts p JOIN users u ON u.id = p.user_id WHERE p.id = %d", p.ID), p.Title+"|"+u.Name)
					for _, g := range p.Tags {
						wantRows(t, tdb, fmt.Sprintf("SELECT CONCAT(g.name, '|', p.title) FROM item_tags it JOIN tags g ON g.id = it.tag_id JOIN posts p ON p.id = it.taggable_id AND it.taggable = 'post' WHERE g.id = %d", g.ID), g.Name+"|"+p.Title)
					}
				}
			}
			wantRows(t, tdb, "SELECT COUNT(*) FROM item_tags it JOIN tags g ON g.id = it.tag_id WHERE g.name LIKE 'step%'", "24")
		})
	}
	if !ran {
		t.Log("no database with LastInsertId keys (JOINERY_MYSQL_DSN unset): nothing to run")
	}
}
