package hydrate_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/joinery/joinery/hydrate"
)

var errBadUpper = errors.New("upper: unsupported source")

// Upper is a custom sql.Scanner (pointer receiver) that upper-cases text.
type Upper string

func (u *Upper) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*u = Upper(strings.ToUpper(v))
	case []byte:
		*u = Upper(strings.ToUpper(string(v)))
	case nil:
		*u = "<nil>"
	default:
		return fmt.Errorf("%w: %T", errBadUpper, src)
	}
	return nil
}

// Keep is a sql.Scanner that keeps the []byte it is given without copying it.
type Keep struct{ B []byte }

func (k *Keep) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok && src != nil {
		return fmt.Errorf("keep: %T", src)
	}
	k.B = b
	return nil
}

type Status string

type Kitchen struct {
	ID      int64           `db:"id"`
	NS      sql.NullString  `db:"ns"`
	NSNull  sql.NullString  `db:"ns_null"`
	Up      Upper           `db:"up"`
	UpNull  Upper           `db:"up_null"`
	Keep    Keep            `db:"keep"`
	At      time.Time       `db:"at"`
	AtP     *time.Time      `db:"at_p"`
	AtPNull *time.Time      `db:"at_p_null"`
	F32     float32         `db:"f32"`
	F64     float64         `db:"f64"`
	I32     int32           `db:"i32"`
	I16     int16           `db:"i16"`
	I8      int8            `db:"i8"`
	U16     uint16          `db:"u16"`
	U64     uint64          `db:"u64"`
	I       int             `db:"i"`
	B       bool            `db:"b"`
	BFromI  bool            `db:"b_from_i"`
	Raw     []byte          `db:"raw"`
	RawNull []byte          `db:"raw_null"`
	SP      *string         `db:"sp"`
	SPNull  *string         `db:"sp_null"`
	IP      *int64          `db:"ip"`
	St      Status          `db:"st"`
	NI      *sql.NullInt64  `db:"ni"`
	NINull  *sql.NullInt64  `db:"ni_null"`
	JS      json.RawMessage `db:"js"`
	Skipped string          `db:"-"`
	Untag   string
}

var kitchenFields = []string{"id", "ns", "ns_null", "up", "up_null", "keep", "at", "at_p", "at_p_null", "f32", "f64",
	"i32", "i16", "i8", "u16", "u64", "i", "b", "b_from_i", "raw", "raw_null", "sp", "sp_null", "ip", "st", "ni", "ni_null", "js", "untag"}

func kitchenMap() (*hydrate.Map, []string) {
	n := &hydrate.Node{Name: "Kitchen", Type: typeOf[Kitchen](), Key: []int{0}}
	var cols []string
	for _, f := range kitchenFields {
		n.Cols = append(n.Cols, col("k_"+f, f))
		cols = append(cols, "k_"+f)
	}
	return &hydrate.Map{Root: n}, cols
}

func kitchenRow(over map[string]any) []any {
	t0 := time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC)
	t1 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600))
	base := map[string]any{
		"id": int64(1), "ns": "x", "ns_null": nil, "up": "abc", "up_null": nil, "keep": []byte("kept"),
		"at": t0, "at_p": t1, "at_p_null": nil, "f32": 1.25, "f64": 2.5,
		"i32": int64(-7), "i16": int64(-300), "i8": int64(-3), "u16": int64(65535), "u64": int64(1 << 40), "i": int64(-1),
		"b": true, "b_from_i": int64(1), "raw": []byte("bin"), "raw_null": nil, "sp": "s", "sp_null": nil,
		"ip": int64(9), "st": "open", "ni": int64(4), "ni_null": nil, "js": []byte(`{"a":1}`), "untag": "u",
	}
	for k, v := range over {
		if _, ok := base[k]; !ok {
			panic("unknown kitchen field " + k)
		}
		base[k] = v
	}
	out := make([]any, len(kitchenFields))
	for i, f := range kitchenFields {
		out[i] = base[f]
	}
	return out
}

func TestFieldTypes(t *testing.T) {
	m, cols := kitchenMap()
	rs := mkRows(cols)
	rs.AddRow(toValues(kitchenRow(nil))...)
	rs.AddRow(toValues(kitchenRow(map[string]any{"id": int64(2), "keep": []byte("second"), "raw": []byte("bin2")}))...)
	rs.AddRow(toValues(kitchenRow(map[string]any{"keep": []byte("overwrite?")}))...)
	got, err := hydrate.All[Kitchen](query(t, rs), m)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC)
	t1 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600))
	s, ip := "s", int64(9)
	k := Kitchen{
		ID: 1, NS: sql.NullString{String: "x", Valid: true}, Up: "ABC", UpNull: "<nil>", Keep: Keep{[]byte("kept")},
		At: t0, AtP: &t1, F32: 1.25, F64: 2.5, I32: -7, I16: -300, I8: -3, U16: 65535, U64: 1 << 40, I: -1,
		B: true, BFromI: true, Raw: []byte("bin"), SP: &s, IP: &ip, St: "open",
		NI: &sql.NullInt64{Int64: 4, Valid: true}, JS: json.RawMessage(`{"a":1}`), Untag: "u",
	}
	k2 := k
	k2.ID, k2.Keep, k2.Raw = 2, Keep{[]byte("second")}, []byte("bin2")
	mustEqual(t, got, []Kitchen{k, k2})
	if got[0].RawNull != nil || got[0].AtPNull != nil || got[0].SPNull != nil || got[0].NINull != nil || got[0].NSNull.Valid {
		t.Fatalf("NULLs: %#v", got[0])
	}
}

func TestNullIntoNonNullableFields(t *testing.T) {
	m, cols := kitchenMap()
	for _, f := range []string{"f32", "f64", "i32", "i8", "u16", "i", "b", "at", "st"} {
		t.Run(f, func(t *testing.T) {
			rs := mkRows(cols)
			rs.AddRow(toValues(kitchenRow(map[string]any{f: nil}))...)
			got, err := hydrate.All[Kitchen](query(t, rs), m)
			se := mustScanError(t, err, "k_"+f, "Kitchen."+goNameOf(f))
			if !strings.Contains(se.Error(), "NULL") || got != nil {
				t.Fatalf("err %v, got %#v", err, got)
			}
		})
	}
}

func TestScanErrorsOfFieldTypes(t *testing.T) {
	m, cols := kitchenMap()
	cases := []struct {
		field string
		v     any
		is    error
	}{
		{"up", int64(5), errBadUpper}, // custom scanner error, kept in the chain
		{"f32", "x", nil},
		{"i32", "1.5", nil},
		{"b", "maybe", nil},
		{"at", "yesterday", nil},
		{"raw", int64(3), nil},
		{"ip", "nine", nil},
		{"at_p", int64(1), nil},
		{"ni", "four", nil},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			rs := mkRows(cols)
			rs.AddRow(toValues(kitchenRow(map[string]any{c.field: c.v}))...)
			_, err := hydrate.All[Kitchen](query(t, rs), m)
			mustScanError(t, err, "k_"+c.field, "Kitchen."+goNameOf(c.field))
			if c.is != nil && !errors.Is(err, c.is) {
				t.Fatalf("err %v does not wrap %v", err, c.is)
			}
		})
	}
}

func TestIntegerOutOfRange(t *testing.T) {
	// database/sql refuses to store 300 into an int8; silently wrapping would corrupt data.
	m, cols := kitchenMap()
	for _, c := range []struct {
		field string
		v     int64
	}{
		{"i8", 300}, {"i8", -129}, {"i16", 1 << 20}, {"i32", 1 << 40}, {"u16", 65536}, {"u16", -1}, {"u64", -1},
	} {
		t.Run(fmt.Sprintf("%s=%d", c.field, c.v), func(t *testing.T) {
			rs := mkRows(cols)
			rs.AddRow(toValues(kitchenRow(map[string]any{c.field: c.v}))...)
			got, err := hydrate.All[Kitchen](query(t, rs), m)
			if err == nil {
				t.Fatalf("no error; stored %v", reflect.ValueOf(got[0]).FieldByName(goNameOf(c.field)))
			}
			mustScanError(t, err, "k_"+c.field, "Kitchen."+goNameOf(c.field))
		})
	}
	// The limits themselves fit.
	rs := mkRows(cols)
	rs.AddRow(toValues(kitchenRow(map[string]any{"i8": int64(-128), "i16": int64(32767), "i32": int64(-1 << 31), "u16": int64(0)}))...)
	got, err := hydrate.All[Kitchen](query(t, rs), m)
	if err != nil {
		t.Fatal(err)
	}
	if g := got[0]; g.I8 != -128 || g.I16 != 32767 || g.I32 != -1<<31 || g.U16 != 0 {
		t.Fatalf("limits: %d %d %d %d", g.I8, g.I16, g.I32, g.U16)
	}
}

func goNameOf(col string) string {
	f, ok := typeOf[Kitchen]().FieldByNameFunc(func(name string) bool {
		sf, _ := typeOf[Kitchen]().FieldByName(name)
		tag := sf.Tag.Get("db")
		return tag == col || tag == "" && strings.ToLower(name) == col
	})
	if !ok {
		panic("no field for " + col)
	}
	return f.Name
}

// ---------------------------------------------------------------------------------------------
// Byte arrays (UUIDs) are scalar columns converted from what the driver returns.

type UUID [4]byte

type Device struct {
	ID   UUID  `db:"id"`
	Alt  *UUID `db:"alt"`
	Name string
}

func TestByteArrayField(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{Name: "Device", Type: typeOf[Device](),
		Cols: []hydrate.Col{col("d_id", "id"), col("d_alt", "alt"), col("d_name", "name")}, Key: []int{0}}}
	rows := query(t, mkRows([]string{"d_id", "d_alt", "d_name"},
		r([]byte{1, 2, 3, 4}, []byte{5, 6, 7, 8}, "a"),
		r([]byte{1, 2, 3, 4}, nil, "a"),
		r([]byte{9, 9, 9, 9}, nil, "b"),
	))
	got, err := hydrate.All[Device](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	alt := UUID{5, 6, 7, 8}
	mustEqual(t, got, []Device{{ID: UUID{1, 2, 3, 4}, Alt: &alt, Name: "a"}, {ID: UUID{9, 9, 9, 9}, Name: "b"}})

	for _, bad := range [][]byte{{1, 2}, {1, 2, 3, 4, 5}} {
		t.Run(fmt.Sprintf("len %d", len(bad)), func(t *testing.T) {
			rows := query(t, mkRows([]string{"d_id", "d_alt", "d_name"}, r(bad, nil, "a")))
			err := func() (err error) {
				defer func() {
					if p := recover(); p != nil {
						err = fmt.Errorf("panic: %v", p)
					}
				}()
				_, err = hydrate.All[Device](rows, m)
				return err
			}()
			if strings.HasPrefix(fmt.Sprint(err), "panic") {
				t.Fatal(err)
			}
			mustScanError(t, err, "d_id", "Device.ID")
		})
	}
}

// ---------------------------------------------------------------------------------------------

func TestKindOf(t *testing.T) {
	cases := []struct {
		t    reflect.Type
		want hydrate.Kind
	}{
		{typeOf[int64](), hydrate.Int},
		{typeOf[int](), hydrate.Int},
		{typeOf[uint8](), hydrate.Int},
		{typeOf[*int32](), hydrate.Int},
		{typeOf[float32](), hydrate.Float},
		{typeOf[*float64](), hydrate.Float},
		{typeOf[string](), hydrate.String},
		{typeOf[Status](), hydrate.String},
		{typeOf[*string](), hydrate.String},
		{typeOf[bool](), hydrate.Bool},
		{typeOf[time.Time](), hydrate.Time},
		{typeOf[*time.Time](), hydrate.Time},
		{typeOf[[]byte](), hydrate.Bytes},
		{typeOf[json.RawMessage](), hydrate.Bytes},
		{typeOf[sql.NullString](), hydrate.Any},
		{typeOf[*sql.NullInt64](), hydrate.Any},
		{typeOf[sql.NullTime](), hydrate.Time}, // a time slot: it also reads the text forms of a time
		{typeOf[Upper](), hydrate.Any},
		{typeOf[UUID](), hydrate.Any},
	}
	for _, c := range cases {
		if got := hydrate.KindOf(c.t); got != c.want {
			t.Errorf("KindOf(%s) = %d, want %d", c.t, got, c.want)
		}
	}
}

// A key held in a Scanner field (Any kind) and a time key still fold by typed identity.
type Event struct {
	At   time.Time        `db:"at"`
	Code sql.NullString   `db:"code"`
	Hits []EventHit       `db:"-"`
	Meta map[string]int64 `db:"-"`
}

type EventHit struct {
	N sql.NullInt64 `db:"n"`
}

func TestTimeAndScannerKeys(t *testing.T) {
	m := &hydrate.Map{Root: &hydrate.Node{Name: "Event", Type: typeOf[Event](),
		Cols: []hydrate.Col{col("e_at", "at"), col("e_code", "code")}, Key: []int{0, 1},
		Children: []*hydrate.Node{{Path: "hits", Field: "Hits", Type: typeOf[EventHit](), Many: true,
			Cols: []hydrate.Col{col("h_n", "n")}, Key: []int{0}}},
	}}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Nanosecond)
	rows := query(t, mkRows([]string{"e_at", "e_code", "h_n"},
		r(t0, "a", 1),
		r(t1, "a", 2),
		r(t0, "a", 3),
		r(t0, "b", nil),
		r(t0, "a", 1),
	))
	got, err := hydrate.All[Event](rows, m)
	if err != nil {
		t.Fatal(err)
	}
	ns := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	ni := func(i int64) EventHit { return EventHit{sql.NullInt64{Int64: i, Valid: true}} }
	mustEqual(t, got, []Event{
		{At: t0, Code: ns("a"), Hits: []EventHit{ni(1), ni(3)}},
		{At: t1, Code: ns("a"), Hits: []EventHit{ni(2)}},
		{At: t0, Code: ns("b"), Hits: []EventHit{}},
	})
}
