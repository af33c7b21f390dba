package joinery

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/joinery/joinery/builder"
	"github.com/joinery/joinery/hydrate"
)

// snapshotTx is the transaction AllAndCount begins over a pool so that its two statements
// see one snapshot: REPEATABLE READ is one snapshot for the whole transaction on PostgreSQL
// and InnoDB's consistent read on MySQL/MariaDB; SQLite's drivers begin a plain (deferred)
// transaction, which is serializable. READ ONLY says that nothing is written (PostgreSQL
// then takes no transaction id, MySQL/MariaDB no undo log).
var snapshotTx = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}

// AllAndCount runs the query and returns its page, every root with its includes under Limit
// and Offset, and the number of roots the query matches as Count counts them (Limit, Offset
// and After aside): what a paged list shows as "21-40 of 312" (Sequelize's findAndCountAll).
// It runs the query's cached plans: the one All runs and the one Count runs, the count
// first.
//
// The page and the count agree, because both statements see one snapshot of the database:
//   - over a *sql.DB or *sql.Conn whose driver connection a registered adapter batches
//     (DriverRunner.Counted: joinery/pgx's, for pgx's stdlib driver) they go in one batch,
//     one round trip, inside a REPEATABLE READ, READ ONLY transaction unless the connection
//     is in one already;
//   - over another *sql.DB (or *sqlx.DB) they run in a transaction of their own, REPEATABLE READ,
//     READ ONLY, begun and committed here (a driver that cannot begin one returns its error);
//   - in a *sql.Tx (or *sqlx.Tx) they run in it, under its isolation level: one snapshot
//     under REPEATABLE READ or SERIALIZABLE (and on SQLite), one per statement under READ
//     COMMITTED (PostgreSQL's default level);
//   - any other Querier runs them one after the other as it would any two statements: a
//     *sql.Conn of another driver (whose connection may be in a transaction database/sql does not know of) or
//     a wrapper of a pool (which would be bypassed by a transaction begun underneath it).
//     Run them in a transaction for one snapshot.
//
// Over database/sql the count is one more statement and round trip than All; over a pool the
// transaction adds BEGIN and COMMIT (two round trips; three on MySQL/MariaDB, whose driver
// sets the isolation level with a statement of its own). Measured on loopback
// (BenchmarkAllAndCount's page of 20 users with posts and comments out of 2,000), they add
// about 0.9 ms to 4.0 ms on PostgreSQL, 1.2 ms to 32 ms on MariaDB and 0.2 ms to 1.4 ms on
// SQLite: the price of a count that agrees with the page. A caller who wants neither
// passes a *sql.Conn. joinery/pgx's AllAndCount sends the count, the page and the
// transaction's BEGIN and COMMIT in one batch, one round trip.
func (q Q[T]) AllAndCount(ctx context.Context, db Querier) ([]T, int64, error) {
	// compile errors first, before any connection is taken
	if _, err := q.compile(kindPlain); err != nil {
		return nil, 0, err
	}
	cp, err := q.countPlan()
	if err != nil {
		return nil, 0, err
	}
	if err := checkRun("AllAndCount", ctx, db); err != nil {
		return nil, 0, err
	}
	// a driver that batches (an adapter's Counted): one round trip, one snapshot
	var out []T
	var n int64
	ok, err := withDriver(ctx, db, func(c *driverConn) error {
		r := c.runner()
		if r == nil {
			return errNoAdapter
		}
		if r.Counted == nil {
			return errNotCounted
		}
		p, err := q.pipelinedPlan(r.Distant != nil && r.Distant()) // (the cached plan itself: nothing here changes it)
		if err != nil {
			return err
		}
		rows, cn, err := r.Counted(p, cp)
		if err != nil {
			return aliasesOf(err, p)
		}
		n = cn
		out, err = hydrate.All[T](rows, p.Map)
		return err
	})
	if ok && !errors.Is(err, errNotCounted) {
		if err != nil {
			return nil, 0, fmt.Errorf("joinery: %w", err)
		}
		return out, n, nil
	}
	pool := poolOf(db)
	if pool == nil {
		return q.allAndCount(ctx, db, cp)
	}
	tx, err := pool.BeginTx(ctx, snapshotTx)
	if err != nil {
		return nil, 0, fmt.Errorf("joinery: AllAndCount: begin a REPEATABLE READ, READ ONLY transaction: %w", ctxError(ctx, err))
	}
	out, n, err = q.allAndCount(ctx, tx, cp)
	if err != nil {
		tx.Rollback()
		return nil, 0, err
	}
	if err := tx.Commit(); err != nil {
		return nil, 0, fmt.Errorf("joinery: AllAndCount: commit the read-only transaction: %w", ctxError(ctx, err))
	}
	return out, n, nil
}

// errNotCounted is what a load over a driver connection returns when its adapter sends no
// count with a page (DriverRunner.Counted): the caller then uses database/sql.
var errNotCounted = errors.New("joinery: the driver adapter does not batch a count")

// allAndCount runs the count statement cp and then the page over db.
func (q Q[T]) allAndCount(ctx context.Context, db Querier, cp *builder.Plan) ([]T, int64, error) {
	n, err := runCount(ctx, db, cp)
	if err != nil {
		return nil, 0, err
	}
	out, err := q.all("AllAndCount", ctx, db)
	if err != nil {
		return nil, 0, err
	}
	return out, n, nil
}
