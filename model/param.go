package model

// A Param is one trainable tensor of a Model: its checkpoint name, shape,
// values and accumulated gradient.
//
// Value and Grad are row-major float32 slices of the product of Shape
// elements; linear weights are [out, in] as in PyTorch. Grad is nil until
// the first backward pass through the model. Backward passes add to Grad;
// an optimizer step (or ZeroGrad) clears it. Several Params may share one
// backing array (the query, key and value projections of a layer are one
// fused matrix), but never overlap.
type Param struct {
	Name  string
	Shape []int
	Value []float32
	Grad  []float32

	hasGrad bool // a backward pass reached this Param since the last ZeroGrad
}

// HasGrad reports whether a backward pass has reached p since the last
// ZeroGrad. A Param that took no part in the loss (BERT's pooler under mean
// pooling) has none, and AdamW leaves it untouched, as PyTorch does.
func (p *Param) HasGrad() bool { return p.hasGrad }

// ZeroGrad sets the gradient to zero and clears HasGrad.
func (p *Param) ZeroGrad() {
	clear(p.Grad)
	p.hasGrad = false
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
