package loss

import (
	"sync"

	"github.com/nlpodyssey/spago/mat/float"

	"github.com/polyret/polyret/internal/gemm"
)

// matmul sets C = op(A)·op(B), overwriting C, where op(A) is the m×k
// matrix A, or Aᵀ if transA (A stored k×m), op(B) the k×n matrix B, or Bᵀ if
// transB (B stored n×k), all row-major with leading dimensions lda, ldb and
// ldc, on up to workers goroutines. InfoNCE needs A·Bᵀ (similarities), A·B
// and Aᵀ·B (gradients); the portable loops do not provide Aᵀ·Bᵀ.
//
// float32 products run on polyret's shared GEMM (internal/gemm, documented
// as model/gemm: the Implementation set by model/gemm.Use); float64 ones, used by the gradient checks, on the portable
// loops below, which accumulate in float64. One exception: float32
// similarities (A·Bᵀ) of tiny problems, at most exactSimMACs multiply-adds
// (a few microseconds), take the float64 loops too. A similarity's
// rounding error is multiplied by 1/τ (20 to 100) in the logits; at batch
// scale the GEMM sums in SIMD lanes (its dot path: 16 partial sums per
// similarity), but tiny products it sums sequentially, whose error alone
// broke the 1e-5 float32 tolerance of the PyTorch goldens (1.07e-5 with
// d = 32, against 6.4e-6 with lane-wise sums).
func matmul[T float.DType](workers int, transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	checkProduct(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	tinySim := transB && k > 0 && m*n <= exactSimMACs/k
	var kernel func(m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int)
	rowStep := lda // offset in a of the next row of op(A)
	switch _, f32 := any(a).([]float32); {
	case f32 && !tinySim:
		impl := gemm.Limit(gemm.Current(), 1)
		kernel = func(m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
			impl.Sgemm(transA, transB, m, n, k, 1, any(a).([]float32), lda, any(b).([]float32), ldb, 0, any(c).([]float32), ldc)
		}
		if transA {
			rowStep = 1
		}
	case transA && transB:
		panic("loss: no portable Aᵀ·Bᵀ product")
	case transA:
		at := make([]T, m*k)
		transposeTo(at, k, a, lda, k, m)
		a, lda, rowStep = at, k, k
		kernel = mulNNGo[T]
	case transB:
		kernel = dotNTGo[T]
	default:
		kernel = mulNNGo[T]
	}
	if !parallel(workers, m, n, k) {
		kernel(m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	// Blocks of rows of C on goroutines of their own, each product on one
	// goroutine: the shared GEMM splits only products large enough to pay
	// for waking an idle CPU without a gemm.Pool (2²⁵ flops per worker),
	// and InfoNCE's are a little smaller (3·10⁷ flops at B = 100, d = 768),
	// yet gained 12 % with 2 workers on an otherwise idle machine.
	splitRows(workers, m, func(i0, rows int) {
		kernel(rows, n, k, a[i0*rowStep:], lda, b, ldb, c[i0*ldc:], ldc)
	})
}

// exactSimMACs bounds the float32 similarity products that accumulate in
// float64 (see matmul).
const exactSimMACs = 1 << 15

// minParallelFlops is the work below which a float64 product stays on one
// goroutine: starting a goroutine (~1µs) outweighs smaller products.
const minParallelFlops = 1 << 18

// parallel reports whether an m×n×k float64 product is worth splitting
// among workers goroutines.
func parallel(workers, m, n, k int) bool {
	return workers > 1 && m >= 2 && 2*m*n*k >= minParallelFlops
}

// splitRows calls f(i0, rows) over blocks of m rows on up to workers
// goroutines, and returns when all calls have.
func splitRows(workers, m int, f func(i0, rows int)) {
	rows := (m + workers - 1) / workers
	var wg sync.WaitGroup
	for i0 := 0; i0 < m; i0 += rows {
		wg.Go(func() { f(i0, min(rows, m-i0)) })
	}
	wg.Wait()
}

// dotNTGo is the portable A·Bᵀ: one row of A against four rows of B at a
// time, so each a value is loaded once per four products, accumulated in
// float64.
func dotNTGo[T float.DType](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	for i := range m {
		ai := a[i*lda : i*lda+k]
		ci := c[i*ldc : i*ldc+n]
		j := 0
		for ; j+4 <= n; j += 4 {
			b0 := b[j*ldb : j*ldb+k]
			b1 := b[(j+1)*ldb : (j+1)*ldb+k]
			b2 := b[(j+2)*ldb : (j+2)*ldb+k]
			b3 := b[(j+3)*ldb : (j+3)*ldb+k]
			var s0, s1, s2, s3 float64
			for l, v := range ai {
				x := float64(v)
				s0 += x * float64(b0[l])
				s1 += x * float64(b1[l])
				s2 += x * float64(b2[l])
				s3 += x * float64(b3[l])
			}
			ci[j], ci[j+1], ci[j+2], ci[j+3] = T(s0), T(s1), T(s2), T(s3)
		}
		for ; j < n; j++ {
			ci[j] = T(dot64(ai, b[j*ldb:j*ldb+k]))
		}
	}
}

// mulNNGo is the portable A·B: each row of C accumulates scaled rows of B
// (axpy form, contiguous inner loop) in float64.
func mulNNGo[T float.DType](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	acc := make([]float64, n)
	for i := range m {
		clear(acc)
		for l, v := range a[i*lda : i*lda+k] {
			x := float64(v)
			for j, bv := range b[l*ldb : l*ldb+n] {
				acc[j] += x * float64(bv)
			}
		}
		for j, s := range acc {
			c[i*ldc+j] = T(s)
		}
	}
}

// checkProduct panics unless the slices of a matmul call hold the matrices
// they describe.
func checkProduct(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	if m < 0 || n < 0 || k < 0 || lda < colsA || ldb < colsB || ldc < n {
		panic("loss: bad matrix product dimensions")
	}
	short := func(rows, cols, l, ld int) bool { return rows > 0 && cols > 0 && l < (rows-1)*ld+cols }
	if short(rowsA, colsA, la, lda) || short(rowsB, colsB, lb, ldb) || short(m, n, lc, ldc) {
		panic("loss: matrix product slice too short")
	}
}

// transposeTo sets dst (cols×rows, row stride ldd) to the transpose of src
// (rows×cols, row stride lds), in cache-sized blocks.
func transposeTo[T float.DType](dst []T, ldd int, src []T, lds, rows, cols int) {
	const blk = 32
	for i0 := 0; i0 < rows; i0 += blk {
		i1 := min(i0+blk, rows)
		for j0 := 0; j0 < cols; j0 += blk {
			j1 := min(j0+blk, cols)
			for i := i0; i < i1; i++ {
				s := src[i*lds : i*lds+j1]
				for j := j0; j < j1; j++ {
					dst[j*ldd+i] = s[j]
				}
			}
		}
	}
}
