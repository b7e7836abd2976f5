package gemm_test

import (
	"fmt"

	"github.com/polyret/polyret/model/gemm"
)

// A linear layer y = x·Wᵀ + y over a batch of two rows, with the weight W
// stored out×in as in PyTorch checkpoints.
func ExampleSgemm() {
	x := []float32{ // 2×3 inputs
		1, 2, 3,
		4, 5, 6,
	}
	w := []float32{ // 2×3 weight: out=2, in=3
		1, 0, -1,
		0.5, 0.5, 0.5,
	}
	y := []float32{ // 2×2 outputs, start as the bias
		10, 20,
		10, 20,
	}
	gemm.Sgemm(false, true, 2, 2, 3, 1, x, 3, w, 3, 1, y, 2)
	fmt.Println(y)
	// Output:
	// [8 23 8 27.5]
}

// A training loop keeps one Pool for its whole run: products then split
// across cores without waiting for an idle CPU to wake, and the loop's own
// parallel work can use the same workers.
func ExamplePool() {
	pool := gemm.NewPool(gemm.PoolConfig{Workers: 2})
	defer pool.Close()
	impl := gemm.Native{Pool: pool}

	const m, n, k = 64, 48, 32
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range a {
		a[i] = 1
	}
	for i := range b {
		b[i] = 0.5
	}
	impl.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)

	// Row sums of C, one task per row.
	sums := make([]float32, m)
	pool.Run(m, func(i int) {
		for _, v := range c[i*n : (i+1)*n] {
			sums[i] += v
		}
	})
	fmt.Println(c[0], sums[0], sums[m-1])
	// Output:
	// 16 768 768
}
