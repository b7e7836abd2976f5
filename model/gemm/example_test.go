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
