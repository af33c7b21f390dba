package hydrate

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Cell receives one column of the current row, typed: a driver adapter that decodes the wire
// format itself (pgx's raw values, say) hands values over without boxing them in an any and
// without database/sql's conversions. Each method stores the value the way Scan would, or
// says why it cannot.
type Cell interface {
	SetNull() error
	SetInt(int64) error
	SetFloat(float64) error
	SetBool(bool) error
	SetString(string) error
	// SetBytes: the cell copies b when it keeps it.
	SetBytes(b []byte) error
	SetTime(time.Time) error
	// Set takes any other value, as Scan would.
	Set(any) error
}

// SetValue hands a driver value to c by its Go type: nil, int64, float64, bool, []byte
// (copied by the cell when kept), string and time.Time directly, anything else through Set.
func SetValue(c Cell, v any) error {
	if c == nil {
		return errors.New("hydrate: SetValue into a nil Cell")
	}
	switch v := v.(type) {
	case nil:
		return c.SetNull()
	case int64:
		return c.SetInt(v)
	case float64:
		return c.SetFloat(v)
	case bool:
		return c.SetBool(v)
	case []byte:
		return c.SetBytes(v)
	case string:
		return c.SetString(v)
	case time.Time:
		return c.SetTime(v)
	}
	return c.Set(v)
}

// CellRows is a Rows that can hand the current row over typed. The hydrator calls ScanCells,
// with one Cell per result column in the order of Columns(), instead of Scan.
type CellRows interface {
	Rows
	ScanCells(cells []Cell) error
}

// The slots are Cells: each takes its own type directly and everything else through Scan.

func (s *intSlot) SetNull() error           { s.v.Valid = false; return nil }
func (s *intSlot) SetInt(v int64) error     { s.v.Int64, s.v.Valid = v, true; return nil }
func (s *intSlot) SetFloat(v float64) error { return s.Scan(v) }
func (s *intSlot) SetBool(v bool) error     { return s.Scan(v) }
func (s *intSlot) SetString(v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return scanErr(s.ci, fmt.Errorf("converting %q to an integer: %w", v, err))
	}
	s.v.Int64, s.v.Valid = n, true
	return nil
}
func (s *intSlot) SetBytes(v []byte) error   { return s.SetString(string(v)) }
func (s *intSlot) SetTime(v time.Time) error { return s.Scan(v) }
func (s *intSlot) Set(v any) error           { return s.Scan(v) }

func (s *floatSlot) SetNull() error           { s.v.Valid = false; return nil }
func (s *floatSlot) SetInt(v int64) error     { s.v.Float64, s.v.Valid = float64(v), true; return nil }
func (s *floatSlot) SetFloat(v float64) error { s.v.Float64, s.v.Valid = v, true; return nil }
func (s *floatSlot) SetBool(v bool) error     { return s.Scan(v) }
func (s *floatSlot) SetString(v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return scanErr(s.ci, fmt.Errorf("converting %q to a float: %w", v, err))
	}
	s.v.Float64, s.v.Valid = f, true
	return nil
}
func (s *floatSlot) SetBytes(v []byte) error   { return s.SetString(string(v)) }
func (s *floatSlot) SetTime(v time.Time) error { return s.Scan(v) }
func (s *floatSlot) Set(v any) error           { return s.Scan(v) }

func (s *stringSlot) SetNull() error            { s.v.Valid = false; return nil }
func (s *stringSlot) SetInt(v int64) error      { return s.SetString(strconv.FormatInt(v, 10)) }
func (s *stringSlot) SetFloat(v float64) error  { return s.Scan(v) }
func (s *stringSlot) SetBool(v bool) error      { return s.SetString(strconv.FormatBool(v)) }
func (s *stringSlot) SetString(v string) error  { s.v.String, s.v.Valid = v, true; return nil }
func (s *stringSlot) SetBytes(v []byte) error   { return s.SetString(string(v)) }
func (s *stringSlot) SetTime(v time.Time) error { return s.Scan(v) }
func (s *stringSlot) Set(v any) error           { return s.Scan(v) }

func (s *boolSlot) SetNull() error            { s.v.Valid = false; return nil }
func (s *boolSlot) SetInt(v int64) error      { return s.Scan(v) }
func (s *boolSlot) SetFloat(v float64) error  { return s.Scan(v) }
func (s *boolSlot) SetBool(v bool) error      { s.v.Bool, s.v.Valid = v, true; return nil }
func (s *boolSlot) SetString(v string) error  { return s.Scan(v) }
func (s *boolSlot) SetBytes(v []byte) error   { return s.Scan(string(v)) }
func (s *boolSlot) SetTime(v time.Time) error { return s.Scan(v) }
func (s *boolSlot) Set(v any) error           { return s.Scan(v) }

func (s *timeSlot) SetNull() error            { s.v.Valid = false; return nil }
func (s *timeSlot) SetInt(v int64) error      { return s.Scan(v) }
func (s *timeSlot) SetFloat(v float64) error  { return s.Scan(v) }
func (s *timeSlot) SetBool(v bool) error      { return s.Scan(v) }
func (s *timeSlot) SetString(v string) error  { return s.parse(v) }
func (s *timeSlot) SetBytes(v []byte) error   { return s.parse(string(v)) }
func (s *timeSlot) SetTime(v time.Time) error { s.v.Time, s.v.Valid = v, true; return nil }
func (s *timeSlot) Set(v any) error           { return s.Scan(v) }

func (s *bytesSlot) SetNull() error            { s.v = nil; return nil }
func (s *bytesSlot) SetInt(v int64) error      { return s.Scan(v) }
func (s *bytesSlot) SetFloat(v float64) error  { return s.Scan(v) }
func (s *bytesSlot) SetBool(v bool) error      { return s.Scan(v) }
func (s *bytesSlot) SetString(v string) error  { s.v = []byte(v); return nil }
func (s *bytesSlot) SetBytes(v []byte) error   { return s.Scan(v) }
func (s *bytesSlot) SetTime(v time.Time) error { return s.Scan(v) }
func (s *bytesSlot) Set(v any) error           { return s.Scan(v) }

func (s *anySlot) SetNull() error            { s.v = nil; return nil }
func (s *anySlot) SetInt(v int64) error      { s.v = v; return nil }
func (s *anySlot) SetFloat(v float64) error  { s.v = v; return nil }
func (s *anySlot) SetBool(v bool) error      { s.v = v; return nil }
func (s *anySlot) SetString(v string) error  { s.v = v; return nil }
func (s *anySlot) SetBytes(v []byte) error   { return s.Scan(v) }
func (s *anySlot) SetTime(v time.Time) error { s.v = v; return nil }
func (s *anySlot) Set(v any) error           { return s.Scan(v) }
