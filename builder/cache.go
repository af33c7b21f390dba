package builder

import (
	"encoding/binary"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	sq "github.com/Masterminds/squirrel"

	"github.com/joinery/joinery/dialects"
	"github.com/joinery/joinery/include"
	"github.com/joinery/joinery/internal/meta"
	"github.com/joinery/joinery/scope"
)

// A data layer builds its queries per request: the same include tree, filters and order,
// often with Params bound per run, compiled again and again. Compile serves such a query
// the plan compiled for the first one, the way ORMs keep a cache of compiled queries
// (EF Core's compiled-query cache, Hibernate's query plan cache): the key is the query's
// whole content, so a hit is the plan Build would return, byte for byte. Only queries
// whose values are Params (bound per run with Bind, the prepared-query pattern) are kept:
// a query with a literal value in it (sq.Eq{"id": 7}), a predicate whose ToSql fails, or a
// dialect that is not a pointer compiles without the cache, which then holds only the
// data layer's query shapes, never one plan per request.

// Compile is Build through the process-wide cache of compiled plans (PlanCacheSize): a
// query whose values are all Params, equal to one compiled before for the same schema
// generation and dialect, gets the plan compiled then. Plans are shared: a caller must not change one (joinery's Q hands
// out copies).
func Compile(schema *include.Schema, d dialects.Dialect, q Query) (*Plan, error) {
	return cached(schema, d, q, false)
}

// CompileCount is Count through the same cache.
func CompileCount(schema *include.Schema, d dialects.Dialect, q Query) (*Plan, error) {
	return cached(schema, d, q, true)
}

// SetPlanCacheSize sets how many plans Compile keeps (256 by default; 0 turns the cache
// off and empties it). When it is full the cache is emptied and fills again.
func SetPlanCacheSize(n int) {
	planCache.mu.Lock()
	defer planCache.mu.Unlock()
	planCache.max = max(n, 0)
	planCache.sets, planCache.n = nil, 0
}

// PlanCacheSize returns how many plans Compile keeps.
func PlanCacheSize() int {
	planCache.mu.RLock()
	defer planCache.mu.RUnlock()
	return planCache.max
}

// PlanCacheStats returns how many compiles the cache has served (hits) and how many it
// compiled and kept (misses), since the process started.
func PlanCacheStats() (hits, misses uint64) {
	return planCache.hits.Load(), planCache.misses.Load()
}

// planSet is the cache's part for one schema generation, dialect and kind of statement.
type planSet struct {
	schema *include.Schema
	gen    uint64
	d      dialects.Dialect
	count  bool
}

var planCache = struct {
	mu           sync.RWMutex
	max          int
	n            int
	sets         map[planSet]map[string]*Plan
	hits, misses atomic.Uint64
}{max: 256}

// keyWriters holds key buffers between compiles.
var keyWriters = sync.Pool{New: func() any { return &keyWriter{} }}

func cached(schema *include.Schema, d dialects.Dialect, q Query, count bool) (*Plan, error) {
	compile := func() (*Plan, error) {
		if count {
			return Count(schema, d, q)
		}
		return Build(schema, d, q)
	}
	if schema == nil || d == nil || q.Model == nil || reflect.TypeOf(d).Kind() != reflect.Pointer {
		return compile()
	}
	planCache.mu.RLock()
	off := planCache.max == 0
	planCache.mu.RUnlock()
	if off {
		return compile()
	}
	w := keyWriters.Get().(*keyWriter)
	defer keyWriters.Put(w)
	w.buf, w.ok = w.buf[:0], true
	w.query(&q)
	if !w.ok {
		return compile()
	}
	set := planSet{schema, schema.Generation(), d, count}
	planCache.mu.RLock()
	p := planCache.sets[set][string(w.buf)]
	planCache.mu.RUnlock()
	if p != nil {
		planCache.hits.Add(1)
		return p, nil
	}
	p, err := compile()
	if err != nil {
		return nil, err
	}
	planCache.mu.Lock()
	defer planCache.mu.Unlock()
	if planCache.max == 0 {
		return p, nil
	}
	if planCache.n >= planCache.max {
		planCache.sets, planCache.n = nil, 0
	}
	if planCache.sets == nil {
		planCache.sets = map[planSet]map[string]*Plan{}
	}
	m := planCache.sets[set]
	if m == nil {
		m = map[string]*Plan{}
		planCache.sets[set] = m
	}
	if _, ok := m[string(w.buf)]; !ok {
		m[string(w.buf)] = p
		planCache.n++
		planCache.misses.Add(1)
	}
	return p, nil
}

// keyWriter writes a query's content into a key: every field of Query, the include tree
// as Normalize resolves it, every predicate and Param, each with a tag and its length
// where it has one, so that two keys are equal only for equal queries. ok turns false at
// a literal value and at anything it cannot write exactly.
type keyWriter struct {
	buf  []byte
	ok   bool
	keys []string // a map predicate's keys, sorted
}

func (w *keyWriter) tag(t byte) { w.buf = append(w.buf, t) }

func (w *keyWriter) uint(v uint64) { w.buf = binary.AppendUvarint(w.buf, v) }

func (w *keyWriter) bool(v bool) {
	if v {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}

func (w *keyWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *keyWriter) strs(ss []string) {
	w.bool(ss != nil)
	w.uint(uint64(len(ss)))
	for _, s := range ss {
		w.str(s)
	}
}

// query writes every field of q (TestPlanCacheKeyCoversQuery keeps the list complete).
func (w *keyWriter) query(q *Query) {
	w.str(q.Model.Name())
	w.preds(q.Where)
	w.strs(q.OrderBy)
	w.strs(q.Columns)
	w.bool(q.HasColumns)
	w.bool(q.Unscoped)
	if !w.ok {
		return
	}
	incs, err := include.Normalize(q.Include)
	if err != nil {
		w.ok = false
		return
	}
	w.resolved(incs)
	w.computed(q.Computed)
	w.uint(q.Limit)
	w.uint(q.Offset)
	w.bool(q.HasLimit)
	w.value(q.LimitArg)
	w.value(q.OffsetArg)
	w.bool(q.After != nil)
	w.values(q.After)
	w.str(q.AfterOrder)
	w.bool(q.OneTenant)
	w.value(q.TenantValue)
	w.uint(uint64(q.Shape))
	w.bool(q.Stream)
	w.bool(q.Pipelining)
	w.bool(q.Distant)
	w.bool(q.shareRoots)
}

// resolved writes an include tree, every field of each node.
func (w *keyWriter) resolved(rs []*include.Resolved) {
	w.uint(uint64(len(rs)))
	for _, r := range rs {
		w.str(r.Segment)
		w.preds(r.Where)
		w.strs(r.Order)
		w.strs(r.Columns)
		w.bool(r.HasColumns)
		w.bool(r.Required)
		w.strs(r.ThroughCols)
		w.bool(r.HasThCols)
		w.preds(r.ThroughWhere)
		w.bool(r.Unscoped)
		w.uint(r.Limit)
		w.uint(r.Offset)
		w.bool(r.HasLimit)
		w.bool(r.LimitSet)
		w.bool(r.FilterOnly)
		w.computed(r.Computed)
		w.resolved(r.Children)
	}
}

func (w *keyWriter) computed(cs []include.Computed) {
	w.uint(uint64(len(cs)))
	for _, c := range cs {
		w.uint(uint64(c.Func))
		w.str(c.Name)
		w.str(c.Assoc)
		w.str(c.Column)
		w.preds(c.Where)
		w.preds(c.ThroughWhere)
		w.bool(c.Unscoped)
		if c.Expr == nil {
			w.tag('-')
		} else {
			w.pred(c.Expr)
		}
	}
}

func (w *keyWriter) preds(ps []sq.Sqlizer) {
	w.uint(uint64(len(ps)))
	for _, p := range ps {
		w.pred(p)
	}
}

// pred writes a predicate as scope.Render reads it: conjunctions and map predicates by
// their parts (a map's keys sorted), anything else by the text and arguments of its ToSql.
func (w *keyWriter) pred(p sq.Sqlizer) {
	if !w.ok {
		return
	}
	switch v := p.(type) {
	case nil:
		w.tag('N')
	case sq.And:
		w.tag('A')
		w.preds(v)
	case sq.Or:
		w.tag('O')
		w.preds(v)
	default:
		if m, op, ok := scope.MapPredicate(p); ok {
			w.pmap(byte(op), m) // (operators 0-9, clear of the letter tags)
			return
		}
		if meta.NilRef(p) {
			w.ok = false // not cached: compiling reports it
			return
		}
		text, args, err := p.ToSql()
		if err != nil {
			w.ok = false
			return
		}
		w.tag('R')
		w.str(text)
		w.values(args)
	}
}

func (w *keyWriter) pmap(op byte, m map[string]any) {
	w.tag(op)
	w.keys = w.keys[:0]
	for k := range m {
		w.keys = append(w.keys, k)
	}
	slices.Sort(w.keys)
	w.uint(uint64(len(w.keys)))
	for _, k := range w.keys {
		w.str(k)
		w.value(m[k])
	}
}

func (w *keyWriter) values(vs []any) {
	w.uint(uint64(len(vs)))
	for _, v := range vs {
		w.value(v)
	}
}

// value writes v: nil, or a Param-like value (a ParamName method: its type's name and its
// own). A literal value leaves the query without a key: a query built per request with its
// values in it would fill the cache with plans used once (bind such values as Params).
func (w *keyWriter) value(v any) {
	switch x := v.(type) {
	case nil:
		w.tag('n')
	case []any:
		w.tag('<')
		w.values(x)
	case interface{ ParamName() string }:
		t := reflect.TypeOf(v)
		if t.Name() == "" {
			w.ok = false
			return
		}
		w.tag('p')
		w.str(t.PkgPath())
		w.str(t.Name())
		w.str(x.ParamName())
	default:
		w.ok = false
	}
}
