package model

import "math"

// Layer normalisation over the last dimension, as torch.nn.LayerNorm:
// y = (x − mean)/sqrt(var + eps)·γ + β with the biased variance. Row
// statistics are accumulated in float64.

// layerNormTo normalises each of the rows×h rows of x into y (which may be
// x). When xhat is not nil it receives the normalised rows before the
// affine map and rstd the reciprocal standard deviations, for the backward
// pass.
func layerNormTo[T float](y, xhat, rstd, x, gamma, beta []T, rows, h int, eps float64, ex *exec) {
	parallelRange(ex, rows, 32, func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			xr := x[r*h : (r+1)*h]
			var sum float64
			for _, v := range xr {
				sum += float64(v)
			}
			mean := sum / float64(h)
			var ss float64
			for _, v := range xr {
				d := float64(v) - mean
				ss += d * d
			}
			rs := 1 / math.Sqrt(ss/float64(h)+eps)
			m, s := T(mean), T(rs)
			yr := y[r*h : (r+1)*h]
			if xhat != nil {
				xh := xhat[r*h : (r+1)*h]
				rstd[r] = s
				for j, v := range xr {
					n := (v - m) * s
					xh[j] = n
					yr[j] = n*gamma[j] + beta[j]
				}
				continue
			}
			// The same expression as above, so that training and inference
			// passes agree bit for bit on every architecture.
			for j, v := range xr {
				n := (v - m) * s
				yr[j] = n*gamma[j] + beta[j]
			}
		}
	})
}

// layerNormBackward sets dx from dy (dx may be dy) and accumulates dgamma
// and dbeta, given the xhat and rstd saved by layerNormTo. scratch needs
// 2·chunks(ex.workers, rows, 32)·h elements.
func layerNormBackward[T float](dx, dgamma, dbeta, dy, xhat, rstd, gamma []T, rows, h int, ex *exec, scratch []T) {
	const minRows = 32
	nc := chunks(ex.workers, rows, minRows)
	part := scratch[:2*nc*h]
	clear(part)
	parallelRange(ex, rows, minRows, func(c, lo, hi int) {
		dg := part[2*c*h : (2*c+1)*h]
		db := part[(2*c+1)*h : (2*c+2)*h]
		for r := lo; r < hi; r++ {
			dyr := dy[r*h : (r+1)*h]
			xh := xhat[r*h : (r+1)*h]
			var a, b float64
			for j, g := range dyr {
				dg[j] += g * xh[j]
				db[j] += g
				gg := float64(g * gamma[j])
				a += gg
				b += gg * float64(xh[j])
			}
			a /= float64(h)
			b /= float64(h)
			s := rstd[r]
			ma, mb := T(a), T(b)
			dxr := dx[r*h : (r+1)*h]
			for j, g := range dyr {
				dxr[j] = s * (g*gamma[j] - ma - xh[j]*mb)
			}
		}
	})
	for c := range nc {
		addTo(dgamma, part[2*c*h:(2*c+1)*h])
		addTo(dbeta, part[(2*c+1)*h:(2*c+2)*h])
	}
}
