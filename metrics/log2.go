package metrics

import (
	"math"
	"sync"
	"sync/atomic"
)

// nDCG discounts are 1/log2(rank+1). trec_eval takes log2 from the C
// library, whose result is correctly rounded for these arguments, while Go's
// math.Log2 is off by one ulp for about 1.5% of integers (3 and 9 among
// them). So log2 of an integer is computed here in double-double arithmetic
// and rounded once, which makes nDCG bit-identical to trec_eval's.

// dd is an unevaluated sum hi+lo of two float64 with |lo| ≤ ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func (x dd) add(y dd) dd {
	s := twoSum(x.hi, y.hi)
	t := twoSum(x.lo, y.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func (x dd) mul(y dd) dd {
	p := twoProd(x.hi, y.hi)
	p.lo += x.hi*y.lo + x.lo*y.hi
	return quickTwoSum(p.hi, p.lo)
}

func (x dd) div(y dd) dd {
	q1 := x.hi / y.hi
	r := x.add(y.mul(dd{q1, 0}).neg())
	q2 := r.hi / y.hi
	r = r.add(y.mul(dd{q2, 0}).neg())
	q3 := r.hi / y.hi
	q := quickTwoSum(q1, q2)
	return q.add(dd{q3, 0})
}

func (x dd) neg() dd { return dd{-x.hi, -x.lo} }

// log2E is 1/ln 2 to about 107 bits.
var log2E = dd{0x1.71547652b82fep+0, 0x1.777d0ffda0d24p-56}

// atanhTerms is enough for |s| ≤ (√2−1)/(√2+1), where s² < 2^-5.08:
// the first omitted term is below 2^-120 of the sum.
const atanhTerms = 24

var atanhCoef = func() [atanhTerms]dd {
	var c [atanhTerms]dd
	for j := range c {
		c[j] = dd{1, 0}.div(dd{float64(2*j + 1), 0})
	}
	return c
}()

// lnMantissa splits finite x > 0 as f·2^e with f in [√2/2, √2) and returns
// ln f in double-double, with e.
func lnMantissa(x float64) (dd, int) {
	f, e := math.Frexp(x) // x = f·2^e, f in [0.5, 1)
	if f < math.Sqrt2/2 {
		f *= 2
		e--
	}
	// ln f = 2·atanh(s), s = (f−1)/(f+1); f−1 is exact (Sterbenz).
	s := dd{f - 1, 0}.div(twoSum(f, 1))
	s2 := s.mul(s)
	t := atanhCoef[atanhTerms-1]
	for j := atanhTerms - 2; j >= 0; j-- {
		t = t.mul(s2).add(atanhCoef[j])
	}
	return s.mul(t).mul(dd{2, 0}), e
}

// log2Exact returns log2(x) correctly rounded (but for arguments within
// about 2^-100 relative of a rounding boundary) for finite x > 0.
func log2Exact(x float64) float64 {
	lnf, e := lnMantissa(x)
	r := lnf.mul(log2E).add(dd{float64(e), 0})
	return r.hi + r.lo
}

// discountTable caches log2(i+2) for ranks i+1 = 1, 2, ...; it only grows.
var (
	discountTable atomic.Pointer[[]float64]
	discountMu    sync.Mutex
)

const maxDiscountTable = 1 << 16

// log2Rank returns log2(i+2), the nDCG discount of the document at 0-based
// position i, exactly as the C library's log2 gives it.
func log2Rank(i int) float64 {
	if t := discountTable.Load(); t != nil && i < len(*t) {
		return (*t)[i]
	}
	if i >= maxDiscountTable {
		return log2Exact(float64(i + 2))
	}
	discountMu.Lock()
	defer discountMu.Unlock()
	var old []float64
	if t := discountTable.Load(); t != nil {
		old = *t
		if i < len(old) {
			return old[i]
		}
	}
	n := max(1024, 2*len(old), i+1)
	n = min(n, maxDiscountTable)
	t := make([]float64, n)
	copy(t, old)
	for j := len(old); j < n; j++ {
		t[j] = log2Exact(float64(j + 2))
	}
	discountTable.Store(&t)
	return t[i]
}

// ln2DD is ln 2 to about 107 bits.
var ln2DD = dd{0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56}

// lnExact returns ln(x) correctly rounded (but for arguments within about
// 2^-100 relative of a rounding boundary) for finite x > 0. gm_map sums
// such logarithms and trec_eval takes them from the C library, whose log is
// correctly rounded in all but rare cases; Go's math.Log is not.
func lnExact(x float64) float64 {
	lnf, e := lnMantissa(x)
	r := lnf.add(ln2DD.mul(dd{float64(e), 0}))
	return r.hi + r.lo
}

// expTerms is enough for |r| ≤ ln2/2^10: the first omitted term of the
// Taylor series is below 2^-120 of the sum.
const expTerms = 14

var expCoef = func() [expTerms]dd {
	var c [expTerms]dd
	fact := dd{1, 0}
	for j := range c {
		if j > 0 {
			fact = fact.mul(dd{float64(j), 0})
		}
		c[j] = dd{1, 0}.div(fact)
	}
	return c
}()

// expExact returns e^x correctly rounded (but for results within about
// 2^-100 relative of a rounding boundary) for x in the range where the
// result is a normal float64; gm_map's final exp, like its logs, must be
// the C library's.
func expExact(x float64) float64 {
	if x > 709 || x < -708 {
		return math.Exp(x) // overflow or subnormal territory; gm_map never gets here
	}
	// x = k·ln2 + r with |r| ≤ ln2/2, computed in double-double.
	k := math.Round(x / math.Ln2)
	r := dd{x, 0}.add(ln2DD.mul(dd{-k, 0}))
	// e^r = (e^(r/2^10))^(2^10).
	r = r.mul(dd{0x1p-10, 0})
	t := expCoef[expTerms-1]
	for j := expTerms - 2; j >= 0; j-- {
		t = t.mul(r).add(expCoef[j])
	}
	for range 10 {
		t = t.mul(t)
	}
	return math.Ldexp(t.hi+t.lo, int(k))
}
