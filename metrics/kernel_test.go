package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
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

func TestScoreBlock(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	kernels := []bool{false}
	if haveAVX2 {
		kernels = append(kernels, true)
	}
	defer func(old bool) { useAsm = old }(useAsm)
	for _, asm := range kernels {
		useAsm = asm
		for _, d := range []int{1, 3, 8, 9, 16, 31, 768, 770} {
			for _, nq := range []int{1, 2, 3, 4, 7} {
				for _, m := range []int{1, 3, 4, 5, 9, 13, 200} {
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
								t.Fatalf("asm=%v d=%d nq=%d m=%d: score(%d,%d) = %v, want %v", asm, d, nq, m, i, j, got, want)
							}
							if got := float64(dstg[i*m+j]); got != wantg {
								t.Fatalf("asm=%v d=%d: grid score(%d,%d) = %v, want exactly %v", asm, d, i, j, got, wantg)
							}
						}
					}
				}
			}
		}
	}
}

func benchmarkScoreBlock(b *testing.B, asm bool, nq, m, d int) {
	if asm && !haveAVX2 {
		b.Skip("no AVX2")
	}
	defer func(old bool) { useAsm = old }(useAsm)
	useAsm = asm
	rng := rand.New(rand.NewPCG(1, 2))
	q, c, dst := randF32(rng, nq*d), randF32(rng, m*d), make([]float32, nq*m)
	b.ReportAllocs()
	for b.Loop() {
		scoreBlock(dst, q, nq, c, m, d)
	}
	b.ReportMetric(2*float64(nq*m*d)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkScoreBlockAsm(b *testing.B) { benchmarkScoreBlock(b, true, 96, 2048, 768) }
func BenchmarkScoreBlockGo(b *testing.B)  { benchmarkScoreBlock(b, false, 96, 2048, 768) }
