package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

// The write benchmarks (issue 15) work in a schema of their own, bench_writes, so they leave
// cmd/gendata's tables alone: nested create of 1,000 users x 10 posts x 3 new tags each, the
// join rows carrying a column (added_by), by joinery, by hand-written batched INSERTs (and,
// to find the floor the database sets, by arrays and by COPY: writes_floor_test.go), by
// GORM's Create with associations and by bun's bulk inserts level by level; and set of a
// user's 1,000 project links changing 100 of them, by joinery and by a hand-written diff.
// Contenders alternate within one run (BENCH_ROUNDS rounds), so drift favours none.

const (
	wUsers    = 1000
	wPosts    = 10
	wTags     = 3
	wLinks    = 1000
	wChanged  = 100
	wSchemaNm = "bench_writes"
)

// wSchema is the schema the write benchmarks work in: bench_writes, or BENCH_WRITES_SCHEMA
// (two runs against one server at once need two).
func wSchema() string {
	if s := os.Getenv("BENCH_WRITES_SCHEMA"); s != "" {
		return s
	}
	return wSchemaNm
}

func wDDL() []string {
	return append([]string{
		`DROP SCHEMA IF EXISTS ` + pgQuote(wSchema()) + ` CASCADE`,
		`CREATE SCHEMA ` + pgQuote(wSchema())}, wTables...)
}

func pgQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

var wTables = []string{
	`CREATE TABLE users (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL)`,
	`CREATE TABLE posts (id BIGSERIAL PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), title TEXT NOT NULL)`,
	`CREATE TABLE tags (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL)`,
	`CREATE TABLE post_tags (post_id BIGINT NOT NULL REFERENCES posts(id), tag_id BIGINT NOT NULL REFERENCES tags(id), added_by TEXT, PRIMARY KEY (post_id, tag_id))`,
	`CREATE TABLE projects (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL)`,
	`CREATE TABLE user_projects (user_id BIGINT NOT NULL REFERENCES users(id), project_id BIGINT NOT NULL REFERENCES projects(id), role TEXT, PRIMARY KEY (user_id, project_id))`,
}

// joinery's models.
type wjUser struct {
	ID       int64       `db:"id"`
	Name     string      `db:"name"`
	Posts    []wjPost    `joinery:"posts"`
	Projects []wjProject `joinery:"projects"`
}
type wjPost struct {
	ID     int64   `db:"id"`
	UserID int64   `db:"user_id"`
	Title  string  `db:"title"`
	Tags   []wjTag `joinery:"tags"`
}
type wjTag struct {
	ID      int64   `db:"id"`
	Name    string  `db:"name"`
	AddedBy *string `joinery:"through:added_by"`
}
type wjProject struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// GORM's: the join table has a column, so it is a model (belonging to its tag).
type wgUser struct {
	ID    int64
	Name  string
	Posts []wgPost `gorm:"foreignKey:UserID"`
}

func (wgUser) TableName() string { return "users" }

type wgPost struct {
	ID       int64
	UserID   int64
	Title    string
	PostTags []wgPostTag `gorm:"foreignKey:PostID"`
}

func (wgPost) TableName() string { return "posts" }

type wgPostTag struct {
	PostID  int64 `gorm:"primaryKey"`
	TagID   int64 `gorm:"primaryKey"`
	AddedBy *string
	Tag     *wgTag `gorm:"foreignKey:TagID"`
}

func (wgPostTag) TableName() string { return "post_tags" }

type wgTag struct {
	ID   int64
	Name string
}

func (wgTag) TableName() string { return "tags" }

// bun's.
type wbUser struct {
	bun.BaseModel `bun:"table:users"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Name          string `bun:"name"`
}
type wbPost struct {
	bun.BaseModel `bun:"table:posts"`
	ID            int64  `bun:"id,pk,autoincrement"`
	UserID        int64  `bun:"user_id"`
	Title         string `bun:"title"`
}
type wbTag struct {
	bun.BaseModel `bun:"table:tags"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Name          string `bun:"name"`
}
type wbPostTag struct {
	bun.BaseModel `bun:"table:post_tags"`
	PostID        int64   `bun:"post_id,pk"`
	TagID         int64   `bun:"tag_id,pk"`
	AddedBy       *string `bun:"added_by"`
}

type writeEnv struct {
	db     *sql.DB
	gorm   *gorm.DB
	bun    *bun.DB
	w      *write.Writer
	schema *include.Schema
}

func openWriteEnv(tb testing.TB) *writeEnv {
	tb.Helper()
	dsn := os.Getenv("BENCH_PG_DSN")
	if dsn == "" {
		tb.Skip("BENCH_PG_DSN is not set (bench/run.sh sets it)")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	for _, s := range wDDL()[:2] {
		if _, err := admin.Exec(s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	db, err := sql.Open("pgx", dsn+sep+"search_path="+url.QueryEscape(wSchema()))
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	tb.Cleanup(func() { db.Close() })
	for _, s := range wDDL()[2:] {
		if _, err := db.Exec(s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
	e := &writeEnv{db: db}
	e.gorm, err = gorm.Open(postgres.New(postgres.Config{Conn: db}), &gorm.Config{
		Logger: logger.Discard, SkipDefaultTransaction: false, CreateBatchSize: 5000})
	if err != nil {
		tb.Fatal(err)
	}
	e.bun = bun.NewDB(db, pgdialect.New())
	s := include.NewSchema()
	s.Define(wjUser{}, "users")
	s.Define(wjPost{}, "posts")
	s.Define(wjTag{}, "tags")
	s.Define(wjProject{}, "projects")
	s.HasMany("wjUser", "wjPost", include.As("posts"), include.ForeignKey("user_id"))
	s.BelongsToMany("wjPost", "wjTag", include.As("tags"), include.Through("post_tags"), include.ForeignKey("post_id"), include.OtherKey("tag_id"))
	s.BelongsToMany("wjUser", "wjProject", include.As("projects"), include.Through("user_projects"), include.ForeignKey("user_id"), include.OtherKey("project_id"))
	if err := s.Err(); err != nil {
		tb.Fatal(err)
	}
	e.schema = s
	e.w = write.New(s, dialects.Postgres)
	return e
}

func (e *writeEnv) truncate(tb testing.TB) {
	tb.Helper()
	if _, err := e.db.Exec(`TRUNCATE users, posts, tags, post_tags, projects, user_projects RESTART IDENTITY`); err != nil {
		tb.Fatal(err)
	}
}

func addedBy(u, p, t int) *string {
	if t == 0 {
		return nil // one join row in three without the column: NULLs too
	}
	s := "u" + strconv.Itoa(u)
	return &s
}

// wjUsers is the tree joinery's contenders create.
func wjUsers() []wjUser {
	users := make([]wjUser, wUsers)
	for u := range users {
		users[u].Name = "user" + strconv.Itoa(u)
		users[u].Posts = make([]wjPost, wPosts)
		for p := range users[u].Posts {
			post := &users[u].Posts[p]
			post.Title = "post" + strconv.Itoa(p)
			post.Tags = make([]wjTag, wTags)
			for t := range post.Tags {
				post.Tags[t] = wjTag{Name: "tag" + strconv.Itoa(t), AddedBy: addedBy(u, p, t)}
			}
		}
	}
	return users
}

// createContenders insert the same tree; each returns an error only.
var createContenders = []struct {
	name string
	run  func(ctx context.Context, e *writeEnv) error
}{
	{"joinery", func(ctx context.Context, e *writeEnv) error {
		users := wjUsers()
		_, err := e.w.Create(&users, "posts.tags").Exec(ctx, e.db)
		return err
	}},
	{"joinery-arrays", func(ctx context.Context, e *writeEnv) error {
		users := wjUsers()
		_, err := e.w.WithArrays().Create(&users, "posts.tags").Exec(ctx, e.db)
		return err
	}},
	{"hand", handCreate},
	{"hand-unnest", handUnnestCreate},
	{"hand-copy", handCopyCreate},
	{"floor-server", floorServerCreate},
	{"gorm", func(ctx context.Context, e *writeEnv) error {
		users := make([]wgUser, wUsers)
		for u := range users {
			users[u].Name = "user" + strconv.Itoa(u)
			users[u].Posts = make([]wgPost, wPosts)
			for p := range users[u].Posts {
				post := &users[u].Posts[p]
				post.Title = "post" + strconv.Itoa(p)
				post.PostTags = make([]wgPostTag, wTags)
				for t := range post.PostTags {
					post.PostTags[t] = wgPostTag{AddedBy: addedBy(u, p, t), Tag: &wgTag{Name: "tag" + strconv.Itoa(t)}}
				}
			}
		}
		return e.gorm.WithContext(ctx).Create(&users).Error
	}},
	{"bun", func(ctx context.Context, e *writeEnv) error {
		return e.bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			users := make([]wbUser, wUsers)
			for u := range users {
				users[u].Name = "user" + strconv.Itoa(u)
			}
			if _, err := tx.NewInsert().Model(&users).Exec(ctx); err != nil {
				return err
			}
			posts := make([]wbPost, 0, wUsers*wPosts)
			for u := range users {
				for p := 0; p < wPosts; p++ {
					posts = append(posts, wbPost{UserID: users[u].ID, Title: "post" + strconv.Itoa(p)})
				}
			}
			if _, err := tx.NewInsert().Model(&posts).Exec(ctx); err != nil {
				return err
			}
			tags := make([]wbTag, 0, len(posts)*wTags)
			for range posts {
				for t := 0; t < wTags; t++ {
					tags = append(tags, wbTag{Name: "tag" + strconv.Itoa(t)})
				}
			}
			if _, err := tx.NewInsert().Model(&tags).Exec(ctx); err != nil {
				return err
			}
			links := make([]wbPostTag, 0, len(tags))
			for i, post := range posts {
				u, p := i/wPosts, i%wPosts
				for t := 0; t < wTags; t++ {
					links = append(links, wbPostTag{PostID: post.ID, TagID: tags[i*wTags+t].ID, AddedBy: addedBy(u, p, t)})
				}
			}
			// bun does not split a bulk INSERT at the parameter limit
			for start := 0; start < len(links); start += 20000 {
				chunk := links[start:min(start+20000, len(links))]
				if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		})
	}},
}

// handCreate is the hand-written batched insert: one multi-row INSERT per table (split at the
// parameter limit), RETURNING the keys, in one transaction.
func handCreate(ctx context.Context, e *writeEnv) error {
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	insert := func(head string, ncols, nrows int, row func(i int, args []any) []any, returning bool) ([]int64, error) {
		per := 65535 / ncols
		var ids []int64
		for start := 0; start < nrows; start += per {
			end := min(start+per, nrows)
			var b strings.Builder
			b.WriteString(head)
			args := make([]any, 0, (end-start)*ncols)
			for i := start; i < end; i++ {
				if i > start {
					b.WriteString(", ")
				}
				b.WriteByte('(')
				for c := 0; c < ncols; c++ {
					if c > 0 {
						b.WriteString(", ")
					}
					b.WriteByte('$')
					b.WriteString(strconv.Itoa(len(args) + c + 1))
				}
				b.WriteByte(')')
				args = row(i, args)
			}
			if !returning {
				if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
					return nil, err
				}
				continue
			}
			b.WriteString(" RETURNING id")
			rows, err := tx.QueryContext(ctx, b.String(), args...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return nil, err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
		return ids, nil
	}
	userIDs, err := insert("INSERT INTO users (name) VALUES ", 1, wUsers, func(i int, a []any) []any {
		return append(a, "user"+strconv.Itoa(i))
	}, true)
	if err != nil {
		return err
	}
	postIDs, err := insert("INSERT INTO posts (user_id, title) VALUES ", 2, wUsers*wPosts, func(i int, a []any) []any {
		return append(a, userIDs[i/wPosts], "post"+strconv.Itoa(i%wPosts))
	}, true)
	if err != nil {
		return err
	}
	tagIDs, err := insert("INSERT INTO tags (name) VALUES ", 1, len(postIDs)*wTags, func(i int, a []any) []any {
		return append(a, "tag"+strconv.Itoa(i%wTags))
	}, true)
	if err != nil {
		return err
	}
	if _, err := insert("INSERT INTO post_tags (post_id, tag_id, added_by) VALUES ", 3, len(tagIDs), func(i int, a []any) []any {
		post := i / wTags
		ab := addedBy(post/wPosts, post%wPosts, i%wTags)
		if ab == nil {
			return append(a, postIDs[post], tagIDs[i], nil)
		}
		return append(a, postIDs[post], tagIDs[i], *ab)
	}, false); err != nil {
		return err
	}
	return tx.Commit()
}

// setup for set: one user, 2*wLinks projects, the user linked to the first wLinks; the new
// list keeps wLinks-wChanged of them and adds wChanged others.
func (e *writeEnv) seedSet(tb testing.TB) {
	tb.Helper()
	e.truncate(tb)
	if _, err := e.db.Exec(`INSERT INTO users (id, name) VALUES (1, 'ann')`); err != nil {
		tb.Fatal(err)
	}
	if _, err := e.db.Exec(`INSERT INTO projects (id, name) SELECT g, 'p' || g FROM generate_series(1, $1::int) g`, 2*wLinks); err != nil {
		tb.Fatal(err)
	}
	if _, err := e.db.Exec(`INSERT INTO user_projects (user_id, project_id, role) SELECT 1, g, 'member' FROM generate_series(1, $1::int) g`, wLinks); err != nil {
		tb.Fatal(err)
	}
}

// newLinks is the list set gives: projects wChanged+1 .. wLinks+wChanged.
func newLinks() []int64 {
	out := make([]int64, 0, wLinks)
	for id := int64(wChanged + 1); id <= wLinks+wChanged; id++ {
		out = append(out, id)
	}
	return out
}

var setContenders = []struct {
	name string
	run  func(ctx context.Context, e *writeEnv, ids []int64) error
}{
	{"joinery", func(ctx context.Context, e *writeEnv, ids []int64) error {
		_, err := e.w.Assoc("wjUser", "projects").Set(write.Key(int64(1)), write.Keys(ids...)).Exec(ctx, e.db)
		return err
	}},
	{"hand", func(ctx context.Context, e *writeEnv, ids []int64) error {
		tx, err := e.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		rows, err := tx.QueryContext(ctx, `SELECT project_id FROM user_projects WHERE user_id = $1`, int64(1))
		if err != nil {
			return err
		}
		have := map[int64]bool{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			have[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		want := make(map[int64]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		var del, add []any
		for id := range have {
			if !want[id] {
				del = append(del, id)
			}
		}
		for _, id := range ids {
			if !have[id] {
				add = append(add, id)
			}
		}
		if len(del) > 0 {
			var b strings.Builder
			b.WriteString("DELETE FROM user_projects WHERE user_id = $1 AND project_id IN (")
			args := []any{int64(1)}
			for i, id := range del {
				if i > 0 {
					b.WriteString(", ")
				}
				args = append(args, id)
				b.WriteString("$" + strconv.Itoa(len(args)))
			}
			b.WriteString(")")
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return err
			}
		}
		if len(add) > 0 {
			var b strings.Builder
			b.WriteString("INSERT INTO user_projects (user_id, project_id) VALUES ")
			var args []any
			for i, id := range add {
				if i > 0 {
					b.WriteString(", ")
				}
				args = append(args, int64(1), id)
				b.WriteString("($" + strconv.Itoa(len(args)-1) + ", $" + strconv.Itoa(len(args)) + ")")
			}
			b.WriteString(" ON CONFLICT DO NOTHING")
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return err
			}
		}
		return tx.Commit()
	}},
}

// contents summarises the tables a contender wrote, to check they all write the same.
func (e *writeEnv) contents(tb testing.TB) string {
	tb.Helper()
	// fresh statistics: after a COPY the planner may otherwise nest loops over 30,000 rows
	if _, err := e.db.Exec(`ANALYZE users, posts, tags, post_tags, projects, user_projects`); err != nil {
		tb.Fatal(err)
	}
	var parts []string
	for _, q := range []string{
		`SELECT count(*) FROM users`,
		`SELECT count(*) FROM posts p JOIN users u ON u.id = p.user_id WHERE p.title LIKE 'post%'`,
		`SELECT count(*) FROM post_tags pt JOIN tags t ON t.id = pt.tag_id JOIN posts p ON p.id = pt.post_id JOIN users u ON u.id = p.user_id WHERE pt.added_by IS NULL OR pt.added_by = 'u' || substr(u.name, 5)`,
		`SELECT count(*) FROM post_tags WHERE added_by IS NULL`,
		`SELECT count(*) FROM tags`,
		`SELECT coalesce(string_agg(project_id::text, ',' ORDER BY project_id), '') FROM user_projects`,
	} {
		var v string
		if err := e.db.QueryRow(q).Scan(&v); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, " | ")
}

// TestWritesSameResult checks that every contender writes the same rows.
func TestWritesSameResult(t *testing.T) {
	e := openWriteEnv(t)
	ctx := context.Background()
	results := map[string]string{}
	for _, c := range createContenders {
		e.truncate(t)
		if err := c.run(ctx, e); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		results["create "+c.name] = e.contents(t)
	}
	for _, c := range setContenders {
		e.seedSet(t)
		if err := c.run(ctx, e, newLinks()); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		results["set "+c.name] = e.contents(t)
	}
	var keys []string
	for k := range results {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-14s %.120s", k, results[k])
	}
	want := fmt.Sprintf("%d | %d | %d | %d | %d | ", wUsers, wUsers*wPosts, wUsers*wPosts*wTags, wUsers*wPosts, wUsers*wPosts*wTags)
	for _, c := range createContenders {
		if got := results["create "+c.name]; got != want {
			t.Errorf("create %s wrote %q, want %q", c.name, got, want)
		}
	}
	for _, c := range setContenders {
		if got := results["set "+c.name]; got != results["set hand"] || !strings.Contains(got, ","+strconv.Itoa(wLinks+wChanged)) {
			t.Errorf("set %s wrote %.80q", c.name, got)
		}
	}
}

// BenchmarkWrites: nested create and set, the contenders alternating round by round.
func BenchmarkWrites(b *testing.B) {
	e := openWriteEnv(b)
	ctx := context.Background()
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	for r := 0; r < rounds; r++ {
		// the order rotates round by round, so no contender always follows the same one
		for k := range createContenders {
			c := createContenders[(k+r)%len(createContenders)]
			b.Run(fmt.Sprintf("NestedCreate/%s#%02d", c.name, r), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					e.truncate(b)
					b.StartTimer()
					if err := c.run(ctx, e); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		ids := newLinks()
		for k := range setContenders {
			c := setContenders[(k+r)%len(setContenders)]
			b.Run(fmt.Sprintf("Set/%s#%02d", c.name, r), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					e.seedSet(b)
					b.StartTimer()
					if err := c.run(ctx, e, ids); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
