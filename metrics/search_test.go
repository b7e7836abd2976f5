package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// tiedEmbeddings returns n rows of dimension d whose components are in
// {-1, -0.5, 0, 0.5, 1}: dot products are exact and ties are common. Ids
// are "<prefix><i>" so byte order differs from index order (x10 < x9).
func tiedEmbeddings(rng *rand.Rand, prefix string, n, d int) Embeddings {
	e := Embeddings{Dim: d, Vectors: make([]float32, n*d)}
	for i := range n {
		e.IDs = append(e.IDs, fmt.Sprintf("%s%d", prefix, i))
	}
	for i := range e.Vectors {
		e.Vectors[i] = float32(rng.IntN(5)-2) / 2
	}
	return e
}

// bruteForce ranks all candidates of query q in float64, score descending,
// then id descending.
func bruteForce(q, c Embeddings, i int) []ScoredDoc {
	docs := make([]ScoredDoc, c.Len())
	for j := range docs {
		s := 0.0
		for k := range q.Dim {
			s += float64(q.Row(i)[k]) * float64(c.Row(j)[k])
		}
		docs[j] = ScoredDoc{ID: c.IDs[j], Score: s}
	}
	SortDocs(docs)
	return docs
}

func TestSearchHits(t *testing.T) {
	rng := testRand(2)
	for _, d := range []int{1, 5, 16, 19} {
		q := tiedEmbeddings(rng, "q", 23, d)
		c := tiedEmbeddings(rng, "c", 41, d)
		for _, k := range []int{1, 4, 41, 100} {
			for _, cfg := range []SearchConfig{{}, {Workers: 1, BlockSize: 1}, {Workers: 3, BlockSize: 4}, {Workers: 8, BlockSize: 100}} {
				hits, err := SearchHits(context.Background(), q, c, k, cfg)
				if err != nil {
					t.Fatal(err)
				}
				for i := range q.Len() {
					want := bruteForce(q, c, i)[:min(k, c.Len())]
					if len(hits[i]) != len(want) {
						t.Fatalf("d=%d k=%d %+v: query %d has %d hits, want %d", d, k, cfg, i, len(hits[i]), len(want))
					}
					for r, h := range hits[i] {
						if c.IDs[h.Index] != want[r].ID || float64(h.Score) != want[r].Score {
							t.Fatalf("d=%d k=%d %+v: query %d rank %d = %s %v, want %s %v",
								d, k, cfg, i, r+1, c.IDs[h.Index], h.Score, want[r].ID, want[r].Score)
						}
					}
				}
			}
		}
	}
}

func TestSearchRun(t *testing.T) {
	rng := testRand(4)
	q, c := tiedEmbeddings(rng, "q", 10, 8), tiedEmbeddings(rng, "d", 30, 8)
	run, err := Search(context.Background(), q, c, 7, SearchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(run) != q.Len() {
		t.Fatalf("run has %d topics, want %d", len(run), q.Len())
	}
	for i, id := range q.IDs {
		want := bruteForce(q, c, i)[:7]
		if !slices.Equal(run[id], want) {
			t.Errorf("Search topic %s = %v, want %v", id, run[id], want)
		}
		docs := slices.Clone(run[id])
		SortDocs(docs)
		if !slices.Equal(docs, run[id]) {
			t.Errorf("Search topic %s is not in rank order", id)
		}
	}
}

func TestSearchNaN(t *testing.T) {
	c := Embeddings{IDs: []string{"a", "b", "c", "d"}, Dim: 1, Vectors: []float32{1, float32(math.NaN()), float32(math.Inf(-1)), float32(math.NaN())}}
	q := Embeddings{IDs: []string{"q"}, Dim: 1, Vectors: []float32{1}}
	hits, err := SearchHits(context.Background(), q, c, 4, SearchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hits[0] {
		got = append(got, c.IDs[h.Index])
	}
	// a (1), c (−Inf), then the NaNs by id descending.
	if strings.Join(got, " ") != "a c d b" {
		t.Errorf("ranking with NaN = %v, want [a c d b]", got)
	}
}

type stopAfter struct {
	calls, stop int
	last        int
	decreasing  bool
}

var errStop = errors.New("stop")

func (s *stopAfter) Record(stage string, done, total int) error {
	s.calls++
	if done < s.last || done > total || stage != "search" {
		s.decreasing = true
	}
	s.last = done
	if s.stop > 0 && s.calls >= s.stop {
		return errStop
	}
	return nil
}

func TestSearchProgressAndCancel(t *testing.T) {
	rng := testRand(6)
	q, c := tiedEmbeddings(rng, "q", 50, 4), tiedEmbeddings(rng, "d", 20, 4)
	rec := &stopAfter{}
	if _, err := SearchHits(context.Background(), q, c, 3, SearchConfig{BlockSize: 3, Workers: 2, Recorder: rec}); err != nil {
		t.Fatal(err)
	}
	if rec.decreasing || rec.last != 50 || rec.calls != 17 {
		t.Errorf("recorder saw %d calls, last %d, out of order %v; want 17 calls ending at 50", rec.calls, rec.last, rec.decreasing)
	}
	stop := &stopAfter{stop: 2}
	if _, err := SearchHits(context.Background(), q, c, 3, SearchConfig{BlockSize: 3, Recorder: stop}); !errors.Is(err, errStop) {
		t.Errorf("recorder error: got %v, want errStop", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := SearchHits(ctx, q, c, 3, SearchConfig{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
	dup := c
	dup.IDs = slices.Clone(c.IDs)
	dup.IDs[3] = dup.IDs[7]
	if _, err := SearchHits(context.Background(), q, dup, 3, SearchConfig{}); !errors.Is(err, ErrDuplicateID) {
		t.Errorf("duplicate candidate ids: got %v, want ErrDuplicateID", err)
	}
}

func TestSearchPanics(t *testing.T) {
	q := Embeddings{IDs: []string{"q"}, Dim: 2, Vectors: []float32{1, 2}}
	c := Embeddings{IDs: []string{"a"}, Dim: 2, Vectors: []float32{1, 2}}
	for _, tc := range []struct {
		name string
		f    func()
		msg  string
	}{
		{"k=0", func() { SearchHits(context.Background(), q, c, 0, SearchConfig{}) }, "metrics: k must be positive"},
		{"dim", func() {
			SearchHits(context.Background(), q, Embeddings{IDs: []string{"a"}, Dim: 1, Vectors: []float32{1}}, 1, SearchConfig{})
		}, "metrics: queries and candidates differ in Dim"},
		{"size", func() {
			SearchHits(context.Background(), q, Embeddings{IDs: []string{"a", "b"}, Dim: 2, Vectors: []float32{1, 2}}, 1, SearchConfig{})
		}, "metrics: candidates has 2 values, want len(IDs)×Dim = 4"},
		{"workers", func() { SearchHits(context.Background(), q, c, 1, SearchConfig{Workers: -1}) }, "metrics: negative Workers or BlockSize"},
	} {
		func() {
			defer func() {
				if r := recover(); r != tc.msg {
					t.Errorf("%s: panic %v, want %q", tc.name, r, tc.msg)
				}
			}()
			tc.f()
		}()
	}
}

// TestEvaluateLAReQABruteForce checks the rank counting of EvaluateLAReQA
// against full sorts of each pool, with many ties.
func TestEvaluateLAReQABruteForce(t *testing.T) {
	rng := testRand(8)
	langs := []string{"de", "en", "zh"}
	const groups, perLang, d = 15, 25, 6
	var q, c Embeddings
	qrels := Qrels{}
	for _, l := range langs {
		qq := tiedEmbeddings(rng, l+"_q", groups, d)
		for i := range groups {
			q.IDs = append(q.IDs, fmt.Sprintf("g%d_%s", i, l))
			q.Langs = append(q.Langs, l)
		}
		q.Vectors = append(q.Vectors, qq.Vectors...)
		cc := tiedEmbeddings(rng, l+"_", perLang, d)
		c.IDs = append(c.IDs, cc.IDs...)
		for range perLang {
			c.Langs = append(c.Langs, l)
		}
		c.Vectors = append(c.Vectors, cc.Vectors...)
	}
	q.Dim, c.Dim = d, d
	for i := range groups {
		for _, l := range langs {
			rel := map[string]int{}
			for _, l2 := range langs {
				if i%4 == 3 && l2 == "zh" {
					continue // some groups lack a zh answer
				}
				rel[fmt.Sprintf("%s_%d", l2, i)] = 1
			}
			rel["nowhere"] = 1 // not a candidate: ignored
			qrels[fmt.Sprintf("g%d_%s", i, l)] = rel
		}
	}
	rep, err := EvaluateLAReQA(context.Background(), q, c, qrels, LAReQAConfig{PerQuery: true, Cutoffs: []int{1, 3}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, qr := range rep.Queries {
		qi := slices.Index(q.IDs, qr.ID)
		var ranks Ranks
		pos := 0
		for _, doc := range bruteForce(q, c, qi) {
			lang := c.Langs[slices.Index(c.IDs, doc.ID)]
			if qr.Kind != Multilingual && lang != qr.CandidateLang {
				continue
			}
			pos++
			if qrels[qr.ID][doc.ID] == 1 {
				ranks = append(ranks, pos)
			}
		}
		if !slices.Equal(ranks, qr.Ranks) {
			t.Errorf("%s %s→%s: ranks %v, want %v", qr.ID, qr.QueryLang, qr.CandidateLang, qr.Ranks, ranks)
		}
		n++
	}
	if want := 3 * groups * 4; n+skipped(rep) != want {
		t.Errorf("%d queries evaluated + %d skipped, want %d", n, skipped(rep), want)
	}
	if got := rep.Value(Crosslingual, "en", "zh", "recall@1"); math.IsNaN(got) {
		t.Errorf("no cross en→zh cell")
	}
	if c := findCell(rep, Crosslingual, "de", "zh"); c.Skipped != groups/4 {
		t.Errorf("cross de→zh skipped %d, want %d", c.Skipped, groups/4)
	}
}

func skipped(r *Report) int {
	n := 0
	for _, c := range r.Cells {
		n += c.Skipped
	}
	return n
}

func findCell(r *Report, k Kind, ql, cl string) Cell {
	for _, c := range r.Cells {
		if c.Kind == k && c.QueryLang == ql && c.CandidateLang == cl {
			return c
		}
	}
	return Cell{}
}
