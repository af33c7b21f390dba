// Package pgx runs joinery queries over pgx (github.com/jackc/pgx/v5): *pgx.Conn,
// *pgxpool.Pool and pgx.Tx. It is a module of its own, so the library does not depend on
// pgx.
//
// Rows are folded straight from pgx's raw values: integers, floats, booleans, text, bytea,
// uuid, date and timestamps are decoded from the wire format into the hydrator's typed cells,
// with no database/sql layer and no boxing of each value in an any. Other types go through
// pgx's own decoding.
package pgx

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/hydrate"
)

// Importing this package also speeds up joinery over database/sql with pgx's stdlib driver:
// Q.All over a *sql.DB (or *sql.Conn) opened with driver "pgx" runs on the underlying
// *pgx.Conn as All does here (the same default shape, pipelines in one batch) and folds the
// raw values the same way.
func init() {
	joinery.RegisterDriverAdapter(func(ctx context.Context, dc any) *joinery.DriverRunner {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return nil
		}
		conn := sc.Conn()
		stdlibRuns.Add(1)
		return &joinery.DriverRunner{
			Query: func(query string, args []any) (hydrate.Rows, error) {
				rows, err := conn.Query(ctx, query, args...)
				if err != nil {
					return nil, err
				}
				return Rows(rows), nil
			},
			Pipeline: func(p *builder.Plan) (hydrate.Rows, error) { return run(ctx, conn, p) },
		}
	})
}

// stdlibRuns counts the loads run natively under pgx's stdlib driver (for tests).
var stdlibRuns atomic.Int64

// Querier runs a query and a batch: *pgx.Conn, *pgxpool.Pool and pgx.Tx satisfy it.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// All runs q (compiled for dialects.Postgres) over db and returns every root.
//
// The default shape here is ShapePipeline wherever joinery would otherwise send the UNION
// ALL of branches (see joinery.Q.PlanPipelined); an explicit Shape is kept. A plan of
// ShapePipeline is sent as one batch: its statements go out together and their
// results come back in one round trip. Over a *pgx.Conn or a *pgxpool.Pool the batch is one
// REPEATABLE READ, READ ONLY transaction, so every statement sees the same snapshot; in a
// pgx.Tx the statements run in it, under its isolation level.
func All[T any](ctx context.Context, db Querier, q joinery.Q[T]) ([]T, error) {
	p, err := q.PlanPipelined()
	if err != nil {
		return nil, err
	}
	rows, err := run(ctx, db, p)
	if err != nil {
		return nil, fmt.Errorf("joinery/pgx: %w", err)
	}
	out, err := hydrate.All[T](rows, p.Map)
	if err != nil {
		return nil, fmt.Errorf("joinery/pgx: %w", err)
	}
	return out, nil
}

// run runs p's statement, or sends a pipelined plan's statements in one batch.
func run(ctx context.Context, db Querier, p *builder.Plan) (hydrate.Rows, error) {
	if p.Shape != builder.ShapePipeline {
		rows, err := db.Query(ctx, p.SQL, p.Args...)
		if err != nil {
			return nil, err
		}
		return Rows(rows), nil
	}
	_, inTx := db.(pgx.Tx)
	if c, ok := db.(*pgx.Conn); ok && c.PgConn().TxStatus() != 'I' {
		inTx = true // a transaction the caller began on the connection
	}
	b := &pgx.Batch{}
	if !inTx {
		b.Queue("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
	}
	parts := make([]hydrate.Part, len(p.Statements))
	for i, st := range p.Statements {
		b.Queue(st.SQL, st.Args...)
		parts[i] = st.Part
	}
	if !inTx {
		b.Queue("COMMIT")
	}
	br := db.SendBatch(ctx, b)
	began, opened := inTx, 0
	open := func(i int) (hydrate.Rows, error) {
		if !began {
			began = true
			if _, err := br.Exec(); err != nil {
				return nil, err
			}
		}
		r, err := br.Query()
		if err != nil {
			return nil, err
		}
		opened++
		return Rows(r), nil
	}
	done := func() error {
		var err error
		if opened == len(parts) && !inTx {
			_, err = br.Exec() // COMMIT
		}
		// pgx (v5.7) returns a failed statement's error from the first Close without
		// reading the rest of the batch: the second one drains it and frees the connection
		cerr := br.Close()
		br.Close()
		if err == nil {
			err = cerr
		}
		if !inTx {
			// a statement that failed left the transaction open and aborted: a pool
			// discards such a connection, a single connection is rolled back here
			if c, ok := db.(*pgx.Conn); ok && c.PgConn().TxStatus() != 'I' {
				if _, rerr := c.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err == nil {
					err = rerr
				}
			}
		}
		return err
	}
	rows, err := hydrate.Parts(p.ResultColumns(), p.Map.Branch, parts, open, done)
	if err != nil {
		br.Close()
		return nil, err
	}
	return rows, nil
}

// One runs q and returns its first root, or an error matching joinery.ErrNoRows.
func One[T any](ctx context.Context, db Querier, q joinery.Q[T]) (T, error) {
	var zero T
	all, err := All(ctx, db, q)
	if err != nil {
		return zero, err
	}
	if len(all) == 0 {
		return zero, joinery.ErrNoRows
	}
	return all[0], nil
}

// Rows adapts pgx rows to the hydrator: a hydrate.CellRows.
func Rows(r pgx.Rows) hydrate.CellRows { return &rows{r: r} }

type rows struct {
	r      pgx.Rows
	fields []pgconn.FieldDescription
}

func (x *rows) Columns() ([]string, error) {
	fds := x.r.FieldDescriptions()
	out := make([]string, len(fds))
	for i, f := range fds {
		out[i] = f.Name
	}
	return out, nil
}

func (x *rows) Next() bool   { return x.r.Next() }
func (x *rows) Err() error   { return x.r.Err() }
func (x *rows) Close() error { x.r.Close(); return x.r.Err() }

func (x *rows) Scan(dest ...any) error { return x.r.Scan(dest...) }

// PostgreSQL type OIDs decoded here.
const (
	oidBool        = 16
	oidBytea       = 17
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidFloat4      = 700
	oidFloat8      = 701
	oidBPChar      = 1042
	oidVarchar     = 1043
	oidDate        = 1082
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidUUID        = 2950
	oidName        = 19
)

// pgEpoch is PostgreSQL's epoch for binary dates and timestamps.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func (x *rows) ScanCells(cells []hydrate.Cell) error {
	if x.fields == nil {
		x.fields = x.r.FieldDescriptions()
	}
	raw := x.r.RawValues()
	var values []any // pgx's own decoding, for the types not handled here
	for i, c := range cells {
		b := raw[i]
		if b == nil {
			if err := c.SetNull(); err != nil {
				return err
			}
			continue
		}
		f := x.fields[i]
		var err error
		if f.Format == pgx.BinaryFormatCode {
			switch f.DataTypeOID {
			case oidInt8:
				err = c.SetInt(int64(binary.BigEndian.Uint64(b)))
			case oidInt4:
				err = c.SetInt(int64(int32(binary.BigEndian.Uint32(b))))
			case oidInt2:
				err = c.SetInt(int64(int16(binary.BigEndian.Uint16(b))))
			case oidFloat8:
				err = c.SetFloat(math.Float64frombits(binary.BigEndian.Uint64(b)))
			case oidFloat4:
				err = c.SetFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(b))))
			case oidBool:
				err = c.SetBool(b[0] != 0)
			case oidText, oidVarchar, oidBPChar, oidName:
				err = c.SetString(string(b))
			case oidBytea:
				err = c.SetBytes(b)
			case oidUUID:
				err = c.SetString(uuidString(b))
			case oidTimestamptz:
				err = c.SetTime(pgEpoch.Add(time.Duration(int64(binary.BigEndian.Uint64(b))) * time.Microsecond).Local())
			case oidTimestamp:
				err = c.SetTime(pgEpoch.Add(time.Duration(int64(binary.BigEndian.Uint64(b))) * time.Microsecond))
			case oidDate:
				err = c.SetTime(pgEpoch.AddDate(0, 0, int(int32(binary.BigEndian.Uint32(b)))))
			default:
				if values == nil {
					if values, err = x.r.Values(); err != nil {
						return err
					}
				}
				err = c.Set(values[i])
			}
		} else {
			switch f.DataTypeOID {
			case oidText, oidVarchar, oidBPChar, oidName, oidUUID:
				err = c.SetString(string(b))
			case oidBytea:
				if values == nil {
					if values, err = x.r.Values(); err != nil {
						return err
					}
				}
				err = c.Set(values[i])
			default:
				// the text form: integers, floats and timestamps parse from it
				err = c.SetBytes(b)
			}
		}
		if err != nil {
			return fmt.Errorf("column %q: %w", f.Name, err)
		}
	}
	return nil
}

func uuidString(b []byte) string {
	if len(b) != 16 {
		return hex.EncodeToString(b)
	}
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
