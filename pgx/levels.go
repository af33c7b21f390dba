package pgx

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/hydrate"
)

// levels runs a ShapeLevels plan over db wave by wave (hydrate.LevelsBatched): each
// statement once the rows its keys come from are read, with those keys as one array each
// (keyArg: integers and strings as an array literal, other values as a []any pgx encodes
// as the array the comparison takes), every statement whose keys are in hand sent in one
// pgx.Batch with the others that are (W1's tags and comments of the posts just read: one
// round trip). An include whose parent
// returned no rows is not sent. With a count statement c, the count goes in the first
// batch.
//
// Over a *pgx.Conn or a *pgxpool.Pool (a connection joinery holds for the whole read) the
// statements run in one REPEATABLE READ, READ ONLY transaction, so every level sees one
// snapshot, as a pipeline's statements do: BEGIN goes in the first batch and COMMIT in the
// last, so the transaction costs no round trip. In a pgx.Tx (or a transaction the caller
// began on the connection) they run in it, under its isolation level. Over any other
// Querier each batch may run on another connection, so there is no transaction across them.
func levels(ctx context.Context, db Querier, p *builder.Plan, c *counted) (hydrate.Rows, error) {
	return onConn(ctx, db, func(db Querier, conn *pgx.Conn, inTx bool, release func()) (hydrate.Rows, error) {
		return levelsOn(ctx, db, conn, inTx, p, c, release)
	})
}

func levelsOn(ctx context.Context, db Querier, conn *pgx.Conn, inTx bool, p *builder.Plan, c *counted, release func()) (hydrate.Rows, error) {
	if conn == nil || conn.PgConn().TxStatus() != 'I' || (len(p.Statements) == 1 && c == nil) {
		// no connection to hold a transaction across batches; or the caller's; or one
		// statement, which sees one snapshot by itself
		inTx = true
	}
	var (
		br     batchResults
		left   int  // statements of br's batch not opened yet
		commit bool // br's batch ends with a COMMIT not read yet
		began  = inTx
	)
	// endBatch reads the COMMIT of the batch sent last, once its statements are read, and
	// closes the batch.
	endBatch := func() error {
		if br == nil {
			return nil
		}
		var err error
		if commit && left == 0 {
			_, err = br.Exec()
		}
		if cerr := closeBatch(br, conn); err == nil {
			err = cerr
		}
		br, commit = nil, false
		return err
	}
	send := func(w hydrate.Wave) (func() (hydrate.Rows, error), error) {
		if err := endBatch(); err != nil {
			return nil, err
		}
		b := &pgx.Batch{}
		readBegin := !began
		if readBegin {
			b.Queue("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
			began = true
		}
		readCount := c != nil && w.Parts[0] == 0
		if readCount {
			b.Queue(c.sql, c.args...)
		}
		for k, i := range w.Parts {
			st := &p.Statements[i]
			args := st.Args
			if len(st.KeyArgs) > 0 {
				args = make([]any, len(st.Args))
				copy(args, st.Args)
				for n, a := range st.KeyArgs {
					args[a] = keyArg(w.Arrays[k][n])
				}
			}
			b.Queue(st.SQL, args...)
		}
		if w.Last && !inTx {
			b.Queue("COMMIT")
			commit = true
		}
		sent := time.Now()
		br, left = sendBatch(ctx, db, conn, b), len(w.Parts)
		if readBegin {
			if _, err := br.Exec(); err != nil {
				return nil, err
			}
			roundTrip(time.Since(sent)) // (BEGIN's answer: the server does next to nothing)
		}
		if readCount {
			if err := br.QueryRow().Scan(&c.n); err != nil {
				return nil, err
			}
		}
		return func() (hydrate.Rows, error) {
			if left == 0 {
				return nil, errors.New("joinery/pgx: internal error: more results asked of a batch than it holds")
			}
			left--
			r, err := br.Query()
			if err != nil {
				return nil, err
			}
			return Rows(r), nil
		}, nil
	}
	done := func() error {
		// (the last levels may have had no keys, so no batch took the COMMIT; and after a
		// failed statement pgx reports no error for the COMMIT the server skipped)
		err := endRead(ctx, conn, inTx, endBatch())
		if release != nil {
			release()
			release = nil
		}
		return err
	}
	rows, err := hydrate.LevelsBatched(p.Map, p.ResultColumns(), p.Parts(), p.Keys(), send, done)
	if err != nil {
		done()
		return nil, err
	}
	return rows, nil
}

// keyArg is the argument that sends a level's keys: PostgreSQL's array literal ('{1,2,3}'),
// which pgx sends as text, as it is (pgx encodes a []int64 in binary one boxed element at a
// time: 10,000 keys cost 1.4 ms and 10,000 allocations), and which needs no statement
// description, so it works in the exec mode, which has none to encode a []any with. (In the
// simple protocol pgx writes it into the SQL as an untyped literal: a key of one column is
// typed by the = ANY it meets, but a key of several columns (tenant_id, id) also meets
// generate_subscripts, which cannot type it: such a tree fails there, and loads with
// joinery.ShapeUnion.) Keys a literal cannot hold go as they are,
// encoded by pgx.
func keyArg(keys any) any {
	if lit, err := joinery.ArrayLiteral(keys); err == nil {
		return lit
	}
	return keys
}

// rtt is the round trip to the database the levels' first batches measured (the time
// their BEGIN took to answer), in nanoseconds; 0 before the first. It follows the
// shortest recent samples: a shorter one replaces it, a longer one moves it up by a 64th
// of the difference, so the batches that also prepared their statements (one more round
// trip) or waited for a busy server move it little. One for the process: most programs
// talk to one server.
var rtt atomic.Int64

// distantRTT is the round trip above which a load takes the plan with a round trip less
// (joinery.Q.PlanPipelinedDistant): on loopback a round trip costs 0.05-0.3 ms, less than
// computing the roots again; at +1 ms a round trip costs more (bench/: W3, W4).
const distantRTT = 500 * time.Microsecond

// roundTrip adds a measured round trip to rtt.
func roundTrip(d time.Duration) {
	for {
		old := rtt.Load()
		est := int64(d)
		if old != 0 && est > old {
			est = old + (est-old)/64
		}
		if rtt.CompareAndSwap(old, est) {
			return
		}
	}
}

// distant reports whether the measured round trip is above distantRTT.
func distant() bool { return rtt.Load() > int64(distantRTT) }
