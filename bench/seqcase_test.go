package bench

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

var seqCaseDirs = []string{"../testdata/sequelize"}

func TestSeqOrderTerm(t *testing.T) {
	for _, c := range []struct {
		in         any
		path, term string
		err        string
	}{
		{[]any{"id", "ASC"}, "", "id ASC NULLS LAST", ""},
		{[]any{[]any{"posts"}, "id", "desc"}, "posts", "id DESC NULLS FIRST", ""},
		{[]any{[]any{"posts", "comments"}, "id"}, "posts.comments", "id ASC NULLS LAST", ""},
		{"name", "", "name ASC NULLS LAST", ""},
		{[]any{[]any{"projects", "@through"}, "role"}, "", "", "not translated"},
		{[]any{"id", "sideways"}, "", "", "direction"},
		{42, "", "", "bad order entry"},
	} {
		path, term, err := seqOrderTerm(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v: error %v, want one containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || path != c.path || term != c.term {
			t.Errorf("%v: %q %q %v, want %q %q", c.in, path, term, err, c.path, c.term)
		}
	}
}

// TestSeqCase096 translates the recorded stress case 096 both ways: as the conformance suite
// writes it (every order term on the root) and with the path terms on the includes.
func TestSeqCase096(t *testing.T) {
	cases, missing, err := ReadSeqCases(seqCaseDirs, []string{"096_"})
	if err != nil || len(missing) > 0 {
		t.Fatalf("case 096: %v, missing %v", err, missing)
	}
	c := cases[0]
	want := map[string]int{"": 200, "posts": 958, "projects": 300}
	if got, err := c.SequelizeCounts(); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Sequelize's counts %v (%v), want %v", got, err, want)
	}
	s, err := c.Schema()
	if err != nil {
		t.Fatal(err)
	}
	for _, child := range []bool{false, true} {
		q, err := c.SeqQuery(s, child)
		if err != nil {
			t.Fatal(err)
		}
		p, err := q.Plan()
		if err != nil {
			t.Fatalf("child order %v: %v", child, err)
		}
		// the root is ordered by its id either way; the posts' id is a root order term only
		// as the conformance suite writes it
		if !strings.Contains(p.SQL, "ORDER BY") {
			t.Errorf("child order %v: no ORDER BY in %s", child, p.SQL)
		}
	}
}

// BenchmarkSeqCases/<case>/<variant>: joinery's default on a Sequelize stress case loaded into
// BENCH_PG_DSN's database; the metric x-sequelize is Sequelize's recorded findAll time over
// joinery's. cmd/seqcases prints the same as a table (run.sh runs it).
func BenchmarkSeqCases(b *testing.B) {
	dsn := os.Getenv("BENCH_PG_DSN")
	if dsn == "" {
		b.Skip("BENCH_PG_DSN is not set (bench/run.sh sets it)")
	}
	ctx := context.Background()
	cases, _, err := ReadSeqCases(seqCaseDirs, []string{"096_", "097_", "098_"})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range cases {
		db, err := c.Load(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range SeqVariants {
			q, err := c.VariantQuery(ctx, db, v)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(c.ID+"/"+v.Name, func(b *testing.B) {
				b.ReportAllocs()
				start := time.Now()
				for b.Loop() {
					if _, err := q.All(ctx, db); err != nil {
						b.Fatal(err)
					}
				}
				per := float64(time.Since(start)) / float64(b.N) / 1e6
				b.ReportMetric(c.Sequelize.TimingMS/per, "x-sequelize")
			})
		}
		db.Close()
	}
}
