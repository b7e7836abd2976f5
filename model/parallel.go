package model

import (
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/polyret/polyret/model/gemm"
)

// float is the element type of the kernels: float32 in the encoders,
// float64 in the finite-difference tests of the same code.
type float interface{ ~float32 | ~float64 }

// exec runs the parallel parts of one pass: GEMMs through the gemm
// package's current Implementation and the kernels' own loops, on a
// gemm.Pool whose workers stay awake between the pass's operations (on a
// virtual machine a goroutine started per operation can wait ~100 µs for an
// idle CPU to wake). newExec starts the pool; close stops it.
type exec struct {
	workers int
	pool    *gemm.Pool          // nil when workers == 1
	impl    gemm.Implementation // for products of the whole batch
	serial  gemm.Implementation // for products inside parallel tasks
	slots   chan int            // worker slots for per-worker scratch
}

// newExec returns an exec for up to workers goroutines (0 means
// GOMAXPROCS). The caller must call close.
func newExec(workers int) *exec {
	e := &exec{workers: workerCount(workers), impl: gemm.Current()}
	e.serial = e.impl
	nat, native := e.impl.(gemm.Native)
	if native {
		one := nat
		one.Workers, one.Pool = 1, nil
		e.serial = one
	}
	if e.workers > 1 {
		e.pool = gemm.NewPool(gemm.PoolConfig{Workers: e.workers})
		if native && nat.Pool == nil {
			nat.Pool = e.pool
			e.impl = nat
		}
	}
	e.slots = make(chan int, e.workers)
	for i := range e.workers {
		e.slots <- i
	}
	return e
}

// close stops the pool's workers.
func (e *exec) close() {
	if e.pool != nil {
		e.pool.Close()
	}
}

// run calls task(i) for i in [0, n), in parallel when there is a pool.
func (e *exec) run(n int, task func(i int)) {
	if e.pool == nil || n == 1 {
		for i := range n {
			task(i)
		}
		return
	}
	e.pool.Run(n, task)
}

// matmul computes C = alpha·op(A)·op(B) + beta·C in row-major order (the
// arguments of gemm.Sgemm). float32 goes to impl; float64 (tests only) goes
// to gonum.
func matmul[T float](impl gemm.Implementation, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	switch a := any(a).(type) {
	case []float32:
		impl.Sgemm(transA, transB, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
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

// parallelRange splits [0, n) into at most ex.workers contiguous chunks of
// at least minChunk items and runs fn on each. The split depends only on n,
// the worker count and minChunk, so reductions over chunks are
// deterministic. It returns when all are done.
func parallelRange(ex *exec, n, minChunk int, fn func(chunk, lo, hi int)) {
	w := chunks(ex.workers, n, minChunk)
	if n <= 0 {
		return
	}
	// Boundaries at multiples of 8 keep the split between the vector
	// kernels and their scalar tails independent of the worker count.
	bound := func(c int) int {
		if c == w {
			return n
		}
		return c * n / w &^ 7
	}
	ex.run(w, func(c int) { fn(c, bound(c), bound(c+1)) })
}

// chunks returns how many chunks parallelRange uses for the same arguments.
func chunks(workers, n, minChunk int) int {
	return max(1, min(workers, n/max(1, minChunk)))
}

// parallelTasks runs fn(worker, task) for every task in [0, n), tasks of
// uneven size balanced across the workers. worker, in [0, ex.workers),
// indexes per-worker scratch: no two concurrent calls share one.
func parallelTasks(ex *exec, n int, fn func(worker, task int)) {
	ex.run(n, func(task int) {
		w := <-ex.slots
		fn(w, task)
		ex.slots <- w
	})
}
