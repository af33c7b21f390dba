package hydrate_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"

	_ "modernc.org/sqlite"

	"github.com/joinery/joinery/hydrate"
)

type Author struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Books []Book
}

type Book struct {
	ID    int64  `db:"id"`
	Title string `db:"title"`
}

// Fold a handwritten JOIN: the Map names the result columns of each level and its key.
func ExampleInto() {
	db, _ := sql.Open("sqlite", ":memory:")
	defer db.Close()
	db.SetMaxOpenConns(1)
	db.Exec(`CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER, title TEXT);
		INSERT INTO authors VALUES (1, 'Le Guin'), (2, 'Calvino'); INSERT INTO books VALUES (1, 1, 'The Dispossessed'), (2, 1, 'Lathe of Heaven')`)
	rows, err := db.Query(`SELECT a.id AS a_id, a.name AS a_name, b.id AS b_id, b.title AS b_title
		FROM authors a LEFT JOIN books b ON b.author_id = a.id ORDER BY a.id, b.id`)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := &hydrate.Map{Root: &hydrate.Node{
		Name: "Author", Type: reflect.TypeOf(Author{}), Key: []int{0},
		Cols: []hydrate.Col{{Column: "a_id", Field: "id"}, {Column: "a_name", Field: "name"}},
		Children: []*hydrate.Node{{
			Path: "books", Field: "Books", Type: reflect.TypeOf(Book{}), Many: true, Key: []int{0},
			Cols: []hydrate.Col{{Column: "b_id", Field: "id"}, {Column: "b_title", Field: "title"}},
		}},
	}}
	var authors []Author
	if err := hydrate.Into(rows, m, &authors); err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(authors)
	fmt.Println(string(out))
	// Output:
	// [{"ID":1,"Name":"Le Guin","Books":[{"ID":1,"Title":"The Dispossessed"},{"ID":2,"Title":"Lathe of Heaven"}]},{"ID":2,"Name":"Calvino","Books":[]}]
}
