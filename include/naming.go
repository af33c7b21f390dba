package include

import (
	"strings"
	"unicode"
)

// Naming is the convention that derives default key column names, chosen per schema.
type Naming int

const (
	// SnakeCase derives user_id (the default).
	SnakeCase Naming = iota
	// CamelCase derives userId, as Sequelize does without `underscored`.
	CamelCase
)

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
			// lower-case one in an acronym ("IDName" -> id, name)
			if len(cur) > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) ||
				(i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
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
