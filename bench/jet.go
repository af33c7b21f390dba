package bench

import (
	"context"
	"regexp"

	"github.com/go-jet/jet/v2/qrm"
)

// go-jet's query result mapping (qrm) over the flat JOIN. qrm maps a column named
// "<type>.<field>" to the field of the destination struct type of that name (lowercased,
// underscores removed) and groups nested slices by the fields tagged sql:"primary_key". The
// statement is the hand-written flat JOIN with jet-style column names (no generated jet
// table types are needed: qrm.Query takes raw SQL). qrm cannot fill the shared structs: it
// maps by type name, so the comment author (a User) would also receive the root user's posts.
// It fills these destination types, converted afterwards (measured).

type jUser struct {
	ID    int64 `sql:"primary_key"`
	Name  string
	Email *string
	Posts []jPost
}

type jPost struct {
	ID       int64 `sql:"primary_key"`
	UserID   int64
	Title    string
	Body     string
	Tags     []jTag
	Comments []jComment
}

type jTag struct {
	ID      int64 `sql:"primary_key"`
	Name    string
	AddedBy *string
}

type jComment struct {
	ID       int64 `sql:"primary_key"`
	PostID   int64
	AuthorID int64
	Body     string
	Author   *jAuthor
}

type jAuthor struct {
	ID    int64 `sql:"primary_key"`
	Name  string
	Email *string
}

// jPostA is W2's root: a post with its author.
type jPostA struct {
	ID     int64 `sql:"primary_key"`
	UserID int64
	Title  string
	Body   string
	Author *jAuthor
}

var jetAlias = regexp.MustCompile(` AS ([uptca])_(\w+)`)

// jetSQL renames the hand-written JOIN's columns (u_id, p_title, a_email ...) for qrm:
// "juser.id", "jpost.title", "jauthor.email" ...
func jetSQL(w string) (string, []any) {
	query, args := JoinSQL(w)
	types := map[string]string{"u": "juser", "p": "jpost", "t": "jtag", "c": "jcomment", "a": "jauthor"}
	if w == "W2" {
		types["p"] = "jposta"
	}
	query = jetAlias.ReplaceAllStringFunc(query, func(m string) string {
		g := jetAlias.FindStringSubmatch(m)
		return ` AS "` + types[g[1]] + "." + g[2] + `"`
	})
	return query, args
}

func jetJoin(ctx context.Context, e *Env, w string) (any, error) {
	query, args := jetSQL(w)
	switch w {
	case "W2":
		var posts []jPostA
		if _, err := qrm.Query(ctx, e.PGX, query, args, &posts); err != nil {
			return nil, err
		}
		out := make([]Post, len(posts))
		for i, p := range posts {
			out[i] = Post{ID: p.ID, UserID: p.UserID, Title: p.Title, Body: p.Body}
			if a := p.Author; a != nil {
				out[i].Author = &User{ID: a.ID, Name: a.Name, Email: a.Email}
			}
		}
		return out, nil
	case "W1", "W3", "W4", "W5":
		var users []jUser
		if _, err := qrm.Query(ctx, e.PGX, query, args, &users); err != nil {
			return nil, err
		}
		tags := w != "W4"
		comments := w == "W1" || w == "W5"
		out := make([]User, len(users))
		for i, u := range users {
			out[i] = User{ID: u.ID, Name: u.Name, Email: u.Email, Posts: make([]Post, len(u.Posts))}
			for j, p := range u.Posts {
				q := Post{ID: p.ID, UserID: p.UserID, Title: p.Title, Body: p.Body}
				if tags {
					q.Tags = make([]Tag, len(p.Tags))
					for k, t := range p.Tags {
						q.Tags[k] = Tag(t)
					}
				}
				if comments {
					q.Comments = make([]Comment, len(p.Comments))
					for k, c := range p.Comments {
						q.Comments[k] = Comment{ID: c.ID, PostID: c.PostID, AuthorID: c.AuthorID, Body: c.Body}
						if a := c.Author; a != nil {
							q.Comments[k].Author = &User{ID: a.ID, Name: a.Name, Email: a.Email}
						}
					}
				}
				out[i].Posts[j] = q
			}
		}
		return out, nil
	}
	return nil, unknown(w)
}
