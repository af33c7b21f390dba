package bench

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Two more hand-written nested creates, to find the floor the database sets: the same rows
// sent as arrays (INSERT .. SELECT FROM unnest($1, $2) RETURNING id: four small statements,
// nothing to parse per row), and by COPY, the keys taken from the sequences first
// (nextval over generate_series), which is the cheapest way PostgreSQL has to take rows.

// handUnnestCreate inserts each level as one INSERT .. SELECT FROM unnest(arrays).
func handUnnestCreate(ctx context.Context, e *writeEnv) error {
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ids := func(q string, args ...any) ([]int64, error) {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
	names := make([]string, wUsers)
	for i := range names {
		names[i] = "user" + strconv.Itoa(i)
	}
	uids, err := ids(`INSERT INTO users (name) SELECT * FROM unnest($1::text[]) RETURNING id`, names)
	if err != nil {
		return err
	}
	pu := make([]int64, 0, wUsers*wPosts)
	pt := make([]string, 0, wUsers*wPosts)
	for i := 0; i < wUsers*wPosts; i++ {
		pu = append(pu, uids[i/wPosts])
		pt = append(pt, "post"+strconv.Itoa(i%wPosts))
	}
	// unnest keeps the arrays' order and RETURNING follows it
	pids, err := ids(`INSERT INTO posts (user_id, title) SELECT * FROM unnest($1::bigint[], $2::text[]) RETURNING id`, pu, pt)
	if err != nil {
		return err
	}
	tn := make([]string, 0, len(pids)*wTags)
	for i := 0; i < len(pids)*wTags; i++ {
		tn = append(tn, "tag"+strconv.Itoa(i%wTags))
	}
	tids, err := ids(`INSERT INTO tags (name) SELECT * FROM unnest($1::text[]) RETURNING id`, tn)
	if err != nil {
		return err
	}
	lp := make([]int64, len(tids))
	ab := make([]*string, len(tids))
	for i := range tids {
		post := i / wTags
		lp[i] = pids[post]
		ab[i] = addedBy(post/wPosts, post%wPosts, i%wTags)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO post_tags (post_id, tag_id, added_by) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])`, lp, tids, ab); err != nil {
		return err
	}
	return tx.Commit()
}

// handCopyCreate takes each level's keys from its sequence, then COPYs the rows (pgx's
// CopyFrom on the connection under database/sql).
func handCopyCreate(ctx context.Context, e *writeEnv) error {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		next := func(seq string, n int) ([]int64, error) {
			rows, _ := tx.Query(ctx, `SELECT nextval($1::regclass) FROM generate_series(1, $2::int)`, seq, n)
			return pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		copyRows := func(table string, cols []string, rows [][]any) error {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
			return err
		}
		uids, err := next("users_id_seq", wUsers)
		if err != nil {
			return err
		}
		rs := make([][]any, 0, wUsers*wPosts*wTags)
		for i := range uids {
			rs = append(rs, []any{uids[i], "user" + strconv.Itoa(i)})
		}
		if err := copyRows("users", []string{"id", "name"}, rs); err != nil {
			return err
		}
		pids, err := next("posts_id_seq", wUsers*wPosts)
		if err != nil {
			return err
		}
		rs = rs[:0]
		for i := range pids {
			rs = append(rs, []any{pids[i], uids[i/wPosts], "post" + strconv.Itoa(i%wPosts)})
		}
		if err := copyRows("posts", []string{"id", "user_id", "title"}, rs); err != nil {
			return err
		}
		tids, err := next("tags_id_seq", len(pids)*wTags)
		if err != nil {
			return err
		}
		rs = rs[:0]
		for i := range tids {
			rs = append(rs, []any{tids[i], "tag" + strconv.Itoa(i%wTags)})
		}
		if err := copyRows("tags", []string{"id", "name"}, rs); err != nil {
			return err
		}
		rs = rs[:0]
		for i := range tids {
			post := i / wTags
			rs = append(rs, []any{pids[post], tids[i], addedBy(post/wPosts, post%wPosts, i%wTags)})
		}
		if err := copyRows("post_tags", []string{"post_id", "tag_id", "added_by"}, rs); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// floorServerCreate is not a writer but a measuring device: the server generates the same
// rows itself (generate_series; nothing sent, parsed or bound per row, no client work), so
// its time is what the rows, their indexes and their foreign-key checks cost the database
// alone, a floor under every client. It relies on the tables' sequences starting at 1
// (every harness truncates with RESTART IDENTITY first).
func floorServerCreate(ctx context.Context, e *writeEnv) error {
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	n := strconv.Itoa
	for _, q := range []string{
		`INSERT INTO users (name) SELECT 'user' || i FROM generate_series(0, ` + n(wUsers-1) + `) i`,
		`INSERT INTO posts (user_id, title) SELECT i / ` + n(wPosts) + ` + 1, 'post' || (i % ` + n(wPosts) + `) FROM generate_series(0, ` + n(wUsers*wPosts-1) + `) i`,
		`INSERT INTO tags (name) SELECT 'tag' || (i % ` + n(wTags) + `) FROM generate_series(0, ` + n(wUsers*wPosts*wTags-1) + `) i`,
		`INSERT INTO post_tags (post_id, tag_id, added_by) SELECT i / ` + n(wTags) + ` + 1, i + 1, CASE WHEN i % ` + n(wTags) + ` = 0 THEN NULL ELSE 'u' || (i / ` + n(wTags*wPosts) + `) END FROM generate_series(0, ` + n(wUsers*wPosts*wTags-1) + `) i`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// TestWritesCPU runs the nested-create contenders round after round (BENCH_ROUNDS, default
// 5, the order rotated each round) on one connection and reports, per contender, the
// median wall time, the CPU time this process spent (client: building values, SQL, driver,
// GC) and the CPU time of the PostgreSQL backend serving the connection (server: parse,
// plan, insert, index and foreign-key checks), read from /proc when the server runs on this
// machine. CPU times are what a loaded machine distorts least: the wall time includes
// waiting for a core. With BENCH_WRITES_NOFK=1 the foreign-key triggers of posts and
// post_tags are disabled for the run (a measurement of what they cost, not a way to write).
func TestWritesCPU(t *testing.T) {
	e := openWriteEnv(t)
	ctx := context.Background()
	e.db.SetMaxOpenConns(1)
	e.db.SetMaxIdleConns(1)
	var pid int
	if err := e.db.QueryRow(`SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("BENCH_WRITES_NOFK") == "1" {
		if _, err := e.db.Exec(`ALTER TABLE posts DISABLE TRIGGER ALL`); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Exec(`ALTER TABLE post_tags DISABLE TRIGGER ALL`); err != nil {
			t.Fatal(err)
		}
	}
	_, serverOK := backendCPU(pid)
	rounds := 5
	if n, err := strconv.Atoi(os.Getenv("BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	type sample struct{ wall, client, server time.Duration }
	got := map[string][]sample{}
	for r := 0; r < rounds; r++ {
		for k := range createContenders {
			c := createContenders[(k+r)%len(createContenders)]
			e.truncate(t)
			s0, _ := backendCPU(pid)
			c0 := selfCPU()
			w0 := time.Now()
			if err := c.run(ctx, e); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			wall := time.Since(w0)
			c1 := selfCPU()
			s1, _ := backendCPU(pid)
			var now int
			if err := e.db.QueryRow(`SELECT pg_backend_pid()`).Scan(&now); err != nil || now != pid {
				t.Fatalf("%s: the connection changed (backend %d, now %d): %v", c.name, pid, now, err)
			}
			got[c.name] = append(got[c.name], sample{wall, c1 - c0, s1 - s0})
		}
	}
	med := func(xs []sample, f func(sample) time.Duration) time.Duration {
		v := make([]time.Duration, len(xs))
		for i, x := range xs {
			v[i] = f(x)
		}
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		return v[len(v)/2]
	}
	span := func(xs []sample, f func(sample) time.Duration) string {
		lo, hi := f(xs[0]), f(xs[0])
		for _, x := range xs {
			lo, hi = min(lo, f(x)), max(hi, f(x))
		}
		return fmt.Sprintf("%d-%d", lo.Milliseconds(), hi.Milliseconds())
	}
	wallOf := func(s sample) time.Duration { return s.wall }
	clientOf := func(s sample) time.Duration { return s.client }
	serverOf := func(s sample) time.Duration { return s.server }
	var b strings.Builder
	fmt.Fprintf(&b, "nested create, %d rounds, medians in ms (range); server CPU read from /proc: %v\n", rounds, serverOK)
	fmt.Fprintf(&b, "%-15s %16s %16s %16s %14s\n", "contender", "wall", "client CPU", "server CPU", "client+server")
	for _, c := range createContenders {
		xs := got[c.name]
		sum := func(s sample) time.Duration { return s.client + s.server }
		fmt.Fprintf(&b, "%-15s %5d (%9s) %5d (%9s) %5d (%9s) %6d (%s)\n", c.name,
			med(xs, wallOf).Milliseconds(), span(xs, wallOf),
			med(xs, clientOf).Milliseconds(), span(xs, clientOf),
			med(xs, serverOf).Milliseconds(), span(xs, serverOf),
			med(xs, sum).Milliseconds(), span(xs, sum))
	}
	// paired: each round's ratio of a contender's time to joinery's in the same round
	fmt.Fprintf(&b, "paired ratios to joinery, per round (wall | client+server CPU):\n")
	for _, c := range createContenders {
		if c.name == "joinery" {
			continue
		}
		var walls, cpus []float64
		for r := range got[c.name] {
			j, x := got["joinery"][r], got[c.name][r]
			walls = append(walls, float64(x.wall)/float64(j.wall))
			cpus = append(cpus, float64(x.client+x.server)/float64(j.client+j.server))
		}
		fmt.Fprintf(&b, "%-15s %s | %s\n", c.name, ratios(walls), ratios(cpus))
	}
	t.Log("\n" + b.String())
}

func ratios(xs []float64) string {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return fmt.Sprintf("median %.2f (%.2f-%.2f)", s[len(s)/2], s[0], s[len(s)-1])
}

// selfCPU is the CPU time (user and system) this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU is the CPU time (user and system) of process pid, from /proc/pid/stat; false
// when it cannot be read (the server runs elsewhere).
func backendCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	// clock ticks of 1/100 s (USER_HZ on Linux)
	return time.Duration(ut+st) * 10 * time.Millisecond, true
}
