package dialects

import "testing"

func TestQuoteAndPlaceholder(t *testing.T) {
	cases := []struct {
		d          Dialect
		in, quoted string
		ph3        string
	}{
		{Postgres, `we"ird`, `"we""ird"`, "$3"},
		{MySQL, "we`ird", "`we``ird`", "?"},
		{SQLite, `users`, `"users"`, "?"},
	}
	for _, c := range cases {
		if got := c.d.Quote(c.in); got != c.quoted {
			t.Errorf("%s.Quote(%q) = %q, want %q", c.d.Name(), c.in, got, c.quoted)
		}
		if got := c.d.Placeholder(3); got != c.ph3 {
			t.Errorf("%s.Placeholder(3) = %q, want %q", c.d.Name(), got, c.ph3)
		}
	}
	if ByName("mariadb") != MySQL || ByName("pgx") != Postgres || ByName("sqlite3") != SQLite || ByName("oracle") != nil {
		t.Error("ByName mapping wrong")
	}
	if Postgres.MaxIdentifierLength() != 63 || !Postgres.Features().ILike || MySQL.Features().ILike {
		t.Error("features wrong")
	}
}
