package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The vector kernels (vec_amd64.s) against the scalar Go code they replace,
// on random inputs, lengths that are not multiples of 8, and special values.

func vecInputs() []float32 {
	rng := rand.New(rand.NewPCG(3, 5))
	x := []float32{0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 3.9, 4.1, -4.1, 5.7, -5.7, 13, -13.3, 88, -88,
		150, -150, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for range 20000 {
		x = append(x, float32(rng.NormFloat64()*3))
	}
	for range 2000 {
		x = append(x, float32(rng.Float64()*200-100))
	}
	return x[:len(x)-5] // not a multiple of 8
}

func requireVec(t *testing.T) {
	if !hasVec {
		t.Skip("no AVX2+FMA kernels on this CPU or build")
	}
}

// closeTo reports whether got is within abs + rel·|want| of want, with NaN
// equal to NaN and infinities equal to themselves.
func closeTo(got, want float32, abs, rel float64) bool {
	g, w := float64(got), float64(want)
	switch {
	case math.IsNaN(w):
		return math.IsNaN(g)
	case math.IsInf(w, 0):
		return g == w
	}
	return math.Abs(g-w) <= abs+rel*math.Abs(w)
}

func TestGeluVec(t *testing.T) {
	requireVec(t)
	x := vecInputs()
	n := len(x) &^ 7
	y, g, d := make([]float32, len(x)), make([]float32, len(x)), append([]float32(nil), x...)
	geluVec(&y[0], &x[0], n)
	geluGradVec(&g[0], &d[0], n)
	// Compare with float64: 1 + erf cancels for large negative x, so the
	// float32 kernels (like PyTorch's) have an absolute error near 1e-7·|x|.
	for i, v := range x[:n] {
		if math.IsInf(float64(v), 0) {
			continue // x·Φ(x) at ±∞ is ∞·1 or −∞·0: no useful value either way
		}
		x64 := float64(v)
		cdf := 0.5 * (1 + math.Erf(x64*sqrtHalf))
		want := float32(x64 * cdf)
		wantD := float32(cdf + x64*invSqrt2Pi*math.Exp(-0.5*x64*x64))
		if !closeTo(y[i], want, 1e-6, 3e-7) || math.Float32bits(y[i]) != math.Float32bits(g[i]) {
			t.Errorf("GELU(%v): vector %v, %v; want %v", v, y[i], g[i], want)
		}
		if !closeTo(d[i], wantD, 1e-6, 3e-7) {
			t.Errorf("GELU'(%v): vector %v, want %v", v, d[i], wantD)
		}
	}
}

func TestExpShiftSumVec(t *testing.T) {
	requireVec(t)
	for _, shift := range []float32{0, 3.5, -2} {
		x := vecInputs()
		for i := range x {
			if x[i] > 80 { // keep e**(x−shift) finite for the sum check
				x[i] = 80
			}
		}
		x = x[:len(x)-1] // drop the NaN for the sum
		orig := append([]float32(nil), x...)
		n := len(x) &^ 7
		sum := expShiftSumVec(&x[0], n, shift)
		var want float64
		for i, v := range orig[:n] {
			e := expf(v - shift)
			if v-shift < -87.3 {
				// The vector kernel clamps the argument: it returns e**-87.34
				// instead of a subnormal or zero.
				if x[i] > 1.2e-38 {
					t.Errorf("exp(%v) = %v, want at most 1.2e-38", v-shift, x[i])
				}
				continue
			}
			if !closeTo(x[i], e, 0, 3e-7) {
				t.Errorf("exp(%v) = %v, scalar %v", v-shift, x[i], e)
			}
			want += float64(e)
		}
		if math.Abs(float64(sum)-want) > 1e-5*want {
			t.Errorf("sum = %v, want %v", sum, want)
		}
	}
	nan := []float32{1, 2, float32(math.NaN()), 4, 5, 6, 7, 8}
	expShiftSumVec(&nan[0], 8, 0)
	if !math.IsNaN(float64(nan[2])) || math.IsNaN(float64(nan[1])) {
		t.Errorf("NaN handling: %v", nan)
	}
}

func TestAdamWVec(t *testing.T) {
	requireVec(t)
	rng := rand.New(rand.NewPCG(8, 9))
	const n = 1003
	p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range p {
		p[i], g[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64()*1e-3)
		m[i], v[i] = float32(rng.NormFloat64()*1e-3), float32(rng.Float64()*1e-6)
	}
	c := [9]float32{1 - 1e-5, 0.9, 0.1, 0.999, 0.001, 0.05, -0.02, 1e-8, 0.75}
	p2, m2, v2, g2 := slices.Clone(p), slices.Clone(m), slices.Clone(v), slices.Clone(g)
	adamwVec(&p2[0], &g2[0], &m2[0], &v2[0], n&^7, &c)
	for i := range n &^ 7 {
		gi := g[i] * c[8]
		pi := p[i] * c[0]
		mi := m[i]*c[1] + gi*c[2]
		vi := v[i]*c[3] + c[4]*gi*gi
		want := pi + c[6]*(mi/(sqrtf(vi)/c[5]+c[7]))
		// The fused multiply-adds round once where Go rounds twice: allow
		// a few units of the terms' size, not of their (cancelling) sum.
		mTol := 1e-6 * float64(abs32(m[i]*c[1])+abs32(gi*c[2]))
		if !closeTo(p2[i], want, 1e-7, 1e-6) || !closeTo(m2[i], mi, mTol, 1e-6) || !closeTo(v2[i], vi, 0, 1e-6) {
			t.Fatalf("element %d: vector %v %v %v, scalar %v %v %v", i, p2[i], m2[i], v2[i], want, mi, vi)
		}
	}
	if p2[n-1] != p[n-1] || g2[n-1] != g[n-1] {
		t.Error("the kernel wrote past n")
	}
	if slices.ContainsFunc(g2[:n&^7], func(x float32) bool { return x != 0 }) {
		t.Error("the kernel did not clear the gradients")
	}
}

// TestSumSquaresVec checks the vector sum of squares bit for bit against
// the Go loop, on gradients with runs of zeros, and its NaN and Inf.
func TestSumSquaresVec(t *testing.T) {
	requireVec(t)
	rng := rand.New(rand.NewPCG(10, 11))
	const n = 4000
	x := make([]float32, n)
	for i := range x {
		if i/64%3 != 0 { // two blocks of 64 in three are zero
			x[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
		}
	}
	x[100] = float32(math.Copysign(0, -1))
	for _, s0 := range []float64{0, 1.5} {
		want := s0
		for _, v := range x {
			want += float64(v) * float64(v)
		}
		if got := sumSquaresVec(&x[0], n, s0); got != want {
			t.Errorf("sumSquaresVec(s=%v) = %v, want %v (bit for bit)", s0, got, want)
		}
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		y := make([]float32, 16)
		y[11] = bad
		got := sumSquaresVec(&y[0], 16, 0)
		if bad != bad && !math.IsNaN(got) || bad == bad && !math.IsInf(got, 1) {
			t.Errorf("sumSquaresVec with %v = %v", bad, got)
		}
	}
}

func abs32(x float32) float32 { return float32(math.Abs(float64(x))) }
