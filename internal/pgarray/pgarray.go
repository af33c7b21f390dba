// Package pgarray writes the elements of PostgreSQL array literals ('{1,NULL,"a \"b\""}'), so
// that a list of values can be sent as one bind argument by a driver without array types
// (database/sql): PostgreSQL reads the text as the array the statement casts or compares it
// to. The literal is a value, never SQL text.
package pgarray

import (
	"math"
	"strconv"
)

// AppendElem appends v as one element of an array literal, as lib/pq's pq.Array writes it:
// NULL, an integer, a finite float (no exponent), a bool, or a double-quoted string with '"'
// and '\' escaped. It reports false, appending
// nothing, for any other value (the caller encodes those its own way, or refuses them).
func AppendElem(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, "NULL"...), true
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case int:
		return strconv.AppendInt(b, int64(x), 10), true
	case int32:
		return strconv.AppendInt(b, int64(x), 10), true
	case string:
		return AppendQuoted(b, x), true
	case bool:
		return strconv.AppendBool(b, x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return b, false
		}
		return strconv.AppendFloat(b, x, 'f', -1, 64), true
	}
	return b, false
}

// AppendQuoted appends s as a double-quoted array element, '"' and '\' escaped by a
// backslash.
func AppendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}
