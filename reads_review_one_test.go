package joinery_test

import (
	"context"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

func TestReview8OneLimitParamZero(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "review8_one")[0]
	seedBlog(t, tdb.db)
	ctx := context.Background()
	q := joinery.Query[User](s, tdb.dialect).OrderBy("id").LimitParam("n").Bind(map[string]any{"n": 0})
	all, err := q.All(ctx, tdb.db)
	if err != nil {
		t.Fatal(err)
	}
	one, err := q.One(ctx, tdb.db)
	t.Logf("All: %d roots; One: %+v, %v", len(all), one, err)
	lit := joinery.Query[User](s, tdb.dialect).OrderBy("id").Limit(0)
	_, lerr := lit.One(ctx, tdb.db)
	t.Logf("literal Limit(0) One: %v", lerr)
	if len(all) == 0 && err == nil {
		t.Fatalf("All returns no roots but One returns user %d", one.ID)
	}
}

func TestReview8OneToManyWhere(t *testing.T) {
	s := blogSchema(t)
	tdb := openDBs(t, "review8_one2")[0]
	seedBlog(t, tdb.db)
	ctx := context.Background()
	q := joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Order("id")).Where(sq.Eq{"posts.published": false}).OrderBy("id")
	all, err := q.All(ctx, tdb.db)
	if err != nil {
		t.Fatal(err)
	}
	var each []User
	eerr := q.Each(ctx, tdb.db, func(u User) error { each = append(each, u); return nil })
	one, err := q.One(ctx, tdb.db)
	t.Logf("All: %s\nEach: %s (%v)\nOne: %s (%v)", jsonString(t, all), jsonString(t, each), eerr, jsonString(t, one), err)
	if err != nil {
		t.Fatalf("One fails where All returns %d roots: %v", len(all), err)
	}
}
