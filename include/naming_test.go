package include_test

import (
	"testing"

	"github.com/joinery/joinery/include"
)

func TestPlural(t *testing.T) {
	for in, want := range map[string]string{
		"Post": "Posts", "post": "posts", "Category": "Categories", "city": "cities",
		"Day": "Days", "Toy": "Toys", "Box": "Boxes", "Class": "Classes", "Church": "Churches",
		"Wish": "Wishes", "Buzz": "Buzzes", "Team": "Teams", "BlogPost": "BlogPosts", "": "",
	} {
		if got := include.Plural(in); got != want {
			t.Errorf("Plural(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSingular(t *testing.T) {
	for in, want := range map[string]string{
		"Posts": "Post", "posts": "post", "Categories": "Category", "cities": "city",
		"Days": "Day", "Boxes": "Box", "Classes": "Class", "Churches": "Church", "Wishes": "Wish",
		"Buzzes": "Buzz", "Class": "Class", "Status": "Status", "Analysis": "Analysis",
		"children": "child", "Children": "Child", "people": "person", "People": "Person",
		"Post": "Post", "author": "author", "s": "s", "": "",
	} {
		if got := include.Singular(in); got != want {
			t.Errorf("Singular(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPluralSingularRoundTrip(t *testing.T) {
	for _, w := range []string{"Post", "Category", "Day", "Box", "Class", "Church", "Wish", "Team", "Group", "Comment"} {
		if got := include.Singular(include.Plural(w)); got != w {
			t.Errorf("Singular(Plural(%q)) = %q", w, got)
		}
	}
}

// TestDerivedNameWords checks how aliases in any spelling split into words for derived keys.
func TestDerivedNameWords(t *testing.T) {
	cases := []struct{ alias, snake, camel string }{
		{"homeTeam", "home_team_id", "homeTeamId"},
		{"HomeTeam", "home_team_id", "homeTeamId"},
		{"home_team", "home_team_id", "homeTeamId"},
		{"home-team", "home_team_id", "homeTeamId"},
		{"HTTPServer", "http_server_id", "httpServerId"},
		{"serverID", "server_id_id", "serverIdId"},
		{"v2Thing", "v2_thing_id", "v2ThingId"},
	}
	for _, naming := range []include.Naming{include.SnakeCase, include.CamelCase} {
		for _, c := range cases {
			want := c.snake
			if naming == include.CamelCase {
				want = c.camel
			}
			s := include.NewSchema(include.WithNaming(naming))
			defineMap(t, s, "User", "users", attrs("id"))
			defineMap(t, s, "Post", "posts", attrs("id", want))
			a, err := s.BelongsTo("Post", "User", include.As(c.alias))
			if err != nil {
				t.Errorf("naming %d, alias %q: %v", naming, c.alias, err)
				continue
			}
			if key(a.ForeignKeys) != want {
				t.Errorf("naming %d, alias %q: fk %q, want %q", naming, c.alias, key(a.ForeignKeys), want)
			}
		}
	}
}
