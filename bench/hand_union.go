package bench

import (
	"context"
	"database/sql"
	"sort"
	"strconv"
	"strings"
)

// The hand-written single statement of UNION ALL branches: one branch per include path, each
// with a branch tag (column k), its own columns and its parent's key, the other columns NULL.
// The root branch carries an ordinal (column ord) where the workload orders the roots, since
// UNION ALL row order is not guaranteed. A belongs-to target (the comment author, the post
// author) is a branch of its own, so each author is sent once. Each level selects its parent
// keys with a semi-join on the level above: IN (SELECT ..) for a large root, and for a paged
// root a narrow MATERIALIZED CTE with fk = ANY(ARRAY(SELECT pk FROM r)).

// Branch tags.
const (
	kRoot    = 0 // users (posts in W2)
	kPost    = 1
	kTag     = 2
	kComment = 3
	kAuthor  = 4
)

// Union column groups; a workload's layout is k, ord and some of these, in this order.
var (
	ucolsUser    = []string{"bigint", "text", "text"}           // id, name, email
	ucolsPost    = []string{"bigint", "bigint", "text", "text"} // id, user_id, title, body
	ucolsTag     = []string{"bigint", "bigint", "text", "text"} // post_id, id, name, added_by
	ucolsComment = []string{"bigint", "bigint", "bigint", "text"}
	ucolsAuthor  = ucolsUser
)

// ubranch is one branch: its tag, the first column of its group, its expressions and its FROM.
type ubranch struct {
	k     int
	at    int // index of the branch's first column (0 is k, 1 is ord)
	exprs []string
	from  string
}

// unionDef is a union statement: an optional WITH clause, the column types after k, and the
// branches.
type unionDef struct {
	with     string
	types    []string
	branches []ubranch
}

// SQL is the single UNION ALL statement.
func (d unionDef) SQL() string {
	var b strings.Builder
	if d.with != "" {
		b.WriteString(d.with + " ")
	}
	for i, br := range d.branches {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString(d.branch(br, i == 0))
	}
	return b.String()
}

// Statements are the branches as statements of their own (each with the WITH clause), for
// the pipelined loader: same columns, so the same fold reads them one after the other.
func (d unionDef) Statements() []string {
	out := make([]string, len(d.branches))
	for i, br := range d.branches {
		out[i] = d.branch(br, true)
		if d.with != "" {
			out[i] = d.with + " " + out[i]
		}
	}
	return out
}

// branch writes one branch; typed casts its NULLs (the first branch of a UNION decides the
// column types).
func (d unionDef) branch(br ubranch, typed bool) string {
	var b strings.Builder
	b.WriteString("(SELECT " + strconv.Itoa(br.k))
	cols := make([]string, len(d.types)) // cols[j] is column j+1 (column 0 is k)
	for j := range cols {
		if typed {
			cols[j] = "NULL::" + d.types[j]
		} else {
			cols[j] = "NULL"
		}
	}
	for j, e := range br.exprs {
		cols[br.at-1+j] = e
	}
	for _, c := range cols {
		b.WriteString(", " + c)
	}
	b.WriteString(" FROM " + br.from + ")")
	return b.String()
}

func concat(groups ...[]string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Column positions (after k and ord) of the W1/W5 layout.
const (
	uAtUser    = 2
	uAtPost    = uAtUser + 3
	uAtTag     = uAtPost + 4
	uAtComment = uAtTag + 4
	uAtAuthor  = uAtComment + 4
)

var (
	userExprs    = []string{"u.id", "u.name", "u.email"}
	postExprs    = []string{"p.id", "p.user_id", "p.title", "p.body"}
	tagExprs     = []string{"pt.post_id", "t.id", "t.name", "pt.added_by"}
	commentExprs = []string{"c.id", "c.post_id", "c.author_id", "c.body"}
	authorExprs  = []string{"a.id", "a.name", "a.email"}
)

func unionW1Like(with, rootFrom, rootIDs string, postIDs func(string) string, ord string) unionDef {
	types := concat([]string{"bigint"}, ucolsUser, ucolsPost, ucolsTag, ucolsComment, ucolsAuthor)
	pids := postIDs(rootIDs)
	return unionDef{with, types, []ubranch{
		{kRoot, 1, append([]string{ord}, userExprs...), rootFrom},
		{kPost, uAtPost, postExprs, "posts p WHERE p.user_id " + rootIDs},
		{kTag, uAtTag, tagExprs, "post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id " + pids},
		{kComment, uAtComment, commentExprs, "comments c WHERE c.post_id " + pids},
		{kAuthor, uAtAuthor, authorExprs, "users a WHERE a.id IN (SELECT c.author_id FROM comments c WHERE c.post_id " + pids + ")"},
	}}
}

// The union statements of the workloads.
var unions = map[string]unionDef{
	// W1 ($1: the largest user id).
	"W1": unionW1Like("", "users u WHERE u.id <= $1", "IN (SELECT u.id FROM users u WHERE u.id <= $1)",
		func(roots string) string { return "IN (SELECT p.id FROM posts p WHERE p.user_id " + roots + ")" }, "NULL::bigint"),
	// W5 ($1: the largest user id, $2: the limit).
	"W5": unionW1Like(
		"WITH r AS MATERIALIZED (SELECT u.id, u.name, u.email, row_number() OVER (ORDER BY u.name, u.id) AS ord FROM users u WHERE u.id <= $1 ORDER BY u.name, u.id LIMIT $2)",
		"r u", "= ANY(ARRAY(SELECT r.id FROM r))",
		func(roots string) string {
			return "= ANY(ARRAY(SELECT p.id FROM posts p WHERE p.user_id " + roots + "))"
		}, "u.ord"),
	// W2 ($1: the limit).
	"W2": {"", concat([]string{"bigint"}, ucolsPost, ucolsAuthor), []ubranch{
		{kRoot, 1, append([]string{"row_number() OVER (ORDER BY p.id)"}, postExprs...), "posts p ORDER BY p.id LIMIT $1"},
		{kAuthor, 6, authorExprs, "users a WHERE a.id IN (SELECT r.user_id FROM (SELECT p.user_id FROM posts p ORDER BY p.id LIMIT $1) r)"},
	}},
	// W3 ($1: the user id).
	"W3": {"", concat([]string{"bigint"}, ucolsUser, ucolsPost, ucolsTag), []ubranch{
		{kRoot, 1, append([]string{"NULL::bigint"}, userExprs...), "users u WHERE u.id = $1"},
		{kPost, uAtPost, postExprs, "posts p WHERE p.user_id IN (SELECT u.id FROM users u WHERE u.id = $1)"},
		{kTag, uAtTag, tagExprs, "post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id IN (SELECT p.id FROM posts p WHERE p.user_id IN (SELECT u.id FROM users u WHERE u.id = $1))"},
	}},
	// W4 ($1: the limit).
	"W4": {"WITH r AS MATERIALIZED (SELECT u.id, u.name, u.email, row_number() OVER (ORDER BY u.name, u.id) AS ord FROM users u ORDER BY u.name, u.id LIMIT $1)",
		concat([]string{"bigint"}, ucolsUser, ucolsPost), []ubranch{
			{kRoot, 1, append([]string{"u.ord"}, userExprs...), "r u"},
			{kPost, uAtPost, postExprs, "posts p WHERE p.user_id = ANY(ARRAY(SELECT r.id FROM r))"},
		}},
}

// unionArgs are the arguments of each workload's union statement (and of each of its
// branches as a statement of its own).
var unionArgs = map[string][]any{
	"W1": {W1MaxUserID}, "W2": {W2Posts}, "W3": {HeavyUserID}, "W4": {W4Users}, "W5": {W1MaxUserID, W5Users},
}

// UnionSQL returns the hand-written UNION ALL statement of a workload and its arguments.
func UnionSQL(w string) (string, []any) {
	q, ok := unionSQL[w]
	if !ok {
		return "", nil
	}
	return q, unionArgs[w]
}

// unionSQL and unionStatements are written once.
var (
	unionSQL        = map[string]string{}
	unionStatements = map[string][]string{}
)

func init() {
	for w, d := range unions {
		unionSQL[w] = d.SQL()
		unionStatements[w] = d.Statements()
	}
}

func handUnion(ctx context.Context, e *Env, w string) (any, error) { return unionOver(ctx, e.PGX, w) }

func handUnionPQ(ctx context.Context, e *Env, w string) (any, error) { return unionOver(ctx, e.PQ, w) }

func unionOver(ctx context.Context, db *sql.DB, w string) (any, error) {
	query, args := UnionSQL(w)
	if query == "" {
		return nil, unknown(w)
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return UnionFold(rows, w)
}

// urow receives one row of any union layout.
type urow struct {
	k                                  int64
	ord                                sql.NullInt64
	uID                                sql.NullInt64
	uName, uEmail                      sql.NullString
	pID, pUserID                       sql.NullInt64
	pTitle, pBody                      sql.NullString
	tPostID, tID                       sql.NullInt64
	tName, tAddedBy                    sql.NullString
	cID, cPostID, cAuthorID            sql.NullInt64
	cBody                              sql.NullString
	aID                                sql.NullInt64
	aName, aEmail                      sql.NullString
	dests                              []any
	hasUsers, hasTags, hasComments, w2 bool
}

func newURow(w string) *urow {
	r := &urow{}
	user := []any{&r.uID, &r.uName, &r.uEmail}
	post := []any{&r.pID, &r.pUserID, &r.pTitle, &r.pBody}
	tag := []any{&r.tPostID, &r.tID, &r.tName, &r.tAddedBy}
	comment := []any{&r.cID, &r.cPostID, &r.cAuthorID, &r.cBody}
	author := []any{&r.aID, &r.aName, &r.aEmail}
	r.dests = []any{&r.k, &r.ord}
	switch w {
	case "W1", "W5":
		r.dests = append(r.dests, concatAny(user, post, tag, comment, author)...)
	case "W2":
		r.dests = append(r.dests, concatAny(post, author)...)
	case "W3":
		r.dests = append(r.dests, concatAny(user, post, tag)...)
	case "W4":
		r.dests = append(r.dests, concatAny(user, post)...)
	}
	return r
}

func concatAny(groups ...[]any) []any {
	var out []any
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

type pendingTag struct {
	post int64
	tag  Tag
}

// rowSource is what the union fold reads: *sql.Rows and pgx.Rows both are.
type rowSource interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// UnionFold folds the rows of a workload's UNION ALL statement. Rows may come in any order:
// children whose parent has not arrived yet wait in a list; posts are attached to their users
// and authors to their comments at the end. rows is closed.
func UnionFold(rows *sql.Rows, w string) (any, error) {
	defer rows.Close()
	f := newUFold(w)
	if err := f.read(rows); err != nil {
		return nil, err
	}
	return f.result(), nil
}

// ufold is the union fold's state; read can be called for several row sources (the
// pipelined loader's statements) before result.
type ufold struct {
	w           string
	r           *urow
	users       []User
	userOrd     []int64
	posts       []Post
	postOrd     []int64
	pidx        map[int64]int32
	lateTags    []pendingTag
	lateComment []Comment
	authors     map[int64]*User // one User per author, shared by its comments
}

func newUFold(w string) *ufold {
	return &ufold{w: w, r: newURow(w), users: []User{}, pidx: map[int64]int32{}, authors: map[int64]*User{}}
}

func (f *ufold) read(rows rowSource) error {
	r, w := f.r, f.w
	for rows.Next() {
		if err := rows.Scan(r.dests...); err != nil {
			return err
		}
		switch {
		case r.k == kRoot && w == "W2":
			f.posts = append(f.posts, Post{ID: r.pID.Int64, UserID: r.pUserID.Int64, Title: r.pTitle.String, Body: r.pBody.String})
			f.postOrd = append(f.postOrd, r.ord.Int64)
		case r.k == kRoot:
			f.users = append(f.users, User{ID: r.uID.Int64, Name: r.uName.String, Email: strPtr(r.uEmail), Posts: []Post{}})
			f.userOrd = append(f.userOrd, r.ord.Int64)
		case r.k == kPost:
			p := Post{ID: r.pID.Int64, UserID: r.pUserID.Int64, Title: r.pTitle.String, Body: r.pBody.String}
			switch w {
			case "W1", "W5":
				p.Tags, p.Comments = []Tag{}, []Comment{}
			case "W3":
				p.Tags = []Tag{}
			}
			f.pidx[p.ID] = int32(len(f.posts))
			f.posts = append(f.posts, p)
		case r.k == kTag:
			t := Tag{ID: r.tID.Int64, Name: r.tName.String, AddedBy: strPtr(r.tAddedBy)}
			if i, ok := f.pidx[r.tPostID.Int64]; ok {
				f.posts[i].Tags = append(f.posts[i].Tags, t)
			} else {
				f.lateTags = append(f.lateTags, pendingTag{r.tPostID.Int64, t})
			}
		case r.k == kComment:
			c := Comment{ID: r.cID.Int64, PostID: r.cPostID.Int64, AuthorID: r.cAuthorID.Int64, Body: r.cBody.String}
			if i, ok := f.pidx[c.PostID]; ok {
				f.posts[i].Comments = append(f.posts[i].Comments, c)
			} else {
				f.lateComment = append(f.lateComment, c)
			}
		case r.k == kAuthor:
			f.authors[r.aID.Int64] = &User{ID: r.aID.Int64, Name: r.aName.String, Email: strPtr(r.aEmail)}
		}
	}
	return rows.Err()
}

func (f *ufold) result() any {
	posts := f.posts
	if f.w == "W2" {
		sortByOrd(posts, f.postOrd)
		for i := range posts {
			posts[i].Author = f.authors[posts[i].UserID]
		}
		if posts == nil {
			posts = []Post{}
		}
		return posts
	}
	for _, t := range f.lateTags {
		p := &posts[f.pidx[t.post]]
		p.Tags = append(p.Tags, t.tag)
	}
	for _, c := range f.lateComment {
		p := &posts[f.pidx[c.PostID]]
		p.Comments = append(p.Comments, c)
	}
	if len(f.authors) > 0 {
		for i := range posts {
			cs := posts[i].Comments
			for j := range cs {
				cs[j].Author = f.authors[cs[j].AuthorID]
			}
		}
	}
	if f.w == "W4" || f.w == "W5" {
		sortByOrd(f.users, f.userOrd)
	}
	attachPosts(f.users, posts)
	return f.users
}

// sortByOrd puts list in the order of its ordinals (1-based row numbers).
func sortByOrd[T any](list []T, ord []int64) {
	sorted := true
	for i := range ord {
		if ord[i] != int64(i+1) {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	sort.Sort(byOrd[T]{list, ord})
}

type byOrd[T any] struct {
	list []T
	ord  []int64
}

func (s byOrd[T]) Len() int           { return len(s.list) }
func (s byOrd[T]) Less(i, j int) bool { return s.ord[i] < s.ord[j] }
func (s byOrd[T]) Swap(i, j int) {
	s.list[i], s.list[j] = s.list[j], s.list[i]
	s.ord[i], s.ord[j] = s.ord[j], s.ord[i]
}
