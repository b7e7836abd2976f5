package metrics

// Ranks are the 1-based positions of all relevant items of one query in a
// full ranking of a candidate pool, in ascending order; len(Ranks) is the
// number of relevant items, |R_q|. The methods do not check the order.
// With an empty Ranks (no relevant item) every method returns 0, as
// trec_eval scores a topic without relevant documents; EvaluateLAReQA
// skips such queries instead.
type Ranks []int

// AP returns the average precision over the full ranking, LAReQA's
// (google-research/xtreme utils_lareqa.average_precision_at_k with k=None):
// (1/|R|)·Σ_i i/Ranks[i-1], summed in rank order. It equals trec_eval's map
// on the same ranking.
func (r Ranks) AP() float64 {
	if len(r) == 0 {
		return 0
	}
	sum := 0.0
	for i, rank := range r {
		sum += float64(i+1) / float64(rank)
	}
	return sum / float64(len(r))
}

// APAt returns LAReQA's AP@k: the sum of AP over the top k only, divided
// by min(|R|, k) (trec_eval's map_cut.k divides by |R| instead; the two
// agree while |R| ≤ k). It panics if k ≤ 0.
func (r Ranks) APAt(k int) float64 {
	if k <= 0 {
		panic("metrics: k must be positive")
	}
	if len(r) == 0 {
		return 0
	}
	sum := 0.0
	for i, rank := range r {
		if rank > k {
			break
		}
		sum += float64(i+1) / float64(rank)
	}
	return sum / float64(min(len(r), k))
}

// countAt returns the number of ranks ≤ k.
func (r Ranks) countAt(k int) int {
	n := 0
	for _, rank := range r {
		if rank <= k {
			n++
		}
	}
	return n
}

// RecallAt returns |R ∩ top k| / |R|. It panics if k ≤ 0.
func (r Ranks) RecallAt(k int) float64 {
	if k <= 0 {
		panic("metrics: k must be positive")
	}
	if len(r) == 0 {
		return 0
	}
	return float64(r.countAt(k)) / float64(len(r))
}

// HitAt returns 1 if a relevant item is in the top k, else 0 (trec_eval's
// success.k). It panics if k ≤ 0.
func (r Ranks) HitAt(k int) float64 {
	if k <= 0 {
		panic("metrics: k must be positive")
	}
	if len(r) > 0 && r[0] <= k {
		return 1
	}
	return 0
}

// Distance returns the rank distance of arXiv 2408.10536 §4.1 (language
// bias): the last minus the first rank, 0 for fewer than two items. In
// the multilingual pool, where a query's relevant items are its parallel
// answers in every language, a large distance means the model ranks some
// languages' answers far below others.
func (r Ranks) Distance() int {
	if len(r) < 2 {
		return 0
	}
	return r[len(r)-1] - r[0]
}
