package conformance

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
)

// unsupportedError marks a case the harness cannot express with joinery's API (yet): it is
// reported as FAIL with the reason, never skipped.
type unsupportedError struct{ reason string }

func (e *unsupportedError) Error() string { return "unsupported: " + e.reason }

func unsupportedf(format string, args ...any) error {
	return &unsupportedError{reason: fmt.Sprintf(format, args...)}
}

func isUnsupported(err error) bool {
	var u *unsupportedError
	return errors.As(err, &u)
}

type mapQuery = joinery.Q[map[string]any]

// translate turns the case's query into a joinery query over the run-time models of s. notes
// are caveats of the translation, printed with the case if it fails.
func translate(c *Case, s *include.Schema, d dialects.Dialect) (q mapQuery, notes []string, err error) {
	q, err = translateQuery(c, s, d)
	if err == nil && !d.Features().NullsOrdering {
		for _, o := range c.Query.Order {
			if term, ok := nullableOrder(c, o); ok {
				notes = append(notes, fmt.Sprintf("order by %s can meet NULLs: %s sorts them first ascending and last descending, PostgreSQL (where the case was recorded) the reverse, and joinery cannot say NULLS FIRST/LAST on %s", term, d.Name(), d.Name()))
			}
		}
	}
	return q, notes, err
}

// nullableOrder reports whether the order entry o can sort NULLs: its column holds a NULL in
// the data, or it is reached through an optional include (absent rows are NULLs).
func nullableOrder(c *Case, o any) (string, bool) {
	parts, ok := o.([]any)
	if !ok || len(parts) < 2 {
		return "", false
	}
	model, incs := c.Query.Model, c.Query.Include
	var path []string
	optional := false
	if p, ok := parts[0].([]any); ok {
		for _, e := range p {
			seg, _ := e.(string)
			path = append(path, seg)
			if seg == "@through" {
				if a, ok := c.assoc(model, path[len(path)-2]); ok {
					model = a.ThroughModel
				}
				continue
			}
			inc, ok := findInclude(incs, seg)
			if !ok {
				return "", false
			}
			if inc.Required == nil || !*inc.Required {
				optional = true
			}
			model, incs = inc.Model, inc.Include
		}
		parts = parts[1:]
	}
	col, _ := parts[0].(string)
	term := strings.Join(append(path, col), ".")
	if optional {
		return term, true
	}
	m, ok := c.model(model)
	if !ok {
		return "", false
	}
	field := m.Attributes.M[col].Field
	for _, t := range c.Data {
		if t.Table != m.Table {
			continue
		}
		for _, r := range t.Rows {
			if r[field] == nil {
				return term, true
			}
		}
	}
	return "", false
}

func translateQuery(c *Case, s *include.Schema, d dialects.Dialect) (mapQuery, error) {
	qq := c.Query
	var zero mapQuery
	if len(qq.unknown) > 0 {
		return zero, unsupportedf("query option(s) %s", strings.Join(qq.unknown, ", "))
	}
	if _, ok := c.model(qq.Model); !ok {
		return zero, fmt.Errorf("query model %q is not a resolved model", qq.Model)
	}
	// subQuery: false changes only how Sequelize limits (the joined rows); joinery's Limit
	// counts roots either way (see the deviation root_limit_subquery_false).
	q := joinery.QueryMap(s, d, qq.Model)
	if qq.Where != nil {
		pred, err := wherePred(qq.Where)
		if err != nil {
			return zero, fmt.Errorf("root where: %w", err)
		}
		q = q.Where(pred)
	}
	if qq.Attributes != nil {
		q = q.Columns(*qq.Attributes...)
	}
	var nodes []any
	for _, inc := range qq.Include {
		n, err := translateInclude(c, d, qq.Model, inc, "")
		if err != nil {
			return zero, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) > 0 {
		q = q.Include(nodes...)
	}
	var terms []string
	for i, o := range qq.Order {
		term, err := orderTerm(o, d, true)
		if err != nil {
			return zero, fmt.Errorf("order[%d]: %w", i, err)
		}
		terms = append(terms, term)
	}
	if len(terms) > 0 {
		q = q.OrderBy(terms...)
	}
	if qq.Limit != nil {
		n, err := count("limit", *qq.Limit)
		if err != nil {
			return zero, err
		}
		q = q.Limit(n)
	}
	if qq.Offset != nil {
		n, err := count("offset", *qq.Offset)
		if err != nil {
			return zero, err
		}
		q = q.Offset(n)
	}
	return q, nil
}

// translateInclude translates one include node and its children.
func translateInclude(c *Case, d dialects.Dialect, parent string, inc Include, parentPath string) (include.Node, error) {
	path := inc.As
	if parentPath != "" {
		path = parentPath + "." + inc.As
	}
	var zero include.Node
	if len(inc.unknown) > 0 {
		return zero, unsupportedf("include %q option(s) %s", path, strings.Join(inc.unknown, ", "))
	}
	a, ok := c.assoc(parent, inc.As)
	if !ok {
		return zero, fmt.Errorf("include %q: %s has no resolved association %q", path, parent, inc.As)
	}
	if a.Target != inc.Model {
		return zero, fmt.Errorf("include %q: association %s.%s targets %s, the include names %s", path, parent, inc.As, a.Target, inc.Model)
	}
	n := include.New(inc.As)
	switch {
	case inc.Required != nil && *inc.Required:
		n = n.Required()
	case inc.Required != nil:
		n = n.Optional()
	default:
		// required absent (the default_* cases): Sequelize decides (required exactly when the
		// include has a where; sequelize.resolved records it). joinery's own default differs
		// on purpose (a Where stays in the ON clause of an optional include), so the
		// translation states Sequelize's decision explicitly.
		req := inc.Where != nil
		for _, r := range c.Sequelize.Resolved.Includes {
			if r.Path == path {
				req = r.Required
			}
		}
		if req {
			n = n.Required()
		} else {
			n = n.Optional()
		}
	}
	if inc.Where != nil {
		pred, err := wherePred(inc.Where)
		if err != nil {
			return zero, fmt.Errorf("include %q where: %w", path, err)
		}
		n = n.Where(pred)
	}
	if inc.Attributes != nil {
		if len(*inc.Attributes) == 0 && len(inc.Include) == 0 {
			// attributes: [] filters without loading: no key on the parent
			n = n.FilterOnly()
		} else {
			n = n.Columns(*inc.Attributes...)
		}
	}
	if th := inc.Through; th != nil {
		if a.Kind != "belongsToMany" {
			return zero, fmt.Errorf("include %q: through options on a %s", path, a.Kind)
		}
		if th.Attributes != nil {
			n = n.ThroughColumns(*th.Attributes...)
		}
		if th.Where != nil {
			pred, err := wherePred(th.Where)
			if err != nil {
				return zero, fmt.Errorf("include %q through where: %w", path, err)
			}
			n = n.ThroughWhere(pred)
		}
	}
	if inc.Limit != nil {
		// Sequelize runs an include with a limit as a separate query, LIMIT per parent
		l, err := count("include "+strconv.Quote(path)+" limit", *inc.Limit)
		if err != nil {
			return zero, err
		}
		n = n.Limit(l)
	}
	// The include's own order only counts where Sequelize uses it: with separate (also implied
	// by limit). A separate query is an execution strategy; joinery's one statement orders the
	// children the same way with Node.Order.
	if inc.Separate || inc.Limit != nil {
		for i, o := range inc.Order {
			term, err := orderTerm(o, d, false)
			if err != nil {
				return zero, fmt.Errorf("include %q order[%d]: %w", path, i, err)
			}
			n = n.Order(term)
		}
	}
	for _, ch := range inc.Include {
		cn, err := translateInclude(c, d, inc.Model, ch, path)
		if err != nil {
			return zero, err
		}
		n = n.Include(cn)
	}
	return n, nil
}

// orderTerm translates [col, dir] or [[as, ..., "@through"], col, dir] into a joinery order
// term ("posts.@through.id DESC"). Where the database can say it, the NULL placement is made
// explicit as PostgreSQL's default (NULLS LAST ascending, NULLS FIRST descending), which is
// what Sequelize's recorded results show. Include orders (paths false) take no path.
func orderTerm(o any, d dialects.Dialect, paths bool) (string, error) {
	var parts []any
	switch x := o.(type) {
	case string:
		parts = []any{x}
	case []any:
		parts = x
	default:
		return "", fmt.Errorf("bad order entry %v", o)
	}
	var segs []string
	if len(parts) > 0 {
		if p, ok := parts[0].([]any); ok {
			if !paths {
				return "", unsupportedf("an include's own order by an association path %v", o)
			}
			for _, e := range p {
				s, ok := e.(string)
				if !ok {
					return "", fmt.Errorf("bad order path %v", p)
				}
				segs = append(segs, s)
			}
			parts = parts[1:]
		}
	}
	if len(parts) < 1 || len(parts) > 2 {
		return "", fmt.Errorf("bad order entry %v", o)
	}
	col, ok := parts[0].(string)
	if !ok {
		return "", fmt.Errorf("bad order column %v", parts[0])
	}
	dir := "ASC"
	if len(parts) == 2 {
		s, ok := parts[1].(string)
		if !ok {
			return "", fmt.Errorf("bad order direction %v", parts[1])
		}
		dir = strings.ToUpper(strings.TrimSpace(s))
	}
	switch dir {
	case "ASC", "DESC":
		// joinery spells NULLS FIRST/LAST natively or emulates it (MySQL/MariaDB)
		if dir == "ASC" {
			dir += " NULLS LAST"
		} else {
			dir += " NULLS FIRST"
		}
	case "ASC NULLS FIRST", "ASC NULLS LAST", "DESC NULLS FIRST", "DESC NULLS LAST":
	default:
		return "", unsupportedf("order direction %q", dir)
	}
	return strings.Join(append(segs, col), ".") + " " + dir, nil
}

// wherePred translates the where language: {"col": v} (null: IS NULL, a list: IN) and
// {"col": {"gt"|"gte"|"lt"|"lte"|"ne"|"in"|"like"|"is": v}}, everything ANDed. Column names
// are attribute names, which joinery resolves to columns.
func wherePred(w map[string]any) (sq.Sqlizer, error) {
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var preds sq.And
	for _, k := range keys {
		if strings.HasPrefix(k, "$") || strings.Contains(k, ".") {
			return nil, unsupportedf("where key %q (nested or operator keys)", k)
		}
		v := w[k]
		ops, isOps := v.(map[string]any)
		if !isOps {
			preds = append(preds, sq.Eq{k: jsonArg(v)})
			continue
		}
		opNames := make([]string, 0, len(ops))
		for op := range ops {
			opNames = append(opNames, op)
		}
		sort.Strings(opNames)
		for _, op := range opNames {
			ov := jsonArg(ops[op])
			switch op {
			case "gt":
				preds = append(preds, sq.Gt{k: ov})
			case "gte":
				preds = append(preds, sq.GtOrEq{k: ov})
			case "lt":
				preds = append(preds, sq.Lt{k: ov})
			case "lte":
				preds = append(preds, sq.LtOrEq{k: ov})
			case "ne":
				preds = append(preds, sq.NotEq{k: ov})
			case "in":
				if _, ok := ov.([]any); !ok {
					return nil, fmt.Errorf("%s: in needs a list, got %v", k, ov)
				}
				preds = append(preds, sq.Eq{k: ov})
			case "like":
				preds = append(preds, sq.Like{k: ov})
			case "is":
				// IS NULL; IS TRUE / IS FALSE filter the same rows as = TRUE / = FALSE
				switch ov.(type) {
				case nil, bool:
					preds = append(preds, sq.Eq{k: ov})
				default:
					return nil, fmt.Errorf("%s: is takes null, true or false, got %v", k, ov)
				}
			default:
				return nil, unsupportedf("where operator %q", op)
			}
		}
	}
	if len(preds) == 1 {
		return preds[0], nil
	}
	return preds, nil
}

// count checks a limit or offset.
func count(what string, n int64) (uint64, error) {
	if n < 0 {
		return 0, fmt.Errorf("%s %d is negative", what, n)
	}
	return uint64(n), nil
}
