package loss_test

import (
	"context"
	"fmt"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/nn"
	"github.com/polyret/polyret/loss"
)

func matrix(rows, cols int, v ...float64) *mat.Dense[float64] {
	return mat.NewDense[float64](mat.WithShape(rows, cols), mat.WithBacking(v), mat.WithGrad(true))
}

// The printed values agree with testdata/gen/infonce_ref.py (PyTorch).
func ExampleInfoNCE() {
	// Two items: queries, their positives, one hard negative each.
	q := matrix(2, 3, 1, 0.2, 0, 0.3, 1, 0.1)
	p := matrix(2, 3, 0.8, 0.5, 0.1, 0.5, 0.9, 0.2)
	n := matrix(2, 3, 0.9, 0, 0.4, 0, 1, 0.5)
	b := loss.Batch{Queries: q, Positives: p, Negatives: n}

	l, err := loss.InfoNCE(b, loss.Config{}) // cosine, τ = 0.05, in-batch, mean
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := ag.Backward(l); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("default loss %.4f\n", l.Value().Item().F64())
	fmt.Printf("dL/dq₀ %.4f\n", q.Grad().Data().F64()[:3])

	paper, _ := loss.InfoNCE(b, loss.Paper()) // Eq. 1: τ = 1, sum
	fmt.Printf("paper loss %.4f\n", paper.Value().Item().F64())

	// Items 0 and 1 are translations of each other: neither positive is a
	// negative of the other query any more.
	b.Groups = []string{"g", "g"}
	masked, _ := loss.InfoNCE(b, loss.Config{})
	fmt.Printf("masked loss %.4f\n", masked.Value().Item().F64())
	// Output:
	// default loss 0.3070
	// dL/dq₀ [0.3402 -1.7012 0.9888]
	// paper loss 1.7809
	// masked loss 0.3009
}

// tableEncoder embeds each of a fixed set of texts as one row of a learnable
// table: a minimal loss.Encoder.
type tableEncoder struct {
	ids   map[string]int
	table *nn.Param
}

func (e *tableEncoder) Encode(texts []string) (mat.Tensor, error) {
	onehot := make([]float64, len(texts)*len(e.ids))
	for i, t := range texts {
		id, ok := e.ids[t]
		if !ok {
			return nil, fmt.Errorf("unknown text %q", t)
		}
		onehot[i*len(e.ids)+id] = 1
	}
	x := mat.NewDense[float64](mat.WithShape(len(texts), len(e.ids)), mat.WithBacking(onehot))
	return ag.Mul(x, e.table), nil
}

// GradCache with a learnable temperature; the values agree with PyTorch
// autograd through the whole batch.
func ExampleGradCache() {
	texts := []string{"Query: capital of France", "Passage: Paris is the capital of France.",
		"Query: largest planet", "Passage: Jupiter is the largest planet.",
		"Passage: Lyon is a city in France.", "Passage: Saturn has rings."}
	enc := &tableEncoder{ids: map[string]int{}, table: nn.NewParam(mat.NewDense[float64](
		mat.WithShape(len(texts), 2),
		mat.WithBacking([]float64{1, 0.2, 0.9, 0.3, 0.1, 1, 0.3, 0.9, 0.8, 0.5, 0.6, 0.8})))}
	for i, t := range texts {
		enc.ids[t] = i
	}
	scale := loss.NewLogitScale[float64](0.07) // learnable temperature
	gc := &loss.GradCache{Encoder: enc, ChunkSize: 1, Loss: loss.Config{LogitScale: scale}}
	l, err := gc.Backward(context.Background(), loss.TextBatch{
		Queries:   []string{texts[0], texts[2]},
		Positives: []string{texts[1], texts[3]},
		Negatives: []string{texts[4], texts[5]},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loss %.4f, τ %.2f\n", l, scale.Temperature())
	fmt.Printf("dL/dθ %.4f\n", scale.Param.Grad().Item().F64())
	fmt.Printf("dL/dtable row 0 %.4f\n", enc.table.Grad().Data().F64()[:2])
	// Output:
	// loss 0.2797, τ 0.07
	// dL/dθ -0.3028
	// dL/dtable row 0 [-0.1103 0.5517]
}
