// Package dialects holds what differs between the databases joinery supports and nothing else:
// identifier quoting, the placeholder for the n-th argument, the identifier length limit and
// feature flags. It imports only the standard library.
package dialects

import (
	"strconv"
	"strings"
)

// Dialect describes one SQL dialect.
type Dialect interface {
	// Name is a short lower-case name: "postgres", "mysql" or "sqlite".
	Name() string
	// Quote quotes an identifier (a table, column or alias name).
	Quote(ident string) string
	// Placeholder is the bind placeholder for the n-th argument, counted from 1.
	Placeholder(n int) string
	// MaxIdentifierLength is the longest identifier the database keeps without truncating it.
	MaxIdentifierLength() int
	// Features lists what the database can do beyond the SQL every supported database shares.
	Features() Features
}

// Features are the optional capabilities a statement builder may rely on.
type Features struct {
	// ILike: the database has a case-insensitive ILIKE operator.
	ILike bool
	// Lateral: LATERAL subqueries in FROM.
	Lateral bool
	// WindowFunctions: ROW_NUMBER() OVER (...).
	WindowFunctions bool
	// NestedJoins: parenthesised join groups, `LEFT JOIN (a INNER JOIN b ON ..) ON ..`.
	NestedJoins bool
	// TupleIn: `(a, b) IN ((?, ?), ...)`.
	TupleIn bool
	// NullsOrdering: ORDER BY .. NULLS FIRST / NULLS LAST.
	NullsOrdering bool
}

type dialect struct {
	name     string
	open     byte
	close    byte
	dollar   bool
	maxIdent int
	features Features
}

func (d *dialect) Name() string             { return d.name }
func (d *dialect) MaxIdentifierLength() int { return d.maxIdent }
func (d *dialect) Features() Features       { return d.features }
func (d *dialect) String() string           { return d.name }

func (d *dialect) Placeholder(n int) string {
	if d.dollar {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

func (d *dialect) Quote(ident string) string {
	var b strings.Builder
	b.Grow(len(ident) + 2)
	b.WriteByte(d.open)
	for i := 0; i < len(ident); i++ {
		c := ident[i]
		if c == d.close {
			b.WriteByte(c)
		}
		b.WriteByte(c)
	}
	b.WriteByte(d.close)
	return b.String()
}

var (
	// Postgres is PostgreSQL (10 and later): "double-quoted" identifiers, $n placeholders.
	Postgres Dialect = &dialect{name: "postgres", open: '"', close: '"', dollar: true, maxIdent: 63,
		features: Features{ILike: true, Lateral: true, WindowFunctions: true, NestedJoins: true, TupleIn: true, NullsOrdering: true}}
	// MySQL is MySQL 8 and MariaDB 10.5 and later: `backquoted` identifiers, ? placeholders.
	MySQL Dialect = &dialect{name: "mysql", open: '`', close: '`', maxIdent: 64,
		features: Features{WindowFunctions: true, NestedJoins: true, TupleIn: true}}
	// SQLite is SQLite 3.30 and later: "double-quoted" identifiers, ? placeholders.
	SQLite Dialect = &dialect{name: "sqlite", open: '"', close: '"', maxIdent: 1 << 30,
		features: Features{WindowFunctions: true, NestedJoins: true, TupleIn: true, NullsOrdering: true}}
)

// ByName returns the dialect called name ("postgres"/"postgresql"/"pgx", "mysql"/"mariadb",
// "sqlite"/"sqlite3"), or nil.
func ByName(name string) Dialect {
	switch strings.ToLower(name) {
	case "postgres", "postgresql", "pgx", "pq":
		return Postgres
	case "mysql", "mariadb":
		return MySQL
	case "sqlite", "sqlite3":
		return SQLite
	}
	return nil
}
