package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// WriteCase is one recorded write case (testdata/sequelize_writes/README.md): a schema, the
// DDL Sequelize ran and the constraints PostgreSQL reported, data, and association
// operations with every table's contents after each.
type WriteCase struct {
	ID          string
	Name        string                      `json:"name"`
	Category    string                      `json:"category"`
	About       string                      `json:"about"`
	Notes       string                      `json:"notes"`
	DDL         string                      `json:"ddl"`
	SyncError   any                         `json:"syncError"`
	Constraints map[string]TableConstraints `json:"constraints"`
	Data        []struct {
		Table string           `json:"table"`
		Rows  []map[string]any `json:"rows"`
	} `json:"data"`
	SetupSQL   []string  `json:"setupSql"`
	Operations []WriteOp `json:"operations"`
	Resolved   struct {
		Models       orderedMap[ResolvedModel] `json:"models"`
		Associations []ResolvedAssoc           `json:"associations"`
	} `json:"resolved"`
	// Models and Associations are the declarations as written (the read cases' Case has them
	// too: the DDL options joinery's declarations take from them).
	Models       orderedMap[DeclaredModel] `json:"models"`
	Associations []DeclaredAssoc           `json:"associations"`
}

// TableConstraints is what PostgreSQL reported for one table after sync().
type TableConstraints struct {
	Columns []struct {
		Name    string  `json:"name"`
		Type    string  `json:"type"`
		NotNull bool    `json:"notNull"`
		Default *string `json:"default"`
	} `json:"columns"`
	PrimaryKey *struct {
		Columns []string `json:"columns"`
	} `json:"primaryKey"`
	Unique []struct {
		Name    string   `json:"name"`
		Columns []string `json:"columns"`
	} `json:"unique"`
	ForeignKeys []struct {
		Name       string   `json:"name"`
		Columns    []string `json:"columns"`
		RefTable   string   `json:"refTable"`
		RefColumns []string `json:"refColumns"`
		OnDelete   string   `json:"onDelete"`
		OnUpdate   string   `json:"onUpdate"`
	} `json:"foreignKeys"`
}

// WriteOp is one recorded operation.
type WriteOp struct {
	Op     string `json:"op"`
	Source *struct {
		Model string `json:"model"`
		PK    any    `json:"pk"`
	} `json:"source"`
	Association string                      `json:"association"`
	Targets     any                         `json:"targets"`
	Through     map[string]any              `json:"through"`
	Where       map[string]any              `json:"where"`
	Values      map[string]any              `json:"values"`
	Model       string                      `json:"model"`
	Include     []NestedInclude             `json:"include"`
	Result      any                         `json:"result"`
	Error       any                         `json:"error"`
	Tables      map[string][]map[string]any `json:"tables"`
}

// NestedInclude is one node of a createNested include.
type NestedInclude struct {
	As      string          `json:"as"`
	Include []NestedInclude `json:"include"`
}

// readCase is the read-case view of a write case, for the helpers the read suite has
// (declareSchema, insertData, fieldType).
func (c *WriteCase) readCase() *Case {
	rc := &Case{ID: c.ID, Name: c.Name, DDL: c.DDL}
	rc.Data = c.Data
	rc.Resolved = c.Resolved
	rc.Models, rc.Associations = c.Models, c.Associations
	return rc
}

// readWriteCases reads every write case of dir, sorted by file name.
func readWriteCases(dir string) ([]*WriteCase, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []*WriteCase
	for _, f := range files {
		if filepath.Base(f) == "index.json" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		c := &WriteCase{ID: strings.TrimSuffix(filepath.Base(f), ".json")}
		if err := strictNumbers(b, c); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if c.Name == "" || c.Category == "" {
			return nil, fmt.Errorf("%s: not a write case file (no name or category)", f)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no write case files", dir)
	}
	return out, nil
}

// deepArg turns decoded JSON into Go values a write takes: json.Number to int64 or float64,
// in maps and lists too.
func deepArg(v any) any {
	switch x := v.(type) {
	case json.Number:
		return jsonArg(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepArg(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepArg(e)
		}
		return out
	}
	return v
}
