package metrics

import (
	"fmt"
	"math"
	"slices"
)

// TopicSelection chooses which topics Evaluate scores and averages. Run
// topics without qrels are never evaluated (trec_eval ignores them too).
type TopicSelection int

const (
	// TopicsTrecEval is trec_eval 10.0 without -c: every qrels topic must
	// be in the run; the first one (in byte order) that is not gives a
	// *TopicError wrapping ErrMissingTopic.
	TopicsTrecEval TopicSelection = iota
	// TopicsComplete is trec_eval -c: every qrels topic is evaluated; one
	// missing from the run scores 0 on every measure (num_ret 0, num_rel
	// its R) and counts in the means.
	TopicsComplete
	// TopicsCommon evaluates the topics in both the qrels and the run, as
	// trec_eval 9.x did silently without -c.
	TopicsCommon
)

// String returns "trec_eval", "complete" or "common".
func (s TopicSelection) String() string {
	switch s {
	case TopicsTrecEval:
		return "trec_eval"
	case TopicsComplete:
		return "complete"
	case TopicsCommon:
		return "common"
	}
	return fmt.Sprintf("TopicSelection(%d)", int(s))
}

// Options are the settings of Evaluate and EvaluateTopic. The zero value is
// trec_eval's default.
type Options struct {
	// Topics selects the topics; the zero value is TopicsTrecEval.
	Topics TopicSelection
	// RelevanceLevel is the smallest relevant grade, trec_eval's -l: 0
	// means 1, and a negative value means 0 (grade 0 relevant). It affects
	// the binary measures and R, not nDCG gains.
	RelevanceLevel int
	// MaxDocs keeps the first MaxDocs documents of each ranking, trec_eval's
	// -M; 0 means all.
	MaxDocs int
}

func (o Options) level() int {
	switch {
	case o.RelevanceLevel == 0:
		return 1
	case o.RelevanceLevel < 0:
		return 0
	}
	return o.RelevanceLevel
}

func (o Options) check() {
	if o.Topics < TopicsTrecEval || o.Topics > TopicsCommon {
		panic("metrics: unknown topic selection " + o.Topics.String())
	}
	if o.MaxDocs < 0 {
		panic("metrics: negative MaxDocs")
	}
}

// Results holds per-topic values and trec_eval's "all" line.
type Results struct {
	// Measures are the measures computed, in the order asked for.
	Measures []Measure
	// Topics are the evaluated topics in byte order, trec_eval's order.
	Topics []string
	// Values[t][m] is measure Measures[m] of topic Topics[t].
	Values [][]float64
	// All is trec_eval's "all" line: the mean over Topics, summed in topic
	// order and divided by len(Topics), except for num_ret, num_rel and
	// num_rel_ret, which are sums, and gm_map, a geometric mean.
	All []float64
}

// Value returns the value of measure m for topic, and whether both exist.
func (r *Results) Value(topic string, m Measure) (float64, bool) {
	t, ok := slices.BinarySearch(r.Topics, topic)
	i := slices.Index(r.Measures, m)
	if !ok || i < 0 {
		return 0, false
	}
	return r.Values[t][i], true
}

// Evaluate computes measures for every selected topic of run against qrels
// and their "all" line, exactly as trec_eval 10.0 does (see the package
// documentation for every convention). It does not modify qrels or run.
//
// Errors are *TopicError values: ErrMissingTopic (TopicsTrecEval only) or
// ErrDuplicateDoc (a document twice in one topic of run), reported for the
// first topic in byte order that has one, and ErrNoTopics, unwrapped, when
// no topic is selected. It panics if a measure or opt is invalid.
func Evaluate(qrels Qrels, run Run, measures []Measure, opt Options) (*Results, error) {
	for _, m := range measures {
		m.check()
	}
	opt.check()
	res := &Results{Measures: slices.Clone(measures)}
	for _, topic := range qrels.Topics() {
		_, inRun := run[topic]
		switch {
		case inRun, opt.Topics == TopicsComplete:
			res.Topics = append(res.Topics, topic)
		case opt.Topics == TopicsTrecEval:
			return nil, &TopicError{Topic: topic, Err: ErrMissingTopic}
		}
	}
	if len(res.Topics) == 0 {
		return nil, ErrNoTopics
	}
	var e evaluator
	res.Values = make([][]float64, len(res.Topics))
	for t, topic := range res.Topics {
		v := make([]float64, len(measures))
		if dup, ok := e.topic(v, qrels[topic], run[topic], measures, opt); !ok {
			return nil, &TopicError{Topic: topic, Doc: dup, Err: ErrDuplicateDoc}
		}
		res.Values[t] = v
	}
	res.All = make([]float64, len(measures))
	for m, meas := range measures {
		if meas.Kind == GMMAP {
			res.All[m] = geometricMean(res, m)
			continue
		}
		sum := 0.0
		for t := range res.Topics {
			sum += res.Values[t][m]
		}
		if !meas.IsCount() {
			sum /= float64(len(res.Topics))
		}
		res.All[m] = sum
	}
	return res, nil
}

// minGeoMean is trec_eval's MIN_GEO_MEAN, the floor of the values that
// gm_map averages in log space.
const minGeoMean = 1e-5

// geometricMean is gm_map's "all" value from the per-topic values in
// column m: exp of the mean of ln(max(value, 1e-5)), summed in topic order.
// The logarithms and the exponential are correctly rounded, as the C
// library's are in all but rare cases, so that the bits agree with
// trec_eval's. (trec_eval -c scores a missing topic on an empty ranking, as
// Evaluate does, so its "patch-up" term for missing topics adds nothing.)
func geometricMean(res *Results, m int) float64 {
	sum := 0.0
	for t := range res.Topics {
		sum += lnExact(max(res.Values[t][m], minGeoMean))
	}
	return expExact(sum / float64(len(res.Topics)))
}

// EvaluateTopic returns the measures of one topic: docs, in any order,
// against judgements (document → grade). Options.Topics plays no part. It
// does not modify its arguments. A document twice in docs gives an error
// wrapping ErrDuplicateDoc. It panics if a measure or opt is invalid.
func EvaluateTopic(judgements map[string]int, docs []ScoredDoc, measures []Measure, opt Options) ([]float64, error) {
	for _, m := range measures {
		m.check()
	}
	opt.check()
	var e evaluator
	v := make([]float64, len(measures))
	if dup, ok := e.topic(v, judgements, docs, measures, opt); !ok {
		return nil, fmt.Errorf("%w %q", ErrDuplicateDoc, dup)
	}
	return v, nil
}

// unjudged marks a retrieved document that has no qrels line.
const unjudged = math.MinInt

// evaluator holds buffers reused across topics.
type evaluator struct {
	docs      []ScoredDoc
	rels      []int // grade of each ranked document, or unjudged
	ideal     []int // grades > 0, descending
	numNonRel int   // judged non-relevant documents in the qrels: 0 ≤ grade < level
	seen      map[string]struct{}
}

// topic writes the measures of one topic to dst. It returns the id of a
// duplicated document and false if docs has one.
func (e *evaluator) topic(dst []float64, judgements map[string]int, docs []ScoredDoc, measures []Measure, opt Options) (string, bool) {
	level := opt.level()
	e.docs = append(e.docs[:0], docs...)
	SortDocs(e.docs)
	if e.seen == nil {
		e.seen = make(map[string]struct{}, len(docs))
	}
	clear(e.seen)
	for _, d := range e.docs {
		if _, dup := e.seen[d.ID]; dup {
			return d.ID, false
		}
		e.seen[d.ID] = struct{}{}
	}
	numRet := len(e.docs)
	if opt.MaxDocs > 0 {
		numRet = min(numRet, opt.MaxDocs)
	}
	e.rels = e.rels[:0]
	for _, d := range e.docs[:numRet] {
		g, ok := judgements[d.ID]
		if !ok {
			g = unjudged
		}
		e.rels = append(e.rels, g)
	}
	numRel := 0
	e.numNonRel = 0
	e.ideal = e.ideal[:0]
	for _, g := range judgements {
		if g >= level && g >= 0 {
			numRel++
		} else if g >= 0 {
			e.numNonRel++
		}
		if g > 0 {
			e.ideal = append(e.ideal, g)
		}
	}
	slices.Sort(e.ideal)
	slices.Reverse(e.ideal)
	for i, m := range measures {
		dst[i] = e.measure(m, level, numRel)
	}
	return "", true
}

// relIn counts the relevant documents in the top k of the ranking.
func (e *evaluator) relIn(k, level int) int {
	n := 0
	for _, g := range e.rels[:min(k, len(e.rels))] {
		if g >= level {
			n++
		}
	}
	return n
}

// iprecAtRecall is trec_eval's interpolated precision at a recall level:
// the largest precision at any rank at or below the rank where the
// relevant documents retrieved reach round(level·R). Levels that the
// ranking never reaches give 0.
func (e *evaluator) iprecAtRecall(recallLevel float64, level, numRel int) float64 {
	numRet := len(e.rels)
	if numRet == 0 {
		return 0
	}
	numRelRet := e.relIn(numRet, level)
	cut := int(math.Round(recallLevel * float64(numRel))) // C's lround: halves away from zero
	if cut > numRelRet {
		return 0
	}
	// Walk up from the bottom of the ranking keeping the running maximum
	// of precision, as trec_eval does, until the relevant document that
	// brings the count to cut.
	best := float64(numRelRet) / float64(numRet)
	relSoFar := numRelRet
	for i := numRet; i > 0 && relSoFar > 0; i-- {
		best = max(best, float64(relSoFar)/float64(i))
		if e.rels[i-1] >= level {
			if relSoFar == cut {
				return best
			}
			relSoFar--
		}
	}
	return best
}

// measure computes one measure with trec_eval's order of operations, so
// that values are bit-identical to trec_eval's.
func (e *evaluator) measure(m Measure, level, numRel int) float64 {
	numRet := len(e.rels)
	switch m.Kind {
	case NumRet:
		return float64(numRet)
	case NumRel:
		return float64(numRel)
	case NumRelRet:
		return float64(e.relIn(numRet, level))
	case MAP, MAPCut, GMMAP:
		k := numRet
		if m.Kind == MAPCut {
			k = min(k, m.Cutoff)
		}
		relSoFar, sum := 0, 0.0
		for i, g := range e.rels[:k] {
			if g >= level {
				relSoFar++
				sum += float64(relSoFar) / float64(i+1)
			}
		}
		if relSoFar == 0 || numRel == 0 {
			return 0
		}
		return sum / float64(numRel)
	case Bpref:
		// trec_eval skips unjudged documents and negative grades, and
		// compares the judged non-relevant ones above each relevant one
		// with at most R of them.
		nonRelSoFar, sum := 0, 0.0
		for _, g := range e.rels {
			switch {
			case g < 0: // unjudged or a negative grade
			case g < level:
				nonRelSoFar++
			case nonRelSoFar > 0:
				sum += 1 - float64(min(nonRelSoFar, numRel))/float64(min(e.numNonRel, numRel))
			default:
				sum++
			}
		}
		if numRel > 0 {
			sum /= float64(numRel)
		}
		return sum
	case IPrecAtRecall:
		return e.iprecAtRecall(m.Level, level, numRel)
	case RPrec:
		n := min(numRet, numRel)
		if n == 0 {
			return 0
		}
		return float64(e.relIn(n, level)) / float64(numRel)
	case RecipRank:
		k := numRet
		if m.Cutoff > 0 {
			k = min(k, m.Cutoff)
		}
		for i, g := range e.rels[:k] {
			if g >= level {
				return 1 / float64(i+1)
			}
		}
		return 0
	case P:
		return float64(e.relIn(m.Cutoff, level)) / float64(m.Cutoff)
	case Recall:
		if numRel == 0 {
			return 0
		}
		return float64(e.relIn(m.Cutoff, level)) / float64(numRel)
	case Success:
		if e.relIn(m.Cutoff, level) > 0 {
			return 1
		}
		return 0
	case NDCG, NDCGCut:
		k := math.MaxInt
		if m.Kind == NDCGCut {
			k = m.Cutoff
		}
		dcg := 0.0
		for i, g := range e.rels[:min(k, numRet)] {
			if g > 0 {
				dcg += float64(g) / log2Rank(i)
			}
		}
		idcg := 0.0
		for i, g := range e.ideal[:min(k, len(e.ideal))] {
			idcg += float64(g) / log2Rank(i)
		}
		if idcg > 0 {
			return dcg / idcg
		}
		return 0
	}
	panic("metrics: unknown measure " + m.String())
}
