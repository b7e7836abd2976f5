package metrics

import (
	"flag"
	"math/rand/v2"
)

// seed fixes the random inputs of the randomised tests; override it with
// go test ./metrics -args -seed=N to try others.
var seed = flag.Uint64("seed", 1, "seed of the randomised tests")

// testRand returns a generator for one test; stream separates the tests.
func testRand(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(*seed, stream)) }
