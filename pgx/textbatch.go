package pgx

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// sendBatch sends b on db. On a connection joinery holds (conn) in pgx's default query exec
// mode it sends the batch itself (sendFormatted), so that every column comes in the format
// resultFormats asks for, as a single Query's do: pgx's own SendBatch asks for every type
// it knows in binary, and a value off the fast path would then be pgx's rendering of it
// ("1 day 00:00:00" where PostgreSQL says "1 day", a two-dimensional array flattened, a
// range it cannot write back as text) instead of PostgreSQL's. Other Queriers, and
// connections in another exec mode (exec or simple protocol, which prepare nothing), get
// pgx's SendBatch.
func sendBatch(ctx context.Context, db Querier, conn *pgx.Conn, b *pgx.Batch) batchResults {
	if conn == nil || conn.Config().DefaultQueryExecMode != pgx.QueryExecModeCacheStatement {
		return db.SendBatch(ctx, b)
	}
	return sendFormatted(ctx, conn, b)
}

// batchResults is what joinery reads of a batch's results: pgx's BatchResults (whose
// method set grows with pgx's versions), or a formattedBatch.
type batchResults interface {
	Exec() (pgconn.CommandTag, error)
	Query() (pgx.Rows, error)
	QueryRow() pgx.Row
	Close() error
}

// formattedBatch is a batch sent as one pipeline of prepared statements with the result
// formats joinery decodes: binary for the types of the fast path, text for every other.
type formattedBatch struct {
	ctx    context.Context
	conn   *pgx.Conn
	tm     *pgtype.Map
	batch  *pgx.Batch
	pl     *pgconn.Pipeline
	err    error // a failure before or while sending: every result reports it
	closed bool
	tracer pgx.BatchTracer
	read   int // results read
}

// sendFormatted prepares b's statements (conn.Prepare: a round trip the first time the
// connection sees a statement, none after: pgx keeps them, as it keeps its own cache's), then
// sends them in one pipeline with one Sync. Transaction statements (no arguments) go
// unprepared.
func sendFormatted(ctx context.Context, conn *pgx.Conn, b *pgx.Batch) *formattedBatch {
	fb := &formattedBatch{ctx: ctx, conn: conn, tm: conn.TypeMap(), batch: b}
	if t, ok := conn.Config().Tracer.(pgx.BatchTracer); ok {
		fb.tracer = t
		fb.ctx = t.TraceBatchStart(ctx, conn, pgx.TraceBatchStartData{Batch: b})
	}
	sds := make([]*pgconn.StatementDescription, len(b.QueuedQueries))
	for i, q := range b.QueuedQueries {
		if len(q.Arguments) == 0 && txControl(q.SQL) {
			continue
		}
		sd, err := conn.Prepare(ctx, q.SQL, q.SQL)
		if err != nil {
			fb.err = err
			return fb
		}
		sds[i] = sd
	}
	fb.pl = conn.PgConn().StartPipeline(ctx)
	for i, q := range b.QueuedQueries {
		sd := sds[i]
		if sd == nil {
			fb.pl.SendQueryParams(q.SQL, nil, nil, nil, nil)
			continue
		}
		var eqb pgx.ExtendedQueryBuilder // (its buffers are the pipeline's until Sync)
		if err := eqb.Build(fb.tm, sd, q.Arguments); err != nil {
			// what was sent ends with a Sync, as a pipeline must before Close, which
			// then reads it; the caller gets the encoding error
			_ = fb.pl.Sync()
			fb.err = err
			return fb
		}
		formats := make([]int16, len(sd.Fields))
		for j, f := range sd.Fields {
			formats[j] = resultFormats[f.DataTypeOID] // 0 (text) for the types not listed
		}
		fb.pl.SendQueryPrepared(sd.Name, eqb.ParamValues, eqb.ParamFormats, formats)
	}
	if err := fb.pl.Sync(); err != nil {
		fb.err = err
	}
	return fb
}

// txControl reports a transaction statement (BEGIN ..., COMMIT, ROLLBACK).
func txControl(sql string) bool {
	for _, w := range []string{"BEGIN", "COMMIT", "ROLLBACK"} {
		if strings.HasPrefix(sql, w) {
			return true
		}
	}
	return false
}

// next returns the result of the next statement.
func (fb *formattedBatch) next() (*pgconn.ResultReader, error) {
	if fb.err != nil {
		return nil, fb.err
	}
	if fb.closed {
		return nil, errors.New("joinery/pgx: batch already closed")
	}
	for {
		res, err := fb.pl.GetResults()
		if err != nil {
			fb.err = err
			return nil, err
		}
		switch r := res.(type) {
		case *pgconn.ResultReader:
			if fb.tracer != nil && fb.read < len(fb.batch.QueuedQueries) {
				q := fb.batch.QueuedQueries[fb.read]
				fb.tracer.TraceBatchQuery(fb.ctx, fb.conn, pgx.TraceBatchQueryData{SQL: q.SQL, Args: q.Arguments})
			}
			fb.read++
			return r, nil
		case nil, *pgconn.PipelineSync:
			// the server skips the statements after a failed one, up to the Sync
			fb.err = errors.New("joinery/pgx: the batch ended before this statement: one before it failed")
			return nil, fb.err
		}
	}
}

// Exec reads a statement's result and returns its command tag.
func (fb *formattedBatch) Exec() (pgconn.CommandTag, error) {
	rr, err := fb.next()
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	return rr.Close()
}

// Query returns a statement's rows.
func (fb *formattedBatch) Query() (pgx.Rows, error) {
	rr, err := fb.next()
	if err != nil {
		return nil, err
	}
	return &mapRows{Rows: pgx.RowsFromResultReader(fb.tm, rr), tm: fb.tm}, nil
}

// QueryRow returns a statement's one row.
func (fb *formattedBatch) QueryRow() pgx.Row {
	r, err := fb.Query()
	return oneRow{r, err}
}

// Close reads and discards what is left of the batch and ends the pipeline.
func (fb *formattedBatch) Close() error {
	if fb.closed {
		return fb.err
	}
	fb.closed = true
	var err error
	if fb.pl != nil {
		err = fb.pl.Close()
	}
	if fb.err == nil {
		fb.err = err
	}
	if fb.tracer != nil {
		fb.tracer.TraceBatchEnd(fb.ctx, fb.conn, pgx.TraceBatchEndData{Err: fb.err})
	}
	return fb.err
}

// mapRows are rows read from a result reader, which know no connection: they carry the type
// map the slow path decodes with.
type mapRows struct {
	pgx.Rows
	tm *pgtype.Map
}

// oneRow is a pgx.Row of a batch's statement.
type oneRow struct {
	rows pgx.Rows
	err  error
}

func (r oneRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}
