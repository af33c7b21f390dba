package conformance

import "encoding/json"

// writeDeviation is a write case where joinery deliberately ends with other tables or
// another result than Sequelize, because Sequelize loses data, writes half an operation,
// ignores a scope or silently rewrites the caller's values. The case stays; the expectation
// of the operations it affects is adjusted here and the case is reported as "deviation".
type writeDeviation struct {
	why string
	// adjust returns the expectation of operation i (prev: the previous operation's
	// expectation, adjusted), and false to keep Sequelize's.
	adjust func(i int, prev map[string][]map[string]any, want expectation) (expectation, bool)
}

var writeDeviations = map[string]*writeDeviation{
	"btm_add_already_linked": {
		why: "add links a set of targets: the same target twice in one call is linked once (Sequelize inserts it twice and fails on the primary key)",
		adjust: func(i int, prev map[string][]map[string]any, want expectation) (expectation, bool) {
			if i != 4 {
				return want, false
			}
			want.err = false
			want.tables = withRow(want.tables, "user_projects", map[string]any{"role": nil, "userId": 3, "projectId": 4})
			return want, true
		},
	},
	"btm_join_model_duplicate_add": {
		why: "a non-unique join model (own id, unique: false) keeps every link: add of a linked product is a second purchase with its own quantity (Sequelize overwrites the first purchase's quantity, or does nothing)",
		adjust: func(i int, prev map[string][]map[string]any, want expectation) (expectation, bool) {
			switch i {
			case 1: // the second pear purchase is kept beside the first
				want.tables = withRow(prev, "purchases", map[string]any{"id": 3, "quantity": 5, "userId": 1, "productId": 2})
			case 2: // apple bought again, without a quantity
				want.tables = withRow(prev, "purchases", map[string]any{"id": 4, "quantity": nil, "userId": 1, "productId": 1})
			case 3: // two plums in one call: two purchases, as in Sequelize
				want.tables = withRow(withRow(prev, "purchases", map[string]any{"id": 5, "quantity": 1, "userId": 2, "productId": 3}),
					"purchases", map[string]any{"id": 6, "quantity": 1, "userId": 2, "productId": 3})
			case 4: // ann's purchases: apple twice, pear twice
				want.tables, want.result = prev, json.Number("4")
			default:
				return want, false
			}
			return want, true
		},
	},
	"hm_create": {
		why: "create refuses values whose foreign key names another owner (ErrScopeConflict, before any statement); Sequelize silently overwrites it with the source's key",
		adjust: func(i int, prev map[string][]map[string]any, want expectation) (expectation, bool) {
			if i != 1 {
				return want, false
			}
			return expectation{tables: prev, err: true}, true
		},
	},
	"hm_scope_polymorphic": {
		why: "remove is limited by the association's scope: post 1's remove does not touch image 1's comment 3, which shares the key (Sequelize nulls it)",
		adjust: func(i int, prev map[string][]map[string]any, want expectation) (expectation, bool) {
			if i < 4 {
				return want, false
			}
			want.tables = withValue(want.tables, "comments", "id", 3, "commentableId", 1)
			return want, true
		},
	},
	"hm_not_null_fk": {
		why: "set is atomic: when unlinking a child fails (NOT NULL foreign key) nothing is written (Sequelize moves p3 to ann, then fails)",
		adjust: func(i int, prev map[string][]map[string]any, want expectation) (expectation, bool) {
			switch i {
			case 1:
				want.tables = prev
			case 2: // ann's destroy cascades to her posts; p3 is still ben's
				want.tables = withRow(want.tables, "posts", map[string]any{"id": 3, "title": "p3", "authorId": 2})
			default:
				return want, false
			}
			return want, true
		},
	},
	"ho_create": {
		why: "a hasOne has one child: create unlinks the previous one (Sequelize leaves ann with two profiles)",
		adjust: func(i int, prev map[string][]map[string]any, want expectation) (expectation, bool) {
			if i != 1 {
				return want, false
			}
			want.tables = withValue(want.tables, "profiles", "id", 1, "userId", nil)
			return want, true
		},
	},
}

// cloneTables copies an expectation's tables (rows are copied, values shared).
func cloneTables(in map[string][]map[string]any) map[string][]map[string]any {
	out := make(map[string][]map[string]any, len(in))
	for tb, rows := range in {
		cp := make([]map[string]any, len(rows))
		for i, r := range rows {
			m := make(map[string]any, len(r))
			for k, v := range r {
				m[k] = v
			}
			cp[i] = m
		}
		out[tb] = cp
	}
	return out
}

// withRow returns tables with one more row in table.
func withRow(tables map[string][]map[string]any, table string, row map[string]any) map[string][]map[string]any {
	out := cloneTables(tables)
	r := map[string]any{}
	for k, v := range row {
		if n, ok := v.(int); ok {
			v = json.Number(itoa(n))
		}
		r[k] = v
	}
	out[table] = append(out[table], r)
	return out
}

// withValue returns tables where the rows of table whose keyCol is key get col = v.
func withValue(tables map[string][]map[string]any, table, keyCol string, key int, col string, v any) map[string][]map[string]any {
	out := cloneTables(tables)
	if n, ok := v.(int); ok {
		v = json.Number(itoa(n))
	}
	for _, r := range out[table] {
		if canonValue(r[keyCol]) == itoa(key) {
			r[col] = v
		}
	}
	return out
}

func itoa(n int) string { return canonValue(int64(n)) }
