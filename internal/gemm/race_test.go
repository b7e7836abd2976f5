//go:build race

package gemm

// raceEnabled shortens the slowest tests under the race detector, which
// makes the float64 reference ~20× slower; the parallel tests keep their
// full size.
const raceEnabled = true
