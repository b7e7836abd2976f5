package loss

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
)

func dense64(rows, cols int, f func(i int) float64) *mat.Dense[float64] {
	data := make([]float64, rows*cols)
	for i := range data {
		data[i] = f(i)
	}
	return mat.NewDense[float64](mat.WithShape(rows, cols), mat.WithBacking(data), mat.WithGrad(true))
}

func wave(i int) float64 { return math.Sin(float64(i)*1.7) + 0.1 }

func TestInfoNCENonFinite(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(b *Batch, cfg *Config)
		want string
	}{
		{"NaN query", func(b *Batch, _ *Config) { b.Queries.Value().Data().F64()[7] = math.NaN() }, "loss: Queries[1][3] is NaN"},
		{"+Inf positive", func(b *Batch, _ *Config) { b.Positives.Value().Data().F64()[0] = math.Inf(1) }, "loss: Positives[0][0] is +Inf"},
		{"-Inf negative", func(b *Batch, _ *Config) { b.Negatives.Value().Data().F64()[9] = math.Inf(-1) }, "loss: Negatives[2][1] is -Inf"},
		{"NaN scale", func(_ *Batch, cfg *Config) {
			cfg.LogitScale = NewLogitScale[float64](0.1)
			cfg.LogitScale.Param.Value().Data().F64()[0] = math.NaN()
		}, "loss: LogitScale.Param is NaN"},
		{"overflow", func(b *Batch, cfg *Config) {
			cfg.Similarity = Dot
			b.Queries.Value().Data().F64()[0] = 1e300
			b.Positives.Value().Data().F64()[0] = 1e300
		}, "loss: loss is"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := Batch{Queries: dense64(3, 4, wave), Positives: dense64(3, 4, wave), Negatives: dense64(3, 4, wave)}
			var cfg Config
			tc.edit(&b, &cfg)
			l, err := InfoNCE(b, cfg)
			if !errors.Is(err, ErrNonFinite) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("InfoNCE error = %v, want %q… wrapping ErrNonFinite", err, tc.want)
			}
			if l != nil {
				t.Errorf("InfoNCE returned a node with an error")
			}
		})
	}
}

func TestInfoNCEPanics(t *testing.T) {
	ok := func() Batch {
		return Batch{Queries: dense64(2, 3, wave), Positives: dense64(2, 3, wave), Negatives: dense64(2, 3, wave)}
	}
	f32 := mat.NewDense[float32](mat.WithShape(2, 3))
	for _, tc := range []struct {
		name string
		b    func() Batch
		cfg  Config
		want string
	}{
		{"positives rows", func() Batch { b := ok(); b.Positives = dense64(3, 3, wave); return b }, Config{}, "loss: Positives shape differs from Queries"},
		{"negatives width", func() Batch { b := ok(); b.Negatives = dense64(2, 4, wave); return b }, Config{}, "loss: Negatives width differs from Queries"},
		{"mixed types", func() Batch { b := ok(); b.Positives = f32; return b }, Config{}, "loss: Positives mixes float32 and float64 inputs"},
		{"owner range", func() Batch { b := ok(); b.NegativeOf = []int{0, 2}; return b }, Config{}, "loss: NegativeOf index out of range"},
		{"owner length", func() Batch { b := ok(); b.NegativeOf = []int{0}; return b }, Config{}, "loss: len(NegativeOf) != number of hard negatives"},
		{"not a multiple", func() Batch { b := ok(); b.Negatives = dense64(3, 3, wave); return b }, Config{}, "loss: hard negatives not a multiple of the batch size and no NegativeOf"},
		{"groups length", func() Batch { b := ok(); b.Groups = []string{"a"}; return b }, Config{}, "loss: len(Groups) != batch size"},
		{"empty", func() Batch {
			return Batch{Queries: mat.NewDense[float64](mat.WithShape(0, 3)), Positives: mat.NewDense[float64](mat.WithShape(0, 3))}
		}, Config{}, "loss: no queries"},
		{"nil queries", func() Batch { b := ok(); b.Queries = nil; return b }, Config{}, "loss: nil Queries or Positives"},
		{"symmetric none", ok, Config{Symmetric: true, InBatch: InBatchNone}, "loss: Symmetric needs in-batch positives (InBatchAll or InBatchPositives)"},
		{"symmetric hardneg", ok, Config{Symmetric: true, InBatch: InBatchHardNegatives}, "loss: Symmetric needs in-batch positives (InBatchAll or InBatchPositives)"},
		{"temperature", ok, Config{Temperature: -1}, "loss: Temperature must be finite and ≥ 0"},
		{"similarity", ok, Config{Similarity: 7}, "loss: unknown Similarity"},
		{"mode", ok, Config{InBatch: -1}, "loss: unknown InBatch mode"},
		{"reduction", ok, Config{Reduction: 2}, "loss: unknown Reduction"},
		{"workers", ok, Config{Workers: -1}, "loss: negative Workers"},
		{"scale bounds", ok, Config{LogitScale: &LogitScale{Param: NewLogitScale[float64](0.1).Param, MinTemperature: 0.5, MaxTemperature: 0.2}}, "loss: LogitScale MinTemperature > MaxTemperature"},
		{"scale param", ok, Config{LogitScale: &LogitScale{}}, "loss: LogitScale.Param must be a 1×1 parameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic = %v, want %q", r, tc.want)
				}
			}()
			InfoNCE(tc.b(), tc.cfg)
		})
	}
	for _, tau := range []float64{0, -1, math.Inf(1), math.NaN()} {
		func() {
			defer func() {
				if r := recover(); r != "loss: LogitScale temperature must be positive and finite" {
					t.Errorf("NewLogitScale(%v) panic = %v", tau, r)
				}
			}()
			NewLogitScale[float32](tau)
		}()
	}
}

// backwardWithin runs ag.Backward(l) and fails instead of hanging: spago waits
// forever for a gradient an operator does not send.
func backwardWithin(t *testing.T, l mat.Tensor) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- ag.Backward(l) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ag.Backward hangs")
	}
}

// TestInfoNCEGraphs checks that backward completes and gradients add up when
// some inputs need no gradient, when one node is both queries and positives,
// and when the inputs are operator nodes.
func TestInfoNCEGraphs(t *testing.T) {
	t.Run("constant positives", func(t *testing.T) {
		q := dense64(3, 4, wave)
		p := mat.NewDense[float64](mat.WithShape(3, 4), mat.WithBacking([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
		l, err := InfoNCE(Batch{Queries: q, Positives: p}, Config{})
		if err != nil {
			t.Fatal(err)
		}
		backwardWithin(t, l)
		if !q.HasGrad() || p.HasGrad() {
			t.Errorf("gradients: queries %v, positives %v; want only queries", q.HasGrad(), p.HasGrad())
		}
	})
	t.Run("shared node", func(t *testing.T) {
		// Gradient through one node used twice = sum of the two roles' gradients.
		x := dense64(3, 4, wave)
		enc := ag.ProdScalar(x, mat.Scalar(2.0)) // an operator, so spago counts its consumers
		l, err := InfoNCE(Batch{Queries: enc, Positives: enc}, Config{Similarity: Dot})
		if err != nil {
			t.Fatal(err)
		}
		backwardWithin(t, l)
		q, p := dense64(3, 4, func(i int) float64 { return 2 * wave(i) }), dense64(3, 4, func(i int) float64 { return 2 * wave(i) })
		l2, _ := InfoNCE(Batch{Queries: q, Positives: p}, Config{Similarity: Dot})
		backwardWithin(t, l2)
		got, gq, gp := x.Grad().Data().F64(), q.Grad().Data().F64(), p.Grad().Data().F64()
		for k := range got {
			if want := 2 * (gq[k] + gp[k]); math.Abs(got[k]-want) > 1e-12*max(1, math.Abs(want)) {
				t.Fatalf("grad[%d] = %v, want %v", k, got[k], want)
			}
		}
	})
}

// TestInfoNCEStable checks τ = 0.01 with logits near 1e6 (dot products of
// large vectors): float32 and float64 agree, everything stays finite.
func TestInfoNCEStable(t *testing.T) {
	big := func(i int) float64 { return 100 * wave(i) }
	cfg := Config{Similarity: Dot, Temperature: 0.01}
	q64, p64, n64 := dense64(5, 8, big), dense64(5, 8, func(i int) float64 { return big(i + 3) }), dense64(5, 8, func(i int) float64 { return big(2*i + 1) })
	l64, err := InfoNCE(Batch{Queries: q64, Positives: p64, Negatives: n64}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	backwardWithin(t, l64)
	to32 := func(d *mat.Dense[float64]) *mat.Dense[float32] {
		v := d.Data().F32()
		return mat.NewDense[float32](mat.WithShape(d.Shape()...), mat.WithBacking(v), mat.WithGrad(true))
	}
	q32, p32, n32 := to32(q64), to32(p64), to32(n64)
	l32, err := InfoNCE(Batch{Queries: q32, Positives: p32, Negatives: n32}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	backwardWithin(t, l32)
	want, got := l64.Value().Item().F64(), l32.Value().Item().F64()
	if want < 1e5 || math.Abs(got-want) > 1e-5*want {
		t.Errorf("loss float32 %v, float64 %v (want ≥ 1e5 and equal to 1e-5)", got, want)
	}
	for i, pair := range [][2]mat.Tensor{{q32, q64}, {p32, p64}, {n32, n64}} {
		g32, g64 := pair[0].Grad().Data().F64(), pair[1].Grad().Data().F64()
		for k := range g64 {
			if math.IsNaN(g32[k]) || math.Abs(g32[k]-g64[k]) > 1e-5*max(math.Abs(g64[k]), 1) {
				t.Fatalf("input %d grad[%d]: float32 %v, float64 %v", i, k, g32[k], g64[k])
			}
		}
	}
}
