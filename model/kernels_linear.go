package model

// Dense (fully connected) layers over a batch of rows. Weights keep the
// PyTorch layout [out, in], so y = x·Wᵀ + b is one GEMM with transB and the
// checkpoint tensors are used as stored.

// linearTo sets y (rows×out) = x (rows×in) · wᵀ + b. b may be nil.
func linearTo[T float](ex *exec, y, x, w, b []T, rows, in, out int) {
	beta := T(0)
	if b != nil {
		for r := range rows {
			copy(y[r*out:(r+1)*out], b)
		}
		beta = 1
	}
	matmul(ex.impl, false, true, rows, out, in, 1, x, in, w, in, beta, y, out)
}

// linearBackward accumulates the gradients of y = x·wᵀ + b given dy:
// dw += dyᵀ·x and db += column sums of dy (skipped when dw or db is nil),
// and dx = dy·w, or dx += dy·w when accDX (skipped when dx is nil).
// colScratch needs chunks(ex.workers, rows, 64)·out elements when db is set.
func linearBackward[T float](dx, dw, db, dy, x, w []T, rows, in, out int, accDX bool, ex *exec, colScratch []T) {
	if dx != nil {
		beta := T(0)
		if accDX {
			beta = 1
		}
		matmul(ex.impl, false, false, rows, in, out, 1, dy, out, w, in, beta, dx, in)
	}
	if dw != nil {
		matmul(ex.impl, true, false, out, in, rows, 1, dy, out, x, in, 1, dw, in)
	}
	if db != nil {
		colSumAcc(db, dy, rows, out, ex, colScratch)
	}
}

// colSumAcc adds the column sums of m (rows×cols) to dst. Partial sums per
// chunk of rows are reduced in chunk order, so the result does not depend
// on scheduling. scratch needs chunks(ex.workers, rows, 64)·cols elements.
func colSumAcc[T float](dst, m []T, rows, cols int, ex *exec, scratch []T) {
	const minRows = 64
	nc := chunks(ex.workers, rows, minRows)
	if nc == 1 {
		for r := range rows {
			addTo(dst, m[r*cols:(r+1)*cols])
		}
		return
	}
	part := scratch[:nc*cols]
	clear(part)
	parallelRange(ex, rows, minRows, func(c, lo, hi int) {
		acc := part[c*cols : (c+1)*cols]
		for r := lo; r < hi; r++ {
			addTo(acc, m[r*cols:(r+1)*cols])
		}
	})
	for c := range nc {
		addTo(dst, part[c*cols:(c+1)*cols])
	}
}

// addTo sets dst[i] += s[i].
func addTo[T float](dst, s []T) {
	s = s[:len(dst)]
	for i, v := range s {
		dst[i] += v
	}
}
