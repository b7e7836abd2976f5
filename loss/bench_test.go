package loss

import (
	"fmt"
	"math/rand/v2"
	"testing"

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
