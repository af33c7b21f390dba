package write_test

import (
	"testing"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/write"
)

// BenchmarkKeyLists compiles operations over many keys without a database (Statements):
// the cost of reading, deduplicating and rendering keys, single-column and (tenant_id, id).
func BenchmarkKeyLists(b *testing.B) {
	const n = 1000
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	w := write.New(schema(b), dialects.Postgres)
	run := func(name string, op func() ([]write.Statement, error)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := op(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("btm-remove/1col", func() ([]write.Statement, error) {
		return w.Assoc("User", "projects").Remove(write.Key(int64(1)), write.Keys(ids...)).Statements()
	})
	run("hasMany-add/1col", func() ([]write.Statement, error) {
		return w.Assoc("Post", "comments").Add(write.Key(int64(1)), write.Keys(ids...)).Statements()
	})
	users := make([]User, 100)
	for i := range users {
		users[i] = User{ID: int64(i + 1), Name: "u"}
		for j := 0; j < 5; j++ {
			users[i].Posts = append(users[i].Posts, Post{ID: int64(i*5 + j + 1), Title: "p"})
		}
	}
	run("nested-create/1col", func() ([]write.Statement, error) {
		return w.Create(&users, "posts").Statements()
	})
	hw := write.New(hiddenTenantSchema(b), dialects.Postgres).WithTenant(int64(1))
	run("btm-remove/tenant", func() ([]write.Statement, error) {
		return hw.Assoc("User", "projects").Remove(write.Key(int64(1)), write.Keys(ids...)).Statements()
	})
	run("hasMany-add/tenant", func() ([]write.Statement, error) {
		return hw.Assoc("User", "posts").Add(write.Key(int64(1)), write.Keys(ids...)).Statements()
	})
	husers := make([]HUser, 100)
	for i := range husers {
		husers[i] = HUser{ID: int64(i + 1), Name: "u"}
		for j := 0; j < 5; j++ {
			husers[i].Posts = append(husers[i].Posts, HPost{ID: int64(i*5 + j + 1), Title: "p"})
		}
	}
	run("nested-create/tenant", func() ([]write.Statement, error) {
		return hw.Create(&husers, "posts").Statements()
	})
}
