// Package gemm computes single-precision general matrix products,
//
//	C = alpha * op(A) * op(B) + beta * C,
//
// the hot operation of polyret's encoders, in pure Go with SIMD micro-kernels
// in Go assembly.
//
// # Conventions
//
// Matrices are row-major float32 slices with an explicit leading dimension:
// element (i, j) of a matrix with leading dimension ld is at index i*ld+j.
// op(X) is X, or Xᵀ when the corresponding trans flag is set; a transposed
// operand is stored transposed (A stored k×m, B stored n×k). This is the
// C BLAS sgemm in CblasRowMajor order, and the argument order matches it.
// BLAS rules hold for the scalars: with beta = 0, C is only written (NaN in C
// does not propagate); with alpha = 0 or k = 0, A and B are not read.
//
// # Implementations
//
// Sgemm delegates to the Implementation set by Use, as gonum's blas32 does.
// The default, Native{}, packs panels of A and B, blocks them for the caches
// and runs a register-tiled micro-kernel chosen at run time from the CPU's
// features: an 8×32 AVX-512F tile, else a 6×16 AVX2+FMA tile on amd64, and a
// pure-Go 4×4 kernel elsewhere or when built with the purego tag. Every
// kernel passes the same tests. Native{}.Kernel() names the one in use.
//
// Products C = A·Bᵀ (transA false, transB true) with k ≥ 512 skip packing
// when B has fewer than 256 rows, or A at most 128 rows and B at least 2048:
// a tile of 4×4 (AVX-512), 3×4 (AVX2) or 3×4 (pure Go) dot products then
// reads A and B in place, which is 10–25 % faster at those shapes (those of
// InfoNCE's similarities and of exact search), where copying B is not
// amortised and a ragged last panel of B wastes packed work.
//
// # One implementation for all of polyret
//
// The code lives in polyret's internal/gemm, which this package re-exports
// unchanged (its types are aliases), so that loss and metrics, which may
// not import model/..., share it: InfoNCE's products and exact search call
// the same Sgemm, and Use swaps the Implementation of model, loss and
// metrics at once. The benchmarks of the kernels and shapes are in
// internal/gemm (go test ./internal/gemm -bench Sgemm).
//
// # Panics
//
// Sgemm and every Implementation of this package panic, with a message
// starting "gemm: ", if a dimension is negative, a leading dimension is
// smaller than max(1, stored columns), or a slice is too short for the
// matrix it holds. CheckSgemm performs these checks for other
// implementations.
//
// # Accuracy
//
// Native sums in float32 with fused multiply-adds on SIMD kernels, in an order
// that depends on the kernel, the path (packed or dot) and the blocking, but
// not on the number of workers: results are bit-for-bit reproducible on one
// machine whatever the parallelism, but differ in the last bits between
// kernels. Each element is within 2·(k+2)·2⁻²⁴·(|alpha|·Σ|a·b| + |beta·c|)
// of the exact result; the tests check this bound against a float64
// reference. alpha scales each k-block's partial product.
//
// # Concurrency
//
// Sgemm and all Implementations are safe for concurrent use on disjoint C.
// Native splits large products into strips of C computed on up to Workers
// goroutines (0 means GOMAXPROCS) and joins them all before returning;
// a caller that already runs one product per core should use
// Native{Workers: 1}. Packing buffers, sized for the product, are kept
// between calls (up to max(4, GOMAXPROCS) per kernel, across garbage
// collections), so steady-state calls do not allocate.
//
// On a virtual machine a new goroutine can wait ~100 µs for an idle CPU to
// wake, longer than a 512×64×64 product takes on one core, so by default
// Native splits only products of ≥ 2²⁶ flops. A Pool
// keeps worker goroutines polling between calls, as OpenMP runtimes do:
// with Native{Pool: p}, products from 2²¹ flops split and start at once.
// Training loops should create one Pool, use it for every product (and
// their own parallel loops, through Pool.Run), and Close it at the end.
package gemm
