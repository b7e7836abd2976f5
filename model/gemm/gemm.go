package gemm

import (
	"github.com/polyret/polyret/internal/gemm"
)

// The implementation lives in internal/gemm so that loss and metrics, which
// may not import model/..., share it; everything below re-exports it
// unchanged (type aliases keep the types identical across the two import
// paths, so a Native from either is the same type).

// An Implementation computes single-precision general matrix products. Its
// Sgemm method has the semantics of the package-level Sgemm, including the
// panics, and must be safe for concurrent use.
type Implementation = gemm.Implementation

// Native is the package's own Implementation: a packed, cache-blocked GEMM
// with a SIMD micro-kernel in Go assembly chosen at run time from the CPU's
// features (AVX-512 or AVX2+FMA on amd64), or a pure-Go micro-kernel
// elsewhere and under the purego build tag; A·Bᵀ products with few rows of
// A and a long k skip packing and run a dot-product tile instead. The zero
// value is ready to use.
//
// Its exported fields are
//
//	Workers int   // largest number of goroutines one Sgemm call runs on; 0 means GOMAXPROCS
//	Pool    *Pool // if not nil, runs the strips of a parallel product on its workers
//
// Products too small to pay for a goroutine run on the calling goroutine.
// With a Pool and Workers = 0 a product uses Pool.Workers() goroutines.
// Native.Kernel() names the micro-kernel in use, for logs and benchmark
// reports.
type Native = gemm.Native

// A Pool is a set of long-lived worker goroutines for running parallel
// loops, such as the strips of a large product, with low start-up latency:
// after each task its workers poll for new work for PoolConfig.Spin before
// they block, yielding to every other goroutine and thread between polls,
// so that a product does not wait ~100 µs for a halted CPU to wake.
//
// Pool.Run(n, task) calls task(i) for every i in [0, n) on the caller and
// on idle workers and returns when all calls have returned; task must be
// safe for concurrent use and must not panic. Pool.Workers() counts the
// caller. A Pool is safe for concurrent use: Run calls that find every
// worker busy run their remaining work on the caller, so nested or
// concurrent calls never deadlock. Close stops the workers and waits for
// them to exit; Run after Close runs on the caller alone.
type Pool = gemm.Pool

// PoolConfig configures NewPool. The zero value is usable.
//
//	Workers int           // goroutines that run a loop, counting the caller of Run; 0 means GOMAXPROCS
//	Spin    time.Duration // how long an idle worker polls before it blocks; 0 means 2 ms, < 0 no polling
type PoolConfig = gemm.PoolConfig

// OpenBLAS is an Implementation that calls cblas_sgemm in a system OpenBLAS
// library loaded at run time (github.com/ebitengine/purego: no cgo, so
// CGO_ENABLED=0 builds keep working). It is an optional fast path: the
// library need not be installed, and Native is as fast on AVX-512 machines
// (BENCHMARKS.md). Create one with LoadOpenBLAS; its Path field names the
// file it was loaded from. SetThreads(n) sets the library's (process-wide)
// thread count, Threads() reports it (0 if the library does not say).
//
// Products whose dimensions or leading dimensions exceed the 32-bit
// integers of the library's interface run on Native.
type OpenBLAS = gemm.OpenBLAS

// ErrNoOpenBLAS is returned, wrapped, by LoadOpenBLAS when no usable
// library is found.
var ErrNoOpenBLAS = gemm.ErrNoOpenBLAS

// Use sets the Implementation that the package-level Sgemm calls, for
// every polyret package (model, loss, metrics). The default is Native{}.
// Use is safe for concurrent use, but calls to Sgemm that are already
// running finish with the previous Implementation. It panics if impl is
// nil.
func Use(impl Implementation) { gemm.Use(impl) }

// Current returns the Implementation that the package-level Sgemm calls.
func Current() Implementation { return gemm.Current() }

// Sgemm computes
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(A) is the m×k matrix A, or Aᵀ if transA (A is then stored k×m),
// op(B) is the k×n matrix B, or Bᵀ if transB (B is then stored n×k), and C is
// m×n. All matrices are row-major: element (i, j) of a matrix stored with
// leading dimension ld is at index i*ld+j. Sgemm modifies only the m×n
// elements of C that the product covers.
//
// As in the reference BLAS, when beta is zero C is not read (NaN or Inf in C
// do not propagate), and when alpha is zero or k is zero A and B are not read
// and C becomes beta*C.
//
// Sgemm calls the Implementation set by Use (Native{} by default).
//
// It panics if m, n or k is negative, if a leading dimension is smaller than
// max(1, number of stored columns), or if a slice is shorter than
// (rows-1)*ld + columns of the stored matrix (no length is required of a
// matrix with no elements).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// CheckSgemm panics, with the messages documented on Sgemm, if the arguments
// of an Sgemm call are inconsistent. Implementations outside this package
// call it first to share the package's panics.
func CheckSgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	gemm.CheckSgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
}

// NewPool starts the worker goroutines of a Pool. Call Close to stop them.
// It panics if cfg.Workers is negative.
func NewPool(cfg PoolConfig) *Pool { return gemm.NewPool(cfg) }

// LoadOpenBLAS loads OpenBLAS from path, or, if path is empty, from the
// first of the usual library names and Debian/Homebrew locations that
// loads. The error wraps ErrNoOpenBLAS when nothing usable is found, and
// names every path tried. Loading twice is harmless: the dynamic linker
// returns the library already loaded.
//
// Under the purego build tag, and on platforms purego cannot serve,
// LoadOpenBLAS always fails.
func LoadOpenBLAS(path string) (*OpenBLAS, error) { return gemm.LoadOpenBLAS(path) }
