package metrics

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Kind is an evaluation setting of a multilingual pool (LAReQA, arXiv
// 2408.10536 §4.2).
type Kind int

const (
	// Monolingual: queries in X against the candidates in X.
	Monolingual Kind = iota
	// Crosslingual: queries in X against the candidates in one Y ≠ X.
	Crosslingual
	// Multilingual: queries in X against the candidates of every language,
	// pooled.
	Multilingual
)

// String returns "mono", "cross" or "multi".
func (k Kind) String() string {
	switch k {
	case Monolingual:
		return "mono"
	case Crosslingual:
		return "cross"
	case Multilingual:
		return "multi"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// AllLangs is the candidate language of Multilingual cells.
const AllLangs = "all"

// LAReQAConfig configures EvaluateLAReQA. The zero value is usable.
type LAReQAConfig struct {
	// Cutoffs are the k of recall@k and hit@k; nil means 1, 10 and 100
	// (the paper reports R@1 for mono and cross, R@10 for multi).
	Cutoffs []int
	// APCutoffs are the k of map@k (LAReQA's AP@k, XTREME-R's mAP@20); nil
	// means 20, and an empty non-nil slice none.
	APCutoffs []int
	// RelevanceLevel is the smallest relevant grade of the qrels; 0 means 1.
	RelevanceLevel int
	// PerQuery keeps every query's ranks and values in Report.Queries.
	PerQuery bool
	// Search configures the scoring pass.
	Search SearchConfig
}

// EvaluateLAReQA scores every query against every candidate by dot product
// (one pass, as SearchHits) and evaluates the rankings of every setting:
// Monolingual X→X, Crosslingual X→Y for each Y ≠ X, and Multilingual
// X→all, for each query language X (queries.Langs, candidates.Langs). In a
// setting, R_q is the set of q's relevant candidates (qrels[query id],
// grade ≥ RelevanceLevel) that are in the pool; a query with an empty R_q
// is skipped, and relevant ids that are not candidates are ignored. Ranks
// are 1-based positions in the full ranking of the pool, ties broken by
// candidate id descending (trec_eval's rule; the LAReQA code's own numpy
// argsort leaves them to chance).
//
// Measures, per query: "map" (Ranks.AP), "map@k" (Ranks.APAt), "recall@k",
// "hit@k" and, in Multilingual cells only, "rank_distance"
// (Ranks.Distance); Report documents the averages. Cancellation, progress
// and errors are as in SearchHits (stage "lareqa"); duplicate query or
// candidate ids give ErrDuplicateID. It panics if Langs is nil in either
// Embeddings, a cut-off is not positive, or as SearchHits does.
func EvaluateLAReQA(ctx context.Context, queries, candidates Embeddings, qrels Qrels, cfg LAReQAConfig) (*Report, error) {
	queries.check("queries")
	candidates.check("candidates")
	if queries.Langs == nil || candidates.Langs == nil {
		panic("metrics: EvaluateLAReQA needs Langs for queries and candidates")
	}
	if queries.Dim != candidates.Dim {
		panic("metrics: queries and candidates differ in Dim")
	}
	cuts, apCuts := cfg.Cutoffs, cfg.APCutoffs
	if cuts == nil {
		cuts = []int{1, 10, 100}
	}
	if apCuts == nil {
		apCuts = []int{20}
	}
	for _, k := range append(slices.Clone(cuts), apCuts...) {
		if k <= 0 {
			panic("metrics: cut-offs must be positive")
		}
	}
	level := Options{RelevanceLevel: cfg.RelevanceLevel}.level()
	if _, err := tieKeys(queries.IDs); err != nil {
		return nil, fmt.Errorf("metrics: queries: %w", err)
	}
	keys, err := tieKeys(candidates.IDs)
	if err != nil {
		return nil, fmt.Errorf("metrics: candidates: %w", err)
	}
	candLangs := distinct(candidates.Langs)
	langOf := make([]int32, candidates.Len())
	for j, l := range candidates.Langs {
		li, _ := slices.BinarySearch(candLangs, l)
		langOf[j] = int32(li)
	}
	index := make(map[string]int32, candidates.Len())
	for j, id := range candidates.IDs {
		index[id] = int32(j)
	}
	// relevant[q]: q's relevant candidates, later sorted best first.
	relevant := make([][]int32, queries.Len())
	for q, id := range queries.IDs {
		for doc, g := range qrels[id] {
			if j, ok := index[doc]; ok && g >= level {
				relevant[q] = append(relevant[q], j)
			}
		}
	}
	// rankAll[q][i], rankLang[q][i]: rank of relevant[q][i] in the pooled
	// ranking and in the ranking of its own language's candidates.
	rankAll := make([][]int32, queries.Len())
	rankLang := make([][]int32, queries.Len())
	counts := make([][]int32, cfg.Search.workers())
	thresholds := make([]relThresholds, cfg.Search.workers())
	err = scan(ctx, queries, candidates, cfg.Search, "lareqa", func(w, q int, scores []float32) {
		rel := relevant[q]
		if len(rel) == 0 {
			return
		}
		slices.SortFunc(rel, func(a, b int32) int {
			switch {
			case a == b:
				return 0
			case better(scores[a], keys[a], scores[b], keys[b]):
				return -1
			}
			return 1
		})
		// cnt[l*R+p]: candidates of language l whose best-beaten relevant
		// item is rel[p] (they beat rel[p], rel[p+1], ...).
		R := len(rel)
		cnt := counts[w]
		if need := len(candLangs) * R; cap(cnt) < need {
			cnt = make([]int32, need)
			counts[w] = cnt
		}
		cnt = cnt[:len(candLangs)*R]
		clear(cnt)
		ts, tk := thresholds[w].set(rel, scores, keys)
		ws, wk := ts[R-1], tk[R-1]
		for j, s := range scores {
			if !better(s, keys[j], ws, wk) {
				continue // most candidates rank below every relevant one
			}
			// The first relevant item that j beats: j beats all after it.
			lo, hi := 0, R-1
			for lo < hi {
				mid := (lo + hi) / 2
				if better(s, keys[j], ts[mid], tk[mid]) {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			cnt[int(langOf[j])*R+lo]++
		}
		ra, rl := make([]int32, R), make([]int32, R)
		for i, c := range rel {
			l := int(langOf[c])
			all, own := int32(1), int32(1)
			for p := 0; p <= i; p++ {
				for ll := range candLangs {
					all += cnt[ll*R+p]
				}
				own += cnt[l*R+p]
			}
			ra[i], rl[i] = all, own
		}
		rankAll[q], rankLang[q] = ra, rl
	})
	if err != nil {
		return nil, err
	}
	b := newReportBuilder(cuts, apCuts, cfg.PerQuery)
	queryLangs := distinct(queries.Langs)
	var settings []cellKey
	for _, x := range queryLangs {
		if _, ok := slices.BinarySearch(candLangs, x); ok {
			settings = append(settings, cellKey{Monolingual, x, x})
		}
	}
	for _, x := range queryLangs {
		for _, y := range candLangs {
			if y != x {
				settings = append(settings, cellKey{Crosslingual, x, y})
			}
		}
	}
	for _, x := range queryLangs {
		settings = append(settings, cellKey{Multilingual, x, AllLangs})
	}
	var ranks Ranks
	for _, s := range settings {
		b.startCell(s)
		for q, ql := range queries.Langs {
			if ql != s.queryLang {
				continue
			}
			ranks = ranks[:0]
			for i, c := range relevant[q] {
				switch {
				case s.kind == Multilingual:
					ranks = append(ranks, int(rankAll[q][i]))
				case candidates.Langs[c] == s.candLang:
					ranks = append(ranks, int(rankLang[q][i]))
				}
			}
			b.addQuery(queries.IDs[q], ranks)
		}
	}
	return b.finish(), nil
}

// relThresholds holds the scores and tie keys of a query's relevant
// candidates, best first.
type relThresholds struct {
	scores []float32
	keys   []int32
}

func (t *relThresholds) set(rel []int32, scores []float32, keys []int32) ([]float32, []int32) {
	t.scores, t.keys = t.scores[:0], t.keys[:0]
	for _, c := range rel {
		t.scores, t.keys = append(t.scores, scores[c]), append(t.keys, keys[c])
	}
	return t.scores, t.keys
}

// distinct returns the sorted distinct values of s.
func distinct(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// kahan is a Neumaier-compensated sum, so that means of many values agree
// with a correctly rounded sum (Python's math.fsum) to the last bit or so.
type kahan struct{ sum, c float64 }

func (k *kahan) add(x float64) {
	t := k.sum + x
	if math.Abs(k.sum) >= math.Abs(x) {
		k.c += (k.sum - t) + x
	} else {
		k.c += (x - t) + k.sum
	}
	k.sum = t
}

func (k *kahan) value() float64 { return k.sum + k.c }
