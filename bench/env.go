package bench

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // database/sql driver "postgres"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/joinery/joinery/include"
)

// Env holds the connections every contender runs over. Everything but PQ and Pool shares one
// database/sql pool over pgx's stdlib driver (pgx's default: statements prepared once per
// connection and cached), so the ORMs and mappers differ from the hand-written loaders only in
// what they do, not in the driver.
type Env struct {
	DSN    string
	PGX    *sql.DB       // database/sql over github.com/jackc/pgx/v5/stdlib
	PQ     *sql.DB       // database/sql over github.com/lib/pq
	SQLX   *sqlx.DB      // sqlx over PGX
	Gorm   *gorm.DB      // GORM over PGX
	Bun    *bun.DB       // bun over PGX
	Pool   *pgxpool.Pool // pgx native, no database/sql
	Schema *include.Schema
}

// Open connects to dsn (a postgres:// URL).
func Open(ctx context.Context, dsn string) (*Env, error) {
	e := &Env{DSN: dsn}
	var err error
	if e.Schema, err = NewSchema(); err != nil {
		return nil, err
	}
	if e.PGX, err = sql.Open("pgx", dsn); err != nil {
		return nil, err
	}
	if e.PQ, err = sql.Open("postgres", dsn); err != nil {
		return nil, err
	}
	for _, db := range []*sql.DB{e.PGX, e.PQ} {
		db.SetMaxOpenConns(4)
		db.SetMaxIdleConns(4)
		if err := db.PingContext(ctx); err != nil {
			e.Close()
			return nil, fmt.Errorf("connect to %s: %w", dsn, err)
		}
	}
	e.SQLX = sqlx.NewDb(e.PGX, "pgx")
	e.Gorm, err = gorm.Open(postgres.New(postgres.Config{Conn: e.PGX}), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
	})
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("gorm: %w", err)
	}
	e.Bun = bun.NewDB(e.PGX, pgdialect.New())
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		e.Close()
		return nil, err
	}
	cfg.MaxConns = 4
	if e.Pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close closes the pools.
func (e *Env) Close() {
	if e.PGX != nil {
		e.PGX.Close()
	}
	if e.PQ != nil {
		e.PQ.Close()
	}
	if e.Pool != nil {
		e.Pool.Close()
	}
}
