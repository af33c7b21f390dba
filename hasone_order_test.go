package joinery_test

import (
	"context"
	"testing"

	sq "github.com/Masterminds/squirrel"
	"github.com/joinery/joinery"
)

// A hasOne whose foreign key has no unique key may match several rows: ordered by one of its
// columns, every shape keeps the first match in that order, as the flat JOIN does (the UNION
// ALL and pipeline shapes order the hasOne's branch by it).
func TestHasOneSeveralMatchesOrdered(t *testing.T) {
	s := blogSchema(t)
	for _, tdb := range openDBs(t, "joinery_hasone_order") {
		t.Run(tdb.name, func(t *testing.T) {
			seedBlog(t, tdb.db)
			// alice gets a second profile whose bio sorts after her first
			mustExec(t, tdb.db, `INSERT INTO profiles (id, user_id, bio) VALUES (7, 1, 'zz second'), (8, 1, 'a first')`)
			for _, shape := range allShapes {
				if shape == joinery.ShapeLevels && !tdb.dialect.Features().AnyArray {
					continue // (ErrShape: no array parameters)
				}
				for _, dir := range []string{"", " DESC"} {
					t.Run(shape.String()+dir, func(t *testing.T) {
						users, err := joinery.Query[User](s, tdb.dialect).Include("profile").Where(sq.Eq{"id": 1}).
							OrderBy("profile.bio"+dir, "id").Shape(shape).All(context.Background(), tdb.db)
						if err != nil {
							t.Fatal(err)
						}
						want := "a first"
						if dir != "" {
							want = "zz second"
						}
						if len(users) != 1 || users[0].Profile == nil || users[0].Profile.Bio != want {
							t.Fatalf("got %+v, want alice with the profile %q", users, want)
						}
					})
				}
			}
		})
	}
}
