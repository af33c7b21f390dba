package bench

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The data set (issue 6). IDs are dense from 1; the heavy user is the last user.
const (
	NormalUsers     = 1000
	PostsPerUser    = 10
	HeavyUserID     = NormalUsers + 1
	HeavyPosts      = 2000
	TagsPerPost     = 3
	CommentsPerPost = 5 // normal users' posts; the heavy user's posts have none
	NumTags         = 50
	NumProjects     = 50
	MembershipsPer  = 2
	Seed            = 20240601
)

// DDL creates the tables and an index on every foreign key (post_tags.post_id and
// user_projects.user_id are the leading columns of their primary keys).
var DDL = []string{
	`DROP TABLE IF EXISTS user_projects, projects, post_tags, tags, comments, posts, users`,
	`CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT NOT NULL, email TEXT)`,
	`CREATE TABLE posts (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users (id), title TEXT NOT NULL, body TEXT NOT NULL)`,
	`CREATE TABLE comments (id BIGINT PRIMARY KEY, post_id BIGINT NOT NULL REFERENCES posts (id), author_id BIGINT NOT NULL REFERENCES users (id), body TEXT NOT NULL)`,
	`CREATE TABLE tags (id BIGINT PRIMARY KEY, name TEXT NOT NULL)`,
	`CREATE TABLE post_tags (post_id BIGINT NOT NULL REFERENCES posts (id), tag_id BIGINT NOT NULL REFERENCES tags (id), added_by TEXT, PRIMARY KEY (post_id, tag_id))`,
	`CREATE TABLE projects (id BIGINT PRIMARY KEY, name TEXT NOT NULL)`,
	`CREATE TABLE user_projects (user_id BIGINT NOT NULL REFERENCES users (id), project_id BIGINT NOT NULL REFERENCES projects (id), role TEXT NOT NULL, PRIMARY KEY (user_id, project_id))`,
}

// Indexes are created after the COPY.
var Indexes = []string{
	`CREATE INDEX posts_user_id ON posts (user_id)`,
	`CREATE INDEX comments_post_id ON comments (post_id)`,
	`CREATE INDEX comments_author_id ON comments (author_id)`,
	`CREATE INDEX post_tags_tag_id ON post_tags (tag_id)`,
	`CREATE INDEX user_projects_project_id ON user_projects (project_id)`,
}

var (
	firstNames = strings.Fields("ada alan barbara claude donald edsger frances grace guido hedy ida john ken linus margaret niklaus radia rob robin tim tony valerie whitfield yukihiro")
	lastNames  = strings.Fields("allen backus codd dijkstra engelbart floyd gosling hamilton hoare hopper kay kernighan knuth lamport liskov mccarthy perlman pike ritchie stroustrup thompson torvalds wirth")
	words      = strings.Fields("query join index plan row column table schema tuple page buffer cache lock commit vacuum scan hash merge nested loop sort limit offset cursor batch stream select insert update delete union lateral array json")
)

func text(r *rand.Rand, min, max int) string {
	n := min + r.Intn(max-min+1)
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.Intn(len(words))])
	}
	return b.String()[:n]
}

// Stats says what Generate wrote.
type Stats struct {
	Users, Posts, Comments, Tags, PostTags, Projects, Memberships int
	Took                                                          time.Duration
}

// Generate drops and recreates the tables and fills them with the fixed-seed data set, using
// COPY. It ends with VACUUM ANALYZE so plans and index-only scans are stable.
func Generate(ctx context.Context, conn *pgx.Conn) (Stats, error) {
	start := time.Now()
	var st Stats
	r := rand.New(rand.NewSource(Seed))
	for _, s := range DDL {
		if _, err := conn.Exec(ctx, s); err != nil {
			return st, fmt.Errorf("%s: %w", s, err)
		}
	}

	// users
	names := make([]string, HeavyUserID+1)
	var users [][]any
	for id := 1; id <= HeavyUserID; id++ {
		name := firstNames[r.Intn(len(firstNames))] + " " + lastNames[r.Intn(len(lastNames))]
		names[id] = name
		var email any
		if r.Intn(5) != 0 {
			email = fmt.Sprintf("%s.%d@example.com", strings.ReplaceAll(name, " ", "."), id)
		}
		users = append(users, []any{int64(id), name, email})
	}

	// posts: each normal user has PostsPerUser, the heavy user HeavyPosts; ids are assigned
	// in shuffled order so a user's posts are spread over the table, as they would be.
	var owners []int64
	for id := 1; id <= NormalUsers; id++ {
		for i := 0; i < PostsPerUser; i++ {
			owners = append(owners, int64(id))
		}
	}
	for i := 0; i < HeavyPosts; i++ {
		owners = append(owners, HeavyUserID)
	}
	r.Shuffle(len(owners), func(i, j int) { owners[i], owners[j] = owners[j], owners[i] })
	var posts, postTags, comments [][]any
	for i, owner := range owners {
		pid := int64(i + 1)
		posts = append(posts, []any{pid, owner, text(r, 20, 60), text(r, 100, 300)})
		for _, t := range r.Perm(NumTags)[:TagsPerPost] {
			var by any
			if r.Intn(4) != 0 {
				by = names[1+r.Intn(NormalUsers)]
			}
			postTags = append(postTags, []any{pid, int64(t + 1), by})
		}
		if owner != HeavyUserID {
			for c := 0; c < CommentsPerPost; c++ {
				comments = append(comments, []any{pid, int64(1 + r.Intn(NormalUsers)), text(r, 50, 150)})
			}
		}
	}
	r.Shuffle(len(comments), func(i, j int) { comments[i], comments[j] = comments[j], comments[i] })
	for i := range comments {
		comments[i] = append([]any{int64(i + 1)}, comments[i]...)
	}
	var tags [][]any
	for id := 1; id <= NumTags; id++ {
		tags = append(tags, []any{int64(id), fmt.Sprintf("%s-%d", words[r.Intn(len(words))], id)})
	}
	var projects, members [][]any
	for id := 1; id <= NumProjects; id++ {
		projects = append(projects, []any{int64(id), "project " + text(r, 5, 20)})
	}
	roles := []string{"owner", "member", "reviewer"}
	for id := 1; id <= HeavyUserID; id++ {
		for _, p := range r.Perm(NumProjects)[:MembershipsPer] {
			members = append(members, []any{int64(id), int64(p + 1), roles[r.Intn(len(roles))]})
		}
	}

	copies := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"users", []string{"id", "name", "email"}, users},
		{"posts", []string{"id", "user_id", "title", "body"}, posts},
		{"tags", []string{"id", "name"}, tags},
		{"post_tags", []string{"post_id", "tag_id", "added_by"}, postTags},
		{"comments", []string{"id", "post_id", "author_id", "body"}, comments},
		{"projects", []string{"id", "name"}, projects},
		{"user_projects", []string{"user_id", "project_id", "role"}, members},
	}
	for _, c := range copies {
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return st, fmt.Errorf("copy %s: %w", c.table, err)
		}
	}
	for _, s := range Indexes {
		if _, err := conn.Exec(ctx, s); err != nil {
			return st, fmt.Errorf("%s: %w", s, err)
		}
	}
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return st, fmt.Errorf("vacuum analyze: %w", err)
	}
	st = Stats{Users: len(users), Posts: len(posts), Comments: len(comments), Tags: len(tags),
		PostTags: len(postTags), Projects: len(projects), Memberships: len(members), Took: time.Since(start)}
	return st, nil
}
