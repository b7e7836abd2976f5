package metrics

import "github.com/polyret/polyret/internal/gemm"

// scoreBlock sets dst[i*m+j] to the dot product of query row i of q (nq
// rows of d floats) and candidate row j of c (m rows of d floats): the NT
// product Q·Cᵀ, computed by polyret's shared float32 GEMM on the calling
// goroutine (scan already runs one block per worker). For a block of ~100
// queries against many candidates the GEMM reads both matrices in place, a
// tile of 4×4 (AVX-512) or 3×4 (AVX2, pure Go) dot products at a time, as
// this package's own kernels did before they moved there.
func scoreBlock(dst []float32, q []float32, nq int, c []float32, m, d int) {
	gemm.Limit(gemm.Current(), 1).Sgemm(false, true, nq, m, d, 1, q, d, c, d, 0, dst, m)
}
