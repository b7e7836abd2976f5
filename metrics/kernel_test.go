package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
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
	rng := testRand(2)
	defer func(old kernel) { active = old }(active)
	var names []string
	for _, k := range kernels {
		names = append(names, k.name)
	}
	t.Logf("kernels on this machine: %v (active %s)", names, active.name)
	for _, k := range kernels {
		active = k
		asm := k.name
		for _, d := range []int{1, 3, 8, 9, 15, 16, 17, 31, 768, 770} {
			for _, nq := range []int{1, 2, 3, 4, 5, 7, 8, 9} {
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
								t.Fatalf("kernel %s d=%d nq=%d m=%d: score(%d,%d) = %v, want %v", asm, d, nq, m, i, j, got, want)
							}
							if got := float64(dstg[i*m+j]); got != wantg {
								t.Fatalf("kernel %s d=%d: grid score(%d,%d) = %v, want exactly %v", asm, d, i, j, got, wantg)
							}
						}
					}
				}
			}
		}
	}
}

func benchmarkScoreBlock(b *testing.B, name string, nq, m, d int) {
	i := slices.IndexFunc(kernels, func(k kernel) bool { return k.name == name })
	if i < 0 {
		b.Skip("no " + name + " kernel on this machine")
	}
	defer func(old kernel) { active = old }(active)
	active = kernels[i]
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
// candidates, d = 768, on one goroutine: the kernel alone.
func BenchmarkScoreBlockAVX512(b *testing.B) { benchmarkScoreBlock(b, "avx512", 96, 2048, 768) }
func BenchmarkScoreBlockAVX2(b *testing.B)   { benchmarkScoreBlock(b, "avx2", 96, 2048, 768) }
func BenchmarkScoreBlockGo(b *testing.B)     { benchmarkScoreBlock(b, "go", 96, 2048, 768) }
