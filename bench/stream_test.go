package bench

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
)

// BenchmarkStream measures issue 6's streaming target: Each hands out one root at a time, so
// the live heap while it runs should not grow with the number of roots (10x more roots,
// peak under 2x). Embedded SQLite, users x 10 posts of 200 bytes; the live heap (after a GC)
// is sampled every 100 roots. Reported: peak-live-MB for Each, and all-live-MB, the heap
// holding All's result, for comparison.
func BenchmarkStream(b *testing.B) {
	s, err := NewSchema()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("roots=%d", n), func(b *testing.B) {
			db := streamDB(b, n)
			ctx := context.Background()
			q := joinery.Query[User](s, dialects.SQLite).Include("posts").OrderBy("id")
			var peak, all float64
			for b.Loop() {
				base := liveMB()
				seen := 0
				err := q.Each(ctx, db, func(u User) error {
					seen++
					if seen%100 == 0 {
						if m := liveMB() - base; m > peak {
							peak = m
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				if seen != n {
					b.Fatalf("Each handed out %d roots, want %d", seen, n)
				}
				users, err := q.All(ctx, db)
				if err != nil || len(users) != n {
					b.Fatalf("All: %d roots, %v", len(users), err)
				}
				all = liveMB() - base
				runtime.KeepAlive(users)
			}
			b.ReportMetric(peak, "peak-live-MB")
			b.ReportMetric(all, "all-live-MB")
		})
	}
}

func liveMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / 1e6
}

// streamDB is an SQLite database of n users with 10 posts of 200 bytes each.
func streamDB(b *testing.B, n int) *sql.DB {
	b.Helper()
	db, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "stream.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	body := strings.Repeat("x", 200)
	stmts := []string{
		`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT)`,
		`CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL)`,
		`CREATE INDEX posts_user_id ON posts (user_id)`,
	}
	for _, st := range stmts {
		if _, err := db.Exec(st); err != nil {
			b.Fatal(err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for u := 1; u <= n; u++ {
		if _, err := tx.Exec(`INSERT INTO users (id, name) VALUES (?, ?)`, u, fmt.Sprintf("user %d", u)); err != nil {
			b.Fatal(err)
		}
		for p := 0; p < 10; p++ {
			if _, err := tx.Exec(`INSERT INTO posts (user_id, title, body) VALUES (?, ?, ?)`, u, "title", body); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return db
}
