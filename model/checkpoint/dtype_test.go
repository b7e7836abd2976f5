package checkpoint

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"testing"
)

// halfGolden is testdata/halfconv.json, made by gen_golden.py with numpy
// and PyTorch.
type halfGolden struct {
	F16ToF32All    string `json:"f16_to_f32_all"`
	SampleCount    int    `json:"sample_count"`
	SampleSHA256   string `json:"sample_sha256"`
	F32ToF16NonNaN string `json:"f32_to_f16_nonnan"`
	F32ToBF16      string `json:"f32_to_bf16"`
}

func readHalfGolden(t *testing.T) halfGolden {
	t.Helper()
	b, err := os.ReadFile("testdata/halfconv.json")
	if err != nil {
		t.Fatal(err)
	}
	var g halfGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// halfSample returns the float32 bit patterns of gen_golden.py's
// half_sample: every 65,537th pattern plus ±4096 patterns around the
// binary16 subnormal, normal and overflow boundaries, both signs.
func halfSample() []uint32 {
	var s []uint32
	for i := range uint32(65536) {
		s = append(s, i*65537)
	}
	for _, e := range []uint32{0x33000000, 0x33800000, 0x38000000, 0x38800000, 0x477FE000, 0x477FF000, 0x47800000} {
		for d := int32(-4096); d <= 4096; d++ {
			p := uint32(int32(e) + d)
			s = append(s, p, p|0x80000000)
		}
	}
	return s
}

func sha16(v []uint16) string {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func sha32(v []uint32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestF16ToFloat32Numpy compares all 65,536 conversions with numpy's table.
func TestF16ToFloat32Numpy(t *testing.T) {
	g := readHalfGolden(t)
	all := make([]uint32, 65536)
	for h := range all {
		all[h] = math.Float32bits(F16ToFloat32(uint16(h)))
	}
	if got := sha32(all); got != g.F16ToF32All {
		t.Errorf("SHA-256 of F16ToFloat32 over all patterns = %s, want numpy's %s", got, g.F16ToF32All)
	}
}

// TestF16ToFloat32Exact checks every pattern against the definition of
// binary16, computed independently in float64.
func TestF16ToFloat32Exact(t *testing.T) {
	for h := range 65536 {
		sign := 1.0
		if h&0x8000 != 0 {
			sign = -1
		}
		exp, mant := h>>10&0x1f, h&0x3ff
		got := F16ToFloat32(uint16(h))
		var want float64
		switch exp {
		case 0:
			want = sign * math.Ldexp(float64(mant), -24)
		case 0x1f:
			if mant == 0 {
				want = math.Inf(int(sign))
			} else {
				b := math.Float32bits(got)
				if !math.IsNaN(float64(got)) || b>>31 != uint32(h>>15) || b&0x7fffff != uint32(mant)<<13 {
					t.Errorf("F16ToFloat32(%#04x) = %#08x, want a NaN with the same sign and payload", h, b)
				}
				continue
			}
		default:
			want = sign * math.Ldexp(float64(mant|0x400), exp-25)
		}
		if float64(got) != want || math.Signbit(float64(got)) != (sign < 0) {
			t.Errorf("F16ToFloat32(%#04x) = %v, want %v", h, got, want)
		}
	}
}

// TestFloat32ToF16 checks the rounding conversion against numpy on the
// sample and round trips every binary16 value.
func TestFloat32ToF16(t *testing.T) {
	g := readHalfGolden(t)
	s := halfSample()
	if len(s) != g.SampleCount || sha32(s) != g.SampleSHA256 {
		t.Fatalf("halfSample differs from gen_golden.py's sample (%d patterns)", len(s))
	}
	var f16, bf16 []uint16
	for _, p := range s {
		f := math.Float32frombits(p)
		if !math.IsNaN(float64(f)) {
			f16 = append(f16, Float32ToF16(f))
		}
		bf16 = append(bf16, Float32ToBF16(f))
	}
	if got := sha16(f16); got != g.F32ToF16NonNaN {
		t.Errorf("SHA-256 of Float32ToF16 over the sample = %s, want numpy's %s", got, g.F32ToF16NonNaN)
	}
	if got := sha16(bf16); got != g.F32ToBF16 {
		t.Errorf("SHA-256 of Float32ToBF16 over the sample = %s, want torch's %s", got, g.F32ToBF16)
	}
	for h := range 65536 {
		f := F16ToFloat32(uint16(h))
		back := Float32ToF16(f)
		if math.IsNaN(float64(f)) {
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 || back&0x8000 != uint16(h)&0x8000 || back&0x200 == 0 {
				t.Errorf("Float32ToF16(NaN %#04x) = %#04x, want a quiet NaN of the same sign", h, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Errorf("Float32ToF16(F16ToFloat32(%#04x)) = %#04x", h, back)
		}
	}
}

func TestBF16RoundTrip(t *testing.T) {
	for b := range 65536 {
		f := BF16ToFloat32(uint16(b))
		if math.Float32bits(f) != uint32(b)<<16 {
			t.Fatalf("BF16ToFloat32(%#04x) = %#08x", b, math.Float32bits(f))
		}
		if math.IsNaN(float64(f)) {
			continue
		}
		if back := Float32ToBF16(f); back != uint16(b) {
			t.Errorf("Float32ToBF16(BF16ToFloat32(%#04x)) = %#04x", b, back)
		}
	}
}

func TestDTypeString(t *testing.T) {
	for _, test := range []struct {
		d    DType
		want string
		size int
	}{
		{F32, "F32", 4}, {F16, "F16", 2}, {BF16, "BF16", 2}, {F64, "F64", 8}, {I64, "I64", 8},
		{Bool, "BOOL", 1}, {U8, "U8", 1}, {0, "DType(0)", 0}, {numDTypes, "DType(14)", 0},
	} {
		if got := test.d.String(); got != test.want {
			t.Errorf("DType(%d).String() = %q, want %q", test.d, got, test.want)
		}
		if got := test.d.Size(); got != test.size {
			t.Errorf("%v.Size() = %d, want %d", test.d, got, test.size)
		}
		if d, ok := parseDType(test.want); test.size > 0 && (!ok || d != test.d) {
			t.Errorf("parseDType(%q) = %v, %v", test.want, d, ok)
		}
	}
}
