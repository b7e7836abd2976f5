package lab_test

import (
	"fmt"

	"github.com/polyret/polyret/examples/internal/lab"
)

// Smooth's bias correction makes its first value the first input itself and
// lets a constant series stay constant, where a plain moving average started
// at 0 would climb towards it.
func ExampleSmooth() {
	fmt.Printf("%.4f\n", lab.Smooth([]float64{2, 2, 2}, 0.1))
	fmt.Printf("%.4f\n", lab.Smooth([]float64{1, 0, 0}, 0.5))
	// Output:
	// [2.0000 2.0000 2.0000]
	// [1.0000 0.3333 0.1429]
}

func ExampleSplitList() {
	fmt.Printf("%q\n", lab.SplitList(" en, de,,zh "))
	// Output:
	// ["en" "de" "zh"]
}
