package metrics

import "slices"

// Qrels holds relevance judgements: topic id → document id → integer grade.
// A grade of at least the relevance level (1 by default) is relevant; zero and
// negative grades are judged non-relevant. Ids are strings, never numbers, so
// "007" and "7" are different documents.
type Qrels map[string]map[string]int

// A Run holds retrieval results: topic id → retrieved documents with scores.
// The order of the documents in each slice carries no meaning: measures rank
// them by score, as trec_eval does.
type Run map[string][]ScoredDoc

// ScoredDoc is a retrieved document and the score the system gave it.
type ScoredDoc struct {
	ID    string
	Score float64
}

// Topics returns the topic ids of q in byte order (trec_eval's order).
func (q Qrels) Topics() []string { return sortedKeys(q) }

// NumRelevant returns the number of documents of topic with a grade of at
// least level, the R of trec_eval. Negative grades are never relevant.
func (q Qrels) NumRelevant(topic string, level int) int {
	n := 0
	for _, g := range q[topic] {
		if g >= level && g >= 0 {
			n++
		}
	}
	return n
}

// Topics returns the topic ids of r in byte order.
func (r Run) Topics() []string { return sortedKeys(r) }

// Sort sorts the documents of every topic of r in place into trec_eval's
// rank order (see CompareRank).
func (r Run) Sort() {
	for _, docs := range r {
		SortDocs(docs)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
