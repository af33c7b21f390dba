package joinery_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

// Structs without db tags, as code shared with other packages or generated often has them:
// the schema's column mapper names their columns.
type mapperUser struct {
	ID    int64
	Name  string
	Posts []mapperPost
}

type mapperPost struct {
	ID     int64
	UserID int64
	Title  string
}

var mapperDDL = []string{
	`DROP TABLE IF EXISTS mapper_posts`,
	`DROP TABLE IF EXISTS mapper_users`,
	`DROP TABLE IF EXISTS lower_posts`,
	`DROP TABLE IF EXISTS lower_users`,
	`CREATE TABLE mapper_users (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL)`,
	`CREATE TABLE mapper_posts (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES mapper_users(id), title VARCHAR(100) NOT NULL)`,
	`INSERT INTO mapper_users (id, name) VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')`,
	`INSERT INTO mapper_posts (id, user_id, title) VALUES (10, 1, 'a1'), (11, 2, 'b1'), (12, 1, 'a2'), (13, 2, 'b2'), (14, 1, 'a3')`,
	// the same rows with sqlx's default column names, for a schema without a mapper
	`CREATE TABLE lower_users (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL)`,
	`CREATE TABLE lower_posts (id BIGINT PRIMARY KEY, userid BIGINT NOT NULL REFERENCES lower_users(id), title VARCHAR(100) NOT NULL)`,
	`INSERT INTO lower_users (id, name) VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')`,
	`INSERT INTO lower_posts (id, userid, title) VALUES (10, 1, 'a1'), (11, 2, 'b1'), (12, 1, 'a2'), (13, 2, 'b2'), (14, 1, 'a3')`,
}

var mapperWant = []mapperUser{
	{ID: 1, Name: "ann", Posts: []mapperPost{{10, 1, "a1"}, {12, 1, "a2"}, {14, 1, "a3"}}},
	{ID: 2, Name: "bob", Posts: []mapperPost{{11, 2, "b1"}, {13, 2, "b2"}}},
	{ID: 3, Name: "cy", Posts: []mapperPost{}},
}

// mapperSchema registers the untagged structs on tables prefix_users and prefix_posts.
func mapperSchema(t *testing.T, prefix string, assoc []include.AssocOption, opts ...include.SchemaOption) *include.Schema {
	t.Helper()
	s := include.NewSchema(opts...)
	if _, err := s.Define(mapperUser{}, prefix+"_users", include.Name("User")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Define(mapperPost{}, prefix+"_posts", include.Name("Post")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HasMany("User", "Post", assoc...); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMapperLoadsUntaggedStructs loads users with their posts from snake_case tables into
// untagged structs, in every statement shape, on every database; a second schema without a
// mapper loads the same struct types from tables with sqlx's default column names.
func TestMapperLoadsUntaggedStructs(t *testing.T) {
	// the default foreign key user_id is Post.UserID's column under SnakeCase
	snake := mapperSchema(t, "mapper", nil, include.WithColumnNames(include.SnakeCase))
	// without a mapper it is not (the column is userid): the error says what to change
	plain := include.NewSchema()
	plain.Define(mapperUser{}, "lower_users", include.Name("User"))
	plain.Define(mapperPost{}, "lower_posts", include.Name("Post"))
	if _, err := plain.HasMany("User", "Post"); err == nil ||
		!strings.Contains(err.Error(), "use include.WithColumnNames(include.SnakeCase) or tag the field `db:\"user_id\"`") {
		t.Fatalf("HasMany without a mapper: %v", err)
	}
	lower := mapperSchema(t, "lower", []include.AssocOption{include.ForeignKey("userid")})
	if a := snake.Model("User").Association("Posts"); key(a.ForeignKeys) != "user_id" {
		t.Fatalf("snake: foreign key %q", key(a.ForeignKeys))
	}
	if a := lower.Model("User").Association("Posts"); key(a.ForeignKeys) != "userid" {
		t.Fatalf("lower: foreign key %q", key(a.ForeignKeys))
	}
	for _, tdb := range openDBs(t, "joinery_mapper") {
		t.Run(tdb.name, func(t *testing.T) {
			mustExec(t, tdb.db, mapperDDL...)
			for _, sc := range []struct {
				name   string
				schema *include.Schema
				fk     string
			}{{"snake", snake, "user_id"}, {"lower", lower, "userid"}} {
				for _, shape := range allShapes {
					if shape == joinery.ShapeLevels && !tdb.dialect.Features().AnyArray {
						continue // (ErrShape: no array parameters)
					}
					t.Run(sc.name+"/"+shape.String(), func(t *testing.T) {
						q := joinery.Query[mapperUser](sc.schema, tdb.dialect).
							Include(include.New("Posts").Order("id")).
							OrderBy("id").
							Shape(shape)
						sql, _, err := q.ToSql()
						if err != nil && shape != joinery.ShapePipeline && shape != joinery.ShapeLevels {
							t.Fatal(err)
						}
						if err == nil && !strings.Contains(sql, sc.fk) {
							t.Errorf("the statement does not name %s:\n%s", sc.fk, sql)
						}
						got, err := q.All(context.Background(), tdb.db)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(got, mapperWant) {
							t.Fatalf("got  %+v\nwant %+v", got, mapperWant)
						}
						// filters and orders name columns, or the fields' sqlx names
						q = joinery.Query[mapperUser](sc.schema, tdb.dialect).
							Include(include.New("Posts").Order("title DESC").Where(sq.Eq{"userid": 1})).
							OrderBy("name DESC").
							Shape(shape)
						got, err = q.All(context.Background(), tdb.db)
						if err != nil {
							t.Fatal(err)
						}
						want := []mapperUser{
							{ID: 3, Name: "cy", Posts: []mapperPost{}},
							{ID: 2, Name: "bob", Posts: []mapperPost{}},
							{ID: 1, Name: "ann", Posts: []mapperPost{{14, 1, "a3"}, {12, 1, "a2"}, {10, 1, "a1"}}},
						}
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("filtered: got  %+v\nwant %+v", got, want)
						}
					})
				}
			}
		})
	}
}

// Join-table columns on an untagged target: a bare `joinery:"through"` field takes its column
// from the mapper, like the model's own fields.
type mapperGroup struct {
	ID      int64
	Name    string
	AddedBy int64 `joinery:"through"`
}

type mapperMember struct {
	ID     int64
	Name   string
	Groups []mapperGroup
}

type mapperMembership struct {
	MemberID int64
	GroupID  int64
	AddedBy  int64
}

var mapperThroughDDL = []string{
	`DROP TABLE IF EXISTS mapper_memberships`,
	`DROP TABLE IF EXISTS mapper_groups`,
	`DROP TABLE IF EXISTS mapper_members`,
	`CREATE TABLE mapper_members (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL)`,
	`CREATE TABLE mapper_groups (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL)`,
	`CREATE TABLE mapper_memberships (member_id BIGINT NOT NULL, group_id BIGINT NOT NULL, added_by BIGINT NOT NULL, PRIMARY KEY (member_id, group_id))`,
	`INSERT INTO mapper_members (id, name) VALUES (1, 'ann'), (2, 'bob')`,
	`INSERT INTO mapper_groups (id, name) VALUES (7, 'go'), (8, 'sql')`,
	`INSERT INTO mapper_memberships (member_id, group_id, added_by) VALUES (1, 7, 100), (1, 8, 101), (2, 8, 102)`,
}

func TestMapperThroughModel(t *testing.T) {
	s := include.NewSchema(include.WithColumnNames(include.SnakeCase))
	for _, d := range []struct {
		v     any
		table string
		opts  []include.ModelOption
	}{
		{mapperMember{}, "mapper_members", []include.ModelOption{include.Name("Member")}},
		{mapperGroup{}, "mapper_groups", []include.ModelOption{include.Name("Group")}},
		{mapperMembership{}, "mapper_memberships", []include.ModelOption{include.Name("Membership"), include.PrimaryKey("member_id", "group_id")}},
	} {
		if _, err := s.Define(d.v, d.table, d.opts...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.BelongsToMany("Member", "Group", include.ThroughModel("Membership")); err != nil { // member_id, group_id
		t.Fatal(err)
	}
	want := []mapperMember{
		{ID: 1, Name: "ann", Groups: []mapperGroup{{7, "go", 100}, {8, "sql", 101}}},
		{ID: 2, Name: "bob", Groups: []mapperGroup{{8, "sql", 102}}},
	}
	for _, tdb := range openDBs(t, "joinery_mapper") {
		t.Run(tdb.name, func(t *testing.T) {
			mustExec(t, tdb.db, mapperThroughDDL...)
			for _, shape := range allShapes {
				if shape == joinery.ShapeLevels && !tdb.dialect.Features().AnyArray {
					continue // (ErrShape: no array parameters)
				}
				t.Run(shape.String(), func(t *testing.T) {
					got, err := joinery.Query[mapperMember](s, tdb.dialect).
						Include(include.New("Groups").Order("id")).
						OrderBy("id").
						Shape(shape).
						All(context.Background(), tdb.db)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("got  %+v\nwant %+v", got, want)
					}
				})
			}
		})
	}
}

// key writes a key's columns as one string: "tenant_id,user_id".
func key(cols []string) string { return strings.Join(cols, ",") }
