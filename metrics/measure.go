package metrics

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MeasureKind names a trec_eval measure. The order of the constants is the
// order in which trec_eval prints them.
type MeasureKind int

// The measures, with trec_eval's names. "Relevant" means a grade of at
// least the relevance level; R is the number of relevant documents in the
// qrels of the topic, retrieved or not; k is the measure's cut-off.
const (
	NumRet        MeasureKind = iota + 1 // num_ret: documents retrieved (after Options.MaxDocs)
	NumRel                               // num_rel: R
	NumRelRet                            // num_rel_ret: relevant documents retrieved
	MAP                                  // map: (1/R)·Σ P@rank over the relevant retrieved documents
	GMMAP                                // gm_map: map per topic; the "all" line is the geometric mean of max(map, 1e-5)
	RPrec                                // Rprec: relevant in the top min(R, num_ret), divided by R
	Bpref                                // bpref: (1/R)·Σ over relevant retrieved d of 1 − min(N_d, R)/min(N, R); N_d judged non-relevant above d, N in the qrels
	RecipRank                            // recip_rank: 1/rank of the first relevant document; with a cut-off, 0 beyond rank k
	IPrecAtRecall                        // iprec_at_recall_L: the largest precision at any rank where recall ≥ L (a recall level in [0, 1])
	P                                    // P_k: relevant in the top k, divided by k
	Recall                               // recall_k: relevant in the top k, divided by R
	NDCG                                 // ndcg: nDCG over the whole ranking
	NDCGCut                              // ndcg_cut_k: nDCG over the top k
	MAPCut                               // map_cut_k: map counting the top k only, still divided by R
	Success                              // success_k: 1 if a relevant document is in the top k
)

var kindNames = [...]string{
	NumRet: "num_ret", NumRel: "num_rel", NumRelRet: "num_rel_ret", MAP: "map", GMMAP: "gm_map",
	RPrec: "Rprec", Bpref: "bpref", RecipRank: "recip_rank", IPrecAtRecall: "iprec_at_recall",
	P: "P", Recall: "recall", NDCG: "ndcg", NDCGCut: "ndcg_cut", MAPCut: "map_cut", Success: "success",
}

// String returns trec_eval's name of the measure, such as "ndcg_cut".
func (k MeasureKind) String() string {
	if k >= NumRet && k <= Success {
		return kindNames[k]
	}
	return "MeasureKind(" + strconv.Itoa(int(k)) + ")"
}

// needsCutoff reports whether the kind requires a cut-off (trec_eval's
// "array" measures); RecipRank takes an optional one.
func (k MeasureKind) needsCutoff() bool {
	return k == P || k == Recall || k == NDCGCut || k == MAPCut || k == Success
}

// isCount reports whether the kind is an integer count, which trec_eval
// sums rather than averages and prints without decimals.
func (k MeasureKind) isCount() bool { return k == NumRet || k == NumRel || k == NumRelRet }

// A Measure is a measure kind with its cut-off or recall level. Cutoff
// must be positive for P, Recall, NDCGCut, MAPCut and Success; it is
// optional for RecipRank (0 means no cut-off, trec_eval's recip_rank; a
// positive k gives MRR@k, which trec_eval does not have) and must be 0 for
// the other kinds. Level is IPrecAtRecall's recall level, in [0, 1], and
// must be 0 for the other kinds.
type Measure struct {
	Kind   MeasureKind
	Cutoff int
	Level  float64
}

// String returns the name trec_eval prints, such as "map", "P_10",
// "ndcg_cut_10" or "iprec_at_recall_0.10" (the level with two decimals);
// RecipRank with a cut-off k is "recip_rank_k".
func (m Measure) String() string {
	if m.Kind == IPrecAtRecall {
		return m.Kind.String() + "_" + strconv.FormatFloat(m.Level, 'f', 2, 64)
	}
	if m.Cutoff > 0 {
		return m.Kind.String() + "_" + strconv.Itoa(m.Cutoff)
	}
	return m.Kind.String()
}

// IsCount reports whether m is num_ret, num_rel or num_rel_ret: an integer
// that the "all" line sums instead of averaging.
func (m Measure) IsCount() bool { return m.Kind.isCount() }

func (m Measure) check() {
	switch {
	case m.Kind < NumRet || m.Kind > Success:
		panic("metrics: unknown measure " + m.Kind.String())
	case m.Kind.needsCutoff() && m.Cutoff <= 0:
		panic("metrics: measure " + m.Kind.String() + " needs a positive cut-off")
	case m.Cutoff < 0 || (!m.Kind.needsCutoff() && m.Kind != RecipRank && m.Cutoff != 0):
		panic("metrics: bad cut-off for measure " + m.String())
	case m.Kind == IPrecAtRecall && !(m.Level >= 0 && m.Level <= 1):
		panic("metrics: recall level of " + m.Kind.String() + " outside [0, 1]")
	case m.Kind != IPrecAtRecall && m.Level != 0:
		panic("metrics: measure " + m.String() + " takes no recall level")
	}
}

// CompareMeasures orders measures as trec_eval prints them: by kind, then
// by cut-off or recall level.
func CompareMeasures(a, b Measure) int {
	if a.Kind != b.Kind {
		return int(a.Kind) - int(b.Kind)
	}
	if a.Cutoff != b.Cutoff {
		return a.Cutoff - b.Cutoff
	}
	return cmp.Compare(a.Level, b.Level)
}

// DefaultLevels returns trec_eval's default recall levels of
// IPrecAtRecall: 0, 0.1, …, 1.
func DefaultLevels() []float64 {
	return []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}
}

// DefaultCutoffs returns trec_eval's default cut-offs of a kind ("-m P"
// means P.5,10,15,20,30,100,200,500,1000; "-m success" means
// success.1,5,10), or nil for kinds without cut-offs.
func DefaultCutoffs(k MeasureKind) []int {
	switch k {
	case P, Recall, NDCGCut, MAPCut:
		return []int{5, 10, 15, 20, 30, 100, 200, 500, 1000}
	case Success:
		return []int{1, 5, 10}
	}
	return nil
}

// ParseMeasure parses one trec_eval -m argument: a name, optionally
// followed by '.' and comma-separated parameters ("map", "P.5,10",
// "ndcg_cut.10", "iprec_at_recall.0,.5,1"). Parameters are positive integer
// cut-offs, or recall levels in [0, 1] for iprec_at_recall. A name that
// takes parameters without them gets DefaultCutoffs or DefaultLevels.
// Parameters are sorted; a duplicate is an error, as in trec_eval.
// "recip_rank.k" gives MRR@k (an extension).
func ParseMeasure(spec string) ([]Measure, error) {
	name, params, hasParams := strings.Cut(spec, ".")
	kind := MeasureKind(0)
	for k := NumRet; k <= Success; k++ {
		if kindNames[k] == name {
			kind = k
		}
	}
	if kind == 0 {
		return nil, fmt.Errorf("unknown measure %q", spec)
	}
	if kind == IPrecAtRecall {
		levels := DefaultLevels()
		if hasParams {
			var err error
			if levels, err = parseParams(spec, params, "recall level", "a number in [0, 1]", func(p string) (float64, bool) {
				l, err := strconv.ParseFloat(p, 64)
				return l, err == nil && l >= 0 && l <= 1
			}); err != nil {
				return nil, err
			}
		}
		return measuresOf(levels, func(l float64) Measure { return Measure{Kind: kind, Level: l} }), nil
	}
	if !hasParams {
		cuts := DefaultCutoffs(kind)
		if cuts == nil {
			return []Measure{{Kind: kind}}, nil
		}
		return measuresOf(cuts, func(c int) Measure { return Measure{Kind: kind, Cutoff: c} }), nil
	}
	if !kind.needsCutoff() && kind != RecipRank {
		return nil, fmt.Errorf("measure %q takes no parameters", name)
	}
	cuts, err := parseParams(spec, params, "cut-off", "a positive integer", func(p string) (int, bool) {
		c, err := strconv.Atoi(p)
		return c, err == nil && c > 0
	})
	if err != nil {
		return nil, err
	}
	return measuresOf(cuts, func(c int) Measure { return Measure{Kind: kind, Cutoff: c} }), nil
}

// parseParams parses the comma-separated parameters of a measure spec with
// parse, which reports whether a parameter is valid, and sorts them; a
// duplicate is an error, as in trec_eval.
func parseParams[T int | float64](spec, params, what, want string, parse func(string) (T, bool)) ([]T, error) {
	var vals []T
	for _, p := range strings.Split(params, ",") {
		v, ok := parse(p)
		if !ok {
			return nil, fmt.Errorf("measure %q: %s %q is not %s", spec, what, p, want)
		}
		vals = append(vals, v)
	}
	slices.Sort(vals)
	if len(slices.Compact(slices.Clone(vals))) != len(vals) {
		return nil, fmt.Errorf("measure %q: duplicate %ss", spec, what)
	}
	return vals, nil
}

func measuresOf[T any](params []T, measure func(T) Measure) []Measure {
	ms := make([]Measure, len(params))
	for i, p := range params {
		ms[i] = measure(p)
	}
	return ms
}
