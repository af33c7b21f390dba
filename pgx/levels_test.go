package pgx_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	jpgx "github.com/joinery/joinery/pgx"
)

// ShapeLevels gives what the UNION ALL gives on every path: pgx native (keys as native
// arrays), database/sql over pgx's stdlib driver in a transaction (no adapter: keys as array
// literals) and AllAndCount (count first, then the levels).
func TestLevelsEveryPath(t *testing.T) {
	conn, db, s := setup(t)
	ctx := context.Background()
	base := joinery.Query[User](s, dialects.Postgres).
		Include(include.New("posts").Order("id").Include("author", include.New("tags").Order("id").ThroughColumns("added_by"))).
		OrderBy("name")
	want, err := base.Shape(joinery.ShapeUnion).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	normalize(want)
	q := base.Shape(joinery.ShapeLevels)
	got, err := jpgx.All(ctx, conn, q)
	if err != nil {
		t.Fatal(err)
	}
	normalize(got)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pgx native\n%+v\nunion\n%+v", got, want)
	}
	sdb, err := sql.Open("pgx", os.Getenv("JOINERY_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	tx, err := sdb.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SET LOCAL search_path = "+schemaName); err != nil {
		t.Fatal(err)
	}
	got, err = q.All(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	normalize(got)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("database/sql over pgx stdlib\n%+v\nunion\n%+v", got, want)
	}
	page, n, err := jpgx.AllAndCount(ctx, conn, q.Limit(1))
	if err != nil || len(page) != 1 || n != int64(len(want)) {
		t.Fatalf("AllAndCount: %d roots, count %d, %v", len(page), n, err)
	}
	// a filter that leaves no root sends no statement for the includes
	none, err := jpgx.All(ctx, conn, q.Where(sq.Eq{"name": "nobody"}))
	if err != nil || len(none) != 0 {
		t.Fatalf("no roots: %v %v", none, err)
	}
}

type codeParent struct {
	Code string      `db:"code"`
	UID  string      `db:"uid"`
	Kids []codeChild `db:"-"`
	Docs []codeChild `db:"-"`
}

type codeChild struct {
	ID   int64  `db:"id"`
	Code string `db:"parent_code"`
	UID  string `db:"parent_uid"`
}

// The per-level shape's text and uuid keys go as array literals: every character a key may
// hold (quotes, backslashes, commas, braces, spaces, the word NULL, non-ASCII) comes back as
// the UNION ALL gives it.
func TestLevelsTextKeys(t *testing.T) {
	conn, db, _ := setup(t)
	ctx := context.Background()
	for _, st := range []string{
		`CREATE TABLE code_parents (code TEXT PRIMARY KEY, uid UUID NOT NULL UNIQUE)`,
		`CREATE TABLE code_kids (id BIGINT PRIMARY KEY, parent_code TEXT NOT NULL, parent_uid UUID NOT NULL)`,
	} {
		if _, err := conn.Exec(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	codes := []string{`a"b`, `c\d`, `e,f`, `{g}`, ` h `, `NULL`, `ünï`, `'q'`}
	for i, c := range codes {
		uid := fmt.Sprintf("00000000-0000-0000-0000-%012d", i+1)
		if _, err := conn.Exec(ctx, `INSERT INTO code_parents VALUES ($1, $2)`, c, uid); err != nil {
			t.Fatal(err)
		}
		for k := range 2 {
			if _, err := conn.Exec(ctx, `INSERT INTO code_kids VALUES ($1, $2, $3)`, i*10+k, c, uid); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := include.NewSchema()
	s.Define(codeParent{}, "code_parents", include.PrimaryKey("code"))
	s.Define(codeChild{}, "code_kids")
	s.HasMany("codeParent", "codeChild", include.As("kids"), include.ForeignKey("parent_code"), include.SourceKey("code"))
	s.HasMany("codeParent", "codeChild", include.As("docs"), include.ForeignKey("parent_uid"), include.SourceKey("uid"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	q := joinery.Query[codeParent](s, dialects.Postgres).Where(sq.NotEq{"code": ""}).Include(include.New("kids").Order("id"), include.New("docs").Order("id")).OrderBy("code")
	if p, err := q.PlanPipelined(); err != nil || p.Shape != joinery.ShapeLevels {
		t.Fatalf("PlanPipelined: %v %v", p, err)
	}
	got := levelsAsUnion(t, conn, db, q)
	if len(got) != len(codes) {
		t.Fatalf("%d roots, want %d", len(got), len(codes))
	}
	for _, p := range got {
		if len(p.Kids) != 2 || len(p.Docs) != 2 {
			t.Fatalf("%q: %d kids, %d docs", p.Code, len(p.Kids), len(p.Docs))
		}
	}
	// code_kids has no index: learned (ddl.Learn), both links are matched by a hashed
	// semi-join on the keys (text, and uuid typed by the column's own empty array), with
	// the same result
	if err := ddl.Learn(ctx, db, s, dialects.Postgres); err != nil {
		t.Fatal(err)
	}
	if s.Indexed("code_kids", []string{"parent_code"}) || s.Indexed("code_kids", []string{"parent_uid"}) {
		t.Fatal("Learn: code_kids' columns have no index")
	}
	q = joinery.Query[codeParent](s, dialects.Postgres).Where(sq.NotEq{"code": ""}).Include(include.New("kids").Order("id"), include.New("docs").Order("id")).OrderBy("code")
	p, err := q.PlanPipelined()
	if err != nil || !strings.HasSuffix(p.Why, "code_kids(parent_code), code_kids(parent_uid)") || !strings.Contains(p.Statements[2].SQL, `IN (SELECT unnest(COALESCE($1, ARRAY(SELECT "jr_k"."parent_uid" FROM "code_kids" AS "jr_k" WHERE false))))`) {
		t.Fatalf("learned: %v\n%s", err, p.Explain())
	}
	if hashed := levelsAsUnion(t, conn, db, q); !reflect.DeepEqual(hashed, got) {
		t.Fatalf("hashed\n%+v\nprobed\n%+v", hashed, got)
	}
}

type tnUser struct {
	ID    int64    `db:"id"`
	Name  string   `db:"name"`
	Posts []tnPost `db:"-"`
}

type tnPost struct {
	ID     int64  `db:"id"`
	UserID int64  `db:"user_id"`
	Title  string `db:"title"`
	Tags   []Tag  `db:"-"`
}

// In a multi-tenant schema (include.Tenant) every link is two columns (tenant_id, key): the
// per-level default sends an array per column, read side by side, and gives each tenant's
// rows only (the same ids in two tenants), as the UNION ALL does.
func TestLevelsTenantKeys(t *testing.T) {
	conn, db, _ := setup(t)
	ctx := context.Background()
	for _, st := range []string{
		`CREATE TABLE tn_users (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (tenant_id, id))`,
		`CREATE TABLE tn_posts (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, user_id BIGINT NOT NULL, title TEXT NOT NULL, PRIMARY KEY (tenant_id, id))`,
		`CREATE TABLE tn_tags (tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (tenant_id, id))`,
		`CREATE TABLE tn_post_tags (tenant_id BIGINT NOT NULL, post_id BIGINT NOT NULL, tag_id BIGINT NOT NULL, added_by TEXT)`,
		`INSERT INTO tn_users VALUES (1, 1, 'a1'), (1, 2, 'b1'), (2, 1, 'a2'), (2, 2, 'b2')`,
		`INSERT INTO tn_posts VALUES (1, 10, 1, 't1 a'), (1, 11, 2, 't1 b'), (2, 10, 1, 't2 a'), (2, 11, 1, 't2 a again')`,
		`INSERT INTO tn_tags VALUES (1, 7, 'go'), (2, 7, 'sql')`,
		`INSERT INTO tn_post_tags VALUES (1, 10, 7, 'x'), (2, 10, 7, NULL), (2, 11, 7, 'y')`,
	} {
		if _, err := conn.Exec(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	s := include.NewSchema(include.Tenant("tenant_id"))
	s.Define(tnUser{}, "tn_users")
	s.Define(tnPost{}, "tn_posts")
	s.Define(Tag{}, "tn_tags")
	s.HasMany("tnUser", "tnPost", include.As("posts"), include.ForeignKey("user_id"))
	s.BelongsToMany("tnPost", "Tag", include.As("tags"), include.Through("tn_post_tags"), include.ForeignKey("post_id"), include.OtherKey("tag_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	q := joinery.Query[tnUser](s, dialects.Postgres).Where(sq.Gt{"id": 0}).Include(include.New("posts").Order("id").Include(include.New("tags").ThroughColumns("added_by"))).OrderBy("tenant_id", "id")
	p, err := q.PlanPipelined()
	if err != nil || p.Shape != joinery.ShapeLevels || !strings.Contains(p.Statements[1].SQL, "generate_subscripts") {
		t.Fatalf("PlanPipelined: %v %v", p, err)
	}
	got := levelsAsUnion(t, conn, db, q)
	if len(got) != 4 {
		t.Fatalf("%d roots, want 4", len(got))
	}
	if len(got[2].Posts) != 2 || got[2].Posts[0].Title != "t2 a" || len(got[2].Posts[0].Tags) != 1 || got[2].Posts[0].Tags[0].Name != "sql" {
		t.Fatalf("tenant 2's first user: %+v", got[2])
	}
	// the keys go as array literals, which need no statement description: the same in the
	// exec mode, which has none (a []any of keys could not be encoded there)
	c := schemaConn(t, func(cfg *pgx.ConnConfig) { cfg.DefaultQueryExecMode = pgx.QueryExecModeExec })
	levelsAsUnion(t, c, db, q)
}

// levelsAsUnion loads q with joinery/pgx on conn (its default: the per-level shape) and
// fails t unless the result is the UNION ALL's over db.
func levelsAsUnion[T any](t *testing.T, conn *pgx.Conn, db *sql.DB, q joinery.Q[T]) []T {
	t.Helper()
	ctx := context.Background()
	want, err := q.Shape(joinery.ShapeUnion).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	got, err := jpgx.All(ctx, conn, q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("levels\n%+v\nunion\n%+v", got, want)
	}
	return got
}
