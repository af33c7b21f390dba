package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// normalizeGot turns joinery's rows into the JSON form of Sequelize's result, walking the
// include tree so each value is normalised by its attribute's type: dates as ISO-8601 UTC with
// milliseconds, DATEONLY as YYYY-MM-DD, UUIDs lower-case, numbers as canonical json.Numbers.
func normalizeGot(c *Case, rows []map[string]any) []any {
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = normRecord(c, r, c.Query.Model, c.Query.Include, "")
	}
	return out
}

func normRecord(c *Case, m map[string]any, model string, incs []Include, through string) map[string]any {
	rm, _ := c.model(model)
	out := make(map[string]any, len(m))
	for k, v := range m {
		if inc, ok := findInclude(incs, k); ok {
			th := ""
			if a, ok := c.assoc(model, k); ok && a.Kind == "belongsToMany" {
				th = a.ThroughModel
			}
			switch x := v.(type) {
			case []any:
				l := make([]any, len(x))
				for i, e := range x {
					if em, ok := e.(map[string]any); ok {
						l[i] = normRecord(c, em, inc.Model, inc.Include, th)
					} else {
						l[i] = normScalar(e, "")
					}
				}
				out[k] = l
			case map[string]any:
				out[k] = normRecord(c, x, inc.Model, inc.Include, th)
			default:
				out[k] = normScalar(v, "")
			}
			continue
		}
		if through != "" && k == through {
			if tm, ok := v.(map[string]any); ok {
				thm, _ := c.model(through)
				o := make(map[string]any, len(tm))
				for tk, tv := range tm {
					o[tk] = normScalar(tv, thm.Attributes.M[tk].Type)
				}
				out[k] = o
				continue
			}
		}
		out[k] = normScalar(v, rm.Attributes.M[k].Type)
	}
	return out
}

func findInclude(incs []Include, as string) (Include, bool) {
	for _, inc := range incs {
		if inc.As == as {
			return inc, true
		}
	}
	return Include{}, false
}

const isoMillis = "2006-01-02T15:04:05.000Z"

// normScalar normalises one value of an attribute of type typ ("" when unknown).
func normScalar(v any, typ string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		if typ == "dateonly" {
			return x.Format("2006-01-02")
		}
		return x.UTC().Format(isoMillis)
	case string:
		switch typ {
		case "date":
			for _, f := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
				if t, err := time.Parse(f, x); err == nil {
					return t.UTC().Format(isoMillis)
				}
			}
		case "dateonly":
			if len(x) > 10 {
				if _, err := time.Parse("2006-01-02", x[:10]); err == nil {
					return x[:10]
				}
			}
		case "uuid":
			return strings.ToLower(x)
		}
		return x
	case []byte:
		return normScalar(string(x), typ)
	case bool:
		return x
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case int:
		return json.Number(strconv.Itoa(x))
	case int32:
		return json.Number(strconv.FormatInt(int64(x), 10))
	case float64:
		return canonNumber(strconv.FormatFloat(x, 'g', -1, 64))
	case float32:
		return canonNumber(strconv.FormatFloat(float64(x), 'g', -1, 32))
	case json.Number:
		return canonNumber(string(x))
	case map[string]any:
		o := make(map[string]any, len(x))
		for k, e := range x {
			o[k] = normScalar(e, "")
		}
		return o
	case []any:
		o := make([]any, len(x))
		for i, e := range x {
			o[i] = normScalar(e, "")
		}
		return o
	}
	return fmt.Sprintf("<%T %v>", v, v) // visible in a diff rather than silently equal
}

// canonNumber writes a number one way: integral values as integers, others in %g.
func canonNumber(s string) json.Number {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return json.Number(strconv.FormatInt(i, 10))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return json.Number(s)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return json.Number(strconv.FormatInt(int64(f), 10))
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// normalizeWant puts Sequelize's decoded result in the same canonical form.
func normalizeWant(want []any) []any {
	out := make([]any, len(want))
	for i, e := range want {
		out[i] = normScalar(e, "")
	}
	return out
}

// nondeterministic is the placeholder for values under nondeterministicPaths.
const nondeterministic = "<nondeterministic: ignored>"

// maskPaths replaces, in place, every value whose path matches one of patterns
// ("[*].products[*].Purchase") with a placeholder.
func maskPaths(v any, patterns []string) error {
	for _, p := range patterns {
		segs, err := parsePattern(p)
		if err != nil {
			return err
		}
		mask(v, segs)
	}
	return nil
}

func parsePattern(p string) ([]string, error) {
	var segs []string
	for _, part := range strings.Split(p, ".") {
		for part != "" {
			if part[0] == '[' {
				end := strings.IndexByte(part, ']')
				if end < 0 {
					return nil, fmt.Errorf("bad nondeterministic path %q", p)
				}
				segs = append(segs, part[:end+1])
				part = part[end+1:]
				continue
			}
			end := strings.IndexByte(part, '[')
			if end < 0 {
				end = len(part)
			}
			segs = append(segs, part[:end])
			part = part[end:]
		}
	}
	return segs, nil
}

func mask(v any, segs []string) {
	if len(segs) == 0 {
		return
	}
	seg, last := segs[0], len(segs) == 1
	switch x := v.(type) {
	case []any:
		if seg[0] != '[' {
			return
		}
		for i := range x {
			if seg == "[*]" || seg == "["+strconv.Itoa(i)+"]" {
				if last {
					x[i] = nondeterministic
				} else {
					mask(x[i], segs[1:])
				}
			}
		}
	case map[string]any:
		if e, ok := x[seg]; ok {
			if last {
				x[seg] = nondeterministic
			} else {
				mask(e, segs[1:])
			}
		}
	}
}

// canon sorts the arrays whose order the case does not fix: the root when orderedRoot is
// false, every child array when orderedChildren is false. Elements sort by their canonical
// JSON, so equal multisets end up in equal order.
func canon(v any, root bool, q Query) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = canon(e, false, q)
		}
		if (root && !q.OrderedRoot) || (!root && !q.OrderedChildren) {
			keys := make([]string, len(out))
			for i, e := range out {
				keys[i] = compact(e)
			}
			idx := make([]int, len(out))
			for i := range idx {
				idx[i] = i
			}
			sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
			sorted := make([]any, len(out))
			for i, j := range idx {
				sorted[i] = out[j]
			}
			out = sorted
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = canon(e, false, q)
		}
		return out
	}
	return v
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

func show(v any) string {
	s := compact(v)
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}

// firstDiff returns the first difference between got and want, as
// "<path>: got <json> want <json>", or "" when they are equal.
func firstDiff(path string, got, want any) string {
	at := path
	if at == "" {
		at = "(root)"
	}
	switch w := want.(type) {
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: got %s want %s", at, show(got), show(want))
		}
		for i := 0; i < len(g) && i < len(w); i++ {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), g[i], w[i]); d != "" {
				return d
			}
		}
		if len(g) != len(w) {
			if len(g) > len(w) {
				return fmt.Sprintf("%s: got %d elements want %d; first extra: %s", at, len(g), len(w), show(g[len(w)]))
			}
			return fmt.Sprintf("%s: got %d elements want %d; first missing: %s", at, len(g), len(w), show(w[len(g)]))
		}
		return ""
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %s want %s", at, show(got), show(want))
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			p := k
			if path != "" {
				p = path + "." + k
			}
			gv, gok := g[k]
			wv, wok := w[k]
			switch {
			case !gok:
				return fmt.Sprintf("%s: got <absent> want %s", p, show(wv))
			case !wok:
				return fmt.Sprintf("%s: got %s want <absent>", p, show(gv))
			}
			if d := firstDiff(p, gv, wv); d != "" {
				return d
			}
		}
		return ""
	}
	if compact(got) != compact(want) {
		return fmt.Sprintf("%s: got %s want %s", at, show(got), show(want))
	}
	return ""
}
