package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// isolate is the PostgreSQL schema / MySQL database the test runs the example in, so that it
// drops and creates its tables there and never in the database the DSN names.
const isolate = "joinery_example_blog"

func TestInferDriver(t *testing.T) {
	for _, c := range []struct{ driver, dsn, want string }{
		{"", "", "sqlite"},
		{"", "postgres://u@h/db", "postgres"},
		{"", "postgresql://u@h/db?sslmode=disable", "postgres"},
		{"", "u:p@tcp(127.0.0.1:3306)/db?parseTime=true", "mysql"},
		{"sqlite", "file:/tmp/x.db", "sqlite"},
		{"postgres", "host=localhost dbname=blog", "postgres"},
	} {
		if got := inferDriver(c.driver, c.dsn); got != c.want {
			t.Errorf("inferDriver(%q, %q) = %q, want %q", c.driver, c.dsn, got, c.want)
		}
	}
}

func TestUnknownDriver(t *testing.T) {
	err := run(context.Background(), new(bytes.Buffer), "oracle", "x")
	if err == nil || !strings.Contains(err.Error(), `unknown driver "oracle"`) {
		t.Fatalf("want an unknown-driver error, got %v", err)
	}
}

func TestRunSQLite(t *testing.T) {
	checkRun(t, "sqlite", "", `"t1"."published" = ?`)
}

func TestRunSQLiteFile(t *testing.T) {
	// A file database works as well, and running twice recreates the tables.
	dsn := "file:" + t.TempDir() + "/blog.db"
	checkRun(t, "sqlite", dsn, `"t1"."published" = ?`)
	checkRun(t, "sqlite", dsn, `"t1"."published" = ?`)
}

func TestRunPostgres(t *testing.T) {
	dsn := os.Getenv("JOINERY_PG_DSN")
	if dsn == "" {
		t.Skip("JOINERY_PG_DSN is not set")
	}
	db := mustOpen(t, "postgres", dsn)
	mustExec(t, db, `DROP SCHEMA IF EXISTS `+isolate+` CASCADE`)
	mustExec(t, db, `CREATE SCHEMA `+isolate)
	t.Cleanup(func() { mustExec(t, db, `DROP SCHEMA IF EXISTS `+isolate+` CASCADE`) })
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	// Without -driver: a postgres:// URL is recognised.
	checkRun(t, "", dsn+sep+"search_path="+isolate, `"t1"."published" = $1`)
}

func TestRunMySQL(t *testing.T) {
	dsn := os.Getenv("JOINERY_MYSQL_DSN")
	if dsn == "" {
		t.Skip("JOINERY_MYSQL_DSN is not set")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("JOINERY_MYSQL_DSN: %v", err)
	}
	db := mustOpen(t, "mysql", dsn)
	mustExec(t, db, "DROP DATABASE IF EXISTS "+isolate)
	mustExec(t, db, "CREATE DATABASE "+isolate)
	t.Cleanup(func() { mustExec(t, db, "DROP DATABASE IF EXISTS "+isolate) })
	cfg.DBName = isolate
	cfg.MultiStatements = false // the example runs one statement at a time
	cfg.ParseTime = false       // the example turns it on itself
	// Without -driver: anything but a postgres URL is taken for MySQL.
	checkRun(t, "", cfg.FormatDSN(), "`t1`.`published` = ?")
}

// mustOpen opens and pings a database that the environment asks for: unreachable fails.
func mustOpen(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		t.Fatalf("%s is asked for but unreachable: %v", driver, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db *sql.DB, stmt string) {
	t.Helper()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// checkRun runs the program and checks what it prints: the statement, its argument, the alias
// map and the nested result, both as text and decoded back into the models.
func checkRun(t *testing.T, driver, dsn, filterSQL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var buf bytes.Buffer
	if err := run(ctx, &buf, driver, dsn); err != nil {
		t.Fatalf("run: %v", err)
	}
	out := buf.String()
	defer func() {
		if t.Failed() {
			t.Logf("output:\n%s", out)
		}
	}()
	for _, want := range []string{
		"== joinery blog example",
		"-- the data the program inserted\nINSERT INTO users ",
		"-- SQL (Plan.Readable, a clause per line. Plan.SQL is the same statement on one line)\nSELECT ",
		"\nUNION ALL\nSELECT 1 AS", // a clause per line
		"UNION ALL",                // sibling to-many includes: one branch per include, nothing multiplied
		filterSQL,                  // the posts filter is in the JOIN's ON clause, as a bind argument
		"-- args\n1: true\n",
		"-- aliases\nshape: union\nwhy: the tree has includes: one branch per include", "\nt0 ",
		"Posts.Comments.author",
		"Posts.Tags.@through",
		"Projects.@through.role",
		"-- result (3 users)\n[\n  {\n",
		`"posts": []`, // grace: loaded, none published
		`"comments": []`,
		`"added_by": "ada"`,
		`"role": "reviewer"`,
		`"body": "Famous last words."`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if sqlText := out[strings.Index(out, "-- SQL"):strings.Index(out, "-- args")]; strings.Contains(sqlText, ";") {
		t.Errorf("want exactly one statement:\n%s", sqlText)
	}
	if strings.Contains(out[strings.Index(out, "-- result"):], "Half-finished") {
		t.Errorf("the draft post leaked through the published filter")
	}

	i := strings.Index(out, "-- result")
	if i < 0 {
		t.Fatalf("no result section:\n%s", out)
	}
	js := out[i:]
	js = js[strings.IndexByte(js, '\n')+1:]
	var users []User
	if err := json.Unmarshal([]byte(js), &users); err != nil {
		t.Fatalf("result is not JSON: %v\n%s", err, js)
	}

	var names []string
	for _, u := range users {
		names = append(names, u.Name)
	}
	if got := strings.Join(names, ","); got != "ada,grace,linus" {
		t.Fatalf("users in order: got %s, want ada,grace,linus", got)
	}
	ada, grace, linus := users[0], users[1], users[2]

	// ada: published posts 10 and 12 by id, the draft (11) filtered out.
	if len(ada.Posts) != 2 || ada.Posts[0].ID != 10 || ada.Posts[1].ID != 12 {
		t.Fatalf("ada's posts: %+v", ada.Posts)
	}
	p10, p12 := ada.Posts[0], ada.Posts[1]
	if len(p10.Comments) != 2 || p10.Comments[0].ID != 100 || p10.Comments[1].ID != 101 {
		t.Fatalf("post 10 comments: %+v", p10.Comments)
	}
	if a := p10.Comments[0].Author; a == nil || a.Name != "linus" || a.Email == nil || *a.Email != "linus@example.com" {
		t.Errorf("comment 100's author: %+v", a)
	}
	if a := p10.Comments[1].Author; a == nil || a.Name != "grace" || a.Email != nil {
		t.Errorf("comment 101's author: %+v", a)
	}
	if a := p10.Comments[0].Author; a != nil && a.Posts != nil {
		t.Errorf("an author's posts were not included and should be absent: %+v", a.Posts)
	}
	// tags by name, with post_tags.added_by (NULL for history).
	if len(p10.Tags) != 2 || p10.Tags[0].Name != "go" || p10.Tags[1].Name != "history" {
		t.Fatalf("post 10 tags: %+v", p10.Tags)
	}
	if ab := p10.Tags[0].AddedBy; ab == nil || *ab != "ada" {
		t.Errorf("go on post 10 added_by: %v, want ada", ab)
	}
	if ab := p10.Tags[1].AddedBy; ab != nil {
		t.Errorf("history on post 10 added_by: %q, want none", *ab)
	}
	if p12.Comments == nil || len(p12.Comments) != 0 {
		t.Errorf("post 12 comments: want an empty list, got %#v", p12.Comments)
	}
	if len(p12.Tags) != 1 || p12.Tags[0].Name != "sql" || p12.Tags[0].AddedBy == nil || *p12.Tags[0].AddedBy != "grace" {
		t.Errorf("post 12 tags: %+v", p12.Tags)
	}
	if len(ada.Projects) != 1 || ada.Projects[0].Name != "engine" || ada.Projects[0].Membership.Role != "owner" {
		t.Errorf("ada's projects: %+v", ada.Projects)
	}

	// grace: no posts, but two projects (by name) with her roles.
	if grace.Posts == nil || len(grace.Posts) != 0 {
		t.Errorf("grace's posts: want an empty list, got %#v", grace.Posts)
	}
	if len(grace.Projects) != 2 || grace.Projects[0].Name != "cobol" || grace.Projects[0].Membership.Role != "owner" ||
		grace.Projects[1].Name != "engine" || grace.Projects[1].Membership.Role != "member" {
		t.Errorf("grace's projects: %+v", grace.Projects)
	}

	// linus: the tag "go" is shared with ada's post 10, added by someone else here.
	if len(linus.Posts) != 1 || linus.Posts[0].ID != 20 {
		t.Fatalf("linus's posts: %+v", linus.Posts)
	}
	p20 := linus.Posts[0]
	if len(p20.Comments) != 1 || p20.Comments[0].Author == nil || p20.Comments[0].Author.Name != "ada" {
		t.Errorf("post 20 comments: %+v", p20.Comments)
	}
	if len(p20.Tags) != 1 || p20.Tags[0].ID != p10.Tags[0].ID || p20.Tags[0].AddedBy == nil || *p20.Tags[0].AddedBy != "linus" {
		t.Errorf("post 20 tags: %+v", p20.Tags)
	}
	if len(linus.Projects) != 2 || linus.Projects[0].Name != "engine" || linus.Projects[0].Membership.Role != "reviewer" ||
		linus.Projects[1].Name != "kernel" || linus.Projects[1].Membership.Role != "owner" {
		t.Errorf("linus's projects: %+v", linus.Projects)
	}
}
