package joinery_test

import (
	"context"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

func TestReview8BindOptionalParam(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "review8_bind2")[0]
	seedBlog(t, tdb.db)
	ctx := context.Background()
	base := joinery.Query[User](s, tdb.dialect).Include(include.New("posts").FilterOnly().Where(sq.Eq{"published": joinery.Param("p")}), "profile").OrderBy("id")
	for _, sh := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
		q := base.Shape(sh).Bind(map[string]any{"p": true})
		_, err := q.All(ctx, tdb.db)
		_, err2 := q.Count(ctx, tdb.db)
		_, err3 := q.One(ctx, tdb.db)
		err4 := q.Each(ctx, tdb.db, func(User) error { return nil })
		t.Logf("%s: all %v count %v one %v each %v", sh, err, err2, err3, err4)
	}
	// a Param in a computed value that is not selected? in a where of an include limited per parent
	q := joinery.Query[User](s, tdb.dialect).Where(sq.Eq{"id": joinery.Param("id")}).OrderBy("id")
	_, err := q.All(ctx, tdb.db)
	t.Logf("unbound: %v", err)
	_, err = q.Count(ctx, tdb.db)
	t.Logf("unbound count: %v", err)
	err = q.Each(ctx, tdb.db, func(User) error { return nil })
	t.Logf("unbound each: %v", err)
	_, err = q.Bind(map[string]any{}).One(ctx, tdb.db)
	t.Logf("empty bind one: %v", err)
	_, err = q.Bind(map[string]any{"id": 1, "typo": 2}).One(ctx, tdb.db)
	t.Logf("typo bind one: %v", err)
	_, err = q.Bind(map[string]any{"id": 1, "typo": 2}).All(ctx, tdb.db)
	t.Logf("typo bind all: %v", err)
}
