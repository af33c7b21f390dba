package joinery_test

import (
	"context"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

type status struct{ code int } // a value no driver converts

// A value the driver cannot take is named by what it is for, not only by its position.
func TestArgumentErrorNamesItsPlace(t *testing.T) {
	s := blogSchema(t)
	for _, tdb := range openDBs(t, "joinery_argsrc") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			for _, shape := range allShapes {
				q := joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Where(sq.Eq{"title": status{1}})).Shape(shape)
				if _, err := q.Plan(); notExpressible(shape, err) {
					continue
				}
				_, err := q.All(context.Background(), tdb.db)
				if err == nil || !strings.Contains(err.Error(), `is a value of the include "Posts" filter`) {
					t.Fatalf("%s: %v", shape, err)
				}
				_, err = joinery.Query[User](s, tdb.dialect).Where(sq.Eq{"name": status{2}}).Count(context.Background(), tdb.db)
				if err == nil || !strings.Contains(err.Error(), "is a value of the root User filter") {
					t.Fatalf("count: %v", err)
				}
			}
		})
	}
}

// A statement the database rejects names the include each alias in its error stands for.
func TestDatabaseErrorNamesIncludes(t *testing.T) {
	s := blogSchema(t)
	for _, tdb := range openDBs(t, "joinery_aliaserr") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			for _, shape := range allShapes {
				q := joinery.Query[User](s, tdb.dialect).Include(include.New("posts").Where(sq.Expr("{{self}}.nope = 1"))).Shape(shape)
				if _, err := q.Plan(); notExpressible(shape, err) {
					continue
				}
				_, err := q.All(context.Background(), tdb.db)
				if err == nil || !strings.Contains(err.Error(), `is include "Posts", table posts)`) {
					t.Fatalf("%s: %v", shape, err)
				}
			}
		})
	}
}
