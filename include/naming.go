package include

import (
	"fmt"
	"strings"
	"unicode"
)

// Naming is a convention for column names, chosen per schema: WithNaming sets the one that
// derives default key names (user_id for a BelongsTo User), WithColumnNames the one that names
// the columns of struct fields without a db tag.
type Naming int

const (
	// SnakeCase derives user_id (the default for keys); as a column mapper it maps UserID to
	// user_id, HTTPServer to http_server, ID to id.
	SnakeCase Naming = iota
	// CamelCase derives userId, as Sequelize does without `underscored`; as a column mapper
	// it maps UserID to userId.
	CamelCase
)

// String names the convention as Go code does: "SnakeCase", "CamelCase".
func (n Naming) String() string {
	switch n {
	case SnakeCase:
		return "SnakeCase"
	case CamelCase:
		return "CamelCase"
	}
	return fmt.Sprintf("Naming(%d)", int(n))
}

// ColumnMapper names the column of a struct field that has no db tag, from its Go name: the
// role of sqlx's db.Mapper (reflectx.NewMapperFunc). A Naming is one, and ColumnFunc makes
// one of any function.
type ColumnMapper interface {
	ColumnName(goName string) string
}

// ColumnName maps a Go field name to a column name in the convention: words split at
// case changes, acronyms kept whole (UserID -> user_id or userId, HTTPServer -> http_server
// or httpServer), digits staying with the word before them (Address2 -> address2, V2Thing ->
// v2_thing), a name already in snake case unchanged.
func (n Naming) ColumnName(goName string) string { return n.join(goName) }

// ColumnFunc makes a ColumnMapper of a function: include.ColumnFunc(strings.ToUpper).
type ColumnFunc func(goName string) string

// ColumnName calls f.
func (f ColumnFunc) ColumnName(goName string) string { return f(goName) }

// words splits "HomeTeam", "home_team", "homeTeam" or "userID" into lower-case words.
func words(s string) []string {
	var out []string
	var cur []rune
	rs := []rune(s)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == ' ' || r == '.':
			flush()
		case unicode.IsUpper(r):
			// a new word starts at an upper-case letter after a lower-case one, or before a
			// lower-case one in an acronym ("IDName" -> id, name), unless that is the plural
			// s of the acronym ("UserIDs" -> user, ids)
			if len(cur) > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) ||
				(i+1 < len(rs) && unicode.IsLower(rs[i+1]) && !pluralS(rs, i+1))) {
				flush()
			}
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// pluralS reports whether rs[i] is an s ending an acronym's word: "IDs", "URLsFor".
func pluralS(rs []rune, i int) bool {
	return rs[i] == 's' && i >= 2 && unicode.IsUpper(rs[i-2]) && (i+1 == len(rs) || !unicode.IsLower(rs[i+1]))
}

// join builds a name from words in the convention.
func (n Naming) join(ws ...string) string {
	var all []string
	for _, w := range ws {
		all = append(all, words(w)...)
	}
	if n == SnakeCase {
		return strings.Join(all, "_")
	}
	var b strings.Builder
	for i, w := range all {
		if i == 0 {
			b.WriteString(w)
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// Plural is a small English pluralizer used for default aliases (Post -> Posts).
func Plural(s string) string {
	l := strings.ToLower(s)
	switch {
	case l == "":
		return s
	case strings.HasSuffix(l, "y") && len(l) > 1 && !strings.ContainsRune("aeiou", rune(l[len(l)-2])):
		return s[:len(s)-1] + "ies"
	case strings.HasSuffix(l, "s") || strings.HasSuffix(l, "x") || strings.HasSuffix(l, "z") ||
		strings.HasSuffix(l, "ch") || strings.HasSuffix(l, "sh"):
		return s + "es"
	}
	return s + "s"
}

// Singular is the inverse of Plural for the common cases (Posts -> Post, Cities -> City).
func Singular(s string) string {
	l := strings.ToLower(s)
	if w, ok := irregularSingular[l]; ok {
		return s[:1] + w[1:] // keep the case of the first letter: Children -> Child
	}
	switch {
	case strings.HasSuffix(l, "ies") && len(l) > 3:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(l, "sses") || strings.HasSuffix(l, "xes") || strings.HasSuffix(l, "zes") ||
		strings.HasSuffix(l, "ches") || strings.HasSuffix(l, "shes"):
		return s[:len(s)-2]
	case strings.HasSuffix(l, "ss") || strings.HasSuffix(l, "us") || strings.HasSuffix(l, "is"):
		return s
	case strings.HasSuffix(l, "s") && len(l) > 1:
		return s[:len(s)-1]
	}
	return s
}

// irregularSingular maps common irregular plurals (lower-case) to their singular, so that a
// self-association aliased "children" derives child_id, as Sequelize's inflection does.
var irregularSingular = map[string]string{
	"children": "child",
	"people":   "person",
	"men":      "man",
	"women":    "woman",
}
