package hydrate

import (
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// keyPart is one typed component of an identity key; comparable, never a formatted string.
type keyPart struct {
	i    int64
	s    string
	null bool
}

// slot receives one column of the current row. Each slot is its own sql.Scanner, so a
// conversion failure names the column and the Go field.
type slot interface {
	sql.Scanner
	Cell
	isNull() bool
	key() (keyPart, bool) // false when the value cannot be a key
	value(b *boxes) any   // the map form's value, boxed by b (nil: by the runtime); nil when NULL
}

type colInfo struct {
	column string
	field  string // Go field path for errors
}

type intSlot struct {
	v  sql.NullInt64
	ci *colInfo
}

// Scan takes the driver's common types directly; database/sql's conversion (reflection for
// an int64 into an int64) is the fallback.
func (s *intSlot) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		s.v = sql.NullInt64{Int64: v, Valid: true}
		return nil
	case nil:
		s.v = sql.NullInt64{}
		return nil
	case []byte:
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			s.v = sql.NullInt64{Int64: n, Valid: true}
			return nil
		}
	case int32:
		s.v = sql.NullInt64{Int64: int64(v), Valid: true}
		return nil
	}
	if err := s.v.Scan(src); err != nil {
		return scanErr(s.ci, err)
	}
	return nil
}
func (s *intSlot) isNull() bool         { return !s.v.Valid }
func (s *intSlot) key() (keyPart, bool) { return keyPart{i: s.v.Int64}, true }
func (s *intSlot) value(b *boxes) any {
	if !s.v.Valid {
		return nil
	}
	return b.int64(s.v.Int64)
}

type floatSlot struct {
	v  sql.NullFloat64
	ci *colInfo
}

func (s *floatSlot) Scan(src any) error {
	switch v := src.(type) {
	case float64:
		s.v = sql.NullFloat64{Float64: v, Valid: true}
		return nil
	case nil:
		s.v = sql.NullFloat64{}
		return nil
	}
	if err := s.v.Scan(src); err != nil {
		return scanErr(s.ci, err)
	}
	return nil
}
func (s *floatSlot) isNull() bool { return !s.v.Valid }
func (s *floatSlot) key() (keyPart, bool) {
	return keyPart{i: int64(math.Float64bits(s.v.Float64))}, true
}
func (s *floatSlot) value(b *boxes) any {
	if !s.v.Valid {
		return nil
	}
	return b.float64(s.v.Float64)
}

type stringSlot struct {
	v  sql.NullString
	ci *colInfo
}

func (s *stringSlot) Scan(src any) error {
	switch v := src.(type) {
	case string:
		s.v = sql.NullString{String: v, Valid: true}
		return nil
	case []byte:
		s.v = sql.NullString{String: string(v), Valid: true}
		return nil
	case nil:
		s.v = sql.NullString{}
		return nil
	}
	if err := s.v.Scan(src); err != nil {
		return scanErr(s.ci, err)
	}
	return nil
}
func (s *stringSlot) isNull() bool         { return !s.v.Valid }
func (s *stringSlot) key() (keyPart, bool) { return keyPart{s: s.v.String}, true }
func (s *stringSlot) value(b *boxes) any {
	if !s.v.Valid {
		return nil
	}
	return b.string(s.v.String)
}

type boolSlot struct {
	v  sql.NullBool
	ci *colInfo
}

func (s *boolSlot) Scan(src any) error {
	switch v := src.(type) {
	case bool:
		s.v = sql.NullBool{Bool: v, Valid: true}
		return nil
	case nil:
		s.v = sql.NullBool{}
		return nil
	}
	if err := s.v.Scan(src); err != nil {
		return scanErr(s.ci, err)
	}
	return nil
}
func (s *boolSlot) isNull() bool { return !s.v.Valid }
func (s *boolSlot) key() (keyPart, bool) {
	if s.v.Bool {
		return keyPart{i: 1}, true
	}
	return keyPart{}, true
}
func (s *boolSlot) value(*boxes) any {
	if !s.v.Valid {
		return nil
	}
	return s.v.Bool
}

type timeSlot struct {
	v  sql.NullTime
	ci *colInfo
}

func (s *timeSlot) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		s.v = sql.NullTime{Time: v, Valid: true}
		return nil
	case nil:
		s.v = sql.NullTime{}
		return nil
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	}
	if err := s.v.Scan(src); err != nil {
		return scanErr(s.ci, err)
	}
	return nil
}

func (s *timeSlot) parse(v string) error {
	t, err := parseTimeText(v)
	if err != nil {
		return scanErr(s.ci, err)
	}
	s.v = sql.NullTime{Time: t, Valid: true}
	return nil
}

// The text forms of a timestamp that drivers hand over instead of a time.Time: the SQLite
// drivers convert only a column declared as a time type, which a UNION's columns are not,
// and MySQL's sends text without parseTime. Every form the supported drivers write is read:
//
//   - modernc.org/sqlite's default, Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST",
//     with or without the monotonic clock reading " m=+0.000000001";
//   - the layouts modernc.org/sqlite and mattn/go-sqlite3 (SQLiteTimestampFormats) write and
//     parse: "2006-01-02 15:04:05.999999999-07:00", with 'T' for ' ', without a zone, without
//     seconds, a trailing "Z", the date alone;
//   - RFC 3339 (with nanoseconds), MySQL's "2006-01-02 15:04:05.999999", PostgreSQL's text
//     "2006-01-02 15:04:05.999999+07" and MySQL's zero date (the zero time.Time, as the
//     MySQL driver gives it with parseTime).
//
// The layout is chosen from the text's shape, so a value costs one time.Parse, not a trial
// of every layout.
const (
	zoneNone = iota
	zoneZ
	zoneColon // -07:00
	zoneHHMM  // -0700
	zoneHH    // -07
	zoneGo    // " -0700 MST", Time.String
	zoneGoOff // " -0700", Time.String without the zone's name
	nZones
)

var timeLayouts [2][2][nZones]string // [date/clock separator 'T'][with seconds][zone]

func init() {
	zones := [nZones]string{"", "Z07:00", "-07:00", "-0700", "-07", " -0700 MST", " -0700"}
	for t, sep := range []string{" ", "T"} {
		for sec, clock := range []string{"15:04", "15:04:05.999999999"} {
			for z, zone := range zones {
				timeLayouts[t][sec][z] = "2006-01-02" + sep + clock + zone
			}
		}
	}
}

// parseTimeText reads a timestamp in any of the text forms above.
func parseTimeText(v string) (time.Time, error) {
	s := v
	if i := strings.Index(s, " m="); i >= 0 {
		s = s[:i] // Time.String's monotonic clock reading
	}
	if len(s) >= 10 && s[:10] == "0000-00-00" && strings.Trim(s[10:], " 0:.") == "" {
		return time.Time{}, nil
	}
	if len(s) == 10 {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("cannot parse %q as a time", v)
	}
	if len(s) < 16 || s[10] != ' ' && s[10] != 'T' {
		return time.Time{}, fmt.Errorf("cannot parse %q as a time", v)
	}
	sep := 0
	if s[10] == 'T' {
		sep = 1
	}
	end := 11 // the clock: hh:mm[:ss[.fffffffff]]
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == ':' || s[end] == '.') {
		end++
	}
	sec := 0
	if end-11 > 5 {
		sec = 1
	}
	zone := zoneNone
	switch tail := s[end:]; {
	case tail == "":
	case tail == "Z":
		zone = zoneZ
	case tail[0] == ' ':
		zone = zoneGo
	case tail[0] == '+' || tail[0] == '-':
		switch len(tail) {
		case 6:
			zone = zoneColon
		case 5:
			zone = zoneHHMM
		case 3:
			zone = zoneHH
		default:
			return time.Time{}, fmt.Errorf("cannot parse %q as a time: zone %q", v, tail)
		}
	default:
		return time.Time{}, fmt.Errorf("cannot parse %q as a time", v)
	}
	t, err := time.Parse(timeLayouts[sep][sec][zone], s)
	if err != nil && zone == zoneGo {
		// a zone without a name prints its offset as its name ("+0530 +0530"), which
		// Parse does not take for one: the offset alone gives the instant
		if i := strings.LastIndexByte(s, ' '); i > end {
			t, err = time.Parse(timeLayouts[sep][sec][zoneGoOff], s[:i])
		}
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot parse %q as a time: %w", v, err)
	}
	return t, nil
}

func (s *timeSlot) isNull() bool { return !s.v.Valid }
func (s *timeSlot) key() (keyPart, bool) {
	return keyPart{i: s.v.Time.UnixNano(), s: s.v.Time.Location().String()}, true
}
func (s *timeSlot) value(b *boxes) any {
	if !s.v.Valid {
		return nil
	}
	return b.time(s.v.Time)
}

type bytesSlot struct {
	v  []byte
	ci *colInfo
}

func (s *bytesSlot) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		s.v = nil
	case []byte:
		s.v = append(make([]byte, 0, len(v)), v...)
	case string:
		s.v = []byte(v)
	default:
		return scanErr(s.ci, errUnsupported(src, "[]byte"))
	}
	return nil
}
func (s *bytesSlot) isNull() bool         { return s.v == nil }
func (s *bytesSlot) key() (keyPart, bool) { return keyPart{s: string(s.v)}, true }
func (s *bytesSlot) value(*boxes) any {
	if s.v == nil {
		return nil
	}
	return s.v
}

// anySlot keeps whatever the driver returned; []byte is copied.
type anySlot struct {
	v  any
	ci *colInfo
}

func (s *anySlot) Scan(src any) error {
	if b, ok := src.([]byte); ok {
		src = append(make([]byte, 0, len(b)), b...)
	}
	s.v = src
	return nil
}
func (s *anySlot) isNull() bool { return s.v == nil }
func (s *anySlot) key() (keyPart, bool) {
	switch v := s.v.(type) {
	case int64:
		return keyPart{i: v}, true
	case string:
		return keyPart{s: v}, true
	case []byte:
		return keyPart{s: string(v)}, true
	case float64:
		return keyPart{i: int64(math.Float64bits(v))}, true
	case bool:
		if v {
			return keyPart{i: 1}, true
		}
		return keyPart{}, true
	case time.Time:
		return keyPart{i: v.UnixNano(), s: v.Location().String()}, true
	case int32:
		return keyPart{i: int64(v)}, true
	case int:
		return keyPart{i: int64(v)}, true
	}
	return keyPart{}, false
}

// value returns the map form: []byte as string (text columns from MySQL and SQLite arrive as
// bytes), everything else as the driver returned it.
func (s *anySlot) value(*boxes) any {
	if b, ok := s.v.([]byte); ok {
		return string(b)
	}
	return s.v
}

func newSlot(k Kind, ci *colInfo) slot {
	switch k {
	case Int:
		return &intSlot{ci: ci}
	case Float:
		return &floatSlot{ci: ci}
	case String:
		return &stringSlot{ci: ci}
	case Bool:
		return &boolSlot{ci: ci}
	case Time:
		return &timeSlot{ci: ci}
	case Bytes:
		return &bytesSlot{ci: ci}
	}
	return &anySlot{ci: ci}
}
