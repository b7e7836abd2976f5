package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// stFile returns a safetensors file with the given header (not padded) and
// data bytes.
func stFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

// withLength returns a file whose 8-byte prefix declares n header bytes.
func withLength(n uint64, rest string) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
}

func TestDecodeSafetensorsHostile(t *testing.T) {
	const a4 = `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`
	for _, test := range []struct {
		name   string
		file   []byte
		err    error
		tensor string // tensor the error must name, if any
	}{
		{"empty file", nil, ErrTruncated, ""},
		{"7 bytes", []byte{1, 0, 0, 0, 0, 0, 0}, ErrTruncated, ""},
		{"header longer than file", withLength(100, "{}"), ErrTruncated, ""},
		{"header length over 100 MB", withLength(MaxHeaderSize+1, "{}"), ErrLimit, ""},
		{"header length 2^64-1", withLength(1<<64-1, "{}"), ErrLimit, ""},
		{"zero header length", withLength(0, ""), ErrHeader, ""},
		{"leading space", stFile(` {}`, nil), ErrHeader, ""},
		{"invalid UTF-8", stFile("{\"\xff\":{}}", nil), ErrHeader, ""},
		{"truncated JSON", stFile(`{"a":{"dtype":"F32"`, nil), ErrHeader, "a"},
		{"array header", stFile(`[]`, nil), ErrHeader, ""},
		{"trailing garbage", stFile(`{} x`, nil), ErrHeader, ""},
		{"two objects", stFile(`{}{}`, nil), ErrHeader, ""},
		{"duplicate tensor", stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), ErrHeader, "a"},
		{"duplicate metadata", stFile(`{"__metadata__":{},"__metadata__":{}}`, nil), ErrHeader, "__metadata__"},
		{"metadata not strings", stFile(`{"__metadata__":{"n":1}}`, nil), ErrHeader, ""},
		{"metadata nested deeply", stFile(`{"__metadata__":`+strings.Repeat("[", 20000)+`}`, nil), ErrHeader, "__metadata__"},
		{"unknown dtype", stFile(`{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}`, make([]byte, 1)), ErrDType, "a"},
		{"lower-case dtype", stFile(`{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrDType, "a"},
		{"no dtype", stFile(`{"a":{"shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrHeader, "a"},
		{"no shape", stFile(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, make([]byte, 4)), ErrHeader, "a"},
		{"null shape", stFile(`{"a":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, make([]byte, 4)), ErrHeader, "a"},
		{"three offsets", stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, make([]byte, 4)), ErrHeader, "a"},
		{"offsets as strings", stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":["0","4"]}}`, make([]byte, 4)), ErrHeader, "a"},
		{"entry not an object", stFile(`{"a":5}`, nil), ErrHeader, "a"},
		{"duplicate field", stFile(`{"a":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrHeader, "a"},
		{"field name case", stFile(`{"a":{"DTYPE":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrHeader, "a"},
		{"negative dimension", stFile(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrHeader, "a"},
		{"fractional dimension", stFile(`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrHeader, "a"},
		{"shape overflows", stFile(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrShape, "a"},
		{"dimension 2^64-1", stFile(`{"a":{"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrShape, "a"},
		{"end before begin", stFile(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}`, make([]byte, 4)), ErrOffsets, "a"},
		{"overlap", stFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)), ErrOffsets, "b"},
		{"same range twice", stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrOffsets, "b"},
		{"gap", stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, make([]byte, 12)), ErrOffsets, "b"},
		{"leading gap", stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), ErrOffsets, "a"},
		{"beyond the file", stFile(a4, make([]byte, 2)), ErrTruncated, "a"},
		{"offset 2^64-1", stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551615]}}`, make([]byte, 4)), ErrTruncated, "a"},
		{"trailing data", stFile(a4, make([]byte, 8)), ErrOffsets, ""},
		{"size mismatch", stFile(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrShape, "a"},
		{"empty tensor claims bytes", stFile(`{"a":{"dtype":"F32","shape":[0,3],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrShape, "a"},
	} {
		_, _, err := DecodeSafetensors(bytes.NewReader(test.file), int64(len(test.file)))
		fe, ok := errors.AsType[*FormatError](err)
		if !ok || !errors.Is(err, test.err) || fe.Tensor != test.tensor {
			t.Errorf("%s: DecodeSafetensors = %v, want %v naming tensor %q", test.name, err, test.err, test.tensor)
		}
	}
}

// TestDecodeSafetensorsAccepts lists unusual but valid files.
func TestDecodeSafetensorsAccepts(t *testing.T) {
	for _, test := range []struct {
		name string
		file []byte
		n    int
	}{
		{"empty object", stFile(`{}`, nil), 0},
		{"padding and metadata null", stFile(`{"__metadata__":null}      `, nil), 0},
		{"scalar", stFile(`{"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}`, make([]byte, 8)), 1},
		{"zero-size tensors", stFile(`{"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"f":{"dtype":"I8","shape":[2,0],"data_offsets":[0,0]}}`, nil), 2},
		{"unsorted entries", stFile(`{"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{7, 9}), 2},
		{"unknown fields ignored", stFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":true}}`, []byte{7}), 1},
	} {
		tensors, _, err := DecodeSafetensors(bytes.NewReader(test.file), int64(len(test.file)))
		if err != nil || len(tensors) != test.n {
			t.Errorf("%s: DecodeSafetensors = %d tensors, %v; want %d", test.name, len(tensors), err, test.n)
		}
	}
}

// TestEncodeSafetensorsReference checks the writer against the byte
// vectors in the reference implementation's own tests (Rust safetensors,
// tensor.rs: test_serialization, test_empty,
// test_serialization_forced_alignement).
func TestEncodeSafetensorsReference(t *testing.T) {
	f := FromFloat32([]int{1, 2, 3}, []float32{0, 1, 2, 3, 4, 5})
	data := []byte{0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64}
	for _, test := range []struct {
		name    string
		tensors map[string]Tensor
		meta    map[string]string
		want    []byte
	}{
		{"attn.0", map[string]Tensor{"attn.0": f}, nil,
			append(stFile(`{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`, nil), data...)},
		{"empty", nil, nil, []byte{8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32}},
		{"empty with metadata", nil, map[string]string{"framework": "pt"},
			stFile(`{"__metadata__":{"framework":"pt"}}     `, nil)},
		{"forced alignment", map[string]Tensor{"attn0": {DType: F32, Shape: []int{1, 1, 2, 3}, Data: f.Data}}, nil,
			append(stFile(`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       `, nil), data...)},
	} {
		var buf bytes.Buffer
		if err := EncodeSafetensors(&buf, test.tensors, test.meta); err != nil {
			t.Fatalf("%s: %v", test.name, err)
		}
		if !bytes.Equal(buf.Bytes(), test.want) {
			t.Errorf("%s: EncodeSafetensors =\n%q\nwant\n%q", test.name, buf.Bytes(), test.want)
		}
	}
}

func TestEncodeSafetensorsRejects(t *testing.T) {
	good := FromFloat32([]int{2}, []float32{1, 2})
	for _, test := range []struct {
		name    string
		tensors map[string]Tensor
		meta    map[string]string
		err     error
	}{
		{"short data", map[string]Tensor{"a": {DType: F32, Shape: []int{3}, Data: good.Data}}, nil, ErrShape},
		{"no dtype", map[string]Tensor{"a": {Shape: []int{2}, Data: good.Data}}, nil, ErrDType},
		{"negative dim", map[string]Tensor{"a": {DType: U8, Shape: []int{-1}}}, nil, ErrShape},
		{"reserved name", map[string]Tensor{"__metadata__": good}, nil, ErrHeader},
		{"invalid UTF-8 name", map[string]Tensor{"\xff": good}, nil, ErrHeader},
		{"invalid UTF-8 metadata", map[string]Tensor{"a": good}, map[string]string{"k": "\xfe"}, ErrHeader},
	} {
		err := EncodeSafetensors(&bytes.Buffer{}, test.tensors, test.meta)
		if !errors.Is(err, test.err) {
			t.Errorf("%s: EncodeSafetensors = %v, want %v", test.name, err, test.err)
		}
	}
}
