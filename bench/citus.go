package bench

import (
	"context"
	"fmt"
	"math/rand"
	"net/url"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// The multi-tenant data set of the Citus benchmark (citus_test.go): W1's 1,000 users, 10,000
// posts, 30,000 post tags and 50,000 comments, spread over TenantCount tenants of 100 users
// each, every table but tags carrying tenant_id and keyed by (tenant_id, id). Ids are unique
// over all tenants (one sequence per table, as a distributed application assigns them) and
// assigned in shuffled order, so neither a tenant's rows nor a user's posts are contiguous.
const (
	TenantCount    = 10
	TenantUsers    = NormalUsers / TenantCount
	TenantSeed     = Seed + 17
	TenantSchema   = "bench_citus" // the PostgreSQL schema the data lives in, on both servers
	TenantColumn   = "tenant_id"
	tenantVersion  = "bench_citus v1" // the loaded-data marker: change it when the data changes
	tenantRefTable = "tags"
)

// TenantDDL creates the tables, without foreign keys (TenantForeignKeys, added once the
// tables are distributed and loaded) and without secondary indexes (TenantIndexes).
var TenantDDL = []string{
	`CREATE TABLE users (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, name TEXT NOT NULL, email TEXT, PRIMARY KEY (tenant_id, id))`,
	`CREATE TABLE posts (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, user_id BIGINT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (tenant_id, id))`,
	`CREATE TABLE comments (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, post_id BIGINT NOT NULL, author_id BIGINT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (tenant_id, id))`,
	`CREATE TABLE tags (id BIGINT PRIMARY KEY, name TEXT NOT NULL)`,
	`CREATE TABLE post_tags (tenant_id BIGINT NOT NULL, post_id BIGINT NOT NULL, tag_id BIGINT NOT NULL, added_by TEXT, PRIMARY KEY (tenant_id, post_id, tag_id))`,
}

// TenantDistributed are the tables distributed by tenant_id on Citus, co-located with the
// first; tags is a reference table (a copy on every node).
var TenantDistributed = []string{"users", "posts", "comments", "post_tags"}

// TenantForeignKeys pair the tenant column with itself, so that on Citus every key stays
// within a shard group (post_tags -> tags refers to the reference table).
var TenantForeignKeys = []string{
	`ALTER TABLE posts ADD FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)`,
	`ALTER TABLE comments ADD FOREIGN KEY (tenant_id, post_id) REFERENCES posts (tenant_id, id)`,
	`ALTER TABLE comments ADD FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id)`,
	`ALTER TABLE post_tags ADD FOREIGN KEY (tenant_id, post_id) REFERENCES posts (tenant_id, id)`,
	`ALTER TABLE post_tags ADD FOREIGN KEY (tag_id) REFERENCES tags (id)`,
}

// TenantIndexes index every foreign key (post_tags' post key is its primary key's prefix).
var TenantIndexes = []string{
	`CREATE INDEX posts_user_id ON posts (tenant_id, user_id)`,
	`CREATE INDEX comments_post_id ON comments (tenant_id, post_id)`,
	`CREATE INDEX comments_author_id ON comments (tenant_id, author_id)`,
	`CREATE INDEX post_tags_tag_id ON post_tags (tag_id)`,
}

// TenantData is the generated data set, kept in memory to load it and to build the result
// a query must return (Expected).
type TenantData struct {
	Users    []tUser
	Posts    []tPost
	Comments []tComment
	PostTags []tPostTag
	Tags     []Tag
}

type tUser struct {
	Tenant, ID int64
	Name       string
	Email      *string
}

type tPost struct {
	Tenant, ID, UserID int64
	Title, Body        string
}

type tComment struct {
	Tenant, ID, PostID, AuthorID int64
	Body                         string
}

type tPostTag struct {
	Tenant, PostID, TagID int64
	AddedBy               *string
}

// GenerateTenants builds the data set from TenantSeed.
func GenerateTenants() *TenantData {
	r := rand.New(rand.NewSource(TenantSeed))
	d := &TenantData{}
	// users 1..1000, 100 per tenant, the tenants shuffled over the ids
	tenantOf := make([]int64, NormalUsers+1)
	for i, id := range r.Perm(NormalUsers) {
		tenantOf[id+1] = int64(i/TenantUsers + 1)
	}
	byTenant := map[int64][]int64{}
	for id := int64(1); id <= NormalUsers; id++ {
		name := firstNames[r.Intn(len(firstNames))] + " " + lastNames[r.Intn(len(lastNames))]
		var email *string
		if r.Intn(5) != 0 {
			e := fmt.Sprintf("user.%d@example.com", id)
			email = &e
		}
		d.Users = append(d.Users, tUser{Tenant: tenantOf[id], ID: id, Name: name, Email: email})
		byTenant[tenantOf[id]] = append(byTenant[tenantOf[id]], id)
	}
	for id := 1; id <= NumTags; id++ {
		d.Tags = append(d.Tags, Tag{ID: int64(id), Name: fmt.Sprintf("%s-%d", words[r.Intn(len(words))], id)})
	}
	var owners []int64
	for id := int64(1); id <= NormalUsers; id++ {
		for range PostsPerUser {
			owners = append(owners, id)
		}
	}
	r.Shuffle(len(owners), func(i, j int) { owners[i], owners[j] = owners[j], owners[i] })
	for i, owner := range owners {
		t := tenantOf[owner]
		pid := int64(i + 1)
		d.Posts = append(d.Posts, tPost{Tenant: t, ID: pid, UserID: owner, Title: text(r, 20, 60), Body: text(r, 100, 300)})
		for _, tag := range r.Perm(NumTags)[:TagsPerPost] {
			var by *string
			if r.Intn(4) != 0 {
				name := d.Users[byTenant[t][r.Intn(TenantUsers)]-1].Name
				by = &name
			}
			d.PostTags = append(d.PostTags, tPostTag{Tenant: t, PostID: pid, TagID: int64(tag + 1), AddedBy: by})
		}
		for range CommentsPerPost {
			author := byTenant[t][r.Intn(TenantUsers)]
			d.Comments = append(d.Comments, tComment{Tenant: t, PostID: pid, AuthorID: author, Body: text(r, 50, 150)})
		}
	}
	r.Shuffle(len(d.Comments), func(i, j int) { d.Comments[i], d.Comments[j] = d.Comments[j], d.Comments[i] })
	for i := range d.Comments {
		d.Comments[i].ID = int64(i + 1)
	}
	return d
}

// Expected is the nested result of the W1-like tree for tenant (0: every tenant), built from
// the generated rows: users by id, every included list by id (as Normalize sorts them).
func (d *TenantData) Expected(tenant int64) []User {
	tags := map[int64]Tag{}
	for _, t := range d.Tags {
		tags[t.ID] = t
	}
	users := map[int64]*tUser{}
	for i := range d.Users {
		users[d.Users[i].ID] = &d.Users[i]
	}
	author := func(id int64) *User {
		u := users[id]
		return &User{ID: u.ID, Name: u.Name, Email: u.Email}
	}
	posts := map[int64]*Post{}
	byUser := map[int64][]*Post{}
	for _, p := range d.Posts {
		if tenant != 0 && p.Tenant != tenant {
			continue
		}
		np := &Post{ID: p.ID, UserID: p.UserID, Title: p.Title, Body: p.Body}
		posts[p.ID] = np
		byUser[p.UserID] = append(byUser[p.UserID], np)
	}
	for _, pt := range d.PostTags {
		if p := posts[pt.PostID]; p != nil {
			t := tags[pt.TagID]
			t.AddedBy = pt.AddedBy
			p.Tags = append(p.Tags, t)
		}
	}
	for _, c := range d.Comments {
		if p := posts[c.PostID]; p != nil {
			p.Comments = append(p.Comments, Comment{ID: c.ID, PostID: c.PostID, AuthorID: c.AuthorID, Body: c.Body, Author: author(c.AuthorID)})
		}
	}
	var out []User
	for _, u := range d.Users {
		if tenant != 0 && u.Tenant != tenant {
			continue
		}
		nu := User{ID: u.ID, Name: u.Name, Email: u.Email}
		for _, p := range byUser[u.ID] {
			nu.Posts = append(nu.Posts, *p)
		}
		out = append(out, nu)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return Normalize(out, true).([]User)
}

// LoadTenants creates TenantSchema on the server conn is connected to and loads d into it
// with COPY, unless the schema already holds this data set (a marker table). distributed:
// the server is a Citus coordinator, and the tables are distributed by tenant_id (co-located)
// and tags made a reference table before the load. It reports whether it loaded.
func LoadTenants(ctx context.Context, conn *pgx.Conn, d *TenantData, distributed bool) (bool, error) {
	var version string
	err := conn.QueryRow(ctx, `SELECT version FROM `+TenantSchema+`.loaded`).Scan(&version)
	if err == nil && version == tenantVersion {
		return false, nil
	}
	exec := func(stmts ...string) error {
		for _, s := range stmts {
			if _, err := conn.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	}
	if err := exec(`DROP SCHEMA IF EXISTS `+TenantSchema+` CASCADE`, `CREATE SCHEMA `+TenantSchema,
		`SET search_path TO `+TenantSchema); err != nil {
		return false, err
	}
	if err := exec(TenantDDL...); err != nil {
		return false, err
	}
	if distributed {
		if err := exec(`SELECT create_reference_table('` + tenantRefTable + `')`); err != nil {
			return false, err
		}
		for i, t := range TenantDistributed {
			with := "default"
			if i > 0 {
				with = TenantDistributed[0]
			}
			if err := exec(`SELECT create_distributed_table('` + t + `', '` + TenantColumn + `', colocate_with => '` + with + `')`); err != nil {
				return false, err
			}
		}
	}
	rows := func(n int, row func(i int) []any) [][]any {
		out := make([][]any, n)
		for i := range out {
			out[i] = row(i)
		}
		return out
	}
	copies := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"users", []string{"tenant_id", "id", "name", "email"}, rows(len(d.Users), func(i int) []any {
			u := d.Users[i]
			return []any{u.Tenant, u.ID, u.Name, u.Email}
		})},
		{"tags", []string{"id", "name"}, rows(len(d.Tags), func(i int) []any { return []any{d.Tags[i].ID, d.Tags[i].Name} })},
		{"posts", []string{"tenant_id", "id", "user_id", "title", "body"}, rows(len(d.Posts), func(i int) []any {
			p := d.Posts[i]
			return []any{p.Tenant, p.ID, p.UserID, p.Title, p.Body}
		})},
		{"post_tags", []string{"tenant_id", "post_id", "tag_id", "added_by"}, rows(len(d.PostTags), func(i int) []any {
			pt := d.PostTags[i]
			return []any{pt.Tenant, pt.PostID, pt.TagID, pt.AddedBy}
		})},
		{"comments", []string{"tenant_id", "id", "post_id", "author_id", "body"}, rows(len(d.Comments), func(i int) []any {
			c := d.Comments[i]
			return []any{c.Tenant, c.ID, c.PostID, c.AuthorID, c.Body}
		})},
	}
	for _, c := range copies {
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{TenantSchema, c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return false, fmt.Errorf("copy %s: %w", c.table, err)
		}
	}
	if err := exec(TenantIndexes...); err != nil {
		return false, err
	}
	if err := exec(TenantForeignKeys...); err != nil {
		return false, err
	}
	if err := exec(`VACUUM ANALYZE users, posts, comments, tags, post_tags`); err != nil {
		return false, err
	}
	if err := exec(`CREATE TABLE loaded (version TEXT NOT NULL)`); err != nil {
		return false, err
	}
	if _, err := conn.Exec(ctx, `INSERT INTO loaded (version) VALUES ($1)`, tenantVersion); err != nil {
		return false, fmt.Errorf("mark %s loaded: %w", TenantSchema, err)
	}
	return true, nil
}

// TenantDSN is dsn (a postgres:// URL) with TenantSchema as the search path.
func TenantDSN(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("parse DSN: %w", err)
	}
	q := u.Query()
	q.Set("search_path", TenantSchema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// NewTenantSchema is the bench schema in the multi-tenant layout: every model carries
// tenant_id (a hidden attribute: the shared result types have no field for it) except Tag,
// whose table is shared by all tenants.
func NewTenantSchema() (*include.Schema, error) {
	return NewSchema(include.Tenant(TenantColumn, "Tag"))
}

// TenantScope says which roots a Citus benchmark query loads.
type TenantScope string

const (
	OneTenant  TenantScope = "one-tenant"  // Tenant(t): one tenant's 100 users and their tree
	AllTenants TenantScope = "all-tenants" // no tenant filter: all 1,000 users
)

// TenantQuery is the W1-like tree (users -> posts -> {tags + post_tags.added_by, comments ->
// author}) in dialect d, held to the tenant bound as "tenant" under OneTenant, with a
// statement shape ("" is joinery's default): built once, bound per run (TenantBind).
func TenantQuery(s *include.Schema, d dialects.Dialect, scope TenantScope, shape string) joinery.Q[User] {
	q := joinery.Query[User](s, d).Include(w1Tree())
	if scope == OneTenant {
		q = q.Tenant(joinery.Param("tenant"))
	}
	return applyShape(q, shape)
}

// TenantBind binds tenant to a TenantQuery of scope.
func TenantBind(q joinery.Q[User], scope TenantScope, tenant int64) joinery.Q[User] {
	if scope != OneTenant {
		return q
	}
	return q.Bind(map[string]any{"tenant": tenant})
}
