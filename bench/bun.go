package bench

import (
	"context"

	"github.com/uptrace/bun"
)

// bun's m2m relation cannot load a join table's column either, so post_tags is a model of its
// own (bPostTag, belonging to its tag) that Post has many of. bun loads has-many relations with
// one query per level and belongs-to relations with a JOIN inside their parent's query. The
// bun models are converted into the shared result structs; that is part of the measured time.

type bUser struct {
	bun.BaseModel `bun:"table:users,alias:u"`
	ID            int64   `bun:"id,pk"`
	Name          string  `bun:"name"`
	Email         *string `bun:"email"`
	Posts         []bPost `bun:"rel:has-many,join:id=user_id"`
}

type bPost struct {
	bun.BaseModel `bun:"table:posts,alias:p"`
	ID            int64      `bun:"id,pk"`
	UserID        int64      `bun:"user_id"`
	Title         string     `bun:"title"`
	Body          string     `bun:"body"`
	Author        *bUser     `bun:"rel:belongs-to,join:user_id=id"`
	PostTags      []bPostTag `bun:"rel:has-many,join:id=post_id"`
	Comments      []bComment `bun:"rel:has-many,join:id=post_id"`
}

type bPostTag struct {
	bun.BaseModel `bun:"table:post_tags,alias:pt"`
	PostID        int64   `bun:"post_id,pk"`
	TagID         int64   `bun:"tag_id,pk"`
	AddedBy       *string `bun:"added_by"`
	Tag           *bTag   `bun:"rel:belongs-to,join:tag_id=id"`
}

type bTag struct {
	bun.BaseModel `bun:"table:tags,alias:t"`
	ID            int64  `bun:"id,pk"`
	Name          string `bun:"name"`
}

type bComment struct {
	bun.BaseModel `bun:"table:comments,alias:c"`
	ID            int64  `bun:"id,pk"`
	PostID        int64  `bun:"post_id"`
	AuthorID      int64  `bun:"author_id"`
	Body          string `bun:"body"`
	Author        *bUser `bun:"rel:belongs-to,join:author_id=id"`
}

func bunLoad(ctx context.Context, e *Env, w string) (any, error) {
	var users []bUser
	q := e.Bun.NewSelect().Model(&users)
	switch w {
	case "W1":
		err := q.Relation("Posts.PostTags.Tag").Relation("Posts.Comments.Author").
			Where("u.id <= ?", W1MaxUserID).Scan(ctx)
		return bUsers(users, true, true), err
	case "W5":
		err := q.Relation("Posts.PostTags.Tag").Relation("Posts.Comments.Author").
			Where("u.id <= ?", W1MaxUserID).Order("u.name", "u.id").Limit(W5Users).Scan(ctx)
		return bUsers(users, true, true), err
	case "W3":
		err := q.Relation("Posts.PostTags.Tag").Where("u.id = ?", HeavyUserID).Scan(ctx)
		return bUsers(users, true, false), err
	case "W4":
		err := q.Relation("Posts").Order("u.name", "u.id").Limit(W4Users).Scan(ctx)
		return bUsers(users, false, false), err
	case "W2":
		var posts []bPost
		err := e.Bun.NewSelect().Model(&posts).Relation("Author").Order("p.id").Limit(W2Posts).Scan(ctx)
		out := make([]Post, len(posts))
		for i := range posts {
			out[i] = bPostOf(&posts[i], false, false)
			if a := posts[i].Author; a != nil {
				out[i].Author = &User{ID: a.ID, Name: a.Name, Email: a.Email}
			}
		}
		return out, err
	}
	return nil, unknown(w)
}

func bUsers(users []bUser, tags, comments bool) []User {
	out := make([]User, len(users))
	for i := range users {
		u := &users[i]
		out[i] = User{ID: u.ID, Name: u.Name, Email: u.Email, Posts: make([]Post, len(u.Posts))}
		for j := range u.Posts {
			out[i].Posts[j] = bPostOf(&u.Posts[j], tags, comments)
		}
	}
	return out
}

func bPostOf(p *bPost, tags, comments bool) Post {
	out := Post{ID: p.ID, UserID: p.UserID, Title: p.Title, Body: p.Body}
	if tags {
		out.Tags = make([]Tag, 0, len(p.PostTags))
		for _, pt := range p.PostTags {
			if pt.Tag != nil {
				out.Tags = append(out.Tags, Tag{ID: pt.Tag.ID, Name: pt.Tag.Name, AddedBy: pt.AddedBy})
			}
		}
	}
	if comments {
		out.Comments = make([]Comment, len(p.Comments))
		for k, c := range p.Comments {
			out.Comments[k] = Comment{ID: c.ID, PostID: c.PostID, AuthorID: c.AuthorID, Body: c.Body}
			if a := c.Author; a != nil {
				out.Comments[k].Author = &User{ID: a.ID, Name: a.Name, Email: a.Email}
			}
		}
	}
	return out
}
