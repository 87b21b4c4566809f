package trade

import (
	"bufio"
	"cmp"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"
	"slices"
)

// An import sorts the file's figures by block (sliceKey), reporter, partner
// and line before storing them, so that its work and its rows do not depend
// on the order of the file: a series whose rows are far apart is stored as
// one, and a partner given twice is found wherever its rows are. Up to
// runRecords figures are sorted in memory; a larger file is sorted in runs
// of that size, written to temporary files, and merged.

// sliceKey is what the figures of a block share besides the reporter.
type sliceKey struct {
	Commodity, Flow, Classification string
	Year, Month, Partner2           int
}

func (k *sliceKey) args() []any {
	return []any{k.Commodity, k.Flow, k.Year, k.Month, k.Partner2, k.Classification}
}

func cmpSlice(a, b *sliceKey) int {
	return cmp.Or(cmp.Compare(a.Commodity, b.Commodity), cmp.Compare(a.Flow, b.Flow), cmp.Compare(a.Classification, b.Classification),
		cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month), cmp.Compare(a.Partner2, b.Partner2))
}

// seriesCommon is what a block's figures usually share (its first figure's):
// stored once in the block, and in a figure only when it differs.
type seriesCommon struct{ Basis, Unit, Flag string }

// record is a figure as a run holds it: its slice and common values are
// indexes into the run's tables.
type record struct {
	line               int64
	reporter, partner  int
	value, weight, qty float64
	slice, common      uint32
	has                uint8 // hasWeight | hasQty
}

const (
	hasWeight = 1 << iota
	hasQty
)

// runRecords is how many figures a run sorts in memory (about 64 bytes
// each; the file is read into a second run while the first is sorted).
const runRecords = 1 << 17

// maxRuns is how many sorted runs are merged at once; more are merged into
// one first.
const maxRuns = 128

// run is a part of the file, sorted in memory.
type run struct {
	recs []record
	size int // records it holds when full
	// order is recs' sorted order (indexes), when sort made one; keys are
	// sort's work space.
	order   []uint32
	keys    []sortKey
	slices  []sliceKey
	commons []seriesCommon
	// Interning, by value; last* remember the previous row's, which the
	// next row usually shares.
	sliceIDs            map[sliceKey]uint32
	commonIDs           map[seriesCommon]uint32
	lastSlice           sliceKey
	lastSliceID         uint32
	lastCommon          seriesCommon
	lastCommonID        uint32
	haveLast, haveLastC bool
}

func newRun(size int) *run {
	return &run{recs: make([]record, 0, min(size, 1024)), size: size, sliceIDs: map[sliceKey]uint32{}, commonIDs: map[seriesCommon]uint32{}}
}

func (r *run) reset() {
	r.recs, r.slices, r.commons, r.order = r.recs[:0], r.slices[:0], r.commons[:0], r.order[:0]
	clear(r.sliceIDs)
	clear(r.commonIDs)
	r.haveLast, r.haveLastC = false, false
}

func (r *run) full() bool { return len(r.recs) >= r.size }

// add appends a figure of the file, read at line.
func (r *run) add(f *Flow, line int64) {
	k := sliceKey{Commodity: f.Commodity, Flow: f.Flow, Classification: f.Classification, Year: f.Year, Month: f.Month, Partner2: f.Partner2}
	if !r.haveLast || k != r.lastSlice {
		id, ok := r.sliceIDs[k]
		if !ok {
			id = uint32(len(r.slices))
			r.slices = append(r.slices, k)
			r.sliceIDs[k] = id
		}
		r.lastSlice, r.lastSliceID, r.haveLast = k, id, true
	}
	c := seriesCommon{f.ValueBasis, f.QtyUnit, f.Flag}
	if !r.haveLastC || c != r.lastCommon {
		id, ok := r.commonIDs[c]
		if !ok {
			id = uint32(len(r.commons))
			r.commons = append(r.commons, c)
			r.commonIDs[c] = id
		}
		r.lastCommon, r.lastCommonID, r.haveLastC = c, id, true
	}
	rec := record{line: line, reporter: f.Reporter, partner: f.Partner, value: f.Value, slice: r.lastSliceID, common: r.lastCommonID}
	if f.NetWeight.Valid {
		rec.weight, rec.has = f.NetWeight.Float64, rec.has|hasWeight
	}
	if f.Qty.Valid {
		rec.qty, rec.has = f.Qty.Float64, rec.has|hasQty
	}
	r.recs = append(r.recs, rec)
}

// sort orders the run's slices by (hash, value) and its records by slice,
// reporter, partner and line.
func (r *run) sort(pool *slicePool) {
	order := make([]uint32, len(r.slices))
	hashes := make([]uint64, len(r.slices))
	for i := range order {
		order[i] = uint32(i)
		hashes[i] = maphash.Comparable(pool.seed, r.slices[i])
	}
	slices.SortFunc(order, func(a, b uint32) int {
		return cmp.Or(cmp.Compare(hashes[a], hashes[b]), cmpSlice(&r.slices[a], &r.slices[b]))
	})
	rank := make([]uint32, len(order))
	sorted := make([]sliceKey, len(order))
	for i, id := range order {
		rank[id] = uint32(i)
		sorted[i] = r.slices[id]
	}
	r.slices = sorted
	// With reporters and partners of 32 bits (Comtrade's codes are), the
	// records are sorted by a pair of integers each: slice and reporter,
	// partner and position (the file's order); else by their fields.
	r.keys, r.order = r.keys[:0], r.order[:0]
	fits := true
	for i := range r.recs {
		rec := &r.recs[i]
		rec.slice = rank[rec.slice]
		fits = fits && rec.reporter == int(int32(rec.reporter)) && rec.partner == int(int32(rec.partner))
		if fits {
			r.keys = append(r.keys, sortKey{uint64(rec.slice)<<32 | uint64(biased(rec.reporter)), uint64(biased(rec.partner))<<32 | uint64(i)})
		}
	}
	if !fits {
		slices.SortFunc(r.recs, func(a, b record) int {
			return cmp.Or(cmp.Compare(a.slice, b.slice), cmp.Compare(a.reporter, b.reporter), cmp.Compare(a.partner, b.partner), cmp.Compare(a.line, b.line))
		})
		return
	}
	slices.SortFunc(r.keys, func(a, b sortKey) int { return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo)) })
	for _, k := range r.keys {
		r.order = append(r.order, uint32(k.lo))
	}
}

// sortKey orders the records of a run: hi holds the slice and reporter, lo
// the partner and the record's position.
type sortKey struct{ hi, lo uint64 }

// biased maps an int32 to a uint32 of the same order.
func biased(v int) uint32 { return uint32(int32(v)) ^ 1<<31 }

// sorted is a figure in sorted order, as the merge hands it on.
type sorted struct {
	slice             *sliceKey
	hash              uint64
	common            *seriesCommon
	line              int64
	reporter, partner int
	value             float64
	weight, qty       sql.NullFloat64
}

func cmpSorted(a, b *sorted) int {
	if a.slice != b.slice {
		if c := cmp.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		if c := cmpSlice(a.slice, b.slice); c != 0 {
			return c
		}
	}
	return cmp.Or(cmp.Compare(a.reporter, b.reporter), cmp.Compare(a.partner, b.partner), cmp.Compare(a.line, b.line))
}

// slicePool gives each slice of an import one pointer and its hash, so
// that the merge finds equal slices at once. It keeps up to maxPooled
// slices (a file with more compares the others by value).
type slicePool struct {
	seed maphash.Seed
	m    map[sliceKey]pooledSlice
	max  int
}

type pooledSlice struct {
	key  *sliceKey
	hash uint64
}

const maxPooled = 1 << 16

func newSlicePool() *slicePool {
	return &slicePool{seed: maphash.MakeSeed(), m: map[sliceKey]pooledSlice{}, max: maxPooled}
}

func (p *slicePool) get(k sliceKey) (*sliceKey, uint64) {
	if ps, ok := p.m[k]; ok {
		return ps.key, ps.hash
	}
	ps := pooledSlice{&k, maphash.Comparable(p.seed, k)}
	if len(p.m) < p.max {
		p.m[k] = ps
	}
	return ps.key, ps.hash
}

// figureSource yields sorted figures; next returns false at the end.
type figureSource interface {
	next() (bool, error)
	current() *sorted
}

// memRun reads a sorted run in memory.
type memRun struct {
	r      *run
	slices []*sliceKey // the run's slices, pooled
	hashes []uint64
	i      int
	cur    sorted
}

func newMemRun(r *run, pool *slicePool) *memRun {
	m := &memRun{r: r, slices: make([]*sliceKey, len(r.slices)), hashes: make([]uint64, len(r.slices)), i: -1}
	for i := range r.slices {
		m.slices[i], m.hashes[i] = pool.get(r.slices[i])
	}
	return m
}

func (m *memRun) next() (bool, error) {
	m.i++
	if m.i >= len(m.r.recs) {
		return false, nil
	}
	rec := &m.r.recs[m.i]
	if len(m.r.order) > 0 {
		rec = &m.r.recs[m.r.order[m.i]]
	}
	m.cur = sorted{slice: m.slices[rec.slice], hash: m.hashes[rec.slice], common: &m.r.commons[rec.common], line: rec.line,
		reporter: rec.reporter, partner: rec.partner, value: rec.value,
		weight: sql.NullFloat64{Float64: rec.weight, Valid: rec.has&hasWeight != 0}, qty: sql.NullFloat64{Float64: rec.qty, Valid: rec.has&hasQty != 0}}
	return true, nil
}

func (m *memRun) current() *sorted { return &m.cur }

// A run on disk is its table of common values, then its figures; a figure
// of another slice than the previous one is preceded by the slice.
const (
	tagFigure = iota
	tagSlice
)

// spill writes a sorted source to a new temporary file and returns a source
// that reads it back. The file is removed at once where the system allows
// (it lives on while open), else when the returned source is closed.
func spill(src figureSource, pool *slicePool) (*diskRun, error) {
	f, err := os.CreateTemp("", "sriim-trade-*")
	if err != nil {
		return nil, fmt.Errorf("sort the file: %w", err)
	}
	removed := os.Remove(f.Name()) == nil
	d := &diskRun{f: f, removed: removed, pool: pool}
	if err := d.write(src); err != nil {
		d.close()
		return nil, fmt.Errorf("sort the file: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		d.close()
		return nil, fmt.Errorf("sort the file: %w", err)
	}
	d.r = bufio.NewReaderSize(f, 1<<16)
	return d, nil
}

// diskRun is a sorted run in a temporary file.
type diskRun struct {
	f       *os.File
	removed bool
	pool    *slicePool
	r       *bufio.Reader
	commons map[uint64]*seriesCommon
	slice   *sliceKey
	hash    uint64
	cur     sorted
}

func (d *diskRun) write(src figureSource) error {
	w := bufio.NewWriterSize(d.f, 1<<16)
	var buf []byte
	var last *sliceKey
	commons := map[seriesCommon]uint64{}
	for {
		ok, err := src.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		s := src.current()
		buf = buf[:0]
		if last == nil || (s.slice != last && *s.slice != *last) {
			buf = append(buf, tagSlice)
			buf = appendString(buf, s.slice.Commodity)
			buf = appendString(buf, s.slice.Flow)
			buf = appendString(buf, s.slice.Classification)
			buf = binary.AppendVarint(buf, int64(s.slice.Year))
			buf = binary.AppendVarint(buf, int64(s.slice.Month))
			buf = binary.AppendVarint(buf, int64(s.slice.Partner2))
			last = s.slice
		}
		// A common value is written whole the first time, then by number.
		id, known := commons[*s.common]
		if !known {
			id = uint64(len(commons))
			commons[*s.common] = id
		}
		buf = append(buf, tagFigure)
		buf = binary.AppendVarint(buf, int64(s.reporter))
		buf = binary.AppendVarint(buf, int64(s.partner))
		buf = binary.AppendVarint(buf, s.line)
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(s.value))
		var has byte
		if s.weight.Valid {
			has |= hasWeight
		}
		if s.qty.Valid {
			has |= hasQty
		}
		buf = append(buf, has)
		if s.weight.Valid {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(s.weight.Float64))
		}
		if s.qty.Valid {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(s.qty.Float64))
		}
		buf = binary.AppendUvarint(buf, id<<1|boolBit(!known))
		if !known {
			buf = appendString(buf, s.common.Basis)
			buf = appendString(buf, s.common.Unit)
			buf = appendString(buf, s.common.Flag)
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return w.Flush()
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func (d *diskRun) readString() (string, error) {
	n, err := binary.ReadUvarint(d.r)
	if err != nil {
		return "", err
	}
	b := make([]byte, n)
	_, err = io.ReadFull(d.r, b)
	return string(b), err
}

func (d *diskRun) readInt() (int, error) {
	v, err := binary.ReadVarint(d.r)
	return int(v), err
}

func (d *diskRun) readFloat() (float64, error) {
	var b [8]byte
	_, err := io.ReadFull(d.r, b[:])
	return math.Float64frombits(binary.LittleEndian.Uint64(b[:])), err
}

func (d *diskRun) next() (bool, error) {
	ok, err := d.read()
	if err != nil {
		return false, fmt.Errorf("sort the file: read back: %w", err)
	}
	return ok, nil
}

func (d *diskRun) read() (bool, error) {
	tag, err := d.r.ReadByte()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if tag == tagSlice {
		k := &sliceKey{}
		if k.Commodity, err = d.readString(); err == nil {
			if k.Flow, err = d.readString(); err == nil {
				if k.Classification, err = d.readString(); err == nil {
					if k.Year, err = d.readInt(); err == nil {
						if k.Month, err = d.readInt(); err == nil {
							k.Partner2, err = d.readInt()
						}
					}
				}
			}
		}
		if err != nil {
			return false, err
		}
		d.slice, d.hash = d.pool.get(*k)
		if tag, err = d.r.ReadByte(); err != nil {
			return false, err
		}
	}
	if tag != tagFigure || d.slice == nil {
		return false, errors.New("corrupt run")
	}
	c := &d.cur
	*c = sorted{slice: d.slice, hash: d.hash}
	var line int64
	if c.reporter, err = d.readInt(); err == nil {
		if c.partner, err = d.readInt(); err == nil {
			if line, err = binary.ReadVarint(d.r); err == nil {
				c.line = line
				c.value, err = d.readFloat()
			}
		}
	}
	if err != nil {
		return false, err
	}
	has, err := d.r.ReadByte()
	if err != nil {
		return false, err
	}
	if has&hasWeight != 0 {
		if c.weight.Float64, err = d.readFloat(); err != nil {
			return false, err
		}
		c.weight.Valid = true
	}
	if has&hasQty != 0 {
		if c.qty.Float64, err = d.readFloat(); err != nil {
			return false, err
		}
		c.qty.Valid = true
	}
	idNew, err := binary.ReadUvarint(d.r)
	if err != nil {
		return false, err
	}
	id := idNew >> 1
	if idNew&1 == 1 {
		var cm seriesCommon
		if cm.Basis, err = d.readString(); err == nil {
			if cm.Unit, err = d.readString(); err == nil {
				cm.Flag, err = d.readString()
			}
		}
		if err != nil {
			return false, err
		}
		if d.commons == nil {
			d.commons = map[uint64]*seriesCommon{}
		}
		d.commons[id] = &cm
	}
	if c.common = d.commons[id]; c.common == nil {
		return false, errors.New("corrupt run")
	}
	return true, nil
}

func (d *diskRun) current() *sorted { return &d.cur }

func (d *diskRun) close() {
	d.f.Close()
	if !d.removed {
		os.Remove(d.f.Name())
	}
}

// merger merges sorted sources into one with a tournament tree: each
// figure costs one comparison per level, log2 of the sources.
type merger struct {
	srcs  []figureSource
	heads []*sorted // each source's current figure (a pointer that stays)
	done  []bool    // the source has no more figures
	// tree[0] is the source whose figure comes next; tree[1:] are the
	// losers of the matches between leaves (sources) and nodes.
	tree    []int
	cur     sorted
	started bool
}

func newMerger(srcs []figureSource) (*merger, error) {
	k := len(srcs)
	m := &merger{srcs: srcs, heads: make([]*sorted, k), done: make([]bool, k), tree: make([]int, max(k, 1))}
	for i, s := range srcs {
		ok, err := s.next()
		if err != nil {
			return nil, err
		}
		m.heads[i], m.done[i] = s.current(), !ok
	}
	if k > 0 {
		m.tree[0] = m.build(1)
	}
	return m, nil
}

// build plays the matches under node (leaves are nodes k…2k-1) and returns
// the winner.
func (m *merger) build(node int) int {
	k := len(m.srcs)
	if node >= k {
		return node - k
	}
	a, b := m.build(2*node), m.build(2*node+1)
	if m.less(b, a) {
		a, b = b, a
	}
	m.tree[node] = b
	return a
}

// less reports whether source i's figure comes before source j's; a source
// with no more figures comes last.
func (m *merger) less(i, j int) bool {
	if m.done[i] || m.done[j] {
		return !m.done[i] && m.done[j]
	}
	return cmpSorted(m.heads[i], m.heads[j]) < 0
}

func (m *merger) next() (bool, error) {
	if len(m.srcs) == 0 {
		return false, nil
	}
	w := m.tree[0]
	if m.started {
		// Advance the source the previous figure came from, and play its
		// matches again up to the root.
		ok, err := m.srcs[w].next()
		if err != nil {
			return false, err
		}
		m.done[w] = !ok
		for node := (w + len(m.srcs)) / 2; node > 0; node /= 2 {
			if m.less(m.tree[node], w) {
				m.tree[node], w = w, m.tree[node]
			}
		}
		m.tree[0] = w
	}
	m.started = true
	if m.done[w] {
		return false, nil
	}
	m.cur = *m.heads[w]
	return true, nil
}

func (m *merger) current() *sorted { return &m.cur }

// sorter collects the file's figures in runs and hands them back sorted.
type sorter struct {
	pool    *slicePool
	records int // per run
	fanIn   int // runs merged at once
	runs    []*diskRun
}

// spillRun sorts a full run and writes it to a temporary file, merging the
// runs so far into one when there are fanIn of them.
func (s *sorter) spillRun(r *run) error {
	r.sort(s.pool)
	d, err := spill(newMemRun(r, s.pool), s.pool)
	if err != nil {
		return err
	}
	s.runs = append(s.runs, d)
	if len(s.runs) < s.fanIn {
		return nil
	}
	srcs := make([]figureSource, len(s.runs))
	for i, d := range s.runs {
		srcs[i] = d
	}
	m, err := newMerger(srcs)
	if err == nil {
		d, err = spill(m, s.pool)
	}
	s.close()
	if err != nil {
		return err
	}
	s.runs = []*diskRun{d}
	return nil
}

// finish sorts the last run and returns every figure in order.
func (s *sorter) finish(last *run) (figureSource, error) {
	last.sort(s.pool)
	mem := newMemRun(last, s.pool)
	if len(s.runs) == 0 {
		return mem, nil
	}
	srcs := []figureSource{mem}
	for _, d := range s.runs {
		srcs = append(srcs, d)
	}
	return newMerger(srcs)
}

// close removes the temporary files.
func (s *sorter) close() {
	for _, d := range s.runs {
		d.close()
	}
	s.runs = nil
}
