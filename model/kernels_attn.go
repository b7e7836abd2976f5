package model

import "math"

// Multi-head self-attention over packed sequences. The rows of all sequences
// of a batch are stacked without padding (sequence s has rows
// offs[s]..offs[s+1]); a token attends to the tokens of its own sequence
// only, which is what a padded batch with an attention mask computes for its
// real tokens (masked keys get weight exactly 0 there). Q, K and V are the
// three column blocks of one rows×3H matrix, the output of the fused
// projection, so each (sequence, head) pair is a handful of small GEMMs on
// strided views, run in parallel across pairs.

// attnLayout describes a packed batch for attention.
type attnLayout struct {
	offs    []int // row offsets of the sequences; len n+1
	probOff []int // offsets of each sequence's heads·len² probabilities; len n+1
	heads   int
	dh      int // head size
	maxLen  int
}

// newAttnLayout returns the layout of sequences with the given row offsets.
func newAttnLayout(offs []int, heads, dh int) attnLayout {
	l := attnLayout{offs: offs, probOff: make([]int, len(offs)), heads: heads, dh: dh}
	for s := range len(offs) - 1 {
		n := offs[s+1] - offs[s]
		l.maxLen = max(l.maxLen, n)
		l.probOff[s+1] = l.probOff[s] + heads*n*n
	}
	return l
}

// probSize returns the number of attention probabilities of the batch.
func (l attnLayout) probSize() int { return l.probOff[len(l.probOff)-1] }

// scratchSize returns the per-worker scratch that the attention kernels need.
func (l attnLayout) scratchSize() int { return 2 * l.maxLen * l.maxLen }

// forEach runs fn for every (sequence, head) pair of the batch on up to
// workers goroutines: w indexes the worker's scratch, hd is the head, the
// sequence has n rows from row r0, and its probabilities for the head start
// at first.
func (l attnLayout) forEach(ex *exec, fn func(w, hd, r0, n, first int)) {
	parallelTasks(ex, (len(l.offs)-1)*l.heads, func(w, task int) {
		s, hd := task/l.heads, task%l.heads
		r0, n := l.offs[s], l.offs[s+1]-l.offs[s]
		if n > 0 {
			fn(w, hd, r0, n, l.probOff[s]+hd*n*n)
		}
	})
}

// attentionForward sets ctx (rows×H) to softmax(Q·Kᵀ/√dh)·V per sequence and
// head, with dropout drop on the probabilities. If probs is not nil it
// receives the probabilities before dropout, for the backward pass.
// scratch[w] is worker w's scratch of l.scratchSize() elements.
func attentionForward[T float](ctx, probs, qkv []T, l attnLayout, drop dropoutMask, ex *exec, scratch [][]T) {
	h := l.heads * l.dh
	scale := T(1 / math.Sqrt(float64(l.dh)))
	l.forEach(ex, func(w, hd, r0, n, first int) {
		var p []T
		if probs != nil {
			p = probs[first : first+n*n]
		} else {
			p = scratch[w][:n*n]
		}
		q := qkv[r0*3*h+hd*l.dh:]
		k := qkv[r0*3*h+h+hd*l.dh:]
		v := qkv[r0*3*h+2*h+hd*l.dh:]
		matmul(ex.serial, false, true, n, n, l.dh, scale, q, 3*h, k, 3*h, 0, p, n)
		softmaxRows(p, n, n)
		pd := p
		if drop.active() {
			pd = scratch[w][n*n : 2*n*n]
			copy(pd, p)
			dropApply(drop, pd, first)
		}
		matmul(ex.serial, false, false, n, l.dh, n, 1, pd, n, v, 3*h, 0, ctx[r0*h+hd*l.dh:], h)
	})
}

// attentionBackward sets dqkv (rows×3H) from dctx given the qkv and probs of
// the forward pass.
func attentionBackward[T float](dqkv, dctx, qkv, probs []T, l attnLayout, drop dropoutMask, ex *exec, scratch [][]T) {
	h := l.heads * l.dh
	scale := T(1 / math.Sqrt(float64(l.dh)))
	l.forEach(ex, func(w, hd, r0, n, first int) {
		p := probs[first : first+n*n]
		dp := scratch[w][:n*n]
		col := hd * l.dh
		q, k, v := qkv[r0*3*h+col:], qkv[r0*3*h+h+col:], qkv[r0*3*h+2*h+col:]
		dq, dk, dv := dqkv[r0*3*h+col:], dqkv[r0*3*h+h+col:], dqkv[r0*3*h+2*h+col:]
		dc := dctx[r0*h+col:]
		// dPd = dC·Vᵀ and dV = Pdᵀ·dC, Pd the probabilities after dropout.
		matmul(ex.serial, false, true, n, n, l.dh, 1, dc, h, v, 3*h, 0, dp, n)
		pd := p
		if drop.active() {
			pd = scratch[w][n*n : 2*n*n]
			copy(pd, p)
			dropApply(drop, pd, first)
			dropApply(drop, dp, first)
		}
		matmul(ex.serial, true, false, n, l.dh, n, 1, pd, n, dc, h, 0, dv, 3*h)
		// Softmax backward: dS = P ⊙ (dP − rowsum(dP ⊙ P)).
		for i := range n {
			pr, dr := p[i*n:(i+1)*n], dp[i*n:(i+1)*n]
			var dot T
			for j, pv := range pr {
				dot += pv * dr[j]
			}
			for j, pv := range pr {
				dr[j] = pv * (dr[j] - dot)
			}
		}
		matmul(ex.serial, false, false, n, l.dh, n, scale, dp, n, k, 3*h, 0, dq, 3*h)
		matmul(ex.serial, true, false, n, l.dh, n, scale, dp, n, q, 3*h, 0, dk, 3*h)
	})
}

// softmaxRows replaces each row of the rows×cols matrix m by its softmax.
func softmaxRows[T float](m []T, rows, cols int) {
	for i := range rows {
		r := m[i*cols : (i+1)*cols]
		mx := r[0]
		for _, v := range r[1:] {
			mx = max(mx, v)
		}
		var sum T
		switch rs := any(r).(type) {
		case []float32:
			m32 := float32(mx)
			var s float32
			done := 0
			if hasVec && len(rs) >= 8 {
				done = len(rs) &^ 7
				s = expShiftSumVec(&rs[0], done, m32)
			}
			for j := done; j < len(rs); j++ {
				e := expf(rs[j] - m32)
				rs[j] = e
				s += e
			}
			sum = T(s)
		case []float64:
			m64 := float64(mx)
			var s float64
			for j, v := range rs {
				e := math.Exp(v - m64)
				rs[j] = e
				s += e
			}
			sum = T(s)
		}
		inv := 1 / sum
		for j := range r {
			r[j] *= inv
		}
	}
}
