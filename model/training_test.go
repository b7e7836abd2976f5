package model

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"

	"github.com/polyret/polyret/loss"
	"github.com/polyret/polyret/model/checkpoint"
)

// The training golden (testdata/tiny-bert/training_golden.json, PyTorch in
// float64): mean pooling + L2 normalisation, InfoNCE with τ = 0.05 summed
// over 3 triplets, every parameter gradient, and 3 AdamW steps. The test
// computes the loss and its gradient with respect to the embeddings in
// float64 (infoNCE below), injects the gradient into the Encode nodes and
// runs spago's ag.Backward, which is the contract loss.GradCache relies on.

type trainingGolden struct {
	Tau   float64 `json:"tau"`
	Batch map[string]struct {
		InputIDs      [][]int32 `json:"input_ids"`
		AttentionMask [][]int   `json:"attention_mask"`
	} `json:"batch"`
	Loss struct {
		Value float64 `json:"value"`
	} `json:"loss"`
	LossInBatch struct {
		Value float64 `json:"value"`
	} `json:"loss_in_batch"`
	Embeddings         map[string]any `json:"embeddings"`
	EmbeddingGradients map[string]map[string][][]float64
	ParameterGradients struct {
		NoGrad []string `json:"parameters_without_gradient"`
	} `json:"parameter_gradients"`
	AdamW struct {
		LR          float64   `json:"lr"`
		Betas       []float64 `json:"betas"`
		Eps         float64   `json:"eps"`
		WeightDecay float64   `json:"weight_decay"`
		Steps       int       `json:"steps"`
		Losses      []float64 `json:"losses_before_each_step"`
		LossAfter   float64   `json:"loss_after_last_step"`
		InBatch     struct {
			Losses    []float64   `json:"losses_before_each_step"`
			LossAfter float64     `json:"loss_after_last_step"`
			QueryW    [][]float64 `json:"encoder.layer.0.attention.self.query.weight_after_last_step"`
		} `json:"in_batch_variant"`
	} `json:"adamw"`
}

func (g *trainingGolden) seqs(role string) [][]int32 {
	b := g.Batch[role]
	e := expectedForward{}
	e.Inputs.InputIDs, e.Inputs.AttentionMask = b.InputIDs, b.AttentionMask
	return e.unpadded()
}

func (g *trainingGolden) matrix(t *testing.T, key string) [][]float64 {
	t.Helper()
	raw, ok := g.Embeddings[key].([]any)
	if !ok {
		t.Fatalf("embeddings.%s missing", key)
	}
	m := make([][]float64, len(raw))
	for i, r := range raw {
		for _, v := range r.([]any) {
			m[i] = append(m[i], v.(float64))
		}
	}
	return m
}

// infoNCE returns the summed InfoNCE loss of normalised embeddings q, p, n
// (rows of d values) and its gradients: row i's logits are
// [q_i·p_i, q_i·n_1.., (inBatch) q_i·p_j for j ≠ i] / tau.
func infoNCE(q, p, n [][]float64, tau float64, inBatch bool) (loss float64, dq, dp, dn [][]float64) {
	zeros := func(m [][]float64) [][]float64 {
		z := make([][]float64, len(m))
		for i := range z {
			z[i] = make([]float64, len(m[i]))
		}
		return z
	}
	dq, dp, dn = zeros(q), zeros(p), zeros(n)
	dot := func(a, b []float64) float64 {
		var s float64
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	for i := range q {
		type target struct {
			v  []float64
			dv []float64
		}
		ts := []target{{p[i], dp[i]}}
		for j := range n {
			ts = append(ts, target{n[j], dn[j]})
		}
		if inBatch {
			for j := range p {
				if j != i {
					ts = append(ts, target{p[j], dp[j]})
				}
			}
		}
		logits := make([]float64, len(ts))
		mx := math.Inf(-1)
		for k, tg := range ts {
			logits[k] = dot(q[i], tg.v) / tau
			mx = max(mx, logits[k])
		}
		var z float64
		for _, l := range logits {
			z += math.Exp(l - mx)
		}
		loss += mx + math.Log(z) - logits[0]
		for k, tg := range ts {
			c := math.Exp(logits[k]-mx) / z
			if k == 0 {
				c--
			}
			c /= tau
			for j := range q[i] {
				dq[i][j] += c * tg.v[j]
				tg.dv[j] += c * q[i][j]
			}
		}
	}
	return loss, dq, dp, dn
}

func nodeRows(node mat.Tensor) [][]float64 {
	sh := node.Shape()
	d := node.Value().Data().F64()
	m := make([][]float64, sh[0])
	for i := range m {
		m[i] = d[i*sh[1] : (i+1)*sh[1]]
	}
	return m
}

func toDense(m [][]float64) *mat.Dense[float32] {
	d := make([]float32, 0, len(m)*len(m[0]))
	for _, r := range m {
		for _, v := range r {
			d = append(d, float32(v))
		}
	}
	return mat.NewDense[float32](mat.WithShape(len(m), len(m[0])), mat.WithBacking(d))
}

// trainStep encodes the golden batch, computes the loss, and runs the
// backward pass. It returns the loss, the normalised embeddings and their
// gradients.
func trainStep(t *testing.T, m *Model, g *trainingGolden, inBatch bool) (float64, map[string][][]float64) {
	t.Helper()
	nodes := map[string]mat.Tensor{}
	for _, role := range []string{"query", "positive", "negative"} {
		n, err := m.EncodeIDs(g.seqs(role))
		if err != nil {
			t.Fatal(err)
		}
		nodes[role] = n
	}
	q, p, n := nodeRows(nodes["query"]), nodeRows(nodes["positive"]), nodeRows(nodes["negative"])
	loss, dq, dp, dn := infoNCE(q, p, n, g.Tau, inBatch)
	nodes["query"].AccGrad(toDense(dq))
	nodes["positive"].AccGrad(toDense(dp))
	nodes["negative"].AccGrad(toDense(dn))
	// One node at a time, as GradCache does: the sums into the parameter
	// gradients then run in a fixed order, so training is bit-reproducible.
	for _, role := range []string{"query", "positive", "negative"} {
		if err := ag.Backward(nodes[role]); err != nil {
			t.Fatal(err)
		}
	}
	return loss, map[string][][]float64{
		"query_normalized": q, "positive_normalized": p, "negative_normalized": n,
		"d_loss_d_query_normalized": dq, "d_loss_d_positive_normalized": dp, "d_loss_d_negative_normalized": dn,
	}
}

func loadTrainingGolden(t *testing.T) (*trainingGolden, string) {
	dir := filepath.Join("testdata", "tiny-bert")
	var g trainingGolden
	readJSON(t, filepath.Join(dir, "training_golden.json"), &g)
	return &g, dir
}

func trainingModel(t *testing.T, dir string) *Model {
	return loadTest(t, dir, Options{Pooling: PoolMean, Normalize: On, Dropout: -1})
}

func readF64(t *testing.T, path string) map[string]checkpoint.Tensor {
	t.Helper()
	ts, err := checkpoint.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// checkParamGrads compares every gradient with the golden file: per tensor,
// max |got − want| ≤ 1e-4·max|want| + 1e-7.
func checkParamGrads(t *testing.T, m *Model, want map[string]checkpoint.Tensor, noGrad []string) {
	t.Helper()
	worstRatio, worstName := 0.0, ""
	worstReal, worstRealName := 0.0, "" // without the key biases, whose gradient is rounding noise
	for _, p := range m.Params() {
		w, ok := want[p.Name]
		if !ok {
			if p.HasGrad() {
				t.Errorf("%s has a gradient, PyTorch has none", p.Name)
			}
			continue
		}
		if !p.HasGrad() {
			t.Errorf("%s has no gradient", p.Name)
			continue
		}
		wv := w.Float64()
		scale, diff := 0.0, 0.0
		for i, v := range wv {
			scale = max(scale, math.Abs(v))
			diff = max(diff, math.Abs(float64(p.Grad[i])-v))
		}
		tol := 1e-4*scale + 1e-7
		if diff > tol {
			t.Errorf("grad %s: max |got − want| = %.3g > %.3g", p.Name, diff, tol)
		}
		if r := diff / tol; r > worstRatio {
			worstRatio, worstName = r, p.Name
		}
		if r := diff / tol; r > worstReal && !strings.HasSuffix(p.Name, "key.bias") {
			worstReal, worstRealName = r, p.Name
		}
	}
	if len(want) != len(m.Params())-len(noGrad) {
		t.Errorf("golden has %d gradients, model %d params of which %d without gradient", len(want), len(m.Params()), len(noGrad))
	}
	t.Logf("parameter gradients: worst max-diff/tolerance %.3f (%s); without key biases %.3f (%s)", worstRatio, worstName, worstReal, worstRealName)
}

func TestTrainingGolden(t *testing.T) {
	g, dir := loadTrainingGolden(t)
	for _, variant := range []struct {
		name      string
		inBatch   bool
		loss      float64
		gradsFile string
		embGrads  string
	}{
		{"hard-negatives", false, g.Loss.Value, "training_grads.safetensors", "hard_negatives"},
		{"in-batch", true, g.LossInBatch.Value, "training_grads_in_batch.safetensors", "in_batch"},
	} {
		t.Run(variant.name, func(t *testing.T) {
			m := trainingModel(t, dir)
			loss, got := trainStep(t, m, g, variant.inBatch)
			if d := math.Abs(loss - variant.loss); d > 2e-5 {
				t.Errorf("loss = %.9g, want %.9g (|diff| %.3g > 2e-5)", loss, variant.loss, d)
			} else {
				t.Logf("loss: |got − want| = %.3g (tolerance 2e-5)", d)
			}
			for _, role := range []string{"query", "positive", "negative"} {
				k := role + "_normalized"
				if d := maxAbsDiff64(got[k], g.matrix(t, k)); d > 1e-5 {
					t.Errorf("%s: max |got − want| = %.3g > 1e-5", k, d)
				}
				gk := "d_loss_d_" + k
				if d := maxAbsDiff64(got[gk], g.EmbeddingGradients[variant.embGrads][gk]); d > 1e-4 {
					t.Errorf("%s: max |got − want| = %.3g > 1e-4", gk, d)
				}
			}
			checkParamGrads(t, m, readF64(t, filepath.Join(dir, variant.gradsFile)), g.ParameterGradients.NoGrad)
		})
	}
}

func maxAbsDiff64(got, want [][]float64) float64 {
	worst := 0.0
	for i := range want {
		for j := range want[i] {
			worst = max(worst, math.Abs(got[i][j]-want[i][j]))
		}
	}
	return worst
}

func TestAdamWGolden(t *testing.T) {
	g, dir := loadTrainingGolden(t)
	a := g.AdamW
	cfg := AdamWConfig{LR: a.LR, Beta1: a.Betas[0], Beta2: a.Betas[1], Eps: a.Eps, WeightDecay: a.WeightDecay}
	initial := readF64(t, filepath.Join(dir, "model.safetensors"))
	step1 := readF64(t, filepath.Join(dir, "training_grads.safetensors"))
	after := readF64(t, filepath.Join(dir, "training_after_steps.safetensors"))

	for _, inBatch := range []bool{false, true} {
		m := trainingModel(t, dir)
		opt := NewAdamW(m.Params(), cfg)
		losses, wantLosses, wantAfter := []float64{}, a.Losses, a.LossAfter
		if inBatch {
			wantLosses, wantAfter = a.InBatch.Losses, a.InBatch.LossAfter
		}
		for range a.Steps {
			loss, _ := trainStep(t, m, g, inBatch)
			losses = append(losses, loss)
			if _, err := opt.Step(); err != nil {
				t.Fatal(err)
			}
		}
		final, _ := trainStep(t, m, g, inBatch)
		losses = append(losses, final)
		for i, w := range append(wantLosses, wantAfter) {
			if d := math.Abs(losses[i] - w); d > 2e-5 {
				t.Errorf("in-batch %v: loss before step %d = %.9g, want %.9g", inBatch, i+1, losses[i], w)
			}
		}
		if inBatch {
			var qw *Param
			for _, p := range m.Params() {
				if p.Name == "encoder.layer.0.attention.self.query.weight" {
					qw = p
				}
			}
			g1 := readF64(t, filepath.Join(dir, "training_grads_in_batch.safetensors"))[qw.Name].Float64()
			d := 0.0
			for i, row := range a.InBatch.QueryW {
				for j, v := range row {
					k := i*len(row) + j
					diff := math.Abs(float64(qw.Value[k]) - v)
					if g1[k] != 0 && math.Abs(g1[k]) < 1e-5 {
						if diff > a.LR*float64(a.Steps) {
							t.Errorf("in-batch: noisy query weight [%d,%d] = %v, want %v", i, j, qw.Value[k], v)
						}
						continue
					}
					d = max(d, diff)
				}
			}
			if d > 1e-5 {
				t.Errorf("in-batch: query weight after 3 steps: max |got − want| = %.3g > 1e-5", d)
			}
			t.Logf("in-batch: query weight after %d steps: max |got − want| = %.3g (tolerance 1e-5)", a.Steps, d)
			continue
		}
		// Every parameter after 3 steps: abs 1e-5, except the noisy entries
		// (key biases, and entries whose step-1 gradient is below 1e-5 in
		// magnitude), abs lr·steps; parameters without gradient unchanged.
		worstOrdinary, worstNoisy, noisy := 0.0, 0.0, 0
		for _, p := range m.Params() {
			if _, ok := step1[p.Name]; !ok {
				init := initial[p.Name].Float32()
				for i, v := range p.Value {
					if v != init[i] {
						t.Fatalf("%s[%d] changed without gradient", p.Name, i)
					}
				}
				continue
			}
			w, g1 := after[p.Name].Float64(), step1[p.Name].Float64()
			keyBias := strings.HasSuffix(p.Name, "attention.self.key.bias")
			for i, v := range w {
				d := math.Abs(float64(p.Value[i]) - v)
				if keyBias || (g1[i] != 0 && math.Abs(g1[i]) < 1e-5) {
					noisy++
					worstNoisy = max(worstNoisy, d)
					if d > a.LR*float64(a.Steps) {
						t.Errorf("%s[%d] (noisy) = %v, want %v", p.Name, i, p.Value[i], v)
					}
					continue
				}
				worstOrdinary = max(worstOrdinary, d)
				if d > 1e-5 {
					t.Errorf("%s[%d] = %v, want %v (|diff| %.3g)", p.Name, i, p.Value[i], v, d)
				}
			}
		}
		t.Logf("after %d AdamW steps: ordinary entries max |diff| %.3g (tol 1e-5), %d noisy entries max |diff| %.3g (tol %.3g)",
			a.Steps, worstOrdinary, noisy, worstNoisy, a.LR*float64(a.Steps))
	}
}

// TestGradCacheGolden runs the training golden's step through the loss
// package: GradCache over texts, 2 texts per chunk, InfoNCE with cosine
// similarity, hard negatives only, summed. Loss and every parameter
// gradient must match the PyTorch golden.
func TestGradCacheGolden(t *testing.T) {
	g, dir := loadTrainingGolden(t)
	var texts struct {
		Batch map[string]struct {
			Texts []string `json:"texts"`
		} `json:"batch"`
	}
	readJSON(t, filepath.Join(dir, "training_golden.json"), &texts)
	m := trainingModel(t, dir)
	gc := loss.GradCache{Encoder: m, ChunkSize: 2, Loss: loss.Config{
		Similarity: loss.Cosine, Temperature: g.Tau, InBatch: loss.InBatchHardNegatives, Reduction: loss.Sum}}
	l, err := gc.Backward(context.Background(), loss.TextBatch{
		Queries:   texts.Batch["query"].Texts,
		Positives: texts.Batch["positive"].Texts,
		Negatives: texts.Batch["negative"].Texts,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(l - g.Loss.Value); d > 2e-5 {
		t.Errorf("GradCache loss = %.9g, want %.9g", l, g.Loss.Value)
	}
	checkParamGrads(t, m, readF64(t, filepath.Join(dir, "training_grads.safetensors")), g.ParameterGradients.NoGrad)
}
