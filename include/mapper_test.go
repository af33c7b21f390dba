package include_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/meta"
	"github.com/joinery/joinery/scope"
)

func TestSnakeCaseColumnNames(t *testing.T) {
	for _, c := range []struct{ in, snake, camel string }{
		{"UserID", "user_id", "userId"},
		{"HTTPServer", "http_server", "httpServer"},
		{"ID", "id", "id"},
		{"CreatedAt", "created_at", "createdAt"},
		{"Name", "name", "name"},
		// acronyms: kept whole, split before the next word, plural s kept
		{"JSONData", "json_data", "jsonData"},
		{"APIKey", "api_key", "apiKey"},
		{"HomeTeamID", "home_team_id", "homeTeamId"},
		{"UserIDs", "user_ids", "userIds"},
		{"URLs", "urls", "urls"},
		{"IDsFor", "ids_for", "idsFor"},
		{"XMLHTTPRequest", "xmlhttp_request", "xmlhttpRequest"},
		// digits stay with the word before them; a letter after a digit starts a word
		{"Address2", "address2", "address2"},
		{"UserID2", "user_id2", "userId2"},
		{"V2Thing", "v2_thing", "v2Thing"},
		{"MD5Sum", "md5_sum", "md5Sum"},
		{"Base64Encoded", "base64_encoded", "base64Encoded"},
		// already snake (or partly): unchanged words
		{"already_snake", "already_snake", "alreadySnake"},
		{"Already_Snake", "already_snake", "alreadySnake"},
		{"Field_1", "field_1", "field1"},
		// single letters
		{"A", "a", "a"},
		{"X1", "x1", "x1"},
		{"AB", "ab", "ab"},
		{"ABc", "a_bc", "aBc"},
		// not ASCII
		{"ÄpfelZahl", "äpfel_zahl", "äpfelZahl"},
	} {
		if got := include.SnakeCase.ColumnName(c.in); got != c.snake {
			t.Errorf("SnakeCase.ColumnName(%q) = %q, want %q", c.in, got, c.snake)
		}
		if got := include.CamelCase.ColumnName(c.in); got != c.camel {
			t.Errorf("CamelCase.ColumnName(%q) = %q, want %q", c.in, got, c.camel)
		}
	}
	if got := include.ColumnFunc(strings.ToUpper).ColumnName("UserID"); got != "USERID" {
		t.Errorf("ColumnFunc(ToUpper) = %q", got)
	}
	if got := fmt.Sprint(include.SnakeCase, " ", include.CamelCase, " ", include.Naming(9)); got != "SnakeCase CamelCase Naming(9)" {
		t.Errorf("Naming.String = %q", got)
	}
}

// mUser and mPost are untagged, as structs shared with other code or generated often are.
type mUser struct {
	ID        int64
	Name      string
	CreatedAt string
	Posts     []mPost
}

type mPost struct {
	ID     int64
	UserID int64
	Title  string
	User   *mUser
}

// mTagged mixes tags and untagged fields.
type mTagged struct {
	ID       int64  `db:"id"`
	UserID   int64  // mapped
	LegacyID int64  `db:"LegacyId"` // the tag wins over the mapper
	Secret   string `db:"-"`        // still skipped
	HTTPHost string `db:",omitempty"`
	mEmbedded
}

type mEmbedded struct {
	UpdatedAt string
}

func columns(m *include.Model) []string {
	var out []string
	for _, a := range m.Attrs() {
		out = append(out, a.Name+"="+a.Column)
	}
	return out
}

func TestColumnMapperAndTags(t *testing.T) {
	s := include.NewSchema(include.WithColumnNames(include.SnakeCase))
	m := define(t, s, mTagged{}, "tagged")
	want := []string{"id=id", "userid=user_id", "LegacyId=LegacyId", "httphost=http_host", "updatedat=updated_at"}
	if got := columns(m); !reflect.DeepEqual(got, want) {
		t.Fatalf("attrs = %v, want %v", got, want)
	}
	if got, want := m.AttrNames(), []string{"id", "user_id", "LegacyId", "http_host", "updated_at"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("AttrNames = %v, want the columns %v", got, want)
	}
	// a name resolves as a column and as the field's sqlx name, to the same field
	for _, name := range []string{"user_id", "userid"} {
		a, ok := m.Attr(name)
		if !ok || a.Column != "user_id" || !reflect.DeepEqual(a.Index, []int{1}) {
			t.Errorf("Attr(%q) = %+v, %v", name, a, ok)
		}
	}
	a, _ := m.Attr("updated_at")
	if !reflect.DeepEqual(a.Index, []int{5, 0}) || a.GoType != reflect.TypeOf("") {
		t.Errorf("embedded field attr = %+v", a)
	}
	if _, ok := m.Attr("secret"); ok {
		t.Error(`db:"-" field became a column`)
	}
	if s.ColumnNames() != include.SnakeCase {
		t.Errorf("ColumnNames() = %v", s.ColumnNames())
	}
}

func TestDefaultColumnNamesAreSqlx(t *testing.T) {
	for _, s := range []*include.Schema{
		include.NewSchema(),
		include.NewSchema(include.WithColumnNames(nil)),
		include.NewSchema(include.WithColumnNames(include.ColumnFunc(nil))),
	} {
		m := define(t, s, mTagged{}, "tagged")
		want := []string{"id=id", "userid=userid", "LegacyId=LegacyId", "httphost=httphost", "updatedat=updatedat"}
		if got := columns(m); !reflect.DeepEqual(got, want) {
			t.Fatalf("attrs = %v, want %v", got, want)
		}
		if s.ColumnNames() != nil {
			t.Errorf("ColumnNames() = %v, want nil", s.ColumnNames())
		}
	}
}

// TestSchemasWithDifferentMappersShareAType registers one struct type in schemas with
// different mappers, concurrently: each sees its own columns, and the per-type metadata is
// one cached value (run with -race).
func TestSchemasWithDifferentMappersShareAType(t *testing.T) {
	mappers := []include.ColumnMapper{nil, include.SnakeCase, include.CamelCase, include.ColumnFunc(strings.ToUpper)}
	want := [][]string{
		{"id=id", "userid=userid", "title=title"},
		{"id=id", "userid=user_id", "title=title"},
		{"id=id", "userid=userId", "title=title"},
		{"id=ID", "userid=USERID", "title=TITLE"},
	}
	for round := 0; round < 2; round++ {
		schemas := make([]*include.Schema, len(mappers))
		var wg sync.WaitGroup
		for i := range mappers {
			// the second round registers in the opposite order
			if round == 1 {
				i = len(mappers) - 1 - i
			}
			schemas[i] = include.NewSchema(include.WithColumnNames(mappers[i]))
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := schemas[i].Define(mPost{}, "posts"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		for i, s := range schemas {
			m := s.Model("mPost")
			if m == nil {
				t.Fatalf("mapper %d: not registered", i)
			}
			if got := columns(m); !reflect.DeepEqual(got, want[i]) {
				t.Errorf("round %d, mapper %d: attrs = %v, want %v", round, i, got, want[i])
			}
			if got := m.PrimaryKey(); len(got) != 1 || got[0] != strings.Split(want[i][0], "=")[1] {
				t.Errorf("round %d, mapper %d: primary key %v", round, i, got)
			}
		}
	}
	a, _ := meta.Of(reflect.TypeOf(mPost{}))
	b, _ := meta.Of(reflect.TypeOf(&mPost{}))
	if a != b || a.Column("userid") == nil {
		t.Fatalf("meta.Of(mPost) = %p, %p: want one cached value keyed by sqlx names", a, b)
	}
}

func TestMapperDerivesDefaultKeys(t *testing.T) {
	s := include.NewSchema(include.WithColumnNames(include.SnakeCase))
	define(t, s, mUser{}, "users", include.Name("User"))
	define(t, s, mPost{}, "posts", include.Name("Post"))
	hm := assoc(t)(s.HasMany("User", "Post", include.As("Posts")))
	if key(hm.ForeignKeys) != "user_id" || key(hm.SourceKeys) != "id" || hm.FieldName != "Posts" {
		t.Fatalf("HasMany = %+v", *hm)
	}
	bt := assoc(t)(s.BelongsTo("Post", "User", include.As("User")))
	if key(bt.ForeignKeys) != "user_id" || key(bt.TargetKeys) != "id" || bt.FieldName != "User" {
		t.Fatalf("BelongsTo = %+v", *bt)
	}
	// a key passed by the field's sqlx name resolves to the mapped column
	s2 := include.NewSchema(include.WithColumnNames(include.SnakeCase))
	define(t, s2, mUser{}, "users", include.Name("User"))
	define(t, s2, mPost{}, "posts", include.Name("Post"))
	if a := assoc(t)(s2.HasMany("User", "Post", include.As("Posts"), include.ForeignKey("userid"))); key(a.ForeignKeys) != "user_id" {
		t.Fatalf("ForeignKey(userid) resolved to %q", key(a.ForeignKeys))
	}

	// CamelCase columns with CamelCase derived keys (Sequelize's default tables)
	c := include.NewSchema(include.WithNaming(include.CamelCase), include.WithColumnNames(include.CamelCase))
	define(t, c, mUser{}, "users", include.Name("User"))
	define(t, c, mPost{}, "posts", include.Name("Post"))
	if a := assoc(t)(c.HasMany("User", "Post", include.As("Posts"))); key(a.ForeignKeys) != "userId" {
		t.Fatalf("camelCase HasMany fk = %q", key(a.ForeignKeys))
	}
}

// mKeyed has a primary key whose column the mapper renames.
type mKeyed struct {
	KeyedID int64
	Name    string
}

type mChild struct {
	ID            int64
	ParentKeyedID int64
	Parent        *mKeyed
}

func TestMapperPrimaryKeysAndScopes(t *testing.T) {
	s := include.NewSchema(include.WithColumnNames(include.SnakeCase))
	// by column or by sqlx name
	for _, pk := range []string{"keyed_id", "keyedid"} {
		s := include.NewSchema(include.WithColumnNames(include.SnakeCase))
		if m := define(t, s, mKeyed{}, "keyed", include.PrimaryKey(pk)); !reflect.DeepEqual(m.PrimaryKey(), []string{"keyed_id"}) {
			t.Errorf("PrimaryKey(%q) = %v", pk, m.PrimaryKey())
		}
	}
	define(t, s, mKeyed{}, "keyed", include.PrimaryKey("keyed_id"), include.DefaultScope(scope.Eq("name", "x")))
	define(t, s, mChild{}, "children")
	define(t, s, mUser{}, "users", include.DefaultScope(scope.Eq("created_at", nil)))
	// the derived key is made of the alias and the referenced column (not its sqlx name
	// keyedid): parent_keyed_id
	bt := assoc(t)(s.BelongsTo("mChild", "mKeyed", include.As("Parent")))
	if key(bt.TargetKeys) != "keyed_id" || key(bt.ForeignKeys) != "parent_keyed_id" {
		t.Fatalf("BelongsTo = %+v", *bt)
	}
}

func TestMissingColumnSuggestsTheMapper(t *testing.T) {
	s := include.NewSchema()
	define(t, s, mUser{}, "users", include.Name("User"))
	define(t, s, mPost{}, "posts", include.Name("Post"))
	_, err := s.HasMany("User", "Post", include.As("Posts"))
	wantDefErr(t, err, `foreign key "user_id" is not a column of Post`, "columns: id, userid, title",
		"field mPost.UserID maps to column userid (untagged fields map to lower-cased Go names)",
		"use include.WithColumnNames(include.SnakeCase) or tag the field `db:\"user_id\"`", "or pass include.ForeignKey(...)")

	// camelCase columns: the CamelCase mapper
	s = include.NewSchema()
	define(t, s, mUser{}, "users", include.Name("User"))
	define(t, s, mPost{}, "posts", include.Name("Post"))
	_, err = s.HasMany("User", "Post", include.As("Posts"), include.ForeignKey("userId"))
	wantDefErr(t, err, "include.WithColumnNames(include.CamelCase)")

	// primary keys and scopes too
	_, err = include.NewSchema().Define(mKeyed{}, "keyed", include.PrimaryKey("keyed_id"))
	wantDefErr(t, err, `primary key "keyed_id" is not a column (columns: keyedid, name); field mKeyed.KeyedID maps to column keyedid`, "include.WithColumnNames(include.SnakeCase)")
	_, err = include.NewSchema().Define(mUser{}, "users", include.DefaultScope(scope.Eq("created_at", nil)))
	wantDefErr(t, err, `column "created_at" is not a column of model mUser`, "field mUser.CreatedAt maps to column createdat", "include.WithColumnNames(include.SnakeCase)")

	// under a mapper, the fix is a tag
	s = include.NewSchema(include.WithColumnNames(include.SnakeCase))
	define(t, s, mUser{}, "users", include.Name("User"))
	define(t, s, mPost{}, "posts", include.Name("Post"))
	_, err = s.HasMany("User", "Post", include.As("Posts"), include.ForeignKey("userId"))
	wantDefErr(t, err, "columns: id, user_id, title", "field mPost.UserID maps to column user_id under the schema's column mapper: tag it `db:\"userId\"`")

	// a tagged field that looks like it
	s = include.NewSchema()
	define(t, s, User{}, "users")
	define(t, s, mTagged{}, "tagged")
	_, err = s.BelongsTo("mTagged", "User", include.ForeignKey("legacy_id"), include.As("Legacy"))
	wantDefErr(t, err, "field mTagged.LegacyID is tagged `db:\"LegacyId\"`: tag it `db:\"legacy_id\"` if that is its column")

	// nothing alike: the generic fix
	_, err = s.HasMany("User", "mTagged", include.ForeignKey("owner_id"))
	wantDefErr(t, err, "add a field tagged `db:\"owner_id\"` to mTagged, or pass include.ForeignKey(...)")
}

type mTwins struct {
	ID      int64
	UserID  int64
	User_ID int64 //nolint:revive // a name that snake-cases like UserID
}

type mShadow struct {
	ID       int64
	UserID   int64
	LegacyID int64 `db:"userid"` // the same sqlx name as UserID
}

type mInner struct{ CreatedAt string }

type mShadowDeep struct {
	ID        int64
	Createdat string // shadows mInner.CreatedAt by sqlx name, not by Go name
	mInner
}

type mPromoted struct {
	ID        int64
	CreatedAt string // shadows mInner.CreatedAt: the same Go name, the same column
	mInner
}

type mKeyCol struct {
	ID  int64
	Foo int64 // column "bar" under the mapper below
	Bar int64 // column "baz"
}

func TestColumnMapperErrors(t *testing.T) {
	_, err := include.NewSchema(include.WithColumnNames(include.SnakeCase)).Define(mTwins{}, "twins")
	wantDefErr(t, err, `model mTwins: column "user_id" is mapped twice`)

	_, err = include.NewSchema(include.WithColumnNames(include.SnakeCase)).Define(mShadow{}, "shadow")
	wantDefErr(t, err, `fields UserID and LegacyID share the db name "userid", so only UserID can be loaded by it`,
		"columns user_id and userid", "tag them (`db:\"user_id\"` on UserID)")
	_, err = include.NewSchema(include.WithColumnNames(include.SnakeCase)).Define(mShadowDeep{}, "deep")
	wantDefErr(t, err, `fields Createdat and CreatedAt share the db name "createdat"`, "`db:\"createdat\"` on Createdat, `db:\"created_at\"` on CreatedAt")
	// without a mapper the sqlx rule holds silently, and a promoted field is one column
	define(t, include.NewSchema(), mShadow{}, "shadow")
	m := define(t, include.NewSchema(include.WithColumnNames(include.SnakeCase)), mPromoted{}, "promoted")
	if got := columns(m); !reflect.DeepEqual(got, []string{"id=id", "createdat=created_at"}) {
		t.Errorf("promoted: %v", got)
	}

	swap := include.ColumnFunc(func(g string) string {
		return map[string]string{"ID": "id", "Foo": "bar", "Bar": "baz"}[g]
	})
	_, err = include.NewSchema(include.WithColumnNames(swap)).Define(mKeyCol{}, "keycol")
	wantDefErr(t, err, `column "bar" of field Foo is also the db name of field Bar, so the name is ambiguous: tag Bar `+"`db:\"baz\"`")

	empty := include.ColumnFunc(func(g string) string {
		if g == "Title" {
			return ""
		}
		return strings.ToLower(g)
	})
	_, err = include.NewSchema(include.WithColumnNames(empty)).Define(mPost{}, "posts")
	wantDefErr(t, err, "model mPost: the column mapper gave field Title no column name; tag it `db:\"column\"`")

	boom := include.ColumnFunc(func(g string) string { panic("boom " + g) })
	s := include.NewSchema(include.WithColumnNames(boom))
	_, err = s.Define(mPost{}, "posts")
	wantDefErr(t, err, "model mPost: the column mapper panicked on field ID: boom ID")
	if s.Err() == nil {
		t.Error("the schema must keep the error")
	}
	// tagged fields never reach the mapper
	define(t, s, Account{}, "accounts")
}

// Through fields of a BelongsToMany target.
type mGroup struct {
	ID      int64
	Name    string
	Role    string `joinery:"through"`          // bare: the mapper names the column
	AddedBy int64  `joinery:"through:added_by"` // tagged: that column
	Since   mSince `joinery:"through"`          // a struct: its column fields
}

type mSince struct {
	JoinedAt string
	Note     string `db:"the_note"`
}

type mBadThrough struct {
	ID   int64
	Tags []string `joinery:"through"`
}

func TestThroughAttrs(t *testing.T) {
	type th struct{ name, column string }
	get := func(m *include.Model) []th {
		var out []th
		for _, a := range m.ThroughAttrs() {
			out = append(out, th{a.Name, a.Column})
		}
		return out
	}
	d := define(t, include.NewSchema(), mGroup{}, "groups")
	if got, want := get(d), []th{{"role", "role"}, {"added_by", "added_by"}, {"joinedat", "joinedat"}, {"the_note", "the_note"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("default: ThroughAttrs = %v, want %v", got, want)
	}
	m := define(t, include.NewSchema(include.WithColumnNames(include.ColumnFunc(strings.ToUpper))), mGroup{}, "groups")
	if got, want := get(m), []th{{"role", "ROLE"}, {"added_by", "added_by"}, {"joinedat", "JOINEDAT"}, {"the_note", "the_note"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("mapped: ThroughAttrs = %v, want %v", got, want)
	}
	snake := define(t, include.NewSchema(include.WithColumnNames(include.SnakeCase)), mGroup{}, "groups")
	at := snake.ThroughAttrs()[2]
	if at.Column != "joined_at" || at.GoType != reflect.TypeOf("") || !reflect.DeepEqual(at.Index, []int{4, 0}) {
		t.Fatalf("through struct field = %+v", at)
	}
	if got := reflect.ValueOf(mGroup{Since: mSince{JoinedAt: "x"}}).FieldByIndex(at.Index).String(); got != "x" {
		t.Fatalf("Index leads to %q", got)
	}
	// through fields are not columns
	if _, ok := snake.Attr("role"); ok {
		t.Fatal("a through field became a column")
	}
	if defineMap(t, include.NewSchema(), "G", "g", attrs("id")).ThroughAttrs() != nil {
		t.Fatal("a run-time model has no through fields")
	}
	_, err := include.NewSchema().Define(mBadThrough{}, "bad")
	wantDefErr(t, err, "model mBadThrough: field Tags is tagged `joinery:\"through\"`", "tag a scalar field, or a struct of column fields")
}
