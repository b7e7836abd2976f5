package loss

import (
	"math"
	"runtime"

	"github.com/nlpodyssey/spago/mat/float"
)

// normEps is the lower clamp of a norm in Cosine, as PyTorch's F.normalize.
const normEps = 1e-12

// problem is one InfoNCE evaluation over plain slices: the options, the
// forward values and what the backward pass reuses. The op of InfoNCE and
// GradCache both drive it.
type problem[T float.DType] struct {
	cfg     Config
	workers int
	b, m, d int // queries, hard negatives, embedding width
	c       int // candidates: b positives then m hard negatives
	negOf   []int
	gid     []int   // group of each item as a small int; nil: no mask
	mask    []bool  // b×c: candidate j is in the softmax of query i
	scale   float64 // 1/τ
	theta   bool    // learnable scale inside its bounds: θ gets a gradient

	qn, cn       []T       // b×d queries, c×d candidates, normalised for Cosine
	qNorm, cNorm []float64 // clamped row norms (Cosine only)
	sim          []T       // b×c similarities
	prob         []float64 // b×c query→passage softmax, 0 where masked
	probRev      []float64 // b×b passage→query softmax, probRev[j*b+i] (Symmetric)
	loss         float64
}

// newProblem validates the shapes and options (panicking on programmer
// errors) and returns a problem ready for forward.
func newProblem[T float.DType](cfg Config, b, m, d int, negOf []int, groups []string) *problem[T] {
	cfg.check()
	if b == 0 {
		panic("loss: no queries")
	}
	if d == 0 {
		panic("loss: zero embedding width")
	}
	p := &problem[T]{cfg: cfg, b: b, m: m, d: d, c: b + m}
	p.workers = cfg.Workers
	if p.workers == 0 {
		p.workers = runtime.GOMAXPROCS(0)
	}
	switch {
	case negOf != nil:
		if len(negOf) != m {
			panic("loss: len(NegativeOf) != number of hard negatives")
		}
		for _, o := range negOf {
			if o < 0 || o >= b {
				panic("loss: NegativeOf index out of range")
			}
		}
		p.negOf = negOf
	case m%b != 0:
		panic("loss: hard negatives not a multiple of the batch size and no NegativeOf")
	default:
		p.negOf = make([]int, m)
		for i := range p.negOf {
			p.negOf[i] = i / (m / b)
		}
	}
	if groups != nil {
		if len(groups) != b {
			panic("loss: len(Groups) != batch size")
		}
		ids := make(map[string]int, b)
		p.gid = make([]int, b)
		for i, g := range groups {
			id, ok := ids[g]
			if !ok {
				id = len(ids)
				ids[g] = id
			}
			p.gid[i] = id
		}
	}
	p.scale, p.theta = 1/DefaultTemperature, false
	switch {
	case cfg.LogitScale != nil:
		var th float64
		th, p.theta = cfg.LogitScale.theta()
		p.scale = math.Exp(th)
	case cfg.Temperature != 0:
		p.scale = 1 / cfg.Temperature
	}
	return p
}

// allowed reports whether candidate j is in the softmax of query i; forward
// tabulates it in p.mask.
func (p *problem[T]) allowed(i, j int) bool {
	if j < p.b {
		if j == i {
			return true
		}
		return p.cfg.InBatch.positives() && (p.gid == nil || p.gid[i] != p.gid[j])
	}
	return p.negOf[j-p.b] == i || p.cfg.InBatch.hardNegatives()
}

// forward computes the loss of queries q (b×d), positives pos (b×d) and hard
// negatives neg (m×d). It does not modify them; with Dot, p.qn aliases q.
func (p *problem[T]) forward(q, pos, neg []T) float64 {
	b, c, d := p.b, p.c, p.d
	p.mask = make([]bool, b*c)
	for i := range b {
		for j := range c {
			p.mask[i*c+j] = p.allowed(i, j)
		}
	}
	p.cn = make([]T, c*d)
	copy(p.cn, pos)
	copy(p.cn[b*d:], neg)
	if p.cfg.Similarity == Cosine {
		p.qn = make([]T, b*d)
		copy(p.qn, q)
		p.qNorm = normalizeRows(p.qn, d)
		p.cNorm = normalizeRows(p.cn, d)
	} else {
		p.qn = q
	}
	p.sim = make([]T, b*c)
	matmul(p.workers, false, true, b, c, d, p.qn, d, p.cn, d, p.sim, c)

	p.prob = make([]float64, b*c)
	var fwd float64
	for i := range b {
		row := p.prob[i*c : (i+1)*c]
		sim := p.sim[i*c : (i+1)*c]
		mask := p.mask[i*c : (i+1)*c]
		mx := math.Inf(-1)
		for j, ok := range mask {
			if ok {
				mx = max(mx, p.scale*float64(sim[j]))
			}
		}
		var z float64
		for j, ok := range mask {
			if ok {
				e := math.Exp(p.scale*float64(sim[j]) - mx)
				row[j] = e
				z += e
			}
		}
		for j := range row {
			row[j] /= z
		}
		// −log softmax of the positive, as log-sum-exp minus its logit.
		fwd += mx + math.Log(z) - p.scale*float64(sim[i])
	}
	loss := fwd
	if p.cfg.Symmetric {
		p.probRev = make([]float64, b*b)
		var rev float64
		for j := range b {
			row := p.probRev[j*b : (j+1)*b]
			mx := math.Inf(-1)
			for i := range b {
				if p.mask[i*c+j] {
					mx = max(mx, p.scale*float64(p.sim[i*c+j]))
				}
			}
			var z float64
			for i := range b {
				if p.mask[i*c+j] {
					e := math.Exp(p.scale*float64(p.sim[i*c+j]) - mx)
					row[i] = e
					z += e
				}
			}
			for i := range row {
				row[i] /= z
			}
			rev += mx + math.Log(z) - p.scale*float64(p.sim[j*c+j])
		}
		loss = 0.5 * (fwd + rev)
	}
	if p.cfg.Reduction == Mean {
		loss /= float64(b)
	}
	p.loss = loss
	return loss
}

// weight returns dL/d(row loss) for a unit upstream gradient.
func (p *problem[T]) weight() float64 {
	w := 1.0
	if p.cfg.Reduction == Mean {
		w /= float64(p.b)
	}
	if p.cfg.Symmetric {
		w *= 0.5
	}
	return w
}

// backward returns the gradients of gy·loss with respect to the queries,
// positives, hard negatives and θ (0 unless the scale is learnable and inside
// its bounds). forward must have run.
func (p *problem[T]) backward(gy float64) (gq, gpos, gneg []T, gtheta float64) {
	b, c, d := p.b, p.c, p.d
	w := gy * p.weight()
	// gs = dL/dsim = scale·dL/dlogit; dL/dscale = Σ dL/dlogit·sim.
	// For Cosine, the projections x̂·(dL/dx̂) the normalisation's backward
	// needs are Σ gs·sim along rows (queries) and columns (candidates):
	// q̂_i·Σ_j gs_ij ĉ_j = Σ_j gs_ij sim_ij, with no pass over d.
	gs := make([]T, b*c)
	qProj, cProj := make([]float64, b), make([]float64, c)
	var dscale float64
	for i := range b {
		prob := p.prob[i*c : (i+1)*c]
		sim := p.sim[i*c : (i+1)*c]
		for j := range c {
			g := prob[j]
			if j == i {
				g--
			}
			if p.probRev != nil && j < b {
				g += p.probRev[j*b+i]
				if j == i {
					g--
				}
			}
			g *= w
			gsim := g * float64(sim[j])
			dscale += gsim
			qProj[i] += gsim * p.scale
			cProj[j] += gsim * p.scale
			gs[i*c+j] = T(g * p.scale)
		}
	}
	if p.theta {
		gtheta = dscale * p.scale // dscale/dθ = exp(θ) = scale
	}

	// dL/dQ̂ = gs·Ĉ and dL/dĈ = gsᵀ·Q̂.
	gqn := make([]T, b*d)
	matmul(p.workers, false, false, b, d, c, gs, c, p.cn, d, gqn, d)
	gcn := make([]T, c*d)
	matmul(p.workers, true, false, c, d, b, gs, c, p.qn, d, gcn, d)

	if p.cfg.Similarity == Cosine {
		normalizeBackward(gqn, p.qn, p.qNorm, qProj, d)
		normalizeBackward(gcn, p.cn, p.cNorm, cProj, d)
	}
	return gqn, gcn[: b*d : b*d], gcn[b*d:], gtheta
}

// normalizeRows divides each d-wide row of x by its norm clamped below at
// normEps, and returns the clamped norms.
func normalizeRows[T float.DType](x []T, d int) []float64 {
	norms := make([]float64, len(x)/d)
	for r := range norms {
		row := x[r*d : (r+1)*d]
		n := max(math.Sqrt(dot64(row, row)), normEps)
		norms[r] = n
		inv := 1 / n
		for k, v := range row {
			row[k] = T(float64(v) * inv)
		}
	}
	return norms
}

// normalizeBackward turns g, the gradient w.r.t. rows x̂ = x/max(‖x‖, ε), into
// the gradient w.r.t. x, in place: (g − x̂(x̂·g))/‖x‖, or g/ε where the norm
// was clamped; proj[r] holds x̂·g of row r.
func normalizeBackward[T float.DType](g, xn []T, norms, proj []float64, d int) {
	for r, n := range norms {
		gr := g[r*d : (r+1)*d]
		xr := xn[r*d : (r+1)*d]
		inv := 1 / n
		dot := proj[r]
		if n == normEps {
			dot = 0
		}
		// In T: the products are rounded to T anyway, and float32 loops
		// without conversions run about twice as fast.
		a, bb := T(inv), T(dot*inv)
		for k, v := range gr {
			gr[k] = v*a - xr[k]*bb
		}
	}
}

// dot64 returns x·y accumulated in float64, in four chains so the adds
// overlap.
func dot64[T float.DType](x, y []T) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(x); k += 4 {
		s0 += float64(x[k]) * float64(y[k])
		s1 += float64(x[k+1]) * float64(y[k+1])
		s2 += float64(x[k+2]) * float64(y[k+2])
		s3 += float64(x[k+3]) * float64(y[k+3])
	}
	for ; k < len(x); k++ {
		s0 += float64(x[k]) * float64(y[k])
	}
	return (s0 + s1) + (s2 + s3)
}
