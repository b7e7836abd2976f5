package loss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice32(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// TestDotNT compares every dotNT path with a float64 triple loop over shapes
// that exercise each remainder of the 3×4×8 tiling and padded strides.
func TestDotNT(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	kernels := map[string]func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int){
		"go":   dotNTGo[float32],
		"used": dotNT32,
		"par": func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			dotNT(3, m, n, k, a, lda, b, ldb, c, ldc)
		},
	}
	for _, m := range []int{0, 1, 2, 3, 4, 7, 100} {
		for _, n := range []int{0, 1, 3, 4, 5, 9, 64} {
			for _, k := range []int{0, 1, 7, 8, 9, 17, 768} {
				lda, ldb, ldc := k+3, k+1, n+2
				a := randSlice32(r, max(0, (m-1)*lda+k))
				b := randSlice32(r, max(0, (n-1)*ldb+k))
				want := make([]float64, m*n)
				for i := range m {
					for j := range n {
						var s float64
						for l := range k {
							s += float64(a[i*lda+l]) * float64(b[j*ldb+l])
						}
						want[i*n+j] = s
					}
				}
				for name, f := range kernels {
					c := make([]float32, max(0, (m-1)*ldc+n)+1)
					c[len(c)-1] = 42 // guard: must stay untouched
					f(m, n, k, a, lda, b, ldb, c, ldc)
					for i := range m {
						for j := range n {
							got, w := float64(c[i*ldc+j]), want[i*n+j]
							if math.Abs(got-w) > 1e-5*math.Sqrt(float64(k)+1)*(1+math.Abs(w)) {
								t.Fatalf("%s m=%d n=%d k=%d: c[%d][%d] = %v, want %v", name, m, n, k, i, j, got, w)
							}
						}
					}
					if c[len(c)-1] != 42 {
						t.Fatalf("%s m=%d n=%d k=%d: wrote past C", name, m, n, k)
					}
				}
			}
		}
	}
}

// TestMulNN compares every mulNN path with a float64 triple loop over shapes
// that exercise each remainder of the 6×16 tiling and padded strides.
func TestMulNN(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	kernels := map[string]func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int){
		"go":   mulNNGo[float32],
		"used": mulNN32,
		"par": func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			mulNN(3, m, n, k, a, lda, b, ldb, c, ldc)
		},
	}
	for _, m := range []int{0, 1, 5, 6, 7, 13, 100} {
		for _, n := range []int{0, 1, 15, 16, 17, 33, 768} {
			for _, k := range []int{0, 1, 7, 104, 200} {
				lda, ldb, ldc := k+3, n+1, n+2
				a := randSlice32(r, max(0, (m-1)*lda+k))
				b := randSlice32(r, max(0, (k-1)*ldb+n))
				for name, f := range kernels {
					c := randSlice32(r, max(0, (m-1)*ldc+n)+1) // garbage: must be overwritten
					c[len(c)-1] = 42                           // guard: must stay untouched
					f(m, n, k, a, lda, b, ldb, c, ldc)
					for i := range m {
						for j := range n {
							var w float64
							for l := range k {
								w += float64(a[i*lda+l]) * float64(b[l*ldb+j])
							}
							if got := float64(c[i*ldc+j]); math.Abs(got-w) > 1e-5*math.Sqrt(float64(k)+1)*(1+math.Abs(w)) {
								t.Fatalf("%s m=%d n=%d k=%d: c[%d][%d] = %v, want %v", name, m, n, k, i, j, got, w)
							}
						}
					}
					if c[len(c)-1] != 42 {
						t.Fatalf("%s m=%d n=%d k=%d: wrote past C", name, m, n, k)
					}
				}
			}
		}
	}
}

func benchmarkDotNT(b *testing.B, m, n, k, workers int) {
	r := rand.New(rand.NewPCG(1, 2))
	x, y, c := randSlice32(r, m*k), randSlice32(r, n*k), make([]float32, m*n)
	b.ReportAllocs()
	for b.Loop() {
		dotNT(workers, m, n, k, x, k, y, k, c, n)
	}
	b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func benchmarkMulNN(b *testing.B, m, n, k, workers int) {
	r := rand.New(rand.NewPCG(1, 2))
	x, y, c := randSlice32(r, m*k), randSlice32(r, k*n), make([]float32, m*n)
	b.ReportAllocs()
	for b.Loop() {
		mulNN(workers, m, n, k, x, k, y, n, c, n)
	}
	b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkMulNN times the two backward products of the size.
func BenchmarkMulNN(b *testing.B) {
	b.Run("100x768x200", func(b *testing.B) { benchmarkMulNN(b, 100, 768, 200, 1) })
	b.Run("200x768x100", func(b *testing.B) { benchmarkMulNN(b, 200, 768, 100, 1) })
}

func BenchmarkDotNT(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("100x200x768/workers=%d", w), func(b *testing.B) { benchmarkDotNT(b, 100, 200, 768, w) })
	}
}
