package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// Every kernel pair (forward, backward) is checked by central finite
// differences in float64 on random inputs: the loss is Σ r·out for a fixed
// random r, the analytic gradients come from the backward kernel with
// dout = r. The float32 instantiation of the same code (fast erf/exp, the
// gemm package) must then agree with float64 to float32 precision.

// opRun runs a kernel pair: the output for inputs in, and the gradients of
// Σ dout·output with respect to each input (same keys as in).
type opRun[T float] func(in map[string][]T, dout []T) (out []T, grads map[string][]T)

type opCase struct {
	name   string
	inputs map[string][]float64
	run64  opRun[float64]
	run32  opRun[float32]
}

func randSlice(rng *rand.Rand, n int, scale float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64() * scale
	}
	return s
}

func to32(s []float64) []float32 {
	d := make([]float32, len(s))
	for i, v := range s {
		d[i] = float32(v)
	}
	return d
}

func cloneInputs[T float](in map[string][]float64) map[string][]T {
	m := make(map[string][]T, len(in))
	for k, v := range in {
		s := make([]T, len(v))
		for i, x := range v {
			s[i] = T(x)
		}
		m[k] = s
	}
	return m
}

func dot64(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func checkOp(t *testing.T, c opCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, uint64(len(c.name))))
	out, _ := c.run64(cloneInputs[float64](c.inputs), nil)
	r := randSlice(rng, len(out), 1)
	_, grads := c.run64(cloneInputs[float64](c.inputs), r)
	keys := make([]string, 0, len(c.inputs))
	for k := range c.inputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	const h = 1e-5
	for _, k := range keys {
		g := grads[k]
		if g == nil {
			continue
		}
		worst := 0.0
		for i := range c.inputs[k] {
			in := cloneInputs[float64](c.inputs)
			in[k][i] += h
			op, _ := c.run64(in, nil)
			in = cloneInputs[float64](c.inputs)
			in[k][i] -= h
			om, _ := c.run64(in, nil)
			num := (dot64(r, op) - dot64(r, om)) / (2 * h)
			diff := math.Abs(num - g[i])
			if diff > 1e-7*(1+math.Abs(num)) {
				t.Errorf("%s: d/d%s[%d] = %.10g, finite difference %.10g", c.name, k, i, g[i], num)
			}
			worst = max(worst, diff)
		}
		t.Logf("%s: d/d%s worst |analytic − numeric| = %.2g", c.name, k, worst)
	}
	// float32 agrees with float64.
	out32, grads32 := c.run32(cloneInputs[float32](c.inputs), to32(r))
	cmp32 := func(what string, got []float32, want []float64) {
		scale := 0.0
		for _, v := range want {
			scale = max(scale, math.Abs(v))
		}
		for i := range want {
			if d := math.Abs(float64(got[i]) - want[i]); d > 2e-6*(1+scale) {
				t.Errorf("%s float32 %s[%d] = %g, float64 %g", c.name, what, i, got[i], want[i])
				return
			}
		}
	}
	cmp32("out", out32, out)
	for _, k := range keys {
		if grads[k] != nil {
			cmp32("d/d"+k, grads32[k], grads[k])
		}
	}
}

func linearCase[T float](rows, in, out, workers int, acc bool) opRun[T] {
	return func(m map[string][]T, dout []T) ([]T, map[string][]T) {
		ex := newExec(workers)
		defer ex.close()
		y := make([]T, rows*out)
		linearTo(ex, y, m["x"], m["w"], m["b"], rows, in, out)
		if dout == nil {
			return y, nil
		}
		g := map[string][]T{"x": make([]T, rows*in), "w": make([]T, out*in), "b": make([]T, out)}
		if acc {
			// accDX adds to what is there: start from a known value and subtract it.
			for i := range g["x"] {
				g["x"][i] = 1
			}
		}
		linearBackward(g["x"], g["w"], g["b"], dout, m["x"], m["w"], rows, in, out, acc, ex, make([]T, chunks(workers, rows, 64)*out))
		if acc {
			for i := range g["x"] {
				g["x"][i] -= 1
			}
		}
		return y, g
	}
}

func layerNormCase[T float](rows, h, workers int) opRun[T] {
	return func(m map[string][]T, dout []T) ([]T, map[string][]T) {
		ex := newExec(workers)
		defer ex.close()
		y, xh, rs := make([]T, rows*h), make([]T, rows*h), make([]T, rows)
		layerNormTo(y, xh, rs, m["x"], m["gamma"], m["beta"], rows, h, 1e-5, ex)
		// The inference form (no saved state) gives the same output.
		y2 := slices.Clone(m["x"])
		layerNormTo(y2, nil, nil, y2, m["gamma"], m["beta"], rows, h, 1e-5, ex)
		if !slices.Equal(y, y2) {
			panic("layerNormTo: inference form differs")
		}
		if dout == nil {
			return y, nil
		}
		g := map[string][]T{"x": slices.Clone(dout), "gamma": make([]T, h), "beta": make([]T, h)}
		layerNormBackward(g["x"], g["gamma"], g["beta"], g["x"], xh, rs, m["gamma"], rows, h, ex, make([]T, 2*chunks(workers, rows, 32)*h))
		return y, g
	}
}

func geluCase[T float](m map[string][]T, dout []T) ([]T, map[string][]T) {
	ex := newExec(2)
	defer ex.close()
	y := make([]T, len(m["x"]))
	geluTo(y, m["x"], ex)
	if dout == nil {
		return y, nil
	}
	y2, d := make([]T, len(y)), slices.Clone(m["x"])
	geluAndGrad(y2, d, ex)
	if !slices.Equal(y, y2) {
		panic("geluAndGrad: value differs from geluTo")
	}
	g := slices.Clone(dout)
	mulParallel(g, d, ex)
	return y, map[string][]T{"x": g}
}

func denseTanhCase[T float](rows, in, out int) opRun[T] {
	return func(m map[string][]T, dout []T) ([]T, map[string][]T) {
		ex := newExec(1)
		defer ex.close()
		y := make([]T, rows*out)
		linearTo(ex, y, m["x"], m["w"], m["b"], rows, in, out)
		tanhInPlace(y)
		if dout == nil {
			return y, nil
		}
		dz := make([]T, len(y))
		tanhBackward(dz, dout, y)
		g := map[string][]T{"x": make([]T, rows*in), "w": make([]T, out*in), "b": make([]T, out)}
		linearBackward(g["x"], g["w"], g["b"], dz, m["x"], m["w"], rows, in, out, false, ex, nil)
		return y, g
	}
}

func attentionCase[T float](lens []int, heads, dh int, p float64, workers int) opRun[T] {
	offs := []int{0}
	for _, n := range lens {
		offs = append(offs, offs[len(offs)-1]+n)
	}
	l := newAttnLayout(offs, heads, dh)
	drop := newDropoutMask(p, 42)
	return func(m map[string][]T, dout []T) ([]T, map[string][]T) {
		ex := newExec(workers)
		defer ex.close()
		rows, h := offs[len(offs)-1], heads*dh
		scratch := make([][]T, workers)
		for i := range scratch {
			scratch[i] = make([]T, l.scratchSize())
		}
		ctx, probs := make([]T, rows*h), make([]T, l.probSize())
		attentionForward(ctx, probs, m["qkv"], l, drop, ex, scratch)
		ctx2 := make([]T, rows*h)
		attentionForward(ctx2, nil, m["qkv"], l, drop, ex, scratch)
		if !slices.Equal(ctx, ctx2) {
			panic("attentionForward: inference form differs")
		}
		if dout == nil {
			return ctx, nil
		}
		g := make([]T, rows*3*h)
		attentionBackward(g, dout, m["qkv"], probs, l, drop, ex, scratch)
		return ctx, map[string][]T{"qkv": g}
	}
}

func embedCase[T float](ids, pos []int32, h int) opRun[T] {
	return func(m map[string][]T, dout []T) ([]T, map[string][]T) {
		x := make([]T, len(ids)*h)
		embedTo(x, m["word"], m["typ"], m["pos"], ids, pos, h)
		if dout == nil {
			return x, nil
		}
		g := map[string][]T{"word": make([]T, len(m["word"])), "typ": make([]T, len(m["typ"])), "pos": make([]T, len(m["pos"]))}
		ex := newExec(2)
		defer ex.close()
		embedBackward(g["word"], g["typ"], g["pos"], dout, ids, pos, h, ex)
		return x, g
	}
}

func poolNormCase[T float](offs []int, h int, mode PoolingMode) opRun[T] {
	n := len(offs) - 1
	return func(m map[string][]T, dout []T) ([]T, map[string][]T) {
		pooled, am := make([]T, n*h), make([]int32, n*h)
		poolTo(pooled, m["x"], offs, h, mode, am)
		y, norms := make([]T, n*h), make([]T, n)
		normalizeRows(y, norms, pooled, n, h)
		if dout == nil {
			return y, nil
		}
		dp := make([]T, n*h)
		normalizeBackward(dp, dout, y, norms, n, h)
		g := make([]T, len(m["x"]))
		poolBackward(g, dp, offs, h, mode, am)
		return y, map[string][]T{"x": g}
	}
}

func TestKernelGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gamma := func(n int) []float64 {
		s := randSlice(rng, n, 0.2)
		for i := range s {
			s[i] += 1
		}
		return s
	}
	ids := []int32{3, 1, 3, 0, 7, 9, 1}
	pos := []int32{0, 1, 2, 3, 0, 1, 5}
	gx := randSlice(rng, 60, 2.5)
	gx[0], gx[1] = 0, -7 // GELU at 0 and in the saturated tail
	cases := []opCase{
		{"linear", map[string][]float64{"x": randSlice(rng, 5*4, 1), "w": randSlice(rng, 3*4, 1), "b": randSlice(rng, 3, 1)},
			linearCase[float64](5, 4, 3, 1, false), linearCase[float32](5, 4, 3, 1, false)},
		{"linear-acc-chunked", map[string][]float64{"x": randSlice(rng, 130*3, 1), "w": randSlice(rng, 2*3, 1), "b": randSlice(rng, 2, 1)},
			linearCase[float64](130, 3, 2, 3, true), linearCase[float32](130, 3, 2, 3, true)},
		{"layernorm", map[string][]float64{"x": randSlice(rng, 6*8, 1), "gamma": gamma(8), "beta": randSlice(rng, 8, 0.1)},
			layerNormCase[float64](6, 8, 1), layerNormCase[float32](6, 8, 1)},
		{"layernorm-chunked", map[string][]float64{"x": randSlice(rng, 70*5, 1), "gamma": gamma(5), "beta": randSlice(rng, 5, 0.1)},
			layerNormCase[float64](70, 5, 2), layerNormCase[float32](70, 5, 2)},
		{"gelu", map[string][]float64{"x": gx}, geluCase[float64], geluCase[float32]},
		{"dense-tanh", map[string][]float64{"x": randSlice(rng, 3*5, 1), "w": randSlice(rng, 4*5, 0.5), "b": randSlice(rng, 4, 0.1)},
			denseTanhCase[float64](3, 5, 4), denseTanhCase[float32](3, 5, 4)},
		{"attention", map[string][]float64{"qkv": randSlice(rng, 9*18, 1)},
			attentionCase[float64]([]int{3, 1, 5}, 2, 3, 0, 2), attentionCase[float32]([]int{3, 1, 5}, 2, 3, 0, 2)},
		{"attention-dropout", map[string][]float64{"qkv": randSlice(rng, 9*18, 1)},
			attentionCase[float64]([]int{4, 5}, 2, 3, 0.3, 1), attentionCase[float32]([]int{4, 5}, 2, 3, 0.3, 1)},
		{"embeddings", map[string][]float64{"word": randSlice(rng, 10*4, 1), "typ": randSlice(rng, 2*4, 1), "pos": randSlice(rng, 8*4, 1)},
			embedCase[float64](ids, pos, 4), embedCase[float32](ids, pos, 4)},
	}
	for _, mode := range []PoolingMode{PoolCLS, PoolMean, PoolMax} {
		offs := []int{0, 3, 4, 8}
		cases = append(cases, opCase{"pool-" + mode.String() + "-normalize", map[string][]float64{"x": randSlice(rng, 8*5, 1)},
			poolNormCase[float64](offs, 5, mode), poolNormCase[float32](offs, 5, mode)})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkOp(t, c) })
	}
}

func TestDropoutMask(t *testing.T) {
	for _, p := range []float64{0.1, 0.5} {
		m := newDropoutMask(p, 99)
		const n = 200000
		kept := 0
		for i := range n {
			if m.keep(i) {
				kept++
			}
		}
		frac := float64(kept) / n
		if math.Abs(frac-(1-p)) > 0.005 {
			t.Errorf("p=%v: kept fraction %v, want %v", p, frac, 1-p)
		}
		// The mask replays, and splitting the work does not change it.
		x := make([]float32, 50000)
		for i := range x {
			x[i] = 1
		}
		y := slices.Clone(x)
		dropApply(m, x, 10)
		ex := newExec(3)
		dropApplyParallel(m, y, 10, ex)
		ex.close()
		if !slices.Equal(x, y) {
			t.Errorf("p=%v: parallel mask differs", p)
		}
		for i, v := range x {
			want := float32(0)
			if m.keep(10 + i) {
				want = float32(1 / (1 - p))
			}
			if v != want {
				t.Fatalf("p=%v: x[%d] = %v, want %v", p, i, v, want)
			}
		}
	}
	if newDropoutMask(0, 1).active() {
		t.Error("p=0 mask is active")
	}
	if siteKey(1, 0, 0) == siteKey(1, 0, 1) || siteKey(1, 0, 0) == siteKey(2, 0, 0) {
		t.Error("site keys collide")
	}
}

func TestSizeClass(t *testing.T) {
	for n := minPooled / 2; n < 1<<22; n += 977 {
		idx, c := sizeClass(n)
		if c < n || c > n+n/8+1 {
			t.Fatalf("sizeClass(%d) capacity %d", n, c)
		}
		if i2, c2 := sizeClass(c); i2 != idx || c2 != c {
			t.Fatalf("sizeClass(%d) = %d,%d; of its capacity %d,%d", n, idx, c, i2, c2)
		}
	}
	s := getF32(100000)
	if len(s) != 100000 {
		t.Fatal(fmt.Sprint("getF32 length ", len(s)))
	}
	putF32(s)
	putF32(make([]float32, 5000)) // not a class capacity: ignored
}
