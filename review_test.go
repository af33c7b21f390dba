package joinery_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"
	_ "modernc.org/sqlite"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

// Cases a review of the read side found (each failed before its fix).

func reviewBlog(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	mustExec(t, db, blogDDL...)
	mustExec(t, db, blogData...)
	return db
}

// wantErr runs fn, which must return an error containing msg, and not panic.
func wantErr(t *testing.T, what, msg string, fn func() error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%s: panic: %v", what, p)
		}
	}()
	if err := fn(); err == nil || !strings.Contains(err.Error(), msg) {
		t.Errorf("%s: err = %v, want one containing %q", what, err, msg)
	}
}

// TestTypedNilPredicates: a typed nil predicate (a nil *sq.Eq, whose ToSql dereferences it)
// is an error wherever a predicate is taken, and the query value stays usable.
func TestTypedNilPredicates(t *testing.T) {
	db, s, ctx := reviewBlog(t), blogSchema(t), context.Background()
	var p *sq.Eq
	q := joinery.Query[User](s, dialects.SQLite).Where(p)
	for i := 0; i < 2; i++ {
		wantErr(t, "Where(typed nil).All", "joinery: Where(a nil *squirrel.Eq)", func() error { _, err := q.All(ctx, db); return err })
	}
	wantErr(t, "Plan", "Where(a nil *squirrel.Eq)", func() error { _, err := q.Plan(); return err })
	wantErr(t, "include Where", `include "posts": Where(a nil *squirrel.Eq)`, func() error {
		_, err := joinery.Query[User](s, dialects.SQLite).Include(include.New("posts").Where(p)).All(ctx, db)
		return err
	})
	wantErr(t, "include ThroughWhere", `include "posts.tags": ThroughWhere(a nil *squirrel.Eq)`, func() error {
		_, err := joinery.Query[User](s, dialects.SQLite).Include(include.New("posts.tags").ThroughWhere(p)).All(ctx, db)
		return err
	})
	wantErr(t, "computed Where", "a nil *squirrel.Eq predicate", func() error {
		_, err := joinery.Query[User](s, dialects.SQLite).Compute(include.Count("posts").Where(p).As("post_count")).All(ctx, db)
		return err
	})
	s2 := include.NewSchema()
	wantErr(t, "DefaultScope", "default scope of model User: scope: a nil *squirrel.Eq predicate", func() error {
		_, err := s2.Define(User{}, "users", include.DefaultScope(scope.New(p)))
		return err
	})
}

type embedPost struct {
	ID     int64  `db:"id"`
	UserID int64  `db:"user_id"`
	Title  string `db:"title"`
}

type embedBase struct {
	Posts []embedPost `joinery:"drafts"`
}

type embedUser struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	embedBase
	Posts []embedPost // a field of the same name, no association's
}

// TestEmbeddedAssociationField: the association lands in the field it names, inside an
// embedded struct, not in another field of the same Go name.
func TestEmbeddedAssociationField(t *testing.T) {
	db := reviewBlog(t)
	s := include.NewSchema()
	s.Define(embedUser{}, "users")
	s.Define(embedPost{}, "posts")
	if _, err := s.HasMany("embedUser", "embedPost", include.As("drafts"), include.ForeignKey("user_id")); err != nil {
		t.Fatal(err)
	}
	us, err := joinery.Query[embedUser](s, dialects.SQLite).Include("drafts").OrderBy("id").All(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if len(us[0].embedBase.Posts) != 2 || len(us[0].Posts) != 0 {
		t.Errorf("drafts: want 2 in embedBase.Posts and none in Posts, got %v and %v", us[0].embedBase.Posts, us[0].Posts)
	}
}

// TestAliasesChecked: an alias that is not one path segment, or that a map model's
// attribute already names, is refused when registered; a computed value named like an
// included association of a map model when the query is built.
func TestAliasesChecked(t *testing.T) {
	maps := func() *include.Schema {
		s := include.NewSchema()
		s.DefineMap("User", "users", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}})
		s.DefineMap("Post", "posts", []include.Attr{{Name: "id", Type: include.Int}, {Name: "user_id", Type: include.Int}, {Name: "title"}})
		return s
	}
	wantErr(t, "dotted alias", "an alias is one segment of an include path", func() error {
		_, err := maps().HasMany("User", "Post", include.As("my.posts"), include.ForeignKey("user_id"))
		return err
	})
	wantErr(t, "alias of an attribute", `User has an attribute "name", and a map value holds both under one key`, func() error {
		_, err := maps().HasMany("User", "Post", include.As("name"), include.ForeignKey("user_id"))
		return err
	})
	s := maps()
	if _, err := s.HasMany("User", "Post", include.As("posts"), include.ForeignKey("user_id")); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "computed named like an include", "includes an association of that name", func() error {
		_, err := joinery.QueryMap(s, dialects.SQLite, "User").Compute(include.Count("posts").As("posts")).Include("posts").All(context.Background(), reviewBlog(t))
		return err
	})
}

// TestMergedIncludeKeepsOffset: a later node of the same path that sets only a limit keeps
// an earlier node's offset.
func TestMergedIncludeKeepsOffset(t *testing.T) {
	us, err := joinery.Query[User](blogSchema(t), dialects.SQLite).OrderBy("id").
		Include(include.New("posts").Order("id").Offset(1), include.New("posts").Limit(5)).All(context.Background(), reviewBlog(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range us[0].Posts {
		ids = append(ids, fmt.Sprint(p.ID))
	}
	if got := strings.Join(ids, ","); got != "11" {
		t.Errorf("alice's posts with Offset(1) then Limit(5): %s, want 11", got)
	}
}

// TestUnknownShape: a Shape that is none of the shapes is an error naming them.
func TestUnknownShape(t *testing.T) {
	_, err := joinery.Query[User](blogSchema(t), dialects.SQLite).Include("posts").Shape(joinery.Shape(99)).Plan()
	if !errors.Is(err, builder.ErrShape) || !strings.Contains(err.Error(), "unknown Shape(99) (shapes: ShapeAuto, ShapeFlat, ShapeUnion, ShapePipeline, ShapeLevels)") {
		t.Errorf("Shape(99): %v", err)
	}
}
