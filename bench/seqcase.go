package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/joinery/joinery"
	"github.com/joinery/joinery/ddl"
	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/scope"
)

// The Sequelize-recorded stress cases (conformance cases 096-098, testdata/sequelize in the
// main module): each file has the schema, the data, a findAll in a neutral language and
// Sequelize's recorded findAll time (sequelize.timing_ms). SeqCase loads one into a schema of
// its own in the bench PostgreSQL and declares it with joinery; SeqQuery writes its include
// tree the way the conformance suite (conformance/translate_test.go, not importable: test
// files) writes it. Only what the stress cases use is translated: includes (nested, required
// or not, through columns), equality filters, order terms, limit and offset; anything else is
// an error naming the option.

// SeqCase is a recorded case, decoded as far as the benchmark needs.
type SeqCase struct {
	ID    string // file name without .json
	About string `json:"about"`
	DDL   string `json:"ddl"`
	Data  []struct {
		Table string            `json:"table"`
		Rows  []json.RawMessage `json:"rows"`
	} `json:"data"`
	Query     seqQuery `json:"query"`
	Sequelize struct {
		Result     json.RawMessage `json:"result"`
		TimingMS   float64         `json:"timing_ms"`
		TimingRuns int             `json:"timing_runs"`
		Resolved   struct {
			Includes []struct {
				Path     string `json:"path"`
				Required bool   `json:"required"`
			} `json:"includes"`
		} `json:"resolved"`
	} `json:"sequelize"`
	Resolved struct {
		Models map[string]struct {
			Table                string   `json:"table"`
			PrimaryKeyAttributes []string `json:"primaryKeyAttributes"`
			Attributes           map[string]struct {
				Field string `json:"field"`
				Type  string `json:"type"`
			} `json:"attributes"`
		} `json:"models"`
		Associations []struct {
			Source, Kind, Target, As                   string
			ForeignKey, SourceKey, TargetKey, OtherKey string
			ThroughModel, ThroughTable                 string
			Scope, ThroughScope                        map[string]any
			ThroughUnique                              *bool
		} `json:"associations"`
	} `json:"resolved"`
}

type seqQuery struct {
	Model      string         `json:"model"`
	Where      map[string]any `json:"where"`
	Order      []any          `json:"order"`
	Limit      *uint64        `json:"limit"`
	Offset     *uint64        `json:"offset"`
	Attributes *[]string      `json:"attributes"`
	Include    []seqInclude   `json:"include"`
}

type seqInclude struct {
	Model      string         `json:"model"`
	As         string         `json:"as"`
	Required   *bool          `json:"required"`
	Where      map[string]any `json:"where"`
	Attributes *[]string      `json:"attributes"`
	Through    *struct {
		Attributes *[]string      `json:"attributes"`
		Where      map[string]any `json:"where"`
	} `json:"through"`
	Separate bool         `json:"separate"`
	Limit    *uint64      `json:"limit"`
	Include  []seqInclude `json:"include"`
}

// ReadSeqCases reads the case files in dirs whose names start with one of prefixes (in the
// order of prefixes; the first directory that has one wins). A prefix with no file is
// returned in missing.
func ReadSeqCases(dirs []string, prefixes []string) (cases []*SeqCase, missing []string, err error) {
	for _, p := range prefixes {
		var file string
		for _, d := range dirs {
			m, _ := filepath.Glob(filepath.Join(d, p+"*.json"))
			sort.Strings(m)
			if len(m) > 0 {
				file = m[0]
				break
			}
		}
		if file == "" {
			missing = append(missing, p)
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, nil, err
		}
		c := &SeqCase{ID: strings.TrimSuffix(filepath.Base(file), ".json")}
		if err := json.Unmarshal(b, c); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", file, err)
		}
		cases = append(cases, c)
	}
	return cases, missing, nil
}

// Load creates the case's tables (its recorded DDL) and data in the PostgreSQL schema
// "seqcase_<id>" (dropped first) and returns a database/sql pool over pgx's stdlib driver whose
// search_path is that schema.
func (c *SeqCase) Load(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	schema := "seqcase_" + strings.SplitN(c.ID, "_", 2)[0]
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer admin.Close(ctx)
	qs := pgx.Identifier{schema}.Sanitize()
	for _, s := range []string{"DROP SCHEMA IF EXISTS " + qs + " CASCADE", "CREATE SCHEMA " + qs, "SET search_path TO " + qs} {
		if _, err := admin.Exec(ctx, s); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", c.ID, s, err)
		}
	}
	// the recorded DDL is several statements: the simple protocol runs them as one string
	if _, err := admin.Exec(ctx, c.DDL, pgx.QueryExecModeSimpleProtocol); err != nil {
		return nil, fmt.Errorf("%s: recorded ddl: %w", c.ID, err)
	}
	for _, t := range c.Data {
		rows, err := json.Marshal(t.Rows)
		if err != nil {
			return nil, err
		}
		// the rows' keys are column names: json_populate_recordset types them by the table
		tbl := pgx.Identifier{t.Table}.Sanitize()
		if _, err := admin.Exec(ctx, "INSERT INTO "+tbl+" SELECT * FROM json_populate_recordset(NULL::"+tbl+", $1::json)", string(rows)); err != nil {
			return nil, fmt.Errorf("%s: data of %s: %w", c.ID, t.Table, err)
		}
	}
	if _, err := admin.Exec(ctx, "ANALYZE"); err != nil {
		return nil, err
	}
	cfg.RuntimeParams["search_path"] = schema
	cfg.RuntimeParams["timezone"] = "UTC"
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	return db, db.PingContext(ctx)
}

// Schema declares the case's resolved models (run-time models, hydrating into maps) and
// associations, as the conformance suite does.
func (c *SeqCase) Schema() (*include.Schema, error) {
	s := include.NewSchema(include.WithNaming(include.CamelCase))
	names := make([]string, 0, len(c.Resolved.Models))
	for n := range c.Resolved.Models {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, mn := range names {
		m := c.Resolved.Models[mn]
		attrNames := make([]string, 0, len(m.Attributes))
		for an := range m.Attributes {
			attrNames = append(attrNames, an)
		}
		sort.Strings(attrNames)
		var attrs []include.Attr
		for _, an := range attrNames {
			a := m.Attributes[an]
			var typ include.Type
			switch a.Type {
			case "integer":
				typ = include.Int
			case "text", "string", "uuid":
				typ = include.String
			case "boolean":
				typ = include.Bool
			case "date", "dateonly":
				typ = include.Time
			case "double":
				typ = include.Float
			default:
				return nil, fmt.Errorf("%s: model %s attribute %s: column type %q", c.ID, mn, an, a.Type)
			}
			attrs = append(attrs, include.Attr{Name: an, Column: a.Field, Type: typ})
		}
		if _, err := s.DefineMap(mn, m.Table, attrs, include.PrimaryKey(m.PrimaryKeyAttributes...)); err != nil {
			return nil, fmt.Errorf("%s: DefineMap(%s): %w", c.ID, mn, err)
		}
	}
	for _, a := range c.Resolved.Associations {
		opts := []include.AssocOption{include.As(a.As)}
		for _, o := range []struct {
			v   string
			opt func(...string) include.AssocOption
		}{{a.ForeignKey, include.ForeignKey}, {a.SourceKey, include.SourceKey}, {a.TargetKey, include.TargetKey}} {
			if o.v != "" {
				opts = append(opts, o.opt(o.v))
			}
		}
		if a.OtherKey != "" {
			opts = append(opts, include.OtherKey(a.OtherKey))
		}
		if len(a.Scope) > 0 {
			opts = append(opts, include.WithScope(scope.New(eqOf(a.Scope))))
		}
		if len(a.ThroughScope) > 0 {
			opts = append(opts, include.WithThroughScope(scope.New(eqOf(a.ThroughScope))))
		}
		var err error
		switch a.Kind {
		case "belongsTo":
			_, err = s.BelongsTo(a.Source, a.Target, opts...)
		case "hasOne":
			_, err = s.HasOne(a.Source, a.Target, opts...)
		case "hasMany":
			_, err = s.HasMany(a.Source, a.Target, opts...)
		case "belongsToMany":
			if _, ok := c.Resolved.Models[a.ThroughModel]; ok {
				opts = append(opts, include.ThroughModel(a.ThroughModel))
			} else {
				opts = append(opts, include.Through(a.ThroughTable))
			}
			if a.ThroughUnique != nil && !*a.ThroughUnique {
				opts = append(opts, include.NonUnique())
			}
			_, err = s.BelongsToMany(a.Source, a.Target, opts...)
		default:
			err = fmt.Errorf("association kind %q", a.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %s %s -> %s as %q: %w", c.ID, a.Kind, a.Source, a.Target, a.As, err)
		}
	}
	return s, s.Err()
}

// eqOf is an equality filter on every key of m (a Sequelize scope or plain where), keys sorted
// by squirrel.
func eqOf(m map[string]any) sq.Eq {
	eq := sq.Eq{}
	for k, v := range m {
		if f, ok := v.(float64); ok && f == float64(int64(f)) {
			v = int64(f)
		}
		eq[k] = v
	}
	return eq
}

// SeqQuery writes the case's findAll as a joinery query. childOrder false: every order term
// on the root's OrderBy, path terms included ("posts.id ASC NULLS LAST"), as the conformance
// suite writes them. childOrder true: the root keeps its own terms, and each path term orders
// the children of its include (Node.Order), which is what the terms after a unique key of the
// root can only do.
func (c *SeqCase) SeqQuery(s *include.Schema, childOrder bool) (joinery.Q[map[string]any], error) {
	qq := c.Query
	q := joinery.QueryMap(s, dialects.Postgres, qq.Model)
	if qq.Where != nil {
		if err := plainWhere(qq.Where); err != nil {
			return q, fmt.Errorf("%s: root where: %w", c.ID, err)
		}
		q = q.Where(eqOf(qq.Where))
	}
	if qq.Attributes != nil {
		q = q.Columns(*qq.Attributes...)
	}
	var rootTerms []string
	childTerms := map[string][]string{} // include path -> its terms
	for i, o := range qq.Order {
		path, term, err := seqOrderTerm(o)
		if err != nil {
			return q, fmt.Errorf("%s: order[%d]: %w", c.ID, i, err)
		}
		switch {
		case path == "" || !childOrder:
			rootTerms = append(rootTerms, strings.TrimPrefix(path+"."+term, "."))
		default:
			childTerms[path] = append(childTerms[path], term)
		}
	}
	var nodes []any
	for _, inc := range qq.Include {
		n, err := c.seqInclude(inc, "", childTerms)
		if err != nil {
			return q, err
		}
		nodes = append(nodes, n)
	}
	if len(childTerms) > 0 {
		return q, fmt.Errorf("%s: order by %v: no such include", c.ID, childTerms)
	}
	if len(nodes) > 0 {
		q = q.Include(nodes...)
	}
	if len(rootTerms) > 0 {
		q = q.OrderBy(rootTerms...)
	}
	if qq.Limit != nil {
		q = q.Limit(*qq.Limit)
	}
	if qq.Offset != nil {
		q = q.Offset(*qq.Offset)
	}
	return q, nil
}

func (c *SeqCase) seqInclude(inc seqInclude, parentPath string, childTerms map[string][]string) (include.Node, error) {
	path := strings.TrimPrefix(parentPath+"."+inc.As, ".")
	n := include.New(inc.As)
	if inc.Separate || inc.Limit != nil {
		return n, fmt.Errorf("%s: include %q: separate or limit is not translated here", c.ID, path)
	}
	req := inc.Where != nil // Sequelize's default, as it resolved it
	for _, r := range c.Sequelize.Resolved.Includes {
		if r.Path == path {
			req = r.Required
		}
	}
	if inc.Required != nil {
		req = *inc.Required
	}
	if req {
		n = n.Required()
	} else {
		n = n.Optional()
	}
	if inc.Where != nil {
		if err := plainWhere(inc.Where); err != nil {
			return n, fmt.Errorf("%s: include %q where: %w", c.ID, path, err)
		}
		n = n.Where(eqOf(inc.Where))
	}
	if inc.Attributes != nil {
		n = n.Columns(*inc.Attributes...)
	}
	if th := inc.Through; th != nil {
		if th.Attributes != nil {
			n = n.ThroughColumns(*th.Attributes...)
		}
		if th.Where != nil {
			if err := plainWhere(th.Where); err != nil {
				return n, fmt.Errorf("%s: include %q through where: %w", c.ID, path, err)
			}
			n = n.ThroughWhere(eqOf(th.Where))
		}
	}
	if terms, ok := childTerms[path]; ok {
		n = n.Order(terms...)
		delete(childTerms, path)
	}
	for _, ch := range inc.Include {
		cn, err := c.seqInclude(ch, path, childTerms)
		if err != nil {
			return n, err
		}
		n = n.Include(cn)
	}
	return n, nil
}

// plainWhere accepts only {"col": scalar} filters (what eqOf translates).
func plainWhere(w map[string]any) error {
	for k, v := range w {
		switch v.(type) {
		case map[string]any, []any:
			return fmt.Errorf("%s: operators and lists are not translated here", k)
		}
	}
	return nil
}

// seqOrderTerm splits [col, dir] or [[as, ...], col, dir] into the include path ("" for the
// root) and the term ("id ASC NULLS LAST"), with PostgreSQL's NULL placement made explicit as
// the conformance suite does.
func seqOrderTerm(o any) (path, term string, err error) {
	parts, ok := o.([]any)
	if !ok {
		if s, isStr := o.(string); isStr {
			parts = []any{s}
		} else {
			return "", "", fmt.Errorf("bad order entry %v", o)
		}
	}
	var segs []string
	if len(parts) > 0 {
		if p, ok := parts[0].([]any); ok {
			for _, e := range p {
				s, ok := e.(string)
				if !ok || s == "@through" {
					return "", "", fmt.Errorf("order path %v is not translated here", p)
				}
				segs = append(segs, s)
			}
			parts = parts[1:]
		}
	}
	if len(parts) < 1 || len(parts) > 2 {
		return "", "", fmt.Errorf("bad order entry %v", o)
	}
	col, ok := parts[0].(string)
	if !ok {
		return "", "", fmt.Errorf("bad order column %v", parts[0])
	}
	dir := "ASC"
	if len(parts) == 2 {
		if d, ok := parts[1].(string); ok {
			dir = strings.ToUpper(strings.TrimSpace(d))
		}
	}
	switch dir {
	case "ASC":
		dir += " NULLS LAST"
	case "DESC":
		dir += " NULLS FIRST"
	default:
		return "", "", fmt.Errorf("order direction %q is not translated here", dir)
	}
	return strings.Join(segs, "."), col + " " + dir, nil
}

// SeqCounts counts the objects of a nested result per include path ("" the roots, then
// "posts", "posts.comments" ...), for the include tree of the case's query: joinery's result
// and Sequelize's recorded one must agree.
func (c *SeqCase) SeqCounts(result any) map[string]int {
	out := map[string]int{}
	var walk func(v any, path string, incs []seqInclude)
	walk = func(v any, path string, incs []seqInclude) {
		var list []any
		switch x := v.(type) {
		case []any:
			list = x
		case []map[string]any:
			for _, m := range x {
				list = append(list, m)
			}
		case map[string]any:
			list = []any{x}
		case nil:
		default:
			return
		}
		out[path] += len(list)
		for _, e := range list {
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			for _, inc := range incs {
				walk(m[inc.As], strings.TrimPrefix(path+"."+inc.As, "."), inc.Include)
			}
		}
	}
	walk(result, "", c.Query.Include)
	return out
}

// SequelizeCounts counts Sequelize's recorded result.
func (c *SeqCase) SequelizeCounts() (map[string]int, error) {
	var v []any
	if err := json.Unmarshal(c.Sequelize.Result, &v); err != nil {
		return nil, fmt.Errorf("%s: sequelize.result: %w", c.ID, err)
	}
	return c.SeqCounts(v), nil
}

// SeqVariant is one way the benchmark writes a case's query: the order terms by include
// paths on the root (as the conformance suite writes them) or on the includes (Child), on
// a schema ddl.Learn has read the catalog into (Learn: a data layer's start-up step) or not.
type SeqVariant struct {
	Name         string
	Learn, Child bool
}

// SeqVariants are the variants cmd/seqcases and BenchmarkSeqCases run.
var SeqVariants = []SeqVariant{{"root-order", false, false}, {"root-order-learned", true, false}, {"include-order", false, true}}

// VariantQuery declares the case on a schema of its own (learned from db for v.Learn) and
// writes its query as variant v.
func (c *SeqCase) VariantQuery(ctx context.Context, db *sql.DB, v SeqVariant) (joinery.Q[map[string]any], error) {
	s, err := c.Schema()
	if err != nil {
		return joinery.Q[map[string]any]{}, err
	}
	if v.Learn {
		if err := ddl.Learn(ctx, db, s, dialects.Postgres); err != nil {
			return joinery.Q[map[string]any]{}, err
		}
	}
	return c.SeqQuery(s, v.Child)
}
