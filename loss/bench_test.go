package loss

import (
	"context"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"
)

// benchmarkInfoNCE times forward + backward of InfoNCE for b queries, b
// positives and negs hard negatives per query of width d, with gradients for
// all three inputs (what testdata/gen/bench_torch.py times in PyTorch).
func benchmarkInfoNCE[T float.DType](bm *testing.B, b, negs, d int, cfg Config) {
	r := rand.New(rand.NewPCG(1, 2))
	mk := func(rows int) *mat.Dense[T] {
		data := make([]T, rows*d)
		for i := range data {
			data[i] = T(r.NormFloat64())
		}
		return mat.NewDense[T](mat.WithShape(rows, d), mat.WithBacking(data), mat.WithGrad(true))
	}
	q, p, n := mk(b), mk(b), mk(b*negs)
	batch := Batch{Queries: q, Positives: p, Negatives: n}
	bm.ReportAllocs()
	cpu0 := cpuTime()
	for bm.Loop() {
		q.ZeroGrad()
		p.ZeroGrad()
		n.ZeroGrad()
		l, err := InfoNCE(batch, cfg)
		if err != nil {
			bm.Fatal(err)
		}
		if err := ag.Backward(l); err != nil {
			bm.Fatal(err)
		}
	}
	bm.ReportMetric((cpuTime()-cpu0).Seconds()*1e3/float64(bm.N), "cpu-ms/op")
}

// cpuTime returns the user+system CPU time of the process: on a shared
// machine it varies less than wall time (bench_torch.py reports the same).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkInfoNCE is the size: B=100, one hard negative each,
// d=768, default Config (cosine, τ=0.05, all in-batch negatives, mean).
func BenchmarkInfoNCE(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("f32/B=100/d=768/workers=%d", w), func(b *testing.B) {
			benchmarkInfoNCE[float32](b, 100, 1, 768, Config{Workers: w})
		})
	}
	b.Run("f64/B=100/d=768/workers=1", func(b *testing.B) {
		benchmarkInfoNCE[float64](b, 100, 1, 768, Config{Workers: 1})
	})
	b.Run("f32/B=100/d=768/paper", func(b *testing.B) {
		benchmarkInfoNCE[float32](b, 100, 1, 768, Paper())
	})
}

// benchmarkBatchBackward times one batch of b items (one hard negative each)
// through the test bag-of-words encoder, by full-batch backprop (chunk 0) or
// GradCache, and reports the largest live heap above the model seen after an
// Encode (probed once, before timing) as live-MB.
func benchmarkBatchBackward(bm *testing.B, b, chunk int) {
	tb := textBatch(7, b, 1)
	run := func(e *bowEncoder[float64]) {
		if chunk == 0 {
			fullBatch(bm, e, e, tb, Config{}, 0, nil)
			return
		}
		if _, err := (&GradCache{Encoder: e, ChunkSize: chunk}).Backward(context.Background(), tb); err != nil {
			bm.Fatal(err)
		}
	}
	e := newBowEncoder[float64](1, 4096, 64, 32, 0)
	base := liveHeap()
	var peak uint64
	e.probe = func() { peak = max(peak, liveHeap()) }
	run(e)
	e.probe = nil
	bm.ReportAllocs()
	bm.ResetTimer()
	for bm.Loop() {
		e.zeroGrad()
		run(e)
	}
	bm.ReportMetric(float64(peak-base)/1e6, "live-MB")
}

// BenchmarkBatchBackward compares full-batch backprop with GradCache on 64
// items (192 texts) of the test encoder (vocabulary 4096, hidden 64, d 32).
func BenchmarkBatchBackward(b *testing.B) {
	b.Run("full", func(b *testing.B) { benchmarkBatchBackward(b, 64, 0) })
	b.Run("gradcache/chunk=16", func(b *testing.B) { benchmarkBatchBackward(b, 64, 16) })
	b.Run("gradcache/chunk=4", func(b *testing.B) { benchmarkBatchBackward(b, 64, 4) })
}
