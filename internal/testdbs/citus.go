package testdbs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/joinery/joinery/dialects"
)

// CitusEnv names the environment variable holding the DSN of a Citus coordinator
// (postgres://postgres@127.0.0.1:55470/postgres?sslmode=disable for the cluster that
// .ci/run and the shared cluster.sh start).
const CitusEnv = "JOINERY_CITUS_DSN"

// Citus opens the Citus coordinator named by JOINERY_CITUS_DSN in a PostgreSQL schema of its
// own (isolate), dropped and created anew (Citus propagates CREATE SCHEMA and DROP SCHEMA to
// the workers). It reports false when the variable is unset; a cluster that is asked for and
// cannot be reached fails the test. The dialect is dialects.Citus: PostgreSQL's SQL, with
// the features of tables distributed by a tenant column (see Distribute).
// The database is closed when the test ends. JOINERY_ISOLATE_SUFFIX is appended to isolate,
// as in Open.
func Citus(t testing.TB, isolate string) (DB, bool) {
	t.Helper()
	dsn := os.Getenv(CitusEnv)
	if dsn == "" {
		return DB{}, false
	}
	return openCitus(t, dsn, Isolated(isolate), ""), true
}

func openCitus(t testing.TB, dsn, isolate, params string) DB {
	t.Helper()
	db := ping(t, "postgres", dsn, CitusEnv+" is set but the Citus coordinator is unreachable")
	defer db.Close()
	var version string
	if err := db.QueryRow(`SELECT extversion FROM pg_extension WHERE extname = 'citus'`).Scan(&version); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			t.Fatalf("%s: the server answers but has no citus extension (CREATE EXTENSION citus, or start the cluster with cluster.sh)", CitusEnv)
		}
		t.Fatalf("%s: %v", CitusEnv, err)
	}
	Exec(t, db, `DROP SCHEMA IF EXISTS `+isolate+` CASCADE`, `CREATE SCHEMA `+isolate)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	p := "search_path=" + isolate
	if params != "" {
		p += "&" + params
	}
	cdb, err := sql.Open("postgres", dsn+sep+p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cdb.Close() })
	return DB{"citus", dialects.Citus, cdb}
}

// Distribute makes tables of db's search_path (created by the test, typically with foreign keys
// between them) Citus tables: each of reference becomes a reference table (a copy on every
// node) and each of distributed is sharded by column, all co-located with one another. The
// lists may be in any order: tables are converted referenced-first, as Citus requires
// (a foreign key may only point at a table that is already distributed or a reference table).
// Citus's own rules still apply and come back as the test's failure, naming the table: a
// foreign key between distributed tables must include the distribution column on both sides
// (in the same position), and a reference table may not point at a distributed one.
func Distribute(t testing.TB, db *sql.DB, column string, distributed, reference []string) {
	t.Helper()
	if err := distribute(context.Background(), db, column, distributed, reference); err != nil {
		t.Fatal(err)
	}
}

// distribute is Distribute returning its error.
//
// Tables are converted one connection (so one session): with citus's default
// enable_local_reference_table_foreign_keys = on, create_reference_table turns every local table
// connected to it by foreign keys into a "Citus local table", and such a table can then be
// neither distributed nor pointed at a distributed table ("foreign keys from reference tables and
// local tables to distributed tables are not supported"). With the setting off for the session,
// the reference tables are converted first and the distributed tables after them, parents first.
func distribute(ctx context.Context, db *sql.DB, column string, distributed, reference []string) (err error) {
	if column == "" && len(distributed) > 0 {
		return errors.New("testdbs: Distribute: no distribution column")
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("testdbs: Distribute: %w", err)
	}
	defer conn.Close()

	byOID := map[uint32]string{}
	kind := map[uint32]bool{} // true: distributed
	var refs, dists []uint32
	for _, l := range []struct {
		names []string
		dist  bool
		into  *[]uint32
	}{{reference, false, &refs}, {distributed, true, &dists}} {
		for _, name := range l.names {
			var oid sql.NullInt64
			if err := conn.QueryRowContext(ctx, `SELECT to_regclass(quote_ident($1))::oid`, name).Scan(&oid); err != nil {
				return fmt.Errorf("testdbs: Distribute: table %q: %w", name, err)
			}
			if !oid.Valid {
				return fmt.Errorf("testdbs: Distribute: no table %q in the search_path", name)
			}
			o := uint32(oid.Int64)
			if prev, dup := byOID[o]; dup {
				return fmt.Errorf("testdbs: Distribute: table %q is listed twice (as %q too)", name, prev)
			}
			byOID[o], kind[o] = name, l.dist
			*l.into = append(*l.into, o)
			if l.dist {
				var has bool
				if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_attribute
WHERE attrelid = $1::oid AND attname = $2 AND attnum > 0 AND NOT attisdropped)`, o, column).Scan(&has); err != nil {
					return fmt.Errorf("testdbs: Distribute: table %q: %w", name, err)
				}
				if !has {
					return fmt.Errorf("testdbs: Distribute: table %q has no distribution column %q", name, column)
				}
			}
		}
	}

	// parents[o]: the listed tables o has a foreign key to (itself excluded).
	parents := map[uint32][]uint32{}
	for o := range byOID {
		rows, err := conn.QueryContext(ctx, `SELECT DISTINCT confrelid::oid FROM pg_constraint
WHERE contype = 'f' AND conrelid = $1::oid AND confrelid <> conrelid ORDER BY 1`, o)
		if err != nil {
			return fmt.Errorf("testdbs: Distribute: foreign keys of %q: %w", byOID[o], err)
		}
		for rows.Next() {
			var p uint32
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return fmt.Errorf("testdbs: Distribute: foreign keys of %q: %w", byOID[o], err)
			}
			if _, listed := byOID[p]; listed {
				parents[o] = append(parents[o], p)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("testdbs: Distribute: foreign keys of %q: %w", byOID[o], err)
		}
		rows.Close()
	}
	for o, ps := range parents {
		for _, p := range ps {
			if !kind[o] && kind[p] {
				return fmt.Errorf("testdbs: Distribute: reference table %q has a foreign key to distributed table %q; Citus allows foreign keys from reference tables to reference tables only", byOID[o], byOID[p])
			}
		}
	}
	order, err := parentsFirst(append(append([]uint32(nil), refs...), dists...), parents, byOID)
	if err != nil {
		return err
	}

	if _, err := conn.ExecContext(ctx, `SET citus.enable_local_reference_table_foreign_keys = off`); err != nil {
		return fmt.Errorf("testdbs: Distribute: %w", err)
	}
	defer func() {
		if _, rerr := conn.ExecContext(ctx, `RESET citus.enable_local_reference_table_foreign_keys`); rerr != nil && err == nil {
			err = fmt.Errorf("testdbs: Distribute: %w", rerr)
		}
	}()
	var first uint32
	for _, o := range order {
		if !kind[o] {
			if _, err := conn.ExecContext(ctx, `SELECT create_reference_table($1::oid::regclass)`, o); err != nil {
				return fmt.Errorf("testdbs: Distribute: create_reference_table(%q): %w%s", byOID[o], err, detail(err))
			}
			continue
		}
		if first == 0 {
			// A colocation group of its own, so tables of other tests are never co-located with these.
			if _, err := conn.ExecContext(ctx, `SELECT create_distributed_table($1::oid::regclass, $2, colocate_with => 'none')`, o, column); err != nil {
				return fmt.Errorf("testdbs: Distribute: create_distributed_table(%q, %q): %w%s", byOID[o], column, err, detail(err))
			}
			first = o
			continue
		}
		if _, err := conn.ExecContext(ctx, `SELECT create_distributed_table($1::oid::regclass, $2, colocate_with => $3::oid::regclass::text)`, o, column, first); err != nil {
			return fmt.Errorf("testdbs: Distribute: create_distributed_table(%q, %q, colocate_with => %q): %w%s", byOID[o], column, byOID[first], err, detail(err))
		}
	}
	return nil
}

// detail is the DETAIL and HINT of a server error, where Citus says what to change.
func detail(err error) string {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return ""
	}
	s := ""
	if pe.Detail != "" {
		s += " (" + pe.Detail + ")"
	}
	if pe.Hint != "" {
		s += " (hint: " + pe.Hint + ")"
	}
	return s
}

// parentsFirst orders tables so that every table comes after the tables it has foreign keys to,
// keeping the given order where the keys allow it; a cycle is an error naming its tables.
func parentsFirst(tables []uint32, parents map[uint32][]uint32, name map[uint32]string) ([]uint32, error) {
	const (
		visiting = 1
		done     = 2
	)
	state := map[uint32]int{}
	var out []uint32
	var path []uint32
	var visit func(o uint32) error
	visit = func(o uint32) error {
		switch state[o] {
		case done:
			return nil
		case visiting:
			var names []string
			for i := len(path) - 1; i >= 0; i-- {
				names = append(names, fmt.Sprintf("%q", name[path[i]]))
				if path[i] == o {
					break
				}
			}
			return fmt.Errorf("testdbs: Distribute: the foreign keys between %s form a cycle; Citus needs a referenced table converted before the table that points at it", strings.Join(names, ", "))
		}
		state[o] = visiting
		path = append(path, o)
		for _, p := range parents[o] {
			if err := visit(p); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[o] = done
		out = append(out, o)
		return nil
	}
	for _, o := range tables {
		if err := visit(o); err != nil {
			return nil, err
		}
	}
	return out, nil
}
