package metrics

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/polyret/polyret/internal/gemm"
)

func randF32(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// gridF32 returns multiples of 1/32 in (-2, 2): every dot product of such
// vectors (d ≤ 2^10) is exact in float32, whatever the summation order.
func gridF32(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.IntN(127)-63) / 32
	}
	return x
}

// TestScoreBlock checks the scores of blocks of every size against float64
// sums (random data, float32 rounding bound) and exactly (grid data), for
// shapes on both of the GEMM's paths (packed, and unpacked dot tiles for
// d ≥ 512) with every tile remainder.
func TestScoreBlock(t *testing.T) {
	rng := testRand(2)
	t.Logf("GEMM: %T %+v", gemm.Current(), gemm.Current())
	for _, d := range []int{1, 3, 8, 9, 17, 31, 512, 768, 770} {
		for _, nq := range []int{1, 2, 3, 4, 5, 7, 9} {
			for _, m := range []int{1, 3, 4, 5, 13, 200, 300} {
				q, c := randF32(rng, nq*d), randF32(rng, m*d)
				dst := make([]float32, nq*m)
				scoreBlock(dst, q, nq, c, m, d)
				qg, cg := gridF32(rng, nq*d), gridF32(rng, m*d)
				dstg := make([]float32, nq*m)
				scoreBlock(dstg, qg, nq, cg, m, d)
				for i := range nq {
					for j := range m {
						var want, wantAbs, wantg float64
						for k := range d {
							p := float64(q[i*d+k]) * float64(c[j*d+k])
							want += p
							wantAbs += math.Abs(p)
							wantg += float64(qg[i*d+k]) * float64(cg[j*d+k])
						}
						// float32 accumulation: error ≤ d·eps32·Σ|p| (loose).
						if got := float64(dst[i*m+j]); math.Abs(got-want) > float64(d)*6e-8*wantAbs+1e-6 {
							t.Fatalf("d=%d nq=%d m=%d: score(%d,%d) = %v, want %v", d, nq, m, i, j, got, want)
						}
						if got := float64(dstg[i*m+j]); got != wantg {
							t.Fatalf("d=%d nq=%d m=%d: grid score(%d,%d) = %v, want exactly %v", d, nq, m, i, j, got, wantg)
						}
					}
				}
			}
		}
	}
}

// countingGemm counts the products that reach it and computes them with
// the single-threaded Native.
type countingGemm struct{ calls atomic.Int64 }

func (cg *countingGemm) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	cg.calls.Add(1)
	gemm.Native{Workers: 1}.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// TestSearchUsesGemm checks that exact search scores through the
// Implementation set by gemm.Use (model/gemm.Use sets the same one), one
// product per block of queries.
func TestSearchUsesGemm(t *testing.T) {
	prev := gemm.Current()
	defer gemm.Use(prev)
	cg := &countingGemm{}
	gemm.Use(cg)
	rng := testRand(3)
	q, c := randomEmbeddings(rng, "q", 10, 8), randomEmbeddings(rng, "c", 20, 8)
	if _, err := SearchHits(t.Context(), q, c, 3, SearchConfig{Workers: 2, BlockSize: 4}); err != nil {
		t.Fatal(err)
	}
	if n := cg.calls.Load(); n != 3 {
		t.Errorf("SearchHits over 10 queries in blocks of 4: %d products reached the GEMM, want 3", n)
	}
}

func benchmarkScoreBlock(b *testing.B, nq, m, d int) {
	rng := testRand(2)
	q, c, dst := randF32(rng, nq*d), randF32(rng, m*d), make([]float32, nq*m)
	b.ReportAllocs()
	cpu := cpuSeconds()
	for b.Loop() {
		scoreBlock(dst, q, nq, c, m, d)
	}
	flops := 2 * float64(nq*m*d) * float64(b.N) / 1e9
	b.ReportMetric(flops/b.Elapsed().Seconds(), "GFLOP/s")
	if s := cpuSeconds() - cpu; s > 0 {
		b.ReportMetric(flops/s, "GFLOP/cpu-s")
	}
}

// BenchmarkScoreBlock scores one block of 96 queries against 2,048
// candidates, d = 768, on one goroutine: the GEMM alone.
func BenchmarkScoreBlock(b *testing.B) { benchmarkScoreBlock(b, 96, 2048, 768) }
