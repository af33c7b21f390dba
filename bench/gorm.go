package bench

import (
	"context"
)

// GORM cannot put a join table's column (post_tags.added_by) on the target of a many2many,
// so post_tags is a model of its own (gPostTag, belonging to its tag) and Post has many of
// them. The GORM models are converted into the shared result structs; that is part of the
// measured time.

type gUser struct {
	ID    int64
	Name  string
	Email *string
	Posts []gPost `gorm:"foreignKey:UserID"`
}

func (gUser) TableName() string { return "users" }

type gPost struct {
	ID       int64
	UserID   int64
	Title    string
	Body     string
	Author   *gUser     `gorm:"foreignKey:UserID"`
	PostTags []gPostTag `gorm:"foreignKey:PostID"`
	Comments []gComment `gorm:"foreignKey:PostID"`
}

func (gPost) TableName() string { return "posts" }

type gPostTag struct {
	PostID  int64 `gorm:"primaryKey"`
	TagID   int64 `gorm:"primaryKey"`
	AddedBy *string
	Tag     *gTag `gorm:"foreignKey:TagID"`
}

func (gPostTag) TableName() string { return "post_tags" }

type gTag struct {
	ID   int64
	Name string
}

func (gTag) TableName() string { return "tags" }

type gComment struct {
	ID       int64
	PostID   int64
	AuthorID int64
	Body     string
	Author   *gUser `gorm:"foreignKey:AuthorID"`
}

func (gComment) TableName() string { return "comments" }

func gormLoad(ctx context.Context, e *Env, w string) (any, error) {
	db := e.Gorm.WithContext(ctx)
	var users []gUser
	switch w {
	case "W1":
		err := db.Preload("Posts.PostTags.Tag").Preload("Posts.Comments.Author").
			Where("id <= ?", W1MaxUserID).Find(&users).Error
		return gUsers(users, true, true), err
	case "W5":
		err := db.Preload("Posts.PostTags.Tag").Preload("Posts.Comments.Author").
			Where("id <= ?", W1MaxUserID).Order("name, id").Limit(W5Users).Find(&users).Error
		return gUsers(users, true, true), err
	case "W3":
		err := db.Preload("Posts.PostTags.Tag").Where("id = ?", HeavyUserID).Find(&users).Error
		return gUsers(users, true, false), err
	case "W4":
		err := db.Preload("Posts").Order("name, id").Limit(W4Users).Find(&users).Error
		return gUsers(users, false, false), err
	case "W2":
		var posts []gPost
		err := db.Preload("Author").Order("id").Limit(W2Posts).Find(&posts).Error
		out := make([]Post, len(posts))
		for i := range posts {
			out[i] = gPostOf(&posts[i], false, false)
			if a := posts[i].Author; a != nil {
				out[i].Author = &User{ID: a.ID, Name: a.Name, Email: a.Email}
			}
		}
		return out, err
	}
	return nil, unknown(w)
}

func gUsers(users []gUser, tags, comments bool) []User {
	out := make([]User, len(users))
	for i := range users {
		u := &users[i]
		out[i] = User{ID: u.ID, Name: u.Name, Email: u.Email, Posts: make([]Post, len(u.Posts))}
		for j := range u.Posts {
			out[i].Posts[j] = gPostOf(&u.Posts[j], tags, comments)
		}
	}
	return out
}

func gPostOf(p *gPost, tags, comments bool) Post {
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
