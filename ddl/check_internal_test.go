package ddl

import "testing"

// TestCategories: the type names the three catalogs report, classified.
func TestCategories(t *testing.T) {
	for typ, want := range map[string]category{
		"bigint": catInt, "integer": catInt, "INTEGER": catInt, "int(11)": catInt, "bigint(20) unsigned": catInt, "smallint": catInt,
		"tinyint(1)": catBoolInt, "boolean": catBool, "BOOLEAN": catBool,
		"text": catText, "character varying(255)": catText, "varchar(255)": catText, "uuid": catText, "char(36)": catText, "jsonb": catText,
		"double precision": catFloat, "real": catFloat, "double": catFloat, "numeric(10,2)": catFloat,
		"timestamp with time zone": catTime, "datetime(6)": catTime, "DATETIME": catTime, "date": catTime,
		"bytea": catBytes, "longblob": catBytes, "BLOB": catBytes,
		"interval": catUnknown, "point": catUnknown, "": catUnknown,
	} {
		if got := categoryOf(typ); got != want {
			t.Errorf("categoryOf(%q) = %d, want %d", typ, got, want)
		}
	}
	for _, c := range []struct {
		want, got category
		ok        bool
	}{
		{catInt, catInt, true}, {catInt, catBoolInt, true}, {catInt, catText, false}, {catFloat, catInt, true},
		{catBool, catInt, true}, {catText, catInt, false}, {catTime, catText, false}, {catBytes, catText, true},
		{catUnknown, catText, true}, {catText, catUnknown, true},
	} {
		if compatible(c.want, c.got) != c.ok {
			t.Errorf("compatible(%d, %d) != %v", c.want, c.got, c.ok)
		}
	}
}
