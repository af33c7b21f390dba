package builder

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/joinery/joinery/dialects"
)

// ErrTooManyParams is matched (errors.Is) when a statement needs more bind parameters than
// the dialect allows (dialects.Features.MaxParams).
var ErrTooManyParams = errors.New("builder: too many bind parameters")

// errArgs reports text and arguments that disagree: a raw fragment with more or fewer
// placeholders than arguments.
var errArgs = errors.New("builder: placeholders and arguments disagree")

// shared is an argument that several parts of one statement write (a root filter every
// branch of a UNION ALL repeats): where the dialect can refer to an argument again by its
// number it is sent once. Identity is the pointer: the same rendering of the same
// predicate, never two equal values from different places (PostgreSQL types a parameter
// once, from its first use).
type shared struct{ v any }

// shareArgs marks args as shared (see shared).
func shareArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if s, ok := a.(*shared); ok {
			out[i] = s
			continue
		}
		out[i] = &shared{a}
	}
	return out
}

// shareArg marks one argument as shared.
func shareArg(v any) any {
	if s, ok := v.(*shared); ok {
		return s
	}
	return &shared{v}
}

// number is the statement text sql, with squirrel's placeholders, rendered for d (see
// renderer.raw).
func number(sql string, args []any, d dialects.Dialect) (string, []any, error) {
	return render(raw{sql, args, ""}, d)
}

// raw writes SQL text in squirrel's convention with its arguments: a '?' outside comments
// and literals (the dialect's forms, see dialects.Lexical) is a placeholder; on a dialect
// with its own placeholders "??" is a literal '?' (PostgreSQL's jsonb operators), as in
// squirrel. The text must use every argument and no more.
func (r *renderer) raw(sql string, args []any, src string) {
	lx := r.f.Lexical
	next := 0 // the next argument
	for i := 0; i < len(sql); {
		c := sql[i]
		end := skipLiteral(sql, i, lx)
		if end > i {
			r.buf = append(r.buf, sql[i:end]...)
			i = end
			continue
		}
		switch {
		case c == '?':
			if r.rewrite && i+1 < len(sql) && sql[i+1] == '?' {
				r.buf = append(r.buf, '?')
				i += 2
				continue
			}
			if next >= len(args) {
				r.fail(fmt.Errorf("%w: the text has more placeholders than the %d arguments (a raw fragment's '?' without a value? write \"??\" for a literal '?' on PostgreSQL)", errArgs, len(args)))
				return
			}
			r.placeholder(args[next], src)
			next++
			i++
		case c == '$' && r.rewrite && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9' && (i == 0 || !identChar(sql[i-1])):
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			r.fail(fmt.Errorf("%w: the text names the parameter %s itself: write '?' placeholders (squirrel's convention) and joinery numbers them", errArgs, sql[i:j]))
			return
		default:
			r.buf = append(r.buf, c)
			i++
		}
	}
	if next != len(args) {
		r.fail(fmt.Errorf("%w: %d arguments for %d placeholders (a '?' inside a comment or a string literal is not a placeholder)", errArgs, len(args), next))
	}
}

func (r *renderer) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// tooMany is the error for a statement of n parameters past d's limit.
func tooMany(n int, d dialects.Dialect) error {
	return fmt.Errorf("%w: the statement needs %d and %s allows %d; send a long list as one value (on PostgreSQL sq.Expr(\"id = ANY(?)\", pq.Array(ids))), load it in pages, or join a table holding it",
		ErrTooManyParams, n, d.Name(), d.Features().MaxParams)
}

// skipLiteral returns the end of the comment, string literal or quoted identifier that
// starts at sql[i], or i when none does. An unterminated one runs to the end of the text
// (the database reports it).
func skipLiteral(sql string, i int, lx dialects.Lexical) int {
	c := sql[i]
	prevIdent := i > 0 && identChar(sql[i-1])
	switch {
	case c == '\'':
		esc := lx.BackslashEscapes || lx.EscapeStrings && i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e') && (i < 2 || !identChar(sql[i-2]))
		return endQuoted(sql, i, '\'', esc)
	case c == '"':
		return endQuoted(sql, i, '"', lx.DoubleQuotedStrings && lx.BackslashEscapes)
	case c == '`':
		return endQuoted(sql, i, '`', false)
	case c == '[' && lx.BracketIdentifiers:
		if j := strings.IndexByte(sql[i+1:], ']'); j >= 0 {
			return i + 1 + j + 1
		}
		return len(sql)
	case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
		if lx.DashCommentNeedsSpace && i+2 < len(sql) && sql[i+2] > ' ' {
			return i
		}
		return endLine(sql, i)
	case c == '#' && lx.HashComments:
		return endLine(sql, i)
	case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
		depth := 0
		for j := i; j+1 < len(sql); j++ {
			switch {
			case sql[j] == '/' && sql[j+1] == '*' && (depth == 0 || lx.NestedComments):
				depth++
				j++
			case sql[j] == '*' && sql[j+1] == '/':
				depth--
				j++
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(sql)
	case c == '$' && lx.DollarQuotes && !prevIdent:
		// $tag$ .. $tag$, tag empty or an identifier (not $1: a parameter)
		j := i + 1
		for j < len(sql) && sql[j] != '$' && identChar(sql[j]) && !(j == i+1 && sql[j] >= '0' && sql[j] <= '9') {
			j++
		}
		if j >= len(sql) || sql[j] != '$' {
			return i
		}
		tag := sql[i : j+1]
		if k := strings.Index(sql[j+1:], tag); k >= 0 {
			return j + 1 + k + len(tag)
		}
		return len(sql)
	}
	return i
}

// endQuoted returns the end of the literal opening with q at sql[i]: a doubled q stands for
// itself, and with esc a backslash escapes the next character.
func endQuoted(sql string, i int, q byte, esc bool) int {
	for j := i + 1; j < len(sql); j++ {
		switch sql[j] {
		case '\\':
			if esc {
				j++
			}
		case q:
			if j+1 < len(sql) && sql[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(sql)
}

func endLine(sql string, i int) int {
	if j := strings.IndexByte(sql[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(sql)
}

func identChar(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// pick returns base, or base with the first numeric suffix that makes it a name taken does
// not report.
func pick(base string, taken func(string) bool) string {
	name := base
	for k := 1; taken(name); k++ {
		name = base + "_" + strconv.Itoa(k)
	}
	return name
}
