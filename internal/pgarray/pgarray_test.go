package pgarray

import (
	"math"
	"testing"
)

func TestAppendElem(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
		ok   bool
	}{
		{nil, "NULL", true}, {int64(-7), "-7", true}, {42, "42", true}, {int32(3), "3", true},
		{`a "b" \c`, `"a \"b\" \\c"`, true}, {"", `""`, true}, {true, "true", true}, {2.5, "2.5", true},
		{1e21, "1000000000000000000000", true}, {math.NaN(), "", false}, {math.Inf(1), "", false}, {struct{}{}, "", false},
	} {
		got, ok := AppendElem([]byte("x"), c.v)
		if ok != c.ok || string(got) != "x"+c.want {
			t.Errorf("AppendElem(%#v) = %q, %v; want %q, %v", c.v, got, ok, "x"+c.want, c.ok)
		}
	}
}
