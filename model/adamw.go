package model

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/polyret/polyret/model/checkpoint"
)

// AdamWConfig configures AdamW. The zero value selects PyTorch's defaults.
type AdamWConfig struct {
	LR          float64  // base learning rate; 0 means 1e-3
	Beta1       float64  // 0 means 0.9
	Beta2       float64  // 0 means 0.999
	Eps         float64  // 0 means 1e-8
	WeightDecay float64  // decoupled weight decay; 0 means 0.01, negative means none
	Schedule    Schedule // learning-rate multiplier per step; nil means constant 1

	// MaxGradNorm, when positive, scales the gradients down so that their
	// global L2 norm is at most MaxGradNorm before each step, as
	// torch.nn.utils.clip_grad_norm_.
	MaxGradNorm float64

	// Workers bounds the goroutines of a step; 0 means GOMAXPROCS.
	Workers int

	// NoDecay, if not nil, exempts the Params whose Name it reports true
	// for from weight decay, like a second torch.optim.AdamW parameter
	// group with weight_decay 0. It is called once per Param by NewAdamW.
	// nil means every Param is decayed, as torch.optim.AdamW with one
	// group. DecayExempt is the usual fine-tuning choice: biases and
	// normalisation weights, as transformers' Trainer, and a learnable
	// temperature, as CLIP.
	NoDecay func(name string) bool
}

// AdamW is torch.optim.AdamW (amsgrad off) over a set of Params, in
// float32, with PyTorch's order of operations. For each Param with a
// gradient, at its t-th step:
//
//	p ← p·(1 − lr·wd)
//	m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//	p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps)
//
// with wd = 0 for the Params that AdamWConfig.NoDecay exempts.
// A Param without a gradient (HasGrad false: it took no part in the loss)
// is not touched, not even decayed; a Param whose gradient is zero is.
// Step counts are kept per Param, as in PyTorch.
//
// An AdamW is not safe for concurrent use, and Step must not overlap with
// backward passes through the model.
type AdamW struct {
	cfg    AdamWConfig
	params []*Param
	exempt []bool // exempt[i]: params[i] is not decayed (cfg.NoDecay)
	state  []adamState
	steps  int // optimizer steps taken
	lr     float64
}

type adamState struct {
	m, v []float32 // allocated at the Param's first step
	step int
}

// ErrNonFinite is returned by Step when a gradient is NaN or infinite.
var ErrNonFinite = errors.New("model: non-finite gradient")

// NewAdamW returns an optimizer for params (typically Model.Params()). It
// panics if a configuration value is out of range (negative LR or Eps,
// betas outside [0, 1)) or params has duplicate names.
func NewAdamW(params []*Param, cfg AdamWConfig) *AdamW {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.LR, 1e-3)
	def(&cfg.Beta1, 0.9)
	def(&cfg.Beta2, 0.999)
	def(&cfg.Eps, 1e-8)
	def(&cfg.WeightDecay, 0.01)
	if cfg.WeightDecay < 0 {
		cfg.WeightDecay = 0
	}
	if !(cfg.LR > 0) || !(cfg.Eps > 0) || !(cfg.Beta1 >= 0 && cfg.Beta1 < 1) || !(cfg.Beta2 >= 0 && cfg.Beta2 < 1) {
		panic("model: AdamW configuration out of range")
	}
	seen := make(map[string]bool, len(params))
	exempt := make([]bool, len(params))
	for i, p := range params {
		if seen[p.Name] {
			panic("model: AdamW: duplicate parameter name " + p.Name)
		}
		seen[p.Name] = true
		exempt[i] = cfg.NoDecay != nil && cfg.NoDecay(p.Name)
	}
	return &AdamW{cfg: cfg, params: params, exempt: exempt, state: make([]adamState, len(params)), lr: cfg.LR}
}

// Steps returns the number of steps taken.
func (o *AdamW) Steps() int { return o.steps }

// LR returns the learning rate of the last step (the base rate before any).
func (o *AdamW) LR() float64 { return o.lr }

// chunk is a range of one Param's elements, the unit of parallel work.
type chunk struct{ param, lo, hi int }

const optimChunk = 1 << 16

// chunks splits the Params selected by use into ranges.
func (o *AdamW) chunks(use func(i int) bool) []chunk {
	var cs []chunk
	for i, p := range o.params {
		if !use(i) {
			continue
		}
		for lo := 0; lo < p.numel(); lo += optimChunk {
			cs = append(cs, chunk{i, lo, min(lo+optimChunk, p.numel())})
		}
	}
	return cs
}

// Step updates every Param that has a gradient and then clears all
// gradients (those of spago nodes too, after adding them to Grad). It
// returns the global L2 norm of the gradients (before clipping). If a
// gradient is NaN or infinite it updates nothing, clears the gradients and
// returns ErrNonFinite. Step returns when all its work is done.
func (o *AdamW) Step() (gradNorm float64, err error) {
	ex := newExec(o.cfg.Workers)
	defer ex.close()
	cleared := false
	defer func() {
		if !cleared {
			for _, p := range o.params {
				p.ZeroGrad()
			}
		}
	}()
	for _, p := range o.params {
		p.collectGrad()
	}
	active := make([]bool, len(o.params))
	for i, p := range o.params {
		active[i] = p.HasGrad()
	}
	cs := o.chunks(func(i int) bool { return active[i] })
	// One pass over the gradients: a NaN or ±Inf makes the norm NaN or
	// +Inf (float32 squares cannot overflow float64), so the norm is also
	// the check that must precede any update.
	gradNorm = globalNorm(o.params, cs, ex)
	if math.IsNaN(gradNorm) || math.IsInf(gradNorm, 0) {
		return gradNorm, ErrNonFinite
	}
	clip := float32(1)
	if o.cfg.MaxGradNorm > 0 {
		clip = clipFactor(o.cfg.MaxGradNorm, gradNorm)
	}
	mult := 1.0
	if o.cfg.Schedule != nil {
		mult = o.cfg.Schedule(o.steps)
	}
	o.lr = o.cfg.LR * mult
	for i := range o.params {
		if !active[i] {
			continue
		}
		s := &o.state[i]
		if s.m == nil {
			s.m = make([]float32, o.params[i].numel())
			s.v = make([]float32, o.params[i].numel())
		}
		s.step++
	}
	// The update scales the gradients by clip as it reads them and clears
	// them: one pass over the parameter, its gradient and its moments.
	ex.run(len(cs), func(task int) {
		c := cs[task]
		o.update(c.param, c.lo, c.hi, clip)
	})
	for i, p := range o.params {
		if !active[i] {
			clear(p.Grad)
		}
		p.clearGradFlags()
	}
	cleared = true
	o.steps++
	return gradNorm, nil
}

// update applies one AdamW step to elements [lo, hi) of Param i, with the
// gradients multiplied by clip, and sets those gradients to zero.
func (o *AdamW) update(i, lo, hi int, clip float32) {
	p, s := o.params[i], &o.state[i]
	lr, t := o.lr, float64(s.step)
	wd := o.cfg.WeightDecay
	if o.exempt[i] {
		wd = 0 // p·1: exactly what PyTorch computes for a group without decay
	}
	decay := float32(1 - float64(lr*wd))
	b1, b2 := float32(o.cfg.Beta1), float32(o.cfg.Beta2)
	omb1, omb2 := float32(1-o.cfg.Beta1), float32(1-o.cfg.Beta2)
	stepSize := float32(lr / (1 - math.Pow(o.cfg.Beta1, t)))
	bc2 := float32(math.Sqrt(1 - math.Pow(o.cfg.Beta2, t)))
	eps := float32(o.cfg.Eps)
	val, g, m, v := p.Value[lo:hi], p.Grad[lo:hi], s.m[lo:hi], s.v[lo:hi]
	done := 0
	if hasVec && len(g) >= 8 {
		done = len(g) &^ 7
		c := [9]float32{decay, b1, omb1, b2, omb2, bc2, -stepSize, eps, clip}
		adamwVec(&val[0], &g[0], &m[0], &v[0], done, &c)
	}
	// The conversions round every product, as without fused multiply-adds
	// (GOAMD64=v1), at every GOAMD64 level.
	for j := done; j < len(g); j++ {
		gi := g[j] * clip
		g[j] = 0
		pi := float32(val[j] * decay)
		mi := float32(m[j]*b1) + float32(gi*omb1)
		vi := float32(v[j]*b2) + float32(omb2*gi*gi)
		m[j], v[j] = mi, vi
		denom := float32(sqrtf(vi)/bc2) + eps
		val[j] = pi + float32(-stepSize*(mi/denom))
	}
}

func sqrtf(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// globalNorm returns the L2 norm of the gradients in cs, summed in float64
// per chunk, in index order, and reduced in chunk order.
func globalNorm(params []*Param, cs []chunk, ex *exec) float64 {
	sums := make([]float64, len(cs))
	ex.run(len(cs), func(task int) {
		c := cs[task]
		sums[task] = sumSquares(params[c.param].Grad[c.lo:c.hi])
	})
	var total float64
	for _, s := range sums {
		total += s
	}
	return math.Sqrt(total)
}

// sumSquares returns Σ float64(g[i])², added in index order. The vector
// kernel skips blocks of zeros (most of an embedding table's gradient),
// which leaves the sum unchanged.
func sumSquares(g []float32) float64 {
	var s float64
	done := 0
	if hasVec && len(g) >= 8 {
		done = len(g) &^ 7
		s = sumSquaresVec(&g[0], done, 0)
	}
	for _, x := range g[done:] {
		s += float64(x) * float64(x)
	}
	return s
}

// clipFactor returns the factor torch.nn.utils.clip_grad_norm_ multiplies
// the gradients by, maxNorm/(norm+1e-6), or 1 when that is not below 1.
func clipFactor(maxNorm, norm float64) float32 {
	coef := maxNorm / (norm + 1e-6)
	if coef >= 1 {
		return 1
	}
	return float32(coef)
}

// scaleGrads multiplies the gradients by clipFactor(maxNorm, norm).
func scaleGrads(params []*Param, cs []chunk, maxNorm, norm float64, ex *exec) {
	c32 := clipFactor(maxNorm, norm)
	if c32 == 1 {
		return
	}
	ex.run(len(cs), func(task int) {
		c := cs[task]
		g := params[c.param].Grad[c.lo:c.hi]
		for i := range g {
			g[i] *= c32
		}
	})
}

// ClipGradNorm scales the gradients of params so that their global L2 norm
// is at most maxNorm, as torch.nn.utils.clip_grad_norm_, and returns the
// norm before scaling. Params without a gradient are ignored; the
// gradients of spago nodes (SpagoParam, Param.Spago) are first moved into
// Grad. It panics if maxNorm is not positive.
func ClipGradNorm(params []*Param, maxNorm float64) float64 {
	if !(maxNorm > 0) {
		panic("model: ClipGradNorm: maxNorm must be positive")
	}
	for _, p := range params {
		p.collectGrad()
	}
	o := AdamW{params: params}
	cs := o.chunks(func(i int) bool { return params[i].HasGrad() })
	ex := newExec(0)
	defer ex.close()
	norm := globalNorm(params, cs, ex)
	scaleGrads(params, cs, maxNorm, norm, ex)
	return norm
}

// Save writes the optimizer state (first and second moments and step
// counts of every Param that has taken a step) to a safetensors file at
// path, atomically. Tensors are named "exp_avg/<param>" and
// "exp_avg_sq/<param>"; the metadata holds the step counts.
func (o *AdamW) Save(path string) error {
	ts := make(map[string]checkpoint.Tensor)
	meta := map[string]string{"format": "polyret-adamw", "steps": strconv.Itoa(o.steps)}
	for i, p := range o.params {
		s := o.state[i]
		if s.m == nil {
			continue
		}
		ts["exp_avg/"+p.Name] = checkpoint.FromFloat32(p.Shape, s.m)
		ts["exp_avg_sq/"+p.Name] = checkpoint.FromFloat32(p.Shape, s.v)
		meta["step/"+p.Name] = strconv.Itoa(s.step)
	}
	return checkpoint.WriteSafetensors(path, ts, meta)
}

// Load restores the state written by Save for the same Params. It returns
// an error naming the tensor if a state tensor belongs to no Param or has
// another shape; o is unchanged on error.
func (o *AdamW) Load(path string) error {
	ts, err := checkpoint.ReadSafetensors(path)
	if err != nil {
		return err
	}
	meta, err := checkpoint.ReadSafetensorsMetadata(path)
	if err != nil {
		return err
	}
	if meta["format"] != "polyret-adamw" {
		return fmt.Errorf("%w: %s: not an AdamW state file", ErrModel, path)
	}
	steps, err := strconv.Atoi(meta["steps"])
	if err != nil || steps < 0 {
		return fmt.Errorf("%w: %s: bad steps %q", ErrModel, path, meta["steps"])
	}
	state := make([]adamState, len(o.params))
	used := 0
	for i, p := range o.params {
		m, okM := ts["exp_avg/"+p.Name]
		v, okV := ts["exp_avg_sq/"+p.Name]
		if !okM && !okV {
			continue
		}
		for name, t := range map[string]checkpoint.Tensor{"exp_avg/" + p.Name: m, "exp_avg_sq/" + p.Name: v} {
			if t.DType != checkpoint.F32 || !slices.Equal(t.Shape, p.Shape) {
				return fmt.Errorf("%w: %s: tensor %s is %v %v, want F32 %v", ErrModel, path, name, t.DType, t.Shape, p.Shape)
			}
		}
		st, err := strconv.Atoi(meta["step/"+p.Name])
		if err != nil || st < 1 {
			return fmt.Errorf("%w: %s: bad step count for %s", ErrModel, path, p.Name)
		}
		state[i] = adamState{m: slices.Clone(m.Float32()), v: slices.Clone(v.Float32()), step: st}
		used += 2
	}
	if used != len(ts) {
		for name := range ts {
			found := false
			for _, p := range o.params {
				found = found || name == "exp_avg/"+p.Name || name == "exp_avg_sq/"+p.Name
			}
			if !found {
				return fmt.Errorf("%w: %s: tensor %s belongs to no parameter", ErrModel, path, name)
			}
		}
	}
	o.state, o.steps = state, steps
	return nil
}
