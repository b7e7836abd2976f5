package model

import "math"

// Element-wise kernels: the exact (erf) GELU of BERT, tanh, and dropout.
// float32 slices use the fast functions of mathf.go, float64 slices the math
// package.

const (
	sqrtHalf     = 0.70710678118654752440
	invSqrt2Pi   = 0.39894228040143267794
	minElemChunk = 1 << 14 // elements per goroutine below which splitting does not pay
)

// geluTo sets y = x·Φ(x) element-wise, Φ the standard normal CDF (the erf
// form of GELU, not the tanh approximation). y may be x.
func geluTo[T float](y, x []T, ex *exec) {
	parallelRange(ex, len(x), minElemChunk, func(_, lo, hi int) {
		switch xs := any(x[lo:hi]).(type) {
		case []float32:
			ys := any(y[lo:hi]).([]float32)
			done := 0
			if hasVec && len(xs) >= 8 {
				done = len(xs) &^ 7
				geluVec(&ys[0], &xs[0], done)
			}
			for i := done; i < len(xs); i++ {
				v := xs[i]
				ys[i] = 0.5 * v * (1 + erff(v*sqrtHalf))
			}
		case []float64:
			ys := any(y[lo:hi]).([]float64)
			for i, v := range xs {
				ys[i] = 0.5 * v * (1 + math.Erf(v*sqrtHalf))
			}
		}
	})
}

// geluAndGrad sets g = x·Φ(x) and overwrites x with the derivative
// Φ(x) + x·φ(x), sharing the erf between them (the backward pass needs
// both: the value for the next layer's weight gradient, the derivative for
// the chain rule).
func geluAndGrad[T float](g, x []T, ex *exec) {
	parallelRange(ex, len(x), minElemChunk, func(_, lo, hi int) {
		switch xs := any(x[lo:hi]).(type) {
		case []float32:
			gs := any(g[lo:hi]).([]float32)
			done := 0
			if hasVec && len(xs) >= 8 {
				done = len(xs) &^ 7
				geluGradVec(&gs[0], &xs[0], done)
			}
			for i := done; i < len(xs); i++ {
				v := xs[i]
				cdf := 0.5 * (1 + erff(v*sqrtHalf))
				gs[i] = v * cdf
				xs[i] = cdf + v*invSqrt2Pi*expf(-0.5*v*v)
			}
		case []float64:
			gs := any(g[lo:hi]).([]float64)
			for i, v := range xs {
				cdf := 0.5 * (1 + math.Erf(v*sqrtHalf))
				gs[i] = v * cdf
				xs[i] = cdf + v*invSqrt2Pi*math.Exp(-0.5*v*v)
			}
		}
	})
}

// mulParallel sets dst[i] *= s[i], split across workers.
func mulParallel[T float](dst, s []T, ex *exec) {
	parallelRange(ex, len(dst), minElemChunk, func(_, lo, hi int) {
		d, v := dst[lo:hi], s[lo:hi]
		for i := range d {
			d[i] *= v[i]
		}
	})
}

// tanhInPlace sets x = tanh(x) element-wise.
func tanhInPlace[T float](x []T) {
	switch xs := any(x).(type) {
	case []float32:
		for i, v := range xs {
			xs[i] = tanhf(v)
		}
	case []float64:
		for i, v := range xs {
			xs[i] = math.Tanh(v)
		}
	}
}

// tanhBackward sets dx = dy·(1 − y²) for y = tanh(x); dx may be dy.
func tanhBackward[T float](dx, dy, y []T) {
	for i, v := range y {
		dx[i] = dy[i] * (1 - v*v)
	}
}

// A dropoutMask decides, for each element index of one dropout site, whether
// the element is kept; kept elements are scaled by 1/(1−p). The decision is
// a hash of (key, index), so a mask costs no memory, is the same in the
// forward and backward passes and in a replayed pass, and does not depend
// on how the work is split across goroutines.
type dropoutMask struct {
	key       uint64
	threshold uint32 // keep when the 24-bit hash is ≥ threshold
	scale     float32
}

// newDropoutMask returns the mask of probability p for key; p must be in
// [0, 1). A zero p gives the zero mask, which keeps everything.
func newDropoutMask(p float64, key uint64) dropoutMask {
	if p <= 0 {
		return dropoutMask{}
	}
	return dropoutMask{
		key:       key,
		threshold: uint32(math.Round(p * (1 << 24))),
		scale:     float32(1 / (1 - p)),
	}
}

// active reports whether the mask drops anything.
func (m dropoutMask) active() bool { return m.threshold != 0 }

// keep reports whether element i is kept.
func (m dropoutMask) keep(i int) bool {
	return uint32(mix64(m.key+uint64(i)*0x9e3779b97f4a7c15)>>40) >= m.threshold
}

// dropApply multiplies x, the elements first, first+1, ... of the site, by
// the mask m (0 or 1/(1−p)). It is its own backward.
func dropApply[T float](m dropoutMask, x []T, first int) {
	if !m.active() {
		return
	}
	scale := T(m.scale)
	for i := range x {
		if m.keep(first + i) {
			x[i] *= scale
		} else {
			x[i] = 0
		}
	}
}

// dropApplyParallel is dropApply over a large slice, split across workers.
func dropApplyParallel[T float](m dropoutMask, x []T, first int, ex *exec) {
	if !m.active() {
		return
	}
	parallelRange(ex, len(x), minElemChunk, func(_, lo, hi int) {
		dropApply(m, x[lo:hi], first+lo)
	})
}

// mix64 is the SplitMix64 finaliser, a bijective 64-bit hash.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// siteKey derives the key of one dropout site from the pass key, the layer
// and a site number.
func siteKey(pass uint64, layer, site int) uint64 {
	return mix64(pass ^ mix64(uint64(layer)<<8|uint64(site)+1))
}
