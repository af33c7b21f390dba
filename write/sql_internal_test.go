package write

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/joinery/joinery/dialects"
)

// A filter fragment is read with the dialect's lexical forms, as the read statements' are:
// a '?' in a literal or comment is text, "??" a literal '?' where the dialect numbers its
// parameters, and placeholders and arguments must agree.
func TestRawFragmentPlaceholders(t *testing.T) {
	for _, c := range []struct {
		d    dialects.Dialect
		text string
		args []any
		want string
		err  bool
	}{
		{dialects.Postgres, "a = $$x?y$$ AND b = ? AND c ?? 'k' -- why?", []any{1}, "a = $$x?y$$ AND b = $1 AND c ? 'k' -- why?", false},
		{dialects.Postgres, "a = E'it\\'s?' AND b = ? /* ? /* ? */ */", []any{1}, "a = E'it\\'s?' AND b = $1 /* ? /* ? */ */", false},
		{dialects.MySQL, "a = 'x?' AND b = ? # ?", []any{1}, "a = 'x?' AND b = ? # ?", false},
		{dialects.SQLite, "[a?] = ?", []any{1}, "[a?] = ?", false},
		{dialects.Postgres, "a = ? AND b = ?", []any{1}, "", true},
		{dialects.Postgres, "a = ?", []any{1, 2}, "", true},
		{dialects.Postgres, "a = $1", []any{1}, "", true},
	} {
		s := &sqlBuf{d: c.d, f: c.d.Features()}
		s.raw(c.text, c.args)
		if c.err {
			if !errors.Is(s.err, ErrBadInput) {
				t.Errorf("%s %q: want an ErrBadInput error, got %v", c.d, c.text, s.err)
			}
			continue
		}
		if s.err != nil || string(s.b) != c.want || !reflect.DeepEqual(s.args, c.args) {
			t.Errorf("%s %q: got %q %v (%v), want %q", c.d, c.text, s.b, s.args, s.err, c.want)
		}
	}
}

// textArray writes what lib/pq's pq.GenericArray writes, for the values it writes itself and
// for the others (which it hands to pq).
func TestTextArrayMatchesPQ(t *testing.T) {
	for _, a := range [][]any{
		{},
		{int64(1), nil, int64(-7)},
		{"a", `"q" {r},s\`, "", "NULL", nil},
		{true, false, 1.5, 1e21, int(3), int32(4)},
		{time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC), "x"},
		{int8(1), uint16(2)},
	} {
		got, err1 := textArray(a).Value()
		want, err2 := pq.GenericArray{A: a}.Value()
		if got != want || (err1 == nil) != (err2 == nil) {
			t.Errorf("%v: textArray %q (%v), pq %q (%v)", a, got, err1, want, err2)
		}
	}
}
