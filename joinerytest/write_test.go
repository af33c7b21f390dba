package joinerytest_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"testing"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/joinerytest"
	"github.com/joinery/joinery/write"
)

// a data layer's write, as it would be written on joinery
func moveBooks(ctx context.Context, db *sql.DB, w *write.Writer, writer int64, books ...int64) error {
	targets := make([]any, len(books))
	for i, b := range books {
		targets[i] = write.Key(b)
	}
	_, err := w.Assoc("Writer", "Books").Set(write.Key(writer), targets...).Exec(ctx, db)
	return err
}

func TestExpectWrite(t *testing.T) {
	w := write.New(booksSchema(t), dialects.Postgres)
	db, mock := newMock(t)
	// the kit registers what the operation sends: two UPDATEs in a transaction
	if err := joinerytest.ExpectWrite(mock, w.Assoc("Writer", "Books").Set(write.Key(int64(1)), write.Key(int64(10)), write.Key(int64(11))), false); err != nil {
		t.Fatal(err)
	}
	if err := moveBooks(context.Background(), db, w, 1, 10, 11); err != nil {
		t.Fatal(err)
	}
	met(t, mock)

	// in the test's own transaction: the operation's statements inside a savepoint
	db, mock = newMock(t)
	mock.ExpectBegin()
	set := w.Assoc("Writer", "Books").Set(write.Key(int64(1)), write.Key(int64(10)), write.Key(int64(11)))
	if err := joinerytest.ExpectWrite(mock, set, true); err != nil {
		t.Fatal(err)
	}
	mock.ExpectCommit()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.Exec(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	met(t, mock)

	// a count
	db, mock = newMock(t)
	op := w.Assoc("Writer", "Books").Count(write.Key(int64(1)))
	if err := joinerytest.ExpectWriteCount(mock, op, 3); err != nil {
		t.Fatal(err)
	}
	if n, err := op.Int(context.Background(), db); err != nil || n != 3 {
		t.Fatalf("count %d %v", n, err)
	}
	met(t, mock)

	// a create with a generated key reads first: the test spells out the answer
	db, mock = newMock(t)
	ch := &Chapter{Title: "one"}
	create := w.Assoc("Book", "Chapters").Create(write.Key(int64(10)), ch)
	if err := joinerytest.ExpectWrite(mock, create, false); err == nil || !strings.Contains(err.Error(), "ExpectWriteSteps") {
		t.Fatalf("ExpectWrite of a create with a generated key: %v", err)
	}
	err = joinerytest.ExpectWriteSteps(mock, create, false, joinerytest.WriteStep{
		Statement: write.Statement{SQL: `INSERT INTO "chapters" ("book_id", "title") VALUES ($1, $2) RETURNING "id"`, Args: []any{int64(10), "one"}},
		Columns:   []string{"id"}, Rows: [][]driver.Value{{int64(7)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := create.Exec(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if ch.ID != 7 {
		t.Errorf("the key was not written back: %+v", ch)
	}
	met(t, mock)

	// steps that disagree with the operation's statements are refused
	_, mock = newMock(t)
	err = joinerytest.ExpectWriteSteps(mock, create, false, joinerytest.WriteStep{Statement: write.Statement{SQL: `INSERT INTO chapters`}})
	if err == nil {
		t.Error("a wrong statement was accepted")
	}
}
