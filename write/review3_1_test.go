package write_test

import (
	"context"
	"testing"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

type sUser struct {
	ID    int64    `db:"id"`
	Name  string   `db:"name"`
	Posts []sPost  `joinery:"posts"`
	Prof  *Profile `joinery:"profile"`
}

type sPost struct {
	ID       int64     `db:"id"`
	UserID   *int64    `db:"user_id"`
	Title    string    `db:"title"`
	Author   *sUser    `joinery:"author"`
	Tags     []*Tag    `joinery:"tags"`
	Comments []Comment `joinery:"comments"`
}

func sSchema(t *testing.T) *include.Schema {
	s := include.NewSchema()
	s.Define(sUser{}, "users", include.Name("User"))
	s.Define(sPost{}, "posts", include.Name("Post"))
	s.Define(Tag{}, "tags")
	s.Define(ItemTag{}, "item_tags")
	s.Define(Comment{}, "comments")
	s.Define(Profile{}, "profiles")
	s.HasMany("User", "Post", include.As("posts"))
	s.HasOne("User", "Profile", include.As("profile"), include.ForeignKey("user_id"))
	s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id"))
	s.BelongsToMany("Post", "Tag", include.As("tags"), include.ThroughModel("ItemTag"),
		include.ForeignKey("taggable_id"), include.OtherKey("tag_id"), include.Polymorphic("taggable", "post"))
	s.HasMany("Post", "Comment", include.As("comments"), include.ForeignKey("commentable_id"), include.Polymorphic("commentable", "post"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

func eachS(t *testing.T, s *include.Schema, body func(t *testing.T, tdb testDB, w *write.Writer)) {
	for _, tdb := range openDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			seed(t, tdb)
			body(t, tdb, write.New(s, tdb.dialect))
		})
	}
}

func TestReview3S1SharedTagPointer(t *testing.T) {
	ctx := context.Background()
	eachS(t, sSchema(t), func(t *testing.T, tdb testDB, w *write.Writer) {
		tg := &Tag{Name: "sh", AddedBy: strp("x")}
		ps := []sPost{{Title: "a", Tags: []*Tag{tg}, Comments: []Comment{{Body: "ca"}}}, {Title: "b", Tags: []*Tag{tg}}}
		must(t)(w.Create(&ps, "tags", "comments").Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT COUNT(*) FROM tags WHERE name='sh'", "1")
		wantRows(t, tdb, "SELECT taggable_id, added_by FROM item_tags WHERE id > 2", "5|x", "6|x")
	})
}

func TestReview3S2SharedAuthorPtrSlice(t *testing.T) {
	ctx := context.Background()
	eachS(t, sSchema(t), func(t *testing.T, tdb testDB, w *write.Writer) {
		u := &sUser{Name: "ivy", Prof: &Profile{Bio: "b"}}
		ps := []*sPost{{Title: "a", Author: u}, {Title: "b", Author: u}}
		must(t)(w.Create(&ps, "author", "author.profile").Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT COUNT(*) FROM users WHERE name='ivy'", "1")
		wantRows(t, tdb, "SELECT user_id FROM profiles WHERE bio='b'", "4")
	})
}

func TestReview3S3KeyOnlyParent(t *testing.T) {
	ctx := context.Background()
	eachS(t, sSchema(t), func(t *testing.T, tdb testDB, w *write.Writer) {
		one := int64(1)
		p := &sPost{Title: "k", UserID: &one, Comments: []Comment{{Body: "c"}}, Tags: []*Tag{{Name: "t"}}}
		must(t)(w.Create(p, "comments", "tags").Exec(ctx, tdb.db))
		// user given with key known, posts hasMany child holding same user_id
		u := &sUser{ID: 9, Name: "nine", Posts: []sPost{{Title: "n", UserID: &[]int64{9}[0]}}, Prof: &Profile{Bio: "nb", UserID: &[]int64{9}[0]}}
		must(t)(w.Create(u, "posts", "profile").Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT user_id FROM posts WHERE title='n'", "9")
	})
}

func TestReview3S4Deep(t *testing.T) {
	ctx := context.Background()
	eachS(t, sSchema(t), func(t *testing.T, tdb testDB, w *write.Writer) {
		us := []*sUser{
			{Name: "a", Prof: &Profile{Bio: "pa"}, Posts: []sPost{{Title: "a1", Tags: []*Tag{{Name: "x", AddedBy: strp("a")}}, Comments: []Comment{{Body: "c1"}, {Body: "c2"}}}}},
			{Name: "b", Prof: &Profile{Bio: "pb"}, Posts: []sPost{{Title: "b1", Comments: []Comment{{Body: "c3"}}}, {Title: "b2"}}},
		}
		must(t)(w.Create(us, "posts.tags", "posts.comments", "profile").Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT COUNT(*) FROM comments", "6")
	})
}

func TestReview3S5Maps(t *testing.T) {
	ctx := context.Background()
	ms := include.NewSchema()
	ms.DefineMap("User", "users", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}})
	ms.DefineMap("Post", "posts", []include.Attr{{Name: "id", Type: include.Int}, {Name: "user_id", Type: include.Int}, {Name: "title"}})
	ms.DefineMap("Tag", "tags", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}})
	ms.DefineMap("ItemTag", "item_tags", []include.Attr{{Name: "id", Type: include.Int}, {Name: "tag_id", Type: include.Int}, {Name: "taggable"}, {Name: "taggable_id", Type: include.Int}, {Name: "added_by"}})
	ms.DefineMap("Profile", "profiles", []include.Attr{{Name: "id", Type: include.Int}, {Name: "user_id", Type: include.Int}, {Name: "bio"}})
	ms.HasMany("User", "Post", include.As("posts"))
	ms.HasOne("User", "Profile", include.As("profile"), include.ForeignKey("user_id"))
	ms.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id"))
	ms.BelongsToMany("Post", "Tag", include.As("tags"), include.ThroughModel("ItemTag"),
		include.ForeignKey("taggable_id"), include.OtherKey("tag_id"), include.Polymorphic("taggable", "post"))
	if err := ms.Err(); err != nil {
		t.Fatal(err)
	}
	eachS(t, ms, func(t *testing.T, tdb testDB, w *write.Writer) {
		tg := map[string]any{"name": "shm", "ItemTag": map[string]any{"added_by": "m"}}
		au := map[string]any{"name": "au", "profile": map[string]any{"bio": "aub"}}
		v := []any{
			map[string]any{"title": "m1", "author": au, "tags": []any{tg}},
			map[string]any{"title": "m2", "author": au, "tags": []any{tg, map[string]any{"name": "o"}}},
		}
		must(t)(w.CreateMap("Post", v, "author.profile", "tags").Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT COUNT(*) FROM tags WHERE name='shm'", "1")
		wantRows(t, tdb, "SELECT COUNT(*) FROM users WHERE name='au'", "1")
		u := map[string]any{"name": "uu", "posts": []any{map[string]any{"title": "up", "tags": []any{map[string]any{"name": "z"}}}}, "profile": map[string]any{"bio": "uub"}}
		must(t)(w.CreateMap("User", u, "posts.tags", "profile").Exec(ctx, tdb.db))
	})
}
