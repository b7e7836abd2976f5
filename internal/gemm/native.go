package gemm

import (
	"runtime"
	"sync"
)

// Native is the package's own Implementation: a packed, cache-blocked GEMM
// with a SIMD micro-kernel in Go assembly chosen at run time from the CPU's
// features (AVX-512 or AVX2+FMA on amd64), or a pure-Go micro-kernel
// elsewhere and under the purego build tag. The zero value is ready to use.
type Native struct {
	// Workers is the largest number of goroutines one Sgemm call runs on;
	// 0 means runtime.GOMAXPROCS(0) at the time of the call. Products too
	// small to pay for a goroutine run on the calling goroutine.
	Workers int

	// Pool, if not nil, runs the strips of a parallel product on its
	// long-lived workers instead of new goroutines, which avoids a CPU
	// wake-up per call (see Pool); with Workers = 0 the product then uses
	// Pool.Workers() goroutines.
	Pool *Pool

	// kern overrides the micro-kernel (tests and benchmarks); nil means
	// the fastest one the CPU supports.
	kern *kernel
	// minFlops overrides the work per worker below which products are not
	// split (tests force small products to split).
	minFlops int
}

var _ Implementation = Native{}

// Portable returns a Native that runs the pure-Go kernels whatever the
// CPU, as builds for other architectures and with the purego tag do: for
// tests that code built on Sgemm passes on every platform.
func Portable() Native { return Native{kern: genericKernel} }

// Kernel names the micro-kernel that n uses, for logs and benchmark reports.
func (impl Native) Kernel() string { return impl.kernel().name }

func (impl Native) kernel() *kernel {
	if impl.kern != nil {
		return impl.kern
	}
	return bestKernel
}

// Products are split across goroutines only while each gets at least this
// much work, in floating-point operations. A new goroutine may wait ~100 µs
// for a halted CPU to wake (see Pool), the time of ~10⁷ flops, so without a
// Pool a split needs ≥ 2²⁵ flops per worker to pay (measured: 2×2²⁴ flops
// ran no faster on 2 workers, 2×2²⁵ 1.5× faster). A Pool's spinning
// workers start within a microsecond or so, so 2²⁰ (about 10 µs) suffices.
const (
	minFlopsPerWorker     = 1 << 25
	minFlopsPerPoolWorker = 1 << 20
)

// Sgemm implements Implementation; see the package-level Sgemm.
func (impl Native) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if !needsProduct(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	kern := impl.kernel()
	workers := impl.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
		if impl.Pool != nil {
			workers = impl.Pool.Workers()
		}
	}
	minFlops := minFlopsPerWorker
	if impl.Pool != nil {
		minFlops = minFlopsPerPoolWorker
	}
	if impl.minFlops > 0 {
		minFlops = impl.minFlops
	}
	workers = min(workers, max(1, 2*m*n*k/minFlops))
	// Split C into row or column strips, whole micro-tiles each, along the
	// longer side. Each worker packs its own copy of the other operand's
	// panels: that costs O(k·n) or O(m·k) per worker against O(m·n·k/w)
	// of arithmetic, and needs no synchronisation inside the product.
	// The dot path's strips hold whole dot tiles (its results do not
	// depend on the split in any case: see dotKernel.run).
	dot := useDot(transA, transB, m, n, k)
	splitM := m >= n
	size, unit := n, kern.nr
	if dot {
		unit = 4
	}
	if splitM {
		size, unit = m, kern.mr
		if dot {
			unit = kern.dot.rows
		}
	}
	tiles := (size + unit - 1) / unit
	workers = min(workers, tiles)
	if workers <= 1 {
		kern.product(dot, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	strip := func(w int) {
		lo := min(tiles*w/workers*unit, size)
		hi := min(tiles*(w+1)/workers*unit, size)
		if hi <= lo {
			return
		}
		if splitM {
			aOff := lo * lda
			if transA {
				aOff = lo
			}
			kern.product(dot, transA, transB, hi-lo, n, k, alpha, a[aOff:], lda, b, ldb, beta, c[lo*ldc:], ldc)
			return
		}
		bOff := lo
		if transB {
			bOff = lo * ldb
		}
		kern.product(dot, transA, transB, m, hi-lo, k, alpha, a, lda, b[bOff:], ldb, beta, c[lo:], ldc)
	}
	if impl.Pool != nil {
		impl.Pool.Run(workers, strip)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() { strip(w) })
	}
	strip(0)
	wg.Wait()
}

// A kernel is a micro-kernel with the blocking that suits it.
type kernel struct {
	name string
	// mr×nr is the tile of C that one call of compute produces.
	mr, nr int
	// mc×kc is the block of A packed at a time (kept in L2), kc×nc the
	// block of B (kept in L3); mc is a multiple of mr, nc of nr.
	mc, kc, nc int
	// compute sets (overwrite) or adds to the mr×nr tile of c with leading
	// dimension ldc alpha times the product of the packed panels a (k
	// steps of mr values) and b (k steps of nr values). It reads exactly
	// mr*k values of a, nr*k of b; c must hold the whole tile.
	compute func(k int, a, b, c []float32, ldc int, alpha float32, overwrite bool)
	// supported reports whether the CPU can run compute.
	supported bool
	// dot is the dot-product tile for the products useDot selects: the
	// one of the same instruction set, so that tests of a kernel cover
	// both paths.
	dot *dotKernel

	// spare holds idle workspaces. Not a sync.Pool: that empties at every
	// other garbage collection, and a caller that allocates heavily between
	// products (InfoNCE: 3 MB per call) then re-allocated its workspaces
	// every few calls.
	mu    sync.Mutex
	spare []*workspace
}

// A workspace holds one goroutine's packing buffers.
type workspace struct {
	a, b, tile []float32
}

// workspace returns packing buffers for an m×n×k product, sized for its
// blocks rather than the largest ones (a full B block is 3 MB).
func (kern *kernel) workspace(m, n, k int) *workspace {
	var ws *workspace
	kern.mu.Lock()
	if n := len(kern.spare); n > 0 {
		ws = kern.spare[n-1]
		kern.spare = kern.spare[:n-1]
	}
	kern.mu.Unlock()
	if ws == nil {
		ws = &workspace{tile: make([]float32, kern.mr*kern.nr)}
	}
	kb := min(kern.kc, k)
	if need := min(kern.mc, roundUp(m, kern.mr)) * kb; len(ws.a) < need {
		ws.a = make([]float32, need)
	}
	if need := kb * min(kern.nc, roundUp(n, kern.nr)); len(ws.b) < need {
		ws.b = make([]float32, need)
	}
	return ws
}

// maxSpare bounds the idle workspaces a kernel keeps: one per goroutine
// of a parallel product on most machines.
var maxSpare = max(4, runtime.GOMAXPROCS(0))

// release returns ws to the spares, or drops it if there are enough.
func (kern *kernel) release(ws *workspace) {
	kern.mu.Lock()
	if len(kern.spare) < maxSpare {
		kern.spare = append(kern.spare, ws)
	}
	kern.mu.Unlock()
}

// roundUp returns n rounded up to a multiple of unit.
func roundUp(n, unit int) int { return (n + unit - 1) / unit * unit }

// product computes C = alpha*op(A)*op(B) + beta*C on the calling goroutine,
// on the dot path if dot (see useDot), else packed; arguments as for run.
func (kern *kernel) product(dot, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if dot {
		t := dotScratch.Get().(*[16]float32)
		kern.dot.run(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, t[:])
		dotScratch.Put(t)
		return
	}
	kern.run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// run computes C = alpha*op(A)*op(B) + beta*C on the calling goroutine, for
// checked arguments with m, n, k > 0 and alpha ≠ 0.
func (kern *kernel) run(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ws := kern.workspace(m, n, k)
	defer kern.release(ws)
	// Scaling C once up front lets every k-block accumulate; beta = 0
	// instead makes the first k-block overwrite, so C is never read.
	if beta != 0 {
		scaleC(m, n, beta, c, ldc)
	}
	mr, nr := kern.mr, kern.nr
	for jc := 0; jc < n; jc += kern.nc {
		nb := min(kern.nc, n-jc)
		for pc := 0; pc < k; pc += kern.kc {
			kb := min(kern.kc, k-pc)
			overwrite := beta == 0 && pc == 0
			packB(ws.b, transB, b, ldb, pc, kb, jc, nb, nr)
			for ic := 0; ic < m; ic += kern.mc {
				mb := min(kern.mc, m-ic)
				packA(ws.a, transA, a, lda, ic, mb, pc, kb, mr)
				for jr := 0; jr < nb; jr += nr {
					bp := ws.b[jr*kb : (jr+nr)*kb]
					cols := min(nr, nb-jr)
					for ir := 0; ir < mb; ir += mr {
						ap := ws.a[ir*kb : (ir+mr)*kb]
						rows := min(mr, mb-ir)
						off := (ic+ir)*ldc + jc + jr
						if rows == mr && cols == nr {
							kern.compute(kb, ap, bp, c[off:], ldc, alpha, overwrite)
							continue
						}
						kern.compute(kb, ap, bp, ws.tile, nr, alpha, true)
						mergeTile(c[off:], ldc, ws.tile, nr, rows, cols, overwrite)
					}
				}
			}
		}
	}
}

// mergeTile stores (overwrite) or adds the rows×cols top-left corner of tile
// to c.
func mergeTile(c []float32, ldc int, tile []float32, ldt, rows, cols int, overwrite bool) {
	for i := range rows {
		dst := c[i*ldc : i*ldc+cols]
		src := tile[i*ldt : i*ldt+cols]
		if overwrite {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] += v
		}
	}
}
