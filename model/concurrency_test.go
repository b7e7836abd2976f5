package model

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
)

// TestParallelTraining runs the training golden's step with the three
// roles encoded on concurrent goroutines (and the model's kernels using 3
// workers), then compares the gradients with the golden. Run under -race.
func TestParallelTraining(t *testing.T) {
	g, dir := loadTrainingGolden(t)
	m := loadTest(t, dir, Options{Pooling: PoolMean, Normalize: On, Dropout: -1, Workers: 3})
	roles := []string{"query", "positive", "negative"}
	for step := range 2 {
		nodes := make([]mat.Tensor, len(roles))
		var wg sync.WaitGroup
		for i, role := range roles {
			wg.Go(func() {
				n, err := m.EncodeIDs(g.seqs(role))
				if err != nil {
					t.Error(err)
					return
				}
				nodes[i] = n
			})
		}
		// Inference concurrently with the training passes.
		wg.Go(func() {
			if _, err := m.EmbedIDs(context.Background(), g.seqs("query")); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		_, dq, dp, dn := infoNCE(nodeRows(nodes[0]), nodeRows(nodes[1]), nodeRows(nodes[2]), g.Tau, false)
		for i, d := range [][][]float64{dq, dp, dn} {
			nodes[i].AccGrad(toDense(d))
		}
		if err := ag.Backward(nodes...); err != nil {
			t.Fatal(err)
		}
		if step == 0 {
			checkParamGrads(t, m, readF64(t, filepath.Join(dir, "training_grads.safetensors")), g.ParameterGradients.NoGrad)
		}
		if _, err := NewAdamW(m.Params(), AdamWConfig{}).Step(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDropoutReplay checks the GradCache contract: after SeedDropout with
// the same seed, the same calls give bit-identical outputs (and the same
// gradients); another seed or eval mode gives other outputs.
func TestDropoutReplay(t *testing.T) {
	g, dir := loadTrainingGolden(t)
	m := loadTest(t, dir, Options{Pooling: PoolMean, Normalize: On, Dropout: 0.2})
	seqs := g.seqs("query")
	run := func(seed uint64) ([]float32, [][]float32) {
		m.SeedDropout(seed)
		a, err := m.EncodeIDs(seqs)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.EncodeIDs(seqs) // second call of the chunk: other masks
		if err != nil {
			t.Fatal(err)
		}
		out := append(slices.Clone(a.Value().Data().F32()), b.Value().Data().F32()...)
		a.AccGrad(mat.NewDense[float32](mat.WithShape(a.Shape()...), mat.WithBacking(slices.Repeat([]float32{1}, a.Size()))))
		if err := ag.Backward(a); err != nil {
			t.Fatal(err)
		}
		var grads [][]float32
		for _, p := range m.Params() {
			grads = append(grads, slices.Clone(p.Grad))
			p.ZeroGrad()
		}
		return out, grads
	}
	m.SetTraining(true)
	// EncodeValues replays the masks of Encode without a graph.
	m.SeedDropout(7)
	v1, err := m.EncodeValues([]string{"capital of France", "el mundo"})
	if err != nil {
		t.Fatal(err)
	}
	m.SeedDropout(7)
	v2, err := m.Encode([]string{"capital of France", "el mundo"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v1.Value().Data().F32(), v2.Value().Data().F32()) {
		t.Error("EncodeValues and Encode differ under the same seed")
	}
	o1, g1 := run(7)
	o2, g2 := run(7)
	o3, _ := run(8)
	m.SetTraining(false)
	o4, _ := run(7)
	if !slices.Equal(o1, o2) {
		t.Error("same seed: outputs differ")
	}
	for i := range g1 {
		if !slices.Equal(g1[i], g2[i]) {
			t.Errorf("same seed: gradient of %s differs", m.Params()[i].Name)
		}
	}
	half := len(o1) / 2
	if slices.Equal(o1[:half], o1[half:]) {
		t.Error("two calls after one seed use the same masks")
	}
	if slices.Equal(o1, o3) {
		t.Error("another seed gives the same outputs")
	}
	if slices.Equal(o1, o4) || !slices.Equal(o4[:half], o4[half:]) {
		t.Error("eval mode applies dropout")
	}
	// Eval outputs are the model's deterministic embeddings.
	want, err := m.EmbedIDs(context.Background(), seqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range want {
		for j, v := range row {
			if math.Abs(float64(v-o4[i*len(row)+j])) > 0 {
				t.Fatalf("eval Encode differs from EmbedIDs at [%d][%d]", i, j)
			}
		}
	}
}
