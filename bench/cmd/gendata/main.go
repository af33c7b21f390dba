// Command gendata creates the benchmark tables in the database named by -dsn (default
// $BENCH_PG_DSN) and fills them with the fixed-seed data set. It DROPS the tables first.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/joinery/joinery/bench"
)

func main() {
	dsn := flag.String("dsn", os.Getenv("BENCH_PG_DSN"), "PostgreSQL DSN (default $BENCH_PG_DSN)")
	flag.Parse()
	if *dsn == "" {
		fmt.Fprintln(os.Stderr, "gendata: no DSN: pass -dsn or set BENCH_PG_DSN")
		os.Exit(2)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, *dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
	defer conn.Close(ctx)
	st, err := bench.Generate(ctx, conn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
	fmt.Printf("gendata: %d users, %d posts, %d comments, %d tags, %d post_tags, %d projects, %d memberships in %s\n",
		st.Users, st.Posts, st.Comments, st.Tags, st.PostTags, st.Projects, st.Memberships, st.Took.Round(1e6))
}
