package loss

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"
	"github.com/nlpodyssey/spago/nn"
)

// bowEncoder is a small real spago encoder: hashed bag of words (vocab
// buckets) → tanh(X·W1) → dropout → ·W2. Its dropout masks are a function of
// the seed and the row within the Encode call.
type bowEncoder[T float.DType] struct {
	vocab   int
	w1, w2  *nn.Param
	dropout float64
	seed    uint64
	seeds   []uint64 // every SeedDropout argument, in order
	calls   int
	probe   func() // called after each Encode, graph alive
	fail    func(texts []string) error
	mangle  func(x mat.Tensor) mat.Tensor
}

func newBowEncoder[T float.DType](seed uint64, vocab, hidden, dim int, dropout float64) *bowEncoder[T] {
	r := rand.New(rand.NewPCG(seed, 99))
	mk := func(rows, cols int, scale float64) *nn.Param {
		data := make([]T, rows*cols)
		for i := range data {
			data[i] = T(r.NormFloat64() * scale)
		}
		return nn.NewParam(mat.NewDense[T](mat.WithShape(rows, cols), mat.WithBacking(data)))
	}
	return &bowEncoder[T]{vocab: vocab, w1: mk(vocab, hidden, 0.5), w2: mk(hidden, dim, 0.3), dropout: dropout}
}

func (e *bowEncoder[T]) SeedDropout(seed uint64) {
	e.seed = seed
	e.seeds = append(e.seeds, seed)
}

func (e *bowEncoder[T]) Encode(texts []string) (mat.Tensor, error) {
	e.calls++
	if e.fail != nil {
		if err := e.fail(texts); err != nil {
			return nil, err
		}
	}
	n := len(texts)
	x := make([]T, n*e.vocab)
	for i, t := range texts {
		for _, w := range strings.Fields(t) {
			h := fnv.New32a()
			h.Write([]byte(w))
			x[i*e.vocab+int(h.Sum32())%e.vocab]++
		}
	}
	hidden := e.w1.Shape()[1]
	h := ag.Tanh(ag.Mul(mat.NewDense[T](mat.WithShape(n, e.vocab), mat.WithBacking(x)), e.w1))
	if e.dropout > 0 {
		mask := make([]T, n*hidden)
		for i := range n {
			r := rand.New(rand.NewPCG(e.seed, uint64(i)))
			for k := range hidden {
				if r.Float64() >= e.dropout {
					mask[i*hidden+k] = T(1 / (1 - e.dropout))
				}
			}
		}
		h = ag.Prod(h, mat.NewDense[T](mat.WithShape(n, hidden), mat.WithBacking(mask)))
	}
	out := ag.Mul(h, e.w2)
	if e.probe != nil {
		e.probe()
	}
	if e.mangle != nil {
		return e.mangle(out), nil
	}
	return out, nil
}

func (e *bowEncoder[T]) params() []*nn.Param { return []*nn.Param{e.w1, e.w2} }

func (e *bowEncoder[T]) zeroGrad() {
	for _, p := range e.params() {
		p.ZeroGrad()
	}
}

// grads returns copies of the parameters' gradients.
func gradsOf(ps []*nn.Param) [][]float64 {
	out := make([][]float64, len(ps))
	for i, p := range ps {
		if p.HasGrad() {
			out[i] = append([]float64(nil), p.Grad().Data().F64()...)
		} else {
			out[i] = make([]float64, p.Size())
		}
	}
	return out
}

// concatRows stacks matrices by rows (test helper for chunked references).
type concatRows struct{ xs []mat.Tensor }

func (c *concatRows) Operands() []mat.Tensor { return c.xs }

func (c *concatRows) Forward() (mat.Tensor, error) {
	var data []float64
	rows := 0
	for _, x := range c.xs {
		data = append(data, x.Value().Data().F64()...)
		rows += x.Value().Shape()[0]
	}
	return mat.NewDense[float64](mat.WithShape(rows, len(data)/rows), mat.WithBacking(data)), nil
}

func (c *concatRows) Backward(gy mat.Tensor) error {
	g := gy.Data().F64()
	off := 0
	for _, x := range c.xs {
		n := x.Value().Size()
		if x.RequiresGrad() {
			x.AccGrad(mat.NewDense[float64](mat.WithShape(x.Value().Shape()...), mat.WithBacking(append([]float64(nil), g[off:off+n]...))))
		}
		off += n
	}
	return nil
}

// textBatch returns b items of made-up texts with negs hard negatives each,
// in groups of three (parallel "translations").
func textBatch(seed uint64, b, negs int) TextBatch {
	r := rand.New(rand.NewPCG(seed, 7))
	words := strings.Fields("river bank money loan water fish city tower bridge music piano song law court judge star planet moon cell gene drug tree leaf root")
	sentence := func(topic int) string {
		var sb strings.Builder
		for range 3 + r.IntN(6) {
			if r.IntN(3) == 0 {
				sb.WriteString(words[r.IntN(len(words))])
			} else {
				sb.WriteString(words[(topic*3+r.IntN(4))%len(words)])
			}
			sb.WriteByte(' ')
		}
		return sb.String()
	}
	var tb TextBatch
	for i := range b {
		tb.Queries = append(tb.Queries, sentence(i))
		tb.Positives = append(tb.Positives, sentence(i))
		for range negs {
			tb.Negatives = append(tb.Negatives, sentence(i+1))
		}
		tb.Groups = append(tb.Groups, fmt.Sprint(i/3))
	}
	return tb
}

// fullBatch is the reference: one graph over the whole batch, each role
// encoded in one call (or, with seeds, chunk by chunk with those dropout seeds
// and stacked), then InfoNCE and ag.Backward.
func fullBatch(t testing.TB, enc, penc *bowEncoder[float64], tb TextBatch, cfg Config, chunk int, seeds []uint64) float64 {
	t.Helper()
	next := 0
	encodeRole := func(e *bowEncoder[float64], texts []string) mat.Tensor {
		if len(texts) == 0 {
			return nil
		}
		if seeds == nil {
			x, err := e.Encode(texts)
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		var parts []mat.Tensor
		for i := 0; i < len(texts); i += chunk {
			e.SeedDropout(seeds[next])
			next++
			x, err := e.Encode(texts[i:min(i+chunk, len(texts))])
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, x)
		}
		return ag.NewOperator(&concatRows{parts}).Run()
	}
	b := Batch{Queries: encodeRole(enc, tb.Queries), Positives: encodeRole(penc, tb.Positives),
		Negatives: encodeRole(penc, tb.Negatives), NegativeOf: tb.NegativeOf, Groups: tb.Groups}
	l, err := InfoNCE(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ag.Backward(l); err != nil {
		t.Fatal(err)
	}
	if enc.probe != nil {
		enc.probe() // graph and gradients alive
	}
	return l.Value().Item().F64()
}

// compareGrads fails unless every gradient agrees to tol relative, measured
// against max(|want|, 1e-3·max|want| of that parameter).
func compareGrads(t *testing.T, name string, got, want [][]float64, tol float64) float64 {
	t.Helper()
	worst := 0.0
	for i := range want {
		scale := 0.0
		for _, v := range want[i] {
			scale = max(scale, math.Abs(v))
		}
		if scale == 0 {
			t.Fatalf("%s: parameter %d has no gradient in the reference", name, i)
		}
		for k, w := range want[i] {
			e := math.Abs(got[i][k]-w) / max(math.Abs(w), 1e-3*scale)
			worst = max(worst, e)
			if e > tol {
				t.Fatalf("%s: param %d grad[%d] = %.17g, full batch %.17g", name, i, k, got[i][k], w)
			}
		}
	}
	return worst
}

// TestGradCacheEqualsFullBatch compares GradCache's parameter gradients with
// backpropagation through the whole batch, float64, for several losses and
// chunk sizes, with one shared encoder and with separate passage encoder.
func TestGradCacheEqualsFullBatch(t *testing.T) {
	tb := textBatch(1, 10, 1)
	tbVar := textBatch(2, 7, 0)
	tbVar.Negatives = []string{"river water fish", "court law", "moon star", "piano"}
	tbVar.NegativeOf = []int{0, 0, 3, 6}
	worst := 0.0
	for _, tc := range []struct {
		name     string
		tb       TextBatch
		cfg      func() Config
		separate bool
	}{
		{"default", tb, func() Config { return Config{} }, false},
		{"paper", tb, Paper, false},
		{"symmetric+learnable", tb, func() Config {
			return Config{Symmetric: true, LogitScale: NewLogitScale[float64](0.07), Similarity: Dot}
		}, false},
		{"separate passage encoder", tb, func() Config { return Config{InBatch: InBatchPositives} }, true},
		{"variable negatives", tbVar, func() Config { return Config{Reduction: Sum, Temperature: 0.1} }, false},
	} {
		for _, chunk := range []int{1, 3, 7, 64} {
			t.Run(fmt.Sprintf("%s/chunk=%d", tc.name, chunk), func(t *testing.T) {
				enc := newBowEncoder[float64](1, 256, 16, 8, 0)
				penc := enc
				if tc.separate {
					penc = newBowEncoder[float64](2, 256, 16, 8, 0)
				}
				params := append(enc.params(), penc.params()...)
				if !tc.separate {
					params = enc.params()
				}
				cfgRef, cfgGC := tc.cfg(), tc.cfg()
				want := fullBatch(t, enc, penc, tc.tb, cfgRef, 0, nil)
				wantGrads := gradsOf(params)
				enc.zeroGrad()
				penc.zeroGrad()
				gc := &GradCache{Encoder: enc, ChunkSize: chunk, Loss: cfgGC}
				if tc.separate {
					gc.PassageEncoder = penc
				}
				got, err := gc.Backward(context.Background(), tc.tb)
				if err != nil {
					t.Fatal(err)
				}
				if !closeEnough(got, want, 1e-12, 1) {
					t.Errorf("loss = %.17g, full batch %.17g", got, want)
				}
				worst = max(worst, compareGrads(t, "GradCache", gradsOf(params), wantGrads, 1e-6))
				if s := cfgGC.LogitScale; s != nil {
					g, w := s.Param.Grad().Item().F64(), cfgRef.LogitScale.Param.Grad().Item().F64()
					if !closeEnough(g, w, 1e-9, 1) {
						t.Errorf("logit scale grad = %v, full batch %v", g, w)
					}
				}
			})
		}
	}
	t.Logf("largest relative parameter-gradient difference: %.3g", worst)
}

// TestGradCacheDropout checks that dropout masks replay: each chunk is seeded
// identically in both passes, seeds differ across chunks and calls, and the
// gradients equal a chunked full-graph reference with the same seeds.
func TestGradCacheDropout(t *testing.T) {
	tb := textBatch(3, 9, 1)
	const chunk = 4
	enc := newBowEncoder[float64](5, 256, 16, 8, 0.3)
	gc := &GradCache{Encoder: enc, ChunkSize: chunk, Seed: 42}
	loss, err := gc.Backward(context.Background(), tb)
	if err != nil {
		t.Fatal(err)
	}
	got := gradsOf(enc.params())
	nchunks := 3 * 3 // 9 queries, 9 positives, 9 negatives in chunks of 4
	if len(enc.seeds) != 2*nchunks {
		t.Fatalf("%d SeedDropout calls, want %d", len(enc.seeds), 2*nchunks)
	}
	pass1, pass2 := enc.seeds[:nchunks], enc.seeds[nchunks:]
	seen := map[uint64]bool{}
	for k := range pass1 {
		if pass1[k] != pass2[k] {
			t.Errorf("chunk %d: seed %d in pass 1, %d in pass 2", k, pass1[k], pass2[k])
		}
		if seen[pass1[k]] {
			t.Errorf("chunk %d reuses seed %d", k, pass1[k])
		}
		seen[pass1[k]] = true
	}
	enc.zeroGrad()
	seeds := append([]uint64(nil), pass1...)
	enc.seeds = nil
	want := fullBatch(t, enc, enc, tb, Config{}, chunk, seeds)
	if !closeEnough(loss, want, 1e-12, 1) {
		t.Errorf("loss = %.17g, chunked full graph %.17g", loss, want)
	}
	compareGrads(t, "GradCache with dropout", got, gradsOf(enc.params()), 1e-6)

	enc.seeds = nil
	if _, err := gc.Backward(context.Background(), tb); err != nil {
		t.Fatal(err)
	}
	for _, s := range enc.seeds {
		if seen[s] {
			t.Fatalf("second call reuses seed %d of the first", s)
		}
	}
}

// TestGradCacheFloat32 compares float32 GradCache with float32 full-batch
// backprop (same arithmetic, different association) to 1e-5.
func TestGradCacheFloat32(t *testing.T) {
	tb := textBatch(4, 8, 1)
	enc := newBowEncoder[float32](3, 256, 16, 8, 0)
	b := Batch{NegativeOf: tb.NegativeOf, Groups: tb.Groups}
	var err error
	for _, r := range []struct {
		dst   *mat.Tensor
		texts []string
	}{{&b.Queries, tb.Queries}, {&b.Positives, tb.Positives}, {&b.Negatives, tb.Negatives}} {
		if *r.dst, err = enc.Encode(r.texts); err != nil {
			t.Fatal(err)
		}
	}
	l, err := InfoNCE(b, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ag.Backward(l); err != nil {
		t.Fatal(err)
	}
	want := gradsOf(enc.params())
	enc.zeroGrad()
	got, err := (&GradCache{Encoder: enc, ChunkSize: 3}).Backward(context.Background(), tb)
	if err != nil {
		t.Fatal(err)
	}
	if !closeEnough(got, l.Value().Item().F64(), 1e-6, 1) {
		t.Errorf("loss = %v, full batch %v", got, l.Value().Item().F64())
	}
	compareGrads(t, "float32", gradsOf(enc.params()), want, 1e-5)
}

type recorderFunc func(stage string, done, total int) error

func (f recorderFunc) Record(stage string, done, total int) error { return f(stage, done, total) }

func TestGradCacheErrors(t *testing.T) {
	tb := textBatch(5, 5, 1)
	boom := errors.New("boom")
	for _, tc := range []struct {
		name  string
		setup func(e *bowEncoder[float64], g *GradCache) context.Context
		check func(err error) bool
		want  string
	}{
		{"encoder error", func(e *bowEncoder[float64], _ *GradCache) context.Context {
			e.fail = func(texts []string) error {
				if e.calls == 4 { // queries are 3 chunks of 2, 2, 1
					return boom
				}
				return nil
			}
			return context.Background()
		}, func(err error) bool { return errors.Is(err, boom) }, "loss: encode Positives 0–1: boom"},
		{"wrong rows", func(e *bowEncoder[float64], _ *GradCache) context.Context {
			e.mangle = func(x mat.Tensor) mat.Tensor { return ag.Slice(x, 0, 0, 1, 8) }
			return context.Background()
		}, nil, "loss: encoder returned shape [1 8] for 2 texts"},
		{"non-finite", func(e *bowEncoder[float64], _ *GradCache) context.Context {
			e.mangle = func(x mat.Tensor) mat.Tensor {
				if e.calls == 5 { // positives 2–3
					x.Value().Data().F64()[9] = math.NaN()
				}
				return x
			}
			return context.Background()
		}, func(err error) bool { return errors.Is(err, ErrNonFinite) }, "loss: Positives[3][1] is NaN"},
		{"cancelled", func(e *bowEncoder[float64], _ *GradCache) context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			e.fail = func([]string) error {
				if e.calls == 2 {
					cancel()
				}
				return nil
			}
			return ctx
		}, func(err error) bool { return errors.Is(err, context.Canceled) }, "context canceled"},
		{"recorder", func(_ *bowEncoder[float64], g *GradCache) context.Context {
			g.Recorder = recorderFunc(func(stage string, done, total int) error {
				if stage == "backward" && done == 2 {
					return boom
				}
				return nil
			})
			return context.Background()
		}, func(err error) bool { return errors.Is(err, boom) }, "loss: recorder: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newBowEncoder[float64](1, 64, 8, 8, 0)
			g := &GradCache{Encoder: e, ChunkSize: 2}
			ctx := tc.setup(e, g)
			_, err := g.Backward(ctx, tb)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || (tc.check != nil && !tc.check(err)) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestGradCacheRecorder(t *testing.T) {
	var got []string
	g := &GradCache{Encoder: newBowEncoder[float64](1, 64, 8, 8, 0), ChunkSize: 4,
		Recorder: recorderFunc(func(stage string, done, total int) error {
			got = append(got, fmt.Sprintf("%s %d/%d", stage, done, total))
			return nil
		})}
	if _, err := g.Backward(context.Background(), textBatch(6, 5, 0)); err != nil {
		t.Fatal(err)
	}
	want := "encode 1/4,encode 2/4,encode 3/4,encode 4/4,backward 1/4,backward 2/4,backward 3/4,backward 4/4"
	if s := strings.Join(got, ","); s != want {
		t.Errorf("records %s, want %s", s, want)
	}
}

// liveHeap returns the bytes of live heap objects after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestGradCacheMemory measures the live heap at its largest point (probed
// after every Encode and after the full backward, each after a collection)
// for full-batch backprop and GradCache on the same batch, and requires
// GradCache to need less than half the activation memory.
func TestGradCacheMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("memory probes collect garbage after every Encode")
	}
	tb := textBatch(7, 64, 1)
	measure := func(run func(e *bowEncoder[float64])) (peak, base uint64) {
		e := newBowEncoder[float64](1, 4096, 64, 32, 0)
		base = liveHeap()
		e.probe = func() { peak = max(peak, liveHeap()) }
		run(e)
		return peak, base
	}
	fullPeak, fullBase := measure(func(e *bowEncoder[float64]) { fullBatch(t, e, e, tb, Config{}, 0, nil) })
	gcPeak, gcBase := measure(func(e *bowEncoder[float64]) {
		if _, err := (&GradCache{Encoder: e, ChunkSize: 16}).Backward(context.Background(), tb); err != nil {
			t.Fatal(err)
		}
	})
	full, cached := fullPeak-fullBase, gcPeak-gcBase
	t.Logf("B=64 (192 texts), vocab 4096, params %.1f MB: live heap above the model: full batch %.2f MB, GradCache (chunk 16) %.2f MB (%.1f× less)",
		float64(4096*64+64*32)*8/1e6, float64(full)/1e6, float64(cached)/1e6, float64(full)/float64(cached))
	if 2*cached > full {
		t.Errorf("GradCache live heap %d B, full batch %d B: want less than half", cached, full)
	}
}
