package model

import (
	"math/rand/v2"
	"testing"
)

// benchmarkAdamW times AdamW.Step on one rows×cols Param whose gradient is
// nonzero in every row with probability density (the rest exactly zero, as
// the embedding table of a static encoder after a batch), with cfg. GB/s
// counts the traffic an update cannot avoid: reading the values, gradients
// and both moments and writing the values and moments, 28 bytes per
// element.
func benchmarkAdamW(b *testing.B, rows, cols int, density float64, cfg AdamWConfig) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := rows * cols
	p := newParam("table", make([]float32, n), rows, cols)
	for i := range p.Value {
		p.Value[i] = float32(rng.NormFloat64())
	}
	grad := make([]float32, n)
	for r := range rows {
		if rng.Float64() < density {
			for c := range cols {
				grad[r*cols+c] = float32(rng.NormFloat64() * 1e-3)
			}
		}
	}
	o := NewAdamW([]*Param{p}, cfg)
	fill := func() { copy(p.grad(), grad) }
	fill()
	if _, err := o.Step(); err != nil { // allocates the moments
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		fill()
		b.StartTimer()
		if _, err := o.Step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(28*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
}

// The quickstart's static encoder: mBERT's WordPiece vocabulary (after
// pruning) × 256, no weight decay, about 1 row in 8 reached by a batch.
func BenchmarkAdamWStaticSparse(b *testing.B) {
	benchmarkAdamW(b, 35322, 256, 1.0/8, AdamWConfig{LR: 1e-2, WeightDecay: -1})
}

// The same table with every row reached, weight decay and clipping.
func BenchmarkAdamWStaticDense(b *testing.B) {
	benchmarkAdamW(b, 35322, 256, 1, AdamWConfig{LR: 1e-2, MaxGradNorm: 1e-3})
}
