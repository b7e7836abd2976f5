package checkpoint

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
)

func mustPanic(t *testing.T, name, msg string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		s, _ := r.(string)
		if !strings.HasPrefix(s, "checkpoint: ") || !strings.Contains(s, msg) {
			t.Errorf("%s: panic %v, want a checkpoint: panic containing %q", name, r, msg)
		}
	}()
	f()
}

func leBytes(size int, v ...uint64) []byte {
	b := make([]byte, size*len(v))
	for i, x := range v {
		for j := range size {
			b[size*i+j] = byte(x >> (8 * j))
		}
	}
	return b
}

func TestTensorFloat(t *testing.T) {
	for _, test := range []struct {
		name string
		t    Tensor
		f32  []float32
		f64  []float64
	}{
		{"F16", Tensor{F16, []int{4}, leBytes(2, 0x3c00, 0xc000, 0x0001, 0x7c00)},
			[]float32{1, -2, 0x1p-24, float32(math.Inf(1))}, []float64{1, -2, 0x1p-24, math.Inf(1)}},
		{"BF16", Tensor{BF16, []int{2}, leBytes(2, 0x3f80, 0x4049)},
			[]float32{1, 3.140625}, []float64{1, 3.140625}},
		{"F64 rounds to float32", Tensor{F64, []int{2}, leBytes(8, math.Float64bits(0.1), math.Float64bits(-1e300))},
			[]float32{0.1, float32(math.Inf(-1))}, []float64{0.1, -1e300}},
		{"I64 one rounding", Tensor{I64, []int{3}, leBytes(8, 1<<53+1, uint64(1<<63), 1<<24+1)},
			[]float32{float32(int64(1<<53 + 1)), -0x1p63, 16777216}, []float64{1 << 53, -0x1p63, 1<<24 + 1}},
		{"U64", Tensor{U64, []int{1}, leBytes(8, math.MaxUint64)}, []float32{0x1p64}, []float64{0x1p64}},
		{"I32", Tensor{I32, []int{2}, leBytes(4, 0x80000000, 16777217)}, []float32{-0x1p31, 16777216}, []float64{-0x1p31, 16777217}},
		{"U32", Tensor{U32, []int{1}, leBytes(4, 0xffffffff)}, []float32{0x1p32}, []float64{4294967295}},
		{"I16", Tensor{I16, []int{2}, leBytes(2, 0x8000, 7)}, []float32{-32768, 7}, []float64{-32768, 7}},
		{"U16", Tensor{U16, []int{1}, leBytes(2, 0xffff)}, []float32{65535}, []float64{65535}},
		{"I8", Tensor{I8, []int{2}, []byte{0x80, 5}}, []float32{-128, 5}, []float64{-128, 5}},
		{"U8", Tensor{U8, []int{1}, []byte{255}}, []float32{255}, []float64{255}},
		{"Bool", Tensor{Bool, []int{3}, []byte{0, 1, 7}}, []float32{0, 1, 1}, []float64{0, 1, 1}},
		{"scalar", Tensor{F32, nil, leBytes(4, uint64(math.Float32bits(2.5)))}, []float32{2.5}, []float64{2.5}},
		{"empty", Tensor{F32, []int{0, 3}, nil}, []float32{}, []float64{}},
	} {
		if got := test.t.Float32(); !slices.Equal(got, test.f32) {
			t.Errorf("%s: Float32() = %v, want %v", test.name, got, test.f32)
		}
		if got := test.t.Float64(); !slices.Equal(got, test.f64) {
			t.Errorf("%s: Float64() = %v, want %v", test.name, got, test.f64)
		}
	}
}

func TestTensorViews(t *testing.T) {
	data := []float32{1, 2, 3, 4, 5, 6}
	x := FromFloat32([]int{2, 3}, data)
	if x.Len() != 6 || len(x.Data) != 24 || binary.LittleEndian.Uint32(x.Data[4:]) != math.Float32bits(2) {
		t.Fatalf("FromFloat32: %v", x)
	}
	f := x.Float32()
	f[0] = 9 // shares memory on little-endian hosts
	if littleEndian && data[0] != 9 {
		t.Errorf("Float32 of FromFloat32 does not share memory")
	}
	// Unaligned data is copied, not viewed.
	buf := alignedBytes(25)[1:]
	copy(buf, x.Data)
	u := Tensor{DType: F32, Shape: []int{6}, Data: buf}
	if got := u.Float32(); got[1] != 2 || got[5] != 6 {
		t.Errorf("Float32 of unaligned data = %v", got)
	}
	d := FromFloat64([]int{2}, []float64{1.5, -2})
	if got := d.Float64(); !slices.Equal(got, []float64{1.5, -2}) {
		t.Errorf("FromFloat64(...).Float64() = %v", got)
	}
	if got := d.Float32(); !slices.Equal(got, []float32{1.5, -2}) {
		t.Errorf("FromFloat64(...).Float32() = %v", got)
	}
}

func TestTensorConvert(t *testing.T) {
	x := FromFloat32([]int{4}, []float32{1, 65520, 0x1p-25, -3.3})
	h := x.Convert(F16)
	if h.DType != F16 || !slices.Equal(h.Data, leBytes(2, 0x3c00, 0x7c00, 0, 0xc29a)) {
		t.Errorf("Convert(F16) = %x", h.Data)
	}
	b := x.Convert(BF16)
	if got := b.Float32(); !slices.Equal(got, []float32{1, 65536, 0x1p-25, -3.296875}) {
		t.Errorf("Convert(BF16).Float32() = %v", got)
	}
	if got := x.Convert(F64).Convert(F32).Float32(); !slices.Equal(got, x.Float32()) {
		t.Errorf("Convert(F64).Convert(F32) = %v", got)
	}
	if y := x.Convert(F32); &y.Data[0] != &x.Data[0] {
		t.Error("Convert to the same dtype copied")
	}
	i := Tensor{DType: I64, Shape: []int{1}, Data: leBytes(8, 3)}
	if got := i.Convert(F32).Float32(); !slices.Equal(got, []float32{3}) {
		t.Errorf("I64 Convert(F32) = %v", got)
	}
}

func TestTensorPanics(t *testing.T) {
	mustPanic(t, "FromFloat32 length", "does not hold", func() { FromFloat32([]int{2, 2}, make([]float32, 3)) })
	mustPanic(t, "FromFloat64 length", "does not hold", func() { FromFloat64([]int{-1}, nil) })
	mustPanic(t, "Len negative", "invalid shape", func() { Tensor{Shape: []int{-1}}.Len() })
	mustPanic(t, "Float32 short data", "needs 8 bytes", func() { Tensor{DType: F32, Shape: []int{2}, Data: make([]byte, 4)}.Float32() })
	mustPanic(t, "Float64 no dtype", "unsupported dtype", func() { Tensor{Shape: []int{1}}.Float64() })
	mustPanic(t, "Convert to int", "not a floating-point", func() { FromFloat32([]int{1}, []float32{1}).Convert(I8) })
}

// TestTensorFloat32F16All checks the inlined fast path of Float32 against
// F16ToFloat32 on every binary16 pattern.
func TestTensorFloat32F16All(t *testing.T) {
	all := make([]uint64, 1<<16)
	for h := range all {
		all[h] = uint64(h)
	}
	got := Tensor{DType: F16, Shape: []int{1 << 16}, Data: leBytes(2, all...)}.Float32()
	for h, f := range got {
		if want := F16ToFloat32(uint16(h)); math.Float32bits(f) != math.Float32bits(want) {
			t.Fatalf("Float32 of F16 %#04x = %#08x, want %#08x", h, math.Float32bits(f), math.Float32bits(want))
		}
	}
}
