package model

import (
	"math"
	"testing"
)

// TestFastMath compares the float32 kernels with the math package over a
// dense grid (every 1e-4 in the useful range) and at special values.
func TestFastMath(t *testing.T) {
	cases := []struct {
		name   string
		f      func(float32) float32
		ref    func(float64) float64
		lo, hi float64
		abs    float64 // allowed absolute error
		rel    float64 // allowed relative error
	}{
		{"erff", erff, math.Erf, -6, 6, 5e-7, 0},
		{"expf", expf, math.Exp, -87, 88.7, 0, 3e-7},
		{"tanhf", tanhf, math.Tanh, -12, 12, 3e-7, 0},
	}
	for _, c := range cases {
		worst := 0.0
		for x := c.lo; x <= c.hi; x += 1e-4 {
			x32 := float32(x)
			got := float64(c.f(x32))
			want := c.ref(float64(x32))
			err := math.Abs(got - want)
			allowed := c.abs + c.rel*math.Abs(want)
			if err > allowed {
				t.Fatalf("%s(%v) = %v, want %v (err %g > %g)", c.name, x32, got, want, err, allowed)
			}
			worst = max(worst, err/allowed)
		}
		t.Logf("%s: worst error %.2f of the allowed", c.name, worst)
	}
	if v, want := expf(-100), float32(math.Exp(-100)); v != want {
		t.Errorf("expf(-100) = %v, want %v (subnormal)", v, want)
	}
	if v := expf(-200); v != 0 {
		t.Errorf("expf(-200) = %v, want 0", v)
	}
	if v := expf(100); !math.IsInf(float64(v), 1) {
		t.Errorf("expf(100) = %v, want +Inf", v)
	}
	nan := float32(math.NaN())
	for name, f := range map[string]func(float32) float32{"expf": expf, "erff": erff} {
		if v := f(nan); v == v {
			t.Errorf("%s(NaN) = %v, want NaN", name, v)
		}
	}
	if v := erff(float32(math.Inf(-1))); v != -1 {
		t.Errorf("erff(-Inf) = %v, want -1", v)
	}
}
