package joinery_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// A page of users with their posts and the number of users in all, seen in one snapshot.
func ExampleQ_AllAndCount() {
	db := exDB()
	defer db.Close()
	page, total, err := joinery.Query[exUser](exSchema(), dialects.SQLite).
		Include(include.New("posts").Order("id")).
		OrderBy("name").
		Limit(1).Offset(1).
		AllAndCount(context.Background(), db)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(page)
	fmt.Printf("user 2 of %d: %s\n", total, out)
	// Output:
	// user 2 of 2: [{"id":2,"name":"bob","posts":[]}]
}
