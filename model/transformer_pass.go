package model

import "fmt"

// The forward and backward passes of the transformer body over a packed
// batch. A training pass keeps, per layer, exactly the activations its
// backward pass needs (the layer input, the fused Q|K|V, the attention
// probabilities, the attention context, both normalised LayerNorm inputs
// with their 1/σ, the LayerNorm-1 output and the pre-GELU activation, from
// which the backward pass recomputes the GELU output and derivative in one
// pass), and the backward pass returns each buffer to the pool as soon as
// it is consumed.

// packed is a batch of token-id sequences stacked without padding.
type packed struct {
	ids    []int32 // every token of every sequence
	posIDs []int32 // their position ids
	offs   []int   // sequence s is ids[offs[s]:offs[s+1]]; len n+1
}

// pack validates seqs and stacks them. Sequences must be non-empty, at most
// MaxLength long, with ids in [0, VocabSize).
func (t *transformer) pack(seqs [][]int32) (packed, error) {
	var b packed
	b.offs = make([]int, len(seqs)+1)
	n := 0
	for i, s := range seqs {
		if len(s) == 0 {
			return packed{}, fmt.Errorf("model: sequence %d is empty", i)
		}
		if len(s) > t.cfg.MaxLength() {
			return packed{}, fmt.Errorf("model: sequence %d has %d tokens, more than the %d positions of the model", i, len(s), t.cfg.MaxLength())
		}
		n += len(s)
		b.offs[i+1] = n
	}
	b.ids = make([]int32, 0, n)
	b.posIDs = make([]int32, n)
	for i, s := range seqs {
		for j, id := range s {
			if id < 0 || int(id) >= t.cfg.VocabSize {
				return packed{}, fmt.Errorf("model: sequence %d token %d: id %d outside the vocabulary of %d", i, j, id, t.cfg.VocabSize)
			}
		}
		b.ids = append(b.ids, s...)
		t.positionIDs(b.posIDs[b.offs[i]:b.offs[i+1]], s)
	}
	return b, nil
}

// Dropout sites of a layer.
const (
	siteEmbeddings = iota // after the embedding LayerNorm (layer index NumLayers)
	siteAttnProbs         // attention probabilities
	siteAttnOut           // attention output projection, before the residual
	siteFFNOut            // feed-forward output, before the residual
)

// passDropout is the dropout of one pass: probabilities and the pass key
// from which every site's mask derives.
type passDropout struct {
	key          uint64
	hidden, attn float64
}

func (p passDropout) mask(layer, site int) dropoutMask {
	prob := p.hidden
	if site == siteAttnProbs {
		prob = p.attn
	}
	return newDropoutMask(prob, siteKey(p.key, layer, site))
}

// layerTape holds what one layer's backward pass needs.
type layerTape struct {
	x            []float32 // layer input
	qkv          []float32
	probs        []float32
	ctx          []float32
	xhat1, rstd1 []float32
	x1           []float32 // LayerNorm-1 output
	inter        []float32 // pre-GELU activation
	xhat2, rstd2 []float32
}

// bodyTape is the saved state of a training forward pass.
type bodyTape struct {
	b                packed
	lay              attnLayout
	drop             passDropout
	embXhat, embRstd []float32
	layers           []layerTape
	hidden           []float32
}

// attnScratch returns per-worker scratch buffers for the attention kernels.
func attnScratch(workers int, lay attnLayout) [][]float32 {
	s := make([][]float32, workers)
	for i := range s {
		s[i] = getF32(lay.scratchSize())
	}
	return s
}

func putAll(bufs ...[]float32) {
	for _, b := range bufs {
		putF32(b)
	}
}

// forward runs the body over b and returns the final token states
// (rows×H, from the pool: the caller returns it with putF32 unless it is
// kept in the tape). With save, it also returns the tape for backward.
func (t *transformer) forward(b packed, save bool, drop passDropout, ex *exec) ([]float32, *bodyTape) {
	cfg := t.cfg
	h, in, rows := cfg.HiddenSize, cfg.IntermediateSize, len(b.ids)
	lay := newAttnLayout(b.offs, cfg.NumHeads, h/cfg.NumHeads)
	var tp *bodyTape
	if save {
		tp = &bodyTape{b: b, lay: lay, drop: drop, layers: make([]layerTape, cfg.NumLayers)}
		tp.embXhat, tp.embRstd = getF32(rows*h), make([]float32, rows)
	}
	x := getF32(rows * h)
	embedTo(x, t.word.Value, t.typ.Value[:h], t.pos.Value, b.ids, b.posIDs, h)
	var xhat, rstd []float32
	if save {
		xhat, rstd = tp.embXhat, tp.embRstd
	}
	layerNormTo(x, xhat, rstd, x, t.embLNg.Value, t.embLNb.Value, rows, h, cfg.LayerNormEps, ex)
	dropApplyParallel(drop.mask(cfg.NumLayers, siteEmbeddings), x, 0, ex)
	scratch := attnScratch(ex.workers, lay)
	defer putAll(scratch...)
	for li := range t.layers {
		l := &t.layers[li]
		qkv := getF32(rows * 3 * h)
		linearTo(ex, qkv, x, l.qkvW, l.qkvB, rows, h, 3*h)
		ctx := getF32(rows * h)
		var probs []float32
		if save {
			probs = getF32(lay.probSize())
		}
		attentionForward(ctx, probs, qkv, lay, drop.mask(li, siteAttnProbs), ex, scratch)
		a := getF32(rows * h)
		linearTo(ex, a, ctx, l.attnOut[0].Value, l.attnOut[1].Value, rows, h, h)
		dropApplyParallel(drop.mask(li, siteAttnOut), a, 0, ex)
		addParallel(a, x, ex)
		var xhat1, rstd1 []float32
		if save {
			xhat1, rstd1 = getF32(rows*h), make([]float32, rows)
		}
		layerNormTo(a, xhat1, rstd1, a, l.ln1[0].Value, l.ln1[1].Value, rows, h, cfg.LayerNormEps, ex)
		inter := getF32(rows * in)
		linearTo(ex, inter, a, l.inter[0].Value, l.inter[1].Value, rows, h, in)
		g := inter
		if save {
			g = getF32(rows * in)
		}
		geluTo(g, inter, ex)
		o := getF32(rows * h)
		linearTo(ex, o, g, l.out[0].Value, l.out[1].Value, rows, in, h)
		dropApplyParallel(drop.mask(li, siteFFNOut), o, 0, ex)
		addParallel(o, a, ex)
		var xhat2, rstd2 []float32
		if save {
			xhat2, rstd2 = getF32(rows*h), make([]float32, rows)
		}
		layerNormTo(o, xhat2, rstd2, o, l.ln2[0].Value, l.ln2[1].Value, rows, h, cfg.LayerNormEps, ex)
		if save {
			putF32(g)
			tp.layers[li] = layerTape{x: x, qkv: qkv, probs: probs, ctx: ctx, xhat1: xhat1, rstd1: rstd1,
				x1: a, inter: inter, xhat2: xhat2, rstd2: rstd2}
		} else {
			putAll(x, qkv, ctx, a, inter)
		}
		x = o
	}
	if save {
		tp.hidden = x
	}
	return x, tp
}

// backward propagates dHidden (rows×H; overwritten) through the body and
// accumulates the parameter gradients. It releases the tape's buffers, the
// final hidden states included. Callers hold the backward lock.
func (t *transformer) backward(tp *bodyTape, dHidden []float32, ex *exec) {
	cfg := t.cfg
	h, in, rows := cfg.HiddenSize, cfg.IntermediateSize, len(tp.b.ids)
	t.ensureGrads()
	scr := make([]float32, 2*ex.workers*max(2*h, 3*h, in))
	scratch := attnScratch(ex.workers, tp.lay)
	defer putAll(scratch...)
	d := dHidden
	putF32(tp.hidden)
	for li := len(t.layers) - 1; li >= 0; li-- {
		l, lt := &t.layers[li], &tp.layers[li]
		// d = ∂L/∂(LayerNorm-2 output) → ∂L/∂(o + x1).
		layerNormBackward(d, l.ln2[0].grad(), l.ln2[1].grad(), d, lt.xhat2, lt.rstd2, l.ln2[0].Value, rows, h, ex, scr)
		dO := masked(d, tp.drop.mask(li, siteFFNOut), ex)
		g := getF32(rows * in)
		geluAndGrad(g, lt.inter, ex) // lt.inter now holds GELU'
		dG := getF32(rows * in)
		linearBackward(dG, l.out[0].grad(), l.out[1].grad(), dO, g, l.out[0].Value, rows, in, h, false, ex, scr)
		putF32(g)
		if &dO[0] != &d[0] {
			putF32(dO)
		}
		mulParallel(dG, lt.inter, ex)
		// d += ∂L/∂x1 through the feed-forward branch.
		linearBackward(d, l.inter[0].grad(), l.inter[1].grad(), dG, lt.x1, l.inter[0].Value, rows, h, in, true, ex, scr)
		putAll(dG, lt.inter, lt.x1, lt.xhat2)
		layerNormBackward(d, l.ln1[0].grad(), l.ln1[1].grad(), d, lt.xhat1, lt.rstd1, l.ln1[0].Value, rows, h, ex, scr)
		putF32(lt.xhat1)
		dA := masked(d, tp.drop.mask(li, siteAttnOut), ex)
		dC := getF32(rows * h)
		linearBackward(dC, l.attnOut[0].grad(), l.attnOut[1].grad(), dA, lt.ctx, l.attnOut[0].Value, rows, h, h, false, ex, scr)
		if &dA[0] != &d[0] {
			putF32(dA)
		}
		dQKV := getF32(rows * 3 * h)
		attentionBackward(dQKV, dC, lt.qkv, lt.probs, tp.lay, tp.drop.mask(li, siteAttnProbs), ex, scratch)
		putAll(dC, lt.ctx, lt.probs)
		linearBackward(d, l.qkvWGrad, l.qkvBGrad, dQKV, lt.x, l.qkvW, rows, h, 3*h, true, ex, scr)
		for _, p := range [][2]*Param{l.q, l.k, l.v} {
			p[0].hasGrad, p[1].hasGrad = true, true
		}
		putAll(dQKV, lt.qkv, lt.x)
		*lt = layerTape{}
	}
	dropApplyParallel(tp.drop.mask(cfg.NumLayers, siteEmbeddings), d, 0, ex)
	layerNormBackward(d, t.embLNg.grad(), t.embLNb.grad(), d, tp.embXhat, tp.embRstd, t.embLNg.Value, rows, h, ex, scr)
	putF32(tp.embXhat)
	embedBackward(t.word.grad(), t.typ.grad()[:h], t.pos.grad(), d, tp.b.ids, tp.b.posIDs, h, ex)
	tp.embXhat, tp.hidden = nil, nil
}

// masked returns d if m is inactive, else a pooled copy of d with the mask
// applied.
func masked(d []float32, m dropoutMask, ex *exec) []float32 {
	if !m.active() {
		return d
	}
	c := getF32(len(d))
	copy(c, d)
	dropApplyParallel(m, c, 0, ex)
	return c
}

// addParallel sets dst += src, split across workers.
func addParallel(dst, src []float32, ex *exec) {
	parallelRange(ex, len(dst), minElemChunk, func(_, lo, hi int) {
		addTo(dst[lo:hi], src[lo:hi])
	})
}
