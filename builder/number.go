package builder

import (
	"errors"
	"fmt"
	"strconv"

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
	next := 0 // the next argument
	err := r.f.Lexical.Walk(sql, r.rewrite, func(text string) { r.buf = append(r.buf, text...) }, func() bool {
		if next >= len(args) {
			r.fail(fmt.Errorf("%w: the text has more placeholders than the %d arguments (a raw fragment's '?' without a value? write \"??\" for a literal '?' on PostgreSQL)", errArgs, len(args)))
			return false
		}
		r.placeholder(args[next], src)
		next++
		return true
	})
	if err != nil {
		r.fail(fmt.Errorf("%w: %w", errArgs, err))
		return
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

// pick returns base, or base with the first numeric suffix that makes it a name taken does
// not report.
func pick(base string, taken func(string) bool) string {
	name := base
	for k := 1; taken(name); k++ {
		name = base + "_" + strconv.Itoa(k)
	}
	return name
}
