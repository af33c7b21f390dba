package write_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"testing"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

// by-value belongsTo/hasOne as the first field of the struct
type fUser struct {
	Prof Profile `joinery:"profile"`
	ID   int64   `db:"id"`
	Name string  `db:"name"`
}

func TestReview3S6FirstFieldByValue(t *testing.T) {
	ctx := context.Background()
	s := include.NewSchema()
	s.Define(fUser{}, "users", include.Name("User"))
	s.Define(Profile{}, "profiles")
	s.HasOne("User", "Profile", include.As("profile"), include.ForeignKey("user_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	eachS(t, s, func(t *testing.T, tdb testDB, w *write.Writer) {
		u := &fUser{Name: "ff", Prof: Profile{Bio: "ffb"}}
		must(t)(w.Create(u, "profile").Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT user_id, bio FROM profiles WHERE bio='ffb'", "4|ffb")
	})
}

// hasOne whose primary key is the foreign key
type pkProfile struct {
	UserID int64  `db:"user_id"`
	Bio    string `db:"bio"`
}
type pkUser struct {
	ID   int64      `db:"id"`
	Name string     `db:"name"`
	Prof *pkProfile `joinery:"profile"`
}

func TestReview3S7PKisFK(t *testing.T) {
	ctx := context.Background()
	s := include.NewSchema()
	s.Define(pkUser{}, "users", include.Name("User"))
	s.Define(pkProfile{}, "pk_profiles", include.Name("Profile"), include.PrimaryKey("user_id"))
	s.HasOne("User", "Profile", include.As("profile"), include.ForeignKey("user_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	eachS(t, s, func(t *testing.T, tdb testDB, w *write.Writer) {
		mustExec(t, tdb.db, "DROP TABLE IF EXISTS pk_profiles", "CREATE TABLE pk_profiles (user_id INTEGER PRIMARY KEY REFERENCES users(id), bio TEXT)")
		u := &pkUser{Name: "pk", Prof: &pkProfile{Bio: "pkb"}}
		must(t)(w.Create(u, "profile").Exec(ctx, tdb.db))
		wantRows(t, tdb, "SELECT user_id, bio FROM pk_profiles", "4|pkb")
	})
}

// --- a driver that returns text as []byte, as go-sql-driver/mysql does for VARCHAR ---
type bytesDriver struct{ d driver.Driver }

func (b bytesDriver) Open(name string) (driver.Conn, error) {
	c, err := b.d.Open(name)
	if err != nil {
		return nil, err
	}
	return bconn{c}, nil
}

type bconn struct{ driver.Conn }

func (c bconn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	r, err := c.Conn.(driver.QueryerContext).QueryContext(ctx, q, strArgs(args))
	if err != nil {
		return nil, err
	}
	return brows{r}, nil
}
func (c bconn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, strArgs(args))
}
func (c bconn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, o)
}

type brows struct{ driver.Rows }

func (r brows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	for i, v := range dest {
		if s, ok := v.(string); ok {
			dest[i] = []byte(s)
		}
	}
	return err
}

type Code struct {
	Code string  `db:"code"`
	Name string  `db:"name"`
	Role *string `joinery:"through:role"`
}
type cUser struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Codes []Code `joinery:"codes"`
}

func TestReview3S8TextKeyBytes(t *testing.T) {
	ctx := context.Background()
	s := include.NewSchema()
	s.Define(cUser{}, "users", include.Name("User"))
	s.Define(Code{}, "codes", include.PrimaryKey("code"))
	s.BelongsToMany("User", "Code", include.As("codes"), include.Through("user_codes", "user_id", "code", "role"),
		include.ForeignKey("user_id"), include.OtherKey("code"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	inner, _ := sql.Open("sqlite", "file:bytes?mode=memory&cache=shared")
	defer inner.Close()
	sql.Register("sqlite-bytes-"+t.Name(), bytesDriver{inner.Driver()})
	db, err := sql.Open("sqlite-bytes-"+t.Name(), "file:bytes?mode=memory&cache=shared")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tdb := testDB{"sqlite-bytes", dialects.SQLite, db}
	mustExec(t, db, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
		"CREATE TABLE codes (code VARCHAR(20) PRIMARY KEY, name TEXT)",
		"CREATE TABLE user_codes (user_id INTEGER, code VARCHAR(20), role VARCHAR(20), PRIMARY KEY (user_id, code))",
		"INSERT INTO users VALUES (1, 'ann')", "INSERT INTO codes VALUES ('10001', 'nyc'), ('abc', 'x')",
		"INSERT INTO user_codes VALUES (1, '10001', 'lead'), (1, 'abc', 'lead')")
	w := write.New(s, dialects.SQLite)
	a := w.Assoc("User", "codes")
	// the links there are, kept with their roles
	res := must(t)(a.Set(write.Key(int64(1)), write.Key("10001"), write.Key("abc")).Exec(ctx, db))
	t.Logf("set statements: %v", res.Statements)
	wantTable(t, tdb, "user_codes", "1|10001|lead", "1|abc|lead")
	mustExec(t, db, "UPDATE user_codes SET role = 'lead'")
	// add with a new role updates the link
	must(t)(a.Add(write.Key(int64(1)), write.Key("10001")).Through(map[string]any{"role": "dev"}).Exec(ctx, db))
	wantTable(t, tdb, "user_codes", "1|10001|dev", "1|abc|lead")
}

// strArgs: MySQL compares a binary-string argument with a VARCHAR as text
func strArgs(args []driver.NamedValue) []driver.NamedValue {
	out := append([]driver.NamedValue(nil), args...)
	for i, a := range out {
		if b, ok := a.Value.([]byte); ok {
			out[i].Value = string(b)
		}
	}
	return out
}
