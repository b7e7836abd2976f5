package checkpoint

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// A Tensor is a dense, row-major (C-order) array of one DType.
//
// Data holds the elements in little-endian byte order, as in safetensors
// files; len(Data) is always Len() × DType.Size() for a valid Tensor. The
// readers of this package allocate Data 8-byte aligned, so that Float32 of
// an F32 tensor and Float64 of an F64 tensor can return a view instead of a
// copy.
type Tensor struct {
	DType DType
	Shape []int // a scalar has an empty shape; dimensions may be 0
	Data  []byte
}

// littleEndian reports whether the host stores numbers little-endian, so
// that Data can be viewed as []float32 or []float64 in place.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// Len returns the number of elements of t: the product of its shape, 1 for
// a scalar. It panics if a dimension is negative or the product overflows.
func (t Tensor) Len() int {
	n, ok := numElements(t.Shape)
	if !ok {
		panic(fmt.Sprintf("checkpoint: invalid shape %v", t.Shape))
	}
	return n
}

// numElements returns the product of shape, or false if a dimension is
// negative or the product overflows int.
func numElements(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > math.MaxInt/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// check returns an error if t's dtype is invalid or its data length does
// not match its shape.
func (t Tensor) check() error {
	if !t.DType.Valid() {
		return fmt.Errorf("%w: %v", ErrDType, t.DType)
	}
	n, ok := numElements(t.Shape)
	if !ok || n > math.MaxInt/t.DType.Size() {
		return fmt.Errorf("%w: %v", ErrShape, t.Shape)
	}
	if len(t.Data) != n*t.DType.Size() {
		return fmt.Errorf("%w: shape %v of %v needs %d bytes, data has %d",
			ErrShape, t.Shape, t.DType, n*t.DType.Size(), len(t.Data))
	}
	return nil
}

// mustCheck panics with a checkpoint: message if t is not valid.
func (t Tensor) mustCheck() {
	if err := t.check(); err != nil {
		panic("checkpoint: " + err.Error())
	}
}

// Float32 returns the elements of t as float32 values.
//
// F16, BF16 and integers up to 24 bits convert exactly; F64, I32, U32, I64
// and U64 round to nearest. Bool gives 0 or 1. For an F32 tensor on a
// little-endian host with 4-byte-aligned Data (always the case for tensors
// made by this package) the result shares memory with t.Data, so no copy is
// made; otherwise it is a new slice. Float32 panics if t is not valid.
func (t Tensor) Float32() []float32 {
	t.mustCheck()
	n := len(t.Data) / t.DType.Size()
	if n == 0 {
		return []float32{}
	}
	if t.DType == F32 && littleEndian && uintptr(unsafe.Pointer(&t.Data[0]))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&t.Data[0])), n)
	}
	dst := make([]float32, n)
	b := t.Data
	le := binary.LittleEndian
	switch t.DType {
	case F32:
		for i := range dst {
			dst[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
	case F16:
		for i := range dst {
			h := le.Uint16(b[2*i:])
			if e := h & 0x7c00; e != 0 && e != 0x7c00 {
				// Normal numbers, inline: rebias the exponent by 127−15.
				dst[i] = math.Float32frombits(uint32(h&0x8000)<<16 | (uint32(h&0x7fff)<<13 + (127-15)<<23))
			} else {
				dst[i] = F16ToFloat32(h)
			}
		}
	case BF16:
		for i := range dst {
			dst[i] = BF16ToFloat32(le.Uint16(b[2*i:]))
		}
	case F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(le.Uint64(b[8*i:])))
		}
	case I32, U32, I64, U64:
		for i := range dst {
			dst[i] = intToFloat32(t.DType, b, i)
		}
	default:
		for i := range dst {
			dst[i] = float32(intAt(t.DType, b, i))
		}
	}
	return dst
}

// Float64 returns the elements of t as float64 values. Every DType except
// I64 and U64 beyond 2⁵³ converts exactly. For an F64 tensor on a
// little-endian host with 8-byte-aligned Data the result shares memory with
// t.Data; otherwise it is a new slice. Float64 panics if t is not valid.
func (t Tensor) Float64() []float64 {
	t.mustCheck()
	n := len(t.Data) / t.DType.Size()
	if n == 0 {
		return []float64{}
	}
	if t.DType == F64 && littleEndian && uintptr(unsafe.Pointer(&t.Data[0]))%8 == 0 {
		return unsafe.Slice((*float64)(unsafe.Pointer(&t.Data[0])), n)
	}
	dst := make([]float64, n)
	b := t.Data
	le := binary.LittleEndian
	switch t.DType {
	case F64:
		for i := range dst {
			dst[i] = math.Float64frombits(le.Uint64(b[8*i:]))
		}
	case F32:
		for i := range dst {
			dst[i] = float64(math.Float32frombits(le.Uint32(b[4*i:])))
		}
	case F16:
		for i := range dst {
			dst[i] = float64(F16ToFloat32(le.Uint16(b[2*i:])))
		}
	case BF16:
		for i := range dst {
			dst[i] = float64(BF16ToFloat32(le.Uint16(b[2*i:])))
		}
	case U64:
		for i := range dst {
			dst[i] = float64(le.Uint64(b[8*i:]))
		}
	default:
		for i := range dst {
			dst[i] = float64(intAt(t.DType, b, i))
		}
	}
	return dst
}

// intAt returns element i of integer data b of type d (U64 wraps; callers
// handle it separately).
func intAt(d DType, b []byte, i int) int64 {
	le := binary.LittleEndian
	switch d {
	case Bool:
		if b[i] != 0 {
			return 1
		}
		return 0
	case U8:
		return int64(b[i])
	case I8:
		return int64(int8(b[i]))
	case I16:
		return int64(int16(le.Uint16(b[2*i:])))
	case U16:
		return int64(le.Uint16(b[2*i:]))
	case I32:
		return int64(int32(le.Uint32(b[4*i:])))
	case U32:
		return int64(le.Uint32(b[4*i:]))
	case I64:
		return int64(le.Uint64(b[8*i:]))
	case U64:
		return int64(le.Uint64(b[8*i:]))
	}
	panic("checkpoint: not an integer dtype: " + d.String())
}

// intToFloat32 converts a 32- or 64-bit integer element to the nearest
// float32 in one rounding (float32(float64(x)) could round twice).
func intToFloat32(d DType, b []byte, i int) float32 {
	le := binary.LittleEndian
	switch d {
	case I32:
		return float32(int32(le.Uint32(b[4*i:])))
	case U32:
		return float32(le.Uint32(b[4*i:]))
	case I64:
		return float32(int64(le.Uint64(b[8*i:])))
	}
	return float32(le.Uint64(b[8*i:]))
}

// FromFloat32 returns an F32 tensor of the given shape holding data. On a
// little-endian host the tensor's Data shares memory with data (no copy);
// otherwise it is a copy. It panics if len(data) is not the product of
// shape. The shape slice is copied.
func FromFloat32(shape []int, data []float32) Tensor {
	t := Tensor{DType: F32, Shape: append([]int{}, shape...)}
	if n, ok := numElements(shape); !ok || n != len(data) {
		panic(fmt.Sprintf("checkpoint: FromFloat32: shape %v does not hold %d elements", shape, len(data)))
	}
	if len(data) == 0 {
		t.Data = []byte{}
		return t
	}
	if littleEndian {
		t.Data = unsafe.Slice((*byte)(unsafe.Pointer(&data[0])), 4*len(data))
		return t
	}
	t.Data = make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(t.Data[4*i:], math.Float32bits(v))
	}
	return t
}

// FromFloat64 returns an F64 tensor of the given shape holding data,
// sharing memory with data on a little-endian host as FromFloat32 does. It
// panics if len(data) is not the product of shape.
func FromFloat64(shape []int, data []float64) Tensor {
	t := Tensor{DType: F64, Shape: append([]int{}, shape...)}
	if n, ok := numElements(shape); !ok || n != len(data) {
		panic(fmt.Sprintf("checkpoint: FromFloat64: shape %v does not hold %d elements", shape, len(data)))
	}
	if len(data) == 0 {
		t.Data = []byte{}
		return t
	}
	if littleEndian {
		t.Data = unsafe.Slice((*byte)(unsafe.Pointer(&data[0])), 8*len(data))
		return t
	}
	t.Data = make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(t.Data[8*i:], math.Float64bits(v))
	}
	return t
}

// Convert returns t converted to the floating-point type to (F32, F64, F16
// or BF16), rounding to nearest even as Float32ToF16 and Float32ToBF16 do.
// Conversions to F16 and BF16 go through float32, so an F64 value may round
// twice. If t already has type to, Convert returns t itself. It panics if t
// is not valid or to is not a floating-point type.
func (t Tensor) Convert(to DType) Tensor {
	t.mustCheck()
	if !to.IsFloat() {
		panic("checkpoint: Convert: not a floating-point dtype: " + to.String())
	}
	if t.DType == to {
		return t
	}
	out := Tensor{DType: to, Shape: append([]int{}, t.Shape...)}
	if to == F64 {
		out.Data = float64Bytes(t.Float64())
		return out
	}
	f := t.Float32()
	switch to {
	case F32:
		out.Data = float32Bytes(f)
	case F16, BF16:
		out.Data = alignedBytes(2 * len(f))
		conv := Float32ToF16
		if to == BF16 {
			conv = Float32ToBF16
		}
		for i, v := range f {
			binary.LittleEndian.PutUint16(out.Data[2*i:], conv(v))
		}
	}
	return out
}

// float32Bytes returns the little-endian bytes of f, sharing memory with f
// on a little-endian host.
func float32Bytes(f []float32) []byte { return FromFloat32([]int{len(f)}, f).Data }

// float64Bytes returns the little-endian bytes of f, sharing memory with f
// on a little-endian host.
func float64Bytes(f []float64) []byte { return FromFloat64([]int{len(f)}, f).Data }

// alignedBytes returns a zeroed slice of n bytes whose first byte is 8-byte
// aligned, so that it can be viewed as []float32 or []float64.
func alignedBytes(n int) []byte {
	if n == 0 {
		return []byte{}
	}
	words := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}
