package loss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"

	"github.com/polyret/polyret/internal/gemm"
)

func randSlice[T float.DType](r *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(r.NormFloat64())
	}
	return s
}

// products are the three kinds of matmul InfoNCE uses.
var products = []struct {
	name           string
	transA, transB bool
}{{"A·Bᵀ", false, true}, {"A·B", false, false}, {"Aᵀ·B", true, false}}

// testProducts compares each product, serial and on 3 workers, with a
// float64 triple loop, over shapes with every remainder of the GEMM's tiles
// (and its dot path: k ≥ 512) and padded strides. C starts as garbage that
// must be overwritten, and a guard after it must stay untouched.
func testProducts[T float.DType](t *testing.T, tol float64) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range products {
		for _, m := range []int{1, 3, 7, 13, 100} {
			for _, n := range []int{1, 4, 17, 200} {
				for _, k := range []int{1, 9, 104, 768} {
					rowsA, colsA := m, k
					if p.transA {
						rowsA, colsA = k, m
					}
					rowsB, colsB := k, n
					if p.transB {
						rowsB, colsB = n, k
					}
					lda, ldb, ldc := colsA+3, colsB+1, n+2
					a := randSlice[T](r, (rowsA-1)*lda+colsA)
					b := randSlice[T](r, (rowsB-1)*ldb+colsB)
					at := func(i, l int) float64 {
						if p.transA {
							return float64(a[l*lda+i])
						}
						return float64(a[i*lda+l])
					}
					bt := func(l, j int) float64 {
						if p.transB {
							return float64(b[j*ldb+l])
						}
						return float64(b[l*ldb+j])
					}
					var serial []T
					for _, workers := range []int{1, 3} {
						c := randSlice[T](r, (m-1)*ldc+n+1)
						c[len(c)-1] = 42
						matmul(workers, p.transA, p.transB, m, n, k, a, lda, b, ldb, c, ldc)
						for i := range m {
							for j := range n {
								var w float64
								for l := range k {
									w += at(i, l) * bt(l, j)
								}
								if got := float64(c[i*ldc+j]); math.Abs(got-w) > tol*math.Sqrt(float64(k)+1)*(1+math.Abs(w)) {
									t.Fatalf("%s workers=%d m=%d n=%d k=%d: c[%d][%d] = %v, want %v", p.name, workers, m, n, k, i, j, got, w)
								}
							}
						}
						if c[len(c)-1] != 42 {
							t.Fatalf("%s workers=%d m=%d n=%d k=%d: wrote past C", p.name, workers, m, n, k)
						}
						// Splitting the rows among workers changes no bit.
						prod := make([]T, 0, m*n)
						for i := range m {
							prod = append(prod, c[i*ldc:i*ldc+n]...)
						}
						if serial == nil {
							serial = prod
						} else if !slices.Equal(prod, serial) {
							t.Fatalf("%s m=%d n=%d k=%d: workers=%d differs from workers=1", p.name, m, n, k, workers)
						}
					}
				}
			}
		}
	}
}

func TestProducts32(t *testing.T) { testProducts[float32](t, 1e-5) }
func TestProducts64(t *testing.T) { testProducts[float64](t, 1e-12) }

// countingGemm counts the products that reach it and computes them with
// the wrapped Implementation.
type countingGemm struct {
	gemm.Implementation
	calls atomic.Int64
}

func (cg *countingGemm) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	cg.calls.Add(1)
	cg.Implementation.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// TestInfoNCEGoldens32Portable runs TestInfoNCEGoldens32 on the GEMM's
// pure-Go kernels, which other architectures and the purego tag use, set
// with gemm.Use: the float32 products must reach the Implementation that
// model/gemm.Use sets.
func TestInfoNCEGoldens32Portable(t *testing.T) {
	prev := gemm.Current()
	defer gemm.Use(prev)
	cg := &countingGemm{Implementation: gemm.Portable()}
	gemm.Use(cg)
	testGoldens[float32](t, 1e-5, 1e-2)
	if cg.calls.Load() == 0 {
		t.Errorf("no float32 product reached the Implementation set by gemm.Use")
	}
}

// BenchmarkProducts times InfoNCE's three float64 products at the
// benchmark's size (B = 100, 200 candidates, d = 768); float32 products are
// the shared GEMM's (go test ./internal/gemm -bench SgemmInfoNCE).
func BenchmarkProducts(b *testing.B) {
	const m, n, k = 100, 200, 768
	r := rand.New(rand.NewPCG(1, 2))
	q, cands := randSlice[float64](r, m*k), randSlice[float64](r, n*k)
	sim, g := make([]float64, m*n), make([]float64, m*k)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("f64/workers=%d", w), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				matmul(w, false, true, m, n, k, q, k, cands, k, sim, n)
				matmul(w, false, false, m, k, n, sim, n, cands, k, g, k)
			}
		})
	}
}

// batchScale returns InfoNCE's loss and gradients for b queries, b
// positives and b hard negatives of width d, random but exactly
// representable in float32, computed in T.
func batchScale[T float.DType](t *testing.T, b, d int, cfg Config) (loss float64, grads [3][]float64) {
	r := rand.New(rand.NewPCG(uint64(b), uint64(d)))
	mk := func() *mat.Dense[T] {
		data := make([]T, b*d)
		for i := range data {
			data[i] = T(float32(r.NormFloat64()))
		}
		return mat.NewDense[T](mat.WithShape(b, d), mat.WithBacking(data), mat.WithGrad(true))
	}
	q, p, n := mk(), mk(), mk()
	l, err := InfoNCE(Batch{Queries: q, Positives: p, Negatives: n}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ag.Backward(l); err != nil {
		t.Fatal(err)
	}
	for i, x := range []*mat.Dense[T]{q, p, n} {
		grads[i] = x.Grad().Data().F64()
	}
	return l.Value().Item().F64(), grads
}

// TestInfoNCE32BatchScale compares float32 InfoNCE with float64 on
// batch-sized inputs, the shapes where the float32 products run on the
// shared GEMM (the goldens are tiny): B = 100, d = 768 (similarities on the
// GEMM's dot path) and B = 160, d = 512 (320 candidates: packed path).
// Inputs are exact in float32, so only float32 arithmetic separates the two.
// Measured worst gradient error, as a fraction of the largest gradient
// (Zen 4; the kernels these helpers replaced in brackets): cosine 4e-7 to
// 1e-6 [4e-7 to 1.1e-6]; Dot with τ = 0.5 on unnormalised N(0, 1) inputs,
// whose logits span ±90, 8.6e-6 [6.3e-6]. It also checks that the products
// reach the Implementation set by gemm.Use.
func TestInfoNCE32BatchScale(t *testing.T) {
	prev := gemm.Current()
	defer gemm.Use(prev)
	cg := &countingGemm{Implementation: prev}
	gemm.Use(cg)
	for _, tc := range []struct {
		b, d int
		cfg  Config
		tol  float64 // of the largest gradient
	}{
		{100, 768, Config{}, 5e-6},
		{100, 768, Config{Temperature: 0.01, Symmetric: true}, 5e-6},
		{160, 512, Config{}, 5e-6},
		{160, 512, Config{Similarity: Dot, Temperature: 0.5}, 3e-5},
	} {
		loss32, g32 := batchScale[float32](t, tc.b, tc.d, tc.cfg)
		loss64, g64 := batchScale[float64](t, tc.b, tc.d, tc.cfg)
		name := fmt.Sprintf("B=%d d=%d %v τ=%g", tc.b, tc.d, tc.cfg.Similarity, tc.cfg.Temperature)
		if rel := math.Abs(loss32-loss64) / math.Abs(loss64); !(rel <= 1e-6) {
			t.Errorf("%s: float32 loss %.9g, float64 %.9g (relative %.2g)", name, loss32, loss64, rel)
		}
		for i, what := range []string{"queries", "positives", "negatives"} {
			scale := 0.0
			for _, v := range g64[i] {
				scale = max(scale, math.Abs(v))
			}
			worst := 0.0
			for j, v := range g32[i] {
				worst = max(worst, math.Abs(v-g64[i][j])/scale)
			}
			if !(worst <= tc.tol) {
				t.Errorf("%s: grad %s: float32 differs from float64 by %.2g of the largest gradient, want ≤ %g", name, what, worst, tc.tol)
			}
		}
	}
	if cg.calls.Load() == 0 {
		t.Errorf("no float32 product reached the Implementation set by gemm.Use")
	}
}
