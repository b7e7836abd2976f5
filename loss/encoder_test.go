package loss

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"
	"github.com/nlpodyssey/spago/nn"
)

// bowEncoder is a small real spago encoder: hashed bag of words (vocab
// buckets) → tanh(X·W1) → dropout → ·W2. Its dropout masks are a function of
// the seed and the row within the Encode call. It is a ValueEncoder:
// EncodeValues computes the same values with spago's matrix methods, without
// a graph.
type bowEncoder[T float.DType] struct {
	vocab      int
	w1, w2     *nn.Param
	dropout    float64
	seed       uint64
	seeds      []uint64 // every SeedDropout argument, in order
	calls      int      // Encode and EncodeValues calls
	valueCalls int      // EncodeValues calls
	probe      func()   // called after each Encode or EncodeValues, result alive
	fail       func(texts []string) error
	mangle     func(x mat.Tensor) mat.Tensor
}

// graphOnly hides EncodeValues: GradCache then runs its first pass on
// Encode's graphs.
type graphOnly[T float.DType] struct{ e *bowEncoder[T] }

func (g graphOnly[T]) Encode(texts []string) (mat.Tensor, error) { return g.e.Encode(texts) }
func (g graphOnly[T]) SeedDropout(seed uint64)                   { g.e.SeedDropout(seed) }

// asEncoder returns e, or e without EncodeValues if graph is set.
func asEncoder[T float.DType](e *bowEncoder[T], graph bool) Encoder {
	if graph {
		return graphOnly[T]{e}
	}
	return e
}

func newBowEncoder[T float.DType](seed uint64, vocab, hidden, dim int, dropout float64) *bowEncoder[T] {
	r := rand.New(rand.NewPCG(seed, 99))
	mk := func(rows, cols int, scale float64) *nn.Param {
		data := make([]T, rows*cols)
		for i := range data {
			data[i] = T(r.NormFloat64() * scale)
		}
		return nn.NewParam(mat.NewDense[T](mat.WithShape(rows, cols), mat.WithBacking(data)))
	}
	return &bowEncoder[T]{vocab: vocab, w1: mk(vocab, hidden, 0.5), w2: mk(hidden, dim, 0.3), dropout: dropout}
}

func (e *bowEncoder[T]) SeedDropout(seed uint64) {
	e.seed = seed
	e.seeds = append(e.seeds, seed)
}

func (e *bowEncoder[T]) Encode(texts []string) (mat.Tensor, error) { return e.encode(texts, true) }

func (e *bowEncoder[T]) EncodeValues(texts []string) (mat.Tensor, error) {
	e.valueCalls++
	return e.encode(texts, false)
}

func (e *bowEncoder[T]) encode(texts []string, graph bool) (mat.Tensor, error) {
	e.calls++
	if e.fail != nil {
		if err := e.fail(texts); err != nil {
			return nil, err
		}
	}
	n := len(texts)
	x := make([]T, n*e.vocab)
	for i, t := range texts {
		for _, w := range strings.Fields(t) {
			h := fnv.New32a()
			h.Write([]byte(w))
			x[i*e.vocab+int(h.Sum32())%e.vocab]++
		}
	}
	hidden := e.w1.Shape()[1]
	var mask *mat.Dense[T]
	if e.dropout > 0 {
		m := make([]T, n*hidden)
		for i := range n {
			r := rand.New(rand.NewPCG(e.seed, uint64(i)))
			for k := range hidden {
				if r.Float64() >= e.dropout {
					m[i*hidden+k] = T(1 / (1 - e.dropout))
				}
			}
		}
		mask = mat.NewDense[T](mat.WithShape(n, hidden), mat.WithBacking(m))
	}
	xm := mat.NewDense[T](mat.WithShape(n, e.vocab), mat.WithBacking(x))
	var out mat.Tensor
	if graph {
		h := ag.Tanh(ag.Mul(xm, e.w1))
		if mask != nil {
			h = ag.Prod(h, mask)
		}
		out = ag.Mul(h, e.w2)
	} else { // the same operations on values, as spago's forward passes run them
		h := xm.Mul(e.w1.Matrix).Apply(func(_, _ int, v float64) float64 { return math.Tanh(v) })
		if mask != nil {
			h = h.Prod(mask)
		}
		out = h.Mul(e.w2.Matrix)
	}
	if e.probe != nil {
		e.probe()
	}
	if e.mangle != nil {
		return e.mangle(out), nil
	}
	return out, nil
}

func (e *bowEncoder[T]) params() []*nn.Param { return []*nn.Param{e.w1, e.w2} }

func (e *bowEncoder[T]) zeroGrad() {
	for _, p := range e.params() {
		p.ZeroGrad()
	}
}

// grads returns copies of the parameters' gradients.
func gradsOf(ps []*nn.Param) [][]float64 {
	out := make([][]float64, len(ps))
	for i, p := range ps {
		if p.HasGrad() {
			out[i] = append([]float64(nil), p.Grad().Data().F64()...)
		} else {
			out[i] = make([]float64, p.Size())
		}
	}
	return out
}

// concatRows stacks matrices by rows (test helper for chunked references).
type concatRows struct{ xs []mat.Tensor }

func (c *concatRows) Operands() []mat.Tensor { return c.xs }

func (c *concatRows) Forward() (mat.Tensor, error) {
	var data []float64
	rows := 0
	for _, x := range c.xs {
		data = append(data, x.Value().Data().F64()...)
		rows += x.Value().Shape()[0]
	}
	return mat.NewDense[float64](mat.WithShape(rows, len(data)/rows), mat.WithBacking(data)), nil
}

func (c *concatRows) Backward(gy mat.Tensor) error {
	g := gy.Data().F64()
	off := 0
	for _, x := range c.xs {
		n := x.Value().Size()
		if x.RequiresGrad() {
			x.AccGrad(mat.NewDense[float64](mat.WithShape(x.Value().Shape()...), mat.WithBacking(append([]float64(nil), g[off:off+n]...))))
		}
		off += n
	}
	return nil
}

// textBatch returns b items of made-up texts with negs hard negatives each,
// in groups of three (parallel "translations").
func textBatch(seed uint64, b, negs int) TextBatch {
	r := rand.New(rand.NewPCG(seed, 7))
	words := strings.Fields("river bank money loan water fish city tower bridge music piano song law court judge star planet moon cell gene drug tree leaf root")
	sentence := func(topic int) string {
		var sb strings.Builder
		for range 3 + r.IntN(6) {
			if r.IntN(3) == 0 {
				sb.WriteString(words[r.IntN(len(words))])
			} else {
				sb.WriteString(words[(topic*3+r.IntN(4))%len(words)])
			}
			sb.WriteByte(' ')
		}
		return sb.String()
	}
	var tb TextBatch
	for i := range b {
		tb.Queries = append(tb.Queries, sentence(i))
		tb.Positives = append(tb.Positives, sentence(i))
		for range negs {
			tb.Negatives = append(tb.Negatives, sentence(i+1))
		}
		tb.Groups = append(tb.Groups, fmt.Sprint(i/3))
	}
	return tb
}

// fullBatch is the reference: one graph over the whole batch, each role
// encoded in one call (or, with seeds, chunk by chunk with those dropout seeds
// and stacked), then InfoNCE and ag.Backward.
func fullBatch(t testing.TB, enc, penc *bowEncoder[float64], tb TextBatch, cfg Config, chunk int, seeds []uint64) float64 {
	t.Helper()
	next := 0
	encodeRole := func(e *bowEncoder[float64], texts []string) mat.Tensor {
		if len(texts) == 0 {
			return nil
		}
		if seeds == nil {
			x, err := e.Encode(texts)
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		var parts []mat.Tensor
		for i := 0; i < len(texts); i += chunk {
			e.SeedDropout(seeds[next])
			next++
			x, err := e.Encode(texts[i:min(i+chunk, len(texts))])
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, x)
		}
		return ag.NewOperator(&concatRows{parts}).Run()
	}
	b := Batch{Queries: encodeRole(enc, tb.Queries), Positives: encodeRole(penc, tb.Positives),
		Negatives: encodeRole(penc, tb.Negatives), NegativeOf: tb.NegativeOf, Groups: tb.Groups}
	l, err := InfoNCE(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ag.Backward(l); err != nil {
		t.Fatal(err)
	}
	if enc.probe != nil {
		enc.probe() // graph and gradients alive
	}
	return l.Value().Item().F64()
}
