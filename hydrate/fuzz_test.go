package hydrate_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/joinery/joinery/hydrate"
)

// The generated model's maps, compiled once: [branch][asMap].
var genMaps = [2][2]*hydrate.Map{
	{genMap(false, false), genMap(false, true)},
	{genMap(true, false), genMap(true, true)},
}

// FuzzFoldShapes generates a nested value, encodes it as a flat JOIN's rows, as a UNION ALL's
// branch rows and as one statement per branch, each with table rows repeated (duplicate
// keys) and in a random order that keeps the value's order, and checks that every shape
// folds back to the value: struct and map forms, through ScanCells and through Scan.
func FuzzFoldShapes(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{4, 3, 2, 1, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte("\x04\x05\x03\x02\x05\x05\x05\x01\x00\x00\x01\x02\x03\x04\x00\x01\x00\x01\x00\x01\x05\x02\x07"))
	f.Add([]byte(strings.Repeat("\x05\x04\x03\x02\x01\x00\x07\x06", 40)))
	f.Add([]byte(strings.Repeat("\x00\x01\x05\x05\x05\x05", 30)))
	f.Fuzz(checkShapes)
}

// checkShapes is FuzzFoldShapes's property for one input.
func checkShapes(t *testing.T, data []byte) {
	s := &byteSource{b: data}
	v := generate(s)
	want := v.users
	if want == nil {
		want = []gUser{}
	}
	flat := flatRows(s, v)
	branch := branchRows(s, v, s.intn(2) == 0)
	parts, partData := genParts(branch)

	fold := func(name string, rows hydrate.Rows, m *hydrate.Map) []gUser {
		t.Helper()
		got, err := hydrate.All[gUser](rows, m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %s\nwant %s", name, jsonString(got), jsonString(want))
		}
		return got
	}
	fold("flat", &cellRows{cols: genCols[genFirst:], data: flat}, genMaps[0][0])
	fold("flat, Scan", &memRows{cols: genCols[genFirst:], data: flat}, genMaps[0][0])
	fold("union", &cellRows{cols: genCols, data: branch}, genMaps[1][0])
	fold("union, Scan", &memRows{cols: genCols, data: branch}, genMaps[1][0])
	pr, err := openParts(genMaps[1][0], parts, partData)
	if err != nil {
		t.Fatal(err)
	}
	fold("parts", pr, genMaps[1][0])

	foldMaps := func(name string, rows hydrate.Rows, m *hydrate.Map) []map[string]any {
		t.Helper()
		got, err := hydrate.All[map[string]any](rows, m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return got
	}
	mf := foldMaps("flat maps", &cellRows{cols: genCols[genFirst:], data: flat}, genMaps[0][1])
	mu := foldMaps("union maps", &cellRows{cols: genCols, data: branch}, genMaps[1][1])
	pr, err = openParts(genMaps[1][1], parts, partData)
	if err != nil {
		t.Fatal(err)
	}
	mp := foldMaps("parts maps", pr, genMaps[1][1])
	if !reflect.DeepEqual(mf, mu) || !reflect.DeepEqual(mf, mp) {
		t.Fatalf("map forms differ:\n flat %s\nunion %s\nparts %s", jsonString(mf), jsonString(mu), jsonString(mp))
	}
	if len(mf) != len(want) {
		t.Fatalf("map form: %d roots, want %d", len(mf), len(want))
	}
}

// fuzzValues are what a row's cells may hold: NULLs, keys that repeat, values of every
// driver type and some no driver sends, for columns of any kind.
var fuzzValues = []any{
	nil, int64(0), int64(1), int64(2), int64(-1), int64(math.MaxInt64), int64(1 << 33),
	"a", "1", "", "2024-01-02 03:04:05", []byte("b"), []byte("7"), []byte(nil),
	2.5, float64(1), true, false, time.Unix(5, 0).UTC(), uint64(7), int32(3), struct{}{},
}

// genIntCols marks the integer columns of genCols; the others hold text.
var genIntCols = map[int]bool{1: true, 2: true, 4: true, 5: true, 9: true, 11: true}

// fuzzInts and fuzzStrings are values of a column's own kind: few, so that keys repeat.
var (
	fuzzInts    = []any{int64(0), int64(1), int64(2), int64(3), int64(-1), nil}
	fuzzStrings = []any{"a", "b", "ann", "", nil}
)

// fuzzBranches are the branch tags a row may carry: the map's, unknown ones, NULL, a string.
var fuzzBranches = []any{int64(0), int64(1), int64(2), int64(3), int64(0), int64(1), int64(2), int64(3), int64(7), int64(-1), nil, "x", int64(1 << 40)}

// FuzzFoldRows folds arbitrary rows, in every shape and form: the hydrator never panics, and
// every error it returns is typed (a *ScanError naming the column, or ErrColumns).
func FuzzFoldRows(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10})
	f.Add([]byte(strings.Repeat("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15", 10)))
	f.Add([]byte(strings.Repeat("\x00\x01\x01\x02\x01\x02\x00\x00\x00", 20)))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &byteSource{b: data}
		n := s.intn(16)
		rows := make([][]any, n)
		for i := range rows {
			r := make([]any, len(genCols))
			r[0] = fuzzBranches[s.intn(len(fuzzBranches))]
			for j := 1; j < len(r); j++ {
				// mostly a value of the column's kind, so that rows get past the scan
				// and into the fold; sometimes anything
				c := int(s.next())
				switch {
				case c&3 == 0:
					r[j] = fuzzValues[(c>>2)%len(fuzzValues)]
				case genIntCols[j]:
					r[j] = fuzzInts[(c>>2)%len(fuzzInts)]
				default:
					r[j] = fuzzStrings[(c>>2)%len(fuzzStrings)]
				}
			}
			rows[i] = r
		}
		flat := make([][]any, n)
		for i, r := range rows {
			flat[i] = r[genFirst:]
		}
		typed := func(name string, err error) {
			t.Helper()
			var se *hydrate.ScanError
			if err != nil && !errors.As(err, &se) && !errors.Is(err, hydrate.ErrColumns) {
				t.Fatalf("%s: untyped error %T: %v", name, err, err)
			}
		}
		for form := range 2 {
			var err error
			if form == 0 {
				_, err = hydrate.All[gUser](&cellRows{cols: genCols[genFirst:], data: flat}, genMaps[0][0])
				typed("flat", err)
				_, err = hydrate.All[*gUser](&memRows{cols: genCols[genFirst:], data: flat}, genMaps[0][0])
				typed("flat, Scan", err)
				err = hydrate.Each(&cellRows{cols: genCols[genFirst:], data: flat}, genMaps[0][0], func(gUser) error { return nil })
				typed("flat, Each", err)
				_, err = hydrate.All[gUser](&cellRows{cols: genCols, data: rows}, genMaps[1][0])
				typed("union", err)
				_, err = hydrate.All[*gUser](&memRows{cols: genCols, data: rows}, genMaps[1][0])
				typed("union, Scan", err)
			} else {
				_, err = hydrate.All[map[string]any](&cellRows{cols: genCols[genFirst:], data: flat}, genMaps[0][1])
				typed("flat maps", err)
				_, err = hydrate.All[map[string]any](&cellRows{cols: genCols, data: rows}, genMaps[1][1])
				typed("union maps", err)
			}
			// branch tags the parts cannot carry are the statements' own: NULL or a string
			// becomes an unknown branch
			var valid [][]any
			for _, r := range rows {
				if _, ok := r[0].(int64); !ok {
					r = append([]any{int64(-5)}, r[1:]...)
				}
				valid = append(valid, r)
			}
			parts, partData := genParts(valid)
			pr, err := openParts(genMaps[1][form], parts, partData)
			if err != nil {
				// a statement of a branch the map does not have: refused before any runs
				if !errors.Is(err, hydrate.ErrColumns) || len(parts) <= 4 {
					t.Fatalf("parts: %v", err)
				}
				if pr, err = openParts(genMaps[1][form], parts[:4], partData[:4]); err != nil {
					t.Fatal(err)
				}
			}
			if form == 0 {
				_, err = hydrate.All[gUser](pr, genMaps[1][0])
			} else {
				_, err = hydrate.All[map[string]any](pr, genMaps[1][1])
			}
			typed("parts", err)
		}
	})
}

// FuzzTimeText reads arbitrary text as a time (never a panic), and reads back every form the
// supported drivers write of an arbitrary instant.
func FuzzTimeText(f *testing.F) {
	f.Add("2024-01-02 03:04:05.123456 +0000 UTC", int64(1704164645), int64(123456789), int32(3600))
	f.Add("0000-00-00 00:00:00", int64(0), int64(0), int32(0))
	f.Add("2024-01-02T03:04Z", int64(-1), int64(1), int32(-19800))
	f.Fuzz(func(t *testing.T, text string, sec, nsec int64, off int32) {
		hydrate.ParseTimeText(text) // must not panic
		sec %= 200 * 365 * 86400    // within years 1770-2170
		nsec %= 1e9
		if nsec < 0 {
			nsec = -nsec
		}
		off %= 14 * 3600
		off -= off % 60 // offsets of whole minutes, as every writer prints
		in := time.Unix(sec, nsec).In(time.FixedZone("", int(off)))
		for _, layout := range writtenTimeForms {
			text := in.Format(layout)
			got, err := hydrate.ParseTimeText(text)
			if err != nil {
				t.Fatalf("%q (layout %q): %v", text, layout, err)
			}
			want, err := time.Parse(layout, text) // the instant the text holds
			if err != nil {
				want = in // Parse takes no offset for a zone's name ("+0530 +0530")
			}
			if !got.Equal(want) {
				t.Fatalf("%q: got %v, want %v", text, got, want)
			}
		}
		s := in.String()
		if got, err := hydrate.ParseTimeText(s + " m=+0.000000001"); err != nil || !got.Equal(in) {
			t.Fatalf("%q: %v %v", s, got, err)
		}
	})
}

// writtenTimeForms are the layouts the supported drivers write timestamps in (see
// TestTimeText for their origins).
var writtenTimeForms = []string{
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
	time.RFC3339,
	time.RFC3339Nano,
	"2006-01-02 15:04:05.000000",
	"2006-01-02 15:04:05.999999-07",
}
