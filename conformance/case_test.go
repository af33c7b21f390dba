package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Case is one recorded case (see /work/shared/conformance/README.md, copied with the cases).
// Only what the test uses is decoded; every number is a json.Number.
type Case struct {
	ID    string // the file name without .json, for the report
	Name  string `json:"name"`
	About string `json:"about"`
	DDL   string `json:"ddl"`
	Data  []struct {
		Table string           `json:"table"`
		Rows  []map[string]any `json:"rows"`
	} `json:"data"`
	Query     Query `json:"query"`
	Sequelize struct {
		Result   json.RawMessage `json:"result"`
		Error    any             `json:"error"`
		Resolved struct {
			Includes []struct {
				Path     string `json:"path"`
				Required bool   `json:"required"`
			} `json:"includes"`
		} `json:"resolved"`
	} `json:"sequelize"`
	Resolved struct {
		Models       orderedMap[ResolvedModel] `json:"models"`
		Associations []ResolvedAssoc           `json:"associations"`
	} `json:"resolved"`
	NondeterministicPaths []string `json:"nondeterministicPaths"`
	// Models and Associations are the declarations as written (their DDL options: ddl_test.go).
	Models       orderedMap[DeclaredModel] `json:"models"`
	Associations []DeclaredAssoc           `json:"associations"`
}

// ResolvedModel is a model as Sequelize resolved it: every attribute with its DB field.
type ResolvedModel struct {
	Table                string                   `json:"table"`
	PrimaryKeyAttributes []string                 `json:"primaryKeyAttributes"`
	Attributes           orderedMap[ResolvedAttr] `json:"attributes"`
	ImplicitThroughModel bool                     `json:"implicitThroughModel"`
}

// ResolvedAttr is one attribute of a resolved model.
type ResolvedAttr struct {
	Field string `json:"field"`
	Type  string `json:"type"`
	PK    bool   `json:"pk"`
}

// ResolvedAssoc is an association as Sequelize resolved it; keys are attribute names.
type ResolvedAssoc struct {
	Source        string         `json:"source"`
	Kind          string         `json:"kind"`
	Target        string         `json:"target"`
	As            string         `json:"as"`
	IsAliased     bool           `json:"isAliased"`
	ForeignKey    string         `json:"foreignKey"`
	SourceKey     string         `json:"sourceKey"`
	TargetKey     string         `json:"targetKey"`
	OtherKey      string         `json:"otherKey"`
	ThroughModel  string         `json:"throughModel"`
	ThroughTable  string         `json:"throughTable"`
	ThroughScope  map[string]any `json:"throughScope"`
	ThroughUnique *bool          `json:"throughUnique"`
	Scope         map[string]any `json:"scope"`
}

// Query is the case's findAll in the neutral language.
type Query struct {
	Model           string         `json:"model"`
	Where           map[string]any `json:"where"`
	Order           []any          `json:"order"`
	Limit           *int64         `json:"limit"`
	Offset          *int64         `json:"offset"`
	Attributes      *[]string      `json:"attributes"`
	Include         []Include      `json:"include"`
	SubQuery        *bool          `json:"subQuery"`
	OrderedRoot     bool           `json:"orderedRoot"`
	OrderedChildren bool           `json:"orderedChildren"`
	unknown         []string
}

// Include is one include node of the query.
type Include struct {
	Model      string         `json:"model"`
	As         string         `json:"as"`
	Required   *bool          `json:"required"` // absent only in the default_* cases
	Where      map[string]any `json:"where"`
	Attributes *[]string      `json:"attributes"`
	Through    *struct {
		Attributes *[]string      `json:"attributes"`
		Where      map[string]any `json:"where"`
	} `json:"through"`
	Order    []any     `json:"order"`
	Separate bool      `json:"separate"`
	Limit    *int64    `json:"limit"`
	Include  []Include `json:"include"`
	unknown  []string
}

var (
	queryKeys   = keySet(Query{})
	includeKeys = keySet(Include{})
)

// UnmarshalJSON decodes a query and remembers keys the test does not know, so that a new
// option in a case is reported as unsupported instead of being silently ignored.
func (q *Query) UnmarshalJSON(b []byte) error {
	type plain Query
	var p plain
	if err := strictNumbers(b, &p); err != nil {
		return err
	}
	*q = Query(p)
	var err error
	q.unknown, err = unknownKeys(b, queryKeys)
	return err
}

// UnmarshalJSON decodes an include node, remembering unknown keys.
func (n *Include) UnmarshalJSON(b []byte) error {
	type plain Include
	var p plain
	if err := strictNumbers(b, &p); err != nil {
		return err
	}
	*n = Include(p)
	var err error
	n.unknown, err = unknownKeys(b, includeKeys)
	return err
}

func strictNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func keySet(v any) map[string]bool {
	out := map[string]bool{}
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for k := range m {
		out[k] = true
	}
	return out
}

func unknownKeys(b []byte, known map[string]bool) ([]string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	var out []string
	for k := range m {
		if !known[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

// orderedMap is a JSON object decoded with its key order kept (attribute order makes the
// generated DDL and SQL read like Sequelize's).
type orderedMap[V any] struct {
	Keys []string
	M    map[string]V
}

func (o *orderedMap[V]) UnmarshalJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	tok, err := d.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return fmt.Errorf("want an object, got %v", tok)
	}
	o.M = map[string]V{}
	for d.More() {
		kt, err := d.Token()
		if err != nil {
			return err
		}
		k := kt.(string)
		var v V
		if err := d.Decode(&v); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if _, dup := o.M[k]; !dup {
			o.Keys = append(o.Keys, k)
		}
		o.M[k] = v
	}
	_, err = d.Token()
	return err
}

// loadCases reads every case file (*.json but index.json) of dir, sorted by file name.
func loadCases(dir string) ([]*Case, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []*Case
	for _, f := range files {
		if filepath.Base(f) == "index.json" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		c := &Case{ID: strings.TrimSuffix(filepath.Base(f), ".json")}
		if err := strictNumbers(b, c); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if c.Name == "" || c.Query.Model == "" {
			return nil, fmt.Errorf("%s: not a case file (no name or query.model)", f)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no case files", dir)
	}
	return out, nil
}

// expected decodes Sequelize's result.
func (c *Case) expected() ([]any, error) {
	var out []any
	if err := strictNumbers(c.Sequelize.Result, &out); err != nil {
		return nil, fmt.Errorf("sequelize.result: %w", err)
	}
	return out, nil
}

// model returns the resolved model called name.
func (c *Case) model(name string) (ResolvedModel, bool) {
	m, ok := c.Resolved.Models.M[name]
	return m, ok
}

// assoc returns the resolved association of source with alias as.
func (c *Case) assoc(source, as string) (ResolvedAssoc, bool) {
	for _, a := range c.Resolved.Associations {
		if a.Source == source && a.As == as {
			return a, true
		}
	}
	return ResolvedAssoc{}, false
}

// fieldType finds the attribute type of a DB column of table.
func (c *Case) fieldType(table, field string) (string, bool) {
	for _, name := range c.Resolved.Models.Keys {
		m := c.Resolved.Models.M[name]
		if m.Table != table {
			continue
		}
		for _, an := range m.Attributes.Keys {
			if a := m.Attributes.M[an]; a.Field == field {
				return a.Type, true
			}
		}
	}
	return "", false
}
