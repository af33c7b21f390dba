package joinery_test

import (
	"fmt"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

var dollar = regexp.MustCompile(`\$(\d+)`)

func inlinePG(sqlText string, args []any) (string, error) {
	used := make([]bool, len(args))
	var err error
	out := dollar.ReplaceAllStringFunc(sqlText, func(m string) string {
		n, _ := strconv.Atoi(m[1:])
		if n < 1 || n > len(args) {
			err = fmt.Errorf("placeholder %s out of range (%d args)", m, len(args))
			return m
		}
		used[n-1] = true
		return fmt.Sprintf("«%v»", args[n-1])
	})
	for i, u := range used {
		if !u && err == nil {
			err = fmt.Errorf("argument %d (%v) unused", i+1, args[i])
		}
	}
	return out, err
}

func inlineQ(sqlText string, args []any) (string, error) {
	i := 0
	var err error
	out := strings.Map(func(r rune) rune { return r }, sqlText)
	var b strings.Builder
	for _, r := range out {
		if r == '?' {
			if i >= len(args) {
				err = fmt.Errorf("too few args")
				b.WriteString("?")
				continue
			}
			fmt.Fprintf(&b, "«%v»", args[i])
			i++
			continue
		}
		b.WriteRune(r)
	}
	if i != len(args) && err == nil {
		err = fmt.Errorf("%d placeholders, %d args", i, len(args))
	}
	return b.String(), err
}

func TestReview8Numbering(t *testing.T) {
	s := blogSchema(t)
	rng := rand.New(rand.NewSource(3))
	bad, checked, difflen := 0, 0, 0
	defer func() { t.Logf("checked %d, different lengths %d", checked, difflen) }()
	for i := 0; i < 300 && bad < 5; i++ {
		build := func(d dialects.Dialect, r *rand.Rand) (joinery.Q[User], string) {
			q, desc, _ := randomComputedQuery(s, d, r, true)
			q = q.Where(sq.Expr("{{self}}.id <> ?", joinery.Param("x"))).
				Include(include.New("posts").Where(sq.NotEq{"title": joinery.Param("t")}).Include(include.New("comments").Where(sq.Expr("{{self}}.body <> ?", joinery.Param("x")))))
			switch r.Intn(3) {
			case 1:
				q = q.LimitParam("lim").OffsetParam("off")
				desc += " limitparam"
			case 2:
				q = q.Limit(3).Offset(1)
			}
			return q, desc
		}
		seed := rng.Int63()
		for _, shape := range []joinery.Shape{joinery.ShapeFlat, joinery.ShapeUnion, joinery.ShapePipeline} {
			qp, desc := build(dialects.Postgres, rand.New(rand.NewSource(seed)))
			qs, _ := build(dialects.SQLite, rand.New(rand.NewSource(seed)))
			vals := map[string]any{"x": int64(7), "t": "tt", "lim": int64(5), "off": int64(2)}
			pp, err := qp.Shape(shape).Bind(vals).Plan()
			if err != nil {
				continue
			}
			ps, err := qs.Shape(shape).Bind(vals).Plan()
			if err != nil {
				continue
			}
			check := func(sqlText string, args []any, sqlS string, argsS []any) {
				a, err1 := inlinePG(sqlText, args)
				b, err2 := inlineQ(sqlS, argsS)
				if err1 != nil || err2 != nil {
					t.Errorf("%d %s %s: %v %v\n%s", i, desc, shape, err1, err2, sqlText)
					bad++
					return
				}
				// normalize: compare the sequence of inlined values in order of appearance
				re := regexp.MustCompile(`«[^»]*»`)
				va, vb := re.FindAllString(a, -1), re.FindAllString(b, -1)
				checked++
				if len(va) != len(vb) {
					difflen++
				}
				if fmt.Sprint(va) != fmt.Sprint(vb) && len(va) == len(vb) {
					t.Errorf("%d %s %s: values differ\npg: %v\nsq: %v\n%s", i, desc, shape, va, vb, sqlText)
					bad++
				}
			}
			if len(pp.Statements) > 0 && len(pp.Statements) == len(ps.Statements) {
				for k := range pp.Statements {
					check(pp.Statements[k].SQL, pp.Statements[k].Args, ps.Statements[k].SQL, ps.Statements[k].Args)
				}
			} else {
				check(pp.SQL, pp.Args, ps.SQL, ps.Args)
			}
		}
	}
}
