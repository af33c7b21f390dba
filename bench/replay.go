package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
)

// Replay is a captured result set: what BenchmarkHydrate folds, so that driver decoding and
// the network are out of the measurement.
type Replay struct {
	Columns []string
	Rows    [][]driver.Value
}

// Capture runs query on db and keeps its rows as the driver values database/sql hands out
// (int64, string, nil ... as pgx's stdlib driver returns them).
func Capture(ctx context.Context, db *sql.DB, query string, args ...any) (*Replay, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	r := &Replay{Columns: cols}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]driver.Value, len(cols))
		for i, v := range vals {
			row[i] = v
		}
		r.Rows = append(r.Rows, row)
	}
	return r, rows.Err()
}

// DB returns a *sql.DB whose every query returns the captured rows, whatever its text and
// arguments: a fake driver whose Rows.Next copies the next row's values.
func (r *Replay) DB() *sql.DB {
	db := sql.OpenDB(replayConnector{r})
	db.SetMaxIdleConns(2)
	return db
}

type replayConnector struct{ r *Replay }

func (c replayConnector) Connect(context.Context) (driver.Conn, error) { return replayConn(c), nil }
func (c replayConnector) Driver() driver.Driver                        { return replayDriver{} }

type replayDriver struct{}

func (replayDriver) Open(string) (driver.Conn, error) {
	return nil, errors.New("replay: use Replay.DB")
}

type replayConn struct{ r *Replay }

func (c replayConn) Prepare(string) (driver.Stmt, error) {
	return nil, errors.New("replay: Prepare is not supported")
}
func (c replayConn) Close() error              { return nil }
func (c replayConn) Begin() (driver.Tx, error) { return nil, errors.New("replay: no transactions") }

// QueryContext returns the captured rows.
func (c replayConn) QueryContext(context.Context, string, []driver.NamedValue) (driver.Rows, error) {
	return &replayRows{r: c.r}, nil
}

// CheckNamedValue accepts any argument: they are ignored.
func (c replayConn) CheckNamedValue(*driver.NamedValue) error { return nil }

type replayRows struct {
	r *Replay
	i int
}

func (rs *replayRows) Columns() []string { return rs.r.Columns }
func (rs *replayRows) Close() error      { return nil }
func (rs *replayRows) Next(dest []driver.Value) error {
	if rs.i >= len(rs.r.Rows) {
		return io.EOF
	}
	copy(dest, rs.r.Rows[rs.i])
	rs.i++
	return nil
}
