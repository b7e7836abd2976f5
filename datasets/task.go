package datasets

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/polyret/polyret/metrics"
)

// QueryLanguages returns the sorted languages of t's queries.
func (t *Task) QueryLanguages() []Lang {
	return sortedLangs(t.Queries, func(q *Query) Lang { return q.Lang })
}

// CandidateLanguages returns the sorted languages of t's candidates.
func (t *Task) CandidateLanguages() []Lang {
	return sortedLangs(t.Candidates, func(c *Candidate) Lang { return c.Lang })
}

func sortedLangs[T any](items []T, lang func(*T) Lang) []Lang {
	var langs []Lang
	seen := make(map[Lang]bool)
	for i := range items {
		if l := lang(&items[i]); !seen[l] {
			seen[l] = true
			langs = append(langs, l)
		}
	}
	slices.Sort(langs)
	return langs
}

// QueryTexts returns the texts of t's queries, in order.
func (t *Task) QueryTexts() []string {
	texts := make([]string, len(t.Queries))
	for i, q := range t.Queries {
		texts[i] = q.Text
	}
	return texts
}

// CandidateTexts returns the texts of t's candidates, in order.
func (t *Task) CandidateTexts() []string {
	texts := make([]string, len(t.Candidates))
	for i, c := range t.Candidates {
		texts[i] = c.Text
	}
	return texts
}

// Mono returns the monolingual task of lang: t's queries in lang against
// t's candidates in lang.
func (t *Task) Mono(lang Lang) *Task {
	return t.restrict(Mono, lang, lang)
}

// Cross returns the cross-lingual task from query to cand: t's queries in
// language query against t's candidates in language cand. A query with no
// relevant candidate in cand is left out (in MLQA-R a question exists in
// only some languages). It panics if query == cand.
func (t *Task) Cross(query, cand Lang) *Task {
	if query == cand {
		panic("datasets: Cross with the same query and candidate language; use Mono")
	}
	return t.restrict(Cross, query, cand)
}

// Multi returns the multilingual task of lang: t's queries in lang against
// all of t's candidates, which the returned task shares with t.
func (t *Task) Multi(lang Lang) *Task {
	return t.restrict(Multi, lang, "")
}

// Subtasks returns every task of setting s derivable from t: Mono and
// Multi give one task per query language, Cross one per ordered pair of
// distinct query and candidate languages. Tasks left without queries are
// omitted. The order is by query language, then candidate language.
func (t *Task) Subtasks(s Setting) []*Task {
	var tasks []*Task
	candLangs := t.CandidateLanguages()
	for _, q := range t.QueryLanguages() {
		switch s {
		case Mono:
			if _, ok := slices.BinarySearch(candLangs, q); ok {
				tasks = append(tasks, t.Mono(q))
			}
		case Cross:
			for _, c := range candLangs {
				if c != q {
					tasks = append(tasks, t.Cross(q, c))
				}
			}
		case Multi:
			tasks = append(tasks, t.Multi(q))
		default:
			panic("datasets: invalid Setting")
		}
	}
	return slices.DeleteFunc(tasks, func(t *Task) bool { return len(t.Queries) == 0 })
}

// restrict returns the task of setting s with queries in ql and candidates
// in cl (every language when cl is "").
func (t *Task) restrict(s Setting, ql, cl Lang) *Task {
	name := t.Name + "/" + s.String() + "/" + string(ql)
	if s == Cross {
		name += "-" + string(cl)
	}
	u := t.filter(name, func(q *Query) bool { return q.Lang == ql },
		func(c *Candidate) bool { return cl == "" || c.Lang == cl }, cl == "")
	u.Setting, u.QueryLang, u.CandidateLang = s, ql, cl
	return u
}

// filter returns a copy of t with the queries and candidates that keep
// accepts and the qrels between them. A query left with no relevant
// candidate is dropped. With allCands, keepCand accepts every candidate:
// the candidates slice is shared and qrels entries are kept whole.
func (t *Task) filter(name string, keepQuery func(*Query) bool, keepCand func(*Candidate) bool, allCands bool) *Task {
	u := &Task{Name: name, Setting: t.Setting, QueryLang: t.QueryLang, CandidateLang: t.CandidateLang,
		Qrels: make(metrics.Qrels)}
	var kept map[string]bool
	if allCands {
		u.Candidates = t.Candidates
	} else {
		kept = make(map[string]bool)
		for i := range t.Candidates {
			if c := &t.Candidates[i]; keepCand(c) {
				u.Candidates = append(u.Candidates, *c)
				kept[c.ID] = true
			}
		}
	}
	for i := range t.Queries {
		q := &t.Queries[i]
		if !keepQuery(q) {
			continue
		}
		rel := make(map[string]int)
		relevant := false
		for id, grade := range t.Qrels[q.ID] {
			if kept == nil || kept[id] {
				rel[id] = grade
				relevant = relevant || grade > 0
			}
		}
		if relevant {
			u.Queries = append(u.Queries, *q)
			u.Qrels[q.ID] = rel
		}
	}
	return u
}

// SplitByArticle splits t into a training and a held-out test task by
// article, so that no paragraph, and no question's translation, is on both
// sides. Articles linked by a question (the same question id in the
// articles of several languages) form one unit; in XQuAD-R a unit is the
// same article in all 11 languages. The units are shuffled with seed and
// the first round(testFraction × units) go to test. Candidates and queries
// of a unit go with it; a query with no relevant candidate is dropped, as
// in Mono. The split depends only on t, testFraction and seed. The tasks are
// named t.Name + "/train" and "/test"; t is not modified. It panics if
// testFraction is not in [0, 1].
func (t *Task) SplitByArticle(testFraction float64, seed uint64) (train, test *Task) {
	if !(testFraction >= 0 && testFraction <= 1) {
		panic("datasets: SplitByArticle fraction outside [0, 1]")
	}
	type article struct {
		lang Lang
		n    int
	}
	index := make(map[article]int) // article → node
	var nodes []article
	node := func(c *Candidate) int {
		a := article{c.Lang, c.Article}
		i, ok := index[a]
		if !ok {
			i = len(nodes)
			index[a] = i
			nodes = append(nodes, a)
		}
		return i
	}
	byID := make(map[string]int, len(t.Candidates))
	candNode := make([]int, len(t.Candidates))
	for i := range t.Candidates {
		byID[t.Candidates[i].ID] = i
		candNode[i] = node(&t.Candidates[i])
	}
	parent := make([]int, len(nodes))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	groupNode := make(map[string]int) // group → a node of its unit
	for _, q := range t.Queries {
		for id, grade := range t.Qrels[q.ID] {
			ci, ok := byID[id]
			if !ok || grade <= 0 {
				continue
			}
			n := candNode[ci]
			if g, ok := groupNode[q.Group]; ok {
				parent[find(n)] = find(g)
			} else {
				groupNode[q.Group] = n
			}
		}
	}
	// Units, ordered by their smallest article, then shuffled.
	unitKey := make(map[int]article)
	for i, a := range nodes {
		r := find(i)
		if k, ok := unitKey[r]; !ok || cmp.Or(cmp.Compare(a.lang, k.lang), cmp.Compare(a.n, k.n)) < 0 {
			unitKey[r] = a
		}
	}
	roots := make([]int, 0, len(unitKey))
	for r := range unitKey {
		roots = append(roots, r)
	}
	slices.SortFunc(roots, func(a, b int) int {
		ka, kb := unitKey[a], unitKey[b]
		return cmp.Or(cmp.Compare(ka.lang, kb.lang), cmp.Compare(ka.n, kb.n))
	})
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	rng.Shuffle(len(roots), func(i, j int) { roots[i], roots[j] = roots[j], roots[i] })
	nTest := int(math.Round(testFraction * float64(len(roots))))
	isTest := make(map[int]bool, nTest)
	for _, r := range roots[:nTest] {
		isTest[r] = true
	}
	candTest := func(c *Candidate) bool { return isTest[find(candNode[byID[c.ID]])] }
	queryTest := func(q *Query) bool {
		n, ok := groupNode[q.Group]
		return ok && isTest[find(n)]
	}
	train = t.filter(t.Name+"/train", func(q *Query) bool { return !queryTest(q) },
		func(c *Candidate) bool { return !candTest(c) }, false)
	test = t.filter(t.Name+"/test", queryTest, candTest, false)
	return train, test
}
