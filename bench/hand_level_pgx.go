package bench

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// The hand-written query-per-level loaders on pgx's native API (a *pgxpool.Pool, no
// database/sql): each level selects the children of the keys already loaded with
// fk = ANY($1), the keys sent as one int8[] parameter, and pgx.ForEachRow scans every row
// straight into the fields of a typed local (a nullable column into a *string field: pgx sets
// it to nil or to a new string), which is then appended to its parent. No sql.Null*, no
// reflection of the caller's types, typed-key maps.
//
// hand-level-pgxnative sends one statement per level and waits for each (W1: 5 round trips).
// hand-levelbatch-pgxnative sends the root statement alone (its order and limit decide the
// keys) and then every deeper level in one pgx.Batch, each filtered by the root keys it already
// has, through a semi-join over the levels in between where it is deeper than one level
// (W1: 2 round trips). Neither runs in a transaction: like hand-level, the levels may see
// different snapshots under concurrent writes, which a read-only benchmark data set never has.

// pgxQuerier is what the loaders run on: *pgxpool.Pool, *pgxpool.Conn, *pgx.Conn, or
// recordingQuerier (cmd/explain).
type pgxQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Deeper levels filtered by the root user keys ($1, int8[]), for the batched loader.
const (
	batchTagsByUsers     = `SELECT pt.post_id, t.id, t.name, pt.added_by FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id IN (SELECT id FROM posts WHERE user_id = ANY($1))`
	batchCommentsByUsers = `SELECT id, post_id, author_id, body FROM comments WHERE post_id IN (SELECT id FROM posts WHERE user_id = ANY($1))`
	batchAuthorsByUsers  = `SELECT id, name, email FROM users WHERE id IN (SELECT c.author_id FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.user_id = ANY($1))`
)

func handLevelPgx(ctx context.Context, e *Env, w string) (any, error) {
	return levelPgx(ctx, e.Pool, w, false)
}

func handLevelBatchPgx(ctx context.Context, e *Env, w string) (any, error) {
	return levelPgx(ctx, e.Pool, w, true)
}

// levelPgx loads workload w one level at a time (batched: the levels under the roots in one
// batch).
func levelPgx(ctx context.Context, q pgxQuerier, w string, batched bool) (any, error) {
	switch w {
	case "W1":
		return levelPgxW1(ctx, q, batched, levelUsersW1, W1MaxUserID)
	case "W5":
		return levelPgxW1(ctx, q, batched, levelUsersW5, W1MaxUserID, W5Users)
	case "W2":
		// two levels: the authors need the posts' user ids either way
		rows, err := q.Query(ctx, levelPostsW2, W2Posts)
		if err != nil {
			return nil, err
		}
		posts, err := pgxPosts(rows)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, 0, 1024)
		seen := make(map[int64]struct{}, 1024)
		for i := range posts {
			if _, ok := seen[posts[i].UserID]; !ok {
				seen[posts[i].UserID] = struct{}{}
				ids = append(ids, posts[i].UserID)
			}
		}
		if rows, err = q.Query(ctx, levelUsersByID, ids); err != nil {
			return nil, err
		}
		authors, err := pgxUsersByID(rows, len(ids))
		if err != nil {
			return nil, err
		}
		for i := range posts {
			posts[i].Author = authors[posts[i].UserID]
		}
		return posts, nil
	case "W3", "W4":
		root, rootArg := levelUsersW3, any(HeavyUserID)
		if w == "W4" {
			root, rootArg = levelUsersW4, W4Users
		}
		users, ids, err := queryPgxUsers(ctx, q, root, rootArg)
		if err != nil {
			return nil, err
		}
		if w == "W4" || !batched {
			rows, err := q.Query(ctx, levelPosts, ids)
			if err != nil {
				return nil, err
			}
			posts, err := pgxPosts(rows)
			if err != nil {
				return nil, err
			}
			if w == "W3" {
				if rows, err = q.Query(ctx, levelTags, postIDs(posts)); err != nil {
					return nil, err
				}
				if err := pgxTags(rows, posts, initPostTags(posts)); err != nil {
					return nil, err
				}
			}
			attachPosts(users, posts)
			return users, nil
		}
		// W3 batched: posts and their tags, both by the user keys
		b := &pgx.Batch{}
		b.Queue(levelPosts, ids)
		b.Queue(batchTagsByUsers, ids)
		br := q.SendBatch(ctx, b)
		defer br.Close()
		rows, err := br.Query()
		if err != nil {
			return nil, err
		}
		posts, err := pgxPosts(rows)
		if err != nil {
			return nil, err
		}
		if rows, err = br.Query(); err != nil {
			return nil, err
		}
		if err := pgxTags(rows, posts, initPostTags(posts)); err != nil {
			return nil, err
		}
		if err := br.Close(); err != nil {
			return nil, err
		}
		attachPosts(users, posts)
		return users, nil
	}
	return nil, unknown(w)
}

// levelPgxW1 loads W1 (or W5, with a limited root query): 5 round trips, or 2 batched.
func levelPgxW1(ctx context.Context, q pgxQuerier, batched bool, rootQuery string, args ...any) ([]User, error) {
	users, ids, err := queryPgxUsers(ctx, q, rootQuery, args...)
	if err != nil {
		return nil, err
	}
	var (
		posts   []Post
		authors map[int64]*User
	)
	if batched {
		b := &pgx.Batch{}
		b.Queue(levelPosts, ids)
		b.Queue(batchTagsByUsers, ids)
		b.Queue(batchCommentsByUsers, ids)
		b.Queue(batchAuthorsByUsers, ids)
		br := q.SendBatch(ctx, b)
		defer br.Close()
		rows, err := br.Query()
		if err != nil {
			return nil, err
		}
		if posts, err = pgxPosts(rows); err != nil {
			return nil, err
		}
		pidx := initPostChildren(posts)
		if rows, err = br.Query(); err != nil {
			return nil, err
		}
		if err := pgxTags(rows, posts, pidx); err != nil {
			return nil, err
		}
		if rows, err = br.Query(); err != nil {
			return nil, err
		}
		if _, err := pgxComments(rows, posts, pidx); err != nil {
			return nil, err
		}
		if rows, err = br.Query(); err != nil {
			return nil, err
		}
		if authors, err = pgxUsersByID(rows, 1024); err != nil {
			return nil, err
		}
		if err := br.Close(); err != nil {
			return nil, err
		}
	} else {
		rows, err := q.Query(ctx, levelPosts, ids)
		if err != nil {
			return nil, err
		}
		if posts, err = pgxPosts(rows); err != nil {
			return nil, err
		}
		pidx := initPostChildren(posts)
		pids := postIDs(posts)
		if rows, err = q.Query(ctx, levelTags, pids); err != nil {
			return nil, err
		}
		if err := pgxTags(rows, posts, pidx); err != nil {
			return nil, err
		}
		if rows, err = q.Query(ctx, levelComments, pids); err != nil {
			return nil, err
		}
		authorIDs, err := pgxComments(rows, posts, pidx)
		if err != nil {
			return nil, err
		}
		if rows, err = q.Query(ctx, levelUsersByID, authorIDs); err != nil {
			return nil, err
		}
		if authors, err = pgxUsersByID(rows, len(authorIDs)); err != nil {
			return nil, err
		}
	}
	for i := range posts {
		cs := posts[i].Comments
		for j := range cs {
			cs[j].Author = authors[cs[j].AuthorID]
		}
	}
	attachPosts(users, posts)
	return users, nil
}

// initPostChildren gives every post empty (non-nil) Tags and Comments and returns the index
// of each post by id.
func initPostChildren(posts []Post) map[int64]int32 {
	for i := range posts {
		posts[i].Tags = []Tag{}
		posts[i].Comments = []Comment{}
	}
	return postIndex(posts)
}

// initPostTags gives every post empty (non-nil) Tags and returns the index of each post by id.
func initPostTags(posts []Post) map[int64]int32 {
	for i := range posts {
		posts[i].Tags = []Tag{}
	}
	return postIndex(posts)
}

// queryPgxUsers runs a users query; it returns the users (Posts empty, non-nil) and their ids.
func queryPgxUsers(ctx context.Context, q pgxQuerier, query string, args ...any) ([]User, []int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	users := []User{}
	var ids []int64
	var u User
	_, err = pgx.ForEachRow(rows, []any{&u.ID, &u.Name, &u.Email}, func() error {
		users = append(users, User{ID: u.ID, Name: u.Name, Email: u.Email, Posts: []Post{}})
		ids = append(ids, u.ID)
		return nil
	})
	return users, ids, err
}

// pgxUsersByID reads users into a map by id (one *User per id, shared by whoever points at it).
func pgxUsersByID(rows pgx.Rows, hint int) (map[int64]*User, error) {
	out := make(map[int64]*User, hint)
	var u User
	_, err := pgx.ForEachRow(rows, []any{&u.ID, &u.Name, &u.Email}, func() error {
		out[u.ID] = &User{ID: u.ID, Name: u.Name, Email: u.Email}
		return nil
	})
	return out, err
}

func pgxPosts(rows pgx.Rows) ([]Post, error) {
	posts := []Post{}
	var p Post
	_, err := pgx.ForEachRow(rows, []any{&p.ID, &p.UserID, &p.Title, &p.Body}, func() error {
		posts = append(posts, p)
		return nil
	})
	return posts, err
}

// pgxTags appends each tag row (post_id, id, name, added_by) to its post's Tags.
func pgxTags(rows pgx.Rows, posts []Post, pidx map[int64]int32) error {
	var postID int64
	var t Tag
	_, err := pgx.ForEachRow(rows, []any{&postID, &t.ID, &t.Name, &t.AddedBy}, func() error {
		p := &posts[pidx[postID]]
		p.Tags = append(p.Tags, t)
		return nil
	})
	return err
}

// pgxComments appends each comment row to its post's Comments and returns the distinct
// author ids in order of first appearance.
func pgxComments(rows pgx.Rows, posts []Post, pidx map[int64]int32) ([]int64, error) {
	var authorIDs []int64
	seen := make(map[int64]struct{}, 1024)
	var c Comment
	_, err := pgx.ForEachRow(rows, []any{&c.ID, &c.PostID, &c.AuthorID, &c.Body}, func() error {
		if _, ok := seen[c.AuthorID]; !ok {
			seen[c.AuthorID] = struct{}{}
			authorIDs = append(authorIDs, c.AuthorID)
		}
		p := &posts[pidx[c.PostID]]
		p.Comments = append(p.Comments, c)
		return nil
	})
	return authorIDs, err
}
