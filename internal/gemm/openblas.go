package gemm

import (
	"errors"
	"math"
)

// OpenBLAS is an Implementation that calls cblas_sgemm in a system OpenBLAS
// library loaded at run time (github.com/ebitengine/purego: no cgo, so
// CGO_ENABLED=0 builds keep working). It is an optional fast path: the
// library need not be installed, and Native is as fast on AVX-512 machines
// (BENCHMARKS.md). Create one with LoadOpenBLAS.
//
// Products whose dimensions or leading dimensions exceed the 32-bit
// integers of the library's interface run on Native.
type OpenBLAS struct {
	// Path is the file the library was loaded from.
	Path string

	sgemm      func(order, transA, transB, m, n, k int32, alpha float32, a *float32, lda int32, b *float32, ldb int32, beta float32, c *float32, ldc int32)
	setThreads func(n int32)
	getThreads func() int32
}

var _ Implementation = (*OpenBLAS)(nil)

// ErrNoOpenBLAS is returned, wrapped, by LoadOpenBLAS when no usable
// library is found.
var ErrNoOpenBLAS = errors.New("gemm: OpenBLAS not available")

// openBLASPaths are the names LoadOpenBLAS tries, in order: the dynamic
// linker's search first, then Debian's multiarch directories.
var openBLASPaths = []string{
	"libopenblas.so.0",
	"libopenblas.so",
	"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
	"/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
	"/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
	"libopenblas.dylib",
	"/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
	"/usr/local/opt/openblas/lib/libopenblas.dylib",
}

// CBLAS enumerations.
const (
	cblasRowMajor = 101
	cblasNoTrans  = 111
	cblasTrans    = 112
)

// Sgemm implements Implementation; see the package-level Sgemm.
func (o *OpenBLAS) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// Past this check A and B hold elements, so &a[0] and &b[0] exist.
	if !needsProduct(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	if max(m, n, k, lda, ldb, ldc) > math.MaxInt32 {
		Native{}.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	ta, tb := int32(cblasNoTrans), int32(cblasNoTrans)
	if transA {
		ta = cblasTrans
	}
	if transB {
		tb = cblasTrans
	}
	o.sgemm(cblasRowMajor, ta, tb, int32(m), int32(n), int32(k), alpha, &a[0], int32(lda), &b[0], int32(ldb), beta, &c[0], int32(ldc))
}

// SetThreads sets the number of threads OpenBLAS uses for each call, for
// the whole process (the library keeps it globally). n ≤ 0 is ignored.
func (o *OpenBLAS) SetThreads(n int) {
	if n > 0 && o.setThreads != nil {
		o.setThreads(int32(min(n, math.MaxInt32)))
	}
}

// Threads returns the number of threads OpenBLAS uses for each call, or 0
// if the library does not say.
func (o *OpenBLAS) Threads() int {
	if o.getThreads == nil {
		return 0
	}
	return int(o.getThreads())
}
