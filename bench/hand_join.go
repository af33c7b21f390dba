package bench

import (
	"context"
	"database/sql"
)

// The hand-written single flat JOIN. Its statements select the same columns in the same
// order as joinery's flat statements (so BenchmarkHydrate can fold the same captured rows with
// both), with names sqlx can map.

const (
	selW1 = `u.id AS u_id, u.name AS u_name, u.email AS u_email, ` +
		`p.id AS p_id, p.user_id AS p_user_id, p.title AS p_title, p.body AS p_body, ` +
		`t.id AS t_id, t.name AS t_name, pt.added_by AS t_added_by, ` +
		`c.id AS c_id, c.post_id AS c_post_id, c.author_id AS c_author_id, c.body AS c_body, ` +
		`a.id AS a_id, a.name AS a_name, a.email AS a_email`
	joinsW1 = ` LEFT JOIN posts p ON p.user_id = u.id` +
		` LEFT JOIN (post_tags pt JOIN tags t ON t.id = pt.tag_id) ON pt.post_id = p.id` +
		` LEFT JOIN comments c ON c.post_id = p.id` +
		` LEFT JOIN users a ON a.id = c.author_id`

	// JoinW1 is W1's flat JOIN ($1: the largest user id).
	JoinW1 = `SELECT ` + selW1 + ` FROM users u` + joinsW1 + ` WHERE u.id <= $1`
	// JoinW5 limits the roots in a subquery and repeats the root order outside ($1: largest
	// user id, $2: limit).
	JoinW5 = `SELECT ` + selW1 + ` FROM (SELECT id, name, email FROM users WHERE id <= $1 ORDER BY name, id LIMIT $2) u` +
		joinsW1 + ` ORDER BY u.name, u.id`
	// JoinW2 is posts by id with their authors ($1: limit).
	JoinW2 = `SELECT p.id AS p_id, p.user_id AS p_user_id, p.title AS p_title, p.body AS p_body, ` +
		`a.id AS a_id, a.name AS a_name, a.email AS a_email ` +
		`FROM posts p LEFT JOIN users a ON a.id = p.user_id ORDER BY p.id LIMIT $1`
	// JoinW3 is one user with posts and tags ($1: the user id).
	JoinW3 = `SELECT u.id AS u_id, u.name AS u_name, u.email AS u_email, ` +
		`p.id AS p_id, p.user_id AS p_user_id, p.title AS p_title, p.body AS p_body, ` +
		`t.id AS t_id, t.name AS t_name, pt.added_by AS t_added_by ` +
		`FROM users u LEFT JOIN posts p ON p.user_id = u.id ` +
		`LEFT JOIN (post_tags pt JOIN tags t ON t.id = pt.tag_id) ON pt.post_id = p.id WHERE u.id = $1`
	// JoinW4 is the first users by name with their posts ($1: limit).
	JoinW4 = `SELECT u.id AS u_id, u.name AS u_name, u.email AS u_email, ` +
		`p.id AS p_id, p.user_id AS p_user_id, p.title AS p_title, p.body AS p_body ` +
		`FROM (SELECT id, name, email FROM users ORDER BY name, id LIMIT $1) u ` +
		`LEFT JOIN posts p ON p.user_id = u.id ORDER BY u.name, u.id`
)

// JoinSQL returns the hand-written flat JOIN of a workload and its arguments.
func JoinSQL(w string) (string, []any) {
	switch w {
	case "W1":
		return JoinW1, []any{W1MaxUserID}
	case "W2":
		return JoinW2, []any{W2Posts}
	case "W3":
		return JoinW3, []any{HeavyUserID}
	case "W4":
		return JoinW4, []any{W4Users}
	case "W5":
		return JoinW5, []any{W1MaxUserID, W5Users}
	}
	return "", nil
}

func handJoin(ctx context.Context, e *Env, w string) (any, error) {
	query, args := JoinSQL(w)
	if query == "" {
		return nil, unknown(w)
	}
	rows, err := e.PGX.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return HandFold(rows, w)
}

// HandFold folds the rows of a workload's flat JOIN (hand-written or joinery's, same column
// order) with explicit Scan and typed-key maps. rows is closed.
func HandFold(rows *sql.Rows, w string) (any, error) {
	defer rows.Close()
	switch w {
	case "W1", "W5":
		var r rowW1
		f := newFoldW1()
		d := r.dests()
		for rows.Next() {
			if err := rows.Scan(d...); err != nil {
				return nil, err
			}
			f.add(&r)
		}
		return f.users, rows.Err()
	case "W2":
		var r rowW2
		posts := []Post{}
		d := r.dests()
		for rows.Next() {
			if err := rows.Scan(d...); err != nil {
				return nil, err
			}
			posts = append(posts, r.post())
		}
		return posts, rows.Err()
	case "W3":
		var r rowW3
		f := newFoldW3()
		d := r.dests()
		for rows.Next() {
			if err := rows.Scan(d...); err != nil {
				return nil, err
			}
			f.add(&r)
		}
		return f.users, rows.Err()
	case "W4":
		var r rowW4
		f := newFoldW4()
		d := r.dests()
		for rows.Next() {
			if err := rows.Scan(d...); err != nil {
				return nil, err
			}
			f.add(&r)
		}
		return f.users, rows.Err()
	}
	return nil, unknown(w)
}

func strPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	v := s.String
	return &v
}

// rowW1 is one row of W1's or W5's flat JOIN.
type rowW1 struct {
	UID       int64          `db:"u_id"`
	UName     string         `db:"u_name"`
	UEmail    sql.NullString `db:"u_email"`
	PID       sql.NullInt64  `db:"p_id"`
	PUserID   sql.NullInt64  `db:"p_user_id"`
	PTitle    sql.NullString `db:"p_title"`
	PBody     sql.NullString `db:"p_body"`
	TID       sql.NullInt64  `db:"t_id"`
	TName     sql.NullString `db:"t_name"`
	TAddedBy  sql.NullString `db:"t_added_by"`
	CID       sql.NullInt64  `db:"c_id"`
	CPostID   sql.NullInt64  `db:"c_post_id"`
	CAuthorID sql.NullInt64  `db:"c_author_id"`
	CBody     sql.NullString `db:"c_body"`
	AID       sql.NullInt64  `db:"a_id"`
	AName     sql.NullString `db:"a_name"`
	AEmail    sql.NullString `db:"a_email"`
}

func (r *rowW1) dests() []any {
	return []any{&r.UID, &r.UName, &r.UEmail, &r.PID, &r.PUserID, &r.PTitle, &r.PBody,
		&r.TID, &r.TName, &r.TAddedBy, &r.CID, &r.CPostID, &r.CAuthorID, &r.CBody,
		&r.AID, &r.AName, &r.AEmail}
}

// ploc locates a post: its user's index in the result and its index in the user's Posts.
type ploc struct{ u, p int32 }

type tagKey struct{ post, tag int64 }

type foldW1 struct {
	users    []User
	uidx     map[int64]int32
	posts    map[int64]ploc
	tags     map[tagKey]struct{}
	comments map[int64]struct{}
}

func newFoldW1() *foldW1 {
	return &foldW1{users: []User{}, uidx: map[int64]int32{}, posts: map[int64]ploc{},
		tags: map[tagKey]struct{}{}, comments: map[int64]struct{}{}}
}

func (f *foldW1) add(r *rowW1) {
	ui, ok := f.uidx[r.UID]
	if !ok {
		ui = int32(len(f.users))
		f.uidx[r.UID] = ui
		f.users = append(f.users, User{ID: r.UID, Name: r.UName, Email: strPtr(r.UEmail), Posts: []Post{}})
	}
	if !r.PID.Valid {
		return
	}
	loc, ok := f.posts[r.PID.Int64]
	if !ok {
		u := &f.users[ui]
		loc = ploc{ui, int32(len(u.Posts))}
		f.posts[r.PID.Int64] = loc
		u.Posts = append(u.Posts, Post{ID: r.PID.Int64, UserID: r.PUserID.Int64, Title: r.PTitle.String,
			Body: r.PBody.String, Tags: []Tag{}, Comments: []Comment{}})
	}
	p := &f.users[loc.u].Posts[loc.p]
	if r.TID.Valid {
		k := tagKey{p.ID, r.TID.Int64}
		if _, ok := f.tags[k]; !ok {
			f.tags[k] = struct{}{}
			p.Tags = append(p.Tags, Tag{ID: r.TID.Int64, Name: r.TName.String, AddedBy: strPtr(r.TAddedBy)})
		}
	}
	if r.CID.Valid {
		if _, ok := f.comments[r.CID.Int64]; !ok {
			f.comments[r.CID.Int64] = struct{}{}
			c := Comment{ID: r.CID.Int64, PostID: r.CPostID.Int64, AuthorID: r.CAuthorID.Int64, Body: r.CBody.String}
			if r.AID.Valid {
				c.Author = &User{ID: r.AID.Int64, Name: r.AName.String, Email: strPtr(r.AEmail)}
			}
			p.Comments = append(p.Comments, c)
		}
	}
}

// rowW2 is one row of W2's flat JOIN.
type rowW2 struct {
	PID     int64          `db:"p_id"`
	PUserID int64          `db:"p_user_id"`
	PTitle  string         `db:"p_title"`
	PBody   string         `db:"p_body"`
	AID     sql.NullInt64  `db:"a_id"`
	AName   sql.NullString `db:"a_name"`
	AEmail  sql.NullString `db:"a_email"`
}

func (r *rowW2) dests() []any {
	return []any{&r.PID, &r.PUserID, &r.PTitle, &r.PBody, &r.AID, &r.AName, &r.AEmail}
}

func (r *rowW2) post() Post {
	p := Post{ID: r.PID, UserID: r.PUserID, Title: r.PTitle, Body: r.PBody}
	if r.AID.Valid {
		p.Author = &User{ID: r.AID.Int64, Name: r.AName.String, Email: strPtr(r.AEmail)}
	}
	return p
}

// rowW3 is one row of W3's flat JOIN.
type rowW3 struct {
	UID      int64          `db:"u_id"`
	UName    string         `db:"u_name"`
	UEmail   sql.NullString `db:"u_email"`
	PID      sql.NullInt64  `db:"p_id"`
	PUserID  sql.NullInt64  `db:"p_user_id"`
	PTitle   sql.NullString `db:"p_title"`
	PBody    sql.NullString `db:"p_body"`
	TID      sql.NullInt64  `db:"t_id"`
	TName    sql.NullString `db:"t_name"`
	TAddedBy sql.NullString `db:"t_added_by"`
}

func (r *rowW3) dests() []any {
	return []any{&r.UID, &r.UName, &r.UEmail, &r.PID, &r.PUserID, &r.PTitle, &r.PBody,
		&r.TID, &r.TName, &r.TAddedBy}
}

type foldW3 struct {
	users []User
	uidx  map[int64]int32
	posts map[int64]ploc
	tags  map[tagKey]struct{}
}

func newFoldW3() *foldW3 {
	return &foldW3{users: []User{}, uidx: map[int64]int32{}, posts: map[int64]ploc{}, tags: map[tagKey]struct{}{}}
}

func (f *foldW3) add(r *rowW3) {
	ui, ok := f.uidx[r.UID]
	if !ok {
		ui = int32(len(f.users))
		f.uidx[r.UID] = ui
		f.users = append(f.users, User{ID: r.UID, Name: r.UName, Email: strPtr(r.UEmail), Posts: []Post{}})
	}
	if !r.PID.Valid {
		return
	}
	loc, ok := f.posts[r.PID.Int64]
	if !ok {
		u := &f.users[ui]
		loc = ploc{ui, int32(len(u.Posts))}
		f.posts[r.PID.Int64] = loc
		u.Posts = append(u.Posts, Post{ID: r.PID.Int64, UserID: r.PUserID.Int64, Title: r.PTitle.String,
			Body: r.PBody.String, Tags: []Tag{}})
	}
	if r.TID.Valid {
		p := &f.users[loc.u].Posts[loc.p]
		k := tagKey{p.ID, r.TID.Int64}
		if _, ok := f.tags[k]; !ok {
			f.tags[k] = struct{}{}
			p.Tags = append(p.Tags, Tag{ID: r.TID.Int64, Name: r.TName.String, AddedBy: strPtr(r.TAddedBy)})
		}
	}
}

// rowW4 is one row of W4's flat JOIN.
type rowW4 struct {
	UID     int64          `db:"u_id"`
	UName   string         `db:"u_name"`
	UEmail  sql.NullString `db:"u_email"`
	PID     sql.NullInt64  `db:"p_id"`
	PUserID sql.NullInt64  `db:"p_user_id"`
	PTitle  sql.NullString `db:"p_title"`
	PBody   sql.NullString `db:"p_body"`
}

func (r *rowW4) dests() []any {
	return []any{&r.UID, &r.UName, &r.UEmail, &r.PID, &r.PUserID, &r.PTitle, &r.PBody}
}

type foldW4 struct {
	users []User
	uidx  map[int64]int32
}

func newFoldW4() *foldW4 { return &foldW4{users: []User{}, uidx: map[int64]int32{}} }

func (f *foldW4) add(r *rowW4) {
	ui, ok := f.uidx[r.UID]
	if !ok {
		ui = int32(len(f.users))
		f.uidx[r.UID] = ui
		f.users = append(f.users, User{ID: r.UID, Name: r.UName, Email: strPtr(r.UEmail), Posts: []Post{}})
	}
	if r.PID.Valid {
		// each post appears once: a single to-many path needs no post map
		u := &f.users[ui]
		u.Posts = append(u.Posts, Post{ID: r.PID.Int64, UserID: r.PUserID.Int64, Title: r.PTitle.String, Body: r.PBody.String})
	}
}
