// Package bench measures joinery against hand-written loaders and ORMs on PostgreSQL.
//
// Every contender returns the same nested value per workload: the shared result structs
// below (db and joinery tags for joinery and sqlx, sql and alias tags for go-jet's qrm). Contenders whose library cannot fill them directly (GORM, bun, go-jet) load into
// their own model types and convert; the conversion is part of their measured time.
package bench

import (
	"fmt"

	"github.com/joinery/joinery/include"
)

// User is the shared result type of a user: the root of W1, W3, W4 and W5, and the author of
// a comment (W1, W5) or of a post (W2).
type User struct {
	ID    int64   `db:"id" sql:"primary_key"`
	Name  string  `db:"name"`
	Email *string `db:"email"`
	Posts []Post
}

// Post belongs to a user (Author, W2), has many comments and belongs to many tags through
// post_tags.
type Post struct {
	ID       int64  `db:"id" sql:"primary_key"`
	UserID   int64  `db:"user_id"`
	Title    string `db:"title"`
	Body     string `db:"body"`
	Author   *User  `alias:"author"`
	Tags     []Tag
	Comments []Comment
}

// Comment belongs to a post and to its author.
type Comment struct {
	ID       int64  `db:"id" sql:"primary_key"`
	PostID   int64  `db:"post_id"`
	AuthorID int64  `db:"author_id"`
	Body     string `db:"body"`
	Author   *User  `alias:"author"`
}

// Tag is linked to posts through post_tags; AddedBy is post_tags.added_by (W1, W5).
type Tag struct {
	ID      int64   `db:"id" sql:"primary_key"`
	Name    string  `db:"name"`
	AddedBy *string `joinery:"through:added_by"`
}

// NewSchema registers the models and associations with joinery, with the schema options given
// (the Citus benchmark's include.Tenant).
func NewSchema(opts ...include.SchemaOption) (*include.Schema, error) {
	s := include.NewSchema(opts...)
	s.Define(User{}, "users")
	s.Define(Post{}, "posts")
	s.Define(Comment{}, "comments")
	s.Define(Tag{}, "tags")
	s.HasMany("User", "Post", include.As("posts"))                                   // posts.user_id
	s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id")) // posts.user_id
	s.HasMany("Post", "Comment", include.As("comments"))                             // comments.post_id
	s.BelongsTo("Comment", "User", include.As("author"))                             // comments.author_id
	s.BelongsToMany("Post", "Tag", include.As("tags"), include.Through("post_tags"))
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("bench schema: %w", err)
	}
	return s, nil
}
