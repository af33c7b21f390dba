// Package write writes associations: the accessors Sequelize gives every association (add,
// set, remove, has, count, create) and nested create, compiled from the same declarations
// the reads use (include.Schema), for PostgreSQL, MySQL/MariaDB and SQLite.
//
//	w := write.New(schema, dialects.Postgres)
//	res, err := w.Assoc("User", "projects").Add(user, proj1, proj2).
//		Through(map[string]any{"role": "lead"}).Exec(ctx, db)
//	n, err := w.Assoc("User", "projects").Count(user).Where(sq.Eq{"archived": false}).Int(ctx, db)
//	err = w.Create(&user, "posts.tags", "profile").Exec(ctx, db)
//
// # Values
//
// A source or target is a value of its model: a struct (a pointer to it where keys are
// written back) or a map[string]any for a run-time model, or write.Key(v...) naming a row by
// its primary key. A value of another model, a key that is missing (a parent that was never
// saved), a value to create or join-table values whose scope columns contradict the
// association's scope, or a value to create whose foreign key names another owner, is an
// error before any statement runs (ErrWrongModel, ErrMissingKey, ErrScopeConflict). A
// nested create reads and checks its whole tree first, so the same holds at every level:
// a child whose foreign key names a row other than its parent, a column two links would
// write from different rows (a post under one user whose author is another), a join
// model's through struct whose scope column says another type; and, as ErrBadInput, a
// value given at two places of the tree (a post whose author is its own parent), a hasOne
// or hasMany child given twice (under two parents, or a slice of children two parents
// share). A parent or target several rows share is written once and linked from each. A
// key a link fills (a tenant column taken from a new parent) is compared once known, when
// the link is written. In a through struct, a join model's zero primary key (the database
// generates it) and zero scope columns (the scope fills them) are not values. Keys
// compare as the database stores them: an integer, a float64 of the same value, a
// json.Number and the integer's decimal text name the same row (keys decoded from JSON or
// read from a URL). A nil pointer whose element type is a driver.Valuer (a nil
// *sql.NullString) is NULL, as database/sql sends it.
//
// # Multi-column keys
//
// Association keys are column lists (include.ForeignKey("tenant_id", "user_id")): a key's
// value is a tuple with a value for every column, read from the value (or write.Key) and
// written into every column of a join row or a foreign key; removal, has and count match
// every column ((a, b) IN ((?, ?), ...) where dialects.Features.TupleIn, else ORs of ANDs).
// A value that lacks some of a key's columns is an ErrMissingKey error naming them. A
// foreign-key column that is also a column of its row's primary key (the tenant column of
// posts (tenant_id, id) referencing users (tenant_id, id) by (tenant_id, user_id))
// identifies the row: a link never updates it and an unlink never sets it to NULL (only
// user_id), and linking rows whose shared columns differ (two tenants) is an ErrBadInput
// error; likewise a join table with one tenant_id column for both of its keys. An INSERT
// leaves to the database the one primary-key column it generates: a single-column key, or
// the last (integer) column of a composite key whose other columns are set, as the id of
// (tenant_id, id); its value is read back and flows into the foreign keys below it.
//
// # Tenants
//
// In a schema declared with include.Tenant, a model with no field for the tenant column has
// a hidden attribute for it, which no value holds. Its value is the operation's tenant:
// Writer.WithTenant(v) for every operation of a Writer (one per request), or Op.Tenant(v) /
// CreateOp.Tenant(v) for one. It fills the hidden column of every row written or matched,
// at every level of a nested create, and a visible tenant field left unset (written back
// into the value); a value whose tenant field holds another tenant is ErrScopeConflict.
// write.Key may then leave the tenant column out: write.Key(id) names the row (tenant,
// id), and write.Keys(ids...) names several. An operation on a model with a hidden tenant
// column and no tenant value is an ErrMissingKey error that names the option, before any
// statement runs.
//
// # Scopes are defaults
//
// An association's scope (a polymorphic type column, commentable = 'post') and its through
// scope (taggable = 'video') are written by add, set and create, on the target and on the
// join table, so that a row written here is one the reads find; remove, has and count are
// limited by them, so that they never touch a row of the other type that shares its key.
// hasMany add and set move an existing child whoever owned it, rewriting its type column.
//
// # Statements
//
// Every operation runs a fixed number of statements whatever the number of links (an INSERT
// is split only where it would exceed the dialect's bind-parameter limit). An operation of
// more than one statement runs in the caller's transaction (a *sql.Tx, inside a savepoint,
// SAVEPOINT joinery_write, so that a failure takes back its own writes and leaves the
// transaction usable) or in one it opens when handed a pool (*sql.DB, *sqlx.DB, *sql.Conn):
// it writes everything or nothing. Join rows are inserted in key order, so concurrent adds
// of the same links take their locks in one order.
// Result.Statements lists every statement run, with its arguments; Op.Plan lists them
// without running anything (all of them for the operations that read nothing first).
// Writer.WithArrays sends an INSERT's rows as one array per column on PostgreSQL, which
// spares the server the parse and bind of long VALUES lists (bulk creates), at the price of
// one catalog query per table and operation.
//
// # belongsToMany
//
//   - add: links each target. On a unique join table a linked target is left alone, or its
//     join-table values updated when new ones are given (Sequelize's behaviour); the
//     INSERT skips a link another transaction added meanwhile (ON CONFLICT DO NOTHING / ON
//     DUPLICATE KEY UPDATE), so concurrent adds of one link leave one row and no error. On
//     a non-unique join model (include.NonUnique: its own id, a pair may repeat) every add
//     is a new link: a customer who buys the same product twice has two purchases.
//     Statements: SELECT of the existing links, UPDATE (one per distinct set of new
//     values), INSERT; on a non-unique join model the INSERT alone.
//   - set: the links become exactly the targets given. Links to targets not given are
//     deleted, kept links keep their join-table values unless new ones are given, targets
//     without a link get one. On a non-unique join model set is a multiset assignment: a
//     target given n times ends with n links; its oldest links (by the join model's key)
//     are kept, extra ones deleted, missing ones inserted.
//   - remove: deletes the links to the targets (every link to them on a non-unique join
//     model).
//   - has: whether every target is linked (true for none, as in Sequelize).
//   - count: the links, joined to their target (its scope and an optional Where apply).
//   - create: inserts the target (its scope filled in) and the link.
//
// # hasMany, hasOne, belongsTo
//
// hasMany add points the children's foreign key at the source (and writes the scope);
// remove unlinks them (foreign key NULL, or deleted with DeleteUnlinked); set unlinks every
// other child of the source and links the given ones; has, count and create as above.
// hasOne set links one child and unlinks the previous one (nil unlinks), create unlinks the
// previous child and inserts the new one. belongsTo set points the source's foreign key at
// the target (nil clears it), create inserts the target and points the source at it.
package write

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/meta"
)

// Errors an operation can match (errors.Is).
var (
	// ErrWrite is matched by every error of this package.
	ErrWrite = errors.New("write")
	// ErrUnknown: an unknown model or association.
	ErrUnknown = fmt.Errorf("%w: unknown model or association", ErrWrite)
	// ErrMissingKey: a value lacks the key an operation needs (a parent never saved).
	ErrMissingKey = fmt.Errorf("%w: missing key", ErrWrite)
	// ErrWrongModel: a value is not of the model the association expects.
	ErrWrongModel = fmt.Errorf("%w: value of the wrong model", ErrWrite)
	// ErrScopeConflict: a value contradicts the association's scope.
	ErrScopeConflict = fmt.Errorf("%w: value contradicts the association's scope", ErrWrite)
	// ErrBadInput: any other input the operation cannot write (an unknown column, an
	// operation the association's kind does not have, too many keys for one statement).
	ErrBadInput = fmt.Errorf("%w: bad input", ErrWrite)
	// ErrStatement: a statement failed at the database; the database's error is wrapped
	// too (errors.As finds *pq.Error, *mysql.MySQLError ...).
	ErrStatement = fmt.Errorf("%w: statement failed", ErrWrite)
)

// Querier runs statements: *sql.DB, *sql.Tx, *sql.Conn, *sqlx.DB, *sqlx.Tx and sqlmock's DB.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// txBeginner is a pool or connection that can open the transaction a multi-statement
// operation runs in.
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// Statement is one statement of an operation, with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// Result is what an operation did.
type Result struct {
	// Statements lists every statement run, in order, with its arguments.
	Statements []Statement
	// RowsAffected sums the rows the writing statements reported.
	RowsAffected int64
	// Count is count's answer; Has is has's.
	Count int64
	Has   bool
}

// Writer compiles write operations against a schema for one dialect. It is immutable and
// safe for concurrent use.
type Writer struct {
	schema  *include.Schema
	dialect dialects.Dialect
	f       dialects.Features
	maxArgs int
	// tenant is the tenant value of every operation (WithTenant), nil for none
	tenant any
	// arrays: INSERTs send each column as one array parameter (WithArrays)
	arrays bool
}

// New returns a Writer over schema for dialect d.
func New(schema *include.Schema, d dialects.Dialect) *Writer {
	w := &Writer{schema: schema, dialect: d}
	if d != nil {
		w.f = d.Features()
		w.maxArgs = w.f.MaxParams
	}
	if w.maxArgs <= 0 {
		w.maxArgs = 32766
	}
	return w
}

// WithMaxParams returns a copy of w that splits INSERTs at n bind parameters instead of the
// dialect's limit (tests, or a server configured lower).
func (w *Writer) WithMaxParams(n int) *Writer {
	if w == nil {
		return nil // check reports it
	}
	c := *w
	if n > 0 {
		c.maxArgs = n
	}
	return &c
}

// WithArrays returns a copy of w whose INSERTs, on a dialect with array parameters
// (dialects.Features.AnyArray: PostgreSQL), send every column's values as one array:
// INSERT INTO t (a, b) SELECT * FROM unnest($1::text::bigint[], $2::text::text[]), one statement
// whatever the number of rows, instead of VALUES lists of up to 65,535 parameters, which the
// server parses and binds parameter by parameter. An array is sent in its text form
// ('{1,2,NULL}', as lib/pq's pq.Array writes it; any driver can send it), cast to the
// column's type as the server names it (format_type), read from the catalog once per table
// and operation: one small query more per table written. A table with an array-typed or
// bytea column keeps its VALUES lists. On other dialects nothing changes.
func (w *Writer) WithArrays() *Writer {
	if w == nil {
		return nil // check reports it
	}
	c := *w
	c.arrays = true
	return &c
}

// WithTenant returns a copy of w whose operations write tenant value v (see Op.Tenant):
// one Writer per request of a tenant.
func (w *Writer) WithTenant(v any) *Writer {
	if w == nil {
		return nil // check reports it
	}
	c := *w
	c.tenant = v
	return &c
}

func (w *Writer) check() error {
	if w == nil || w.schema == nil {
		return fmt.Errorf("%w: write.New needs a schema", ErrBadInput)
	}
	if w.dialect == nil {
		return fmt.Errorf("%w: write.New needs a dialect", ErrBadInput)
	}
	return w.schema.Err()
}

// Key names a row by its primary-key values (several for a composite key), for a source or
// target that is not at hand as a value.
func Key(values ...any) KeyValue { return KeyValue{values} }

// KeyValue is a row named by its primary key (see Key).
type KeyValue struct{ values []any }

// Keys names several targets by their single-column primary keys, as one argument:
// a.Set(user, write.Keys(ids...)) is a.Set(user, write.Key(ids[0]), write.Key(ids[1]), ...)
// without a value per target.
func Keys[T any](keys ...T) KeyList {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return KeyList{out}
}

// KeyList is several targets named by their keys (see Keys).
type KeyList struct{ values []any }

// Link is a belongsToMany target with its own join-table values, which override the
// operation's Through values for that target (Sequelize's project.UserProject = {...}).
func Link(target any, through map[string]any) LinkValue {
	return LinkValue{target: target, through: through}
}

// LinkValue is a target with join-table values (see Link).
type LinkValue struct {
	target  any
	through map[string]any
}

// runner runs an operation's statements, recording them.
type runner struct {
	ctx context.Context
	q   Querier
	res *Result
	// what names the operation and include path for errors
	what string
	// dry records statements without running them (Op.Statements)
	dry bool
	// idStep caches consecutiveIDs' answer for the operation
	idStep *int64
	// at names the include path a nested create is writing, for errors
	at string
	// types caches the column types of the tables written (WithArrays), by table
	types map[string]map[string]string
}

// errDry stops a dry run at the first statement whose result decides what follows.
var errDry = errors.New("write: dry run")

type dryResult struct{}

func (dryResult) LastInsertId() (int64, error) { return 0, errDry }
func (dryResult) RowsAffected() (int64, error) { return 0, nil }

func (r *runner) exec(st Statement) (sql.Result, error) {
	r.res.Statements = append(r.res.Statements, st)
	if r.dry {
		return dryResult{}, nil
	}
	res, err := r.q.ExecContext(r.ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, r.fail(err)
	}
	if n, err := res.RowsAffected(); err == nil {
		r.res.RowsAffected += n
	}
	return res, nil
}

// execBuf runs the statement s holds; what names the operation in a rendering error.
func (r *runner) execBuf(s *sqlBuf, what string) error {
	st, err := s.statement()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	_, err = r.exec(st)
	return err
}

func (r *runner) query(st Statement) (*sql.Rows, error) {
	r.res.Statements = append(r.res.Statements, st)
	if r.dry {
		return nil, errDry
	}
	rows, err := r.q.QueryContext(r.ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, r.fail(err)
	}
	return rows, nil
}

func (r *runner) fail(err error) error {
	if errors.Is(err, errDry) {
		return err
	}
	if r.at != "" {
		return fmt.Errorf("%w: %s: statement %d (%s): %w", ErrStatement, r.what, len(r.res.Statements), r.at, err)
	}
	return fmt.Errorf("%w: %s: statement %d: %w", ErrStatement, r.what, len(r.res.Statements), err)
}

// atomic runs fn over q: in q itself when q is a transaction (or cannot open one), else in a
// transaction opened on q and committed when fn succeeds. single says the operation runs one
// statement, which needs no transaction.
func atomic(ctx context.Context, q Querier, what string, single bool, fn func(r *runner) error) (Result, error) {
	var res Result
	if ctx == nil {
		return res, fmt.Errorf("%w: %s: nil context", ErrBadInput, what)
	}
	if q == nil || meta.NilRef(q) {
		return res, fmt.Errorf("%w: %s: nil Querier", ErrBadInput, what)
	}
	r := &runner{ctx: ctx, q: q, res: &res, what: what}
	b, pool := q.(txBeginner)
	if _, isTx := q.(callerTx); isTx && !single {
		// the caller's transaction: a savepoint around the operation's statements, so
		// that a failure takes back its own writes (MySQL and SQLite keep a failed
		// transaction's earlier statements) and leaves the transaction usable
		// (PostgreSQL's is aborted by a failed statement)
		if _, err := q.ExecContext(ctx, savepoint); err != nil {
			return res, fmt.Errorf("%w: %s: savepoint: %w", ErrStatement, what, err)
		}
		if err := fn(r); err != nil {
			_, _ = q.ExecContext(context.WithoutCancel(ctx), "ROLLBACK TO "+savepoint)
			return res, err
		}
		if _, err := q.ExecContext(ctx, "RELEASE "+savepoint); err != nil {
			return res, fmt.Errorf("%w: %s: release savepoint: %w", ErrStatement, what, err)
		}
		return res, nil
	}
	if _, isTx := q.(*sql.Tx); isTx || !pool || single {
		err := fn(r)
		return res, err
	}
	tx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("%w: %s: begin: %w", ErrStatement, what, err)
	}
	r.q = tx
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback() // release the connection, then let the panic go on
			panic(p)
		}
	}()
	if err := fn(r); err != nil {
		_ = tx.Rollback()
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("%w: %s: commit: %w", ErrStatement, what, err)
	}
	return res, nil
}

// callerTx is a transaction the caller began (*sql.Tx, *sqlx.Tx).
type callerTx interface {
	Querier
	Commit() error
	Rollback() error
}

// savepoint is the savepoint an operation of several statements sets in the caller's
// transaction (SAVEPOINT, ROLLBACK TO, RELEASE: the same on every dialect).
const savepoint = "SAVEPOINT joinery_write"

// dryQuerier stands in for a database in a dry run (Plan), which calls it never.
type dryQuerier bool

func (dryQuerier) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, errDry
}
func (dryQuerier) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return dryResult{}, nil
}

// badf is an ErrBadInput error.
func badf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadInput}, args...)...)
}

func joinCols(cols []string) string { return strings.Join(cols, ", ") }
