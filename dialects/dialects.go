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
	// NullsHigh: NULL sorts after every value in ascending order (PostgreSQL); otherwise
	// before (MySQL, SQLite). Keyset cursors rely on it to page through NULLs.
	NullsHigh bool
	// NumberedParams: Placeholder(n) names the n-th argument, and writing it again refers to
	// the same argument ($1 on PostgreSQL), so a value used by several parts of one
	// statement is sent once.
	NumberedParams bool
	// CTE: WITH clauses (MySQL 8, MariaDB 10.2, every supported PostgreSQL and SQLite).
	CTE bool
	// AnyArray: `col = ANY(ARRAY(SELECT ..))` (PostgreSQL).
	AnyArray bool
	// MaterializedCTE: `WITH x AS MATERIALIZED (..)` (PostgreSQL 12, SQLite 3.35).
	MaterializedCTE bool
	// UnionTypesPairwise: a UNION's column types are resolved left to right, so a branch of
	// untyped NULLs before the typed branch makes the column text (PostgreSQL); the builder
	// then leads with an empty, typed branch.
	UnionTypesPairwise bool
	// UnboundedLimit is the LIMIT that means "no limit", for an OFFSET without a LIMIT where
	// the grammar needs one ("18446744073709551615" on MySQL, "-1" on SQLite); empty where
	// OFFSET stands alone.
	UnboundedLimit string
	// MaxParams is the most bind parameters one statement may carry (0: no limit known).
	MaxParams int
	// Lexical says how the dialect writes comments and literals, so that placeholders in
	// raw SQL fragments are found only where they are placeholders.
	Lexical Lexical
	// Returning: INSERT .. RETURNING hands back the generated keys of every inserted row,
	// in the order of the VALUES rows (PostgreSQL, SQLite 3.35).
	Returning bool
	// OnConflictDoNothing: INSERT .. ON CONFLICT DO NOTHING skips rows that would violate a
	// unique constraint (PostgreSQL 9.5, SQLite 3.24).
	OnConflictDoNothing bool
	// OnDuplicateKeyUpdate: INSERT .. ON DUPLICATE KEY UPDATE c = c skips such rows as a
	// no-op update (MySQL, MariaDB). Unlike INSERT IGNORE it ignores no other error.
	OnDuplicateKeyUpdate bool
	// LastInsertID: the driver reports the first key an INSERT generated (MySQL, MariaDB);
	// the keys of a multi-row INSERT follow it when the server allocates them consecutively.
	LastInsertID bool
	// DDL says how the dialect writes tables (package ddl).
	DDL DDL
	// Distributed: the tables are sharded by a distribution column that every association
	// key carries (include.Tenant), as on Citus. Window ordinals are then partitioned by the
	// link to the parent where that changes no result, so that each shard computes its own,
	// and shapes the engine plans poorly are avoided (see the README's scale-out section).
	Distributed bool
}

// Lexical describes the comment and literal forms of a dialect's SQL text.
type Lexical struct {
	// HashComments: `#` starts a comment to the end of the line (MySQL).
	HashComments bool
	// DashCommentNeedsSpace: `--` starts a comment only when followed by white space or a
	// control character (MySQL); otherwise `--` always does.
	DashCommentNeedsSpace bool
	// NestedComments: block comments nest (PostgreSQL).
	NestedComments bool
	// BackslashEscapes: a backslash escapes the next character in every string literal
	// (MySQL's default); otherwise only in E'..' literals where EscapeStrings is set.
	BackslashEscapes bool
	// EscapeStrings: E'..' string literals with backslash escapes (PostgreSQL).
	EscapeStrings bool
	// DollarQuotes: $tag$ .. $tag$ string literals (PostgreSQL).
	DollarQuotes bool
	// DoubleQuotedStrings: "..." is a string literal with backslash escapes rather than an
	// identifier (MySQL's default). Either way its content is not SQL.
	DoubleQuotedStrings bool
	// BracketIdentifiers: [name] quotes an identifier (SQLite).
	BracketIdentifiers bool
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

// AppendPlaceholder appends Placeholder(n) to dst (without an allocation).
func (d *dialect) AppendPlaceholder(dst []byte, n int) []byte {
	if d.dollar {
		return strconv.AppendInt(append(dst, '$'), int64(n), 10)
	}
	return append(dst, '?')
}

// AppendQuote appends the quoted identifier to dst (Quote without an allocation).
func (d *dialect) AppendQuote(dst []byte, ident string) []byte {
	dst = append(dst, d.open)
	if strings.IndexByte(ident, d.close) < 0 {
		// (the common case: nothing to double, one copy)
		dst = append(dst, ident...)
		return append(dst, d.close)
	}
	for i := 0; i < len(ident); i++ {
		c := ident[i]
		if c == d.close {
			dst = append(dst, c)
		}
		dst = append(dst, c)
	}
	return append(dst, d.close)
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

// pgFeatures are PostgreSQL's features (Postgres, Citus).
var pgFeatures = Features{ILike: true, Lateral: true, WindowFunctions: true, NestedJoins: true, TupleIn: true, NullsOrdering: true,
	CTE: true, NullsHigh: true, NumberedParams: true, AnyArray: true, MaterializedCTE: true, UnionTypesPairwise: true,
	MaxParams: 65535, Lexical: Lexical{NestedComments: true, EscapeStrings: true, DollarQuotes: true},
	Returning: true, OnConflictDoNothing: true,
	DDL: DDL{Catalog: pgCatalog, AutoIncrement: " GENERATED BY DEFAULT AS IDENTITY", AlterAddForeignKey: true,
		Types: ColumnTypes{SmallInt: "SMALLINT", Integer: "INTEGER", BigInt: "BIGINT", Float: "DOUBLE PRECISION", Text: "TEXT",
			Varchar: "VARCHAR(255)", Bool: "BOOLEAN", Timestamp: "TIMESTAMP WITH TIME ZONE", Date: "DATE", Bytes: "BYTEA", UUID: "UUID", JSON: "JSONB"}}}

var (
	// Postgres is PostgreSQL (10 and later): "double-quoted" identifiers, $n placeholders.
	Postgres Dialect = &dialect{name: "postgres", open: '"', close: '"', dollar: true, maxIdent: 63, features: pgFeatures}
	// Citus is PostgreSQL with the Citus extension (12 and later) and tables distributed by
	// a tenant column that every association key carries (include.Tenant): PostgreSQL's SQL,
	// with Features.Distributed and without LATERAL.
	Citus Dialect = &dialect{name: "citus", open: '"', close: '"', dollar: true, maxIdent: 63, features: distributed(pgFeatures)}
	// MySQL is MySQL 8 and MariaDB 10.5 and later: `backquoted` identifiers, ? placeholders.
	MySQL Dialect = &dialect{name: "mysql", open: '`', close: '`', maxIdent: 64,
		features: Features{WindowFunctions: true, NestedJoins: true, TupleIn: true, CTE: true,
			UnboundedLimit: "18446744073709551615", MaxParams: 65535,
			Lexical:      Lexical{HashComments: true, DashCommentNeedsSpace: true, BackslashEscapes: true, DoubleQuotedStrings: true},
			LastInsertID: true, OnDuplicateKeyUpdate: true,
			DDL: DDL{Catalog: mysqlCatalog, AutoIncrement: " AUTO_INCREMENT", AlterAddForeignKey: true,
				Types: ColumnTypes{SmallInt: "SMALLINT", Integer: "INT", BigInt: "BIGINT", Float: "DOUBLE", Text: "TEXT", KeyText: "VARCHAR(255)",
					Varchar: "VARCHAR(255)", Bool: "BOOLEAN", Timestamp: "DATETIME(6)", Date: "DATE", Bytes: "LONGBLOB", UUID: "CHAR(36)", JSON: "JSON"}}}}
	// SQLite is SQLite 3.35 and later (MATERIALIZED CTEs): "double-quoted" identifiers, ?
	// placeholders. The bind-parameter limit is SQLite's default since 3.32.
	SQLite Dialect = &dialect{name: "sqlite", open: '"', close: '"', maxIdent: 1 << 30,
		features: Features{WindowFunctions: true, NestedJoins: true, TupleIn: true, NullsOrdering: true,
			CTE: true, MaterializedCTE: true, UnboundedLimit: "-1", MaxParams: 32766,
			Lexical:   Lexical{BracketIdentifiers: true},
			Returning: true, OnConflictDoNothing: true,
			DDL: DDL{Catalog: sqliteCatalog, IntegerKey: "INTEGER", ForwardForeignKeys: true,
				Types: ColumnTypes{SmallInt: "INTEGER", Integer: "INTEGER", BigInt: "BIGINT", Float: "REAL", Text: "TEXT",
					Varchar: "VARCHAR(255)", Bool: "BOOLEAN", Timestamp: "DATETIME", Date: "DATE", Bytes: "BLOB", UUID: "TEXT", JSON: "TEXT"}}}}
)

func distributed(f Features) Features {
	f.Distributed = true
	// a LATERAL join to a page of roots (a LIMIT, computed on the coordinator) is rejected:
	// per-parent limits use windows partitioned by the link
	f.Lateral = false
	f.DDL.ForeignKeysLast, f.DDL.DistributionKeyRules = true, true
	return f
}

// ByName returns the dialect called name ("postgres"/"postgresql"/"pgx", "citus", "mysql"/"mariadb",
// "sqlite"/"sqlite3"), or nil.
func ByName(name string) Dialect {
	switch strings.ToLower(name) {
	case "postgres", "postgresql", "pgx", "pq":
		return Postgres
	case "citus":
		return Citus
	case "mysql", "mariadb":
		return MySQL
	case "sqlite", "sqlite3":
		return SQLite
	}
	return nil
}
