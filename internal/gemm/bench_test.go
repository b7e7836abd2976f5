package gemm

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

var (
	benchKernel   = flag.String("gemm.kernel", "", "micro-kernel the benchmarks use (empty: the best the CPU supports; openblas: the OpenBLAS library)")
	benchOpenBLAS = flag.String("gemm.openblas", "", "OpenBLAS library file for -gemm.kernel=openblas (empty: the usual locations)")
)

// benchImpl returns the Implementation the benchmarks measure with the
// given number of workers.
func benchImpl(b *testing.B, workers int) Implementation {
	if *benchKernel == "openblas" {
		o, err := LoadOpenBLAS(*benchOpenBLAS)
		if err != nil {
			b.Skip(err)
		}
		o.SetThreads(workers)
		return o
	}
	if *benchKernel == "" {
		return Native{Workers: workers, kern: kernelFor(b, bestKernel)}
	}
	for _, k := range kernels {
		if k.name == *benchKernel {
			if !k.supported {
				b.Skipf("kernel %s not supported on this CPU", k.name)
			}
			return Native{Workers: workers, kern: kernelFor(b, k)}
		}
	}
	b.Fatalf("unknown kernel %q; have %v", *benchKernel, kernelNames())
	return nil
}

// benchmarkSgemm measures C = op(A)·op(B) + C for m×k by k×n operands, at
// 1 and 2 workers, and reports GFLOP/s in all and per worker.
func benchmarkSgemm(b *testing.B, transA, transB bool, m, n, k int) {
	rnd := rand.New(rand.NewPCG(1, 2))
	ra, ca := stored(transA, m, k)
	rb, cb := stored(transB, k, n)
	a := randMatrix(rnd, ra, ca, ca)
	bm := randMatrix(rnd, rb, cb, cb)
	c := randMatrix(rnd, m, n, n)
	for _, workers := range []int{1, 2, -2} {
		name := fmt.Sprintf("w=%d", workers)
		if workers < 0 {
			workers = -workers
			name = fmt.Sprintf("w=%d-pool", workers)
		}
		b.Run(name, func(b *testing.B) {
			impl := benchImpl(b, workers)
			if native, ok := impl.(Native); ok && strings.HasSuffix(name, "pool") {
				pool := NewPool(PoolConfig{Workers: workers})
				defer pool.Close()
				native.Pool = pool
				impl = native
			}
			// Untimed warm-up of the packing buffers (and OpenBLAS).
			impl.Sgemm(transA, transB, m, n, k, 1, a, ca, bm, cb, 1, c, n)
			b.ReportAllocs()
			for b.Loop() {
				impl.Sgemm(transA, transB, m, n, k, 1, a, ca, bm, cb, 1, c, n)
			}
			gflops := 2 * float64(m) * float64(n) * float64(k) * float64(b.N) / b.Elapsed().Seconds() / 1e9
			b.ReportMetric(gflops, "GFLOP/s")
			b.ReportMetric(gflops/float64(workers), "GFLOP/s/core")
		})
	}
}

// benchmarkLinear measures the three products of a linear layer with
// weight W stored out×in (out = n, in = k) over m rows: the forward
// Y = X·Wᵀ (NT), the input gradient dX = dY·W (NN) and the weight gradient
// dW = dYᵀ·X (TN).
func benchmarkLinear(b *testing.B, m, n, k int) {
	b.Run("fwd-NT", func(b *testing.B) { benchmarkSgemm(b, false, true, m, n, k) })
	b.Run("dX-NN", func(b *testing.B) { benchmarkSgemm(b, false, false, m, k, n) })
	b.Run("dW-TN", func(b *testing.B) { benchmarkSgemm(b, true, false, n, k, m) })
}

// Encoder shapes: batch 16 × sequence length rows, hidden size H, FFN 4H.
func BenchmarkSgemmTiny(b *testing.B)      { benchmarkLinear(b, 512, 64, 64) }
func BenchmarkSgemmSmall(b *testing.B)     { benchmarkLinear(b, 1024, 384, 384) }
func BenchmarkSgemmSmallUp(b *testing.B)   { benchmarkLinear(b, 1024, 1536, 384) }
func BenchmarkSgemmSmallDown(b *testing.B) { benchmarkLinear(b, 1024, 384, 1536) }
func BenchmarkSgemmBase(b *testing.B)      { benchmarkLinear(b, 2048, 768, 768) }
func BenchmarkSgemmBaseUp(b *testing.B)    { benchmarkLinear(b, 2048, 3072, 768) }
func BenchmarkSgemmBaseDown(b *testing.B)  { benchmarkLinear(b, 2048, 768, 3072) }

// benchmarkAttention measures one head's products for sequence length l
// and head size dh: scores S = Q·Kᵀ (NT), context C = P·V (NN), and the
// backward dV = Pᵀ·dC (TN) and dP = dC·Vᵀ (NT).
func benchmarkAttention(b *testing.B, l, dh int) {
	b.Run("QKt-NT", func(b *testing.B) { benchmarkSgemm(b, false, true, l, l, dh) })
	b.Run("PV-NN", func(b *testing.B) { benchmarkSgemm(b, false, false, l, dh, l) })
	b.Run("dV-TN", func(b *testing.B) { benchmarkSgemm(b, true, false, l, dh, l) })
	b.Run("dP-NT", func(b *testing.B) { benchmarkSgemm(b, false, true, l, l, dh) })
}

// The products of polyret's other packages: InfoNCE's similarities and
// gradients (loss: B = 100 queries, 200 candidates, d = 768; the forward
// product runs on the dot path) and one block of exact search (metrics: 96
// queries against XQuAD-R's 13,014 candidates, d = 768; dot path).
func BenchmarkSgemmInfoNCE(b *testing.B) {
	b.Run("sim-NT", func(b *testing.B) { benchmarkSgemm(b, false, true, 100, 200, 768) })
	b.Run("dQ-NN", func(b *testing.B) { benchmarkSgemm(b, false, false, 100, 768, 200) })
	b.Run("dC-TN", func(b *testing.B) { benchmarkSgemm(b, true, false, 200, 768, 100) })
}

func BenchmarkSgemmSearch(b *testing.B) { benchmarkSgemm(b, false, true, 96, 13014, 768) }

func BenchmarkSgemmAttentionSmall(b *testing.B) { benchmarkAttention(b, 64, 32) }
func BenchmarkSgemmAttentionBase(b *testing.B)  { benchmarkAttention(b, 128, 64) }

var benchBlocking = flag.String("gemm.blocking", "", "mc,kc,nc blocking overriding the kernel's in benchmarks")

func init() {
	// Applied lazily in benchImpl through kernelFor.
}

// kernelFor returns kern, or a copy with the blocking of -gemm.blocking.
func kernelFor(b *testing.B, kern *kernel) *kernel {
	if *benchBlocking == "" {
		return kern
	}
	var mc, kc, nc int
	if _, err := fmt.Sscanf(*benchBlocking, "%d,%d,%d", &mc, &kc, &nc); err != nil {
		b.Fatalf("-gemm.blocking=%q: %v", *benchBlocking, err)
	}
	return &kernel{name: kern.name, mr: kern.mr, nr: kern.nr, mc: mc, kc: kc, nc: nc, compute: kern.compute, supported: kern.supported, dot: kern.dot}
}

// BenchmarkMicroKernel measures each micro-kernel alone on panels that stay
// in L1: the ceiling the blocked product can approach.
func BenchmarkMicroKernel(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, kern := range kernels {
		if !kern.supported {
			continue
		}
		b.Run(kern.name, func(b *testing.B) {
			k := 128
			a := randMatrix(rnd, 1, kern.mr*k, kern.mr*k)
			bp := randMatrix(rnd, 1, kern.nr*k, kern.nr*k)
			c := make([]float32, kern.mr*kern.nr)
			for b.Loop() {
				kern.compute(k, a, bp, c, kern.nr, 1, false)
			}
			b.ReportMetric(2*float64(kern.mr*kern.nr*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
