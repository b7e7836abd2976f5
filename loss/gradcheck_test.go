package loss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
)

// fdInputs is a small random batch: B=4 queries, 5 hard negatives owned
// unevenly (query 1 has none), width 5.
type fdInputs struct {
	q, p, n    []float64
	negativeOf []int
	b, m, d    int
}

func newFDInputs(r *rand.Rand) fdInputs {
	in := fdInputs{b: 4, m: 5, d: 5, negativeOf: []int{0, 0, 2, 3, 3}}
	gen := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = r.NormFloat64()
		}
		return s
	}
	in.q, in.p, in.n = gen(in.b*in.d), gen(in.b*in.d), gen(in.m*in.d)
	for i := range in.p { // positives near their queries, so the loss is not flat
		in.p[i] += 0.8 * in.q[i]
	}
	return in
}

func (in fdInputs) batch(groups []string) (Batch, [3]*mat.Dense[float64]) {
	mk := func(x []float64, rows int) *mat.Dense[float64] {
		return mat.NewDense[float64](mat.WithShape(rows, in.d), mat.WithBacking(append([]float64(nil), x...)), mat.WithGrad(true))
	}
	t := [3]*mat.Dense[float64]{mk(in.q, in.b), mk(in.p, in.b), mk(in.n, in.m)}
	return Batch{Queries: t[0], Positives: t[1], Negatives: t[2], NegativeOf: in.negativeOf, Groups: groups}, t
}

// fdConfigs enumerates every combination of the options.
func fdConfigs() []Config {
	var cfgs []Config
	for _, sim := range []Similarity{Cosine, Dot} {
		for _, mode := range []InBatch{InBatchAll, InBatchHardNegatives, InBatchPositives, InBatchNone} {
			for _, sym := range []bool{false, true} {
				if sym && !mode.positives() {
					continue
				}
				for _, red := range []Reduction{Mean, Sum} {
					for _, learn := range []bool{false, true} {
						cfg := Config{Similarity: sim, InBatch: mode, Symmetric: sym, Reduction: red, Temperature: 0.2}
						if learn {
							cfg.LogitScale = NewLogitScale[float64](0.3)
						}
						cfgs = append(cfgs, cfg)
					}
				}
			}
		}
	}
	return cfgs
}

func configName(c Config) string {
	s := fmt.Sprintf("%v/%v/%v/sym=%v", c.Similarity, c.InBatch, c.Reduction, c.Symmetric)
	if c.LogitScale != nil {
		s += "/learnable"
	}
	return s
}

// TestFiniteDifferences checks the hand-written backward of every option
// combination, with and without a group mask, against central differences in
// float64.
func TestFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const h, tol = 1e-6, 1e-6
	worst := 0.0
	for _, cfg := range fdConfigs() {
		for _, groups := range [][]string{nil, {"a", "b", "a", "b"}} {
			name := fmt.Sprintf("%s/groups=%v", configName(cfg), groups != nil)
			in := newFDInputs(r)
			b, ts := in.batch(groups)
			l, err := InfoNCE(b, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := ag.Backward(l); err != nil {
				t.Fatal(err)
			}
			eval := func() float64 {
				b, _ := in.batch(groups)
				l, err := InfoNCE(b, cfg)
				if err != nil {
					t.Fatal(err)
				}
				return l.Value().Item().F64()
			}
			check := func(what string, x []float64, analytic float64, k int) {
				x0 := x[k]
				x[k] = x0 + h
				fp := eval()
				x[k] = x0 - h
				fm := eval()
				x[k] = x0
				fd := (fp - fm) / (2 * h)
				err := math.Abs(fd-analytic) / max(math.Abs(analytic), 1)
				worst = max(worst, err)
				if err > tol {
					t.Errorf("%s: d loss/d %s[%d] = %.12g, finite difference %.12g", name, what, k, analytic, fd)
				}
			}
			for ti, x := range [][]float64{in.q, in.p, in.n} {
				g := ts[ti].Grad().Data().F64()
				for k := range x {
					check([]string{"queries", "positives", "negatives"}[ti], x, g[k], k)
				}
			}
			if s := cfg.LogitScale; s != nil {
				theta := s.Param.Value().Data().F64()
				check("theta", theta, s.Param.Grad().Item().F64(), 0)
				s.Param.ZeroGrad()
			}
		}
	}
	t.Logf("largest |fd − analytic|/max(|analytic|, 1): %.3g", worst)
}
