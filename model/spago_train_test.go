package model_test

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"

	"github.com/polyret/polyret/loss"
	"github.com/polyret/polyret/model"
)

// The batch of the tiny-bert training golden (testdata/tiny-bert).
var tinyBatch = loss.TextBatch{
	Queries:    []string{"capital of France", "die Stadt London", "el mundo"},
	Positives:  []string{"Paris is the capital of France.", "London ist eine Stadt.", "Hola mundo!"},
	Negatives:  []string{"Berlin is the capital of Germany.", "Paris ist eine Stadt in France, not in Germany.", "Hello world"},
	NegativeOf: []int{0, 1, 2},
}

func tinyBert(t testing.TB) *model.Model {
	t.Helper()
	m, err := model.Load(context.Background(), filepath.Join("testdata", "tiny-bert"),
		model.Options{Pooling: model.PoolMean, Normalize: model.On})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func zeroGrads(ps []*model.Param) {
	for _, p := range ps {
		p.ZeroGrad()
	}
}

func gradsCopy(ps []*model.Param) [][]float32 {
	out := make([][]float32, len(ps))
	for i, p := range ps {
		if p.HasGrad() {
			out[i] = append([]float32(nil), p.Grad...)
		}
	}
	return out
}

// TestLearnableTemperatureJoint trains a learnable temperature
// (loss.LogitScale, float32) together with the tiny BERT through one
// AdamW, as a user would: append(m.Params(), model.SpagoParam(...)).
// θ's gradient agrees with central finite differences of the loss; the
// encoder's gradients equal those of a fixed temperature of the same
// value; the first step moves θ by AdamW's first-step rule,
// θ(1 − lr·wd) − lr·g/(|g| + eps), against the gradient; training lowers
// the loss; and the optimizer state file holds θ's moments.
func TestLearnableTemperatureJoint(t *testing.T) {
	ctx := context.Background()
	m := tinyBert(t)
	scale := loss.NewLogitScale[float32](0.05)
	params := append(m.Params(), model.SpagoParam("logit_scale", scale.Param))
	if len(params) != len(m.Params())+1 {
		t.Fatal("append changed the model's slice")
	}
	gc := loss.GradCache{Encoder: m.Queries(), PassageEncoder: m.Passages(), ChunkSize: 2,
		Loss: loss.Config{LogitScale: scale, Symmetric: true}}

	// Finite differences of the loss in θ (float32 embeddings, float64 loss).
	theta0 := scale.Param.Value().Item().F64()
	lossAt := func(theta float32) float64 {
		scale.Param.Data().F32()[0] = theta
		l, err := gc.Backward(ctx, tinyBatch)
		if err != nil {
			t.Fatal(err)
		}
		zeroGrads(params)
		return l
	}
	const h = 1e-2
	fd := (lossAt(float32(theta0+h)) - lossAt(float32(theta0-h))) / (float64(float32(theta0+h)) - float64(float32(theta0-h)))
	scale.Param.Data().F32()[0] = float32(theta0)

	l0, err := gc.Backward(ctx, tinyBatch)
	if err != nil {
		t.Fatal(err)
	}
	g := scale.Param.Grad().Item().F64()
	if math.Abs(g-fd) > 1e-3*math.Abs(fd) {
		t.Errorf("dL/dθ = %.6g, finite differences %.6g", g, fd)
	}
	t.Logf("dL/dθ = %.6g, finite differences %.6g (τ = %.4g, loss %.6g)", g, fd, scale.Temperature(), l0)

	// The encoder's gradients are those of the same temperature held fixed.
	got := gradsCopy(m.Params())
	ref := tinyBert(t)
	gcFixed := loss.GradCache{Encoder: ref.Queries(), PassageEncoder: ref.Passages(), ChunkSize: 2,
		Loss: loss.Config{Temperature: scale.Temperature(), Symmetric: true}}
	if _, err := gcFixed.Backward(ctx, tinyBatch); err != nil {
		t.Fatal(err)
	}
	for i, p := range ref.Params() {
		if (got[i] == nil) != !p.HasGrad() {
			t.Fatalf("%s: gradient presence differs", p.Name)
		}
		scale := 0.0
		for _, v := range p.Grad {
			scale = max(scale, math.Abs(float64(v)))
		}
		for j, v := range got[i] {
			if d := math.Abs(float64(v - p.Grad[j])); d > 1e-5*scale+1e-9 {
				t.Fatalf("%s[%d] = %v with a learnable τ, %v with a fixed one", p.Name, j, v, p.Grad[j])
			}
		}
	}

	// One step: AdamW's first-step rule, against the gradient.
	cfg := model.AdamWConfig{LR: 1e-2, WeightDecay: 0.01}
	opt := model.NewAdamW(params, cfg)
	if _, err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	theta1 := scale.Param.Value().Item().F64()
	want := float64(float32(theta0))*(1-cfg.LR*cfg.WeightDecay) - cfg.LR*g/(math.Abs(g)+1e-8)
	if math.Abs(theta1-want) > 1e-6*math.Abs(want) {
		t.Errorf("θ after one step = %.9g, want %.9g", theta1, want)
	}
	if (theta1-theta0)*g >= 0 {
		t.Errorf("θ moved from %v to %v with gradient %v", theta0, theta1, g)
	}
	if scale.Param.HasGrad() || params[len(params)-1].HasGrad() {
		t.Error("θ's gradient survived the step")
	}

	// A few more steps lower the loss; the state file covers θ.
	var l float64
	for range 4 {
		if l, err = gc.Backward(ctx, tinyBatch); err != nil {
			t.Fatal(err)
		}
		if _, err := opt.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if !(l < l0) {
		t.Errorf("loss %v after 4 more steps, %v before training", l, l0)
	}
	t.Logf("loss %.6g → %.6g, τ 0.05 → %.6g", l0, l, scale.Temperature())
	path := filepath.Join(t.TempDir(), "adamw.safetensors")
	if err := opt.Save(path); err != nil {
		t.Fatal(err)
	}
	if err := model.NewAdamW(params, cfg).Load(path); err != nil {
		t.Errorf("Load over the same params: %v", err)
	}
	err = model.NewAdamW(m.Params(), cfg).Load(path)
	if err == nil || !strings.Contains(err.Error(), "exp_avg") || !strings.Contains(err.Error(), "logit_scale") {
		t.Errorf("Load without the temperature: %v, want an error naming its state", err)
	}
}

// TestSpagoViewOfModelParam uses a model parameter (the word embeddings of
// a random tiny transformer) in a spago graph through Param.Spago while
// the model's own backward pass also reaches it: the step sees the sum of
// both gradients, and the view keeps sharing the updated values.
func TestSpagoViewOfModelParam(t *testing.T) {
	m, err := model.NewRandom(model.Config{ModelType: "bert", VocabSize: 50, HiddenSize: 16, NumLayers: 1,
		NumHeads: 2, IntermediateSize: 32, MaxPositions: 16, TypeVocabSize: 2, LayerNormEps: 1e-12}, model.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var emb *model.Param
	for _, p := range m.Params() {
		if p.Name == "embeddings.word_embeddings.weight" {
			emb = p
		}
	}
	if emb == nil {
		t.Fatal("no word embeddings")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	randDense := func(r, c int) *mat.Dense[float32] {
		d := make([]float32, r*c)
		for i := range d {
			d[i] = float32(rng.NormFloat64())
		}
		return mat.NewDense[float32](mat.WithShape(r, c), mat.WithBacking(d))
	}
	seqs := [][]int32{{2, 7, 9, 3}, {2, 11, 3}}

	// The model's own gradient, alone.
	x, err := m.EncodeIDs(seqs)
	if err != nil {
		t.Fatal(err)
	}
	gy := randDense(2, 16)
	x.AccGrad(gy)
	if err := ag.Backward(x); err != nil {
		t.Fatal(err)
	}
	native := append([]float32(nil), emb.Grad...)
	zeroGrads(m.Params())

	// A spago product A·E over the view: forward reads E, backward gives AᵀG.
	view := emb.Spago()
	a, g := randDense(3, 50), randDense(3, 16)
	y := ag.Mul(a, view)
	for i := range 3 {
		for j := range 16 {
			var s float64
			for k := range 50 {
				s += float64(a.At(i, k).Item().F32()) * float64(emb.Value[k*16+j])
			}
			if d := math.Abs(float64(y.Value().(mat.Matrix).At(i, j).Item().F32()) - s); d > 1e-5 {
				t.Fatalf("(A·E)[%d][%d] = %v, want %v", i, j, y.Value().(mat.Matrix).At(i, j), s)
			}
		}
	}
	y.AccGrad(g)
	x, err = m.EncodeIDs(seqs)
	if err != nil {
		t.Fatal(err)
	}
	x.AccGrad(gy)
	for _, n := range []mat.Tensor{y, x} {
		if err := ag.Backward(n); err != nil {
			t.Fatal(err)
		}
	}
	spagoGrad := append([]float32(nil), view.Grad().Data().F32()...)
	model.ClipGradNorm(m.Params(), 1e30) // moves the view's gradient into Grad
	for i := range native {
		if want := native[i] + spagoGrad[i]; math.Float32bits(emb.Grad[i]) != math.Float32bits(want) {
			t.Fatalf("Grad[%d] = %v, want native %v + spago %v", i, emb.Grad[i], native[i], spagoGrad[i])
		}
	}
	opt := model.NewAdamW(m.Params(), model.AdamWConfig{LR: 0.1})
	before := append([]float32(nil), emb.Value...)
	if _, err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	changed := 0
	for i, v := range view.Data().F32() {
		if v != emb.Value[i] {
			t.Fatalf("view[%d] = %v, Value %v", i, v, emb.Value[i])
		}
		if v != before[i] {
			changed++
		}
	}
	if changed == 0 {
		t.Error("the step changed no embedding")
	}
}
