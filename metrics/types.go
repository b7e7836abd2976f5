package metrics

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
