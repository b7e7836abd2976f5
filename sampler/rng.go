package sampler

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// All randomness goes through rand.PCG's Uint64, whose output is fixed by
// the PCG-DXSM algorithm, and integer arithmetic on it. Weights are
// quantized once into integer widths, so a draw never depends on float
// rounding at run time, on the machine or on the Go version's methods
// of rand.Rand.

// one53 is the total of a quantized weight vector.
const one53 = 1 << 53

// mix64 is SplitMix64's finalizer; it derives independent seeds.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newMainPCG returns the generator of batch-level and item-level draws.
func newMainPCG(seed uint64) *rand.PCG {
	return rand.NewPCG(mix64(seed), mix64(seed^0x5bd1e9955bd1e995))
}

// epochSeeds returns the seeds of the generator of one epoch's permutation
// of one dataset, so that a restored state can regenerate it.
func epochSeeds(seed uint64, dataset int, epoch uint64) (uint64, uint64) {
	return mix64(seed ^ mix64(uint64(dataset)+1)), mix64(epoch ^ 0x2545f4914f6cdd1d)
}

// uintN returns a uniform integer in [0, n) by Lemire's multiply-shift
// method with rejection. It panics if n is 0.
func uintN(r *rand.PCG, n uint64) uint64 {
	if n == 0 {
		panic("sampler: internal error: uintN(0)")
	}
	hi, lo := bits.Mul64(r.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), n)
		}
	}
	return hi
}

// shuffle fills order with a uniformly random permutation of 0..len-1
// (Fisher–Yates).
func shuffle(r *rand.PCG, order []int32) {
	for i := range order {
		order[i] = int32(i)
	}
	for i := len(order) - 1; i > 0; i-- {
		j := uintN(r, uint64(i)+1)
		order[i], order[j] = order[j], order[i]
	}
}

// quantize writes into dst integer widths proportional to w that sum to
// exactly one53 (zero weights get zero width) and returns dst. The weights
// must be finite and non-negative with a positive sum.
func quantize(dst []uint64, w []float64) []uint64 {
	dst = dst[:0]
	var total float64
	for _, x := range w {
		total += x
	}
	var cum float64
	var prev uint64
	for i, x := range w {
		cum += x
		c := uint64(math.Floor(float64(cum/total) * one53))
		if i == len(w)-1 || c > one53 {
			c = one53
		}
		if c < prev {
			c = prev
		}
		dst = append(dst, c-prev)
		prev = c
	}
	return dst
}

// pickWidth returns the index i whose cumulative interval of widths holds
// x, where 0 ≤ x < sum(widths).
func pickWidth(widths []uint64, x uint64) int {
	for i, w := range widths {
		if x < w {
			return i
		}
		x -= w
	}
	panic("sampler: internal error: draw beyond total width")
}

// drawWidth draws an index with probability proportional to widths, whose
// sum is total > 0.
func drawWidth(r *rand.PCG, widths []uint64, total uint64) int {
	if total == one53 {
		return pickWidth(widths, r.Uint64()>>11)
	}
	return pickWidth(widths, uintN(r, total))
}

// coin returns true with probability p53/2⁵³.
func coin(r *rand.PCG, p53 uint64) bool {
	return r.Uint64()>>11 < p53
}

// prob53 converts a probability in [0, 1] to the threshold of coin.
func prob53(p float64) uint64 {
	return uint64(p * one53) // p·2⁵³ is exact in float64; the conversion truncates
}
