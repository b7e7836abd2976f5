package checkpoint

import (
	"math"
	"strconv"
)

// A DType is the element type of a Tensor. Its String form is the
// safetensors name ("F32", "BF16", ...). The zero DType is invalid.
//
// The constants are ordered as in the safetensors format (increasing
// alignment), so that files are written in the same tensor order as
// Python's safetensors.
type DType uint8

// The element types. F32, F64, F16 and BF16 are the floating-point types of
// checkpoints; the integer types and Bool occur in buffers such as BERT's
// "embeddings.position_ids" (I64).
const (
	Bool DType = iota + 1 // 1 byte, 0 is false and anything else true
	U8                    // unsigned 8-bit integer
	I8                    // signed 8-bit integer
	I16                   // signed 16-bit integer
	U16                   // unsigned 16-bit integer
	F16                   // IEEE 754 binary16
	BF16                  // bfloat16: the upper half of a binary32
	I32                   // signed 32-bit integer
	U32                   // unsigned 32-bit integer
	F32                   // IEEE 754 binary32
	F64                   // IEEE 754 binary64
	I64                   // signed 64-bit integer
	U64                   // unsigned 64-bit integer
	numDTypes
)

var dtypeNames = [numDTypes]string{
	Bool: "BOOL", U8: "U8", I8: "I8", I16: "I16", U16: "U16", F16: "F16", BF16: "BF16",
	I32: "I32", U32: "U32", F32: "F32", F64: "F64", I64: "I64", U64: "U64",
}

var dtypeSizes = [numDTypes]int{
	Bool: 1, U8: 1, I8: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
	I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
}

// String returns the safetensors name of d, such as "F32", or "DType(n)" if d
// is not a valid DType.
func (d DType) String() string {
	if d.Valid() {
		return dtypeNames[d]
	}
	return "DType(" + strconv.Itoa(int(d)) + ")"
}

// Valid reports whether d is one of the defined DTypes.
func (d DType) Valid() bool { return d > 0 && d < numDTypes }

// Size returns the size of one element of type d in bytes, or 0 if d is not
// valid.
func (d DType) Size() int {
	if d.Valid() {
		return dtypeSizes[d]
	}
	return 0
}

// IsFloat reports whether d is a floating-point type (F16, BF16, F32, F64).
func (d DType) IsFloat() bool { return d == F16 || d == BF16 || d == F32 || d == F64 }

// parseDType returns the DType whose safetensors name is s.
func parseDType(s string) (DType, bool) {
	for d := Bool; d < numDTypes; d++ {
		if dtypeNames[d] == s {
			return d, true
		}
	}
	return 0, false
}

// F16ToFloat32 returns the float32 equal to the IEEE 754 binary16 value with
// bits h. The conversion is exact: subnormals become normal float32 values,
// infinities stay infinite, and a NaN keeps its sign and payload (shifted
// left by 13 bits, as numpy and the F16C instructions do; a signalling NaN
// is not quieted).
func F16ToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		// A subnormal is mant × 2⁻²⁴; both factors and the product are
		// exact in float32.
		return math.Float32frombits(sign | math.Float32bits(float32(mant)*0x1p-24))
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// BF16ToFloat32 returns the float32 whose upper 16 bits are b and whose
// lower 16 bits are zero: the exact value of the bfloat16 b, NaN payloads
// included.
func BF16ToFloat32(b uint16) float32 { return math.Float32frombits(uint32(b) << 16) }

// Float32ToF16 returns the binary16 bits nearest to f, ties to even, as
// IEEE 754 and numpy's astype(float16) round. Values too large for binary16
// become ±Inf; values too small become ±0 or a subnormal. A NaN stays a NaN
// of the same sign: its payload is truncated to the upper 10 bits and the
// quiet bit is set, as the F16C instruction VCVTPS2PH does.
func Float32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	switch {
	case exp == 0xff:
		if mant != 0 {
			return sign | 0x7e00 | uint16(mant>>13)
		}
		return sign | 0x7c00
	case exp > 127+15:
		return sign | 0x7c00 // overflow, before rounding
	case exp >= 127-14:
		// Normal binary16 range: drop 13 mantissa bits, round to nearest even.
		// A carry out of the mantissa correctly increments the exponent, up
		// to Inf.
		h := uint32(exp-127+15)<<10 | mant>>13
		rest := mant & 0x1fff
		if rest > 0x1000 || rest == 0x1000 && h&1 == 1 {
			h++
		}
		return sign | uint16(h)
	case exp >= 127-25:
		// Subnormal binary16 (or rounds up to the smallest normal): the
		// value is m × 2^(exp−127−23) with the implicit bit restored; the
		// binary16 subnormal unit is 2⁻²⁴.
		m := mant | 0x800000
		shift := uint(126 - exp) // 14 … 24
		h := m >> shift
		rest := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rest > half || rest == half && h&1 == 1 {
			h++
		}
		return sign | uint16(h)
	}
	return sign // underflow to ±0
}

// Float32ToBF16 returns the bfloat16 bits nearest to f, ties to even, as
// PyTorch's tensor conversion (Tensor.to(torch.bfloat16)) rounds. Every NaN
// becomes 0xffff, a quiet NaN, as in that conversion (PyTorch 1.13 and 2.x
// on x86).
func Float32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return 0xffff
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}
