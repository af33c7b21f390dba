package write

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/joinery/joinery/include"
)

// insertModel inserts rows of model m, as few statements as the bind-parameter limit allows
// (one per set of columns), and writes generated primary keys back into the rows: RETURNING
// where the dialect has it, else the driver's LastInsertId (consecutive keys for a
// multi-row INSERT when the server promises them, one INSERT per row otherwise). what names
// the operation and include path for errors.
func (w *Writer) insertModel(r *runner, m *include.Model, rows []*row, what string) error {
	if len(rows) == 0 {
		return nil
	}
	pk := m.PrimaryKeyView()
	type group struct {
		cols []string
		gen  int // the generated primary-key column's position, -1 for none
		rows []*row
		vals []any // row after row
	}
	var groups []*group
	bySig := map[string]*group{}
	// struct rows share their columns: the model's, without a generated key
	var structCols [2][]string
	var structGroup [2]*group
	tenant := m.Tenant()
	for _, rw := range rows {
		if rw.isKey() {
			return fmt.Errorf("%w: %s: a write.Key cannot be inserted; pass a %s value", ErrBadInput, what, m.Name())
		}
		if rw.sv.IsValid() {
			genAt := genColumn(rw)
			gen := 0
			if genAt >= 0 {
				gen = 1
			}
			if gen == 0 {
				for _, c := range pk {
					if _, ok := rw.keyOf(c); !ok {
						return missingPK(rw, pk, what)
					}
				}
			}
			if structGroup[gen] == nil {
				for _, a := range m.Attrs() {
					if gen == 1 && a.Column == pk[genAt] {
						continue
					}
					structCols[gen] = append(structCols[gen], a.Column)
				}
				// sized for every row, so that the values of thousands of rows are not
				// copied over and over as the slices grow
				structGroup[gen] = &group{cols: structCols[gen], gen: genAt,
					rows: make([]*row, 0, len(rows)), vals: make([]any, 0, len(rows)*len(structCols[gen]))}
				groups = append(groups, structGroup[gen])
			}
			g := structGroup[gen]
			vals := g.vals
			for _, a := range m.Attrs() {
				if gen == 1 && a.Column == pk[genAt] {
					continue
				}
				if a.Column == tenant && (a.Hidden || rw.tenant != nil) {
					// the operation's tenant value (Op.Tenant), written back into a
					// visible field
					v, _ := rw.get(a.Column)
					if err := rw.setAttr(a, v); err != nil {
						return err
					}
					vals = append(vals, argOf(v))
					continue
				}
				f, err := rw.sv.FieldByIndexErr(a.Index)
				if err != nil {
					vals = append(vals, nil) // through a nil embedded pointer: NULL
					continue
				}
				if f.Kind() == reflect.Pointer || f.Kind() == reflect.Interface {
					vals = append(vals, argOf(f.Interface()))
				} else {
					vals = append(vals, f.Interface())
				}
			}
			g.rows = append(g.rows, rw)
			g.vals = vals
			continue
		}
		cols, vals, gen, err := insertCols(rw, pk, what)
		if err != nil {
			return err
		}
		sig := strings.Join(cols, "\x00")
		if gen >= 0 {
			sig += "\x01" + itoa(gen)
		}
		g := bySig[sig]
		if g == nil {
			g = &group{cols: cols, gen: gen}
			bySig[sig] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, rw)
		g.vals = append(g.vals, vals...)
	}
	for _, g := range groups {
		ins := insertRows{table: m.Table(), cols: g.cols, vals: g.vals}
		if g.gen < 0 {
			sts, _, err := w.insertStatements(r, ins, what)
			if err != nil {
				return err
			}
			for _, st := range sts {
				if _, err := r.exec(st); err != nil {
					return err
				}
			}
			continue
		}
		if err := w.insertGenerated(r, m, pk[g.gen], ins, g.rows, what); err != nil {
			return err
		}
	}
	return nil
}

// insertCols lists the columns and values of rw to insert: a struct's every column, a map's
// keys that are attributes (association keys are skipped), leaving out the primary-key
// column the database generates (gen, its position, -1 for none: genColumn).
func insertCols(rw *row, pk []string, what string) (cols []string, vals []any, gen int, err error) {
	m := rw.m
	gen = genColumn(rw)
	if err := checkKeys(rw, what); err != nil {
		return nil, nil, -1, err
	}
	for _, a := range m.Attrs() {
		if gen >= 0 && a.Column == pk[gen] {
			continue
		}
		v, ok := rw.get(a.Column)
		if !ok {
			continue
		}
		dup := false
		for _, c := range cols {
			if c == a.Column {
				dup = true
			}
		}
		if dup {
			continue
		}
		cols = append(cols, a.Column)
		vals = append(vals, argOf(v))
	}
	if gen < 0 {
		for _, c := range pk {
			if _, ok := rw.keyOf(c); !ok {
				return nil, nil, -1, missingPK(rw, pk, what)
			}
		}
	}
	return cols, vals, gen, nil
}

// missingPK is the error for a row to insert whose primary key lacks columns that the
// database does not generate.
func missingPK(rw *row, pk []string, what string) error {
	var missing []string
	for _, c := range pk {
		if _, ok := rw.keyOf(c); !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) == 1 {
		return fmt.Errorf("%w: %s: %s has no value for its primary-key column %s", ErrMissingKey, what, rw.m.Name(), missing[0])
	}
	return fmt.Errorf("%w: %s: %s has no value for its primary-key columns %s (of %s)", ErrMissingKey, what, rw.m.Name(), joinCols(missing), joinCols(pk))
}

// insertGenerated inserts rows whose primary-key column pk the database generates (the key,
// or the id of a (tenant_id, id) key), and writes the keys back.
func (w *Writer) insertGenerated(r *runner, m *include.Model, pk string, ins insertRows, rows []*row, what string) error {
	switch {
	case w.f.Returning:
		ins.returning = []string{pk}
		sts, sizes, err := w.insertStatements(r, ins, what)
		if err != nil {
			return err
		}
		next := 0
		pkAttr, _ := m.Attr(pk)
		intKey := pkAttr.Type == include.Int
		for i, st := range sts {
			rs, err := r.query(st)
			if err != nil {
				return err
			}
			n := 0
			var id int64
			var v any
			dest := any(&v)
			if intKey {
				dest = &id // no boxing per row
			}
			for rs.Next() {
				if err := rs.Scan(dest); err != nil {
					rs.Close()
					return r.fail(err)
				}
				if n >= sizes[i] {
					rs.Close()
					return r.fail(fmt.Errorf("INSERT INTO %s returned more keys than the %d rows inserted", m.Table(), sizes[i]))
				}
				key := v
				if intKey {
					key = id
				}
				if err := rows[next+n].setAttr(pkAttr, key); err != nil {
					rs.Close()
					return fmt.Errorf("%s: %w", what, err)
				}
				n++
			}
			if err := rs.Close(); err != nil {
				return r.fail(err)
			}
			if err := rs.Err(); err != nil {
				return r.fail(err)
			}
			if n != sizes[i] {
				return r.fail(fmt.Errorf("INSERT INTO %s returned %d keys for %d rows", m.Table(), n, sizes[i]))
			}
			next += n
		}
		return nil
	case w.f.LastInsertID:
		step, err := r.consecutiveIDs()
		if err != nil {
			return err
		}
		if step == 0 {
			// keys of one statement may interleave with another's: one row a statement
			width := len(ins.cols)
			for i := 0; i < ins.n(); i++ {
				one := ins
				one.vals = ins.vals[i*width : (i+1)*width : (i+1)*width]
				if err := w.insertOneLastID(r, one, rows[i], pk, 1, 1, what); err != nil {
					return err
				}
			}
			return nil
		}
		if groups := byKeyPrefix(m, pk, ins); len(groups) > 1 {
			// the generated column follows other key columns ((tenant_id, id)): an engine
			// that numbers each prefix of the key apart (Aria, MyISAM) gives one INSERT's
			// rows consecutive keys only within a prefix: one INSERT per prefix
			width := len(ins.cols)
			for _, g := range groups {
				sub := ins
				sub.vals = make([]any, 0, len(g)*width)
				subRows := make([]*row, len(g))
				for k, i := range g {
					sub.vals = append(sub.vals, ins.vals[i*width:(i+1)*width]...)
					subRows[k] = rows[i]
				}
				if err := w.insertGenerated(r, m, pk, sub, subRows, what); err != nil {
					return err
				}
			}
			return nil
		}
		sts, sizes, err := w.insertStatements(r, ins, what)
		if err != nil {
			return err
		}
		next := 0
		for i, st := range sts {
			res, err := r.exec(st)
			if err != nil {
				return err
			}
			if r.dry {
				return errDry // the keys decide what follows
			}
			first, err := res.LastInsertId()
			if err != nil {
				return r.fail(err)
			}
			if first == 0 {
				return r.fail(noAutoIncrement(ins.table, pk))
			}
			for j := 0; j < sizes[i]; j++ {
				if err := rows[next+j].set(pk, first+int64(j)*step); err != nil {
					return fmt.Errorf("%s: %w", what, err)
				}
			}
			next += sizes[i]
		}
		return nil
	}
	return fmt.Errorf("%w: %s: %s's key %s is not set and the dialect can return no generated key; set it", ErrMissingKey, what, m.Name(), pk)
}

func (w *Writer) insertOneLastID(r *runner, ins insertRows, rw *row, pk string, _, _ int, what string) error {
	sts, _, err := w.insertStatements(r, ins, what)
	if err != nil {
		return err
	}
	res, err := r.exec(sts[0])
	if err != nil {
		return err
	}
	if r.dry {
		return errDry
	}
	id, err := res.LastInsertId()
	if err != nil {
		return r.fail(err)
	}
	if id == 0 {
		return r.fail(noAutoIncrement(ins.table, pk))
	}
	return rw.set(pk, id)
}

// noAutoIncrement is the error of an INSERT that generated no AUTO_INCREMENT key
// (LastInsertId 0: a key from a sequence's DEFAULT, or none), which cannot be read back.
func noAutoIncrement(table, pk string) error {
	return fmt.Errorf("INSERT INTO %s generated no AUTO_INCREMENT key (LastInsertId is 0), so the keys of its rows cannot be read back: make %s AUTO_INCREMENT, or give its values", table, pk)
}

// byKeyPrefix groups the rows of ins by the values of the key columns before the generated
// one pk (the tenant_id of (tenant_id, id)), in the order they first appear: row indexes
// per group; one group when pk is the key's only column or all rows share the prefix.
func byKeyPrefix(m *include.Model, pk string, ins insertRows) [][]int {
	key := m.PrimaryKeyView()
	var at []int // positions in ins.cols of the prefix columns
	for _, c := range key {
		if c == pk {
			break
		}
		if i := slices.Index(ins.cols, c); i >= 0 {
			at = append(at, i)
		}
	}
	n := ins.n()
	if len(at) == 0 || n < 2 {
		return [][]int{nil}
	}
	width := len(ins.cols)
	var groups [][]int
	index := map[tupleKey]int{}
	for i := 0; i < n; i++ {
		var k tupleKey
		for j, c := range at {
			if j < len(k) {
				k[j] = norm(ins.vals[i*width+c])
			}
		}
		g, ok := index[k]
		if !ok {
			g = len(groups)
			index[k] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// consecutiveIDs asks a MySQL/MariaDB server once per operation whether a multi-row INSERT
// gets consecutive auto-increment keys (innodb_autoinc_lock_mode 0 or 1) and their step
// (auto_increment_increment); 0 when it does not promise them.
func (r *runner) consecutiveIDs() (int64, error) {
	if r.idStep != nil {
		return *r.idStep, nil
	}
	st := Statement{SQL: "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment"}
	rs, err := r.query(st)
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	var mode, step int64
	if rs.Next() {
		if err := rs.Scan(&mode, &step); err != nil {
			return 0, r.fail(err)
		}
	}
	if err := rs.Err(); err != nil {
		return 0, r.fail(err)
	}
	if mode > 1 || step < 1 {
		step = 0
	}
	r.idStep = &step
	return step, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkKeys refuses a map key that is neither an attribute nor an association of the row's
// model.
func checkKeys(rw *row, what string) error {
	if rw.mp == nil {
		return nil
	}
	m := rw.m
	for k := range rw.mp {
		if a, ok := m.Attr(k); ok {
			if a.Hidden {
				return hiddenInMap(m, k, what)
			}
			continue
		}
		if m.Association(k) != nil || contains(rw.ignore, k) {
			continue
		}
		return fmt.Errorf("%w: %s: %q is neither an attribute nor an association of %s (attributes: %s)",
			ErrBadInput, what, k, m.Name(), joinCols(m.AttrNames()))
	}
	return nil
}
