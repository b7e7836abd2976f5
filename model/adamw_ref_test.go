package model

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// refAdamW is AdamW.Step written out element by element, every operation
// rounded (the conversions forbid fused multiply-adds) except the explicit
// fma32: the specification of Step's arithmetic, which the fused,
// parallel, vectorised Step must reproduce bit for bit. Elements that the
// AVX2 kernel updates (the multiples of 8 at the start of each 2¹⁶-element
// chunk of a Param) use its fused multiply-adds; the others, and all of
// them without the kernel, round every operation.
type refAdamW struct {
	cfg   AdamWConfig // defaults applied
	decay []bool      // per Param: whether weight decay applies
	m, v  [][]float32
	t     []int
	steps int
}

func newRefAdamW(params []*Param, cfg AdamWConfig) *refAdamW {
	o := NewAdamW(params, cfg) // the same defaults
	r := &refAdamW{cfg: o.cfg, m: make([][]float32, len(params)), v: make([][]float32, len(params)), t: make([]int, len(params))}
	for _, p := range params {
		r.decay = append(r.decay, cfg.NoDecay == nil || !cfg.NoDecay(p.Name))
	}
	return r
}

// fma32 returns a·b + c rounded once to float32 (VFMADD231PS).
func fma32(a, b, c float32) float32 {
	prod := float64(a) * float64(b) // exact: 24 + 24 bits
	z := new(big.Float).SetPrec(24).SetMode(big.ToNearestEven)
	z.Add(big.NewFloat(prod), big.NewFloat(float64(c)))
	f, _ := z.Float32()
	return f
}

// step applies one step with the gradients grads (nil: the Param has
// none) and returns the gradient norm.
func (r *refAdamW) step(params []*Param, grads [][]float32) float64 {
	var sums []float64
	for i, p := range params {
		if grads[i] == nil {
			continue
		}
		for lo := 0; lo < p.numel(); lo += optimChunk {
			var s float64
			for _, g := range grads[i][lo:min(lo+optimChunk, p.numel())] {
				s = s + float64(g)*float64(g)
			}
			sums = append(sums, s)
		}
	}
	var total float64
	for _, s := range sums {
		total += s
	}
	norm := math.Sqrt(total)
	clip := float32(1)
	if r.cfg.MaxGradNorm > 0 {
		if c := r.cfg.MaxGradNorm / (norm + 1e-6); c < 1 {
			clip = float32(c)
		}
	}
	lr := r.cfg.LR
	if r.cfg.Schedule != nil {
		lr *= r.cfg.Schedule(r.steps)
	}
	r.steps++
	for i, p := range params {
		if grads[i] == nil {
			continue
		}
		if r.m[i] == nil {
			r.m[i], r.v[i] = make([]float32, p.numel()), make([]float32, p.numel())
		}
		r.t[i]++
		t := float64(r.t[i])
		wd := r.cfg.WeightDecay
		if !r.decay[i] {
			wd = 0
		}
		decay := float32(1 - float64(lr*wd))
		b1, b2 := float32(r.cfg.Beta1), float32(r.cfg.Beta2)
		omb1, omb2 := float32(1-r.cfg.Beta1), float32(1-r.cfg.Beta2)
		stepSize := float32(lr / (1 - math.Pow(r.cfg.Beta1, t)))
		bc2 := float32(math.Sqrt(1 - math.Pow(r.cfg.Beta2, t)))
		eps := float32(r.cfg.Eps)
		for j := range p.Value {
			chunkLo := j / optimChunk * optimChunk
			chunkLen := min(p.numel()-chunkLo, optimChunk)
			vec := hasVec && j-chunkLo < chunkLen&^7
			g := grads[i][j] * clip
			pd := float32(p.Value[j] * decay)
			var m, v, upd, val float32
			if vec {
				m = fma32(g, omb1, float32(r.m[i][j]*b1))
				v = fma32(r.v[i][j], b2, float32(omb2*g)*g)
				upd = m / (float32(sqrtf(v)/bc2) + eps)
				val = fma32(-stepSize, upd, pd)
			} else {
				m = float32(r.m[i][j]*b1) + float32(g*omb1)
				v = float32(r.v[i][j]*b2) + float32(float32(omb2*g)*g)
				upd = m / (float32(sqrtf(v)/bc2) + eps)
				val = pd + float32(-stepSize*upd)
			}
			r.m[i][j], r.v[i][j], p.Value[j] = m, v, val
		}
	}
	return norm
}

// TestAdamWStepBitExact runs Step and refAdamW side by side: several
// Params (one longer than a chunk, lengths that are not multiples of 8, a
// scalar), sparse gradients with runs of zeros, Params without gradient,
// and configurations with and without clipping, decay, exemptions,
// schedules and workers. Values, moments and norms must agree bit for bit.
func TestAdamWStepBitExact(t *testing.T) {
	for ci, cfg := range []AdamWConfig{
		{LR: 1e-2, WeightDecay: -1},
		{LR: 3e-3, MaxGradNorm: 0.5, Schedule: LinearSchedule(2, 8)},
		{LR: 1e-3, WeightDecay: 0.1, MaxGradNorm: 1e4, Workers: 1},
		{LR: 1e-3, WeightDecay: 0.1, MaxGradNorm: 0.01, Workers: 3, Schedule: CosineSchedule(1, 6)},
		{LR: 5e-3, WeightDecay: 0.3, NoDecay: DecayExempt},
	} {
		t.Run(fmt.Sprint(ci), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(ci), 7))
			sizes := []struct {
				name  string
				shape []int
			}{
				{"embeddings.word_embeddings.weight", []int{300, 257}},
				{"embeddings.LayerNorm.weight", []int{13}},
				{"logit_scale", []int{1, 1}},
				{"encoder.layer.0.attention.self.query.bias", []int{5, 7}},
				{"encoder.layer.0.output.dense.weight", []int{70001}},
				{"linear.weight", []int{8}},
				{"linear.bias", []int{3, 3}},
			}
			var ps []*Param
			for _, s := range sizes {
				n := 1
				for _, d := range s.shape {
					n *= d
				}
				v := make([]float32, n)
				for j := range v {
					v[j] = float32(rng.NormFloat64())
				}
				ps = append(ps, newParam(s.name, v, s.shape...))
			}
			refParams := make([]*Param, len(ps))
			for i, p := range ps {
				q := *p
				q.Value = slices.Clone(p.Value)
				refParams[i] = &q
			}
			o, ref := NewAdamW(ps, cfg), newRefAdamW(refParams, cfg)
			for step := range 6 {
				grads := make([][]float32, len(ps))
				for i, p := range ps {
					if (i+step)%5 == 4 {
						continue // no gradient this step
					}
					g := make([]float32, p.numel())
					for j := range g {
						if j/40%3 != 0 && rng.Float64() < 0.7 {
							g[j] = float32(rng.NormFloat64() * math.Pow(10, -float64(rng.IntN(5))))
						}
					}
					grads[i] = g
					copy(p.grad(), g)
				}
				norm, err := o.Step()
				if err != nil {
					t.Fatal(err)
				}
				want := ref.step(refParams, grads)
				if norm != want {
					t.Fatalf("step %d: norm %v, want %v", step, norm, want)
				}
				for i, p := range ps {
					if j := firstDiff(p.Value, refParams[i].Value); j >= 0 {
						t.Fatalf("step %d: %s[%d] = %v, want %v", step, p.Name, j, p.Value[j], refParams[i].Value[j])
					}
					if j := firstDiff(o.state[i].m, ref.m[i]); j >= 0 {
						t.Fatalf("step %d: %s: first moment [%d] = %v, want %v", step, p.Name, j, o.state[i].m[j], ref.m[i][j])
					}
					if j := firstDiff(o.state[i].v, ref.v[i]); j >= 0 {
						t.Fatalf("step %d: %s: second moment [%d] = %v, want %v", step, p.Name, j, o.state[i].v[j], ref.v[i][j])
					}
					if p.HasGrad() || slices.ContainsFunc(p.Grad, func(g float32) bool { return g != 0 }) {
						t.Fatalf("step %d: %s: gradient not cleared", step, p.Name)
					}
				}
			}
		})
	}
}

// firstDiff returns the first index where a and b differ in bits, or -1.
func firstDiff(a, b []float32) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}
