package progress_test

import (
	"os"

	"github.com/polyret/polyret/examples/internal/progress"
)

// Outside a terminal a Progress writes a line when a stage starts, every
// Interval while it runs and when it ends, with the elapsed time (rounded to
// 100 ms, so 0s for this quick loop).
func Example() {
	p := progress.New(os.Stdout)
	for i := 1; i <= 3; i++ {
		p.Record("encode", i, 3)
	}
	p.Note("loss %.3f", 0.25)
	p.Record("train", 10, 0) // a total of 0: unknown
	p.Done()
	// Output:
	// encode: 1/3 (33%), 0s
	// encode: 3/3 (100%) loss 0.250 done, 0s
	// train: 10, 0s
	// train: 10 done, 0s
}
