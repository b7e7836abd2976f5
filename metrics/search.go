package metrics

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// A Recorder receives progress reports from long operations: stage names
// the work ("search", "lareqa"), done of total units are finished. Calls
// come from one goroutine at a time, with done increasing. A non-nil error
// stops the work, and the operation returns it wrapped. Record must not
// retain or modify anything.
type Recorder interface {
	Record(stage string, done, total int) error
}

// ErrDuplicateID: two rows of an Embeddings share an id.
var ErrDuplicateID = errors.New("duplicate id")

// Embeddings is a row-major float32 matrix of len(IDs) vectors of Dim
// components, with an id and optionally a language code per row.
type Embeddings struct {
	IDs     []string
	Langs   []string  // nil, or one language code per row (needed by EvaluateLAReQA)
	Vectors []float32 // len(IDs)*Dim values; row i is Vectors[i*Dim:(i+1)*Dim]
	Dim     int
}

// Len returns the number of rows.
func (e Embeddings) Len() int { return len(e.IDs) }

// Row returns the vector of row i (sharing memory with e.Vectors).
func (e Embeddings) Row(i int) []float32 { return e.Vectors[i*e.Dim : (i+1)*e.Dim : (i+1)*e.Dim] }

func (e Embeddings) check(what string) {
	switch {
	case e.Dim <= 0:
		panic("metrics: " + what + ".Dim must be positive")
	case len(e.Vectors) != len(e.IDs)*e.Dim:
		panic(fmt.Sprintf("metrics: %s has %d values, want len(IDs)×Dim = %d", what, len(e.Vectors), len(e.IDs)*e.Dim))
	case e.Langs != nil && len(e.Langs) != len(e.IDs):
		panic("metrics: " + what + ".Langs length differs from IDs")
	}
}

// SearchConfig configures Search and EvaluateLAReQA. The zero value is
// usable.
type SearchConfig struct {
	// Workers is the number of goroutines scoring blocks; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// BlockSize is the number of queries scored at a time by one worker;
	// each worker holds BlockSize × (number of candidates) float32 scores.
	// 0 means 96.
	BlockSize int
	// Recorder, if not nil, receives the number of queries done after each
	// block.
	Recorder Recorder
}

func (c SearchConfig) workers() int {
	if c.Workers < 0 || c.BlockSize < 0 {
		panic("metrics: negative Workers or BlockSize")
	}
	if c.Workers == 0 {
		return runtime.GOMAXPROCS(0)
	}
	return c.Workers
}

func (c SearchConfig) blockSize() int {
	if c.BlockSize == 0 {
		return 96
	}
	return c.BlockSize
}

// tieKeys returns, per row, the position of its id in byte order, so that
// comparing keys compares ids; it fails on a duplicate id.
func tieKeys(ids []string) ([]int32, error) {
	idx := make([]int32, len(ids))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return strings.Compare(ids[a], ids[b]) })
	keys := make([]int32, len(ids))
	for pos, i := range idx {
		if pos > 0 && ids[i] == ids[idx[pos-1]] {
			return nil, fmt.Errorf("%w %q", ErrDuplicateID, ids[i])
		}
		keys[i] = int32(pos)
	}
	return keys, nil
}

// better reports whether (sa, ka) ranks before (sb, kb): a higher score,
// then a greater id key; NaN below everything.
func better(sa float32, ka int32, sb float32, kb int32) bool {
	if sa > sb {
		return true
	}
	if sa < sb {
		return false
	}
	if sa == sb {
		return ka > kb
	}
	an, bn := sa != sa, sb != sb
	if an && bn {
		return ka > kb
	}
	return bn
}

// scan scores every query against every candidate, one block of queries per
// worker at a time, and calls visit(worker, query, scores) with the query's
// row of candidate scores, valid during the call only. Calls with the same
// worker number never overlap.
func scan(ctx context.Context, queries, cands Embeddings, cfg SearchConfig, stage string,
	visit func(worker, query int, scores []float32)) error {
	n, m, d := queries.Len(), cands.Len(), queries.Dim
	workers, bs := cfg.workers(), cfg.blockSize()
	nblocks := (n + bs - 1) / bs
	workers = max(1, min(workers, nblocks))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	setErr := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	for w := range workers {
		wg.Go(func() {
			scores := make([]float32, bs*m)
			for {
				b := int(next.Add(1) - 1)
				if b >= nblocks {
					return
				}
				if err := ctx.Err(); err != nil {
					setErr(err)
					return
				}
				q0, q1 := b*bs, min(n, (b+1)*bs)
				scoreBlock(scores, queries.Vectors[q0*d:q1*d], q1-q0, cands.Vectors, m, d)
				for q := q0; q < q1; q++ {
					visit(w, q, scores[(q-q0)*m:(q-q0+1)*m])
				}
				if cfg.Recorder != nil {
					mu.Lock()
					done += q1 - q0
					var err error
					if firstErr == nil {
						err = cfg.Recorder.Record(stage, done, n)
					}
					mu.Unlock()
					if err != nil {
						setErr(fmt.Errorf("metrics: %s stopped by recorder: %w", stage, err))
						return
					}
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// A Hit is a candidate found by SearchHits: its row index in the candidate
// Embeddings and its score.
type Hit struct {
	Index int
	Score float32
}

// SearchHits returns, for every query row, the k candidates with the
// highest dot product, best first. Ties are broken as trec_eval breaks them:
// by candidate id, descending in byte order; a NaN score ranks last. k
// larger than the number of candidates gives the full ranking. Scores are
// float32 sums (see the package documentation on accuracy).
//
// The work is split into blocks of queries over cfg.Workers goroutines;
// memory is O(Workers × BlockSize × candidates), not O(queries ×
// candidates). SearchHits checks ctx between blocks and returns ctx.Err()
// if it is cancelled; an error from cfg.Recorder stops it too. Candidate
// ids must be distinct (ErrDuplicateID). It panics if k ≤ 0, if either
// Embeddings is inconsistent, or if their Dim differ.
func SearchHits(ctx context.Context, queries, candidates Embeddings, k int, cfg SearchConfig) ([][]Hit, error) {
	if k <= 0 {
		panic("metrics: k must be positive")
	}
	queries.check("queries")
	candidates.check("candidates")
	if queries.Dim != candidates.Dim {
		panic("metrics: queries and candidates differ in Dim")
	}
	keys, err := tieKeys(candidates.IDs)
	if err != nil {
		return nil, fmt.Errorf("metrics: candidates: %w", err)
	}
	k = min(k, candidates.Len())
	out := make([][]Hit, queries.Len())
	if k == 0 || queries.Len() == 0 {
		for i := range out {
			out[i] = []Hit{}
		}
		return out, nil
	}
	heaps := make([]topK, cfg.workers())
	err = scan(ctx, queries, candidates, cfg, "search", func(w, q int, scores []float32) {
		h := &heaps[w]
		h.reset(k)
		for j, s := range scores {
			h.offer(s, keys[j], int32(j))
		}
		out[q] = h.drain()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Search is SearchHits returning a Run: topic = query id, documents =
// candidate ids with their float32 scores converted exactly to float64, so
// that Evaluate ranks them as SearchHits did. Query ids must be distinct
// (ErrDuplicateID).
func Search(ctx context.Context, queries, candidates Embeddings, k int, cfg SearchConfig) (Run, error) {
	queries.check("queries")
	if _, err := tieKeys(queries.IDs); err != nil {
		return nil, fmt.Errorf("metrics: queries: %w", err)
	}
	hits, err := SearchHits(ctx, queries, candidates, k, cfg)
	if err != nil {
		return nil, err
	}
	run := make(Run, len(hits))
	for q, hs := range hits {
		docs := make([]ScoredDoc, len(hs))
		for i, h := range hs {
			docs[i] = ScoredDoc{ID: candidates.IDs[h.Index], Score: float64(h.Score)}
		}
		run[queries.IDs[q]] = docs
	}
	return run, nil
}

// topK keeps the k best (score, key) pairs seen, as a heap whose root is
// the worst of them.
type topK struct {
	k      int
	scores []float32
	keys   []int32
	idx    []int32
}

func (h *topK) reset(k int) {
	h.k = k
	h.scores, h.keys, h.idx = h.scores[:0], h.keys[:0], h.idx[:0]
}

func (h *topK) offer(s float32, key, i int32) {
	if len(h.scores) < h.k {
		h.scores, h.keys, h.idx = append(h.scores, s), append(h.keys, key), append(h.idx, i)
		h.up(len(h.scores) - 1)
		return
	}
	if !better(s, key, h.scores[0], h.keys[0]) {
		return
	}
	h.scores[0], h.keys[0], h.idx[0] = s, key, i
	h.down(0)
}

// worse reports whether element a ranks after element b.
func (h *topK) worse(a, b int) bool { return better(h.scores[b], h.keys[b], h.scores[a], h.keys[a]) }

func (h *topK) swap(a, b int) {
	h.scores[a], h.scores[b] = h.scores[b], h.scores[a]
	h.keys[a], h.keys[b] = h.keys[b], h.keys[a]
	h.idx[a], h.idx[b] = h.idx[b], h.idx[a]
}

func (h *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.worse(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h *topK) down(i int) {
	n := len(h.scores)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && h.worse(r, l) {
			c = r
		}
		if !h.worse(c, i) {
			return
		}
		h.swap(i, c)
		i = c
	}
}

// drain empties the heap into a new slice, best first.
func (h *topK) drain() []Hit {
	out := make([]Hit, len(h.scores))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = Hit{Index: int(h.idx[0]), Score: h.scores[0]}
		last := len(h.scores) - 1
		h.swap(0, last)
		h.scores, h.keys, h.idx = h.scores[:last], h.keys[:last], h.idx[:last]
		h.down(0)
	}
	return out
}
