package gemm_test

import (
	"fmt"

	"github.com/polyret/polyret/internal/gemm"
)

// The SIMD kernels and the portable pure-Go ones compute the same product
// (first row checked by hand: -3·-2 + -2·-1 + … = 1);
// with small integers every sum is exact, so the results agree bit for bit.
// Limit bounds a product to one goroutine, for callers that already run one
// product per goroutine.
func ExampleLimit() {
	const m, n, k = 5, 7, 9 // smaller than any block: the edge paths
	a, b := make([]float32, m*k), make([]float32, n*k)
	for i := range a {
		a[i] = float32(i%7 - 3)
	}
	for i := range b {
		b[i] = float32(i%5 - 2)
	}
	fast, portable := make([]float32, m*n), make([]float32, m*n)
	gemm.Limit(gemm.Native{}, 1).Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, fast, n)
	gemm.Portable().Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, portable, n)
	same := true
	for i := range fast {
		same = same && fast[i] == portable[i]
	}
	fmt.Println(fast[:n], same)
	// Output:
	// [1 1 11 -4 -9 1 1] true
}
