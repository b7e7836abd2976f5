package metrics

import (
	"slices"
	"strings"
)

// CompareRank orders documents as trec_eval ranks them: by score,
// descending, then by document id, descending in byte order (strcmp), so
// "d9" precedes "d10" and "7" precedes "10" when their scores are equal. A
// NaN score ranks below every other score, −Inf included. It returns a
// negative number when a ranks before b, as slices.SortFunc expects.
func CompareRank(a, b ScoredDoc) int {
	switch {
	case a.Score > b.Score:
		return -1
	case a.Score < b.Score:
		return 1
	case a.Score == b.Score:
		return strings.Compare(b.ID, a.ID)
	}
	// At least one score is NaN.
	an, bn := a.Score != a.Score, b.Score != b.Score
	switch {
	case an && bn:
		return strings.Compare(b.ID, a.ID)
	case an:
		return 1
	default:
		return -1
	}
}

// SortDocs sorts docs in place into rank order (see CompareRank).
func SortDocs(docs []ScoredDoc) { slices.SortFunc(docs, CompareRank) }
