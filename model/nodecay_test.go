package model_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nlpodyssey/spago/mat"

	"github.com/polyret/polyret/model"
)

func TestDecayExempt(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		// BERT / LaBSE, with and without the "bert." prefix.
		{"embeddings.word_embeddings.weight", false},
		{"embeddings.position_embeddings.weight", false},
		{"embeddings.token_type_embeddings.weight", false},
		{"embeddings.LayerNorm.weight", true},
		{"embeddings.LayerNorm.bias", true},
		{"bert.encoder.layer.3.attention.self.query.weight", false},
		{"bert.encoder.layer.3.attention.self.query.bias", true},
		{"encoder.layer.11.attention.output.dense.weight", false},
		{"encoder.layer.11.attention.output.LayerNorm.weight", true},
		{"encoder.layer.0.intermediate.dense.bias", true},
		{"encoder.layer.0.output.LayerNorm.weight", true},
		{"pooler.dense.weight", false},
		{"pooler.dense.bias", true},
		// XLM-R.
		{"roberta.encoder.layer.7.output.dense.weight", false},
		{"roberta.embeddings.LayerNorm.bias", true},
		// sentence-transformers Dense, model2vec, a learnable temperature.
		{"linear.weight", false},
		{"linear.bias", true},
		{"embeddings", false},
		{"embedding.weight", false},
		{"logit_scale", true},
		{"loss.logit_scale", true},
		{"logit_scale_init", false},
		// The Trainer's other name patterns.
		{"model.layers.0.input_layernorm.weight", true},
		{"model.norm.weight", true},
		{"h.0.ln_1.weight", false}, // an nn.LayerNorm the Trainer finds by type, not by name
		{"transformer.final_layer_norm.weight", true},
		{"encoder.rmsnorm.scale", true},
		{"normalizer.weight", false},
		{"Attention.BIAS", true},
	} {
		if got := model.DecayExempt(tc.name); got != tc.want {
			t.Errorf("DecayExempt(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// adamwGroupsGolden is testdata/adamw/adamw_groups_golden.json, written by
// gen_adamw.py groups with torch.optim.AdamW (PyTorch 1.13) and two
// parameter groups.
type adamwGroupsGolden struct {
	LR          float64                `json:"lr"`
	Betas       []float64              `json:"betas"`
	Eps         float64                `json:"eps"`
	WeightDecay float64                `json:"weight_decay"`
	Decayed     []string               `json:"decayed"`
	Init        map[string][]float64   `json:"init"`
	Shapes      map[string][]int       `json:"shapes"`
	Grads       []map[string][]float64 `json:"grads"`
	Steps       []map[string][]float64 `json:"steps"`
}

// TestAdamWNoDecayGolden trains BERT-named parameters with NoDecay:
// DecayExempt and compares every step with torch.optim.AdamW whose decayed
// group is transformers' Trainer's less logit_scale, in float32, relative
// to max(|value|, lr), to 1e-6: a few float32 roundings of an update of
// size lr (PyTorch computes −lr·m/denom in another order). Without the
// exemption the exempt parameters miss the golden by far more.
func TestAdamWNoDecayGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "adamw", "adamw_groups_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g adamwGroupsGolden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range g.Init {
		names = append(names, n)
		if want := !slices.Contains(g.Decayed, n); model.DecayExempt(n) != want {
			t.Errorf("DecayExempt(%q) = %v; the golden's groups say %v", n, !want, want)
		}
	}
	slices.Sort(names)
	run := func(noDecay func(string) bool) (worst float64, worstExempt float64) {
		params := make([]*model.Param, len(names))
		for i, n := range names {
			params[i] = &model.Param{Name: n, Shape: g.Shapes[n], Value: f32(g.Init[n])}
		}
		opt := model.NewAdamW(params, model.AdamWConfig{LR: g.LR, Beta1: g.Betas[0], Beta2: g.Betas[1], Eps: g.Eps,
			WeightDecay: g.WeightDecay, NoDecay: noDecay})
		for s := range g.Steps {
			for i, n := range names {
				// A gradient from outside the model's kernels enters
				// through the Param's spago node.
				node := params[i].Spago()
				node.AccGrad(mat.NewDense[float32](mat.WithShape(node.Shape()...), mat.WithBacking(f32(g.Grads[s][n]))))
			}
			if _, err := opt.Step(); err != nil {
				t.Fatal(err)
			}
			for i, n := range names {
				for j, want := range g.Steps[s][n] {
					e := math.Abs(float64(params[i].Value[j])-want) / max(math.Abs(want), g.LR)
					worst = max(worst, e)
					if !slices.Contains(g.Decayed, n) {
						worstExempt = max(worstExempt, e)
					}
				}
			}
		}
		return worst, worstExempt
	}
	worst, _ := run(model.DecayExempt)
	t.Logf("largest relative difference from torch: %.2g", worst)
	if worst > 1e-6 {
		t.Errorf("with DecayExempt: largest relative difference from torch %.2g > 1e-6", worst)
	}
	if _, e := run(nil); e < 1e-4 {
		t.Errorf("decaying every parameter: exempt parameters within %.2g of the golden; the test cannot tell", e)
	}
}

func f32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}
