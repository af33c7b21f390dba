package include

// PrimaryKeyView lists the primary-key columns like PrimaryKey, without copying them: the
// slice is the model's own and must not be modified. For the statement builders (builder,
// write), which read it once per node or per row.
func (m *Model) PrimaryKeyView() []string { return m.pk }
