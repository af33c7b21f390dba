// Package builder is the only code that writes SQL text. It turns a root model, a root query
// and an include tree into a Plan: one SELECT statement, its bind arguments, and the column
// map the hydrator folds the rows with.
//
// Table aliases are t0..tn and column aliases c0..cn, assigned in pre-order of the include
// tree, so they are short, unique by construction and the same for the same tree. Planners
// (flat.go, union.go, count.go, root.go) build a small SQL tree (sql.go) and one renderer
// prints it: every value is a bind argument, and each placeholder is written together with
// its argument, so placeholders are numbered once, in text order. Plan.Readable prints the
// same statement for people, a clause per line.
package builder

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/joinery/joinery/hydrate"
)

// Plan is a compiled statement, or for ShapePipeline a list of statements.
type Plan struct {
	// SQL and Args are the statement. For ShapePipeline they are the statements joined by
	// ";\n" and their arguments one after another, for reading: run Statements.
	SQL  string
	Args []any
	// Statements are the statements of a ShapePipeline plan, in order: each returns the rows
	// of one branch, with the result columns its Part names.
	Statements []Statement
	// Map folds the statement's rows into nested values.
	Map *hydrate.Map
	// Tables and Columns say which alias is which include path (see Explain).
	Tables  []TableAlias
	Columns []ColumnAlias
	// Shape is the statement's form: ShapeFlat, ShapeUnion or ShapePipeline; Why says why
	// it was chosen (Explain prints it).
	Shape Shape
	Why   string
	// where Readable breaks the statement's lines; what each argument is for
	lines   []lineBreak
	sources []string
}

// Clone returns a copy of p that shares nothing with it that can be written: its arguments,
// statements, alias lists and Map are copies. The plans a query hands out (joinery's
// Q.Plan and its siblings) are such copies, so the plan the query caches and runs stays as
// it was compiled whatever the caller does with them.
func (p *Plan) Clone() *Plan {
	if p == nil {
		return nil
	}
	c := *p
	c.Args = slices.Clone(p.Args)
	c.Map = p.Map.Clone()
	c.Tables = slices.Clone(p.Tables)
	c.Columns = slices.Clone(p.Columns)
	if p.Statements != nil {
		c.Statements = make([]Statement, len(p.Statements))
		for i, st := range p.Statements {
			st.Args = slices.Clone(st.Args)
			st.Part.Cols = slices.Clone(st.Part.Cols)
			st.Keys.Cols, st.KeyArgs = slices.Clone(st.Keys.Cols), slices.Clone(st.KeyArgs)
			c.Statements[i] = st
		}
	}
	return &c
}

// ArgSource says what argument i (from 0) of Args is for, in the user's terms: `root User
// filter`, `include "posts.tags" join-table filter`, `root User Limit`, `keyset cursor value
// 1 (name)`; "" when unknown. Errors about a value name it.
func (p *Plan) ArgSource(i int) string {
	if i < 0 || i >= len(p.sources) {
		return ""
	}
	return p.sources[i]
}

// Statement is one statement of a pipelined plan. Its placeholders are numbered on their own.
type Statement struct {
	SQL  string
	Args []any
	// Part says which branch its rows are and which of the plan's ResultColumns they carry.
	Part hydrate.Part
	// Keys (ShapeLevels) says which rows and columns hold the parent keys that fill the
	// arguments KeyArgs (a LevelKeys each), one per key column; From is -1 for the roots'
	// statement.
	Keys    hydrate.Keys
	KeyArgs []int
	lines   []lineBreak
	sources []string
}

// ArgSource says what argument i (from 0) of the statement's Args is for (see
// Plan.ArgSource).
func (st Statement) ArgSource(i int) string {
	if i < 0 || i >= len(st.sources) {
		return ""
	}
	return st.sources[i]
}

// Readable is the statement for people: SQL with each clause and each UNION ALL branch on a
// line of its own, nested SELECTs indented. Only white space differs from SQL, so it is also
// what sqlmock's QueryMatcherEqual accepts for it.
func (st Statement) Readable() string {
	return readableText(st.SQL, st.lines)
}

// TableAlias says what a table alias stands for.
type TableAlias struct {
	Alias string // t0
	Table string // users
	Path  string // "" for the root, else the include path; a join table is "<path>@through"
	Join  string // "FROM", "LEFT JOIN", "INNER JOIN", "INNER JOIN (group)"
}

// ColumnAlias says what a column alias stands for.
type ColumnAlias struct {
	Alias    string // c3
	Table    string // t1
	Column   string // title
	Path     string // posts.title
	Reported bool   // false for keys selected only for identity
}

// selCol is a select-list column while a plan is built: what the plan reports of it
// (ColumnAlias) and what only the builder needs. The plan's Columns are copied from the
// builder's (pooled) list when it is done.
type selCol struct {
	ColumnAlias
	node *bnode
	// expr replaces Table.Column in the select list when set (a link column guarded by a
	// source scope, a computed value).
	expr node
	// pageCol: a root's computed value that the rows the roots are read from (the page of
	// roots, rootQuery's modeSub) carry as this column
	pageCol string
}

// ResultColumns lists the statement's result columns in order: the branch tag first for a
// UNION ALL statement, then the column aliases.
func (p *Plan) ResultColumns() []string {
	var out []string
	if p.Map != nil && p.Map.Branch != "" {
		out = append(out, p.Map.Branch)
		if p.Map.Ordinal != "" {
			out = append(out, p.Map.Ordinal)
		}
	}
	for _, c := range p.Columns {
		out = append(out, c.Alias)
	}
	return out
}

// Parts lists the part of the result each of Statements returns, in order (see
// hydrate.Parts).
func (p *Plan) Parts() []hydrate.Part {
	out := make([]hydrate.Part, len(p.Statements))
	for i, st := range p.Statements {
		out[i] = st.Part
	}
	return out
}

// ErrPipeline is returned by ToSql for a plan of several statements (ShapePipeline,
// ShapeLevels).
var ErrPipeline = errors.New("builder: a ShapePipeline plan is several statements: run Plan.Statements")

// ToSql implements squirrel.Sqlizer. A pipelined plan has no single statement: ErrPipeline.
func (p *Plan) ToSql() (string, []any, error) {
	if p.Shape == ShapePipeline || p.Shape == ShapeLevels {
		return "", nil, ErrPipeline
	}
	return p.SQL, p.Args, nil
}

// Readable is the plan's statement for people (see Statement.Readable); a pipelined plan's
// statements are separated by ";" and a blank line.
func (p *Plan) Readable() string {
	if p.Shape == ShapePipeline || p.Shape == ShapeLevels {
		var b strings.Builder
		for i, st := range p.Statements {
			if i > 0 {
				b.WriteString(";\n\n")
			}
			b.WriteString(st.Readable())
		}
		return b.String()
	}
	return readableText(p.SQL, p.lines)
}

// Explain prints which alias is which include path, one line each.
func (p *Plan) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "shape: %s\n", p.Shape)
	if p.Why != "" {
		fmt.Fprintf(&b, "why: %s\n", p.Why)
	}
	if p.Shape == ShapeLevels {
		p.explainLevels(&b)
	}
	for _, t := range p.Tables {
		path := t.Path
		if path == "" {
			path = "(root)"
		}
		fmt.Fprintf(&b, "%-4s %-28s %-26s %s\n", t.Alias, path, t.Join, t.Table)
	}
	for _, c := range p.Columns {
		note := ""
		if !c.Reported {
			note = " (key only)"
		}
		fmt.Fprintf(&b, "%-4s %s.%s = %s%s\n", c.Alias, c.Table, c.Column, c.Path, note)
	}
	return b.String()
}
