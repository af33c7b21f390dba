package write_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/write"
)

// step is one statement an operation is expected to send: a query (rows) or an exec.
type step struct {
	sql  string
	args []driver.Value
	cols []string
	rows [][]driver.Value
	// exec: the result (rows affected, last insert id)
	exec bool
	last int64
	n    int64
}

func q(sql string, args []driver.Value, cols []string, rows ...[]driver.Value) step {
	return step{sql: sql, args: args, cols: cols, rows: rows}
}

func x(sql string, args ...driver.Value) step { return step{sql: sql, args: args, exec: true, n: 1} }

func vals(v ...driver.Value) []driver.Value { return v }

func newMock(t *testing.T) (*sql.DB, sqlmock.Sqlmock) {
	t.Helper()
	db, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := mock.ExpectationsWereMet(); err != nil {
			t.Error(err)
		}
		db.Close()
	})
	return db, mock
}

func expectSteps(mock sqlmock.Sqlmock, tx bool, steps []step) {
	if tx {
		mock.ExpectBegin()
	}
	for _, s := range steps {
		if s.exec {
			e := mock.ExpectExec(s.sql)
			if len(s.args) == 0 {
				e.WithoutArgs()
			} else {
				e.WithArgs(s.args...)
			}
			e.WillReturnResult(sqlmock.NewResult(s.last, s.n))
			continue
		}
		e := mock.ExpectQuery(s.sql)
		if len(s.args) == 0 {
			e.WithoutArgs()
		} else {
			e.WithArgs(s.args...)
		}
		rows := mock.NewRows(s.cols)
		for _, r := range s.rows {
			rows.AddRow(r...)
		}
		e.WillReturnRows(rows)
	}
	if tx {
		mock.ExpectCommit()
	}
}

// TestStatements runs every operation on sqlmock and checks each statement's exact text and
// arguments, and that an operation of several statements runs in one transaction.
func TestStatements(t *testing.T) {
	s := schema(t)
	pg := write.New(s, dialects.Postgres)
	my := write.New(s, dialects.MySQL)
	lite := write.New(s, dialects.SQLite)
	k := func(v int64) write.KeyValue { return write.Key(v) }
	var opRunners []opRunner
	add := func(name string, w *write.Writer, tx bool, op func(w *write.Writer) execer, steps []step, check func(t *testing.T, res write.Result)) {
		opRunners = append(opRunners, opRunner{name: name, w: w, tx: tx, op: op, steps: steps, check: check})
	}
	role := map[string]any{"role": "lead"}
	add("btm add: SELECT, UPDATE of a changed link, INSERT of the missing", pg, true,
		func(w *write.Writer) execer {
			return w.Assoc("User", "projects").Add(k(1), k(2), k(3)).Through(role)
		},
		[]step{
			q(`SELECT "user_projects"."project_id", "user_projects"."role" FROM "user_projects" WHERE "user_projects"."user_id" = $1 AND "user_projects"."project_id" IN ($2, $3)`,
				vals(int64(1), int64(2), int64(3)), []string{"project_id", "role"}, vals(int64(2), "dev")),
			x(`UPDATE "user_projects" SET "role" = $1 WHERE "user_projects"."user_id" = $2 AND "user_projects"."project_id" IN ($3)`, "lead", int64(1), int64(2)),
			x(`INSERT INTO "user_projects" ("user_id", "project_id", "role") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, int64(1), int64(3), "lead"),
		}, nil)
	add("btm add on MySQL: ON DUPLICATE KEY UPDATE", my, true,
		func(w *write.Writer) execer {
			return w.Assoc("User", "projects").Add(k(1), k(3))
		},
		[]step{
			q("SELECT `user_projects`.`project_id` FROM `user_projects` WHERE `user_projects`.`user_id` = ? AND `user_projects`.`project_id` IN (?)",
				vals(int64(1), int64(3)), []string{"project_id"}),
			x("INSERT INTO `user_projects` (`user_id`, `project_id`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `user_id` = `user_id`", int64(1), int64(3)),
		}, nil)
	add("btm add on a non-unique join model: one INSERT, no transaction", pg, false,
		func(w *write.Writer) execer {
			return w.Assoc("User", "purchases").Add(k(1), k(1), write.Link(k(2), map[string]any{"quantity": 7})).Through(map[string]any{"quantity": 1})
		},
		[]step{
			x(`INSERT INTO "purchases" ("user_id", "product_id", "quantity") VALUES ($1, $2, $3), ($4, $5, $6)`, int64(1), int64(1), 1, int64(1), int64(2), 7),
		}, nil)
	add("btm set: SELECT, DELETE, INSERT", pg, true,
		func(w *write.Writer) execer {
			return w.Assoc("User", "projects").Set(k(1), k(1), k(3))
		},
		[]step{
			q(`SELECT "user_projects"."project_id" FROM "user_projects" WHERE "user_projects"."user_id" = $1`,
				vals(int64(1)), []string{"project_id"}, vals(int64(1)), vals(int64(2))),
			x(`DELETE FROM "user_projects" WHERE "user_projects"."user_id" = $1 AND "user_projects"."project_id" IN ($2)`, int64(1), int64(2)),
			x(`INSERT INTO "user_projects" ("user_id", "project_id") VALUES ($1, $2) ON CONFLICT DO NOTHING`, int64(1), int64(3)),
		}, nil)
	add("btm set on a non-unique join model: by the join model's key", pg, true,
		func(w *write.Writer) execer {
			return w.Assoc("User", "purchases").Set(k(1), k(1))
		},
		[]step{
			q(`SELECT "purchases"."id", "purchases"."product_id" FROM "purchases" WHERE "purchases"."user_id" = $1 ORDER BY "purchases"."id"`,
				vals(int64(1)), []string{"id", "product_id"}, vals(int64(1), int64(1)), vals(int64(2), int64(1)), vals(int64(3), int64(2))),
			x(`DELETE FROM "purchases" WHERE "purchases"."user_id" = $1 AND "purchases"."id" IN ($2, $3)`, int64(1), int64(2), int64(3)),
		}, nil)
	add("btm remove with a through scope", pg, false,
		func(w *write.Writer) execer {
			return w.Assoc("Video", "tags").Remove(k(1), k(2), k(3))
		},
		[]step{
			x(`DELETE FROM "item_tags" WHERE "item_tags"."taggable_id" = $1 AND "item_tags"."taggable" = $2 AND "item_tags"."tag_id" IN ($3, $4)`, int64(1), "video", int64(2), int64(3)),
		}, nil)
	add("btm has", pg, false,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "tags").Has(k(1), k(2), k(2), k(3))
		},
		[]step{
			q(`SELECT COUNT(DISTINCT "tags"."id") FROM "tags" INNER JOIN "item_tags" ON "tags"."id" = "item_tags"."tag_id" AND "item_tags"."taggable_id" = $1 AND "item_tags"."taggable" = $2 WHERE "tags"."id" IN ($3, $4)`,
				vals(int64(1), "post", int64(2), int64(3)), []string{"count"}, vals(int64(2))),
		}, func(t *testing.T, res write.Result) {
			if !res.Has {
				t.Error("has: false")
			}
		})
	add("btm count with a where", pg, false,
		func(w *write.Writer) execer {
			return w.Assoc("User", "projects").Count(k(1)).Where(sq.Or{sq.Eq{"name": "apollo"}, sq.Expr("LENGTH({{self}}.name) > ?", 3)})
		},
		[]step{
			q(`SELECT COUNT(*) FROM "projects" INNER JOIN "user_projects" ON "projects"."id" = "user_projects"."project_id" AND "user_projects"."user_id" = $1 WHERE ("projects"."name" = $2 OR (LENGTH("projects".name) > $3))`,
				vals(int64(1), "apollo", 3), []string{"count"}, vals(int64(5))),
		}, func(t *testing.T, res write.Result) {
			if res.Count != 5 {
				t.Errorf("count %d", res.Count)
			}
		})
	add("btm create: INSERT .. RETURNING, then the link", pg, true,
		func(w *write.Writer) execer {
			return w.Assoc("User", "projects").Create(k(1), &Project{Name: "vostok"}).Through(role)
		},
		[]step{
			q(`INSERT INTO "projects" ("name") VALUES ($1) RETURNING "id"`, vals("vostok"), []string{"id"}, vals(int64(9))),
			x(`INSERT INTO "user_projects" ("user_id", "project_id", "role") VALUES ($1, $2, $3)`, int64(1), int64(9), "lead"),
		}, nil)
	add("btm create on MySQL: LastInsertId", my, true,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "tags").Create(k(1), &Tag{Name: "t"})
		},
		[]step{
			q("SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment", nil, []string{"m", "i"}, vals(int64(1), int64(1))),
			{sql: "INSERT INTO `tags` (`name`) VALUES (?)", args: vals("t"), exec: true, last: 12, n: 1},
			x("INSERT INTO `item_tags` (`taggable_id`, `tag_id`, `taggable`) VALUES (?, ?, ?)", int64(1), int64(12), "post"),
		}, nil)
	add("hasMany add writes the polymorphic type", pg, false,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "comments").Add(k(1), k(2), k(3))
		},
		[]step{x(`UPDATE "comments" SET "commentable_id" = $1, "commentable" = $2 WHERE "comments"."id" IN ($3, $4)`, int64(1), "post", int64(2), int64(3))}, nil)
	add("hasMany set: unlink the others, link the given", pg, true,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "comments").Set(k(1), k(2))
		},
		[]step{
			x(`UPDATE "comments" SET "commentable_id" = NULL WHERE "comments"."commentable_id" = $1 AND "comments"."commentable" = $2 AND "comments"."id" NOT IN ($3)`, int64(1), "post", int64(2)),
			x(`UPDATE "comments" SET "commentable_id" = $1, "commentable" = $2 WHERE "comments"."id" IN ($3)`, int64(1), "post", int64(2)),
		}, nil)
	add("hasMany set to nothing, deleting the unlinked", pg, false,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "comments").Set(k(1)).DeleteUnlinked()
		},
		[]step{x(`DELETE FROM "comments" WHERE "comments"."commentable_id" = $1 AND "comments"."commentable" = $2`, int64(1), "post")}, nil)
	add("hasMany remove: only the source's children of its type", my, false,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "comments").Remove(k(1), k(2))
		},
		[]step{x("UPDATE `comments` SET `commentable_id` = NULL WHERE `comments`.`commentable_id` = ? AND `comments`.`commentable` = ? AND `comments`.`id` IN (?)", int64(1), "post", int64(2))}, nil)
	add("hasMany has", lite, false,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "comments").Has(k(1), k(2), k(3))
		},
		[]step{q(`SELECT COUNT(*) FROM "comments" WHERE "comments"."commentable_id" = ? AND "comments"."commentable" = ? AND "comments"."id" IN (?, ?)`,
			vals(int64(1), "post", int64(2), int64(3)), []string{"n"}, vals(int64(1)))},
		func(t *testing.T, res write.Result) {
			if res.Has {
				t.Error("has: true with one of two found")
			}
		})
	add("hasMany count", lite, false,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "comments").Count(k(1)).Where(sq.Like{"body": "a%"})
		},
		[]step{q(`SELECT COUNT(*) FROM "comments" WHERE "comments"."commentable_id" = ? AND "comments"."commentable" = ? AND "comments"."body" LIKE ?`,
			vals(int64(1), "post", "a%"), []string{"n"}, vals(int64(4)))}, nil)
	add("hasMany create", lite, false,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "comments").Create(k(1), &Comment{Body: "b"})
		},
		[]step{q(`INSERT INTO "comments" ("commentable", "commentable_id", "body") VALUES (?, ?, ?) RETURNING "id"`, vals("post", int64(1), "b"), []string{"id"}, vals(int64(7)))}, nil)
	add("hasOne set", pg, true,
		func(w *write.Writer) execer {
			return w.Assoc("User", "profile").Set(User{ID: 1}, Profile{ID: 2})
		},
		[]step{
			x(`UPDATE "profiles" SET "user_id" = NULL WHERE "profiles"."user_id" = $1 AND "profiles"."id" NOT IN ($2)`, int64(1), int64(2)),
			x(`UPDATE "profiles" SET "user_id" = $1 WHERE "profiles"."id" IN ($2)`, int64(1), int64(2)),
		}, nil)
	add("hasOne create unlinks the previous child", pg, true,
		func(w *write.Writer) execer {
			return w.Assoc("User", "profile").Create(User{ID: 1}, &Profile{Bio: "b"})
		},
		[]step{
			x(`UPDATE "profiles" SET "user_id" = NULL WHERE "profiles"."user_id" = $1`, int64(1)),
			q(`INSERT INTO "profiles" ("user_id", "bio") VALUES ($1, $2) RETURNING "id"`, vals(int64(1), "b"), []string{"id"}, vals(int64(3))),
		}, nil)
	add("belongsTo set", pg, false,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "author").Set(k(1), User{ID: 2})
		},
		[]step{x(`UPDATE "posts" SET "user_id" = $1 WHERE "posts"."id" = $2`, int64(2), int64(1))}, nil)
	add("belongsTo unset", pg, false,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "author").Set(k(1), nil)
		},
		[]step{x(`UPDATE "posts" SET "user_id" = $1 WHERE "posts"."id" = $2`, nil, int64(1))}, nil)
	add("belongsTo create", pg, true,
		func(w *write.Writer) execer {
			return w.Assoc("Post", "author").Create(k(1), &User{Name: "u"})
		},
		[]step{
			q(`INSERT INTO "users" ("name") VALUES ($1) RETURNING "id"`, vals("u"), []string{"id"}, vals(int64(4))),
			x(`UPDATE "posts" SET "user_id" = $1 WHERE "posts"."id" = $2`, int64(4), int64(1)),
		}, nil)
	add("nested create: a level a statement, keys flowing down", pg, true,
		func(w *write.Writer) execer {
			us := []User{{Name: "a", Posts: []Post{{Title: "a1", Tags: []Tag{{Name: "x", AddedBy: strp("a")}}}}}, {Name: "b", Posts: []Post{{Title: "b1"}}}}
			return w.Create(&us, "posts.tags")
		},
		[]step{
			q(`INSERT INTO "users" ("name") VALUES ($1), ($2) RETURNING "id"`, vals("a", "b"), []string{"id"}, vals(int64(10)), vals(int64(11))),
			q(`INSERT INTO "posts" ("user_id", "title") VALUES ($1, $2), ($3, $4) RETURNING "id"`, vals(int64(10), "a1", int64(11), "b1"), []string{"id"}, vals(int64(20)), vals(int64(21))),
			q(`INSERT INTO "tags" ("name") VALUES ($1) RETURNING "id"`, vals("x"), []string{"id"}, vals(int64(30))),
			x(`INSERT INTO "item_tags" ("taggable_id", "tag_id", "added_by", "taggable") VALUES ($1, $2, $3, $4)`, int64(20), int64(30), "a", "post"),
		}, nil)
	catalog := `SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = CAST($1 AS regclass) AND a.attnum > 0 AND NOT a.attisdropped`
	add("nested create WithArrays: the types once per table, a level an unnest", pg.WithArrays(), true,
		func(w *write.Writer) execer {
			us := []User{{Name: "a", Posts: []Post{{Title: "a1", Tags: []Tag{{Name: "x", AddedBy: strp(`"q" {r},s\`)}, {Name: "y"}}}}}, {Name: "b", Posts: []Post{{Title: "b1"}}}}
			return w.Create(&us, "posts.tags")
		},
		[]step{
			q(catalog, vals(`"users"`), []string{"attname", "format_type"}, vals("id", "integer"), vals("name", "text")),
			q(`INSERT INTO "users" ("name") SELECT * FROM unnest($1::text::text[]) RETURNING "id"`, vals(`{"a","b"}`), []string{"id"}, vals(int64(10)), vals(int64(11))),
			q(catalog, vals(`"posts"`), []string{"attname", "format_type"}, vals("id", "integer"), vals("user_id", "integer"), vals("title", "character varying(200)")),
			q(`INSERT INTO "posts" ("user_id", "title") SELECT * FROM unnest($1::text::integer[], $2::text::character varying(200)[]) RETURNING "id"`, vals(`{10,11}`, `{"a1","b1"}`), []string{"id"}, vals(int64(20)), vals(int64(21))),
			q(catalog, vals(`"tags"`), []string{"attname", "format_type"}, vals("id", "integer"), vals("name", "text")),
			q(`INSERT INTO "tags" ("name") SELECT * FROM unnest($1::text::text[]) RETURNING "id"`, vals(`{"x","y"}`), []string{"id"}, vals(int64(30)), vals(int64(31))),
			q(catalog, vals(`"item_tags"`), []string{"attname", "format_type"}, vals("id", "integer"), vals("tag_id", "integer"), vals("taggable", "text"), vals("taggable_id", "integer"), vals("added_by", "text")),
			x(`INSERT INTO "item_tags" ("taggable_id", "tag_id", "added_by", "taggable") SELECT * FROM unnest($1::text::integer[], $2::text::integer[], $3::text::text[], $4::text::text[])`,
				`{20,20}`, `{30,31}`, `{"\"q\" {r},s\\",NULL}`, `{"post","post"}`),
		}, nil)
	add("WithArrays: a table with an array-typed column keeps its VALUES list", pg.WithArrays(), true,
		func(w *write.Writer) execer {
			return w.Create(&[]User{{Name: "a"}})
		},
		[]step{
			q(catalog, vals(`"users"`), []string{"attname", "format_type"}, vals("id", "integer"), vals("name", "text[]")),
			q(`INSERT INTO "users" ("name") VALUES ($1) RETURNING "id"`, vals("a"), []string{"id"}, vals(int64(10))),
		}, nil)
	add("nested create on MySQL: consecutive keys from LastInsertId", my, true,
		func(w *write.Writer) execer {
			us := []User{{Name: "a", Posts: []Post{{Title: "a1"}}}, {Name: "b", Posts: []Post{{Title: "b1"}}}}
			return w.Create(&us, "posts")
		},
		[]step{
			q("SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment", nil, []string{"m", "i"}, vals(int64(1), int64(2))),
			{sql: "INSERT INTO `users` (`name`) VALUES (?), (?)", args: vals("a", "b"), exec: true, last: 11, n: 2},
			{sql: "INSERT INTO `posts` (`user_id`, `title`) VALUES (?, ?), (?, ?)", args: vals(int64(11), "a1", int64(13), "b1"), exec: true, last: 5, n: 2},
		}, nil)
	add("nested create on MySQL with interleaved keys: a row a statement", my, true,
		func(w *write.Writer) execer {
			us := []User{{Name: "a"}, {Name: "b"}}
			return w.Create(&us)
		},
		[]step{
			q("SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment", nil, []string{"m", "i"}, vals(int64(2), int64(1))),
			{sql: "INSERT INTO `users` (`name`) VALUES (?)", args: vals("a"), exec: true, last: 11, n: 1},
			{sql: "INSERT INTO `users` (`name`) VALUES (?)", args: vals("b"), exec: true, last: 15, n: 1},
		}, nil)
	// two INSERTs: one transaction, so that a failure of the second leaves nothing
	add("INSERTs split at the bind-parameter limit", pg.WithMaxParams(4), true,
		func(w *write.Writer) execer {
			return w.Assoc("User", "purchases").Add(k(1), k(1), k(2)).Through(map[string]any{"quantity": 1})
		},
		[]step{
			x(`INSERT INTO "purchases" ("user_id", "product_id", "quantity") VALUES ($1, $2, $3)`, int64(1), int64(1), 1),
			x(`INSERT INTO "purchases" ("user_id", "product_id", "quantity") VALUES ($1, $2, $3)`, int64(1), int64(2), 1),
		}, nil)
	for _, c := range opRunners {
		t.Run(c.name, func(t *testing.T) {
			db, mock := newMock(t)
			expectSteps(mock, c.tx, c.steps)
			op := c.op(c.w)
			res, err := op.Exec(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Statements) != len(c.steps) {
				t.Errorf("Result.Statements: %d, want %d", len(res.Statements), len(c.steps))
			}
			for i, st := range res.Statements {
				if i < len(c.steps) && st.SQL != c.steps[i].sql {
					t.Errorf("Result.Statements[%d] = %s", i, st.SQL)
				}
			}
			if c.check != nil {
				c.check(t, res)
			}
			// the same statements without a database, up to the first read that decides the rest
			if o, ok := c.op(c.w).(interface {
				Statements() ([]write.Statement, error)
			}); ok {
				sts, err := o.Statements()
				if err != nil {
					t.Fatal(err)
				}
				for i, st := range sts {
					if i >= len(c.steps) || st.SQL != c.steps[i].sql {
						t.Errorf("Statements()[%d] = %s", i, st.SQL)
					}
				}
			}
		})
	}
}

// execer is an operation: an Op or a CreateOp.
type execer interface {
	Exec(context.Context, write.Querier) (write.Result, error)
}

type opRunner struct {
	name  string
	w     *write.Writer
	tx    bool
	op    func(w *write.Writer) execer
	steps []step
	check func(t *testing.T, res write.Result)
}

func mapSchema(t *testing.T) *include.Schema {
	s := include.NewSchema()
	s.DefineMap("Item", "items", []include.Attr{{Name: "id", Type: include.Int}, {Name: "name"}})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStatementsWrittenBack checks that keys flow into the caller's values.
func TestStatementsWrittenBack(t *testing.T) {
	db, mock := newMock(t)
	w := write.New(schema(t), dialects.Postgres)
	expectSteps(mock, true, []step{
		q(`INSERT INTO "users" ("name") VALUES ($1) RETURNING "id"`, vals("a"), []string{"id"}, vals(int64(10))),
		q(`INSERT INTO "posts" ("user_id", "title") VALUES ($1, $2), ($3, $4) RETURNING "id"`, vals(int64(10), "a1", int64(10), "a2"), []string{"id"}, vals(int64(20)), vals(int64(21))),
	})
	u := &User{Name: "a", Posts: []Post{{Title: "a1"}, {Title: "a2"}}}
	if _, err := w.Create(u, "posts").Exec(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if u.ID != 10 || u.Posts[0].ID != 20 || u.Posts[1].ID != 21 || *u.Posts[1].UserID != 10 {
		t.Errorf("keys not written back: %+v", u)
	}
}

// TestBadInput: every bad input is an error before any statement runs (the mock expects
// none), matching the package's sentinels.
func TestBadInput(t *testing.T) {
	s := schema(t)
	w := write.New(s, dialects.Postgres)
	ctx := context.Background()
	db, _ := newMock(t)
	for _, c := range []struct {
		name string
		run  func() error
		want error
		msg  string
	}{
		{"add to an unsaved parent", func() error {
			_, err := w.Assoc("User", "projects").Add(User{Name: "new"}, write.Key(1)).Exec(ctx, db)
			return err
		}, write.ErrMissingKey, "add User.projects: the User has no id (was it saved?)"},
		{"an unsaved target", func() error {
			_, err := w.Assoc("User", "projects").Add(write.Key(1), Project{Name: "new"}).Exec(ctx, db)
			return err
		}, write.ErrMissingKey, "target 1 of add User.projects: the Project has no id"},
		{"a target of the wrong model", func() error {
			_, err := w.Assoc("User", "projects").Add(write.Key(1), Tag{ID: 1}).Exec(ctx, db)
			return err
		}, write.ErrWrongModel, "is a write_test.Tag, not a write_test.Project (model Project)"},
		{"a scalar target", func() error {
			_, err := w.Assoc("User", "projects").Add(write.Key(1), 3).Exec(ctx, db)
			return err
		}, write.ErrWrongModel, "pass a Project value or write.Key(3)"},
		{"a scope value that contradicts the scope", func() error {
			_, err := w.Assoc("Post", "comments").Create(write.Key(1), &Comment{Commentable: "video"}).Exec(ctx, db)
			return err
		}, write.ErrScopeConflict, "Comment.commentable is video, but the association's scope says post"},
		{"a through value that contradicts the through scope", func() error {
			_, err := w.Assoc("Post", "tags").Add(write.Key(1), write.Key(2)).Through(map[string]any{"taggable": "video"}).Exec(ctx, db)
			return err
		}, write.ErrScopeConflict, "join-table value taggable = video, but the through scope says post"},
		{"an unknown join-table column", func() error {
			_, err := w.Assoc("User", "projects").Add(write.Key(1), write.Key(2)).Through(map[string]any{"rank": 1}).Exec(ctx, db)
			return err
		}, write.ErrBadInput, `join-table value "rank" is not an attribute of the join model UserProject`},
		{"an unknown association", func() error {
			_, err := w.Assoc("User", "friends").Add(write.Key(1)).Exec(ctx, db)
			return err
		}, write.ErrUnknown, `User has no association "friends"`},
		{"add on a hasOne", func() error {
			_, err := w.Assoc("User", "profile").Add(write.Key(1), write.Key(2)).Exec(ctx, db)
			return err
		}, write.ErrBadInput, "a hasOne has set and create"},
		{"a nested create without a pointer", func() error {
			_, err := w.Create(User{Name: "x"}).Exec(ctx, db)
			return err
		}, write.ErrBadInput, "pass a pointer"},
		{"a nested create through an unknown include", func() error {
			_, err := w.Create(&User{Name: "x"}, "posts.likes").Exec(ctx, db)
			return err
		}, write.ErrUnknown, `include "posts.likes": Post has no association "likes"`},
		{"a map with an unknown key", func() error {
			ms := mapSchema(t)
			_, err := write.New(ms, dialects.Postgres).CreateMap("Item", map[string]any{"name": "x", "colour": "red"}).Exec(ctx, db)
			return err
		}, write.ErrBadInput, `"colour" is neither an attribute nor an association of Item`},
		{"a zero Assoc", func() error {
			_, err := write.Assoc{}.Add(write.Key(1), write.Key(2)).Exec(ctx, db)
			return err
		}, write.ErrBadInput, "a zero Assoc"},
		{"a zero Op", func() error {
			_, err := write.Op{}.Exec(ctx, db)
			return err
		}, write.ErrBadInput, "a zero Assoc"},
		{"a Writer without a dialect", func() error {
			_, err := write.New(s, nil).Assoc("User", "projects").Remove(write.Key(1), write.Key(2)).Exec(ctx, db)
			return err
		}, write.ErrBadInput, "needs a dialect"},
		{"write.Keys for a hasOne", func() error {
			_, err := w.Assoc("User", "profile").Set(write.Key(1), write.Keys(1, 2)).Exec(ctx, db)
			return err
		}, write.ErrBadInput, "a hasOne links one target, got 2"},
		{"an empty key in write.Keys", func() error {
			_, err := w.Assoc("User", "projects").Remove(write.Key(1), write.Keys(1, 0)).Exec(ctx, db)
			return err
		}, write.ErrMissingKey, "write.Keys value 2 is empty"},
		{"a nil Querier", func() error {
			_, err := w.Assoc("User", "projects").Remove(write.Key(1), write.Key(2)).Exec(ctx, nil)
			return err
		}, write.ErrBadInput, "nil Querier"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if !errors.Is(err, c.want) || !errors.Is(err, write.ErrWrite) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not say %q", err, c.msg)
			}
		})
	}
}

// noTuples is SQLite without tuple IN: a dialect defined outside package dialects.
type noTuples struct{ dialects.Dialect }

func (d noTuples) Features() dialects.Features {
	f := d.Dialect.Features()
	f.TupleIn = false
	return f
}

// TestCompositeKeysWithoutTupleIn: composite keys are matched by ORs of ANDs where the
// dialect has no tuple IN, and by a tuple IN where it has.
func TestCompositeKeysWithoutTupleIn(t *testing.T) {
	s := include.NewSchema()
	s.Define(Org{}, "orgs")
	s.Define(Member{}, "members", include.PrimaryKey("org_id", "seq"))
	s.HasMany("Org", "Member", include.As("staff"), include.ForeignKey("org_id"))
	s.BelongsTo("Org", "Org", include.As("parent"), include.ForeignKey("parent_id"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d    dialects.Dialect
		want string
	}{
		{noTuples{dialects.SQLite}, `UPDATE "members" SET "org_id" = NULL WHERE "members"."org_id" = ? AND (("members"."org_id" = ? AND "members"."seq" = ?) OR ("members"."org_id" = ? AND "members"."seq" = ?))`},
		{dialects.SQLite, `UPDATE "members" SET "org_id" = NULL WHERE "members"."org_id" = ? AND ("members"."org_id", "members"."seq") IN ((?, ?), (?, ?))`},
	} {
		w := write.New(s, c.d)
		sts, err := w.Assoc("Org", "staff").Remove(write.Key("o1"), write.Key("o1", 1), write.Key("o1", 2)).Statements()
		if err != nil {
			t.Fatal(err)
		}
		if len(sts) != 1 || sts[0].SQL != c.want || fmt.Sprint(sts[0].Args) != "[o1 o1 1 o1 2]" {
			t.Errorf("%s: %v", c.d.Name(), sts)
		}
	}
}
