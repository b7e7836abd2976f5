package loss

import (
	"sync"

	"github.com/nlpodyssey/spago/mat/float"
)

// The float32 kernels; kernel_amd64.go replaces them with the assembly
// versions when the CPU has AVX2 and FMA.
var (
	dotNT32 = dotNTGo[float32]
	mulNN32 = mulNNGo[float32]
)

// minParallelFlops is the work below which a product stays on one goroutine:
// starting a goroutine (~1µs) outweighs smaller products.
const minParallelFlops = 1 << 18

// dotNT sets c[i*ldc+j] = Σ_l a[i*lda+l]·b[j*ldb+l] for i < m, j < n, l < k
// (C = A·Bᵀ for row-major A m×k, B n×k, C m×n), splitting the rows of C among
// up to workers goroutines. It panics if a slice is too short.
func dotNT[T float.DType](workers, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	checkNT(m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	const tile = 3 // rows of the assembly tile
	if !parallel(workers, m, n, k, tile) {
		dotNTSerial(m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	splitRows(workers, m, tile, func(i0, rows int) {
		dotNTSerial(rows, n, k, a[i0*lda:], lda, b, ldb, c[i0*ldc:], ldc)
	})
}

// mulNN sets c[i*ldc+j] = Σ_l a[i*lda+l]·b[l*ldb+j] for i < m, j < n, l < k
// (C = A·B for row-major A m×k, B k×n, C m×n), splitting the rows of C among
// up to workers goroutines. It panics if a slice is too short.
func mulNN[T float.DType](workers, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	checkNN(m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	const tile = 6
	if !parallel(workers, m, n, k, tile) {
		mulNNSerial(m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	splitRows(workers, m, tile, func(i0, rows int) {
		mulNNSerial(rows, n, k, a[i0*lda:], lda, b, ldb, c[i0*ldc:], ldc)
	})
}

func dotNTSerial[T float.DType](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		dotNT32(m, n, k, a, lda, any(b).([]float32), ldb, any(c).([]float32), ldc)
	case []float64:
		dotNTGo(m, n, k, a, lda, any(b).([]float64), ldb, any(c).([]float64), ldc)
	}
}

func mulNNSerial[T float.DType](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		mulNN32(m, n, k, a, lda, any(b).([]float32), ldb, any(c).([]float32), ldc)
	case []float64:
		mulNNGo(m, n, k, a, lda, any(b).([]float64), ldb, any(c).([]float64), ldc)
	}
}

// parallel reports whether an m×n×k product is worth splitting into blocks of
// tile rows among workers goroutines.
func parallel(workers, m, n, k, tile int) bool {
	return workers > 1 && m >= 2*tile && 2*m*n*k >= minParallelFlops
}

// splitRows calls f(i0, rows) over blocks of m rows, each a multiple of tile
// rows, on up to workers goroutines, and returns when all calls have.
func splitRows(workers, m, tile int, f func(i0, rows int)) {
	rows := (m + workers - 1) / workers
	rows = (rows + tile - 1) / tile * tile
	var wg sync.WaitGroup
	for i0 := 0; i0 < m; i0 += rows {
		wg.Go(func() { f(i0, min(rows, m-i0)) })
	}
	wg.Wait()
}

// dotNTGo is the portable dotNT kernel: one row of A against four rows of B at
// a time, so each a value is loaded once per four products. It accumulates in
// float64, as accurate as the assembly kernel's eight-lane float32 sums or
// better.
func dotNTGo[T float.DType](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	checkNT(m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
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

// mulNNGo is the portable mulNN kernel: each row of C accumulates scaled rows
// of B (axpy form, contiguous inner loop) in float64.
func mulNNGo[T float.DType](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	checkNN(m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
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

// checkNT panics unless the slices of a dotNT call hold the matrices they describe.
func checkNT(m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 || lda < k || ldb < k || ldc < n {
		panic("loss: bad matrix product dimensions")
	}
	if (m > 0 && la < (m-1)*lda+k) || (n > 0 && lb < (n-1)*ldb+k) || (m > 0 && lc < (m-1)*ldc+n) {
		panic("loss: matrix product slice too short")
	}
}

// checkNN panics unless the slices of a mulNN call hold the matrices they describe.
func checkNN(m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 || lda < k || ldb < n || ldc < n {
		panic("loss: bad matrix product dimensions")
	}
	if (m > 0 && la < (m-1)*lda+k) || (k > 0 && lb < (k-1)*ldb+n) || (m > 0 && lc < (m-1)*ldc+n) {
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
