package sampler

import (
	"fmt"
	"io"
	"math/rand/v2"
)

// A constraint is what a batch needs of a tuple: a language, a pair of
// languages, two languages (for per-item pairs), or any language.
type constraint struct {
	kind consKind
	a, b int // language ids (local to a pool, or global under MixDatasets)
}

type consKind uint8

const (
	anyLang consKind = iota
	twoLangs
	hasLang
	hasPair
)

// id numbers the constraints of a pool with l languages, for its cursors.
func (c constraint) id(l int) int {
	switch c.kind {
	case twoLangs:
		return 1
	case hasLang:
		return 2 + c.a
	case hasPair:
		return 2 + l + c.a*l + c.b
	}
	return 0
}

// local translates a global constraint to p's language ids.
func (c constraint) local(p *pool) constraint {
	if c.kind == hasLang || c.kind == hasPair {
		c.a, c.b = p.local[c.a], p.local[c.b]
	}
	return c
}

func (p *pool) ok(i int32, c constraint) bool {
	switch c.kind {
	case twoLangs:
		return p.counts[i] >= 2
	case hasLang:
		return p.has(i, c.a)
	case hasPair:
		return p.has(i, c.a) && p.has(i, c.b)
	}
	return p.counts[i] > 0
}

// Next returns the next batch; see HybridSampler for the ownership of its
// memory. It returns io.EOF once Config.Epochs epochs of a dataset are
// done. Next does not allocate once its buffers have grown, except to
// start an epoch of a dataset never sampled before.
func (h *Hybrid) Next() (Batch, error) {
	if h.done {
		return Batch{}, io.EOF
	}
	h.items, h.negs = h.items[:0], h.negs[:0]
	var mode Mode
	var err error
	if h.cfg.MixDatasets {
		mode, err = h.nextMixed()
	} else {
		mode, err = h.nextSingle()
	}
	if err != nil {
		if err == io.EOF {
			h.done = true
			h.items = h.items[:0]
		}
		return Batch{}, err
	}
	h.step++
	b := Batch{Mode: mode, Items: h.items}
	if h.cfg.WorldSize > 1 {
		b = b.Shard(h.cfg.Rank, h.cfg.WorldSize)
	}
	return b, nil
}

// layout draws a batch's mode and constraint from pool p, in p's ids.
func (h *Hybrid) layout(p *pool) (Mode, constraint) {
	if h.cfg.Strategy == XX {
		return MixedMonolingual, constraint{kind: anyLang}
	}
	if !p.parallel || coin(h.rng, p.mono53) {
		return Monolingual, constraint{kind: hasLang, a: drawWidth(h.rng, p.langW, one53)}
	}
	if !h.cfg.PairPerBatch {
		return CrossLingual, constraint{kind: twoLangs}
	}
	x := drawWidth(h.rng, p.langW, one53)
	return CrossLingual, constraint{kind: hasPair, a: x, b: p.drawLang(h.rng, -1, x)}
}

// nextSingle builds a batch from one dataset.
func (h *Hybrid) nextSingle() (Mode, error) {
	pi := drawWidth(h.rng, h.poolW, one53)
	p := &h.pools[pi]
	mode, c := h.layout(p)
	if err := h.fillBatch(pi, c); err != nil {
		return mode, err
	}
	for _, pos := range h.pos {
		h.addItem(p, p.order[pos], mode, c)
	}
	return mode, nil
}

// nextMixed builds a batch whose items draw their datasets one by one,
// with probabilities that make each dataset's share of items its weight.
func (h *Hybrid) nextMixed() (Mode, error) {
	lead := &h.pools[drawWidth(h.rng, h.poolW, one53)]
	mode, c := h.layout(lead)
	if c.kind == hasLang || c.kind == hasPair {
		c.a, c.b = lead.global[c.a], lead.global[c.b]
	}
	// P(item from d | batch) ∝ w_d · P(this layout | d).
	var widths []uint64
	switch c.kind {
	case anyLang:
		widths = append(h.mixW[:0], h.poolW...)
	case twoLangs:
		widths = append(h.mixW[:0], h.crossW...)
	default:
		for d := range h.pools {
			q := &h.pools[d]
			f := 0.0
			if a, b := q.local[c.a], q.local[c.b]; c.kind == hasLang && a >= 0 {
				f = q.weight * q.monoP * q.langP[a]
			} else if c.kind == hasPair && a >= 0 && b >= 0 {
				f = q.weight * (1 - q.monoP) * q.langP[a] * q.langP[b] / (1 - q.langP[a])
			}
			h.mixF[d] = f
		}
		widths = quantize(h.mixW, h.mixF)
	}
	h.newStamp()
	for len(h.items) < h.cfg.BatchSize {
		var total uint64
		for _, w := range widths {
			total += w
		}
		if total == 0 {
			return mode, fmt.Errorf("sampler: internal error: no dataset can complete a %v batch", mode)
		}
		d := drawWidth(h.rng, widths, total)
		p := &h.pools[d]
		lc := c.local(p)
		pos, ok, err := h.fillItem(d, lc)
		if err != nil {
			return mode, err
		}
		if !ok { // every group of p that fits is already in the batch
			widths[d] = 0
			continue
		}
		h.addItem(p, p.order[pos], mode, lc)
	}
	return mode, nil
}

// newStamp starts a new set of groups seen in a batch.
func (h *Hybrid) newStamp() {
	h.stamp++
	if h.stamp == 0 {
		clear(h.seen)
		h.stamp = 1
	}
}

// scan appends to h.pos up to need positions of p's epoch, in order, that
// are untaken, satisfy c and repeat no group of the batch, and returns how
// many it found. It marks their groups seen but does not take them.
func (h *Hybrid) scan(p *pool, c constraint, need int) int {
	id := c.id(len(p.langs))
	pos := max(p.frontier, p.cursors[id])
	firstSkipped := -1
	got := 0
	// A batch from one epoch of a dataset whose groups are unique cannot
	// repeat one, and a complete dataset's tuples satisfy every constraint.
	dedup := !h.cfg.AllowDuplicateGroups && (!p.unique || h.cfg.MixDatasets)
	check := !p.complete
	for ; pos < len(p.order) && got < need; pos++ {
		if p.taken[pos>>6]&(1<<(pos&63)) != 0 {
			continue
		}
		i := p.order[pos]
		if check && !p.ok(i, c) {
			continue
		}
		if dedup {
			g := p.gid[i]
			if h.seen[g] == h.stamp {
				if firstSkipped < 0 {
					firstSkipped = pos
				}
				continue
			}
			h.seen[g] = h.stamp
		}
		h.pos = append(h.pos, int32(pos))
		got++
	}
	if firstSkipped >= 0 {
		pos = firstSkipped
	}
	p.cursors[id] = pos
	return got
}

// take marks position pos of p's epoch consumed.
func (p *pool) take(pos int32) {
	p.taken[pos>>6] |= 1 << (pos & 63)
	for p.frontier < len(p.order) && p.taken[p.frontier>>6]&(1<<(p.frontier&63)) != 0 {
		p.frontier++
	}
}

// startEpoch begins the next epoch of pool pi, or returns io.EOF if
// Config.Epochs are done.
func (h *Hybrid) startEpoch(pi int) error {
	p := &h.pools[pi]
	if h.cfg.Epochs > 0 && p.epoch >= uint64(h.cfg.Epochs) {
		return io.EOF
	}
	p.epoch++
	p.resetEpoch(h.cfg.Seed, pi, h.cfg.PairPerBatch)
	return nil
}

// resetEpoch sets p at the start of its current epoch.
func (p *pool) resetEpoch(seed uint64, pi int, pairs bool) {
	if p.order == nil {
		ncons := 2 + len(p.langs)
		if pairs {
			ncons += len(p.langs) * len(p.langs)
		}
		p.order = make([]int32, len(p.tuples))
		p.taken = make([]uint64, (len(p.tuples)+63)/64)
		p.cursors = make([]int, ncons)
	}
	p.exhausted, p.frontier = false, 0
	clear(p.taken)
	clear(p.cursors)
	var r rand.PCG
	r.Seed(epochSeeds(seed, pi, p.epoch))
	shuffle(&r, p.order)
}

// fillBatch leaves in h.pos the positions of a whole batch from pool pi,
// taken, starting a new epoch when the current one cannot fill it.
func (h *Hybrid) fillBatch(pi int, c constraint) error {
	p := &h.pools[pi]
	if p.epoch == 0 || p.exhausted {
		if err := h.startEpoch(pi); err != nil {
			return err
		}
	}
	need := h.cfg.BatchSize
	for attempt := 0; ; attempt++ {
		h.pos = h.pos[:0]
		h.newStamp()
		got := h.scan(p, c, need)
		if got == need || (h.cfg.KeepLast && got > 0) {
			for _, pos := range h.pos {
				p.take(pos)
			}
			p.exhausted = got < need
			return nil
		}
		if attempt > 0 {
			return fmt.Errorf("sampler: internal error: a fresh epoch of %q cannot fill a batch", p.name)
		}
		if err := h.startEpoch(pi); err != nil {
			return err
		}
	}
}

// fillItem takes one position of pool pi's epoch for an item, starting a
// new epoch when the current one has none left; ok is false if even a
// fresh epoch has none whose group is not already in the batch.
func (h *Hybrid) fillItem(pi int, c constraint) (pos int32, ok bool, err error) {
	p := &h.pools[pi]
	for attempt := 0; attempt < 2; attempt++ {
		if p.epoch == 0 || attempt > 0 {
			if err := h.startEpoch(pi); err != nil {
				return 0, false, err
			}
		}
		h.pos = h.pos[:0]
		if h.scan(p, c, 1) == 1 {
			p.take(h.pos[0])
			return h.pos[0], true, nil
		}
	}
	return 0, false, nil
}

// drawLang draws a language of p by its weights, among those of tuple i
// (all of p's if i < 0), other than except (none if except < 0).
func (p *pool) drawLang(r *rand.PCG, i int32, except int) int {
	all := i < 0 || int(p.counts[i]) == len(p.langs)
	if all && except < 0 {
		return drawWidth(r, p.langW, one53)
	}
	var total uint64
	for l, w := range p.langW {
		if l != except && (all || p.has(i, l)) {
			total += w
		}
	}
	x := uintN(r, total)
	for l, w := range p.langW {
		if l != except && (all || p.has(i, l)) {
			if x < w {
				return l
			}
			x -= w
		}
	}
	panic("sampler: internal error: language draw beyond total")
}

// addItem appends to h.items the item of tuple i of p in a batch of mode
// mode under constraint c (in p's ids).
func (h *Hybrid) addItem(p *pool, i int32, mode Mode, c constraint) {
	var ql, pl int
	switch {
	case mode == Monolingual:
		ql, pl = c.a, c.a
	case mode == CrossLingual && c.kind == hasPair:
		ql, pl = c.a, c.b
	case mode == CrossLingual:
		ql = p.drawLang(h.rng, i, -1)
		pl = p.drawLang(h.rng, i, ql)
	default:
		ql = p.drawLang(h.rng, i, -1)
		pl = ql
	}
	trips := p.trips[int(i)*len(p.langs):][:len(p.langs)]
	qt, pt := &trips[ql], &trips[pl]
	nl, nt := pl, pt
	if h.cfg.NegativesInQueryLang {
		nl, nt = ql, qt
	}
	h.items = append(h.items, Item{
		Group:        p.tuples[i].Group,
		Dataset:      p.name,
		QueryLang:    p.langs[ql],
		PassageLang:  p.langs[pl],
		NegativeLang: p.langs[nl],
		Query:        qt.Query,
		Positive:     pt.Positive,
		Negatives:    h.pickNegatives(nt.Negatives),
	})
}

// pickNegatives returns at most Config.Negatives of negs, drawn without
// replacement into h.negs when there are more; the result's capacity ends
// at its length, so a caller's append cannot write into the dataset.
func (h *Hybrid) pickNegatives(negs []string) []string {
	k := h.cfg.Negatives
	switch {
	case k < 0 || len(negs) == 0:
		return nil
	case k == 0 || len(negs) <= k:
		return negs[:len(negs):len(negs)]
	}
	idx := h.negIdx[:0]
	for j := range negs {
		idx = append(idx, j)
	}
	h.negIdx = idx
	start := len(h.negs)
	for j := 0; j < k; j++ {
		r := j + int(uintN(h.rng, uint64(len(negs)-j)))
		idx[j], idx[r] = idx[r], idx[j]
		h.negs = append(h.negs, negs[idx[j]])
	}
	return h.negs[start:len(h.negs):len(h.negs)]
}

// Step returns the number of batches Next has returned.
func (h *Hybrid) Step() int { return int(h.step) }

// Epoch returns the current epoch of the dataset at index dataset of the
// data passed to NewHybrid: 0 before its first batch, then 1, 2, ….
// It panics with "sampler: dataset index out of range" if dataset is out
// of range.
func (h *Hybrid) Epoch(dataset int) int { return int(h.pool(dataset).epoch) }

func (h *Hybrid) pool(dataset int) *pool {
	if dataset < 0 || dataset >= len(h.pools) {
		panic("sampler: dataset index out of range")
	}
	return &h.pools[dataset]
}

// BatchesPerEpoch returns the exact number of batches an epoch of the
// dataset at index dataset gives, n/BatchSize for n tuples rounded down
// (up with KeepLast), or −1 if the number depends on the draws: under
// MixDatasets, or when the dataset's tuples differ in their languages or
// share groups (see the package documentation). It panics if dataset is
// out of range.
func (h *Hybrid) BatchesPerEpoch(dataset int) int {
	p := h.pool(dataset)
	if h.cfg.MixDatasets || !p.complete || !(p.unique || h.cfg.AllowDuplicateGroups) {
		return -1
	}
	n, b := len(p.tuples), h.cfg.BatchSize
	if h.cfg.KeepLast {
		return (n + b - 1) / b
	}
	return n / b
}
