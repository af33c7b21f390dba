package write

import (
	"fmt"

	"github.com/joinery/joinery/include"
)

// children writes the children of one source of a hasMany or hasOne: rows of the target
// whose foreign key holds the source's key (and whose scope columns hold the scope's
// values).
type children struct {
	w      *Writer
	a      *include.Association
	srcKey []any
	what   string
	scoped []colVal
	del    bool
	// set lists the positions of the foreign-key columns a link writes and an unlink
	// NULLs; ident those that are columns of the target's primary key (splitKey)
	set, ident []int
}

// ofSource writes "target.fk = ? AND <scope>" (every foreign-key column).
func (c *children) ofSource(s *sqlBuf) {
	tt := c.a.Target.Table()
	for i, col := range c.a.ForeignKeys {
		if i > 0 {
			s.kw(" AND ")
		}
		s.col(tt, col).kw(" = ").arg(c.srcKey[i])
	}
	s.pred(c.a.Scope, tt, c.a.Target, " AND ")
}

// linkFixed and unlinkFixed are the arguments of a link's and an unlink's statement besides
// the primary keys it lists.
func (c *children) linkFixed() int   { return len(c.set) + len(c.scoped) }
func (c *children) unlinkFixed() int { return len(c.srcKey) + len(c.scoped) + 8 }

// checkIdent checks that targets' primary keys hold the source's values in the foreign-key
// columns that are part of them (a child cannot move to another tenant).
func (c *children) checkIdent(ts []target) error {
	if len(c.ident) == 0 {
		return nil
	}
	for i, t := range ts {
		role := func() string { return "target " + itoa(i+1) }
		if err := sameAt(c.a.Target, t.pk, c.a.ForeignKeys, c.ident, c.srcKey, role, "source", c.what); err != nil {
			return err
		}
	}
	return nil
}

// writeBack writes the source's key and the scope into a linked child's value.
func (c *children) writeBack(r *row) error {
	for i, col := range c.a.ForeignKeys {
		if err := r.set(col, c.srcKey[i]); err != nil {
			return err
		}
	}
	for _, d := range c.scoped {
		if err := r.set(d.col, d.val); err != nil {
			return err
		}
	}
	return nil
}

// link points the children named by pks at the source (UPDATE .. SET fk = ?, scope columns).
func (c *children) link(r *runner, pks [][]any) error {
	if len(pks) == 0 {
		return nil
	}
	tt := c.a.Target.Table()
	pk := c.a.Target.PrimaryKeyView()
	if len(c.set) == 0 && len(c.scoped) == 0 {
		return nil // the key holds the foreign key: a child with it is linked already
	}
	for _, ch := range c.w.chunkKeys(pks, len(pk), c.linkFixed()) {
		s := c.w.buf()
		s.kw("UPDATE ").ident(tt).kw(" SET ")
		sep := ""
		for _, i := range c.set {
			s.kw(sep).ident(c.a.ForeignKeys[i]).kw(" = ").arg(c.srcKey[i])
			sep = ", "
		}
		for _, d := range c.scoped {
			s.kw(sep).ident(d.col).kw(" = ").arg(d.val)
			sep = ", "
		}
		s.kw(" WHERE ")
		s.keyIn(tt, pk, ch, false)
		if err := r.execBuf(s, c.what); err != nil {
			return err
		}
	}
	return nil
}

// unlink sets the foreign key of the source's children to NULL (or deletes them): those in
// pks, or all but those in pks when except is set.
func (c *children) unlink(r *runner, pks [][]any, except bool) error {
	if len(pks) == 0 && !except {
		return nil
	}
	tt := c.a.Target.Table()
	pk := c.a.Target.PrimaryKeyView()
	if len(c.set) == 0 && !c.del {
		return badf("%s: the foreign key (%s) is part of %s's primary key (%s), so a child cannot be unlinked by setting it to NULL; pass DeleteUnlinked to delete it",
			c.what, joinCols(c.a.ForeignKeys), c.a.Target.Name(), joinCols(pk))
	}
	chunks := [][][]any{pks}
	if !except {
		chunks = c.w.chunkKeys(pks, len(pk), c.unlinkFixed())
	} else if len(pks)*len(pk)+c.unlinkFixed() > c.w.maxArgs {
		// too many to keep for one NOT IN: read the source's children, unlink the others
		others, err := c.others(r, pks)
		if err != nil {
			return err
		}
		return c.unlink(r, others, false)
	}
	for _, ch := range chunks {
		s := c.w.buf()
		if c.del {
			s.kw("DELETE FROM ").ident(tt)
		} else {
			s.kw("UPDATE ").ident(tt).kw(" SET ")
			for j, i := range c.set {
				if j > 0 {
					s.kw(", ")
				}
				s.ident(c.a.ForeignKeys[i]).kw(" = NULL")
			}
		}
		s.kw(" WHERE ")
		c.ofSource(s)
		if len(ch) > 0 {
			s.kw(" AND ")
			s.keyIn(tt, pk, ch, except)
		}
		if err := r.execBuf(s, c.what); err != nil {
			return err
		}
	}
	return nil
}

// others reads the primary keys of the source's children that are not among keep.
func (c *children) others(r *runner, keep [][]any) ([][]any, error) {
	tt := c.a.Target.Table()
	pk := c.a.Target.PrimaryKeyView()
	s := c.w.buf()
	s.kw("SELECT ")
	for i, k := range pk {
		if i > 0 {
			s.kw(", ")
		}
		s.col(tt, k)
	}
	s.kw(" FROM ").ident(tt).kw(" WHERE ")
	c.ofSource(s)
	st, err := s.statement()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.what, err)
	}
	kept := make(map[tupleKey]bool, len(keep))
	for _, k := range keep {
		kept[keyOfTuple(k)] = true
	}
	rs, err := r.query(st)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out [][]any
	for rs.Next() {
		vals := make([]any, len(pk))
		ptrs := make([]any, len(pk))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, r.fail(err)
		}
		if !kept[keyOfTuple(vals)] {
			out = append(out, vals)
		}
	}
	if err := rs.Err(); err != nil {
		return nil, r.fail(err)
	}
	return out, nil
}

// selectCount writes SELECT COUNT(..) FROM target WHERE fk = ? AND scope ...
func (c *children) selectCount(o Op, expr func(s *sqlBuf), keys [][]any) (Statement, error) {
	tt := c.a.Target.Table()
	s := c.w.buf()
	s.kw("SELECT ")
	expr(s)
	s.kw(" FROM ").ident(tt).kw(" WHERE ")
	c.ofSource(s)
	if keys != nil {
		s.kw(" AND ")
		s.keyIn(tt, c.a.Target.PrimaryKeyView(), keys, false)
	}
	s.pred(c.a.Target.DefaultScope(), tt, c.a.Target, " AND ")
	if o.where != nil {
		s.pred(whereScope(o.where), tt, c.a.Target, " AND ")
	}
	st, err := s.statement()
	if err != nil {
		return st, fmt.Errorf("%s: %w", c.what, err)
	}
	return st, nil
}

// children checks a hasMany or hasOne operation's source and returns its children writer.
func (o Op) children(what string) (*children, error) {
	a := o.as.a
	if err := o.noThrough(what); err != nil {
		return nil, err
	}
	src, err := o.sourceRow(what)
	if err != nil {
		return nil, err
	}
	srcKey, err := linkKeys(src, a.SourceKeys, what)
	if err != nil {
		return nil, err
	}
	set, ident := splitKey(a.ForeignKeys, a.Target)
	return &children{w: o.as.w, a: a, srcKey: srcKey, what: what, scoped: defaults(a.Scope, a.Target), del: o.del, set: set, ident: ident}, nil
}

func (o Op) prepareHasMany(what string) (prepared, error) {
	c, err := o.children(what)
	if err != nil {
		return prepared{}, err
	}
	a, w := c.a, c.w
	pkCols := a.Target.PrimaryKeyView()
	switch o.kind {
	case opCount:
		st, err := c.selectCount(o, func(s *sqlBuf) { s.kw("COUNT(*)") }, nil)
		if err != nil {
			return prepared{}, err
		}
		return prepared{single: true, run: func(r *runner) error { return r.scanCount(st) }}, nil
	case opCreate:
		return o.prepareCreateChild(c, what, false)
	}
	ts, err := o.targetRows(what, true, nil)
	if err != nil {
		return prepared{}, err
	}
	if err := c.checkIdent(ts); err != nil {
		return prepared{}, err
	}
	pks := uniquePKs(ts)
	switch o.kind {
	case opAdd, opSet:
		// an existing child is moved: its scope columns are rewritten, not checked (it may
		// belong to an owner of another type)
		writeBack := func() error {
			for _, t := range ts {
				if err := c.writeBack(t.r); err != nil {
					return err
				}
			}
			return nil
		}
		if o.kind == opAdd {
			return prepared{single: len(w.chunkKeys(pks, len(pkCols), c.linkFixed())) == 1, run: func(r *runner) error {
				if err := c.link(r, pks); err != nil {
					return err
				}
				return writeBack()
			}}, nil
		}
		return prepared{single: len(pks) == 0, run: func(r *runner) error {
			if err := c.unlink(r, pks, true); err != nil {
				return err
			}
			if err := c.link(r, pks); err != nil {
				return err
			}
			return writeBack()
		}}, nil
	case opRemove:
		return prepared{single: len(w.chunkKeys(pks, len(pkCols), c.unlinkFixed())) == 1, run: func(r *runner) error {
			return c.unlink(r, pks, false)
		}}, nil
	case opHas:
		return prepared{single: true, run: func(r *runner) error {
			found := int64(0)
			for _, ch := range w.chunkKeys(pks, len(pkCols), c.unlinkFixed()) {
				if len(ch) == 0 {
					continue
				}
				st, err := c.selectCount(Op{}, func(s *sqlBuf) { s.kw("COUNT(*)") }, ch)
				if err != nil {
					return err
				}
				n, err := r.count(st)
				if err != nil {
					return err
				}
				found += n
			}
			r.res.Has = found == int64(len(pks))
			return nil
		}}, nil
	}
	return prepared{}, badf("%s: unknown operation", what)
}

// uniquePKs lists the targets' primary keys, each once.
func uniquePKs(ts []target) [][]any {
	seen := map[tupleKey]bool{}
	var out [][]any
	for _, t := range ts {
		k := keyOfTuple(t.pk)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t.pk)
	}
	return out
}

// prepareCreateChild inserts o.value as a child of the source (hasMany, hasOne), after
// unlinking the previous child for a hasOne.
func (o Op) prepareCreateChild(c *children, what string, unlinkAll bool) (prepared, error) {
	a := o.as.a
	tr, err := rowOf(a.Target, o.value, "value of "+what, o.tn())
	if err != nil {
		return prepared{}, err
	}
	for i, col := range a.ForeignKeys {
		if v, ok := tr.keyOf(col); ok && !equal(v, c.srcKey[i]) {
			return prepared{}, fmt.Errorf("%w: %s: the value's %s is %v, not the source's %v", ErrScopeConflict, what, col, argOf(v), c.srcKey[i])
		}
	}
	if err := applyScope(tr, c.scoped, what); err != nil {
		return prepared{}, err
	}
	for i, col := range a.ForeignKeys {
		if err := tr.set(col, c.srcKey[i]); err != nil {
			return prepared{}, err
		}
	}
	return prepared{single: !unlinkAll && !(c.w.f.LastInsertID && genColumn(tr) >= 0), run: func(r *runner) error {
		if unlinkAll {
			if err := c.unlink(r, nil, true); err != nil {
				return err
			}
		}
		return c.w.insertModel(r, a.Target, []*row{tr}, what)
	}}, nil
}

func (o Op) prepareHasOne(what string) (prepared, error) {
	c, err := o.children(what)
	if err != nil {
		return prepared{}, err
	}
	switch o.kind {
	case opCreate:
		return o.prepareCreateChild(c, what, true)
	case opSet:
		if len(o.targets) > 1 {
			return prepared{}, badf("%s: a hasOne links one target, got %d", what, len(o.targets))
		}
		if len(o.targets) == 0 || o.targets[0] == nil {
			return prepared{single: true, run: func(r *runner) error { return c.unlink(r, nil, true) }}, nil
		}
		ts, err := o.targetRows(what, true, nil)
		if err != nil {
			return prepared{}, err
		}
		if len(ts) != 1 {
			return prepared{}, badf("%s: a hasOne links one target, got %d", what, len(ts))
		}
		if err := c.checkIdent(ts); err != nil {
			return prepared{}, err
		}
		pks := [][]any{ts[0].pk}
		return prepared{run: func(r *runner) error {
			if err := c.unlink(r, pks, true); err != nil {
				return err
			}
			if err := c.link(r, pks); err != nil {
				return err
			}
			return c.writeBack(ts[0].r)
		}}, nil
	}
	return prepared{}, badf("%s: a hasOne has set and create (Sequelize's accessors), not %s", what, o.kind)
}

func (o Op) prepareBelongsTo(what string) (prepared, error) {
	a := o.as.a
	w := o.as.w
	if err := o.noThrough(what); err != nil {
		return prepared{}, err
	}
	src, err := o.sourceRow(what)
	if err != nil {
		return prepared{}, err
	}
	srcPK, err := pkOf(src, "source of "+what)
	if err != nil {
		return prepared{}, err
	}
	for i := range srcPK {
		srcPK[i] = argOf(srcPK[i])
	}
	srcScope := defaults(a.SourceScope, a.Source)
	st := a.Source.Table()
	set, ident := splitKey(a.ForeignKeys, a.Source)
	if len(set) == 0 {
		return prepared{}, badf("%s: the foreign key (%s) is part of %s's primary key (%s): a %s cannot be pointed at another %s",
			what, joinCols(a.ForeignKeys), a.Source.Name(), joinCols(a.Source.PrimaryKeyView()), a.Source.Name(), a.Target.Name())
	}
	// point sets the source's foreign key to key (nil: NULL)
	point := func(r *runner, key []any) error {
		if key != nil {
			if err := sameAt(a.Source, srcPK, a.ForeignKeys, ident, key, named("source"), "target", what); err != nil {
				return err
			}
		}
		s := w.buf()
		s.kw("UPDATE ").ident(st).kw(" SET ")
		for j, i := range set {
			if j > 0 {
				s.kw(", ")
			}
			var v any
			if key != nil {
				v = key[i]
			}
			s.ident(a.ForeignKeys[i]).kw(" = ").arg(v)
		}
		if key != nil {
			for _, d := range srcScope {
				s.kw(", ").ident(d.col).kw(" = ").arg(d.val)
			}
		}
		s.kw(" WHERE ")
		s.keyEq(st, a.Source.PrimaryKeyView(), srcPK)
		stmt, err := s.statement()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if _, err := r.exec(stmt); err != nil {
			return err
		}
		for _, i := range set {
			var v any
			if key != nil {
				v = key[i]
			}
			if err := src.set(a.ForeignKeys[i], v); err != nil {
				return err
			}
		}
		if key != nil {
			return applyScope(src, srcScope, what)
		}
		return nil
	}
	if !src.isKey() {
		if err := checkScope(src, srcScope, what); err != nil {
			return prepared{}, err
		}
	}
	switch o.kind {
	case opSet:
		if len(o.targets) > 1 {
			return prepared{}, badf("%s: a belongsTo links one target, got %d", what, len(o.targets))
		}
		var key []any
		if len(o.targets) == 1 && o.targets[0] != nil {
			ts, err := o.targetRows(what, false, a.TargetKeys)
			if err != nil {
				return prepared{}, err
			}
			if len(ts) != 1 {
				return prepared{}, badf("%s: a belongsTo links one target, got %d", what, len(ts))
			}
			if err := checkScope(ts[0].r, defaults(a.Scope, a.Target), what); err != nil {
				return prepared{}, err
			}
			key = ts[0].key
			if err := sameAt(a.Source, srcPK, a.ForeignKeys, ident, key, named("source"), "target", what); err != nil {
				return prepared{}, err
			}
		}
		return prepared{single: true, run: func(r *runner) error { return point(r, key) }}, nil
	case opCreate:
		tr, err := rowOf(a.Target, o.value, "value of "+what, o.tn())
		if err != nil {
			return prepared{}, err
		}
		if err := applyScope(tr, defaults(a.Scope, a.Target), what); err != nil {
			return prepared{}, err
		}
		return prepared{run: func(r *runner) error {
			if err := w.insertModel(r, a.Target, []*row{tr}, what); err != nil {
				return err
			}
			key, err := linkKeys(tr, a.TargetKeys, what)
			if err != nil {
				return err
			}
			return point(r, key)
		}}, nil
	}
	return prepared{}, badf("%s: a belongsTo has set and create (Sequelize's accessors), not %s", what, o.kind)
}
