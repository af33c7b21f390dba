package joinery_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

// Each and Iter hand out the same roots, in the same order, as All.
func TestEachAndIter(t *testing.T) {
	s := blogSchema(t)
	for _, tdb := range openDBs(t, "joinery_root_stream") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			seedRandom(t, tdb, 7)
			ctx := context.Background()
			q := joinery.Query[User](s, tdb.dialect).
				Include(include.New("posts").Order("id").Include(include.New("comments").Order("id").Include("author")), "profile",
					include.New("projects").Order("id")).
				OrderBy("name DESC")
			all, err := q.All(ctx, tdb.db)
			if err != nil {
				t.Fatal(err)
			}
			var each []User
			if err := q.Each(ctx, tdb.db, func(u User) error { each = append(each, u); return nil }); err != nil {
				t.Fatal(err)
			}
			assertJSON(t, each, jsonString(t, all))
			var it []User
			for u, err := range q.Iter(ctx, tdb.db) {
				if err != nil {
					t.Fatal(err)
				}
				it = append(it, u)
			}
			assertJSON(t, it, jsonString(t, all))
			// breaking out stops the query
			n := 0
			for _, err := range q.Iter(ctx, tdb.db) {
				if err != nil {
					t.Fatal(err)
				}
				if n++; n == 3 {
					break
				}
			}
			if n != 3 {
				t.Fatalf("iterated %d", n)
			}
			// an error from fn stops and is returned
			stop := errors.New("enough")
			if err := q.Each(ctx, tdb.db, func(User) error { return stop }); !errors.Is(err, stop) {
				t.Fatalf("want fn's error, got %v", err)
			}
			// the root order must keep each root's rows together
			err = q.OrderBy("posts.title").Each(ctx, tdb.db, func(User) error { return nil })
			if err == nil || !strings.Contains(err.Error(), "to-many include") {
				t.Fatalf("ordering by a to-many column: %v", err)
			}
			sqlText, _, _ := q.Shape(joinery.ShapeFlat).ToSql()
			if !strings.Contains(sqlText, "LEFT JOIN") {
				t.Fatalf("flat: %s", sqlText)
			}
		})
	}
}
