package dialects

import (
	"fmt"
	"strings"
)

// Walk reads a caller's SQL fragment written in squirrel's convention for this dialect: a
// '?' outside comments, string literals and quoted identifiers (the forms Lexical
// describes) is a placeholder. It calls text for each run of SQL text and arg for each
// placeholder, stopping when arg returns false. With numbered (a dialect that spells its own
// placeholders, $1), "??" is a literal '?' (PostgreSQL's jsonb operators), as in squirrel,
// and a $n outside literals is an error: the fragment must not number its parameters itself.
// Every statement writer renumbers fragments with it (the builder's renderer, package
// write).
func (lx Lexical) Walk(sql string, numbered bool, text func(string), arg func() bool) error {
	start := 0
	for i := 0; i < len(sql); {
		if end := lx.skip(sql, i); end > i {
			i = end
			continue
		}
		switch c := sql[i]; {
		case c == '?':
			if i > start {
				text(sql[start:i])
			}
			if numbered && i+1 < len(sql) && sql[i+1] == '?' {
				text("?")
				i += 2
			} else {
				if !arg() {
					return nil
				}
				i++
			}
			start = i
		case c == '$' && numbered && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9' && (i == 0 || !identChar(sql[i-1])):
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			return fmt.Errorf("the text names the parameter %s itself: write '?' placeholders (squirrel's convention) and joinery numbers them", sql[i:j])
		default:
			i++
		}
	}
	if len(sql) > start {
		text(sql[start:])
	}
	return nil
}

// skip returns the end of the comment, string literal or quoted identifier that
// starts at sql[i], or i when none does. An unterminated one runs to the end of the text
// (the database reports it).
func (lx Lexical) skip(sql string, i int) int {
	c := sql[i]
	prevIdent := i > 0 && identChar(sql[i-1])
	switch {
	case c == '\'':
		esc := lx.BackslashEscapes || lx.EscapeStrings && i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e') && (i < 2 || !identChar(sql[i-2]))
		return endQuoted(sql, i, '\'', esc)
	case c == '"':
		return endQuoted(sql, i, '"', lx.DoubleQuotedStrings && lx.BackslashEscapes)
	case c == '`':
		return endQuoted(sql, i, '`', false)
	case c == '[' && lx.BracketIdentifiers:
		if j := strings.IndexByte(sql[i+1:], ']'); j >= 0 {
			return i + 1 + j + 1
		}
		return len(sql)
	case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
		if lx.DashCommentNeedsSpace && i+2 < len(sql) && sql[i+2] > ' ' {
			return i
		}
		return endLine(sql, i)
	case c == '#' && lx.HashComments:
		return endLine(sql, i)
	case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
		depth := 0
		for j := i; j+1 < len(sql); j++ {
			switch {
			case sql[j] == '/' && sql[j+1] == '*' && (depth == 0 || lx.NestedComments):
				depth++
				j++
			case sql[j] == '*' && sql[j+1] == '/':
				depth--
				j++
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(sql)
	case c == '$' && lx.DollarQuotes && !prevIdent:
		// $tag$ .. $tag$, tag empty or an identifier (not $1: a parameter)
		j := i + 1
		for j < len(sql) && sql[j] != '$' && identChar(sql[j]) && !(j == i+1 && sql[j] >= '0' && sql[j] <= '9') {
			j++
		}
		if j >= len(sql) || sql[j] != '$' {
			return i
		}
		tag := sql[i : j+1]
		if k := strings.Index(sql[j+1:], tag); k >= 0 {
			return j + 1 + k + len(tag)
		}
		return len(sql)
	}
	return i
}

// endQuoted returns the end of the literal opening with q at sql[i]: a doubled q stands for
// itself, and with esc a backslash escapes the next character.
func endQuoted(sql string, i int, q byte, esc bool) int {
	for j := i + 1; j < len(sql); j++ {
		switch sql[j] {
		case '\\':
			if esc {
				j++
			}
		case q:
			if j+1 < len(sql) && sql[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(sql)
}

func endLine(sql string, i int) int {
	if j := strings.IndexByte(sql[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(sql)
}

func identChar(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
