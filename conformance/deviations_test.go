package conformance

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/joinery/joinery/include"
)

// deviation is a case where joinery deliberately returns something other than Sequelize,
// because Sequelize's result is wrong or loses data. The case stays; its expectation is
// adjusted here and the case is reported as "deviation", not "pass".
type deviation struct {
	// why is one line: the reason joinery differs.
	why string
	// sequelize and joinery say what each returns.
	sequelize, joinery string
	// assocOptions adds options to the association "Source.as" when it is declared: how a
	// joinery user states what Sequelize cannot (a polymorphic belongsTo's type test).
	assocOptions map[string][]include.AssocOption
	// adjust turns Sequelize's result (decoded JSON, numbers as json.Number) into joinery's.
	adjust func(c *Case, want []any) ([]any, error)
}

// deviations is keyed by case name (the case file's "name").
var deviations = map[string]*deviation{
	"has_one_multiple_matches": {
		why:       "a root is one object: a hasOne that matches twice keeps its first match, the root is not repeated",
		sequelize: "user 1 twice, once per profile (no root de-duplication without a to-many include)",
		joinery:   "user 1 once, with the first profile in the order (profile id ASC)",
		adjust:    dropRepeatedRoots,
	},
	"btm_non_unique_duplicate_join_rows": {
		why:       "join rows are data: a belongsToMany through a non-unique join model keeps every link (Sequelize collapses them and loses purchases)",
		sequelize: "each (user, product) pair once, with the through object of whichever duplicate row came last",
		joinery:   "one product entry per purchases row, each with its own Purchase",
		adjust:    keepDuplicateLinks("products"),
	},
	"btm_duplicates_through_order_asc": {
		why:       "join rows are data: a belongsToMany through a non-unique join model keeps every link (Sequelize collapses them and loses purchases)",
		sequelize: "each (user, product) pair once, with the last duplicate's Purchase (id 2, id 6)",
		joinery:   "one product entry per purchases row, ordered by Purchase id",
		adjust:    keepDuplicateLinks("products"),
	},
	"root_limit_subquery_false": {
		why:       "Limit counts roots, always: subQuery: false is Sequelize's footgun that limits the joined rows",
		sequelize: "LIMIT 3 on the joined rows: 2 users (alice's 2 posts and bob's 1 fill the limit)",
		joinery:   "the first 3 users with all of their posts",
		adjust:    limitRoots("posts"),
	},
	"polymorphic_belongs_to_both": {
		why:       "a polymorphic belongsTo tests the source's type column in the JOIN: a comment on an image has no post",
		sequelize: "every comment gets both a post and an image with the same id, whatever its commentable says",
		joinery:   "post only where commentable = 'post', image only where commentable = 'image'; null otherwise",
		assocOptions: map[string][]include.AssocOption{
			"Comment.post":  {include.Polymorphic("commentable", "post")},
			"Comment.image": {include.Polymorphic("commentable", "image")},
		},
		adjust: polymorphicOwners("commentable", map[string]string{"post": "post", "image": "image"}),
	},
}

// dropRepeatedRoots keeps the first occurrence of each root (by primary key).
func dropRepeatedRoots(c *Case, want []any) ([]any, error) {
	m, ok := c.model(c.Query.Model)
	if !ok {
		return nil, fmt.Errorf("no model %s", c.Query.Model)
	}
	seen := map[string]bool{}
	var out []any
	for _, r := range want {
		rm, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("root %v is not an object", r)
		}
		var key []any
		for _, k := range m.PrimaryKeyAttributes {
			key = append(key, rm[k])
		}
		k := compact(normScalar(key, ""))
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out, nil
}

// keepDuplicateLinks expands every entry of the root's belongsToMany alias into one entry per
// join row linking the same pair (from the case's data), ordered by the join row's primary
// key, each with that row's through object.
func keepDuplicateLinks(alias string) func(c *Case, want []any) ([]any, error) {
	return func(c *Case, want []any) ([]any, error) {
		a, ok := c.assoc(c.Query.Model, alias)
		if !ok || a.Kind != "belongsToMany" {
			return nil, fmt.Errorf("%s.%s is not a belongsToMany", c.Query.Model, alias)
		}
		tm, ok := c.model(a.ThroughModel)
		if !ok {
			return nil, fmt.Errorf("no through model %s", a.ThroughModel)
		}
		field := func(attr string) string { return tm.Attributes.M[attr].Field }
		var links []map[string]any
		for _, t := range c.Data {
			if t.Table == tm.Table {
				links = append(links, t.Rows...)
			}
		}
		pk := tm.PrimaryKeyAttributes
		sort.SliceStable(links, func(i, j int) bool {
			for _, k := range pk {
				a, b := num(links[i][field(k)]), num(links[j][field(k)])
				if a != b {
					return a < b
				}
			}
			return false
		})
		same := func(x, y any) bool { return compact(normScalar(x, "")) == compact(normScalar(y, "")) }
		for _, r := range want {
			root, ok := r.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("root %v is not an object", r)
			}
			list, _ := root[alias].([]any)
			var out []any
			for _, e := range list {
				target, ok := e.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s entry %v is not an object", alias, e)
				}
				th, _ := target[a.ThroughModel].(map[string]any)
				n := 0
				for _, l := range links {
					if !same(l[field(a.ForeignKey)], root[a.SourceKey]) || !same(l[field(a.OtherKey)], target[a.TargetKey]) {
						continue
					}
					cp := make(map[string]any, len(target))
					for k, v := range target {
						cp[k] = v
					}
					if th != nil {
						nth := make(map[string]any, len(th))
						for k := range th {
							nth[k] = l[field(k)]
						}
						cp[a.ThroughModel] = nth
					}
					out = append(out, cp)
					n++
				}
				if n == 0 {
					out = append(out, target)
				}
			}
			if list != nil {
				root[alias] = out
				if out == nil {
					root[alias] = []any{}
				}
			}
		}
		return want, nil
	}
}

// polymorphicOwners nulls every owner alias whose type value the root's typeAttr does not
// name (alias -> the type value that selects it).
func polymorphicOwners(typeAttr string, owners map[string]string) func(c *Case, want []any) ([]any, error) {
	return func(c *Case, want []any) ([]any, error) {
		for _, r := range want {
			root, ok := r.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("root %v is not an object", r)
			}
			for alias, value := range owners {
				if _, ok := root[alias]; ok && root[typeAttr] != value {
					root[alias] = nil
				}
			}
		}
		return want, nil
	}
}

func num(v any) float64 {
	f, _ := strconv.ParseFloat(fmt.Sprint(v), 64)
	return f
}

// limitRoots rebuilds the result of a root limit that counts roots: the first query.limit
// roots of the data in primary-key order, each with every row of its hasMany alias in
// primary-key order.
func limitRoots(alias string) func(c *Case, want []any) ([]any, error) {
	return func(c *Case, want []any) ([]any, error) {
		rm, ok := c.model(c.Query.Model)
		if !ok {
			return nil, fmt.Errorf("no model %s", c.Query.Model)
		}
		a, ok := c.assoc(c.Query.Model, alias)
		if !ok || a.Kind != "hasMany" {
			return nil, fmt.Errorf("%s.%s is not a hasMany", c.Query.Model, alias)
		}
		tm, ok := c.model(a.Target)
		if !ok || c.Query.Limit == nil {
			return nil, fmt.Errorf("no model %s or no limit", a.Target)
		}
		rows := func(m ResolvedModel) []map[string]any {
			var out []map[string]any
			for _, t := range c.Data {
				if t.Table == m.Table {
					out = append(out, t.Rows...)
				}
			}
			pk := m.Attributes.M[m.PrimaryKeyAttributes[0]].Field
			sort.SliceStable(out, func(i, j int) bool { return num(out[i][pk]) < num(out[j][pk]) })
			return out
		}
		object := func(m ResolvedModel, r map[string]any) map[string]any {
			o := map[string]any{}
			for _, k := range m.Attributes.Keys {
				o[k] = r[m.Attributes.M[k].Field]
			}
			return o
		}
		roots := rows(rm)
		if n := int(*c.Query.Limit); n < len(roots) {
			roots = roots[:n]
		}
		fk := tm.Attributes.M[a.ForeignKey].Field
		sk := rm.Attributes.M[a.SourceKey].Field
		var out []any
		for _, r := range roots {
			o := object(rm, r)
			kids := []any{}
			for _, k := range rows(tm) {
				if k[fk] != nil && num(k[fk]) == num(r[sk]) {
					kids = append(kids, object(tm, k))
				}
			}
			o[alias] = kids
			out = append(out, o)
		}
		return out, nil
	}
}
