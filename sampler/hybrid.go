package sampler

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/polyret/polyret/datasets"
)

// Hybrid is the sampler of hybrid batch training and of its baselines: see
// the package documentation for what it draws and guarantees.
type Hybrid struct {
	cfg   settings
	pools []pool
	langs []datasets.Lang // union of the datasets' sampled languages, sorted

	// Quantized dataset weights: for drawing a batch's dataset, and for
	// an item's dataset under MixDatasets (XX batches and per-item
	// CrossLingual batches).
	poolW, crossW []uint64

	rng   *rand.PCG
	fp    uint64 // fingerprint of data and config, 0 until computed
	step  uint64
	done  bool
	seen  []uint32 // batch stamp per group id, for AllowDuplicateGroups false
	stamp uint32

	// Scratch reused by Next; Items and negatives are handed out.
	items  []Item
	negs   []string
	negIdx []int
	pos    []int32
	mixF   []float64
	mixW   []uint64
}

var _ HybridSampler = (*Hybrid)(nil)

// A pool is one dataset ready for sampling, with its epoch state.
type pool struct {
	name   string
	tuples []datasets.Tuple
	langs  []datasets.Lang // sampled languages (positive weight), sorted
	global []int           // global language id of each local one
	local  []int           // local id of each global language, or −1

	trips  []datasets.Triplet // tuple i's triplet in language l at i*len(langs)+l
	words  int                // mask words per tuple
	masks  []uint64           // tuple i's sampled languages: masks[i*words:][:words]
	counts []uint16           // number of sampled languages of each tuple
	gid    []int32            // interned group of each tuple

	parallel bool // some tuple has two sampled languages
	complete bool // every tuple has every sampled language
	unique   bool // no two tuples share a group

	weight float64   // normalized dataset weight
	langP  []float64 // normalized language weights, = langW/2⁵³
	langW  []uint64  // quantized language weights
	monoP  float64   // P(Monolingual | this dataset), not used by XX
	mono53 uint64

	// Epoch state: order is the epoch's permutation of tuple indices,
	// taken marks consumed positions of order, every position before
	// frontier is taken, and no untaken position before cursors[c]
	// satisfies constraint c (a lower bound that only speeds up scans).
	epoch     uint64
	exhausted bool
	order     []int32
	taken     []uint64
	frontier  int
	cursors   []int
}

func (p *pool) has(i int32, l int) bool {
	return p.masks[int(i)*p.words+l>>6]&(1<<(l&63)) != 0
}

// NewHybrid returns a sampler of batches from data, configured by cfg.
// The sampler keeps references to the datasets' tuples; the caller must
// not modify them while the sampler is in use.
//
// NewHybrid returns an error wrapping ErrConfig if a Config value is
// invalid (such as Alpha outside [0, 1] or a negative weight), and one
// wrapping ErrData if data is malformed (no dataset, a dataset without
// tuples, two datasets with one name, a tuple without a group or a
// language, an empty query, positive or negative) or cannot give the
// batches asked for (cross-lingual batches with no tuple in two languages,
// fewer groups than BatchSize in a language when the last partial batch is
// dropped). The message names the value, dataset, tuple or language at
// fault. NewHybrid does not modify data.
func NewHybrid(data []datasets.Dataset, cfg Config) (*Hybrid, error) {
	s, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, dataErr("no datasets")
	}
	if s.DatasetWeights != nil && len(s.DatasetWeights) != len(data) {
		return nil, cfgErr("len(DatasetWeights) = %d for %d datasets", len(s.DatasetWeights), len(data))
	}
	if err := validate(data); err != nil {
		return nil, err
	}
	h := &Hybrid{cfg: s, rng: newMainPCG(s.Seed), pools: make([]pool, len(data))}
	dw := make([]float64, len(data))
	var allLangs []datasets.Lang // every language of the data, with repeats
	for i := range data {
		d := &data[i]
		p := &h.pools[i]
		p.name, p.tuples = d.Name, d.Tuples
		dw[i] = weightOf(s.DatasetWeighting, float64(len(d.Tuples)), s.DatasetTemperature, s.DatasetWeights, i)
		all, err := h.setLanguages(p, d)
		if err != nil {
			return nil, err
		}
		allLangs = append(allLangs, all...)
	}
	for l := range s.LangWeights {
		if !slices.Contains(allLangs, l) {
			return nil, cfgErr("LangWeights names language %q, which no dataset has", l)
		}
	}
	total := 0.0
	for _, w := range dw {
		total += w
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return nil, cfgErr("dataset weights %v have no positive finite total", dw)
	}
	h.index()
	for i := range h.pools {
		h.pools[i].weight = dw[i] / total
		h.setMasks(&h.pools[i])
	}
	h.poolW = quantize(nil, dw)
	crossF := make([]float64, len(h.pools))
	for i, p := range h.pools {
		crossF[i] = p.weight * (1 - p.monoP)
	}
	if wantsCross(s) {
		if !slices.ContainsFunc(crossF, func(w float64) bool { return w > 0 }) {
			return nil, dataErr("%v asks for cross-lingual batches, but no dataset has a tuple in two languages (use Strategy XXMono or XX)", strategyDesc(s))
		}
		h.crossW = quantize(nil, crossF)
	}
	if err := h.checkFeasible(); err != nil {
		return nil, err
	}
	h.mixF = make([]float64, len(h.pools))
	h.mixW = make([]uint64, len(h.pools))
	return h, nil
}

func wantsCross(s settings) bool { return s.Strategy != XX && s.alpha < 1 }

func strategyDesc(s settings) string {
	if s.Strategy == AlphaMixture {
		return fmt.Sprintf("Alpha = %v", s.alpha)
	}
	return "Strategy " + s.Strategy.String()
}

// validate checks the shapes of data.
func validate(data []datasets.Dataset) error {
	names := make(map[string]bool, len(data))
	for di := range data {
		d := &data[di]
		if names[d.Name] {
			return dataErr("two datasets are named %q", d.Name)
		}
		names[d.Name] = true
		if len(d.Tuples) == 0 {
			return dataErr("dataset %q has no tuples", d.Name)
		}
		if len(d.Tuples) > math.MaxInt32 {
			return dataErr("dataset %q has %d tuples, more than %d", d.Name, len(d.Tuples), math.MaxInt32)
		}
		for i := range d.Tuples {
			t := &d.Tuples[i]
			if t.Group == "" {
				return dataErr("dataset %q tuple %d has no Group", d.Name, i)
			}
			if len(t.Langs) == 0 {
				return dataErr("dataset %q tuple %d (group %q) has no languages", d.Name, i, t.Group)
			}
			for l, tr := range t.Langs {
				if badTriplet(l, tr) {
					return dataErr("dataset %q tuple %d (group %q) language %q has an empty language code, query, positive or negative", d.Name, i, t.Group, firstBad(t))
				}
			}
		}
	}
	return nil
}

func badTriplet(l datasets.Lang, tr datasets.Triplet) bool {
	return l == "" || tr.Query == "" || tr.Positive == "" || slices.Contains(tr.Negatives, "")
}

// firstBad returns the first language, in sorted order, of a bad triplet
// of t, so that the error does not depend on map order.
func firstBad(t *datasets.Tuple) datasets.Lang {
	var bad []datasets.Lang
	for l, tr := range t.Langs {
		if badTriplet(l, tr) {
			bad = append(bad, l)
		}
	}
	return slices.Min(bad)
}

func weightOf(w Weighting, size, temp float64, given []float64, i int) float64 {
	switch w {
	case Uniform:
		return 1
	case BySize:
		return size
	case ByTemperature:
		return math.Pow(size, temp)
	}
	return given[i]
}

// setLanguages weights the languages of d and keeps those of positive
// weight in p. It returns all of d's languages.
func (h *Hybrid) setLanguages(p *pool, d *datasets.Dataset) ([]datasets.Lang, error) {
	all := d.Languages()
	size := make(map[datasets.Lang]int, len(all))
	for i := range d.Tuples {
		for l := range d.Tuples[i].Langs {
			size[l]++
		}
	}
	w := make([]float64, len(all))
	for i, l := range all {
		if h.cfg.LangWeighting == ByWeights {
			x, ok := h.cfg.LangWeights[l]
			if !ok {
				return nil, cfgErr("LangWeights has no weight for language %q of dataset %q", l, d.Name)
			}
			w[i] = x
			continue
		}
		w[i] = weightOf(h.cfg.LangWeighting, float64(size[l]), h.cfg.LangTemperature, nil, 0)
	}
	total := 0.0
	for _, x := range w {
		total += x
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return nil, cfgErr("dataset %q: language weights %v have no positive finite total", d.Name, w)
	}
	for i, q := range quantize(nil, w) {
		if q > 0 {
			p.langs = append(p.langs, all[i])
			p.langW = append(p.langW, q)
			p.langP = append(p.langP, float64(q)/one53)
		}
	}
	return all, nil
}

// index builds the global language table and interns the groups.
func (h *Hybrid) index() {
	for i := range h.pools {
		h.langs = append(h.langs, h.pools[i].langs...)
	}
	slices.Sort(h.langs)
	h.langs = slices.Compact(h.langs)
	groups := make(map[string]int32)
	for i := range h.pools {
		p := &h.pools[i]
		p.local = make([]int, len(h.langs))
		for g := range p.local {
			p.local[g] = -1
		}
		for l, lang := range p.langs {
			g, _ := slices.BinarySearch(h.langs, lang)
			p.global = append(p.global, g)
			p.local[g] = l
		}
		p.gid = make([]int32, len(p.tuples))
		p.unique = true
		seenHere := make(map[int32]bool, len(p.tuples))
		for j := range p.tuples {
			g, ok := groups[p.tuples[j].Group]
			if !ok {
				g = int32(len(groups))
				groups[p.tuples[j].Group] = g
			}
			p.gid[j] = g
			if seenHere[g] {
				p.unique = false
			}
			seenHere[g] = true
		}
	}
	h.seen = make([]uint32, len(groups))
}

// setMasks records each tuple's sampled languages and the pool's
// probability of a Monolingual batch.
func (h *Hybrid) setMasks(p *pool) {
	lidx := make(map[datasets.Lang]int, len(p.langs))
	for l, lang := range p.langs {
		lidx[lang] = l
	}
	p.words = (len(p.langs) + 63) / 64
	p.masks = make([]uint64, len(p.tuples)*p.words)
	p.trips = make([]datasets.Triplet, len(p.tuples)*len(p.langs))
	p.counts = make([]uint16, len(p.tuples))
	p.complete = true
	for i := range p.tuples {
		m := p.masks[i*p.words:][:p.words]
		for lang, tr := range p.tuples[i].Langs {
			if l, ok := lidx[lang]; ok {
				m[l>>6] |= 1 << (l & 63)
				p.trips[i*len(p.langs)+l] = tr
			}
		}
		c := 0
		for _, w := range m {
			c += bits.OnesCount64(w)
		}
		p.counts[i] = uint16(min(c, math.MaxUint16))
		p.parallel = p.parallel || c >= 2
		p.complete = p.complete && c == len(p.langs)
	}
	p.monoP = 1
	if p.parallel {
		p.monoP = h.cfg.alpha
	}
	p.mono53 = prob53(p.monoP)
}
