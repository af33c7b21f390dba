package include

// PrimaryKeyView lists the primary-key columns like PrimaryKey, without copying them: the
// slice is the model's own and must not be modified. For per-row loops (package write).
func (m *Model) PrimaryKeyView() []string { return m.pk }
