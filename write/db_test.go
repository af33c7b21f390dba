package write_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/write"
)

func strp(s string) *string { return &s }
func i64p(v int64) *int64   { return &v }

// each runs body on every database with the fixture freshly seeded.
func each(t *testing.T, body func(t *testing.T, tdb testDB, w *write.Writer)) {
	s := schema(t)
	for _, tdb := range openDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			seed(t, tdb)
			body(t, tdb, write.New(s, tdb.dialect))
		})
	}
}

func must(t *testing.T) func(write.Result, error) write.Result {
	return func(res write.Result, err error) write.Result {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
}

func TestBelongsToManyDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		a := w.Assoc("User", "projects")
		ann := User{ID: 1}
		// add: one new link with a role, one linked target left alone, one new without
		must(t)(a.Add(ann, write.Key(int64(1)), write.Link(write.Key(int64(3)), map[string]any{"role": "ops"}), Project{ID: 4}).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|dev", "2|1|qa", "1|3|ops", "1|4|NULL")
		// add of a linked target with a new value updates the link
		res := must(t)(a.Add(ann, write.Key(int64(2))).Through(map[string]any{"role": "lead"}).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|lead", "2|1|qa", "1|3|ops", "1|4|NULL")
		if len(res.Statements) != 2 || !strings.HasPrefix(res.Statements[1].SQL, "UPDATE") {
			t.Errorf("add of a linked target with a new value: %v", res.Statements)
		}
		// set: keep 1 (and its role), drop 2, 3 and 4, add 2 back? no: add ben's project 1 to cid
		res = must(t)(a.Set(ann, write.Key(int64(1)), write.Key(int64(3))).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|3|ops", "2|1|qa")
		if len(res.Statements) != 2 {
			t.Errorf("set that only deletes: %d statements: %v", len(res.Statements), res.Statements)
		}
		must(t)(a.Set(ann, write.Keys[int64](3, 4)).Through(map[string]any{"role": "dev"}).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|3|dev", "1|4|dev", "2|1|qa")
		has, err := a.Has(ann, write.Key(int64(3)), write.Key(int64(4))).Bool(ctx, tdb.db)
		if err != nil || !has {
			t.Errorf("has 3, 4: %v %v", has, err)
		}
		has, err = a.Has(ann, write.Key(int64(1)), write.Key(int64(4))).Bool(ctx, tdb.db)
		if err != nil || has {
			t.Errorf("has 1, 4: %v %v", has, err)
		}
		n, err := a.Count(ann).Int(ctx, tdb.db)
		if err != nil || n != 2 {
			t.Errorf("count: %d %v", n, err)
		}
		n, err = a.Count(ann).Where(sq.Eq{"name": "skylab"}).Int(ctx, tdb.db)
		if err != nil || n != 1 {
			t.Errorf("count where: %d %v", n, err)
		}
		must(t)(a.Remove(ann, write.Key(int64(4)), write.Key(int64(1))).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "1|3|dev", "2|1|qa")
		p := &Project{Name: "vostok"}
		must(t)(a.Create(ann, p).Through(map[string]any{"role": "pilot"}).Exec(ctx, tdb.db))
		if p.ID != 5 {
			t.Errorf("created project's id: %d, want 5", p.ID)
		}
		wantTable(t, tdb, "projects", "1|apollo", "2|gemini", "3|mercury", "4|skylab", "5|vostok")
		wantTable(t, tdb, "user_projects", "1|3|dev", "1|5|pilot", "2|1|qa")
		must(t)(a.Set(ann).Exec(ctx, tdb.db))
		wantTable(t, tdb, "user_projects", "2|1|qa")
	})
}

func TestNonUniqueJoinModelDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		a := w.Assoc("User", "purchases")
		ann := write.Key(int64(1))
		// the same product bought again is a second purchase, with its own quantity
		must(t)(a.Add(ann, write.Key(int64(1))).Through(map[string]any{"quantity": 5}).Exec(ctx, tdb.db))
		wantTable(t, tdb, "purchases", "1|1|1|2", "2|1|1|5")
		n, err := a.Count(ann).Int(ctx, tdb.db)
		if err != nil || n != 2 {
			t.Errorf("count: %d %v", n, err)
		}
		// set as a multiset: pear once (the oldest purchase kept), plum twice
		must(t)(a.Set(ann, write.Key(int64(1)), write.Key(int64(2)), write.Key(int64(2))).Through(map[string]any{"quantity": 1}).Exec(ctx, tdb.db))
		// (SQLite reuses the deleted purchase 2's id: compare without the ids)
		wantRows(t, tdb, "SELECT id = 1, user_id, product_id, quantity FROM purchases", "1|1|1|1", "0|1|2|1", "0|1|2|1")
		must(t)(a.Remove(ann, write.Key(int64(2))).Exec(ctx, tdb.db))
		wantTable(t, tdb, "purchases", "1|1|1|1")
	})
}

func TestPolymorphicDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		pc := w.Assoc("Post", "comments")
		c := &Comment{Body: "new"}
		must(t)(pc.Create(write.Key(int64(1)), c).Exec(ctx, tdb.db))
		if c.ID != 4 || c.Commentable != "post" || c.CommentableID == nil || *c.CommentableID != 1 {
			t.Errorf("created comment: %+v", c)
		}
		// remove from post 1 comment 2, a video's comment with commentable_id 1: untouched
		must(t)(pc.Remove(write.Key(int64(1)), write.Key(int64(2)), write.Key(int64(1))).Exec(ctx, tdb.db))
		wantTable(t, tdb, "comments", "1|post|NULL|c1", "2|video|1|c2", "3|post|2|c3", "4|post|1|new")
		// add the video's comment to post 2: its type follows the scope
		must(t)(pc.Add(write.Key(int64(2)), write.Key(int64(2))).Exec(ctx, tdb.db))
		wantTable(t, tdb, "comments", "1|post|NULL|c1", "2|post|2|c2", "3|post|2|c3", "4|post|1|new")
		n, err := w.Assoc("Video", "comments").Count(write.Key(int64(1))).Int(ctx, tdb.db)
		if err != nil || n != 0 {
			t.Errorf("video 1 comments: %d %v", n, err)
		}
		// a value that contradicts the scope: an error before any statement
		_, err = pc.Create(write.Key(int64(1)), &Comment{Commentable: "video", Body: "x"}).Exec(ctx, tdb.db)
		if !errors.Is(err, write.ErrScopeConflict) {
			t.Errorf("scope conflict: %v", err)
		}
		// through scope: a video's tag link is written with taggable = 'video'
		vt := w.Assoc("Video", "tags")
		must(t)(vt.Add(write.Key(int64(2)), write.Key(int64(2)), write.Key(int64(3))).Exec(ctx, tdb.db))
		must(t)(w.Assoc("Post", "tags").Add(write.Key(int64(2)), write.Key(int64(2))).Through(map[string]any{"added_by": "ann"}).Exec(ctx, tdb.db))
		wantTable(t, tdb, "item_tags", "1|1|post|1|NULL", "2|1|video|1|NULL", "3|2|video|2|NULL", "4|3|video|2|NULL", "5|2|post|2|ann")
		has, err := vt.Has(write.Key(int64(1)), write.Key(int64(2))).Bool(ctx, tdb.db)
		if err != nil || has {
			t.Errorf("video 1 has tag 2 (post 2 does, not video 1): %v %v", has, err)
		}
		// set on the post's tags leaves the videos' links alone
		must(t)(w.Assoc("Post", "tags").Set(write.Key(int64(1)), write.Key(int64(3))).Exec(ctx, tdb.db))
		wantTable(t, tdb, "item_tags", "2|1|video|1|NULL", "3|2|video|2|NULL", "4|3|video|2|NULL", "5|2|post|2|ann", "6|3|post|1|NULL")
		// hasMany set: p2's comments become 1 only
		must(t)(pc.Set(write.Key(int64(2)), write.Key(int64(1))).Exec(ctx, tdb.db))
		wantTable(t, tdb, "comments", "1|post|2|c1", "2|post|NULL|c2", "3|post|NULL|c3", "4|post|1|new")
	})
}

func TestHasOneBelongsToDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		prof := w.Assoc("User", "profile")
		// create unlinks the previous profile: one profile per user
		p := &Profile{Bio: "second"}
		must(t)(prof.Create(User{ID: 1}, p).Exec(ctx, tdb.db))
		wantTable(t, tdb, "profiles", "1|NULL|ann bio", "2|1|second")
		must(t)(prof.Set(User{ID: 2}, write.Key(int64(1))).Exec(ctx, tdb.db))
		wantTable(t, tdb, "profiles", "1|2|ann bio", "2|1|second")
		must(t)(prof.Set(User{ID: 2}, nil).Exec(ctx, tdb.db))
		wantTable(t, tdb, "profiles", "1|NULL|ann bio", "2|1|second")
		auth := w.Assoc("Post", "author")
		post := &Post{ID: 4, Title: "p4"}
		must(t)(auth.Set(post, write.Key(int64(3))).Exec(ctx, tdb.db))
		if post.UserID == nil || *post.UserID != 3 {
			t.Errorf("post's user_id not written back: %v", post.UserID)
		}
		must(t)(auth.Set(write.Key(int64(1))).Exec(ctx, tdb.db))
		u := &User{Name: "dan"}
		must(t)(auth.Create(write.Key(int64(2)), u).Exec(ctx, tdb.db))
		if u.ID != 4 {
			t.Errorf("created user's id %d, want 4", u.ID)
		}
		wantTable(t, tdb, "posts", "1|NULL|p1", "2|4|p2", "3|2|p3", "4|3|p4")
	})
}

func TestNestedCreateDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		shared := Tag{Name: "shared"}
		users := []*User{
			{Name: "eve", Profile: &Profile{Bio: "eve bio"},
				Posts: []Post{
					{Title: "e1", Tags: []Tag{{Name: "t1", AddedBy: strp("eve")}, {Name: "t2"}}, Comments: []Comment{{Body: "ce1"}}},
					{Title: "e2"},
				},
				Projects: []Project{{Name: "gemini2", Membership: UserProject{Role: strp("lead")}}}},
			{Name: "fay", Posts: []Post{{Title: "f1", Tags: []Tag{shared}}}},
		}
		res := must(t)(w.Create(&users, "posts.tags", "posts.comments", "profile", "projects").Exec(ctx, tdb.db))
		if users[0].ID != 4 || users[1].ID != 5 || users[0].Posts[1].ID != 6 || *users[1].Posts[0].UserID != 5 {
			t.Errorf("keys not written back: %+v", users)
		}
		wantTable(t, tdb, "users", "1|ann", "2|ben", "3|cid", "4|eve", "5|fay")
		wantTable(t, tdb, "posts", "1|1|p1", "2|1|p2", "3|2|p3", "4|NULL|p4", "5|4|e1", "6|4|e2", "7|5|f1")
		wantTable(t, tdb, "tags", "1|news", "2|howto", "3|fun", "4|t1", "5|t2", "6|shared")
		wantTable(t, tdb, "item_tags", "1|1|post|1|NULL", "2|1|video|1|NULL", "3|4|post|5|eve", "4|5|post|5|NULL", "5|6|post|7|NULL")
		wantTable(t, tdb, "comments", "1|post|1|c1", "2|video|1|c2", "3|post|2|c3", "4|post|5|ce1")
		wantTable(t, tdb, "profiles", "1|1|ann bio", "2|4|eve bio")
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|dev", "2|1|qa", "4|5|lead")
		// one INSERT per table and level (plus MySQL's question about its key allocation)
		inserts := 0
		for _, st := range res.Statements {
			if strings.HasPrefix(st.SQL, "INSERT") {
				inserts++
			}
		}
		if inserts != 8 {
			t.Errorf("%d INSERTs, want 8: %v", inserts, res.Statements)
		}
		// nested belongsTo: the parent first
		post := &Post{Title: "by gus", Author: &User{Name: "gus"}}
		must(t)(w.Create(post, "author").Exec(ctx, tdb.db))
		if post.Author.ID != 6 || post.UserID == nil || *post.UserID != 6 {
			t.Errorf("belongsTo parent: %+v %+v", post, post.Author)
		}
		// one parent shared by two rows is inserted once
		ivy := &User{Name: "ivy"}
		shared2 := []Post{{Title: "i1", Author: ivy}, {Title: "i2", Author: ivy}}
		must(t)(w.Create(&shared2, "author").Exec(ctx, tdb.db))
		if ivy.ID != 7 || *shared2[0].UserID != 7 || *shared2[1].UserID != 7 {
			t.Errorf("shared parent: %+v %+v", ivy, shared2)
		}
		wantRows(t, tdb, "SELECT COUNT(*) FROM users WHERE name = 'ivy'", "1")
	})
}

// TestAtomicDB makes the third statement of a set fail at the database (a join row to a
// project that does not exist violates its foreign key): every table is as it was, and the
// error names the operation.
func TestAtomicDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		a := w.Assoc("User", "projects")
		res, err := a.Set(write.Key(int64(1)), write.Key(int64(1)), write.Key(int64(99))).Exec(ctx, tdb.db)
		if err == nil {
			t.Fatal("set to a missing project succeeded")
		}
		if !errors.Is(err, write.ErrStatement) || !strings.Contains(err.Error(), "set User.projects: statement 3") {
			t.Errorf("error: %v", err)
		}
		if len(res.Statements) != 3 {
			t.Errorf("statements run: %v", res.Statements)
		}
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|dev", "2|1|qa")
		// in the caller's transaction: the caller rolls back
		tx, err := tdb.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Set(write.Key(int64(1)), write.Key(int64(3))).Exec(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|dev", "2|1|qa")
		// in the caller's transaction, an operation that fails at its third statement takes
		// back its own writes (a savepoint: MySQL and SQLite keep a failed transaction's
		// earlier statements) and leaves the transaction usable (PostgreSQL's is aborted by
		// a failed statement): the caller's other writes commit
		tx, err = tdb.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO videos (id, title) VALUES (3, 'v3')"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Set(write.Key(int64(1)), write.Key(int64(3)), write.Key(int64(99))).Exec(ctx, tx); !errors.Is(err, write.ErrStatement) || !strings.Contains(err.Error(), "statement 3") {
			t.Errorf("set in the caller's transaction: %v", err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|dev", "2|1|qa")
		wantRows(t, tdb, "SELECT title FROM videos WHERE id = 3", "v3")
		// a nested create whose third INSERT fails (an empty tag name, refused by a CHECK)
		// leaves nothing
		users := []*User{{Name: "hal", Posts: []Post{{Title: "h1", Tags: []Tag{{Name: ""}}}}}}
		_, err = w.Create(&users, "posts.tags").Exec(ctx, tdb.db)
		if !errors.Is(err, write.ErrStatement) || !strings.Contains(err.Error(), "create User: statement ") || !strings.Contains(err.Error(), "(INSERT INTO tags for User.posts.tags)") {
			t.Errorf("nested create: %v", err)
		}
		wantTable(t, tdb, "users", "1|ann", "2|ben", "3|cid")
		wantTable(t, tdb, "posts", "1|1|p1", "2|1|p2", "3|2|p3", "4|NULL|p4")
	})
}

// TestConcurrentAddDB adds the same link from several transactions at once: one row, no
// error.
func TestConcurrentAddDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		a := w.Assoc("User", "projects")
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, errs[i] = a.Add(write.Key(int64(3)), write.Key(int64(4))).Exec(ctx, tdb.db)
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("add %d: %v", i, err)
			}
		}
		wantTable(t, tdb, "user_projects", "1|1|lead", "1|2|dev", "2|1|qa", "3|4|NULL")
	})
}

// TestHasManySetManyDB: a hasMany set keeping more children than one NOT IN can list (the
// parameter limit lowered to 4) reads the source's children and unlinks the others by key.
func TestHasManySetManyDB(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		small := w.WithMaxParams(4)
		res := must(t)(small.Assoc("Post", "comments").Set(write.Key(int64(1)), write.Key(int64(3)), write.Key(int64(2)), write.Key(int64(4)), write.Key(int64(5))).Exec(ctx, tdb.db))
		// (comments 4 and 5 do not exist: linking them changes nothing)
		wantTable(t, tdb, "comments", "1|post|NULL|c1", "2|post|1|c2", "3|post|1|c3")
		if !strings.HasPrefix(res.Statements[0].SQL, "SELECT") {
			t.Errorf("first statement: %s", res.Statements[0].SQL)
		}
		must(t)(small.Assoc("Post", "comments").Set(write.Key(int64(1)), write.Key(int64(6)), write.Key(int64(7)), write.Key(int64(8)), write.Key(int64(9))).Exec(ctx, tdb.db))
		wantTable(t, tdb, "comments", "1|post|NULL|c1", "2|post|NULL|c2", "3|post|NULL|c3")
	})
}
