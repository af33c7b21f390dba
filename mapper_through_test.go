package joinery_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

// Join-table columns on an untagged BelongsToMany target under SnakeCase, in every form: a
// tagged through field against an untagged join-model field, a bare through field, a through
// struct with untagged fields; with a join model and with a join table only, all columns or
// ThroughColumns. Needs the builder to take through fields from include (Model.ThroughAttrs).

type thLink struct {
	SinceDay int64
	Note     string `db:"the_note"`
}

type thGroup struct {
	ID    int64
	Name  string
	Added int64  `joinery:"through:added_by"`
	Note  string `joinery:"through"` // the mapper's column: note
	Link  thLink `joinery:"through"`
}

type thMember struct {
	ID     int64
	Name   string
	Groups []thGroup
}

type thMembership struct {
	MemberID int64
	GroupID  int64
	AddedBy  int64
	Note     string
	TheNote  string `db:"the_note"`
	SinceDay int64
}

var thDDL = []string{
	`DROP TABLE IF EXISTS th_memberships`,
	`DROP TABLE IF EXISTS th_groups`,
	`DROP TABLE IF EXISTS th_members`,
	`CREATE TABLE th_members (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL)`,
	`CREATE TABLE th_groups (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL)`,
	`CREATE TABLE th_memberships (member_id BIGINT NOT NULL, group_id BIGINT NOT NULL, added_by BIGINT NOT NULL, note VARCHAR(100) NOT NULL, the_note VARCHAR(100) NOT NULL, since_day BIGINT NOT NULL, PRIMARY KEY (member_id, group_id))`,
	`INSERT INTO th_members (id, name) VALUES (1, 'ann'), (2, 'bob')`,
	`INSERT INTO th_groups (id, name) VALUES (7, 'go'), (8, 'sql')`,
	`INSERT INTO th_memberships VALUES (1, 7, 100, 'n1', 't1', 5), (1, 8, 101, 'n2', 't2', 6), (2, 8, 102, 'n3', 't3', 7)`,
}

func TestMapperThroughFields(t *testing.T) {
	want := []thMember{
		{1, "ann", []thGroup{{7, "go", 100, "n1", thLink{5, "t1"}}, {8, "sql", 101, "n2", thLink{6, "t2"}}}},
		{2, "bob", []thGroup{{8, "sql", 102, "n3", thLink{7, "t3"}}}},
	}
	for _, withModel := range []bool{true, false} {
		s := include.NewSchema(include.WithColumnNames(include.SnakeCase))
		s.Define(thMember{}, "th_members", include.Name("Member"))
		s.Define(thGroup{}, "th_groups", include.Name("Group"))
		opt := include.Through("th_memberships")
		if withModel {
			s.Define(thMembership{}, "th_memberships", include.Name("Membership"), include.PrimaryKey("member_id", "group_id"))
			opt = include.ThroughModel("Membership")
		}
		if _, err := s.BelongsToMany("Member", "Group", opt); err != nil {
			t.Fatal(err)
		}
		for _, tdb := range openDBs(t, "joinery_mapper") {
			mustExec(t, tdb.db, thDDL...)
			for _, thcols := range []bool{false, true} {
				for _, shape := range allShapes {
					if shape == joinery.ShapeLevels && !tdb.dialect.Features().AnyArray {
						continue // (ErrShape: no array parameters)
					}
					name := map[bool]string{true: "model", false: "table"}[withModel] + "/" + map[bool]string{true: "thcols", false: "all"}[thcols] + "/" + tdb.name + "/" + shape.String()
					t.Run(name, func(t *testing.T) {
						n := include.New("Groups").Order("id")
						if thcols {
							n = n.ThroughColumns("added_by", "note", "the_note", "since_day")
						}
						q := joinery.Query[thMember](s, tdb.dialect).Include(n).OrderBy("id").Shape(shape)
						got, err := q.All(context.Background(), tdb.db)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("got  %+v\nwant %+v", got, want)
						}
					})
				}
			}
		}
	}
}
