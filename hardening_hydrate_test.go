package joinery_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/include"
)

// Tables without key constraints for the hydration hardening tests (issue 10).
type hhShelf struct {
	ID    int64    `db:"id"`
	Name  string   `db:"name"`
	Books []hhBook `db:"-"`
}

type hhBook struct {
	ID      int64    `db:"id"`
	ShelfID int64    `db:"shelf_id"`
	Title   string   `db:"title"`
	Shelf   *hhShelf `db:"-"`
}

var hhShapes = []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline}

// A table without a primary-key constraint may hold an id twice. Every statement shape
// folds the repeated rows by identity, (parent, key), on every database: each shelf and
// book once, the flat JOIN, the UNION ALL and the pipeline alike.
func TestHardeningHydrateDuplicateKeys(t *testing.T) {
	s := include.NewSchema()
	s.Define(hhShelf{}, "hh_shelves")
	s.Define(hhBook{}, "hh_books")
	s.HasMany("hhShelf", "hhBook", include.As("books"), include.ForeignKey("shelf_id"))
	s.BelongsTo("hhBook", "hhShelf", include.As("shelf"), include.ForeignKey("shelf_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	const (
		shelvesWant = `[{"ID":1,"Name":"fiction","Books":[{"ID":10,"ShelfID":1,"Title":"dune","Shelf":null},{"ID":11,"ShelfID":1,"Title":"emma","Shelf":null}]},` +
			`{"ID":2,"Name":"poetry","Books":[{"ID":12,"ShelfID":2,"Title":"odes","Shelf":null}]}]`
		shelf1    = `{"ID":1,"Name":"fiction","Books":null}`
		booksWant = `[{"ID":10,"ShelfID":1,"Title":"dune","Shelf":` + shelf1 + `},{"ID":11,"ShelfID":1,"Title":"emma","Shelf":` + shelf1 + `},` +
			`{"ID":12,"ShelfID":2,"Title":"odes","Shelf":{"ID":2,"Name":"poetry","Books":null}}]`
	)
	ctx := context.Background()
	for _, tdb := range openDBs(t, "joinery_hh") {
		t.Run(tdb.name, func(t *testing.T) {
			mustExec(t, tdb.db,
				`DROP TABLE IF EXISTS hh_books`, `DROP TABLE IF EXISTS hh_shelves`,
				`CREATE TABLE hh_shelves (id BIGINT NOT NULL, name VARCHAR(50) NOT NULL)`,
				`CREATE TABLE hh_books (id BIGINT NOT NULL, shelf_id BIGINT NOT NULL, title VARCHAR(50) NOT NULL)`,
				`INSERT INTO hh_shelves (id, name) VALUES (1, 'fiction'), (2, 'poetry'), (1, 'fiction')`,
				`INSERT INTO hh_books (id, shelf_id, title) VALUES (10, 1, 'dune'), (11, 1, 'emma'), (10, 1, 'dune'), (12, 2, 'odes')`)
			shelves := joinery.Query[hhShelf](s, tdb.dialect).Include(include.New("books").Order("id")).OrderBy("id")
			books := joinery.Query[hhBook](s, tdb.dialect).Include("shelf").OrderBy("id")
			var firstShelves []hhShelf
			var firstBooks []hhBook
			for _, shape := range hhShapes {
				gotShelves, err := shelves.Shape(shape).All(ctx, tdb.db)
				if err != nil {
					t.Fatalf("%s: %v", shape, err)
				}
				assertJSON(t, gotShelves, shelvesWant)
				gotBooks, err := books.Shape(shape).All(ctx, tdb.db)
				if err != nil {
					t.Fatalf("%s: %v", shape, err)
				}
				assertJSON(t, gotBooks, booksWant)
				if firstShelves == nil {
					firstShelves, firstBooks = gotShelves, gotBooks
				} else if !reflect.DeepEqual(gotShelves, firstShelves) || !reflect.DeepEqual(gotBooks, firstBooks) {
					t.Fatalf("%s differs from %s", shape, hhShapes[0])
				}
			}
		})
	}
}

type hhEvent struct {
	ID    int64        `db:"id"`
	At    time.Time    `db:"at"`
	Notes []hhEventLog `db:"-"`
}

type hhEventLog struct {
	ID      int64      `db:"id"`
	EventID int64      `db:"event_id"`
	At      time.Time  `db:"at"`
	Seen    *time.Time `db:"seen"`
}

// modernc.org/sqlite writes a time.Time as Time.String() ("2024-01-02 03:04:05.123456
// +0000 UTC", with " m=+..." when the value has a monotonic reading) and reads it back as a
// time only from a column declared DATETIME; a UNION ALL's columns are declared nothing, so
// the text reaches the hydrator. Every shape gives the same instants.
func TestHardeningHydrateSQLiteTimes(t *testing.T) {
	s := include.NewSchema()
	s.Define(hhEvent{}, "hh_events")
	s.Define(hhEventLog{}, "hh_event_logs")
	s.HasMany("hhEvent", "hhEventLog", include.As("notes"), include.ForeignKey("event_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	db := openDBs(t, "joinery_hh_times")[0]
	if db.name != "sqlite" {
		t.Fatalf("the first database is %s", db.name)
	}
	mustExec(t, db.db,
		`CREATE TABLE hh_events (id INTEGER PRIMARY KEY, at DATETIME NOT NULL)`,
		`CREATE TABLE hh_event_logs (id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, at DATETIME NOT NULL, seen DATETIME)`)
	utc := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	east := time.Date(2023, 7, 8, 9, 10, 11, 0, time.FixedZone("IST", 5*3600+30*60))
	now := time.Now() // with a monotonic clock reading
	for _, st := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO hh_events (id, at) VALUES (?, ?)`, []any{1, utc}},
		{`INSERT INTO hh_events (id, at) VALUES (?, ?)`, []any{2, now}},
		{`INSERT INTO hh_event_logs (id, event_id, at, seen) VALUES (?, ?, ?, ?)`, []any{10, 1, east, now}},
		{`INSERT INTO hh_event_logs (id, event_id, at, seen) VALUES (?, ?, ?, ?)`, []any{11, 1, utc, nil}},
		{`INSERT INTO hh_event_logs (id, event_id, at, seen) VALUES (?, ?, ?, ?)`, []any{12, 2, now, utc}},
	} {
		if _, err := db.db.Exec(st.q, st.args...); err != nil {
			t.Fatal(err)
		}
	}
	var text string
	if err := db.db.QueryRow(`SELECT CAST(at AS TEXT) FROM hh_events WHERE id = 2`).Scan(&text); err != nil || text != now.String() {
		t.Fatalf("the driver wrote %q (%v), want Time.String() %q", text, err, now.String())
	}
	q := joinery.Query[hhEvent](s, db.dialect).Include(include.New("notes").Order("id")).OrderBy("id")
	for _, shape := range hhShapes {
		got, err := q.Shape(shape).All(context.Background(), db.db)
		if err != nil {
			t.Fatalf("%s: %v", shape, err)
		}
		if len(got) != 2 || len(got[0].Notes) != 2 || len(got[1].Notes) != 1 {
			t.Fatalf("%s: %+v", shape, got)
		}
		n := got[0].Notes
		for _, c := range []struct {
			what      string
			got, want time.Time
		}{
			{"event 1", got[0].At, utc}, {"event 2", got[1].At, now},
			{"log 10", n[0].At, east}, {"log 11", n[1].At, utc}, {"log 12", got[1].Notes[0].At, now},
		} {
			if !c.got.Equal(c.want) {
				t.Errorf("%s: %s = %v, want %v", shape, c.what, c.got, c.want)
			}
		}
		if n[0].Seen == nil || !n[0].Seen.Equal(now) || n[1].Seen != nil || got[1].Notes[0].Seen == nil || !got[1].Notes[0].Seen.Equal(utc) {
			t.Errorf("%s: seen %v %v %v", shape, n[0].Seen, n[1].Seen, got[1].Notes[0].Seen)
		}
	}
}
