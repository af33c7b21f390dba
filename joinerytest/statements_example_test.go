package joinerytest_test

import (
	"fmt"
	"log"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/joinerytest"
)

// The rows the kit lays out for a fixture, in the default shape of a tree with a to-many
// include (a UNION ALL of branches: the branch tag jb, the ordinal jo, each row carrying its
// own include's columns and the key linking it to its parent) and as a flat JOIN (one row
// per combination of included children).
func ExampleAllStatements() {
	s, err := newSchema()
	if err != nil {
		log.Fatal(err)
	}
	q := joinery.Query[User](s, dialects.SQLite).Include(include.New("posts").Order("id")).OrderBy("id")
	want := []User{
		{ID: 1, Name: "ada", Posts: []Post{{ID: 10, UserID: 1, Title: "Notes"}, {ID: 11, UserID: 1, Title: "Loops"}}},
		{ID: 2, Name: "grace"},
	}
	for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat} {
		sts, err := joinerytest.AllStatements(q.Shape(shape), want)
		if err != nil {
			log.Fatal(err)
		}
		for _, st := range sts {
			fmt.Println(st.Columns)
			for _, r := range st.Rows {
				fmt.Println(r)
			}
		}
	}
	// Output:
	// [jb jo c0 c1 c2 c3 c4]
	// [0 1 1 ada <nil> <nil> <nil>]
	// [0 2 2 grace <nil> <nil> <nil>]
	// [1 1 <nil> <nil> 10 1 Notes]
	// [1 2 <nil> <nil> 11 1 Loops]
	// [c0 c1 c2 c3 c4]
	// [1 ada 10 1 Notes]
	// [1 ada 11 1 Loops]
	// [2 grace <nil> <nil> <nil>]
}
