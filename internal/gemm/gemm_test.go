package gemm

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
)

var seed = flag.Uint64("seed", 1, "seed of the random test matrices")

// testPool serves the Native implementations under test that use a Pool.
var testPool *Pool

// testOpenBLAS is the system OpenBLAS, or nil when it is not installed.
var testOpenBLAS *OpenBLAS

func TestMain(m *testing.M) {
	flag.Parse()
	testPool = NewPool(PoolConfig{Workers: 3, Spin: 100 * time.Microsecond})
	testOpenBLAS, _ = LoadOpenBLAS("")
	code := m.Run()
	testPool.Close()
	os.Exit(code)
}

// A gemmCase is one Sgemm call: shapes, scalars and the padding added to
// each leading dimension beyond the stored column count.
type gemmCase struct {
	transA, transB   bool
	m, n, k          int
	alpha, beta      float32
	padA, padB, padC int
}

func (tc gemmCase) String() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s%s/m=%d,n=%d,k=%d/alpha=%g,beta=%g/pad=%d,%d,%d",
		t(tc.transA), t(tc.transB), tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.padA, tc.padB, tc.padC)
}

// stored returns the stored rows and columns of op(X) = rows×cols.
func stored(trans bool, rows, cols int) (int, int) {
	if trans {
		return cols, rows
	}
	return rows, cols
}

func randMatrix(rnd *rand.Rand, rows, cols, ld int) []float32 {
	x := make([]float32, storedLen(rows, cols, ld))
	for i := range x {
		x[i] = float32(rnd.NormFloat64())
	}
	return x
}

// unitRoundoff is 2⁻²⁴, the relative rounding error of float32.
const unitRoundoff = 1.0 / (1 << 24)

// checkCase runs tc through impl and compares C with a float64-accumulated
// reference. Each element must be within 2·(k+2)·u·(|alpha|·Σ|a·b| +
// |beta·c|) of the reference (u = 2⁻²⁴): the classical bound for a float32
// dot product of length k plus the scalings, with a factor 2 of slack, so
// only a wrong or missing term can fail it. Elements of C outside the m×n
// product (the leading-dimension padding) must be unchanged.
func checkCase(impl Implementation, tc gemmCase, rnd *rand.Rand) error {
	ra, ca := stored(tc.transA, tc.m, tc.k)
	rb, cb := stored(tc.transB, tc.k, tc.n)
	lda, ldb, ldc := max(1, ca)+tc.padA, max(1, cb)+tc.padB, max(1, tc.n)+tc.padC
	a := randMatrix(rnd, ra, ca, lda)
	b := randMatrix(rnd, rb, cb, ldb)
	c := randMatrix(rnd, tc.m, tc.n, ldc)
	if tc.beta == 0 {
		// C must not be read: NaN would propagate.
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	c0 := append([]float32(nil), c...)
	impl.Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	at := func(i, p int) float64 {
		if tc.transA {
			return float64(a[p*lda+i])
		}
		return float64(a[i*lda+p])
	}
	bt := func(p, j int) float64 {
		if tc.transB {
			return float64(b[j*ldb+p])
		}
		return float64(b[p*ldb+j])
	}
	for idx := range c {
		i, j := idx/ldc, idx%ldc
		if j >= tc.n {
			if math.Float32bits(c[idx]) != math.Float32bits(c0[idx]) {
				return fmt.Errorf("padding C[%d] changed from %v to %v", idx, c0[idx], c[idx])
			}
			continue
		}
		var sum, abs float64
		if tc.alpha != 0 {
			for p := range tc.k {
				v := at(i, p) * bt(p, j)
				sum += v
				abs += math.Abs(v)
			}
		}
		want := float64(tc.alpha) * sum
		bound := math.Abs(float64(tc.alpha)) * abs
		if tc.beta != 0 {
			want += float64(tc.beta) * float64(c0[idx])
			bound += math.Abs(float64(tc.beta) * float64(c0[idx]))
		}
		tol := 2 * float64(tc.k+2) * unitRoundoff * bound
		if got := float64(c[idx]); !(math.Abs(got-want) <= tol) {
			return fmt.Errorf("C[%d,%d] = %v, want %v ± %.3g", i, j, got, want, tol)
		}
	}
	return nil
}

// testImplementations lists every Implementation the tests must hold to:
// Native with each micro-kernel this CPU supports, sequential and parallel,
// and OpenBLAS when the library is installed.
func testImplementations() map[string]Implementation {
	impls := make(map[string]Implementation)
	if testOpenBLAS != nil {
		impls["openblas"] = testOpenBLAS
	}
	for _, kern := range kernels {
		if !kern.supported {
			continue
		}
		impls[kern.name+"/workers=1"] = Native{Workers: 1, kern: kern}
		impls[kern.name+"/workers=3"] = Native{Workers: 3, kern: kern, minFlops: 1}
		impls[kern.name+"/pool"] = Native{Pool: testPool, kern: kern, minFlops: 1}
	}
	return impls
}

// blockCases returns shapes that cross every blocking boundary of kern:
// single partial tiles, several mr/nr tiles with ragged edges, more than
// one mc, kc and nc block.
func blockCases(kern *kernel) [][3]int {
	mr, nr, mc, kc, nc := kern.mr, kern.nr, kern.mc, kern.kc, kern.nc
	return [][3]int{
		{1, 1, 1},
		{mr, nr, 1},
		{mr - 1, nr - 1, 3},
		{mr + 1, nr + 1, 7},
		{3*mr + 2, 2*nr + 5, 17},
		{mc + mr + 1, nr + 3, kc + 5},
		{mr + 2, 2*nr + 1, 2*kc + 3},
		{5, nc + nr + 3, 3},
		{2*mc + 1, 3, 2},
	}
}

func TestSgemmShapes(t *testing.T) {
	rnd := rand.New(rand.NewPCG(*seed, 1))
	for name, impl := range testImplementations() {
		kern := bestKernel
		if native, ok := impl.(Native); ok {
			kern = native.kern
		}
		for _, s := range blockCases(kern) {
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					tc := gemmCase{transA: tA, transB: tB, m: s[0], n: s[1], k: s[2], alpha: 1, beta: 0,
						padA: rnd.IntN(3), padB: rnd.IntN(3), padC: rnd.IntN(3)}
					if err := checkCase(impl, tc, rnd); err != nil {
						t.Errorf("%s: Sgemm(%v): %v", name, tc, err)
					}
				}
			}
		}
	}
}

func TestSgemmScalars(t *testing.T) {
	rnd := rand.New(rand.NewPCG(*seed, 2))
	scalars := []float32{0, 1, -0.75, 2.5}
	for name, impl := range testImplementations() {
		for _, alpha := range scalars {
			for _, beta := range scalars {
				for _, tA := range []bool{false, true} {
					for _, tB := range []bool{false, true} {
						tc := gemmCase{transA: tA, transB: tB, m: 13, n: 37, k: 29, alpha: alpha, beta: beta,
							padA: 1, padB: 2, padC: 3}
						if err := checkCase(impl, tc, rnd); err != nil {
							t.Errorf("%s: Sgemm(%v): %v", name, tc, err)
						}
					}
				}
			}
		}
	}
}

func TestSgemmEmpty(t *testing.T) {
	rnd := rand.New(rand.NewPCG(*seed, 3))
	for name, impl := range testImplementations() {
		for _, s := range [][3]int{{0, 0, 0}, {0, 5, 3}, {4, 0, 3}, {4, 5, 0}, {1, 1, 0}} {
			for _, beta := range []float32{0, 1, -2} {
				tc := gemmCase{transA: true, transB: false, m: s[0], n: s[1], k: s[2], alpha: 1.5, beta: beta, padC: 1}
				if err := checkCase(impl, tc, rnd); err != nil {
					t.Errorf("%s: Sgemm(%v): %v", name, tc, err)
				}
				tc.transA, tc.transB = false, true
				if err := checkCase(impl, tc, rnd); err != nil {
					t.Errorf("%s: Sgemm(%v): %v", name, tc, err)
				}
			}
		}
	}
}

// TestSgemmAlphaZeroSkipsAB checks the BLAS rule that A and B are not read
// when alpha is zero: NaN in them must not reach C.
func TestSgemmAlphaZeroSkipsAB(t *testing.T) {
	nan := float32(math.NaN())
	for name, impl := range testImplementations() {
		a := []float32{nan, nan, nan, nan}
		b := []float32{nan, nan, nan, nan}
		c := []float32{1, 2, 3, 4}
		impl.Sgemm(false, false, 2, 2, 2, 0, a, 2, b, 2, 3, c, 2)
		if want := []float32{3, 6, 9, 12}; fmt.Sprint(c) != fmt.Sprint(want) {
			t.Errorf("%s: Sgemm(alpha=0, beta=3) = %v, want %v", name, c, want)
		}
	}
}

// TestSgemmRandom covers random shapes up to a few blocks, transposes,
// scalars and paddings.
func TestSgemmRandom(t *testing.T) {
	rnd := rand.New(rand.NewPCG(*seed, 4))
	scalars := []float32{0, 1, -1, 0.5, 3}
	n := 60
	if testing.Short() || raceEnabled {
		n = 15
	}
	for name, impl := range testImplementations() {
		for range n {
			tc := gemmCase{
				transA: rnd.IntN(2) == 1, transB: rnd.IntN(2) == 1,
				m: 1 + rnd.IntN(150), n: 1 + rnd.IntN(150), k: 1 + rnd.IntN(300),
				alpha: scalars[rnd.IntN(len(scalars))], beta: scalars[rnd.IntN(len(scalars))],
				padA: rnd.IntN(4), padB: rnd.IntN(4), padC: rnd.IntN(4),
			}
			if err := checkCase(impl, tc, rnd); err != nil {
				t.Errorf("%s: Sgemm(%v): %v", name, tc, err)
			}
		}
	}
}

// TestSgemmDotPath covers the unpacked A·Bᵀ path (useDot): row and column
// remainders of the dot tiles, k not a multiple of the SIMD width, B split
// into several cache chunks, and both of useDot's shape rules.
func TestSgemmDotPath(t *testing.T) {
	rnd := rand.New(rand.NewPCG(*seed, 7))
	scalars := []float32{0, 1, -1, 0.5, 3}
	var shapes [][3]int
	for _, m := range []int{1, 3, 4, 5, 13} {
		for _, n := range []int{1, 4, 9, 255} {
			for _, k := range []int{512, 527, 777} {
				shapes = append(shapes, [3]int{m, n, k})
			}
		}
	}
	shapes = append(shapes, [3]int{7, 2050, 520}, [3]int{dotShortA, dotLongBRows + 3, dotMinK + 1})
	if testing.Short() || raceEnabled {
		shapes = [][3]int{{5, 9, 527}, {13, 255, 777}, {7, 2050, 520}}
	}
	for _, s := range shapes {
		if !useDot(false, true, s[0], s[1], s[2]) {
			t.Fatalf("useDot(m=%d, n=%d, k=%d) = false; the test must cover the dot path", s[0], s[1], s[2])
		}
	}
	for name, impl := range testImplementations() {
		for _, s := range shapes {
			tc := gemmCase{transB: true, m: s[0], n: s[1], k: s[2],
				alpha: scalars[rnd.IntN(len(scalars))], beta: scalars[rnd.IntN(len(scalars))],
				padA: rnd.IntN(3), padB: rnd.IntN(3), padC: rnd.IntN(3)}
			if err := checkCase(impl, tc, rnd); err != nil {
				t.Errorf("%s: Sgemm(%v): %v", name, tc, err)
			}
		}
	}
}

// TestSgemmDotPathElementwise checks that the dot path computes every
// element of C the same way, whether it falls in a whole tile, a leftover
// row or a leftover column: each row of a 13×37 product must equal, bit
// for bit, the 1×37 product of that row alone, and each column the 13×1
// product of that column.
func TestSgemmDotPathElementwise(t *testing.T) {
	rnd := rand.New(rand.NewPCG(*seed, 9))
	const m, n, k = 13, 37, 531
	a, b := randMatrix(rnd, m, k, k), randMatrix(rnd, n, k, k)
	for _, kern := range kernels {
		if !kern.supported {
			continue
		}
		impl := Native{Workers: 1, kern: kern}
		c := make([]float32, m*n)
		impl.Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n)
		for i := range m {
			row := make([]float32, n)
			impl.Sgemm(false, true, 1, n, k, 1, a[i*k:], k, b, k, 0, row, n)
			for j := range n {
				col := make([]float32, m)
				if i == 0 {
					impl.Sgemm(false, true, m, 1, k, 1, a, k, b[j*k:], k, 0, col, 1)
					for r := range m {
						if math.Float32bits(col[r]) != math.Float32bits(c[r*n+j]) {
							t.Fatalf("%s: C[%d,%d] = %v alone, %v in the full product", kern.dot.name, r, j, col[r], c[r*n+j])
						}
					}
				}
				if math.Float32bits(row[j]) != math.Float32bits(c[i*n+j]) {
					t.Fatalf("%s: C[%d,%d] = %v in a 1-row product, %v in the full product", kern.dot.name, i, j, row[j], c[i*n+j])
				}
			}
		}
	}
}

// TestSgemmParallel runs products large enough to be split across
// goroutines, along m and along n; run it with -race.
func TestSgemmParallel(t *testing.T) {
	rnd := rand.New(rand.NewPCG(*seed, 5))
	for name, impl := range testImplementations() {
		if strings.HasSuffix(name, "workers=1") {
			continue
		}
		for _, s := range [][3]int{{301, 67, 129}, {45, 283, 130}, {256, 256, 64}} {
			for _, tA := range []bool{false, true} {
				tc := gemmCase{transA: tA, transB: !tA, m: s[0], n: s[1], k: s[2], alpha: 0.5, beta: 1.5, padA: 1, padC: 2}
				if err := checkCase(impl, tc, rnd); err != nil {
					t.Errorf("%s: Sgemm(%v): %v", name, tc, err)
				}
			}
		}
	}
}

func TestSgemmPanics(t *testing.T) {
	s := make([]float32, 100)
	for _, tc := range []struct {
		name string
		call func()
		want string
	}{
		{"negative m", func() { Sgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }, errNegDim},
		{"negative k", func() { Sgemm(false, false, 2, 2, -1, 1, s, 2, s, 2, 0, s, 2) }, errNegDim},
		{"lda small", func() { Sgemm(false, false, 2, 3, 4, 1, s, 3, s, 3, 0, s, 3) }, errBadLdA},
		{"lda small transposed", func() { Sgemm(true, false, 5, 3, 4, 1, s, 4, s, 3, 0, s, 3) }, errBadLdA},
		{"lda zero", func() { Sgemm(false, false, 2, 3, 0, 1, s, 0, s, 3, 0, s, 3) }, errBadLdA},
		{"ldb small", func() { Sgemm(false, false, 2, 3, 4, 1, s, 4, s, 2, 0, s, 3) }, errBadLdB},
		{"ldb small transposed", func() { Sgemm(false, true, 2, 3, 4, 1, s, 4, s, 3, 0, s, 3) }, errBadLdB},
		{"ldc small", func() { Sgemm(false, false, 2, 3, 4, 1, s, 4, s, 3, 0, s, 2) }, errBadLdC},
		{"a short", func() { Sgemm(false, false, 3, 3, 4, 1, s[:11], 4, s, 3, 0, s, 3) }, errShortA},
		{"b short", func() { Sgemm(false, true, 3, 3, 4, 1, s, 4, s[:11], 4, 0, s, 3) }, errShortB},
		{"c short", func() { Sgemm(false, false, 3, 3, 4, 1, s, 4, s, 3, 0, s[:8], 3) }, errShortC},
		{"nil Use", func() { Use(nil) }, errNilImpl},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); msg != tc.want {
					t.Errorf("panic = %v, want %q", r, tc.want)
				}
			}()
			tc.call()
		})
	}
	// Exact lengths must not panic.
	Sgemm(false, false, 3, 3, 4, 1, s[:12], 4, s[:12], 3, 0, make([]float32, 9), 3)
}

type countingImpl struct{ calls int }

func (ci *countingImpl) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ci.calls++
}

func TestUse(t *testing.T) {
	prev := Current()
	defer Use(prev)
	ci := &countingImpl{}
	Use(ci)
	if Current() != Implementation(ci) {
		t.Fatalf("Current() = %v after Use(%v)", Current(), ci)
	}
	Sgemm(false, false, 1, 1, 1, 1, []float32{1}, 1, []float32{1}, 1, 0, []float32{0}, 1)
	if ci.calls != 1 {
		t.Errorf("Sgemm after Use: %d calls reached the Implementation, want 1", ci.calls)
	}
}

func TestKernelName(t *testing.T) {
	name := Native{}.Kernel()
	if name == "" || !strings.Contains(fmt.Sprint(kernelNames()), name) {
		t.Errorf("Native{}.Kernel() = %q, not one of %v", name, kernelNames())
	}
}

func kernelNames() []string {
	var names []string
	for _, k := range kernels {
		names = append(names, k.name)
	}
	return names
}

// FuzzSgemm explores the shape space: dimensions up to a few tiles,
// transposes, paddings and scalars, for every micro-kernel.
func FuzzSgemm(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint8(1), uint8(0), uint8(0), uint64(1))
	f.Add(uint8(7), uint8(17), uint8(33), uint8(3), uint8(0x15), uint64(2))
	f.Add(uint8(0), uint8(3), uint8(5), uint8(1), uint8(0x2a), uint64(3))
	f.Fuzz(func(t *testing.T, m, n, k, trans, misc uint8, seed uint64) {
		scalars := []float32{0, 1, -1, 0.25}
		tc := gemmCase{
			transA: trans&1 != 0, transB: trans&2 != 0,
			m: int(m % 80), n: int(n % 80), k: int(k % 160),
			alpha: scalars[misc&3], beta: scalars[misc>>2&3],
			padA: int(misc >> 4 & 1), padB: int(misc >> 5 & 1), padC: int(misc >> 6 & 3),
		}
		rnd := rand.New(rand.NewPCG(seed, 0))
		for name, impl := range testImplementations() {
			if err := checkCase(impl, tc, rnd); err != nil {
				t.Errorf("%s: Sgemm(%v): %v", name, tc, err)
			}
		}
	})
}

// TestSgemmWorkersDeterministic checks that splitting a product across
// goroutines does not change a single bit of the result: every element
// is summed in the same order whatever the split.
func TestSgemmWorkersDeterministic(t *testing.T) {
	rnd := rand.New(rand.NewPCG(*seed, 6))
	for _, kern := range kernels {
		if !kern.supported {
			continue
		}
		for _, s := range [][3]int{{97, 45, 300}, {33, 150, 70}, {97, 45, 600}, {20, 2100, 512}} {
			m, n, k := s[0], s[1], s[2]
			a, b := randMatrix(rnd, m, k, k), randMatrix(rnd, n, k, k)
			c0 := randMatrix(rnd, m, n, n)
			var want []float32
			for _, impl := range []Native{{Workers: 1, kern: kern}, {Workers: 2, kern: kern, minFlops: 1}, {Workers: 5, kern: kern, minFlops: 1}, {Pool: testPool, kern: kern, minFlops: 1}} {
				c := append([]float32(nil), c0...)
				impl.Sgemm(false, true, m, n, k, 0.5, a, k, b, k, 2, c, n)
				if want == nil {
					want = c
					continue
				}
				for i := range c {
					if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s m=%d n=%d k=%d: Workers=%d Pool=%v: C[%d] = %v, want %v (Workers=1)",
							kern.name, m, n, k, impl.Workers, impl.Pool != nil, i, c[i], want[i])
					}
				}
			}
		}
	}
}

func TestLoadOpenBLAS(t *testing.T) {
	if _, err := LoadOpenBLAS("/nonexistent/libopenblas.so.0"); !errors.Is(err, ErrNoOpenBLAS) {
		t.Errorf("LoadOpenBLAS(missing file) error = %v, want one wrapping ErrNoOpenBLAS", err)
	}
	if testOpenBLAS == nil {
		t.Skip("OpenBLAS not installed; its Sgemm is untested")
	}
	t.Logf("OpenBLAS from %s, %d threads", testOpenBLAS.Path, testOpenBLAS.Threads())
}

func TestLimit(t *testing.T) {
	o := &OpenBLAS{}
	pool := &Pool{}
	for _, tc := range []struct {
		impl    Implementation
		workers int
		want    Implementation
	}{
		{Native{}, 1, Native{Workers: 1}},
		{Native{}, 3, Native{Workers: 3}},
		{Native{Workers: 4, Pool: pool}, 2, Native{Workers: 2, Pool: pool}},
		{Native{Workers: 2}, 3, Native{Workers: 2}},
		{o, 1, o},
	} {
		if got := Limit(tc.impl, tc.workers); got != tc.want {
			t.Errorf("Limit(%+v, %d) = %+v, want %+v", tc.impl, tc.workers, got, tc.want)
		}
	}
	defer func() {
		if r := recover(); r != errLimitWorkers {
			t.Errorf("Limit(Native{}, 0) panic = %v, want %q", r, errLimitWorkers)
		}
	}()
	Limit(Native{}, 0)
}

// TestDotTiles checks each dot tile this CPU runs on its own, for every k
// remainder of the SIMD width (the dot path itself only sees k ≥ dotMinK),
// and that it writes nothing outside its rows×4 tile.
func TestDotTiles(t *testing.T) {
	rnd := rand.New(rand.NewPCG(*seed, 8))
	seen := map[*dotKernel]bool{}
	for _, kern := range kernels {
		dk := kern.dot
		if !kern.supported || seen[dk] {
			continue
		}
		seen[dk] = true
		for _, k := range []int{1, 5, 8, 9, 15, 16, 17, 33, 100} {
			lda, ldb, ldt := k+1, k+2, 7
			a := randMatrix(rnd, dk.rows, k, lda)
			b := randMatrix(rnd, 4, k, ldb)
			out := make([]float32, (dk.rows+1)*ldt)
			for i := range out {
				out[i] = 42
			}
			dk.tile(a, lda, b, ldb, k, out, ldt)
			for idx, got := range out {
				i, j := idx/ldt, idx%ldt
				if i >= dk.rows || j >= 4 {
					if got != 42 {
						t.Fatalf("%s k=%d: wrote t[%d,%d] outside the tile", dk.name, k, i, j)
					}
					continue
				}
				var want, abs float64
				for p := range k {
					v := float64(a[i*lda+p]) * float64(b[j*ldb+p])
					want += v
					abs += math.Abs(v)
				}
				if tol := 2 * float64(k+2) * unitRoundoff * abs; !(math.Abs(float64(got)-want) <= tol) {
					t.Errorf("%s k=%d: t[%d,%d] = %v, want %v ± %.3g", dk.name, k, i, j, got, want, tol)
				}
			}
		}
	}
	if len(seen) == 0 {
		t.Fatal("no dot tile tested")
	}
}
