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
			write.ErrBadInput, "one Profile value is given twice as a child (under two parents, or twice under one)", "profile")
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

// TestNestedCreateSharingDB: how a nested create treats one value given at several places.
func TestNestedCreateSharingDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		refused := func(name string, op write.CreateOp, msg string) {
			t.Helper()
			res, err := op.Exec(ctx, tdb.db)
			if !errors.Is(err, write.ErrBadInput) || !strings.Contains(err.Error(), msg) {
				t.Errorf("%s: err = %v, want ErrBadInput with %q", name, err, msg)
			}
			if len(res.Statements) != 0 {
				t.Errorf("%s: %d statements ran, want none", name, len(res.Statements))
			}
		}
		dan := &User{Name: "dan"}
		dan.Posts = []Post{{Title: "mine", Author: dan}}
		refused("a post whose author is its parent", w.Create(dan, "posts.author"), "this User value is also given at another place of the tree")
		p := map[string]any{"title": "dup"}
		refused("one child twice under one parent", write.New(usersPostsMaps(t), tdb.dialect).CreateMap("User", map[string]any{"name": "dan", "posts": []any{p, p}}, "posts"),
			"one Post value is given twice as a child")
		ps := []Post{{Title: "shared"}}
		refused("one slice of posts under two users", w.Create(&[]User{{Name: "a", Posts: ps}, {Name: "b", Posts: ps}}, "posts"),
			"one slice of Post values is under two User values")
		u := &User{Name: "twice"}
		refused("one value listed twice", w.Create(&[]*User{u, u}), "one User value is listed twice")
		refused("an array by value", w.Create([1]User{{Name: "arr"}}), "pass a pointer (&v)")
		wantRows(t, tdb, "SELECT COUNT(*) FROM users", "3")

		// one slice of tags under two posts: one tag, a link from each post
		tags := []Tag{{Name: "shared"}}
		two := []Post{{Title: "a", Tags: tags}, {Title: "b", Tags: tags}}
		must(t)(w.Create(&two, "tags").Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT p.title, t.name FROM item_tags x JOIN posts p ON p.id = x.taggable_id JOIN tags t ON t.id = x.tag_id WHERE x.taggable = 'post' AND p.id > 4",
			"a|shared", "b|shared")
		wantRows(t, tdb, "SELECT COUNT(*) FROM tags WHERE name = 'shared'", "1")
	})
}

// TestJSONValuesDB: values decoded from JSON with UseNumber: a json.Number 0 key is no key
// (the database generates it), and join-table text values keep their text.
func TestJSONValuesDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		dec := json.NewDecoder(strings.NewReader(`{"id": 0, "name": "zed", "posts": [{"id": 0, "user_id": 0, "title": "zp"}]}`))
		dec.UseNumber()
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		must(t)(write.New(usersPostsMaps(t), tdb.dialect).CreateMap("User", v, "posts").Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT u.id, p.id, p.title FROM users u JOIN posts p ON p.user_id = u.id WHERE u.name = 'zed'", "4|5|zp")

		a := w.Assoc("User", "projects")
		must(t)(a.Add(write.Key(int64(1)),
			write.Link(write.Key(int64(1)), map[string]any{"role": json.Number("1.50")}),
			write.Link(write.Key(int64(2)), map[string]any{"role": json.Number("1.5")})).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|1|1.50", "1|2|1.5", "2|1|qa")
		// keys as text name the same rows: set keeps the links and their roles
		must(t)(a.Set(write.Key(int64(1)), write.Key("1"), write.Key("2")).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|1|1.50", "1|2|1.5", "2|1|qa")
	})
}

// usersPostsMaps declares users and their posts as run-time (map) models.
func usersPostsMaps(t *testing.T) *include.Schema {
	ms := include.NewSchema()
	ms.DefineMap("User", "users", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}})
	ms.DefineMap("Post", "posts", []include.Attr{{Name: "id", Type: include.Int}, {Name: "user_id", Type: include.Int}, {Name: "title"}})
	ms.HasMany("User", "Post", include.As("posts"))
	if err := ms.Err(); err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestNestedCreateTenantFromParentDB: in a schema keyed by (tenant_id, id), a post takes
// its tenant from its new author and a comment from its post, with a commenter of the same
// tenant: the key checks wait for the keys the links fill, and then compare them.
func TestNestedCreateTenantFromParentDB(t *testing.T) {
	ctx := context.Background()
	type tPost struct {
		TenantID int64      `db:"tenant_id"`
		ID       int64      `db:"id"`
		UserID   *int64     `db:"user_id"`
		Title    string     `db:"title"`
		Author   *TUser     `joinery:"author"`
		Comments []tComment `joinery:"comments"`
	}
	s := include.NewSchema()
	pk := include.PrimaryKey("tenant_id", "id")
	s.Define(TUser{}, "mt_users", include.Name("User"), pk)
	s.Define(tPost{}, "mt_posts", include.Name("Post"), pk)
	s.Define(tComment{}, "mt_comments", include.Name("Comment"), pk)
	s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("tenant_id", "user_id"), include.TargetKey("tenant_id", "id"))
	s.HasMany("Post", "Comment", include.As("comments"), include.ForeignKey("tenant_id", "post_id"), include.SourceKey("tenant_id", "id"))
	s.BelongsTo("Comment", "User", include.As("commenter"), include.ForeignKey("tenant_id", "user_id"), include.TargetKey("tenant_id", "id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	for _, tdb := range openDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			seedMT(t, tdb)
			key := map[string]string{
				"postgres": "id SERIAL, PRIMARY KEY (tenant_id, id)",
				"mysql":    "id INTEGER NOT NULL AUTO_INCREMENT, PRIMARY KEY (tenant_id, id), KEY (id)",
				"sqlite":   "id INTEGER PRIMARY KEY, UNIQUE (tenant_id, id)",
			}[tdb.name]
			mustExec(t, tdb.db, "DROP TABLE IF EXISTS mt_comments",
				`CREATE TABLE mt_comments (tenant_id INTEGER NOT NULL, post_id INTEGER, user_id INTEGER, body VARCHAR(100) NOT NULL, `+key+`)`)
			t.Cleanup(func() { mustExec(t, tdb.db, "DROP TABLE IF EXISTS mt_comments") })
			w := write.New(s, tdb.dialect)
			p := &tPost{Title: "p", Author: &TUser{TenantID: 1, Name: "eve"},
				Comments: []tComment{{TenantID: 1, Body: "c", Commenter: &TUser{TenantID: 1, Name: "cy"}}}}
			must(t)(w.Create(p, "author", "comments.commenter").Exec(ctx, tdb.db))
			wantRows(t, tdb, "SELECT c.tenant_id, po.title, c.body, u.name FROM mt_comments c JOIN mt_posts po ON po.tenant_id = c.tenant_id AND po.id = c.post_id JOIN mt_users u ON u.tenant_id = c.tenant_id AND u.id = c.user_id",
				"1|p|c|cy")
			// a comment of another tenant under the post: refused once the post's tenant is known
			q := &tPost{Title: "q", Author: &TUser{TenantID: 1, Name: "fay"}, Comments: []tComment{{TenantID: 2, Body: "x"}}}
			_, err := w.Create(q, "author", "comments").Exec(ctx, tdb.db)
			if !errors.Is(err, write.ErrWrite) || !strings.Contains(err.Error(), "tenant_id is 2") {
				t.Errorf("another tenant's comment: %v", err)
			}
			wantRows(t, tdb, "SELECT COUNT(*) FROM mt_posts WHERE title = 'q'", "0")
		})
	}
}

type tComment struct {
	TenantID  int64  `db:"tenant_id"`
	ID        int64  `db:"id"`
	PostID    *int64 `db:"post_id"`
	UserID    *int64 `db:"user_id"`
	Body      string `db:"body"`
	Commenter *TUser `joinery:"commenter"`
}
