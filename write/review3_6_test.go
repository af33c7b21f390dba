package write_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

type nvUser struct {
	ID    sql.NullInt64 `db:"id"`
	Name  string        `db:"name"`
	Posts []nvPost      `joinery:"posts"`
}
type nvPost struct {
	ID     int64          `db:"id"`
	UserID *sql.NullInt64 `db:"user_id"`
	Title  string         `db:"title"`
}

func TestReview3S14Panics(t *testing.T) {
	ctx := context.Background()
	ms := include.NewSchema()
	ms.DefineMap("User", "users", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}})
	ms.DefineMap("Post", "posts", []include.Attr{{Name: "id", Type: include.Int}, {Name: "user_id", Type: include.Int}, {Name: "title"}})
	ms.DefineMap("Profile", "profiles", []include.Attr{{Name: "id", Type: include.Int}, {Name: "user_id", Type: include.Int}, {Name: "bio"}})
	ms.HasMany("User", "Post", include.As("posts"))
	ms.HasOne("User", "Profile", include.As("profile"), include.ForeignKey("user_id"))
	ms.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id"))
	if err := ms.Err(); err != nil {
		t.Fatal(err)
	}
	ns := include.NewSchema()
	ns.Define(nvUser{}, "users", include.Name("User"))
	ns.Define(nvPost{}, "posts", include.Name("Post"))
	ns.HasMany("User", "Post", include.As("posts"))
	if err := ns.Err(); err != nil {
		t.Fatal(err)
	}
	each(t, func(t *testing.T, tdb testDB, w *write.Writer) {
		mw := write.New(ms, tdb.dialect)
		nw := write.New(ns, tdb.dialect)
		var nilU *User
		cases := map[string]func() (write.Result, error){
			"nil ptr":        func() (write.Result, error) { return w.Create(nilU, "posts").Exec(ctx, tdb.db) },
			"slice with nil": func() (write.Result, error) { return w.Create(&[]*User{nil, {Name: "x1"}}, "posts").Exec(ctx, tdb.db) },
			"map nil":        func() (write.Result, error) { return mw.CreateMap("User", nil, "posts").Exec(ctx, tdb.db) },
			"map posts nil elem": func() (write.Result, error) {
				return mw.CreateMap("User", map[string]any{"name": "x2", "posts": []any{nil, map[string]any{"title": "t"}}}, "posts").Exec(ctx, tdb.db)
			},
			"map posts string": func() (write.Result, error) {
				return mw.CreateMap("User", map[string]any{"name": "x3", "posts": "oops"}, "posts").Exec(ctx, tdb.db)
			},
			"map posts single map": func() (write.Result, error) {
				return mw.CreateMap("User", map[string]any{"name": "x4", "posts": map[string]any{"title": "t"}}, "posts").Exec(ctx, tdb.db)
			},
			"map posts []map": func() (write.Result, error) {
				return mw.CreateMap("User", map[string]any{"name": "x5", "posts": []map[string]any{{"title": "t"}}}, "posts").Exec(ctx, tdb.db)
			},
			"map author list": func() (write.Result, error) {
				return mw.CreateMap("Post", map[string]any{"title": "x6", "author": []any{map[string]any{"name": "a"}}}, "author").Exec(ctx, tdb.db)
			},
			"map nil map typed": func() (write.Result, error) {
				var m map[string]any
				return mw.CreateMap("User", map[string]any{"name": "x7", "profile": m}, "profile").Exec(ctx, tdb.db)
			},
			"map json child fk": func() (write.Result, error) {
				return mw.CreateMap("User", map[string]any{"id": json.Number("20"), "name": "x8", "posts": []any{map[string]any{"title": "t", "user_id": "20"}, map[string]any{"title": "t2", "user_id": 20.0}}}, "posts").Exec(ctx, tdb.db)
			},
			"map fk text non-canon": func() (write.Result, error) {
				return mw.CreateMap("User", map[string]any{"id": int64(21), "name": "x9", "posts": []any{map[string]any{"title": "t", "user_id": "021"}}}, "posts").Exec(ctx, tdb.db)
			},
			"nullint": func() (write.Result, error) {
				return nw.Create(&nvUser{Name: "nv", Posts: []nvPost{{Title: "nvp"}, {Title: "nvp2", UserID: &sql.NullInt64{}}}}, "posts").Exec(ctx, tdb.db)
			},
			"nil nullint ptr fk valuer": func() (write.Result, error) {
				return nw.Create(&nvUser{ID: sql.NullInt64{Int64: 30, Valid: true}, Name: "nv2", Posts: []nvPost{{Title: "q", UserID: &sql.NullInt64{Int64: 30, Valid: true}}}}, "posts").Exec(ctx, tdb.db)
			},
		}
		for name, f := range cases {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s: panic %v", name, p)
					}
				}()
				res, err := f()
				t.Logf("%s: %v (%d statements)", name, err, len(res.Statements))
			}()
		}
		fmt.Println(dump(t, tdb.db, "posts"))
	})
}
