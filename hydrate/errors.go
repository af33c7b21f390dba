package hydrate

import (
	"errors"
	"fmt"
)

// ErrColumns is matched (errors.Is) by every mismatch between a result set's columns and the
// Map: a missing column, an unexpected one, a duplicate name; for Parts, a statement or a
// Part that does not send its branch's columns. Every column of the Map is needed, keys and
// links selected only for joining too: a missing one would drop rows or children silently.
// The error names the column, its node ("(root)" or the include's path) and what it is for.
var ErrColumns = errors.New("hydrate: result columns do not match the map")

// ErrMap is matched by errors in a Map itself (an unknown field, a node without a key).
var ErrMap = errors.New("hydrate: invalid map")

// ScanError is a value that could not be stored: it names the result column and the Go field
// path (User.Posts[].Title) or map path that was to receive it.
type ScanError struct {
	Column string
	Field  string
	Err    error
}

// Error implements error.
func (e *ScanError) Error() string {
	return fmt.Sprintf("hydrate: column %q into %s: %v", e.Column, e.Field, e.Err)
}

// Unwrap returns the underlying conversion error.
func (e *ScanError) Unwrap() error { return e.Err }

func scanErr(ci *colInfo, err error) error {
	return &ScanError{Column: ci.column, Field: ci.field, Err: err}
}

func errUnsupported(src any, into string) error {
	return fmt.Errorf("cannot store %T into %s", src, into)
}

var errNull = errors.New("NULL into a non-nullable field (use a pointer or a sql.Null type)")
