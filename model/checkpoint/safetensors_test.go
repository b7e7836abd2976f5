package checkpoint

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestReadSafetensorsFixtureRoundTrip(t *testing.T) {
	for _, name := range []string{"tiny-bert.safetensors", "labse-dense.safetensors"} {
		path := filepath.Join("testdata", name)
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		tensors, err := ReadSafetensors(path)
		if err != nil {
			t.Fatalf("ReadSafetensors(%s): %v", name, err)
		}
		meta, err := ReadSafetensorsMetadata(path)
		if err != nil {
			t.Fatalf("ReadSafetensorsMetadata(%s): %v", name, err)
		}
		if len(meta) != 1 || meta["format"] != "pt" {
			t.Errorf("ReadSafetensorsMetadata(%s) = %v, want format pt", name, meta)
		}
		var buf bytes.Buffer
		if err := EncodeSafetensors(&buf, tensors, meta); err != nil {
			t.Fatalf("EncodeSafetensors(%s): %v", name, err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("EncodeSafetensors(ReadSafetensors(%s)) differs from the file (%d vs %d bytes)", name, buf.Len(), len(want))
		}
		out := filepath.Join(t.TempDir(), name)
		if err := WriteSafetensors(out, tensors, meta); err != nil {
			t.Fatalf("WriteSafetensors: %v", err)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("WriteSafetensors(ReadSafetensors(%s)) differs from the file", name)
		}
	}
}

func TestDecodeSafetensorsErrorsNameTensor(t *testing.T) {
	data := []byte(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`)
	for len(data)%8 != 0 {
		data = append(data, ' ')
	}
	file := append([]byte{byte(len(data)), 0, 0, 0, 0, 0, 0, 0}, data...)
	file = append(file, 0, 0, 0, 0)
	_, _, err := DecodeSafetensors(bytes.NewReader(file), int64(len(file)))
	fe, ok := errors.AsType[*FormatError](err)
	if !ok || fe.Tensor != "a" || !errors.Is(err, ErrShape) {
		t.Errorf("DecodeSafetensors(shape mismatch) = %v, want *FormatError for tensor a wrapping ErrShape", err)
	}
}

func TestReadPyTorchMatchesSafetensors(t *testing.T) {
	st, err := ReadFile("testdata/tiny-bert.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	pt, err := ReadFile("testdata/tiny-bert.bin")
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != len(pt) {
		t.Fatalf("%d tensors in .safetensors, %d in .bin", len(st), len(pt))
	}
	for name, a := range st {
		b, ok := pt[name]
		if !ok || a.DType != b.DType || !slices.Equal(a.Shape, b.Shape) || !bytes.Equal(a.Data, b.Data) {
			t.Errorf("tensor %s differs between .safetensors and .bin", name)
		}
	}
}

// TestEncodeSafetensorsMatchesPythonLibrary rewrites a file written by
// Python's safetensors library itself (model2vec's test model: F64, F32
// and I32 tensors, no metadata) and compares byte for byte: this checks
// the dtype-then-name order and the padding against the reference writer.
func TestEncodeSafetensorsMatchesPythonLibrary(t *testing.T) {
	const path = "testdata/model2vec-quantized.safetensors"
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tensors, meta, err := readSafetensorsFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta != nil || len(tensors) != 3 || tensors["mapping"].DType != I32 || tensors["weights"].DType != F64 {
		t.Fatalf("ReadSafetensors(%s): metadata %v, %d tensors", path, meta, len(tensors))
	}
	var buf bytes.Buffer
	if err := EncodeSafetensors(&buf, tensors, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("EncodeSafetensors differs from the Python library's file:\n got %.200q\nwant %.200q", buf.Bytes()[8:], want[8:])
	}
}
