package bench

import (
	"context"
	"database/sql"
)

// The hand-written loader that runs one query per level: each level selects the children of
// the previous level's keys with fk = ANY($1) (an int8[] argument, so the statement text and
// its prepared statement are the same for any number of keys), and the levels are assembled
// bottom-up in Go with typed-key maps.

const (
	levelUsersW1   = `SELECT id, name, email FROM users WHERE id <= $1`
	levelUsersW3   = `SELECT id, name, email FROM users WHERE id = $1`
	levelUsersW4   = `SELECT id, name, email FROM users ORDER BY name, id LIMIT $1`
	levelUsersW5   = `SELECT id, name, email FROM users WHERE id <= $1 ORDER BY name, id LIMIT $2`
	levelUsersByID = `SELECT id, name, email FROM users WHERE id = ANY($1)`
	levelPostsW2   = `SELECT id, user_id, title, body FROM posts ORDER BY id LIMIT $1`
	levelPosts     = `SELECT id, user_id, title, body FROM posts WHERE user_id = ANY($1)`
	levelTags      = `SELECT pt.post_id, t.id, t.name, pt.added_by FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = ANY($1)`
	levelComments  = `SELECT id, post_id, author_id, body FROM comments WHERE post_id = ANY($1)`
)

func handLevel(ctx context.Context, e *Env, w string) (any, error) {
	db := e.PGX
	switch w {
	case "W1":
		return levelW1(ctx, db, levelUsersW1, W1MaxUserID)
	case "W5":
		return levelW1(ctx, db, levelUsersW5, W1MaxUserID, W5Users)
	case "W2":
		posts, err := queryPosts(ctx, db, levelPostsW2, W2Posts)
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
		authors, err := usersByID(ctx, db, ids)
		if err != nil {
			return nil, err
		}
		for i := range posts {
			posts[i].Author = authors[posts[i].UserID]
		}
		return posts, nil
	case "W3":
		users, ids, err := queryUsers(ctx, db, levelUsersW3, HeavyUserID)
		if err != nil {
			return nil, err
		}
		posts, err := queryPosts(ctx, db, levelPosts, ids)
		if err != nil {
			return nil, err
		}
		if err := attachTags(ctx, db, posts); err != nil {
			return nil, err
		}
		attachPosts(users, posts)
		return users, nil
	case "W4":
		users, ids, err := queryUsers(ctx, db, levelUsersW4, W4Users)
		if err != nil {
			return nil, err
		}
		posts, err := queryPosts(ctx, db, levelPosts, ids)
		if err != nil {
			return nil, err
		}
		attachPosts(users, posts)
		return users, nil
	}
	return nil, unknown(w)
}

// levelW1 loads W1 (or W5, with a limited root query) in five queries.
func levelW1(ctx context.Context, db *sql.DB, rootQuery string, args ...any) ([]User, error) {
	users, ids, err := queryUsers(ctx, db, rootQuery, args...)
	if err != nil {
		return nil, err
	}
	posts, err := queryPosts(ctx, db, levelPosts, ids)
	if err != nil {
		return nil, err
	}
	for i := range posts {
		posts[i].Comments = []Comment{}
	}
	if err := attachTags(ctx, db, posts); err != nil {
		return nil, err
	}
	pidx := postIndex(posts)
	rows, err := db.QueryContext(ctx, levelComments, postIDs(posts))
	if err != nil {
		return nil, err
	}
	var authorIDs []int64
	seen := map[int64]struct{}{}
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.ID, &c.PostID, &c.AuthorID, &c.Body); err != nil {
			rows.Close()
			return nil, err
		}
		if _, ok := seen[c.AuthorID]; !ok {
			seen[c.AuthorID] = struct{}{}
			authorIDs = append(authorIDs, c.AuthorID)
		}
		p := &posts[pidx[c.PostID]]
		p.Comments = append(p.Comments, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	authors, err := usersByID(ctx, db, authorIDs)
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

// queryUsers runs a users query; it returns the users (Posts empty, non-nil) and their ids.
func queryUsers(ctx context.Context, db *sql.DB, query string, args ...any) ([]User, []int64, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	users := []User{}
	var ids []int64
	for rows.Next() {
		var u User
		var email sql.NullString
		if err := rows.Scan(&u.ID, &u.Name, &email); err != nil {
			return nil, nil, err
		}
		u.Email = strPtr(email)
		u.Posts = []Post{}
		users = append(users, u)
		ids = append(ids, u.ID)
	}
	return users, ids, rows.Err()
}

// usersByID loads users by id into a map (one User per id, shared by whoever points at it).
func usersByID(ctx context.Context, db *sql.DB, ids []int64) (map[int64]*User, error) {
	rows, err := db.QueryContext(ctx, levelUsersByID, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]*User, len(ids))
	for rows.Next() {
		u := &User{}
		var email sql.NullString
		if err := rows.Scan(&u.ID, &u.Name, &email); err != nil {
			return nil, err
		}
		u.Email = strPtr(email)
		out[u.ID] = u
	}
	return out, rows.Err()
}

func queryPosts(ctx context.Context, db *sql.DB, query string, args ...any) ([]Post, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	posts := []Post{}
	for rows.Next() {
		var p Post
		if err := rows.Scan(&p.ID, &p.UserID, &p.Title, &p.Body); err != nil {
			return nil, err
		}
		posts = append(posts, p)
	}
	return posts, rows.Err()
}

func postIndex(posts []Post) map[int64]int32 {
	m := make(map[int64]int32, len(posts))
	for i := range posts {
		m[posts[i].ID] = int32(i)
	}
	return m
}

func postIDs(posts []Post) []int64 {
	ids := make([]int64, len(posts))
	for i := range posts {
		ids[i] = posts[i].ID
	}
	return ids
}

// attachTags loads the tags (with post_tags.added_by) of posts into their Tags.
func attachTags(ctx context.Context, db *sql.DB, posts []Post) error {
	pidx := postIndex(posts)
	for i := range posts {
		posts[i].Tags = []Tag{}
	}
	rows, err := db.QueryContext(ctx, levelTags, postIDs(posts))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var postID int64
		var t Tag
		var by sql.NullString
		if err := rows.Scan(&postID, &t.ID, &t.Name, &by); err != nil {
			return err
		}
		t.AddedBy = strPtr(by)
		p := &posts[pidx[postID]]
		p.Tags = append(p.Tags, t)
	}
	return rows.Err()
}

// attachPosts appends each post to its user's Posts.
func attachPosts(users []User, posts []Post) {
	uidx := make(map[int64]int32, len(users))
	for i := range users {
		uidx[users[i].ID] = int32(i)
	}
	for i := range posts {
		u := &users[uidx[posts[i].UserID]]
		u.Posts = append(u.Posts, posts[i])
	}
}
