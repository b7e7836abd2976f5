package loss

import (
	"errors"
	"fmt"
	"math"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"
)

// ErrNonFinite is wrapped by the errors of InfoNCE and GradCache when an
// input embedding, the learnable scale or the loss is NaN or ±Inf.
var ErrNonFinite = errors.New("non-finite value")

// A Batch holds one batch's embeddings, each a spago node or matrix whose rows
// are items. InfoNCE does not modify them.
type Batch struct {
	// Queries is B×d; row i is the query of item i.
	Queries mat.Tensor
	// Positives is B×d; row i is the positive passage of query i.
	Positives mat.Tensor
	// Negatives is M×d hard negatives, or nil (M = 0).
	Negatives mat.Tensor

	// NegativeOf has length M: row m of Negatives is a hard negative of
	// query NegativeOf[m]. Nil means M/B consecutive rows per query (row m
	// belongs to query m/(M/B)), which needs M to be a multiple of B.
	NegativeOf []int

	// Groups has length B, or is nil. Items with equal group ids (parallel
	// translations, duplicates) are not in-batch negatives of each other:
	// query i never sees positive j ≠ i of its own group, in either direction.
	// Hard negatives are never masked. Nil means no mask.
	Groups []string
}

// InfoNCE returns the InfoNCE loss of b as a 1×1 spago node of the inputs'
// element type (float32 or float64); ag.Backward on it sends gradients to
// every input that requires them, and to cfg.LogitScale.Param.
//
// For query i with candidate set A_i (its positive p_i, its own hard
// negatives, and the in-batch negatives cfg.InBatch selects, minus group
// mates) and logits l_ij = s(q_i, c_j)/τ, the loss of row i is
// logsumexp_{j∈A_i} l_ij − l_ii. The forward and backward passes are one fused
// operation computed in a numerically stable way (log-sum-exp in float64 over
// products in the inputs' type).
//
// InfoNCE returns an error wrapping ErrNonFinite, and builds no node, if an
// input or the learnable scale holds a NaN or ±Inf, or if the loss overflows.
// It panics if the shapes disagree (Queries and Positives B×d, Negatives M×d),
// the inputs mix float32 and float64, NegativeOf or Groups have the wrong
// length or indices, or cfg is invalid.
func InfoNCE(b Batch, cfg Config) (mat.Tensor, error) {
	if b.Queries == nil || b.Positives == nil {
		panic("loss: nil Queries or Positives")
	}
	switch bits := b.Queries.Value().Data().BitSize(); bits {
	case 32:
		return infoNCE[float32](b, cfg)
	case 64:
		return infoNCE[float64](b, cfg)
	default:
		panic(fmt.Sprintf("loss: unsupported element size %d bits", bits))
	}
}

func infoNCE[T float.DType](b Batch, cfg Config) (mat.Tensor, error) {
	bq, d := shape2(b.Queries, "Queries")
	bp, dp := shape2(b.Positives, "Positives")
	if bp != bq || dp != d {
		panic("loss: Positives shape differs from Queries")
	}
	m := 0
	if b.Negatives != nil {
		var dn int
		m, dn = shape2(b.Negatives, "Negatives")
		if dn != d && m > 0 {
			panic("loss: Negatives width differs from Queries")
		}
	}
	p := newProblem[T](cfg, bq, m, d, b.NegativeOf, b.Groups)

	q := values[T](b.Queries, "Queries")
	pos := values[T](b.Positives, "Positives")
	var neg []T
	if m > 0 {
		neg = values[T](b.Negatives, "Negatives")
	}
	if err := checkFinite(q, pos, neg, d); err != nil {
		return nil, err
	}
	operands := []mat.Tensor{b.Queries, b.Positives}
	if m > 0 {
		operands = append(operands, b.Negatives)
	}
	if s := cfg.LogitScale; s != nil {
		if v := s.Param.Value().Item().F64(); math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("loss: LogitScale.Param is %v: %w", v, ErrNonFinite)
		}
		operands = append(operands, s.Param)
	}
	loss := p.forward(q, pos, neg)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return nil, fmt.Errorf("loss: loss is %v with finite inputs (similarities overflow %T): %w", loss, T(0), ErrNonFinite)
	}
	op := &infoNCEOp[T]{p: p, operands: operands, value: mat.Scalar(T(loss))}
	return ag.NewOperator(op).Run(), nil
}

// infoNCEOp is the fused InfoNCE node: Forward returns the loss computed by
// infoNCE, Backward the hand-written gradients.
type infoNCEOp[T float.DType] struct {
	p        *problem[T]
	operands []mat.Tensor // queries, positives, [negatives], [logit scale]
	value    *mat.Dense[T]
}

// Operands returns the inputs that receive gradients.
func (o *infoNCEOp[T]) Operands() []mat.Tensor { return o.operands }

// Forward returns the loss computed when the node was built.
func (o *infoNCEOp[T]) Forward() (mat.Tensor, error) { return o.value, nil }

// Backward accumulates gy times the gradients into every operand that
// requires them: spago waits for one gradient per such operand, so none may
// be skipped.
func (o *infoNCEOp[T]) Backward(gy mat.Tensor) error {
	p := o.p
	gq, gpos, gneg, gtheta := p.backward(gy.Item().F64())
	grads := []mat.Tensor{
		mat.NewDense[T](mat.WithShape(p.b, p.d), mat.WithBacking(gq)),
		mat.NewDense[T](mat.WithShape(p.b, p.d), mat.WithBacking(gpos)),
	}
	if p.m > 0 {
		grads = append(grads, mat.NewDense[T](mat.WithShape(p.m, p.d), mat.WithBacking(gneg)))
	}
	if s := p.cfg.LogitScale; s != nil {
		grads = append(grads, s.Param.Value().(mat.Matrix).NewScalar(gtheta))
	}
	for k, x := range o.operands {
		if x.RequiresGrad() {
			x.AccGrad(grads[k])
		}
	}
	return nil
}

// shape2 returns the rows and columns of a 2-D tensor, panicking otherwise.
func shape2(t mat.Tensor, name string) (rows, cols int) {
	s := t.Value().Shape()
	if len(s) != 2 {
		panic("loss: " + name + " is not a matrix")
	}
	return s[0], s[1]
}

// values returns the elements of t as []T, without copying when t holds T.
func values[T float.DType](t mat.Tensor, name string) []T {
	data := t.Value().Data()
	if data.BitSize() != bitSize[T]() {
		panic("loss: " + name + " mixes float32 and float64 inputs")
	}
	return float.SliceValueOf[T](data)
}

// bitSize returns 32 or 64, the size of T.
func bitSize[T float.DType]() int {
	if _, ok := any(T(0)).(float32); ok {
		return 32
	}
	return 64
}

// checkFinite returns an error naming the first NaN or ±Inf element.
func checkFinite[T float.DType](q, pos, neg []T, d int) error {
	for _, in := range []struct {
		name string
		x    []T
	}{{"Queries", q}, {"Positives", pos}, {"Negatives", neg}} {
		if allFinite(in.x) {
			continue
		}
		for k, v := range in.x {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("loss: %s[%d][%d] is %v: %w", in.name, k/d, k%d, f, ErrNonFinite)
			}
		}
	}
	return nil
}

// allFinite reports whether x holds no NaN or ±Inf: 0·v is 0 for finite v and
// NaN otherwise, and NaN survives the sums.
func allFinite[T float.DType](x []T) bool {
	var s0, s1, s2, s3 T
	k := 0
	for ; k+4 <= len(x); k += 4 {
		s0 += 0 * x[k]
		s1 += 0 * x[k+1]
		s2 += 0 * x[k+2]
		s3 += 0 * x[k+3]
	}
	for ; k < len(x); k++ {
		s0 += 0 * x[k]
	}
	return s0+s1+s2+s3 == 0
}
