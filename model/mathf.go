package model

import "math"

// Fast float32 elementary functions for the hot element-wise kernels. They are
// accurate to a few units in the last place of float32, which is far below
// the 1e-5 tolerance of the PyTorch goldens, and avoid the float64 round trip
// of the math package (erf and exp run hundreds of millions of times per
// training step of a base-sized model).

// expf returns e**x in float32 with a relative error below 2e-7 for
// x in [-87.3, 88.7]; it returns 0 below and +Inf above that range, and NaN
// for NaN.
func expf(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2Hi = 0.693359375
		ln2Lo = -2.12194440e-4
		magic = 12582912 // 1.5·2**23: adding it rounds to an integer
	)
	if !(x >= -87.33654 && x <= 88) { // also catches NaN
		return expfSlow(x)
	}
	// x = n·ln2 + r with |r| ≤ ln2/2, then e**r by its Taylor polynomial
	// (degree 6 gives 2e-8 relative error on that interval).
	t := x*log2e + magic
	n := t - magic
	r := x - n*ln2Hi - n*ln2Lo
	p := float32(1.0 / 720)
	p = p*r + 1.0/120
	p = p*r + 1.0/24
	p = p*r + 1.0/6
	p = p*r + 0.5
	p = p*r + 1
	p = p*r + 1
	// n is in [-126, 127]: 2**n is a normal float32 built from its bits.
	ni := int32(math.Float32bits(t)) - 0x4b400000
	return p * math.Float32frombits(uint32(ni+127)<<23)
}

// expfSlow handles the arguments where expf's result is subnormal, zero,
// infinite or NaN.
func expfSlow(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > 88.72283:
		return float32(math.Inf(1))
	case x < -103.97:
		return 0
	}
	return float32(math.Exp(float64(x)))
}

// erff returns the error function of x in float32: a rational minimax
// approximation on [-4, 4] (outside it erf is ±1 in float32) with an
// absolute error below 5e-7.
func erff(x float32) float32 {
	if x > 4 {
		x = 4
	} else if x < -4 {
		x = -4
	} else if x != x {
		return x
	}
	x2 := x * x
	p := float32(-2.72614225801306e-10)
	p = p*x2 + 2.77068142495902e-08
	p = p*x2 - 2.10102402082508e-06
	p = p*x2 - 5.69250639462346e-05
	p = p*x2 - 7.34990630326855e-04
	p = p*x2 - 2.95459980854025e-03
	p = p*x2 - 1.60960333262415e-02
	q := float32(-1.45660718464996e-05)
	q = q*x2 - 2.13374055278905e-04
	q = q*x2 - 1.68282697438203e-03
	q = q*x2 - 7.37332916720468e-03
	q = q*x2 - 1.42647390514189e-02
	return x * p / q
}

// tanhf returns tanh(x) in float32 through expf.
func tanhf(x float32) float32 {
	if x > 9 {
		return 1
	}
	if x < -9 {
		return -1
	}
	if x > -0.0625 && x < 0.0625 {
		// Near zero 1-2/(e**2x+1) cancels; use the odd series instead.
		x2 := x * x
		return x * (1 + x2*(-1.0/3+x2*(2.0/15+x2*(-17.0/315))))
	}
	e := expf(2 * x)
	return (e - 1) / (e + 1)
}
