package hydrate_test

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/joinery/joinery/hydrate"
)

// query returns *sql.Rows from sqlmock serving rs, and checks in t.Cleanup that the rows were
// closed and every expectation was met.
func query(t *testing.T, rs *sqlmock.Rows) *sql.Rows {
	t.Helper()
	db, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
	if err != nil {
		t.Fatalf("sqlmock.New: %v", err)
	}
	mock.ExpectQuery("SELECT x").WillReturnRows(rs).RowsWillBeClosed()
	rows, err := db.Query("SELECT x")
	if err != nil {
		t.Fatalf("db.Query: %v", err)
	}
	t.Cleanup(func() {
		if err := mock.ExpectationsWereMet(); err != nil {
			t.Errorf("sqlmock expectations: %v", err)
		}
		db.Close()
	})
	return rows
}

// mkRows builds sqlmock rows from column names and row values.
func mkRows(cols []string, data ...[]driver.Value) *sqlmock.Rows {
	rs := sqlmock.NewRows(cols)
	for _, d := range data {
		rs.AddRow(d...)
	}
	return rs
}

// r is shorthand for one row.
func r(v ...driver.Value) []driver.Value { return v }

func col(column, field string) hydrate.Col { return hydrate.Col{Column: column, Field: field} }

func kcol(column, field string, k hydrate.Kind) hydrate.Col {
	return hydrate.Col{Column: column, Field: field, Kind: k}
}

func typeOf[T any]() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }

// mustEqual compares with reflect.DeepEqual and prints both sides as Go and as JSON.
func mustEqual(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Fatalf("mismatch\n got: %#v\nwant: %#v\n got JSON: %s\nwant JSON: %s", got, want, gj, wj)
	}
}

// mustJSON compares the JSON encoding of got with the JSON literal want (whitespace-insensitive).
func mustJSON(t *testing.T, got any, want string) {
	t.Helper()
	gj, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(want)); err != nil {
		t.Fatalf("bad want JSON %s: %v", want, err)
	}
	if string(gj) != buf.String() {
		t.Fatalf("JSON mismatch\n got: %s\nwant: %s", gj, buf.String())
	}
}

// mustScanError asserts err is a *hydrate.ScanError for column and field.
func mustScanError(t *testing.T, err error, column, field string) *hydrate.ScanError {
	t.Helper()
	if err == nil {
		t.Fatalf("want a ScanError for %s/%s, got nil", column, field)
	}
	var se *hydrate.ScanError
	if !errors.As(err, &se) {
		t.Fatalf("want *hydrate.ScanError, got %T: %v", err, err)
	}
	if se.Column != column || se.Field != field {
		t.Fatalf("ScanError{Column: %q, Field: %q}, want {%q, %q} (%v)", se.Column, se.Field, column, field, err)
	}
	if !strings.Contains(err.Error(), column) {
		t.Fatalf("error %q does not name column %q", err, column)
	}
	return se
}

// fakeRows is a hand-made hydrate.Rows: it feeds any value to the slots and records Close.
type fakeRows struct {
	cols     []string
	data     [][]any
	i        int
	closed   int
	colErr   error
	err      error
	closeErr error
}

func (f *fakeRows) Columns() ([]string, error) { return f.cols, f.colErr }
func (f *fakeRows) Next() bool {
	if f.i >= len(f.data) {
		return false
	}
	f.i++
	return true
}
func (f *fakeRows) Scan(dest ...any) error {
	row := f.data[f.i-1]
	if len(row) != len(dest) {
		return fmt.Errorf("fakeRows: %d values for %d dests", len(row), len(dest))
	}
	for i, d := range dest {
		if err := d.(sql.Scanner).Scan(row[i]); err != nil {
			return err
		}
	}
	return nil
}
func (f *fakeRows) Err() error   { return f.err }
func (f *fakeRows) Close() error { f.closed++; return f.closeErr }

func toValues(v []any) []driver.Value {
	out := make([]driver.Value, len(v))
	for i := range v {
		out[i] = v[i]
	}
	return out
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "json error: " + err.Error()
	}
	return string(b)
}
