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
	srcKey any
	what   string
	scoped []colVal
	del    bool
}

// ofSource writes "target.fk = ? AND <scope>".
func (c *children) ofSource(s *sqlBuf) {
	tt := c.a.Target.Table()
	s.col(tt, c.a.ForeignKey).kw(" = ").arg(c.srcKey)
	s.pred(c.a.Scope, tt, c.a.Target, " AND ")
}

// link points the children named by pks at the source (UPDATE .. SET fk = ?, scope columns).
func (c *children) link(r *runner, pks [][]any) error {
	if len(pks) == 0 {
		return nil
	}
	tt := c.a.Target.Table()
	pk := c.a.Target.PrimaryKeyView()
	for _, ch := range c.w.chunkKeys(pks, len(pk), 1+len(c.scoped)) {
		s := c.w.buf()
		s.kw("UPDATE ").ident(tt).kw(" SET ").ident(c.a.ForeignKey).kw(" = ").arg(c.srcKey)
		for _, d := range c.scoped {
			s.kw(", ").ident(d.col).kw(" = ").arg(d.val)
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
	chunks := [][][]any{pks}
	if !except {
		chunks = c.w.chunkKeys(pks, len(pk), 1+len(c.scoped)+8)
	} else if len(pks)*len(pk)+1+len(c.scoped)+8 > c.w.maxArgs {
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
			s.kw("UPDATE ").ident(tt).kw(" SET ").ident(c.a.ForeignKey).kw(" = NULL")
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
	srcKey, err := linkKey(src, a.SourceKey, what)
	if err != nil {
		return nil, err
	}
	return &children{w: o.as.w, a: a, srcKey: srcKey, what: what, scoped: defaults(a.Scope, a.Target), del: o.del}, nil
}

func (o Op) prepareHasMany(what string) (prepared, error) {
	c, err := o.children(what)
	if err != nil {
		return prepared{}, err
	}
	a, w, srcKey := c.a, c.w, c.srcKey
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
	ts, err := o.targetRows(what, true, "")
	if err != nil {
		return prepared{}, err
	}
	pks := uniquePKs(ts)
	switch o.kind {
	case opAdd, opSet:
		// an existing child is moved: its scope columns are rewritten, not checked (it may
		// belong to an owner of another type)
		writeBack := func() error {
			for _, t := range ts {
				if err := t.r.set(a.ForeignKey, srcKey); err != nil {
					return err
				}
				for _, d := range c.scoped {
					if err := t.r.set(d.col, d.val); err != nil {
						return err
					}
				}
			}
			return nil
		}
		if o.kind == opAdd {
			return prepared{single: len(w.chunkKeys(pks, len(pkCols), 1+len(c.scoped))) == 1, run: func(r *runner) error {
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
		return prepared{single: len(w.chunkKeys(pks, len(pkCols), 1+len(c.scoped)+8)) == 1, run: func(r *runner) error {
			return c.unlink(r, pks, false)
		}}, nil
	case opHas:
		return prepared{single: true, run: func(r *runner) error {
			found := int64(0)
			for _, ch := range w.chunkKeys(pks, len(pkCols), 1+len(c.scoped)+8) {
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
	tr, err := rowOf(a.Target, o.value, "value of "+what)
	if err != nil {
		return prepared{}, err
	}
	if v, ok := tr.keyOf(a.ForeignKey); ok && !equal(v, c.srcKey) {
		return prepared{}, fmt.Errorf("%w: %s: the value's %s is %v, not the source's %v", ErrScopeConflict, what, a.ForeignKey, v, c.srcKey)
	}
	if err := applyScope(tr, c.scoped, what); err != nil {
		return prepared{}, err
	}
	if err := tr.set(a.ForeignKey, c.srcKey); err != nil {
		return prepared{}, err
	}
	return prepared{single: !unlinkAll && !(c.w.f.LastInsertID && genKey(tr)), run: func(r *runner) error {
		if unlinkAll {
			if err := c.unlink(r, nil, true); err != nil {
				return err
			}
		}
		return c.w.insertModel(r, a.Target, []*row{tr}, what)
	}}, nil
}

// genKey reports whether inserting r generates its key.
func genKey(r *row) bool {
	pk := r.m.PrimaryKeyView()
	if len(pk) != 1 {
		return false
	}
	_, ok := r.keyOf(pk[0])
	return !ok
}

func (o Op) prepareHasOne(what string) (prepared, error) {
	c, err := o.children(what)
	if err != nil {
		return prepared{}, err
	}
	a, srcKey := c.a, c.srcKey
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
		ts, err := o.targetRows(what, true, "")
		if err != nil {
			return prepared{}, err
		}
		if len(ts) != 1 {
			return prepared{}, badf("%s: a hasOne links one target, got %d", what, len(ts))
		}
		pks := [][]any{ts[0].pk}
		return prepared{run: func(r *runner) error {
			if err := c.unlink(r, pks, true); err != nil {
				return err
			}
			if err := c.link(r, pks); err != nil {
				return err
			}
			if err := ts[0].r.set(a.ForeignKey, srcKey); err != nil {
				return err
			}
			for _, d := range c.scoped {
				if err := ts[0].r.set(d.col, d.val); err != nil {
					return err
				}
			}
			return nil
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
	point := func(r *runner, key any) error {
		s := w.buf()
		s.kw("UPDATE ").ident(st).kw(" SET ").ident(a.ForeignKey).kw(" = ").arg(key)
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
		if err := src.set(a.ForeignKey, key); err != nil {
			return err
		}
		if key != nil {
			return applyScope(src, srcScope, what)
		}
		return nil
	}
	if !src.isKey() {
		if err := checkTargetScope(src, srcScope, what); err != nil {
			return prepared{}, err
		}
	}
	switch o.kind {
	case opSet:
		if len(o.targets) > 1 {
			return prepared{}, badf("%s: a belongsTo links one target, got %d", what, len(o.targets))
		}
		var key any
		if len(o.targets) == 1 && o.targets[0] != nil {
			ts, err := o.targetRows(what, false, a.TargetKey)
			if err != nil {
				return prepared{}, err
			}
			if len(ts) != 1 {
				return prepared{}, badf("%s: a belongsTo links one target, got %d", what, len(ts))
			}
			if err := checkTargetScope(ts[0].r, defaults(a.Scope, a.Target), what); err != nil {
				return prepared{}, err
			}
			key = ts[0].key
		}
		return prepared{single: true, run: func(r *runner) error { return point(r, key) }}, nil
	case opCreate:
		tr, err := rowOf(a.Target, o.value, "value of "+what)
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
			key, err := linkKey(tr, a.TargetKey, what)
			if err != nil {
				return err
			}
			return point(r, key)
		}}, nil
	}
	return prepared{}, badf("%s: a belongsTo has set and create (Sequelize's accessors), not %s", what, o.kind)
}
