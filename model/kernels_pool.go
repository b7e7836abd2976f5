package model

import (
	"math"
	"strconv"
)

// Embedding lookup, pooling and L2 normalisation kernels.

// embedTo sets x[r] = (word[ids[r]] + typ[0]) + pos[posIDs[r]] for every
// row r (the order of the float32 additions of Hugging Face's BertEmbeddings).
// typ may be nil.
func embedTo[T float](x, word, typ, pos []T, ids, posIDs []int32, h int) {
	for r, id := range ids {
		xr := x[r*h : (r+1)*h]
		w := word[int(id)*h : int(id+1)*h]
		p := pos[int(posIDs[r])*h : int(posIDs[r]+1)*h]
		if typ != nil {
			for j := range xr {
				xr[j] = (w[j] + typ[j]) + p[j]
			}
			continue
		}
		for j := range xr {
			xr[j] = w[j] + p[j]
		}
	}
}

// embedBackward scatter-adds dx into the rows of dword and dpos that the
// forward pass read, and the sum of all rows into dtyp[0:h] (if not nil).
// Workers own disjoint column ranges, so the sums are race-free and in row
// order.
func embedBackward[T float](dword, dtyp, dpos, dx []T, ids, posIDs []int32, h int, ex *exec) {
	parallelRange(ex, h, 64, func(_, lo, hi int) {
		for r, id := range ids {
			g := dx[r*h+lo : r*h+hi]
			addTo(dword[int(id)*h+lo:int(id)*h+hi], g)
			addTo(dpos[int(posIDs[r])*h+lo:int(posIDs[r])*h+hi], g)
			if dtyp != nil {
				addTo(dtyp[lo:hi], g)
			}
		}
	})
}

// PoolingMode selects how token states become one vector per sequence.
type PoolingMode uint8

// Pooling modes, as sentence-transformers' Pooling module names them.
const (
	PoolCLS    PoolingMode = iota + 1 // the state of the first token ([CLS] or <s>)
	PoolMean                          // the mean of the states of all tokens
	PoolMax                           // the element-wise maximum over all tokens
	PoolPooler                        // BERT's pooler: tanh(W·h_CLS + b), as Hugging Face's pooler_output
)

// String returns the sentence-transformers name of the mode ("cls", "mean",
// "max") or "pooler".
func (m PoolingMode) String() string {
	switch m {
	case PoolCLS:
		return "cls"
	case PoolMean:
		return "mean"
	case PoolMax:
		return "max"
	case PoolPooler:
		return "pooler"
	}
	return "PoolingMode(" + strconv.Itoa(int(m)) + ")"
}

// poolTo sets out (n×h) to the pooled rows of x (rows×h) for the sequences
// at row offsets offs. For PoolMax, argmax (n×h) receives the row of each
// maximum (the first one on ties) when not nil. PoolPooler is handled by
// the caller as PoolCLS followed by a dense layer.
func poolTo[T float](out, x []T, offs []int, h int, mode PoolingMode, argmax []int32) {
	var acc []float64
	for s := range len(offs) - 1 {
		o := out[s*h : (s+1)*h]
		lo, hi := offs[s], offs[s+1]
		switch mode {
		case PoolCLS, PoolPooler:
			copy(o, x[lo*h:(lo+1)*h])
		case PoolMean:
			// Sum in float64: a long sequence would lose digits in float32.
			if acc == nil {
				acc = make([]float64, h)
			}
			clear(acc)
			for r := lo; r < hi; r++ {
				for j, v := range x[r*h : (r+1)*h] {
					acc[j] += float64(v)
				}
			}
			n := float64(max(hi-lo, 1))
			for j := range o {
				o[j] = T(acc[j] / n)
			}
		case PoolMax:
			copy(o, x[lo*h:(lo+1)*h])
			var am []int32
			if argmax != nil {
				am = argmax[s*h : (s+1)*h]
				for j := range am {
					am[j] = int32(lo)
				}
			}
			for r := lo + 1; r < hi; r++ {
				for j, v := range x[r*h : (r+1)*h] {
					if v > o[j] {
						o[j] = v
						if am != nil {
							am[j] = int32(r)
						}
					}
				}
			}
		}
	}
}

// poolBackward adds to dx (rows×h) the gradient of poolTo given dout.
func poolBackward[T float](dx, dout []T, offs []int, h int, mode PoolingMode, argmax []int32) {
	for s := range len(offs) - 1 {
		g := dout[s*h : (s+1)*h]
		lo, hi := offs[s], offs[s+1]
		switch mode {
		case PoolCLS, PoolPooler:
			addTo(dx[lo*h:(lo+1)*h], g)
		case PoolMean:
			inv := 1 / T(max(hi-lo, 1))
			for r := lo; r < hi; r++ {
				d := dx[r*h : (r+1)*h]
				for j, v := range g {
					d[j] += v * inv
				}
			}
		case PoolMax:
			am := argmax[s*h : (s+1)*h]
			for j, v := range g {
				dx[int(am[j])*h+j] += v
			}
		}
	}
}

// normEps is the floor of the norm in L2 normalisation, as
// torch.nn.functional.normalize.
const normEps = 1e-12

// normalizeRows sets each row of y (rows×d) to the row of x divided by
// max(‖x‖₂, 1e-12), and norms[r] to that divisor. y may be x.
func normalizeRows[T float](y, norms, x []T, rows, d int) {
	for r := range rows {
		xr := x[r*d : (r+1)*d]
		var ss float64
		for _, v := range xr {
			ss += float64(v) * float64(v)
		}
		n := T(max(math.Sqrt(ss), normEps))
		norms[r] = n
		yr := y[r*d : (r+1)*d]
		for j, v := range xr {
			yr[j] = v / n
		}
	}
}

// normalizeBackward sets dx from dy given the output y and the norms of
// normalizeRows; dx may be dy.
func normalizeBackward[T float](dx, dy, y, norms []T, rows, d int) {
	for r := range rows {
		yr, gr, dr := y[r*d:(r+1)*d], dy[r*d:(r+1)*d], dx[r*d:(r+1)*d]
		n := norms[r]
		if n <= normEps {
			// The divisor was the constant floor: the map is linear.
			for j, g := range gr {
				dr[j] = g / n
			}
			continue
		}
		var dot T
		for j, g := range gr {
			dot += g * yr[j]
		}
		for j, g := range gr {
			dr[j] = (g - yr[j]*dot) / n
		}
	}
}
