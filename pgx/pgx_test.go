package pgx_test

import (
	"context"
	"database/sql"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/lib/pq"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	jpgx "github.com/joinery/joinery/pgx"
)

type User struct {
	ID      int64      `db:"id"`
	Name    string     `db:"name"`
	Email   *string    `db:"email"`
	Active  bool       `db:"active"`
	Score   float64    `db:"score"`
	Small   int16      `db:"small"`
	Mid     int32      `db:"mid"`
	Created time.Time  `db:"created"`
	Born    *time.Time `db:"born"`
	UID     string     `db:"uid"`
	Avatar  []byte     `db:"avatar"`
	Posts   []Post     `db:"-"`
}

type Post struct {
	ID     int64  `db:"id"`
	UserID int64  `db:"user_id"`
	Title  string `db:"title"`
	Tags   []Tag  `db:"-"`
	Author *User  `db:"-"`
}

type Tag struct {
	ID      int64   `db:"id"`
	Name    string  `db:"name"`
	AddedBy *string `joinery:"through:added_by"`
}

var schemaName = "joinery_pgx" + isolateSuffix()

func setup(t testing.TB) (*pgx.Conn, *sql.DB, *include.Schema) {
	dsn := os.Getenv("JOINERY_PG_DSN")
	if dsn == "" {
		t.Skip("JOINERY_PG_DSN is not set: the pgx adapter is tested against PostgreSQL only")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("JOINERY_PG_DSN is set but PostgreSQL is unreachable: %v", err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	for _, s := range []string{
		`DROP SCHEMA IF EXISTS ` + schemaName + ` CASCADE`,
		`CREATE SCHEMA ` + schemaName,
		`SET search_path = ` + schemaName,
		`CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT NOT NULL, email VARCHAR(255), active BOOLEAN NOT NULL,
			score DOUBLE PRECISION NOT NULL, small SMALLINT NOT NULL, mid INTEGER NOT NULL, created TIMESTAMPTZ NOT NULL,
			born DATE, uid UUID NOT NULL, avatar BYTEA)`,
		`CREATE TABLE posts (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, title TEXT NOT NULL)`,
		`CREATE TABLE tags (id BIGINT PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE TABLE post_tags (post_id BIGINT NOT NULL, tag_id BIGINT NOT NULL, added_by TEXT)`,
		`INSERT INTO users VALUES
			(1, 'alice', 'a@example.com', TRUE, 1.5, 7, 70000, '2024-03-01 10:20:30.123456+00', '1990-05-17', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\xdeadbeef'),
			(2, 'bob', NULL, FALSE, -2.25, -3, -5, '2023-12-31 23:59:59+02', NULL, '00000000-0000-0000-0000-000000000001', NULL)`,
		`INSERT INTO posts VALUES (10, 1, 'hello'), (11, 1, 'again'), (12, 2, 'bobs')`,
		`INSERT INTO tags VALUES (1, 'go'), (2, 'sql')`,
		`INSERT INTO post_tags VALUES (10, 1, 'alice'), (11, 1, NULL), (12, 2, 'bob')`,
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	db, err := sql.Open("postgres", dsn+sep+"search_path="+schemaName)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := include.NewSchema()
	s.Define(User{}, "users")
	s.Define(Post{}, "posts")
	s.Define(Tag{}, "tags")
	s.HasMany("User", "Post", include.As("posts"))
	s.BelongsTo("Post", "User", include.As("author"), include.ForeignKey("user_id"))
	s.BelongsToMany("Post", "Tag", include.As("tags"), include.Through("post_tags"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return conn, db, s
}

// The pgx path decodes the wire format itself; it must give what database/sql gives.
func TestPgxMatchesDatabaseSQL(t *testing.T) {
	conn, db, s := setup(t)
	ctx := context.Background()
	base := joinery.Query[User](s, dialects.Postgres).
		Include(include.New("posts").Order("id").Include("author", include.New("tags").Order("id").ThroughColumns("added_by"))).
		OrderBy("name")
	for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline, joinery.ShapeLevels} {
		q := base.Shape(shape)
		want, err := q.All(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		got, err := jpgx.All(ctx, conn, q)
		if err != nil {
			t.Fatal(err)
		}
		normalize(want)
		normalize(got)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: pgx\n%+v\ndatabase/sql\n%+v", shape, got, want)
		}
	}
	u, err := jpgx.One(ctx, conn, base.Where(sq.Eq{"id": 1}))
	if err != nil {
		t.Fatal(err)
	}
	born := time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
	created := time.Date(2024, 3, 1, 10, 20, 30, 123456000, time.UTC)
	if u.Name != "alice" || *u.Email != "a@example.com" || !u.Active || u.Score != 1.5 || u.Small != 7 || u.Mid != 70000 ||
		!u.Created.Equal(created) || !u.Born.Equal(born) || u.UID != "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" ||
		string(u.Avatar) != "\xde\xad\xbe\xef" || len(u.Posts) != 2 || *u.Posts[0].Tags[0].AddedBy != "alice" ||
		u.Posts[1].Tags[0].AddedBy != nil || u.Posts[0].Author.Name != "alice" {
		t.Fatalf("decoded %+v", u)
	}
	if _, err := jpgx.One(ctx, conn, base.Where(sq.Eq{"id": 99})); err != joinery.ErrNoRows {
		t.Fatalf("want ErrNoRows, got %v", err)
	}
}

// A pipelined plan goes out as one batch: over a connection in its own REPEATABLE READ
// transaction, in a pgx.Tx inside it (which stays open), and a failing statement leaves the
// connection usable.
func TestPgxPipeline(t *testing.T) {
	conn, db, s := setup(t)
	ctx := context.Background()
	q := joinery.Query[User](s, dialects.Postgres).
		Include(include.New("posts").Order("id DESC").Include("author", "tags")).
		OrderBy("name DESC").Limit(1).Shape(joinery.ShapePipeline)
	p, err := q.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Statements) != 4 {
		t.Fatalf("%d statements, want one per node (4)", len(p.Statements))
	}
	want, err := q.All(ctx, db) // database/sql: one statement after another
	if err != nil {
		t.Fatal(err)
	}
	got, err := jpgx.All(ctx, conn, q)
	if err != nil {
		t.Fatal(err)
	}
	normalize(want)
	normalize(got)
	if !reflect.DeepEqual(got, want) || len(got) != 1 || got[0].Name != "bob" || len(got[0].Posts) != 1 || got[0].Posts[0].Tags[0].Name != "sql" {
		t.Fatalf("pgx\n%+v\ndatabase/sql\n%+v", got, want)
	}
	if st := conn.PgConn().TxStatus(); st != 'I' {
		t.Fatalf("after the batch the connection is in transaction state %q", st)
	}

	// in a transaction: the statements run in it, which stays open
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "UPDATE users SET name = 'zed' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	inTx, err := jpgx.All(ctx, tx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(inTx) != 1 || inTx[0].Name != "zed" {
		t.Fatalf("in the transaction: %+v, want the uncommitted zed first", inTx)
	}
	if st := conn.PgConn().TxStatus(); st != 'T' {
		t.Fatalf("the caller's transaction should stay open, state %q", st)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	// a statement failing in the middle of the batch: an error, and the connection is usable
	bad := joinery.Query[User](s, dialects.Postgres).
		Include(include.New("posts").Include(include.New("tags").Where(sq.Expr("{{self}}.id / ? = 1", 0)))).
		Shape(joinery.ShapePipeline)
	if _, err := jpgx.All(ctx, conn, bad); err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Fatalf("want a division by zero error, got %v", err)
	}
	if st := conn.PgConn().TxStatus(); st != 'I' {
		t.Fatalf("after a failed batch the connection is in transaction state %q", st)
	}
	again, err := jpgx.All(ctx, conn, q)
	if err != nil || len(again) != 1 || again[0].Name != "bob" {
		t.Fatalf("after a failed batch: %v %+v", err, again)
	}
}

// database/sql over pgx's stdlib driver runs natively once this package is imported: the
// same result as lib/pq's.
func TestStdlibDriverAdapter(t *testing.T) {
	_, db, s := setup(t)
	ctx := context.Background()
	sdb, err := sql.Open("pgx", os.Getenv("JOINERY_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if _, err := sdb.ExecContext(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	base := joinery.Query[User](s, dialects.Postgres).
		Where(sq.Eq{"name": []string{"alice", "bob"}}).
		Include(include.New("posts").Order("id").Include("author", include.New("tags").Order("id").ThroughColumns("added_by"))).
		OrderBy("name")
	for _, shape := range []joinery.Shape{joinery.ShapeAuto, joinery.ShapeFlat, joinery.ShapePipeline, joinery.ShapeLevels} {
		q := base.Shape(shape)
		want, err := q.All(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		before := jpgx.StdlibRuns()
		conn, err := sdb.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "SET search_path = "+schemaName); err != nil {
			t.Fatal(err)
		}
		got, err := q.All(ctx, conn)
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		if jpgx.StdlibRuns() != before+1 {
			t.Fatalf("%s: the stdlib connection was not run natively", shape)
		}
		if shape == joinery.ShapeAuto {
			// a transaction the caller began on the connection stays open: the pipeline
			// runs inside it
			conn, err := sdb.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, stmt := range []string{"SET search_path = " + schemaName, "BEGIN"} {
				if _, err := conn.ExecContext(ctx, stmt); err != nil {
					t.Fatal(err)
				}
			}
			time.Sleep(20 * time.Millisecond)
			inTx, err := q.All(ctx, conn)
			if err != nil || len(inTx) != 2 {
				t.Fatalf("in a transaction: %v %v", inTx, err)
			}
			var still bool
			if err := conn.QueryRowContext(ctx, "SELECT now() < statement_timestamp()").Scan(&still); err != nil || !still {
				t.Fatalf("the caller's transaction was ended (%v)", err)
			}
			if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Fatal(err)
			}
			conn.Close()
		}
		normalize(want)
		normalize(got)
		if !reflect.DeepEqual(got, want) || len(got) != 2 {
			t.Fatalf("%s: pgx stdlib\n%+v\nlib/pq\n%+v", shape, got, want)
		}
	}
}

func TestPgxMapModels(t *testing.T) {
	conn, db, _ := setup(t)
	ctx := context.Background()
	s := include.NewSchema()
	s.DefineMap("User", "users", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}, {Name: "score"},
		{Name: "created", Type: include.Time}, {Name: "uid"}, {Name: "active"}})
	s.DefineMap("Post", "posts", []include.Attr{{Name: "id"}, {Name: "userId", Column: "user_id"}, {Name: "title"}})
	s.HasMany("User", "Post", include.As("posts"), include.ForeignKey("userId"))
	q := joinery.QueryMap(s, dialects.Postgres, "User").Include(include.New("posts").Order("id")).OrderBy("id")
	got, err := jpgx.All(ctx, conn, q)
	if err != nil {
		t.Fatal(err)
	}
	want, err := q.All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, rows := range [][]map[string]any{got, want} {
		for _, r := range rows {
			r["created"] = r["created"].(time.Time).UTC()
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pgx\n%v\ndatabase/sql\n%v", got, want)
	}
}

// normalize puts times in UTC: the two drivers pick different locations for the same instant.
func normalize(users []User) {
	for i := range users {
		u := &users[i]
		u.Created = u.Created.UTC()
		if u.Born != nil {
			b := u.Born.UTC()
			u.Born = &b
		}
		for j := range u.Posts {
			if a := u.Posts[j].Author; a != nil {
				a.Created = a.Created.UTC()
				if a.Born != nil {
					b := a.Born.UTC()
					a.Born = &b
				}
			}
		}
	}
}

// Values off the fast path (numeric, interval, arrays, json, timestamps far from 2000 and
// infinite ones) decode as pgx's stdlib driver decodes them: the same result natively, over
// the stdlib adapter and through database/sql's rows (a *sql.Tx).
func TestPgxTypesMatchStdlib(t *testing.T) {
	conn, _, _ := setup(t)
	ctx := context.Background()
	for _, st := range []string{
		`CREATE TABLE odd (id BIGINT PRIMARY KEY, num NUMERIC(6,2), iv INTERVAL, arr TEXT[], js JSONB,
			far TIMESTAMPTZ, old TIMESTAMP, inf TIMESTAMPTZ, d DATE)`,
		`INSERT INTO odd VALUES (1, 12.50, '1 day', '{p,q}', '{"a": 1}', '2400-01-01 00:00:00+00', '1650-06-01 12:00:00', 'infinity', '1900-03-04')`,
	} {
		if _, err := conn.Exec(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	type Odd struct {
		ID  int64     `db:"id"`
		Num float64   `db:"num"`
		Far time.Time `db:"far"`
		Old time.Time `db:"old"`
		D   time.Time `db:"d"`
	}
	s := include.NewSchema()
	s.Define(Odd{}, "odd")
	s.DefineMap("OddMap", "odd", []include.Attr{{Name: "id"}, {Name: "num"}, {Name: "iv"}, {Name: "arr"}, {Name: "js"}, {Name: "inf"}})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	got, err := jpgx.All(ctx, conn, joinery.Query[Odd](s, dialects.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Num != 12.5 || !got[0].Far.Equal(time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC)) ||
		!got[0].Old.Equal(time.Date(1650, 6, 1, 12, 0, 0, 0, time.UTC)) || !got[0].D.Equal(time.Date(1900, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("decoded %+v", got)
	}
	sdb, err := sql.Open("pgx", os.Getenv("JOINERY_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	tx, err := sdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SET LOCAL search_path = "+schemaName); err != nil {
		t.Fatal(err)
	}
	mq := joinery.QueryMap(s, dialects.Postgres, "OddMap")
	native, err := jpgx.All(ctx, conn, mq)
	if err != nil {
		t.Fatal(err)
	}
	viaRows, err := mq.All(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(native, viaRows) {
		t.Fatalf("native\n%#v\ndatabase/sql rows\n%#v", native, viaRows)
	}
	if native[0]["num"] != "12.50" || native[0]["iv"] != "1 day" || native[0]["arr"] != "{p,q}" || native[0]["inf"] != "infinity" {
		t.Fatalf("map form %#v", native[0])
	}
	// in a batch (the pipeline) pgx reads these types binary: pgx's values, as text
	s.DefineMap("OddKid", "odd", []include.Attr{{Name: "id"}, {Name: "num"}, {Name: "iv"}, {Name: "arr"}, {Name: "inf"}})
	s.HasMany("OddMap", "OddKid", include.As("kids"), include.ForeignKey("id"))
	piped, err := jpgx.All(ctx, conn, joinery.QueryMap(s, dialects.Postgres, "OddMap").Include("kids").Shape(joinery.ShapePipeline))
	if err != nil {
		t.Fatal(err)
	}
	kid := piped[0]["kids"].([]any)[0].(map[string]any)
	for _, k := range []string{"num", "iv", "arr", "inf"} {
		if _, ok := kid[k].(string); !ok {
			t.Fatalf("pipelined %s: %#v", k, kid[k])
		}
	}
	if kid["num"] != "12.50" || kid["inf"] != "infinity" {
		t.Fatalf("pipelined %#v", kid)
	}
}

// Pipelines on a pool run on an acquired connection: a failing statement returns its error,
// and the pool (and a connection taken from it) stays usable.
func TestPgxPipelineOnPool(t *testing.T) {
	_, _, s := setup(t)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(os.Getenv("JOINERY_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schemaName
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	good := joinery.Query[User](s, dialects.Postgres).Include(include.New("posts").Order("id").Include("tags")).OrderBy("id").Shape(joinery.ShapePipeline)
	bad := joinery.Query[User](s, dialects.Postgres).
		Include(include.New("posts").Include(include.New("tags").Where(sq.Expr("{{self}}.id / ? = 1", 0)))).
		Shape(joinery.ShapePipeline)
	for i := 0; i < 3; i++ {
		users, err := jpgx.All(ctx, pool, good)
		if err != nil || len(users) != 2 || len(users[0].Posts) != 2 {
			t.Fatalf("round %d: %v %+v", i, err, users)
		}
		if _, err := jpgx.All(ctx, pool, bad); err == nil || !strings.Contains(err.Error(), "division by zero") {
			t.Fatalf("round %d: want division by zero, got %v", i, err)
		}
	}
	c, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	if _, err := jpgx.All(ctx, c, bad); err == nil {
		t.Fatal("want an error")
	}
	if st := c.Conn().PgConn().TxStatus(); st != 'I' {
		t.Fatalf("the pool connection is left in transaction state %q", st)
	}
	if users, err := jpgx.All(ctx, c, good); err != nil || len(users) != 2 {
		t.Fatalf("after a failure on a pool connection: %v", err)
	}
}

// isolateSuffix is JOINERY_ISOLATE_SUFFIX (as the main module's tests use it), so that test
// runs of several worktrees on one server keep to schemas of their own.
func isolateSuffix() string { return os.Getenv("JOINERY_ISOLATE_SUFFIX") }
