package builder

import (
	"errors"
	"strings"
	"testing"

	"github.com/joinery/joinery/dialects"
)

// Placeholders are found only outside each dialect's comments and literals: a '?' or a $1
// inside them is text (issue 10, item 9: comments, E” strings and dollar quotes broke
// PostgreSQL's numbering).
func TestNumberLexical(t *testing.T) {
	cases := []struct {
		name string
		d    dialects.Dialect
		in   string
		n    int // arguments
		want string
	}{
		{"quotes", dialects.Postgres, `SELECT "a?b", 'it''s ?', ? , ?? , ?`, 2, `SELECT "a?b", 'it''s ?', $1 , ? , $2`},
		{"dash comment", dialects.Postgres, "x = ? -- is it ? or not\nAND y = ?", 2, "x = $1 -- is it ? or not\nAND y = $2"},
		{"dash comment at end", dialects.Postgres, "x = ? -- ?", 1, "x = $1 -- ?"},
		{"block comment", dialects.Postgres, "x = /* ? */ ?", 1, "x = /* ? */ $1"},
		{"nested block comment", dialects.Postgres, "/* a /* ? */ ? */ x = ?", 1, "/* a /* ? */ ? */ x = $1"},
		{"E string", dialects.Postgres, `x = E'\'?' AND y = ?`, 1, `x = E'\'?' AND y = $1`},
		{"e string", dialects.Postgres, `x = e'a\\' AND y = ?`, 1, `x = e'a\\' AND y = $1`},
		{"plain string keeps backslash", dialects.Postgres, `x = 'a\' AND y = ?`, 1, `x = 'a\' AND y = $1`},
		{"dollar quote", dialects.Postgres, `x = $$it's ?$$ AND y = ?`, 1, `x = $$it's ?$$ AND y = $1`},
		{"tagged dollar quote", dialects.Postgres, `x = $fn$ $$ ? $fn$ AND y = ?`, 1, `x = $fn$ $$ ? $fn$ AND y = $1`},
		{"identifier with dollar", dialects.Postgres, `a$b$ = ?`, 1, `a$b$ = $1`},
		{"jsonb operators", dialects.Postgres, `doc ?? 'k' AND doc ??| ?`, 1, `doc ? 'k' AND doc ?| $1`},
		{"mysql hash comment", dialects.MySQL, "x = ? # ?\nAND y = ?", 2, "x = ? # ?\nAND y = ?"},
		{"mysql dash needs space", dialects.MySQL, "x = 1--?\n", 1, "x = 1--?\n"},
		{"mysql dash comment", dialects.MySQL, "x = ? -- ?\n", 1, "x = ? -- ?\n"},
		{"mysql backslash", dialects.MySQL, `x = 'a\'?' AND y = "b\"?" AND z = ?`, 1, `x = 'a\'?' AND y = "b\"?" AND z = ?`},
		{"mysql backticks", dialects.MySQL, "`a?` = ?", 1, "`a?` = ?"},
		{"sqlite brackets", dialects.SQLite, `[a?] = ? /* ? */`, 1, `[a?] = ? /* ? */`},
		{"sqlite string", dialects.SQLite, `x = 'it''s ?' -- ?`, 0, `x = 'it''s ?' -- ?`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := make([]any, c.n)
			for i := range args {
				args[i] = i
			}
			got, out, err := number(c.in, args, c.d)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want || len(out) != c.n {
				t.Fatalf("got %q (%d args), want %q (%d)", got, len(out), c.want, c.n)
			}
		})
	}
}

// Text and arguments must agree, and a $n written by the caller is refused.
func TestNumberDisagree(t *testing.T) {
	for _, c := range []struct {
		in   string
		args int
		want string
	}{
		{"x = ?", 0, "more placeholders"},
		{"x = ? /* ? */", 2, "2 arguments for 1 placeholders"},
		{"x = $1", 1, "names the parameter $1"},
	} {
		_, _, err := number(c.in, make([]any, c.args), dialects.Postgres)
		if !errors.Is(err, errArgs) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.in, err, c.want)
		}
	}
}

// A shared argument is sent once where the dialect numbers its parameters, and once per use
// elsewhere.
func TestNumberShared(t *testing.T) {
	s := shareArgs([]any{"a", "b"})
	args := []any{s[0], s[1], 7, s[0], s[1]}
	got, out, err := number("? ? ? ? ?", args, dialects.Postgres)
	if err != nil || got != "$1 $2 $3 $1 $2" || len(out) != 3 || out[0] != "a" || out[2] != 7 {
		t.Fatalf("postgres: %q %v %v", got, out, err)
	}
	got, out, err = number("? ? ? ? ?", args, dialects.SQLite)
	if err != nil || got != "? ? ? ? ?" || len(out) != 5 || out[3] != "a" {
		t.Fatalf("sqlite: %q %v %v", got, out, err)
	}
}

// The bind-parameter limit is checked before anything is sent, naming the limit.
func TestNumberLimit(t *testing.T) {
	args := make([]any, 32767)
	text := strings.Repeat("?,", len(args)-1) + "?"
	if _, _, err := number(text, args, dialects.SQLite); !errors.Is(err, ErrTooManyParams) || !strings.Contains(err.Error(), "32767 and sqlite allows 32766") {
		t.Fatalf("sqlite: %v", err)
	}
	if _, out, err := number(text, args, dialects.Postgres); err != nil || len(out) != len(args) {
		t.Fatalf("postgres: %v", err)
	}
}
