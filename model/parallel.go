package model

import (
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/polyret/polyret/model/gemm"
)

// float is the element type of the kernels: float32 in the encoders,
// float64 in the finite-difference tests of the same code.
type float interface{ ~float32 | ~float64 }

// matmul computes C = alpha·op(A)·op(B) + beta·C in row-major order (the
// arguments of gemm.Sgemm). float32 goes to gemm.Sgemm, which splits large
// products across cores itself; float64 (tests only) goes to gonum.
func matmul[T float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	switch a := any(a).(type) {
	case []float32:
		gemm.Sgemm(transA, transB, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		ta, tb := blas.NoTrans, blas.NoTrans
		if transA {
			ta = blas.Trans
		}
		if transB {
			tb = blas.Trans
		}
		if k == 0 {
			scale := float64(beta)
			cc := any(c).([]float64)
			for i := range m {
				for j := range n {
					cc[i*ldc+j] *= scale
				}
			}
			return
		}
		gonum.Implementation{}.Dgemm(ta, tb, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// workerCount returns w, or GOMAXPROCS when w ≤ 0.
func workerCount(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// parallelRange splits [0, n) into at most workers contiguous chunks of at
// least minChunk items and runs fn on each, the first on the calling
// goroutine. The split depends only on n, workers and minChunk, so
// reductions over chunks are deterministic. It returns when all are done.
func parallelRange(workers, n, minChunk int, fn func(chunk, lo, hi int)) {
	w := min(workers, n/max(1, minChunk))
	if w <= 1 {
		if n > 0 {
			fn(0, 0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for c := 1; c < w; c++ {
		wg.Go(func() { fn(c, c*n/w, (c+1)*n/w) })
	}
	fn(0, 0, n/w)
	wg.Wait()
}

// chunks returns how many chunks parallelRange uses for the same arguments.
func chunks(workers, n, minChunk int) int {
	return max(1, min(workers, n/max(1, minChunk)))
}

// parallelTasks runs fn(worker, task) for every task in [0, n) on up to
// workers goroutines that take tasks in order from a shared counter (for
// tasks of uneven size). worker, in [0, workers), indexes per-worker scratch.
func parallelTasks(workers, n int, fn func(worker, task int)) {
	w := min(workers, n)
	if w <= 1 {
		for t := range n {
			fn(0, t)
		}
		return
	}
	var next atomic.Int64
	run := func(worker int) {
		for {
			t := int(next.Add(1) - 1)
			if t >= n {
				return
			}
			fn(worker, t)
		}
	}
	var wg sync.WaitGroup
	for i := 1; i < w; i++ {
		wg.Go(func() { run(i) })
	}
	run(0)
	wg.Wait()
}
