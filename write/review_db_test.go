package write_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

// panicValuer's Value panics, as a buggy Valuer of a caller's might.
type panicValuer struct{}

func (panicValuer) Value() (driver.Value, error) { panic("panicValuer") }

// TestNilValuerAndPanicDB: a nil *sql.NullString is NULL, as database/sql sends it; a panic
// inside an operation's transaction rolls it back and releases the connection before it
// goes on.
func TestNilValuerAndPanicDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		a := w.Assoc("User", "projects")
		// ann is linked to gemini as dev: the new role is NULL
		must(t)(a.Add(write.Key(int64(1)), write.Key(int64(2))).
			Through(map[string]any{"role": (*sql.NullString)(nil)}).Exec(ctx, tdb.db))
		// and to skylab, new: a link with a NULL role
		must(t)(a.Add(write.Key(int64(1)), write.Key(int64(4))).
			Through(map[string]any{"role": (*sql.NullString)(nil)}).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|NULL", "1|4|NULL", "2|1|qa")

		func() {
			defer func() {
				if p := recover(); p != "panicValuer" {
					t.Errorf("recovered %v, want the Valuer's panic", p)
				}
			}()
			// unique add: a SELECT, then an INSERT whose argument panics in the driver
			_, _ = a.Add(write.Key(int64(2)), write.Key(int64(3))).Through(map[string]any{"role": panicValuer{}}).Exec(ctx, tdb.db)
		}()
		if n := tdb.db.Stats().InUse; n != 0 {
			t.Errorf("%d connections in use after the panic, want 0 (rolled back)", n)
		}
		must(t)(a.Add(write.Key(int64(2)), write.Key(int64(3))).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|NULL", "1|4|NULL", "2|1|qa", "2|3|NULL")
	})
}

// TestNilInputs: a nil Writer and a typed nil Where are errors, not panics.
func TestNilInputs(t *testing.T) {
	var w *write.Writer
	for name, wr := range map[string]*write.Writer{"nil": w, "WithTenant": w.WithTenant(1), "WithArrays": w.WithArrays(), "WithMaxParams": w.WithMaxParams(10)} {
		_, err := wr.Assoc("User", "projects").Count(write.Key(int64(1))).Int(context.Background(), nil)
		if !errors.Is(err, write.ErrBadInput) {
			t.Errorf("%s Writer: %v, want ErrBadInput", name, err)
		}
	}
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		var p *sq.SelectBuilder
		_, err := w.Assoc("User", "projects").Count(write.Key(int64(1))).Where(p).Int(context.Background(), tdb.db)
		if !errors.Is(err, write.ErrBadInput) || !strings.Contains(err.Error(), "Where: a nil *squirrel.SelectBuilder") {
			t.Errorf("typed nil Where: %v", err)
		}
	})
}

// TestKeysOfOtherTypesDB: keys decoded from JSON (float64, json.Number) name the same rows
// as int64 keys: set keeps the links it is given and their values, add updates a link's
// values, has finds them, hasMany set keeps the children named.
func TestKeysOfOtherTypesDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		var ids []any
		if err := json.Unmarshal([]byte(`[1, 2]`), &ids); err != nil {
			t.Fatal(err)
		}
		a := w.Assoc("User", "projects")
		ann := write.Key(int64(1))
		// ann's links (1, lead) and (2, dev) are kept as they are
		res := must(t)(a.Set(ann, write.Key(ids[0]), write.Key(ids[1])).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|dev", "2|1|qa")
		if len(res.Statements) != 1 {
			t.Errorf("set of the links there are: %d statements, want the SELECT alone: %v", len(res.Statements), res.Statements)
		}
		must(t)(a.Add(ann, write.Key(json.Number("2"))).Through(map[string]any{"role": "lead"}).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|lead", "2|1|qa")
		ok, err := a.Has(ann, write.Key(int64(1)), write.Key(1.0), write.Key(json.Number("2"))).Bool(ctx, tdb.db)
		if err != nil || !ok {
			t.Errorf("has: %v %v", ok, err)
		}
		// hasMany set with more kept children than one NOT IN lists: the others are read and
		// compared in Go
		must(t)(w.WithMaxParams(2).Assoc("User", "posts").Set(ann, write.Key(1.0), write.Key(2.0)).DeleteUnlinked().Exec(ctx, tdb.db))
		wantTable(t, tdb, "posts", "1|1|p1", "2|1|p2", "3|2|p3", "4|NULL|p4")
	})
}

// TestNonUniqueAddAtomicDB: a non-unique add of two INSERTs (links with different columns)
// runs in one transaction: the second failing leaves nothing.
func TestNonUniqueAddAtomicDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		a := w.Assoc("User", "purchases")
		op := a.Add(write.Key(int64(2)), write.Link(write.Key(int64(1)), map[string]any{"quantity": 3}), write.Key(int64(2)))
		if p, err := op.Plan(); err != nil || !p.Transaction || len(p.Statements) != 2 {
			t.Fatalf("plan: %+v %v", p, err)
		}
		// the second INSERT has no quantity, which is NOT NULL
		_, err := op.Exec(ctx, tdb.db)
		if !errors.Is(err, write.ErrStatement) || !strings.Contains(err.Error(), "statement 2") {
			t.Errorf("err = %v, want the second statement's failure", err)
		}
		wantTable(t, tdb, "purchases", "1|1|1|2")
	})
}

// TestNestedCreateChecksDB: a nested create refuses, before any statement runs, a child whose
// foreign key names another row, a column two links would write with different rows, a
// child under two parents and a join-table scope value that contradicts the scope; a join
// model's own key and zero scope columns in a through struct are left to the database and
// the scope; an array is a list of values.
func TestNestedCreateChecksDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		before := dump(t, tdb.db, "users")
		refused := func(name string, value any, want error, msg string, paths ...string) {
			t.Helper()
			res, err := w.Create(value, paths...).Exec(ctx, tdb.db)
			if !errors.Is(err, want) || !strings.Contains(err.Error(), msg) {
				t.Errorf("%s: err = %v, want %v with %q", name, err, want, msg)
			}
			if len(res.Statements) != 0 {
				t.Errorf("%s: %d statements ran, want none: %v", name, len(res.Statements), res.Statements)
			}
		}
		two := int64(2)
		refused("a child's key names another user", &User{Name: "dan", Posts: []Post{{Title: "mine?", UserID: &two}}},
			write.ErrScopeConflict, "the Post's user_id is 2, but it is created under a User whose id is a key the database is yet to generate", "posts")
		refused("a child's key names another user, the parent's key given", &User{ID: 9, Name: "dan", Posts: []Post{{Title: "mine?", UserID: &two}}},
			write.ErrScopeConflict, "the Post's user_id is 2, but it is created under a User whose id is 9", "posts")
		refused("a post under dan, by eve", &User{Name: "dan", Posts: []Post{{Title: "p", Author: &User{Name: "eve"}}}},
			write.ErrScopeConflict, "the Post's user_id is written twice, by User.posts (its parent User) and by Post.author", "posts.author")
		shared := &Profile{Bio: "shared"}
		refused("one profile under two users", &[]User{{Name: "u1", Profile: shared}, {Name: "u2", Profile: shared}},
			write.ErrBadInput, "one Profile value is under two User values", "profile")
		refused("a post's author given and its user_id another", &Post{Title: "p", UserID: &two, Author: &User{Name: "eve"}},
			write.ErrScopeConflict, "the Post's user_id is 2, but its User, created with it, has id a key the database is yet to generate", "author")
		wantTable(t, tdb, "users", before...)

		// a through struct of the non-unique join model: its id is generated
		hal := User{Name: "hal", Purchases: []Product{{Name: "fig", Purchase: Purchase{Quantity: 1}}, {Name: "kiwi", Purchase: Purchase{Quantity: 2}}}}
		must(t)(w.Create(&hal, "purchases").Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT u.name, p.name, x.quantity FROM purchases x JOIN users u ON u.id = x.user_id JOIN products p ON p.id = x.product_id WHERE x.id > 1",
			"hal|fig|1", "hal|kiwi|2")
		// an array holds values as a slice does
		arr := [2]User{{Name: "arr1"}, {Name: "arr2"}}
		must(t)(w.Create(&arr).Exec(ctx, tdb.db))
		if arr[0].ID == 0 || arr[1].ID == 0 {
			t.Errorf("array: keys not written back: %+v", arr)
		}
		wantRows(t, tdb, "SELECT COUNT(*) FROM users WHERE name LIKE 'arr%'", "2")
	})
}

type throughPost struct {
	ID    int64        `db:"id"`
	Title string       `db:"title"`
	Tags  []throughTag `joinery:"tags"`
}

type throughTag struct {
	ID   int64   `db:"id"`
	Name string  `db:"name"`
	Link ItemTag `joinery:"through"`
}

// TestNestedThroughStructScopeDB: a through struct holding the polymorphic scope column:
// left zero, the scope fills it; set to another value, the create is refused before any
// statement runs.
func TestNestedThroughStructScopeDB(t *testing.T) {
	ctx := context.Background()
	s := include.NewSchema()
	s.Define(throughPost{}, "posts", include.Name("Post"))
	s.Define(throughTag{}, "tags", include.Name("Tag"))
	s.Define(ItemTag{}, "item_tags")
	s.BelongsToMany("Post", "Tag", include.As("tags"), include.ThroughModel("ItemTag"),
		include.ForeignKey("taggable_id"), include.OtherKey("tag_id"), include.Polymorphic("taggable", "post"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	for _, tdb := range openDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			seed(t, tdb)
			w := write.New(s, tdb.dialect)
			p := throughPost{Title: "t", Tags: []throughTag{{Name: "go", Link: ItemTag{AddedBy: strp("ann")}}, {Name: "sql"}}}
			must(t)(w.Create(&p, "tags").Exec(ctx, tdb.db))
			wantRows(t, tdb, "SELECT t.name, x.taggable, x.taggable_id, x.added_by FROM item_tags x JOIN tags t ON t.id = x.tag_id WHERE x.id > 2",
				"go|post|5|ann", "sql|post|5|NULL")
			bad := throughPost{Title: "u", Tags: []throughTag{{Name: "x", Link: ItemTag{Taggable: "video"}}}}
			res, err := w.Create(&bad, "tags").Exec(ctx, tdb.db)
			if !errors.Is(err, write.ErrScopeConflict) || !strings.Contains(err.Error(), "join-table value taggable = video, but the through scope says post") || len(res.Statements) != 0 {
				t.Errorf("contradicting scope: %v, %d statements", err, len(res.Statements))
			}
			wantRows(t, tdb, "SELECT COUNT(*) FROM posts", "5")
		})
	}
}
