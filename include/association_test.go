package include_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

// Struct models of the association tests.

type User struct {
	ID      int64  `db:"id"`
	Name    string `db:"name"`
	Posts   []Post
	Profile *Profile
	Groups  []*Group
}

type Profile struct {
	ID     int64  `db:"id"`
	UserID int64  `db:"user_id"`
	Bio    string `db:"bio"`
}

type Post struct {
	ID       int64  `db:"id"`
	UserID   int64  `db:"user_id"`
	AuthorID int64  `db:"author_id"`
	Title    string `db:"title"`
	User     *User
	Author   User
	Writer   *User `joinery:"writer"`
	Reviewer *User
	Comments []Comment
}

type Comment struct {
	ID     int64  `db:"id"`
	PostID int64  `db:"post_id"`
	UserID int64  `db:"user_id"`
	Body   string `db:"body"`
}

type Group struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

type Membership struct {
	UserID  int64  `db:"user_id"`
	GroupID int64  `db:"group_id"`
	Role    string `db:"role"`
}

// link is a join model with a primary key of its own: the same pair may be linked twice.
type link struct {
	ID      int64  `db:"id"`
	UserID  int64  `db:"user_id"`
	GroupID int64  `db:"group_id"`
	Role    string `db:"role"`
}

type halfMembership struct {
	ID     int64 `db:"id"`
	UserID int64 `db:"user_id"`
}

type otherHalf struct {
	ID      int64 `db:"id"`
	GroupID int64 `db:"group_id"`
}

// blogSchema registers User, Profile, Post, Comment, Group and Membership.
func blogSchema(t *testing.T, opts ...include.SchemaOption) *include.Schema {
	t.Helper()
	s := include.NewSchema(opts...)
	define(t, s, User{}, "users")
	define(t, s, Profile{}, "profiles")
	define(t, s, Post{}, "posts")
	define(t, s, Comment{}, "comments")
	define(t, s, Group{}, "groups")
	define(t, s, Membership{}, "memberships", include.PrimaryKey("user_id", "group_id"))
	return s
}

// assoc returns a function that fails t on a registration error: assoc(t)(s.HasMany(...)).
func assoc(t *testing.T) func(*include.Association, error) *include.Association {
	return func(a *include.Association, err error) *include.Association {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
}

func TestStructAssociations(t *testing.T) {
	s := blogSchema(t)
	user, post := s.Model("User"), s.Model("Post")

	bt := assoc(t)(s.BelongsTo("Post", "User"))
	if bt.Kind != include.BelongsTo || bt.Source != post || bt.Target != user || bt.As != "User" ||
		key(bt.ForeignKeys) != "user_id" || key(bt.TargetKeys) != "id" || key(bt.SourceKeys) != "" || bt.Many() || !bt.Unique {
		t.Fatalf("BelongsTo = %+v", *bt)
	}
	if bt.FieldName != "User" {
		t.Fatalf("BelongsTo field = %q", bt.FieldName)
	}
	if got := bt.String(); got != `BelongsTo Post -> User as "User"` {
		t.Fatalf("String = %s", got)
	}

	hm := assoc(t)(s.HasMany("User", "Post"))
	if hm.Kind != include.HasMany || hm.As != "Posts" || key(hm.ForeignKeys) != "user_id" || key(hm.SourceKeys) != "id" ||
		key(hm.TargetKeys) != "" || !hm.Many() || hm.FieldName != "Posts" {
		t.Fatalf("HasMany = %+v", *hm)
	}
	ho := assoc(t)(s.HasOne("User", "Profile"))
	if ho.Kind != include.HasOne || ho.As != "Profile" || key(ho.ForeignKeys) != "user_id" || key(ho.SourceKeys) != "id" ||
		ho.Many() || ho.FieldName != "Profile" {
		t.Fatalf("HasOne = %+v", *ho)
	}
	btm := assoc(t)(s.BelongsToMany("User", "Group", include.ThroughModel("Membership")))
	if btm.Kind != include.BelongsToMany || btm.As != "Groups" || key(btm.ForeignKeys) != "user_id" || key(btm.OtherKeys) != "group_id" ||
		key(btm.SourceKeys) != "id" || key(btm.TargetKeys) != "id" || btm.Through != s.Model("Membership") ||
		btm.ThroughTable != "memberships" || !btm.Many() || !btm.Unique || btm.FieldName != "Groups" {
		t.Fatalf("BelongsToMany = %+v", *btm)
	}

	// the table and columns each include finds its rows by
	for _, c := range []struct {
		a    *include.Association
		want string
	}{{bt, "users(id)"}, {hm, "posts(user_id)"}, {ho, "profiles(user_id)"}, {btm, "memberships(user_id)"}} {
		if table, cols := c.a.Link(); table+"("+key(cols)+")" != c.want {
			t.Errorf("%s: Link = %s(%s), want %s", c.a, table, key(cols), c.want)
		}
	}

	if got := user.Associations(); len(got) != 3 || got[0] != hm || got[1] != ho || got[2] != btm {
		t.Fatalf("User associations = %v, want registration order", got)
	}
	if got := user.AssociationNames(); !reflect.DeepEqual(got, []string{"Groups", "Posts", "Profile"}) {
		t.Fatalf("AssociationNames = %v", got)
	}
	if user.Association("Posts") != hm || user.Association("posts") != hm || user.Association("POSTS") != hm {
		t.Fatal("Association must find an alias exactly or case-insensitively")
	}
	if user.Association("Post") != nil {
		t.Fatal("Association(Post) must not match Posts")
	}
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[include.Kind]string{
		include.BelongsTo: "BelongsTo", include.HasOne: "HasOne", include.HasMany: "HasMany",
		include.BelongsToMany: "BelongsToMany", include.Kind(0): "Kind(?)",
	} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func TestFieldLookup(t *testing.T) {
	s := blogSchema(t)
	// by alias, ignoring case: "author" -> Author (a value struct is a valid to-one field)
	a := assoc(t)(s.BelongsTo("Post", "User", include.As("author")))
	if a.FieldName != "Author" || key(a.ForeignKeys) != "author_id" {
		t.Fatalf("as author: field %q, fk %q", a.FieldName, key(a.ForeignKeys))
	}
	// by the joinery tag
	a = assoc(t)(s.BelongsTo("Post", "User", include.As("writer"), include.ForeignKey("author_id")))
	if a.FieldName != "Writer" {
		t.Fatalf("as writer: field %q, want the field tagged joinery:\"writer\"", a.FieldName)
	}
	// by include.Field
	a = assoc(t)(s.BelongsTo("Post", "User", include.As("editor"), include.ForeignKey("author_id"), include.Field("Reviewer")))
	if a.FieldName != "Reviewer" {
		t.Fatalf("Field(Reviewer): field %q", a.FieldName)
	}
	// include.Field naming a missing field
	_, err := s.BelongsTo("Post", "User", include.As("boss"), include.ForeignKey("author_id"), include.Field("Boss"))
	wantDefErr(t, err, "Post has no field for it", "add `Boss *User` to Post", "include.Field(")
}

type taggedPost struct {
	ID       int64 `db:"id"`
	AuthorID int64 `db:"author_id"`
	Author   *User
	Owner    *User `joinery:"author"`
}

func TestTagWinsOverName(t *testing.T) {
	s := include.NewSchema()
	define(t, s, User{}, "users")
	define(t, s, taggedPost{}, "posts", include.Name("Post"))
	a := assoc(t)(s.BelongsTo("Post", "User", include.As("author")))
	if a.FieldName != "Owner" {
		t.Fatalf("field = %q, want Owner (tagged joinery:\"author\")", a.FieldName)
	}
}

func TestMissingAssociationField(t *testing.T) {
	s := blogSchema(t)
	_, err := s.HasMany("User", "Comment")
	wantDefErr(t, err, `HasMany(User, Comment) as "Comments"`, "User has no field for it",
		"add `Comments []Comment` to User", "joinery:\"Comments\"", "include.Field(")

	_, err = s.BelongsTo("Comment", "User")
	wantDefErr(t, err, "Comment has no field for it", "add `User *User` to Comment", "include.Field(")

	_, err = s.BelongsTo("Comment", "Post", include.As("parent"), include.ForeignKey("post_id"))
	wantDefErr(t, err, "add `Parent *Post` to Comment", `joinery:"parent"`)

	if n := len(s.Model("User").Associations()) + len(s.Model("Comment").Associations()); n != 0 {
		t.Fatalf("failed associations were registered: %d", n)
	}
}

type toOneSlice struct {
	ID     int64 `db:"id"`
	UserID int64 `db:"user_id"`
	User   []User
}

type toOneWrong struct {
	ID     int64 `db:"id"`
	UserID int64 `db:"user_id"`
	User   *Group
}

type toManyPointer struct {
	ID    int64 `db:"id"`
	Posts *Post
}

type toManyWrongElem struct {
	ID    int64 `db:"id"`
	Posts []Comment
}

type toManyPtrPtr struct {
	ID    int64 `db:"id"`
	Posts []**Post
}

func TestMistypedAssociationField(t *testing.T) {
	s := blogSchema(t)
	define(t, s, toOneSlice{}, "a", include.Name("A"))
	define(t, s, toOneWrong{}, "b", include.Name("B"))
	define(t, s, toManyPointer{}, "c", include.Name("C"))
	define(t, s, toManyWrongElem{}, "d", include.Name("D"))
	define(t, s, toManyPtrPtr{}, "e", include.Name("E"))

	_, err := s.BelongsTo("A", "User")
	wantDefErr(t, err, "field toOneSlice.User is []include_test.User", "it must be *User (or User)")

	_, err = s.BelongsTo("B", "User")
	wantDefErr(t, err, "field toOneWrong.User is *include_test.Group", "it must be *User (or User)")

	_, err = s.HasMany("C", "Post", include.ForeignKey("user_id"))
	wantDefErr(t, err, "field toManyPointer.Posts is *include_test.Post", "it must be []Post (or []*Post)")

	_, err = s.HasMany("D", "Post", include.ForeignKey("user_id"))
	wantDefErr(t, err, "field toManyWrongElem.Posts is []include_test.Comment", "it must be []Post (or []*Post)")

	_, err = s.HasMany("E", "Post", include.ForeignKey("user_id"))
	wantDefErr(t, err, "field toManyPtrPtr.Posts is []**include_test.Post", "it must be []Post (or []*Post)")
}

func TestUnknownForeignKeyColumn(t *testing.T) {
	s := blogSchema(t)
	// struct: the default foreign key group_id is not on Post
	_, err := s.BelongsTo("Post", "Group", include.Field("User"))
	wantDefErr(t, err, `BelongsTo(Post, Group) as "Group"`, `foreign key "group_id" is not a column of Post`,
		"table posts", "columns: id, user_id, author_id, title", "add a field tagged `db:\"group_id\"` to Post", "include.ForeignKey(")
	// struct, HasMany: the key is looked up on the target
	_, err = s.HasMany("Group", "Post", include.Field("Posts"))
	wantDefErr(t, err, `foreign key "group_id" is not a column of Post`, "include.ForeignKey(")
	// an explicit foreign key
	_, err = s.HasMany("User", "Post", include.ForeignKey("owner_id"))
	wantDefErr(t, err, `foreign key "owner_id" is not a column of Post`, "add a field tagged `db:\"owner_id\"` to Post")
	// unknown target / source keys
	_, err = s.BelongsTo("Post", "User", include.TargetKey("uuid"))
	wantDefErr(t, err, `target key "uuid" is not a column of User`, "include.TargetKey(")
	_, err = s.HasMany("User", "Post", include.SourceKey("uuid"))
	wantDefErr(t, err, `source key "uuid" is not a column of User`, "include.SourceKey(")

	// map models: no struct field to add, but the option to pass
	m := include.NewSchema()
	defineMap(t, m, "User", "users", attrs("id", "name"))
	defineMap(t, m, "Post", "posts", attrs("id", "authorId", "title"))
	_, err = m.BelongsTo("Post", "User")
	wantDefErr(t, err, `foreign key "user_id" is not a column of Post`, "columns: id, authorId, title", "include.ForeignKey(")
	if err != nil && strings.Contains(err.Error(), "add a field") {
		t.Errorf("a run-time model's error must not suggest a struct field: %v", err)
	}
	_, err = m.HasMany("User", "Post")
	wantDefErr(t, err, `foreign key "user_id" is not a column of Post`, "include.ForeignKey(")
}

func TestDuplicateAlias(t *testing.T) {
	s := blogSchema(t)
	assoc(t)(s.HasMany("User", "Post"))
	_, err := s.HasMany("User", "Post")
	wantDefErr(t, err, `HasMany(User, Post) as "Posts"`, "duplicate alias", `User already has an association "Posts" (HasMany -> Post)`, "include.As")
	_, err = s.HasMany("User", "Post", include.As("posts"))
	wantDefErr(t, err, "duplicate alias", `"Posts"`, "include.As")
	_, err = s.BelongsToMany("User", "Post", include.As("POSTS"), include.Through("x"))
	wantDefErr(t, err, "duplicate alias", "include.As")
	if n := len(s.Model("User").Associations()); n != 1 {
		t.Fatalf("User has %d associations, want 1", n)
	}
	// the same alias on another source is fine
	assoc(t)(s.HasMany("Post", "Comment", include.As("Posts"), include.ForeignKey("post_id"), include.Field("Comments")))
}

func TestJoinModelWithoutKeys(t *testing.T) {
	s := blogSchema(t)
	define(t, s, halfMembership{}, "half", include.Name("Half"))
	define(t, s, otherHalf{}, "other_half", include.Name("OtherHalf"))

	_, err := s.BelongsToMany("User", "Group", include.ThroughModel("Half"))
	wantDefErr(t, err, `BelongsToMany(User, Group) as "Groups"`, "join model Half lacks its other key",
		`"group_id" is not a column of Half`, "add a field tagged `db:\"group_id\"` to halfMembership", "include.OtherKey(")

	_, err = s.BelongsToMany("User", "Group", include.ThroughModel("OtherHalf"))
	wantDefErr(t, err, "join model OtherHalf lacks its foreign key", `"user_id" is not a column of OtherHalf`,
		"add a field tagged `db:\"user_id\"` to otherHalf", "include.ForeignKey(")

	_, err = s.BelongsToMany("User", "Group", include.ThroughModel("Membership"), include.OtherKey("team_id"))
	wantDefErr(t, err, "join model Membership lacks its other key", `"team_id"`, "include.OtherKey(")

	_, err = s.BelongsToMany("User", "Group", include.ThroughModel("Nope"))
	wantDefErr(t, err, `unknown join model "Nope"`, "register it first")

	_, err = s.BelongsToMany("User", "Group", include.ThroughModel("Membership"), include.Through("memberships"))
	wantDefErr(t, err, "include.Through or include.ThroughModel, not both")

	_, err = s.BelongsToMany("User", "Group", include.ThroughModel("Membership"),
		include.WithThroughScope(scope.Eq("kind", "x")))
	wantDefErr(t, err, "through scope", `column "kind" is not a column of model Membership`)

	defineMap(t, s, "MapJoin", "map_join", attrs("id", "user_id", "group_id"))
	_, err = s.BelongsToMany("User", "Group", include.ThroughModel("MapJoin"))
	wantDefErr(t, err, "join model MapJoin must be defined the same way as User")

	if n := len(s.Model("User").Associations()); n != 0 {
		t.Fatalf("failed associations were registered: %d", n)
	}
}

func TestBelongsToManyThroughOptions(t *testing.T) {
	s := blogSchema(t)
	_, err := s.BelongsToMany("User", "Group")
	wantDefErr(t, err, "a BelongsToMany needs a join table", `include.Through("table")`, `include.ThroughModel("Model")`)

	_, err = s.BelongsToMany("User", "Group", include.Through("user_groups"), include.NonUnique())
	wantDefErr(t, err, "NonUnique needs a join model", "include.ThroughModel")

	_, err = s.BelongsToMany("User", "Group", include.Through("user_groups"),
		include.WithThroughScope(scope.Eq(`ug.role`, "admin")))
	wantDefErr(t, err, `through scope column "ug.role" must be a bare column name`)

	a := assoc(t)(s.BelongsToMany("User", "Group", include.Through("user_groups"),
		include.WithThroughScope(scope.Eq("role", "admin")), include.WithThroughScope(scope.Eq("active", true))))
	if a.Through != nil || a.ThroughTable != "user_groups" || key(a.ForeignKeys) != "user_id" || key(a.OtherKeys) != "group_id" {
		t.Fatalf("Through table association = %+v", *a)
	}
	if got := a.ThroughScope.Columns(); !reflect.DeepEqual(got, []string{"active", "role"}) {
		t.Fatalf("ThroughScope columns = %v, want both scopes merged", got)
	}

	s2 := blogSchema(t)
	// the join model's primary key is the pair: links cannot repeat
	_, err = s2.BelongsToMany("User", "Group", include.ThroughModel("Membership"), include.NonUnique())
	wantDefErr(t, err, "NonUnique needs the join model Membership to have a primary key of its own", `include.PrimaryKey("id")`)
	define(t, s2, link{}, "links", include.Name("Link"))
	a = assoc(t)(s2.BelongsToMany("User", "Group", include.ThroughModel("Link"), include.NonUnique(),
		include.WithThroughScope(scope.Eq("role", "admin"))))
	if a.Unique || a.Through != s2.Model("Link") || a.ThroughTable != "links" {
		t.Fatalf("NonUnique join model: Unique = %v, Through = %v", a.Unique, a.Through)
	}
	if got := a.ThroughScope.Columns(); !reflect.DeepEqual(got, []string{"role"}) {
		t.Fatalf("ThroughScope columns = %v", got)
	}
}

func TestUnknownModels(t *testing.T) {
	s := blogSchema(t)
	_, err := s.HasMany("Nope", "Post")
	wantDefErr(t, err, `HasMany(Nope, Post)`, `unknown model "Nope"`, "register it with Define or DefineMap first", "known: User, Profile, Post")
	_, err = s.BelongsTo("Post", "Ghost")
	wantDefErr(t, err, `unknown model "Ghost"`, "register it with Define or DefineMap first")
}

func TestStructAndMapModelsCannotBeAssociated(t *testing.T) {
	s := blogSchema(t)
	defineMap(t, s, "Tag", "tags", attrs("id", "user_id", "name"))
	_, err := s.HasMany("User", "Tag")
	wantDefErr(t, err, "a struct model and a run-time (map) model cannot be associated", "define both the same way")
	_, err = s.BelongsTo("Tag", "User")
	wantDefErr(t, err, "cannot be associated", "define both the same way")
}

func TestCompositePrimaryKeyNeedsKeys(t *testing.T) {
	s := include.NewSchema()
	defineMap(t, s, "Pair", "pairs", attrs("a", "b", "pair_a"), include.PrimaryKey("a", "b"))
	defineMap(t, s, "Item", "items", attrs("id", "pair_id", "pair_a"))
	defineMap(t, s, "Tag", "tags", attrs("id"))

	_, err := s.HasMany("Pair", "Item")
	wantDefErr(t, err, "Pair has a composite primary key", "include.SourceKey")
	_, err = s.HasOne("Pair", "Item")
	wantDefErr(t, err, "Pair has a composite primary key", "include.SourceKey")
	_, err = s.BelongsTo("Item", "Pair")
	wantDefErr(t, err, "Pair has a composite primary key", "include.TargetKey")
	_, err = s.BelongsToMany("Pair", "Tag", include.Through("pair_tags"))
	wantDefErr(t, err, "Pair has a composite primary key", "include.SourceKey")
	_, err = s.BelongsToMany("Tag", "Pair", include.Through("pair_tags"))
	wantDefErr(t, err, "Pair has a composite primary key", "include.TargetKey")

	a := assoc(t)(s.HasMany("Pair", "Item", include.SourceKey("a")))
	if key(a.SourceKeys) != "a" || key(a.ForeignKeys) != "pair_a" {
		t.Fatalf("HasMany with SourceKey: %+v", *a)
	}
	a = assoc(t)(s.BelongsTo("Item", "Pair", include.TargetKey("a")))
	if key(a.TargetKeys) != "a" || key(a.ForeignKeys) != "pair_a" {
		t.Fatalf("BelongsTo with TargetKey: %+v", *a)
	}
}

func TestSelfAssociationNeedsDistinctKeys(t *testing.T) {
	s := include.NewSchema()
	defineMap(t, s, "Person", "people", attrs("id", "name"))
	// default alias Persons -> both keys person_id
	_, err := s.BelongsToMany("Person", "Person", include.Through("friendships"))
	wantDefErr(t, err, `BelongsToMany(Person, Person) as "Persons"`, `foreign key and other key are both "person_id"`,
		"self-association needs distinct keys", "include.ForeignKey and include.OtherKey")
	_, err = s.BelongsToMany("Person", "Person", include.As("friends"), include.Through("friendships"),
		include.ForeignKey("friend_id"))
	wantDefErr(t, err, `both "friend_id"`, "include.ForeignKey and include.OtherKey")

	a := assoc(t)(s.BelongsToMany("Person", "Person", include.As("friends"), include.Through("friendships"),
		include.ForeignKey("person_id"), include.OtherKey("friend_id")))
	if key(a.ForeignKeys) != "person_id" || key(a.OtherKeys) != "friend_id" || a.Source != a.Target {
		t.Fatalf("self association = %+v", *a)
	}
}

func TestScopeUnknownColumn(t *testing.T) {
	s := blogSchema(t)
	_, err := s.HasMany("User", "Post", include.WithScope(scope.Eq("published", true)))
	wantDefErr(t, err, `HasMany(User, Post) as "Posts": scope`, `column "published" is not a column of model Post`,
		"columns: id, user_id, author_id, title")
	_, err = s.BelongsTo("Post", "User", include.WithScope(scope.New(sq.Or{sq.Eq{"name": "a"}, sq.Like{"email": "x"}})))
	wantDefErr(t, err, `column "email" is not a column of model User`)

	a := assoc(t)(s.HasMany("User", "Post", include.WithScope(scope.Eq("title", "a")), include.WithScope(scope.Eq("author_id", 1))))
	if got := a.Scope.Columns(); !reflect.DeepEqual(got, []string{"author_id", "title"}) {
		t.Fatalf("Scope columns = %v, want both scopes merged", got)
	}
	if !a.ThroughScope.Empty() {
		t.Fatal("ThroughScope must be empty")
	}
}

type Team struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

type Game struct {
	ID         int64 `db:"id"`
	HomeTeamID int64 `db:"home_team_id"`
	AwayTeamID int64 `db:"away_team_id"`
	HomeTeam   *Team
	AwayTeam   *Team
}

func TestTwoAssociationsToTheSameTable(t *testing.T) {
	s := include.NewSchema()
	define(t, s, Team{}, "teams")
	define(t, s, Game{}, "games")
	home := assoc(t)(s.BelongsTo("Game", "Team", include.As("homeTeam")))
	away := assoc(t)(s.BelongsTo("Game", "Team", include.As("awayTeam")))
	if key(home.ForeignKeys) != "home_team_id" || home.FieldName != "HomeTeam" || key(home.TargetKeys) != "id" {
		t.Fatalf("homeTeam = %+v", *home)
	}
	if key(away.ForeignKeys) != "away_team_id" || away.FieldName != "AwayTeam" {
		t.Fatalf("awayTeam = %+v", *away)
	}
	if home.FieldName == away.FieldName {
		t.Fatal("the two associations share a field")
	}
	g := s.Model("Game")
	if g.Association("homeTeam") != home || g.Association("HomeTeam") != home || g.Association("awayteam") != away {
		t.Fatal("Association lookup by alias failed")
	}

	c := include.NewSchema(include.WithNaming(include.CamelCase))
	defineMap(t, c, "Team", "teams", attrs("id", "name"))
	defineMap(t, c, "Game", "games", attrs("id", "homeTeamId", "awayTeamId"))
	home = assoc(t)(c.BelongsTo("Game", "Team", include.As("homeTeam")))
	away = assoc(t)(c.BelongsTo("Game", "Team", include.As("awayTeam")))
	if key(home.ForeignKeys) != "homeTeamId" || key(away.ForeignKeys) != "awayTeamId" || home.FieldName != "" {
		t.Fatalf("camel: home fk %q, away fk %q", key(home.ForeignKeys), key(away.ForeignKeys))
	}
}

// TestDefaultKeys checks Sequelize's default key names in both conventions, on run-time models.
func TestDefaultKeys(t *testing.T) {
	type want struct{ as, fk, sk, tk, ok string }
	for _, naming := range []include.Naming{include.SnakeCase, include.CamelCase} {
		name := map[include.Naming]string{include.SnakeCase: "snake", include.CamelCase: "camel"}[naming]
		t.Run(name, func(t *testing.T) {
			p := func(snake, camel string) string {
				if naming == include.CamelCase {
					return camel
				}
				return snake
			}
			s := include.NewSchema(include.WithNaming(naming))
			defineMap(t, s, "User", "users", attrs("id", "name", "uuid"))
			defineMap(t, s, "Post", "posts", attrs("id", p("user_id", "userId"), p("author_id", "authorId"), p("user_uuid", "userUuid")))
			defineMap(t, s, "Profile", "profiles", attrs("id", p("user_id", "userId"), p("owner_id", "ownerId"), p("admin_id", "adminId")))
			defineMap(t, s, "Group", "groups", attrs("id", "name"))
			defineMap(t, s, "Person", "people", attrs("id", "name"))
			defineMap(t, s, "BlogPost", "blog_posts", attrs("id", "title"))
			defineMap(t, s, "Comment", "comments", attrs("id", p("blog_post_id", "blogPostId")))
			defineMap(t, s, "Category", "categories", attrs("id", p("blog_post_id", "blogPostId")))

			cases := []struct {
				desc string
				reg  func() (*include.Association, error)
				want want
			}{
				{"BelongsTo Post->User", func() (*include.Association, error) { return s.BelongsTo("Post", "User") },
					want{"User", p("user_id", "userId"), "", "id", ""}},
				{"BelongsTo Post->User as author", func() (*include.Association, error) { return s.BelongsTo("Post", "User", include.As("author")) },
					want{"author", p("author_id", "authorId"), "", "id", ""}},
				{"BelongsTo Post->User by uuid", func() (*include.Association, error) {
					return s.BelongsTo("Post", "User", include.As("owner"), include.TargetKey("uuid"), include.ForeignKey(p("user_uuid", "userUuid")))
				}, want{"owner", p("user_uuid", "userUuid"), "", "uuid", ""}},
				{"HasMany User->Post", func() (*include.Association, error) { return s.HasMany("User", "Post") },
					want{"Posts", p("user_id", "userId"), "id", "", ""}},
				{"HasMany User->Post by uuid", func() (*include.Association, error) {
					return s.HasMany("User", "Post", include.As("uuidPosts"), include.SourceKey("uuid"))
				}, want{"uuidPosts", p("user_uuid", "userUuid"), "uuid", "", ""}},
				{"HasOne User->Profile", func() (*include.Association, error) { return s.HasOne("User", "Profile") },
					want{"Profile", p("user_id", "userId"), "id", "", ""}},
				{"HasOne User->Profile as owner", func() (*include.Association, error) { return s.HasOne("User", "Profile", include.As("owner")) },
					want{"owner", p("owner_id", "ownerId"), "id", "", ""}},
				{"HasOne User->Profile as admins (singularized)", func() (*include.Association, error) {
					return s.HasOne("User", "Profile", include.As("admins"))
				}, want{"admins", p("admin_id", "adminId"), "id", "", ""}},
				{"BelongsToMany User->Group", func() (*include.Association, error) {
					return s.BelongsToMany("User", "Group", include.Through("user_groups"))
				}, want{"Groups", p("user_id", "userId"), "id", "id", p("group_id", "groupId")}},
				{"BelongsToMany Person->Person as children", func() (*include.Association, error) {
					return s.BelongsToMany("Person", "Person", include.As("children"), include.Through("person_children"))
				}, want{"children", p("person_id", "personId"), "id", "id", p("child_id", "childId")}},
				{"BelongsToMany Person->Person as parents", func() (*include.Association, error) {
					return s.BelongsToMany("Person", "Person", include.As("parents"), include.Through("person_children"))
				}, want{"parents", p("person_id", "personId"), "id", "id", p("parent_id", "parentId")}},
				{"HasMany BlogPost->Comment", func() (*include.Association, error) { return s.HasMany("BlogPost", "Comment") },
					want{"Comments", p("blog_post_id", "blogPostId"), "id", "", ""}},
				{"HasMany BlogPost->Category", func() (*include.Association, error) { return s.HasMany("BlogPost", "Category") },
					want{"Categories", p("blog_post_id", "blogPostId"), "id", "", ""}},
				{"BelongsTo Comment->BlogPost", func() (*include.Association, error) { return s.BelongsTo("Comment", "BlogPost") },
					want{"BlogPost", p("blog_post_id", "blogPostId"), "", "id", ""}},
			}
			for _, c := range cases {
				a, err := c.reg()
				if err != nil {
					t.Errorf("%s: %v", c.desc, err)
					continue
				}
				got := want{a.As, key(a.ForeignKeys), key(a.SourceKeys), key(a.TargetKeys), key(a.OtherKeys)}
				if got != c.want {
					t.Errorf("%s: got %+v, want %+v", c.desc, got, c.want)
				}
			}
			if err := s.Err(); err != nil {
				t.Fatalf("Err = %v", err)
			}
		})
	}
}

func TestKeysResolveAttributesToColumns(t *testing.T) {
	s := include.NewSchema(include.WithNaming(include.CamelCase))
	defineMap(t, s, "User", "users", []include.Attr{{Name: "id", Column: "user_pk"}, {Name: "name"}})
	defineMap(t, s, "Post", "posts", []include.Attr{{Name: "id"}, {Name: "userId", Column: "user_id"}})
	defineMap(t, s, "Group", "groups", []include.Attr{{Name: "id", Column: "group_pk"}})
	defineMap(t, s, "UserGroup", "user_groups", []include.Attr{
		{Name: "id"}, {Name: "userId", Column: "user_id"}, {Name: "groupId", Column: "group_id"},
	})
	// the derived name is userId (attribute names, CamelCase), stored as the column user_id
	a := assoc(t)(s.BelongsTo("Post", "User"))
	if key(a.ForeignKeys) != "user_id" || key(a.TargetKeys) != "user_pk" {
		t.Fatalf("BelongsTo keys: fk %q tk %q, want columns user_id, user_pk", key(a.ForeignKeys), key(a.TargetKeys))
	}
	a = assoc(t)(s.HasMany("User", "Post"))
	if key(a.ForeignKeys) != "user_id" || key(a.SourceKeys) != "user_pk" {
		t.Fatalf("HasMany keys: fk %q sk %q", key(a.ForeignKeys), key(a.SourceKeys))
	}
	a = assoc(t)(s.BelongsToMany("User", "Group", include.ThroughModel("UserGroup")))
	if key(a.ForeignKeys) != "user_id" || key(a.OtherKeys) != "group_id" || key(a.SourceKeys) != "user_pk" || key(a.TargetKeys) != "group_pk" {
		t.Fatalf("BelongsToMany keys: %+v", *a)
	}
	// explicit keys may name the column too
	a = assoc(t)(s.BelongsTo("Post", "User", include.As("writer"), include.ForeignKey("user_id"), include.TargetKey("user_pk")))
	if key(a.ForeignKeys) != "user_id" || key(a.TargetKeys) != "user_pk" {
		t.Fatalf("explicit column keys: %+v", *a)
	}
}

func polySchema(t *testing.T) *include.Schema {
	t.Helper()
	s := include.NewSchema()
	defineMap(t, s, "Post", "posts", attrs("id", "title", "kind"))
	defineMap(t, s, "Image", "images", attrs("id", "url"))
	defineMap(t, s, "Comment", "comments", attrs("id", "commentable_type", "commentable_id", "body"))
	defineMap(t, s, "Tag", "tags", attrs("id", "name"))
	return s
}

func TestPolymorphic(t *testing.T) {
	s := polySchema(t)
	hm := assoc(t)(s.HasMany("Post", "Comment", include.ForeignKey("commentable_id"), include.Polymorphic("commentable_type"),
		include.WithScope(scope.Eq("body", "x"))))
	if got := hm.Scope.Defaults(); !reflect.DeepEqual(got, map[string]any{"commentable_type": "Post", "body": "x"}) {
		t.Fatalf("HasMany scope = %v, want the type test (source name) and the scope", got)
	}
	if !hm.SourceScope.Empty() || !hm.ThroughScope.Empty() {
		t.Fatal("a polymorphic HasMany scopes only the target")
	}
	ho := assoc(t)(s.HasOne("Image", "Comment", include.As("caption"), include.ForeignKey("commentable_id"),
		include.Polymorphic("commentable_type", "img")))
	if got := ho.Scope.Defaults(); !reflect.DeepEqual(got, map[string]any{"commentable_type": "img"}) {
		t.Fatalf("HasOne scope = %v, want the explicit value", got)
	}
	bt := assoc(t)(s.BelongsTo("Comment", "Post", include.As("post"), include.ForeignKey("commentable_id"),
		include.Polymorphic("commentable_type")))
	if got := bt.SourceScope.Defaults(); !reflect.DeepEqual(got, map[string]any{"commentable_type": "Post"}) {
		t.Fatalf("BelongsTo source scope = %v, want the target's name", got)
	}
	if !bt.Scope.Empty() {
		t.Fatalf("BelongsTo target scope = %v, want empty", bt.Scope.Columns())
	}
	btm := assoc(t)(s.BelongsToMany("Post", "Tag", include.Through("taggings"), include.ForeignKey("taggable_id"),
		include.Polymorphic("taggable_type")))
	if got := btm.ThroughScope.Defaults(); !reflect.DeepEqual(got, map[string]any{"taggable_type": "Post"}) {
		t.Fatalf("BelongsToMany through scope = %v", got)
	}
	if key(btm.ForeignKeys) != "taggable_id" || key(btm.OtherKeys) != "tag_id" || !btm.Scope.Empty() {
		t.Fatalf("BelongsToMany = %+v", *btm)
	}
}

func TestPolymorphicAndSourceScopeErrors(t *testing.T) {
	s := polySchema(t)
	_, err := s.HasMany("Post", "Comment", include.ForeignKey("commentable_id"), include.Polymorphic("owner_type"))
	wantDefErr(t, err, `HasMany(Post, Comment) as "Comments": scope`, `column "owner_type" is not a column of model Comment`)

	_, err = s.BelongsTo("Comment", "Post", include.ForeignKey("commentable_id"), include.Polymorphic("owner_type"))
	wantDefErr(t, err, "source scope", `column "owner_type" is not a column of model Comment`)

	_, err = s.HasMany("Post", "Comment", include.ForeignKey("commentable_id"), include.WithSourceScope(scope.Eq("draft", false)))
	wantDefErr(t, err, "source scope", `column "draft" is not a column of model Post`)

	a := assoc(t)(s.HasMany("Post", "Comment", include.ForeignKey("commentable_id"),
		include.WithSourceScope(scope.Eq("kind", "blog")), include.WithSourceScope(scope.Eq("title", "t"))))
	if got := a.SourceScope.Columns(); !reflect.DeepEqual(got, []string{"kind", "title"}) {
		t.Fatalf("SourceScope columns = %v, want both scopes merged", got)
	}
}

type fcUser struct {
	ID     int64    `db:"id"`
	Posts  []fcPost `joinery:"drafts"`
	Others []fcPost
}

type fcPost struct {
	ID     int64 `db:"id"`
	UserID int64 `db:"user_id"`
}

// A field tagged for one alias is not taken by name for another, and two associations never
// share a field.
func TestFieldTaggedForAnotherAliasIsNotReused(t *testing.T) {
	s := include.NewSchema()
	if _, err := s.Define(fcUser{}, "users", include.Name("User")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Define(fcPost{}, "posts", include.Name("Post")); err != nil {
		t.Fatal(err)
	}
	a, err := s.HasMany("User", "Post", include.As("drafts"))
	if err != nil || a.FieldName != "Posts" {
		t.Fatalf("drafts: %v %v", a, err)
	}
	_, err = s.HasMany("User", "Post", include.As("posts"))
	if !errors.Is(err, include.ErrDefinition) || !strings.Contains(err.Error(), "has no field") {
		t.Fatalf("posts must not take the field tagged drafts: %v", err)
	}
	_, err = s.HasMany("User", "Post", include.As("more"), include.Field("Posts"))
	if !errors.Is(err, include.ErrDefinition) || !strings.Contains(err.Error(), `already receives association "drafts"`) {
		t.Fatalf("shared field: %v", err)
	}
}

// key writes a key's columns as one string: "tenant_id,user_id".
func key(cols []string) string { return strings.Join(cols, ",") }
