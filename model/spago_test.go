package model_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/nn"

	"github.com/polyret/polyret/model"
)

// adamwGolden is testdata/adamw/adamw_golden.json, written by
// gen_adamw.py with torch.optim.AdamW (PyTorch 1.13).
type adamwGolden struct {
	LR          float64   `json:"lr"`
	Betas       []float64 `json:"betas"`
	Eps         float64   `json:"eps"`
	WeightDecay float64   `json:"weight_decay"`
	Schedule    struct {
		Warmup int `json:"warmup"`
		Total  int `json:"total"`
	} `json:"schedule"`
	NoGradStep int `json:"w_without_grad_at_step"`
	Grads      struct {
		Theta []float64     `json:"theta"`
		W     [][][]float64 `json:"w"`
	} `json:"grads"`
	F32, F64 adamwRun
}

type adamwRun struct {
	WInit     [][]float64 `json:"w_init"`
	ThetaInit float64     `json:"theta_init"`
	Steps     []struct {
		Theta float64     `json:"theta"`
		W     [][]float64 `json:"w"`
	} `json:"steps"`
}

func readAdamWGolden(t *testing.T) *adamwGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "adamw", "adamw_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		adamwGolden
		F32 adamwRun `json:"float32"`
		F64 adamwRun `json:"float64"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	g := raw.adamwGolden
	g.F32, g.F64 = raw.F32, raw.F64
	return &g
}

// spagoPair is the golden's two parameters as spago nodes: θ through
// SpagoParam, w as a model.Param seen through its Spago view.
type spagoPair struct {
	theta  *nn.Param
	w      *model.Param
	params []*model.Param
}

func newSpagoPair(theta float32, w []float32) spagoPair {
	node := nn.NewParam(mat.Scalar(theta))
	wp := &model.Param{Name: "w", Shape: []int{3, 4}, Value: w}
	return spagoPair{theta: node, w: wp, params: []*model.Param{model.SpagoParam("logit_scale", node), wp}}
}

// accumulate puts step s's gradients into the spago nodes, as ag.Backward
// would.
func (p spagoPair) accumulate(g *adamwGolden, s int) {
	p.theta.AccGrad(mat.Scalar(float32(g.Grads.Theta[s])))
	if s != g.NoGradStep {
		var gw []float32
		for _, row := range g.Grads.W[s] {
			for _, v := range row {
				gw = append(gw, float32(v))
			}
		}
		p.w.Spago().AccGrad(mat.NewDense[float32](mat.WithShape(3, 4), mat.WithBacking(gw)))
	}
}

func flat32(m [][]float64) []float32 {
	var out []float32
	for _, row := range m {
		for _, v := range row {
			out = append(out, float32(v))
		}
	}
	return out
}

// TestAdamWSpagoGolden trains two spago parameters (a 1×1 temperature
// through SpagoParam and a 3×4 matrix through Param.Spago) with AdamW and
// compares every step with torch.optim.AdamW under the same schedule, in
// float32 (to 2e-7 relative: a few float32 roundings) and in float64 (to
// 1e-6 relative: float32 arithmetic), relative to max(|value|, lr). A step without a gradient for w
// leaves it untouched, as PyTorch does. Save after 3 steps, Load into a new
// optimizer over new nodes, and the last 3 steps agree bit for bit with
// uninterrupted training.
func TestAdamWSpagoGolden(t *testing.T) {
	g := readAdamWGolden(t)
	cfg := model.AdamWConfig{LR: g.LR, Beta1: g.Betas[0], Beta2: g.Betas[1], Eps: g.Eps, WeightDecay: g.WeightDecay,
		Schedule: model.LinearSchedule(g.Schedule.Warmup, g.Schedule.Total)}
	p := newSpagoPair(float32(g.F32.ThetaInit), flat32(g.F32.WInit))
	opt := model.NewAdamW(p.params, cfg)
	// Errors scale with the updates, of the order of lr.
	rel := func(got float32, want float64) float64 {
		return math.Abs(float64(got)-want) / max(math.Abs(want), g.LR)
	}
	worst32, worst64 := 0.0, 0.0
	var afterHalf []float32
	half := len(g.F32.Steps) / 2
	tmp := t.TempDir()
	for s := range g.F32.Steps {
		p.accumulate(g, s)
		if !p.params[0].HasGrad() || p.params[1].HasGrad() == (s == g.NoGradStep) {
			t.Fatalf("step %d: HasGrad = %v, %v", s, p.params[0].HasGrad(), p.params[1].HasGrad())
		}
		if _, err := opt.Step(); err != nil {
			t.Fatal(err)
		}
		if p.theta.HasGrad() || p.w.Spago().HasGrad() || p.params[0].HasGrad() {
			t.Fatalf("step %d: spago gradients not cleared", s)
		}
		got := append([]float32{p.theta.Value().Item().F32()}, p.w.Value...)
		for _, ref := range []struct {
			run   adamwRun
			tol   float64
			worst *float64
		}{{g.F32, 2e-7, &worst32}, {g.F64, 1e-6, &worst64}} {
			want := append([]float64{ref.run.Steps[s].Theta}, flatten(ref.run.Steps[s].W)...)
			for i, w := range want {
				e := rel(got[i], w)
				*ref.worst = max(*ref.worst, e)
				if e > ref.tol {
					t.Errorf("step %d: element %d = %.9g, torch %.9g (relative %.2g > %.2g)", s+1, i, got[i], w, e, ref.tol)
				}
			}
		}
		if s+1 == half {
			afterHalf = append([]float32(nil), got...)
			if err := opt.Save(filepath.Join(tmp, "adamw.safetensors")); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("largest relative difference from torch: float32 %.2g, float64 %.2g", worst32, worst64)

	// Resume from the state saved after half the steps, over new nodes.
	q := newSpagoPair(afterHalf[0], append([]float32(nil), afterHalf[1:]...))
	opt2 := model.NewAdamW(q.params, cfg)
	if err := opt2.Load(filepath.Join(tmp, "adamw.safetensors")); err != nil {
		t.Fatal(err)
	}
	if opt2.Steps() != half {
		t.Fatalf("restored Steps = %d, want %d", opt2.Steps(), half)
	}
	for s := half; s < len(g.F32.Steps); s++ {
		q.accumulate(g, s)
		if _, err := opt2.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := q.theta.Value().Item().F32(), p.theta.Value().Item().F32(); math.Float32bits(a) != math.Float32bits(b) {
		t.Errorf("resumed θ = %v, uninterrupted %v", a, b)
	}
	for i := range p.w.Value {
		if math.Float32bits(q.w.Value[i]) != math.Float32bits(p.w.Value[i]) {
			t.Errorf("resumed w[%d] = %v, uninterrupted %v", i, q.w.Value[i], p.w.Value[i])
		}
	}
}

func flatten(m [][]float64) []float64 {
	var out []float64
	for _, row := range m {
		out = append(out, row...)
	}
	return out
}

// TestSpagoParamSharesMemory checks that nothing is copied: a step writes
// the spago node's data, the spago view of a Param reads the Param's
// values, and ZeroGrad clears the node's gradient.
func TestSpagoParamSharesMemory(t *testing.T) {
	node := nn.NewParam(mat.NewDense[float32](mat.WithShape(2, 3), mat.WithBacking([]float32{1, 2, 3, 4, 5, 6})))
	p := model.SpagoParam("x", node)
	if len(p.Shape) != 2 || p.Shape[0] != 2 || p.Shape[1] != 3 || p.Spago() != node {
		t.Fatalf("Shape = %v, Spago() == node: %v", p.Shape, p.Spago() == node)
	}
	node.Data().F32()[4] = 50
	if p.Value[4] != 50 {
		t.Errorf("Value does not alias the node's data")
	}
	if p.HasGrad() {
		t.Error("HasGrad before any backward pass")
	}
	// Gradient of sum(x ⊙ x) = 2x, through spago.
	sumSquares := func() {
		y := ag.Prod(node, node)
		y.AccGrad(mat.NewDense[float32](mat.WithShape(2, 3), mat.WithBacking([]float32{1, 1, 1, 1, 1, 1})))
		if err := ag.Backward(y); err != nil {
			t.Fatal(err)
		}
	}
	sumSquares()
	if !p.HasGrad() {
		t.Fatal("HasGrad false after ag.Backward")
	}
	p.ZeroGrad()
	if p.HasGrad() || node.HasGrad() {
		t.Error("ZeroGrad left a gradient")
	}
	sumSquares()
	before := append([]float32(nil), p.Value...)
	norm := model.ClipGradNorm([]*model.Param{p}, 1e30) // moves the gradient into Grad
	want := 0.0
	for i, v := range before {
		want += 4 * float64(v) * float64(v)
		if p.Grad[i] != 2*v {
			t.Errorf("Grad[%d] = %v, want %v", i, p.Grad[i], 2*v)
		}
	}
	if math.Abs(norm-math.Sqrt(want)) > 1e-9*norm || node.HasGrad() || !p.HasGrad() {
		t.Errorf("norm %v, want %v; node gradient left: %v; HasGrad %v", norm, math.Sqrt(want), node.HasGrad(), p.HasGrad())
	}
	opt := model.NewAdamW([]*model.Param{p}, model.AdamWConfig{LR: 0.1})
	if _, err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	for i, v := range node.Data().F32() {
		if v == before[i] || v != p.Value[i] {
			t.Errorf("element %d: node %v, Value %v, before %v", i, v, p.Value[i], before[i])
		}
	}

	// A view of a Param: the same memory both ways, vectors n×1.
	q := &model.Param{Name: "b", Shape: []int{3}, Value: []float32{1, 2, 3}}
	v := q.Spago()
	if s := v.Shape(); s[0] != 3 || s[1] != 1 || q.Spago() != v {
		t.Fatalf("view shape %v, or a new view per call", s)
	}
	q.Value[1] = 20
	if v.Data().F32()[1] != 20 {
		t.Error("view does not alias Value")
	}

	// A replaced value is detected instead of silently training a copy.
	node.ReplaceValue(mat.NewDense[float32](mat.WithShape(2, 3)))
	node.AccGrad(mat.NewDense[float32](mat.WithShape(2, 3)))
	wantPanic(t, "model: spago parameter x no longer shares its memory", func() { _, _ = opt.Step() })
}

func wantPanic(t *testing.T, prefix string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if s, ok := r.(string); !ok || !strings.HasPrefix(s, prefix) {
			t.Errorf("panic %v, want %q", r, prefix)
		}
	}()
	f()
}

func TestSpagoParamPanics(t *testing.T) {
	wantPanic(t, "model: SpagoParam: s is not float32", func() { model.SpagoParam("s", nn.NewParam(mat.Scalar(1.0))) })
	wantPanic(t, "model: SpagoParam: nil parameter s", func() { model.SpagoParam("s", nil) })
}
