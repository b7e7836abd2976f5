package loss

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
)

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
// chunk sizes, with one shared encoder and with separate passage encoder, and
// a first pass through EncodeValues (ValueEncoder) or through Encode's graphs.
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
			for _, graph := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/chunk=%d/graph=%v", tc.name, chunk, graph), func(t *testing.T) {
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
					gc := &GradCache{Encoder: asEncoder(enc, graph), ChunkSize: chunk, Loss: cfgGC}
					if tc.separate {
						gc.PassageEncoder = asEncoder(penc, graph)
					}
					for _, e := range []*bowEncoder[float64]{enc, penc} {
						e.calls, e.valueCalls = 0, 0
					}
					got, err := gc.Backward(context.Background(), tc.tb)
					if err != nil {
						t.Fatal(err)
					}
					if !closeEnough(got, want, 1e-12, 1) {
						t.Errorf("loss = %.17g, full batch %.17g", got, want)
					}
					worst = max(worst, compareGrads(t, "GradCache", gradsOf(params), wantGrads, 1e-6))
					for _, e := range []*bowEncoder[float64]{enc, penc} {
						// Pass 1 through EncodeValues unless hidden, pass 2 through Encode.
						if pass1, pass2 := e.valueCalls, e.calls-e.valueCalls; pass2 == 0 || graph && pass1 != 0 || !graph && pass1 != pass2 {
							t.Errorf("%d EncodeValues and %d Encode calls", pass1, pass2)
						}
					}
					if s := cfgGC.LogitScale; s != nil {
						g, w := s.Param.Grad().Item().F64(), cfgRef.LogitScale.Param.Grad().Item().F64()
						if !closeEnough(g, w, 1e-9, 1) {
							t.Errorf("logit scale grad = %v, full batch %v", g, w)
						}
					}
				})
			}
		}
	}
	t.Logf("largest relative parameter-gradient difference: %.3g", worst)
}

// TestGradCacheDropout checks that dropout masks replay: each chunk is seeded
// identically in both passes, seeds differ across chunks and calls, and the
// gradients equal a chunked full-graph reference with the same seeds, with
// the first pass through EncodeValues or through Encode.
func TestGradCacheDropout(t *testing.T) {
	for _, graph := range []bool{false, true} {
		t.Run(fmt.Sprintf("graph=%v", graph), func(t *testing.T) { testGradCacheDropout(t, graph) })
	}
}

func testGradCacheDropout(t *testing.T, graph bool) {
	tb := textBatch(3, 9, 1)
	const chunk = 4
	enc := newBowEncoder[float64](5, 256, 16, 8, 0.3)
	gc := &GradCache{Encoder: asEncoder(enc, graph), ChunkSize: chunk, Seed: 42}
	loss, err := gc.Backward(context.Background(), tb)
	if err != nil {
		t.Fatal(err)
	}
	got := gradsOf(enc.params())
	nchunks := 3 * 3 // 9 queries, 9 positives, 9 negatives in chunks of 4
	if len(enc.seeds) != 2*nchunks {
		t.Fatalf("%d SeedDropout calls, want %d", len(enc.seeds), 2*nchunks)
	}
	if want := map[bool]int{false: nchunks, true: 0}[graph]; enc.valueCalls != want {
		t.Fatalf("%d EncodeValues calls, want %d", enc.valueCalls, want)
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
