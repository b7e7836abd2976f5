package model

import (
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/nn"
)

// A Param is one trainable tensor of a Model: its checkpoint name, shape,
// values and accumulated gradient.
//
// Value and Grad are row-major float32 slices of the product of Shape
// elements; linear weights are [out, in] as in PyTorch. Grad is nil until
// the first backward pass through the model. Backward passes add to Grad;
// an optimizer step (or ZeroGrad) clears it. Several Params may share one
// backing array (the query, key and value projections of a layer are one
// fused matrix), but never overlap.
//
// A Param may also be a spago parameter (SpagoParam, Spago): the spago
// node and Value share one array, and the gradient that spago's ag.Backward
// accumulates in the node joins Grad at the next AdamW.Step or ClipGradNorm.
type Param struct {
	Name  string
	Shape []int
	Value []float32
	Grad  []float32

	hasGrad bool      // a backward pass reached this Param since the last ZeroGrad
	node    *nn.Param // spago view of Value, or nil; see SpagoParam and Spago
}

// HasGrad reports whether a backward pass has reached p since the last
// ZeroGrad, through the model's kernels or through p's spago node. A Param
// that took no part in the loss (BERT's pooler under mean pooling) has
// none, and AdamW leaves it untouched, as PyTorch does.
func (p *Param) HasGrad() bool {
	return p.hasGrad || p.node != nil && p.node.HasGrad()
}

// ZeroGrad sets the gradient to zero and clears HasGrad; it also clears
// the gradient of p's spago node, if it has one.
func (p *Param) ZeroGrad() {
	clear(p.Grad)
	p.hasGrad = false
	if p.node != nil {
		p.node.ZeroGrad()
	}
}

// clearGradFlags clears HasGrad and the gradient of p's spago node, for a
// Param whose Grad is already zero.
func (p *Param) clearGradFlags() {
	p.hasGrad = false
	if p.node != nil {
		p.node.ZeroGrad()
	}
}

// SpagoParam returns a Param named name over the spago parameter p, so
// that AdamW trains p together with a model's Params, as a learnable
// temperature:
//
//	scale := loss.NewLogitScale[float32](0.05)
//	opt := model.NewAdamW(append(m.Params(), model.SpagoParam("logit_scale", scale.Param)), cfg)
//
// Nothing is copied: Value is p's data, so a step updates p in place, and
// Shape is p's (rows, columns). The gradient that spago accumulates in p is
// added to Grad by AdamW.Step and ClipGradNorm, which then clear it
// (p.ZeroGrad); until then it is p.Grad(). The returned Param's Spago
// method returns p. Replacing p's matrix afterwards (nn.Param.ReplaceValue)
// breaks the link, and the next step panics.
//
// It panics if p is nil or its elements are not float32: AdamW updates
// float32 parameters, and a float64 parameter (loss.NewLogitScale[float64])
// would have to be rounded at every step.
func SpagoParam(name string, p *nn.Param) *Param {
	if p == nil || p.Matrix == nil {
		panic("model: SpagoParam: nil parameter " + name)
	}
	d, ok := p.Matrix.(*mat.Dense[float32])
	if !ok {
		panic("model: SpagoParam: " + name + " is not float32; AdamW updates float32 parameters")
	}
	return &Param{Name: name, Shape: append([]int(nil), d.Shape()...), Value: d.Data().F32(), node: p}
}

// Spago returns p as a spago parameter sharing p's memory: a Dense matrix
// over Value, of shape Shape (a 1-D Param of n elements is n×1, spago's
// vector convention; a scalar 1×1), that requires gradients. Spago graphs
// built on it read the current values, and the gradients they accumulate
// in it join Grad at the next AdamW.Step or ClipGradNorm. The first call
// creates the node; later calls return the same one. Spago must not be
// called concurrently with itself, AdamW.Step or ClipGradNorm.
func (p *Param) Spago() *nn.Param {
	if p.node == nil {
		rows, cols := 1, 1
		if len(p.Shape) > 0 {
			rows = p.Shape[0]
			cols = p.numel() / max(rows, 1)
		}
		d := mat.NewDense[float32](mat.WithShape(rows, cols), mat.WithBacking(p.Value))
		d.SetRequiresGrad(true)
		p.node = &nn.Param{Matrix: d}
	}
	return p.node
}

// collectGrad adds the gradient of p's spago node to Grad and clears the
// node's. It panics if the node no longer shares Value's memory.
func (p *Param) collectGrad() {
	if p.node == nil || !p.node.HasGrad() {
		return
	}
	d, ok := p.node.Matrix.(*mat.Dense[float32])
	if !ok || d.Size() != len(p.Value) || len(p.Value) > 0 && &d.Data().F32()[0] != &p.Value[0] {
		panic("model: spago parameter " + p.Name + " no longer shares its memory (was its value replaced?)")
	}
	dst := p.grad()
	for i, g := range p.node.Grad().Data().F32() {
		dst[i] += g
	}
	p.node.ZeroGrad()
}

// newParam returns a Param over value, which must have the product of
// shape elements.
func newParam(name string, value []float32, shape ...int) *Param {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(value) != n {
		panic("model: parameter " + name + " has the wrong size")
	}
	return &Param{Name: name, Shape: shape, Value: value}
}

// grad returns p's gradient, allocating it if needed, and marks p as
// reached by the backward pass. Callers hold the model's backward lock.
func (p *Param) grad() []float32 {
	if p.Grad == nil {
		p.Grad = make([]float32, len(p.Value))
	}
	p.hasGrad = true
	return p.Grad
}

// numel returns the number of elements of p.
func (p *Param) numel() int { return len(p.Value) }
