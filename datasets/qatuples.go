package datasets

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
)

// TupleConfig configures BuildTuples. The zero value draws one hard
// negative per triplet with seed 0.
type TupleConfig struct {
	// Negatives is the number of hard negatives per triplet. 0 means 1; a
	// negative value takes every candidate sentence, in shuffled order. A
	// paragraph with fewer other sentences gives fewer.
	Negatives int
	// Seed seeds the draw of negatives. Each (group, language) pair draws
	// from its own PCG stream, so a question gets the same negatives
	// whatever else the task holds and in whatever order.
	Seed uint64
}

// BuildTuples turns the questions of a QA task (from LoadQA, LoadXQuADR or
// SplitByArticle) into parallel training tuples, one per question id, in
// the order the ids first occur in t.Queries. For each language of the
// question, the triplet's query is the question, the positive its answer
// sentence, and the negatives other sentences of the answer's paragraph
// (never an empty one or one whose text equals the positive), drawn as cfg
// says. The dataset is named t.Name. BuildTuples does not modify t. It
// returns an error if a query does not have exactly one relevant candidate
// in its own language among t.Candidates, or if its text or its positive's
// is empty.
func BuildTuples(t *Task, cfg TupleConfig) (*Dataset, error) {
	type paragraphKey struct {
		lang               Lang
		article, paragraph int
	}
	paragraphs := make(map[paragraphKey][]int) // candidate indices
	byID := make(map[string]int, len(t.Candidates))
	for i := range t.Candidates {
		c := &t.Candidates[i]
		k := paragraphKey{c.Lang, c.Article, c.Paragraph}
		paragraphs[k] = append(paragraphs[k], i)
		byID[c.ID] = i
	}
	d := &Dataset{Name: t.Name}
	tupleOf := make(map[string]int) // group → index in d.Tuples
	for _, q := range t.Queries {
		pos := -1
		for id, grade := range t.Qrels[q.ID] {
			if ci, ok := byID[id]; ok && grade > 0 && t.Candidates[ci].Lang == q.Lang {
				if pos >= 0 {
					return nil, fmt.Errorf("datasets: BuildTuples: query %s has several relevant candidates in %s", q.ID, q.Lang)
				}
				pos = ci
			}
		}
		if pos < 0 {
			return nil, fmt.Errorf("datasets: BuildTuples: query %s has no relevant candidate in %s", q.ID, q.Lang)
		}
		p := &t.Candidates[pos]
		if q.Text == "" || p.Text == "" {
			return nil, fmt.Errorf("datasets: BuildTuples: query %s: %w: empty question or answer sentence", q.ID, ErrMissingField)
		}
		var negs []string
		if others := paragraphs[paragraphKey{p.Lang, p.Article, p.Paragraph}]; len(others) > 1 {
			negs = drawNegatives(others, t.Candidates, pos, q.Group, q.Lang, cfg)
		}
		ti, ok := tupleOf[q.Group]
		if !ok {
			ti = len(d.Tuples)
			tupleOf[q.Group] = ti
			d.Tuples = append(d.Tuples, Tuple{Group: q.Group, Langs: make(map[Lang]Triplet)})
		}
		if _, dup := d.Tuples[ti].Langs[q.Lang]; dup {
			return nil, fmt.Errorf("datasets: BuildTuples: question %s occurs twice in %s", q.Group, q.Lang)
		}
		d.Tuples[ti].Langs[q.Lang] = Triplet{Query: q.Text, Positive: p.Text, Negatives: negs}
	}
	return d, nil
}

// drawNegatives draws the hard negatives of one triplet from the sentences
// at indices others, excluding the positive at pos and copies of its text.
func drawNegatives(others []int, cands []Candidate, pos int, group string, lang Lang, cfg TupleConfig) []string {
	pool := make([]string, 0, len(others)-1)
	for _, i := range others {
		if i != pos && cands[i].Text != cands[pos].Text && cands[i].Text != "" {
			pool = append(pool, cands[i].Text)
		}
	}
	k := cfg.Negatives
	switch {
	case k == 0:
		k = 1
	case k < 0 || k > len(pool):
		k = len(pool)
	}
	if k == 0 {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(group))
	h.Write([]byte{0})
	h.Write([]byte(lang))
	rng := rand.New(rand.NewPCG(cfg.Seed, h.Sum64()))
	for i := range k { // partial Fisher–Yates
		j := i + rng.IntN(len(pool)-i)
		pool[i], pool[j] = pool[j], pool[i]
	}
	return pool[:k:k]
}
