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
// database/sql; typed-key maps.
//
// hand-level-pgxnative sends one statement per level and waits for each (W1: 5 round trips).
// hand-levelbatch-pgxnative sends the same statements with the same key arrays, but every
// statement whose keys are already in hand goes out in one pgx.Batch with the others that are:
// siblings under the same parent (W1, W5: the tags and the comments of the posts), and a level
// whose parent keys are the root filter's own argument (W3: the posts of user $1, sent with
// the user). W1 and W5 take 4 round trips, W3 2; W2 and W4 have nothing to pipeline (2 round
// trips either way). Neither runs in a transaction: like hand-level, the levels may see
// different snapshots under concurrent writes, which the read-only benchmark data never has.

// pgxQuerier is what the loaders run on: *pgxpool.Pool, *pgxpool.Conn, *pgx.Conn, or
// recordingQuerier (cmd/explain).
type pgxQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

func handLevelPgx(ctx context.Context, e *Env, w string) (any, error) {
	return levelPgx(ctx, e.Pool, w, false)
}

func handLevelBatchPgx(ctx context.Context, e *Env, w string) (any, error) {
	return levelPgx(ctx, e.Pool, w, true)
}

// levelPgx loads workload w one level at a time (batched: the statements whose keys are in
// hand together).
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
	case "W3":
		var users []User
		var posts []Post
		if batched {
			// the posts' parent key is the root filter's argument: both levels in one batch
			b := &pgx.Batch{}
			b.Queue(levelUsersW3, HeavyUserID)
			b.Queue(levelPosts, []int64{HeavyUserID})
			br := q.SendBatch(ctx, b)
			defer br.Close()
			rows, err := br.Query()
			if err != nil {
				return nil, err
			}
			if users, _, err = pgxUsers(rows); err != nil {
				return nil, err
			}
			if rows, err = br.Query(); err != nil {
				return nil, err
			}
			if posts, err = pgxPosts(rows); err != nil {
				return nil, err
			}
			if err := br.Close(); err != nil {
				return nil, err
			}
		} else {
			var ids []int64
			var err error
			if users, ids, err = queryPgxUsers(ctx, q, levelUsersW3, HeavyUserID); err != nil {
				return nil, err
			}
			rows, err := q.Query(ctx, levelPosts, ids)
			if err != nil {
				return nil, err
			}
			if posts, err = pgxPosts(rows); err != nil {
				return nil, err
			}
		}
		rows, err := q.Query(ctx, levelTags, postIDs(posts))
		if err != nil {
			return nil, err
		}
		if err := pgxTags(rows, posts, initPostTags(posts)); err != nil {
			return nil, err
		}
		attachPosts(users, posts)
		return users, nil
	case "W4":
		users, ids, err := queryPgxUsers(ctx, q, levelUsersW4, W4Users)
		if err != nil {
			return nil, err
		}
		rows, err := q.Query(ctx, levelPosts, ids)
		if err != nil {
			return nil, err
		}
		posts, err := pgxPosts(rows)
		if err != nil {
			return nil, err
		}
		attachPosts(users, posts)
		return users, nil
	}
	return nil, unknown(w)
}

// levelPgxW1 loads W1 (or W5, with a limited root query): 5 round trips, or 4 batched (the
// tags and the comments of the posts together).
func levelPgxW1(ctx context.Context, q pgxQuerier, batched bool, rootQuery string, args ...any) ([]User, error) {
	users, ids, err := queryPgxUsers(ctx, q, rootQuery, args...)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, levelPosts, ids)
	if err != nil {
		return nil, err
	}
	posts, err := pgxPosts(rows)
	if err != nil {
		return nil, err
	}
	pidx := initPostChildren(posts)
	pids := postIDs(posts)
	var authorIDs []int64
	if batched {
		b := &pgx.Batch{}
		b.Queue(levelTags, pids)
		b.Queue(levelComments, pids)
		br := q.SendBatch(ctx, b)
		defer br.Close()
		rows, err := br.Query()
		if err != nil {
			return nil, err
		}
		if err := pgxTags(rows, posts, pidx); err != nil {
			return nil, err
		}
		if rows, err = br.Query(); err != nil {
			return nil, err
		}
		if authorIDs, err = pgxComments(rows, posts, pidx); err != nil {
			return nil, err
		}
		if err := br.Close(); err != nil {
			return nil, err
		}
	} else {
		if rows, err = q.Query(ctx, levelTags, pids); err != nil {
			return nil, err
		}
		if err := pgxTags(rows, posts, pidx); err != nil {
			return nil, err
		}
		if rows, err = q.Query(ctx, levelComments, pids); err != nil {
			return nil, err
		}
		if authorIDs, err = pgxComments(rows, posts, pidx); err != nil {
			return nil, err
		}
	}
	if rows, err = q.Query(ctx, levelUsersByID, authorIDs); err != nil {
		return nil, err
	}
	authors, err := pgxUsersByID(rows, len(authorIDs))
	if err != nil {
		return nil, err
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
	return pgxUsers(rows)
}

// pgxUsers reads users (Posts empty, non-nil) and their ids.
func pgxUsers(rows pgx.Rows) ([]User, []int64, error) {
	users := []User{}
	var ids []int64
	var u User
	_, err := pgx.ForEachRow(rows, []any{&u.ID, &u.Name, &u.Email}, func() error {
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
