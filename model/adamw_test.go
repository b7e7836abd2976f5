package model

import (
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSchedules(t *testing.T) {
	// Values of transformers' get_*_schedule_with_warmup lr_lambda.
	for _, tc := range []struct {
		name string
		s    Schedule
		want map[int]float64
	}{
		{"linear", LinearSchedule(4, 10), map[int]float64{0: 0, 1: 0.25, 3: 0.75, 4: 1, 7: 0.5, 10: 0, 12: 0}},
		{"linear-no-warmup", LinearSchedule(0, 4), map[int]float64{0: 1, 1: 0.75, 4: 0}},
		{"cosine", CosineSchedule(2, 6), map[int]float64{0: 0, 1: 0.5, 2: 1, 4: 0.5, 6: 0, 8: 0}},
		{"constant", ConstantSchedule(2), map[int]float64{0: 0, 1: 0.5, 2: 1, 100: 1}},
	} {
		for step, want := range tc.want {
			if got := tc.s(step); math.Abs(got-want) > 1e-15 {
				t.Errorf("%s(%d) = %v, want %v", tc.name, step, got, want)
			}
		}
	}
	for _, bad := range []func(){func() { LinearSchedule(5, 4) }, func() { CosineSchedule(-1, 4) }} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "model: ") {
					t.Errorf("panic %v, want a model: message", r)
				}
			}()
			bad()
		}()
	}
}

func testParams() []*Param {
	return []*Param{
		{Name: "a", Shape: []int{2, 2}, Value: []float32{1, -2, 3, 0.5}, Grad: []float32{0.1, 0.2, -0.3, 0}, hasGrad: true},
		{Name: "b", Shape: []int{3}, Value: []float32{1, 1, 1}, Grad: []float32{3, 0, 4}, hasGrad: true},
		{Name: "c", Shape: []int{1}, Value: []float32{5}, Grad: []float32{100}}, // no gradient: ignored
	}
}

func TestClipGradNorm(t *testing.T) {
	ps := testParams()
	want := math.Sqrt(0.01 + 0.04 + 0.09 + 9 + 16)
	if n := ClipGradNorm(ps, 1); math.Abs(n-want) > 1e-6 {
		t.Errorf("norm = %v, want %v", n, want)
	}
	var ss float64
	for _, p := range ps[:2] {
		for _, g := range p.Grad {
			ss += float64(g) * float64(g)
		}
	}
	if math.Abs(math.Sqrt(ss)-1) > 1e-6 {
		t.Errorf("norm after clipping = %v, want 1", math.Sqrt(ss))
	}
	if ps[2].Grad[0] != 100 {
		t.Error("a parameter without gradient was scaled")
	}
	ps = testParams()
	ClipGradNorm(ps, 100) // below the limit: unchanged
	if !slices.Equal(ps[1].Grad, []float32{3, 0, 4}) {
		t.Errorf("gradients below the limit changed: %v", ps[1].Grad)
	}
}

// TestAdamWRule checks one step against the formula in float64, the
// untouched parameter without gradient, and the cleared gradients.
func TestAdamWRule(t *testing.T) {
	ps := testParams()
	before := [][]float32{slices.Clone(ps[0].Value), slices.Clone(ps[1].Value)}
	grads := [][]float32{slices.Clone(ps[0].Grad), slices.Clone(ps[1].Grad)}
	o := NewAdamW(ps, AdamWConfig{LR: 0.1, WeightDecay: 0.5, MaxGradNorm: 1})
	norm, err := o.Step()
	if err != nil {
		t.Fatal(err)
	}
	coef := 1 / (norm + 1e-6)
	for i, p := range ps[:2] {
		for j, v := range p.Value {
			g := float64(grads[i][j]) * coef
			m, vv := 0.1*g, 0.001*g*g
			want := float64(before[i][j])*(1-0.1*0.5) - 0.1/0.1*m/(math.Sqrt(vv)/math.Sqrt(0.001)+1e-8)
			if math.Abs(float64(v)-want) > 1e-6 {
				t.Errorf("%s[%d] = %v, want %v", p.Name, j, v, want)
			}
		}
		if p.HasGrad() || slices.ContainsFunc(p.Grad, func(g float32) bool { return g != 0 }) {
			t.Errorf("%s: gradient not cleared", p.Name)
		}
	}
	if ps[2].Value[0] != 5 {
		t.Error("parameter without gradient changed")
	}
	ps[0].Grad[1], ps[0].hasGrad = float32(math.NaN()), true
	if _, err := o.Step(); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN gradient: err = %v", err)
	}
	if o.Steps() != 1 {
		t.Errorf("Steps = %d after a refused step, want 1", o.Steps())
	}
}

// TestAdamWResume interrupts training after 2 of 3 steps, saves the model
// and the optimizer, reloads both and finishes: bit-identical to 3 steps
// without interruption.
func TestAdamWResume(t *testing.T) {
	g, dir := loadTrainingGolden(t)
	cfg := AdamWConfig{LR: 1e-3, Schedule: LinearSchedule(1, 3)}
	straight := trainingModel(t, dir)
	o := NewAdamW(straight.Params(), cfg)
	for range 3 {
		trainStep(t, straight, g, false)
		if _, err := o.Step(); err != nil {
			t.Fatal(err)
		}
	}
	m := trainingModel(t, dir)
	o = NewAdamW(m.Params(), cfg)
	for range 2 {
		trainStep(t, m, g, false)
		if _, err := o.Step(); err != nil {
			t.Fatal(err)
		}
	}
	tmp := t.TempDir()
	if err := m.Save(filepath.Join(tmp, "model")); err != nil {
		t.Fatal(err)
	}
	if err := o.Save(filepath.Join(tmp, "optimizer.safetensors")); err != nil {
		t.Fatal(err)
	}
	m2 := loadTest(t, filepath.Join(tmp, "model"), Options{Pooling: PoolMean, Normalize: On, Dropout: -1})
	o2 := NewAdamW(m2.Params(), cfg)
	if err := o2.Load(filepath.Join(tmp, "optimizer.safetensors")); err != nil {
		t.Fatal(err)
	}
	if o2.Steps() != 2 {
		t.Fatalf("restored Steps = %d, want 2", o2.Steps())
	}
	trainStep(t, m2, g, false)
	if _, err := o2.Step(); err != nil {
		t.Fatal(err)
	}
	sameParams(t, straight, m2)

	// A state file for other parameters is refused.
	other := NewAdamW(testParams(), AdamWConfig{})
	if err := other.Load(filepath.Join(tmp, "optimizer.safetensors")); err == nil || !strings.Contains(err.Error(), "belongs to no parameter") {
		t.Errorf("Load into other parameters: %v", err)
	}
}
