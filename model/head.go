package model

// head turns token states into sentence embeddings: pooling, then BERT's
// pooler or sentence-transformers' Dense module (optional), then L2
// normalisation (optional). Its tensors are n×d with n the number of
// sequences, small next to the body, so it uses plain allocations.
type head struct {
	pooling   PoolingMode
	pooler    [2]*Param // pooler.dense weight and bias; nil if the checkpoint has none
	dense     [2]*Param // sentence-transformers Dense linear.weight, linear.bias; nil if absent
	denseTanh bool      // Dense activation: tanh, else identity
	normalize bool
}

// dim returns the width of the embeddings for token states of width h.
func (hd *head) dim(h int) int {
	if hd.dense[0] != nil {
		return hd.dense[0].Shape[0]
	}
	return h
}

// params returns the head's parameters in checkpoint order.
func (hd *head) params() []*Param {
	var ps []*Param
	for _, p := range []*Param{hd.pooler[0], hd.pooler[1], hd.dense[0], hd.dense[1]} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

// headTape is the saved state of a training pass through the head.
type headTape struct {
	offs      []int
	rows      int       // token rows of the body output
	pooled    []float32 // n×h
	argmax    []int32   // PoolMax
	poolerOut []float32 // tanh output of the pooler
	denseOut  []float32 // activation output of Dense
	out       []float32 // final embeddings (normalised when normalize)
	norms     []float32
}

// forward pools x (rows×h) for the sequences at offs and returns the n×d
// embeddings and, with save, the tape.
func (hd *head) forward(ex *exec, x []float32, offs []int, h int, save bool) ([]float32, *headTape) {
	n := len(offs) - 1
	tp := &headTape{offs: offs, rows: offs[n], pooled: make([]float32, n*h)}
	if hd.pooling == PoolMax && save {
		tp.argmax = make([]int32, n*h)
	}
	poolTo(tp.pooled, x, offs, h, hd.pooling, tp.argmax)
	cur := tp.pooled
	if hd.pooling == PoolPooler {
		tp.poolerOut = make([]float32, n*h)
		linearTo(ex, tp.poolerOut, cur, hd.pooler[0].Value, hd.pooler[1].Value, n, h, h)
		tanhInPlace(tp.poolerOut)
		cur = tp.poolerOut
	}
	if hd.dense[0] != nil {
		out, in := hd.dense[0].Shape[0], hd.dense[0].Shape[1]
		tp.denseOut = make([]float32, n*out)
		linearTo(ex, tp.denseOut, cur, hd.dense[0].Value, hd.dense[1].Value, n, in, out)
		if hd.denseTanh {
			tanhInPlace(tp.denseOut)
		}
		cur = tp.denseOut
	}
	if hd.normalize {
		d := len(cur) / max(n, 1)
		tp.out, tp.norms = make([]float32, n*d), make([]float32, n)
		normalizeRows(tp.out, tp.norms, cur, n, d)
		cur = tp.out
	}
	tp.out = cur
	if !save {
		return cur, nil
	}
	return cur, tp
}

// backward returns the gradient with respect to the body output (rows×h,
// from the pool) given dOut, and accumulates the head's parameter
// gradients. Callers hold the backward lock.
func (hd *head) backward(ex *exec, tp *headTape, dOut []float32, h int) []float32 {
	n := len(tp.offs) - 1
	g := append([]float32(nil), dOut...)
	if hd.normalize {
		d := len(g) / max(n, 1)
		normalizeBackward(g, g, tp.out, tp.norms, n, d)
	}
	if hd.dense[0] != nil {
		out, in := hd.dense[0].Shape[0], hd.dense[0].Shape[1]
		if hd.denseTanh {
			tanhBackward(g, g, tp.denseOut)
		}
		src := tp.pooled
		if tp.poolerOut != nil {
			src = tp.poolerOut
		}
		dx := make([]float32, n*in)
		linearBackward(dx, hd.dense[0].grad(), hd.dense[1].grad(), g, src, hd.dense[0].Value, n, in, out, false, ex, make([]float32, chunks(ex.workers, n, 64)*out))
		g = dx
	}
	if hd.pooling == PoolPooler {
		tanhBackward(g, g, tp.poolerOut)
		dx := make([]float32, n*h)
		linearBackward(dx, hd.pooler[0].grad(), hd.pooler[1].grad(), g, tp.pooled, hd.pooler[0].Value, n, h, h, false, ex, make([]float32, chunks(ex.workers, n, 64)*h))
		g = dx
	}
	dx := getZeroF32(tp.rows * h)
	poolBackward(dx, g, tp.offs, h, hd.pooling, tp.argmax)
	return dx
}
