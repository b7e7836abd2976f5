package model

import (
	"math/rand/v2"
	"strconv"
)

// transformer is a BERT / RoBERTa / XLM-R encoder body: embeddings and
// post-LN layers, from token ids to token states. It works on packed
// batches (see kernels_attn.go) and keeps its weights as Params in the
// checkpoint layout.
type transformer struct {
	cfg    Config
	prefix string // checkpoint name prefix of the encoder tensors ("", "bert.", "roberta.")

	word, pos, typ *Param
	embLNg, embLNb *Param
	layers         []layer
}

// layer holds the parameters of one post-LN encoder layer. The query, key
// and value projections are views of one [3H, H] matrix (and one [3H]
// bias) so that they are computed by a single GEMM.
type layer struct {
	qkvW, qkvB         []float32 // fused backing arrays
	qkvWGrad, qkvBGrad []float32 // their gradients, allocated on first use
	q, k, v            [2]*Param // weight, bias
	attnOut            [2]*Param // attention.output.dense
	ln1                [2]*Param // attention.output.LayerNorm
	inter              [2]*Param // intermediate.dense
	out                [2]*Param // output.dense
	ln2                [2]*Param // output.LayerNorm
}

// newTransformer returns the parameters for cfg, named with prefix. With
// alloc they are zeroed; without, only the fused query-key-value arrays are
// allocated and every other Value is nil, for the loader to set.
func newTransformer(cfg Config, prefix string, alloc bool) *transformer {
	h, in := cfg.HiddenSize, cfg.IntermediateSize
	t := &transformer{cfg: cfg, prefix: prefix}
	p := func(name string, shape ...int) *Param {
		if !alloc {
			return &Param{Name: name, Shape: shape}
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		return newParam(name, make([]float32, n), shape...)
	}
	e := prefix + "embeddings."
	t.word = p(e+"word_embeddings.weight", cfg.VocabSize, h)
	t.pos = p(e+"position_embeddings.weight", cfg.MaxPositions, h)
	t.typ = p(e+"token_type_embeddings.weight", cfg.TypeVocabSize, h)
	t.embLNg = p(e+"LayerNorm.weight", h)
	t.embLNb = p(e+"LayerNorm.bias", h)
	t.layers = make([]layer, cfg.NumLayers)
	for i := range t.layers {
		l := &t.layers[i]
		n := prefix + "encoder.layer." + strconv.Itoa(i) + "."
		l.qkvW, l.qkvB = make([]float32, 3*h*h), make([]float32, 3*h)
		for j, name := range []string{"query", "key", "value"} {
			w := newParam(n+"attention.self."+name+".weight", l.qkvW[j*h*h:(j+1)*h*h:(j+1)*h*h], h, h)
			b := newParam(n+"attention.self."+name+".bias", l.qkvB[j*h:(j+1)*h:(j+1)*h], h)
			*[]*[2]*Param{&l.q, &l.k, &l.v}[j] = [2]*Param{w, b}
		}
		dense := func(name string, out, in int) [2]*Param {
			return [2]*Param{p(n+name+".weight", out, in), p(n+name+".bias", out)}
		}
		norm := func(name string) [2]*Param {
			return [2]*Param{p(n+name+".weight", h), p(n+name+".bias", h)}
		}
		l.attnOut = dense("attention.output.dense", h, h)
		l.ln1 = norm("attention.output.LayerNorm")
		l.inter = dense("intermediate.dense", in, h)
		l.out = dense("output.dense", h, in)
		l.ln2 = norm("output.LayerNorm")
	}
	return t
}

// params returns the parameters in checkpoint order.
func (t *transformer) params() []*Param {
	ps := []*Param{t.word, t.pos, t.typ, t.embLNg, t.embLNb}
	for i := range t.layers {
		l := &t.layers[i]
		ps = append(ps, l.q[0], l.q[1], l.k[0], l.k[1], l.v[0], l.v[1],
			l.attnOut[0], l.attnOut[1], l.ln1[0], l.ln1[1], l.inter[0], l.inter[1],
			l.out[0], l.out[1], l.ln2[0], l.ln2[1])
	}
	return ps
}

// initRandom fills the parameters as transformers' BertPreTrainedModel
// does: normal(0, 0.02) weights and embeddings, zero biases, LayerNorm
// weights 1 and biases 0.
func (t *transformer) initRandom(rng *rand.Rand) {
	for _, p := range t.params() {
		switch {
		case len(p.Shape) == 2:
			for i := range p.Value {
				p.Value[i] = float32(rng.NormFloat64() * 0.02)
			}
		case isLayerNormWeight(p.Name):
			for i := range p.Value {
				p.Value[i] = 1
			}
		default:
			clear(p.Value)
		}
	}
}

func isLayerNormWeight(name string) bool {
	const s = "LayerNorm.weight"
	return len(name) >= len(s) && name[len(name)-len(s):] == s
}

// ensureGrads allocates the fused gradient arrays of the layers and points
// the q, k, v gradients into them. Callers hold the backward lock.
func (t *transformer) ensureGrads() {
	h := t.cfg.HiddenSize
	for i := range t.layers {
		l := &t.layers[i]
		if l.qkvWGrad != nil {
			continue
		}
		l.qkvWGrad, l.qkvBGrad = make([]float32, 3*h*h), make([]float32, 3*h)
		for j, p := range [][2]*Param{l.q, l.k, l.v} {
			p[0].Grad = l.qkvWGrad[j*h*h : (j+1)*h*h : (j+1)*h*h]
			p[1].Grad = l.qkvBGrad[j*h : (j+1)*h : (j+1)*h]
		}
	}
}

// positionIDs sets pos to the position ids of one sequence of ids:
// 0, 1, 2, ... for BERT; for RoBERTa and XLM-R, as Hugging Face's
// create_position_ids_from_input_ids, padding_idx for pad tokens and
// padding_idx + (number of non-pad tokens so far) for the others.
func (t *transformer) positionIDs(pos, ids []int32) {
	if !t.cfg.roberta() {
		for i := range pos {
			pos[i] = int32(i)
		}
		return
	}
	pad := int32(t.cfg.PadTokenID)
	n := pad
	for i, id := range ids {
		if id == pad {
			pos[i] = pad
			continue
		}
		n++
		pos[i] = n
	}
}

// dropoutProbs returns the hidden and attention dropout probabilities of a
// pass: 0 when not training, override when it is positive.
func (t *transformer) dropoutProbs(override float64) (hidden, attn float64) {
	switch {
	case override < 0:
		return 0, 0
	case override > 0:
		return override, override
	}
	return t.cfg.HiddenDropout, t.cfg.AttentionDropout
}
