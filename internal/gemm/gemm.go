package gemm

import "sync/atomic"

// An Implementation computes single-precision general matrix products. Its
// Sgemm method has the semantics of the package-level Sgemm, including the
// panics, and must be safe for concurrent use.
type Implementation interface {
	Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
}

// current holds the Implementation used by Sgemm; a box, because
// atomic.Pointer needs a concrete type.
var current atomic.Pointer[implBox]

type implBox struct{ impl Implementation }

func init() { current.Store(&implBox{Native{}}) }

// Use sets the Implementation that the package-level Sgemm calls. The
// default is Native{}. Use is safe for concurrent use, but calls to Sgemm
// that are already running finish with the previous Implementation.
// It panics if impl is nil.
func Use(impl Implementation) {
	if impl == nil {
		panic(errNilImpl)
	}
	current.Store(&implBox{impl})
}

// Current returns the Implementation that the package-level Sgemm calls.
func Current() Implementation { return current.Load().impl }

// Limit returns impl bounded to at most workers goroutines per product:
// a copy of a Native whose Workers is 0 (all) or larger, with Workers set
// to workers; any other Implementation (Native with fewer workers, OpenBLAS,
// which has its own process-wide thread count) unchanged. Limit(impl, 1)
// is the serial product for callers that run one product per goroutine.
// It panics if workers < 1.
func Limit(impl Implementation, workers int) Implementation {
	if workers < 1 {
		panic(errLimitWorkers)
	}
	if n, ok := impl.(Native); ok && (n.Workers == 0 || n.Workers > workers) {
		n.Workers = workers
		return n
	}
	return impl
}

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
	current.Load().impl.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Panic messages.
const (
	errNilImpl      = "gemm: nil Implementation"
	errLimitWorkers = "gemm: Limit to fewer than 1 worker"
	errNegDim       = "gemm: negative dimension"
	errBadLdA       = "gemm: lda < max(1, columns of stored A)"
	errBadLdB       = "gemm: ldb < max(1, columns of stored B)"
	errBadLdC       = "gemm: ldc < max(1, n)"
	errShortA       = "gemm: len(a) < (rows-1)*lda + columns of stored A"
	errShortB       = "gemm: len(b) < (rows-1)*ldb + columns of stored B"
	errShortC       = "gemm: len(c) < (m-1)*ldc + n"
)

// CheckSgemm panics, with the messages documented on Sgemm, if the arguments
// of an Sgemm call are inconsistent. Implementations outside this package
// call it first to share the package's panics.
func CheckSgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(errNegDim)
	}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	if lda < max(1, colsA) {
		panic(errBadLdA)
	}
	if ldb < max(1, colsB) {
		panic(errBadLdB)
	}
	if ldc < max(1, n) {
		panic(errBadLdC)
	}
	if len(a) < storedLen(rowsA, colsA, lda) {
		panic(errShortA)
	}
	if len(b) < storedLen(rowsB, colsB, ldb) {
		panic(errShortB)
	}
	if len(c) < storedLen(m, n, ldc) {
		panic(errShortC)
	}
}

// needsProduct checks the arguments of an Sgemm call (CheckSgemm) and
// completes the calls that need no product: empty C, or alpha = 0 or
// k = 0, where C becomes beta*C without reading A and B. It reports
// whether the product remains to be computed, with m, n, k > 0.
func needsProduct(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) bool {
	CheckSgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return false
	}
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return false
	}
	return true
}

// storedLen returns the number of elements a rows×cols row-major matrix with
// leading dimension ld spans.
func storedLen(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// scaleC sets the m×n matrix C to beta*C, writing zeros without reading C
// when beta is zero.
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
