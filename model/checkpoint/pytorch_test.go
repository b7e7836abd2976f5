package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// tensorGolden is one entry of testdata/mixed.json (made by gen_golden.py
// from PyTorch's own view of the tensors).
type tensorGolden struct {
	DType  string `json:"dtype"`
	Shape  []int  `json:"shape"`
	SHA256 string `json:"sha256"`
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func shaBytes(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestReadPyTorchMixed reads torch.save files with every dtype and awkward
// views (transposed, offset, tied, expanded, scalar, empty, Parameter) and
// compares each tensor with PyTorch's contiguous bytes.
func TestReadPyTorchMixed(t *testing.T) {
	var golden, module map[string]tensorGolden
	readJSON(t, "testdata/mixed.json", &golden)
	readJSON(t, "testdata/module.json", &module)
	for _, file := range []string{"testdata/mixed.bin", "testdata/mixed_p4.bin", "testdata/mixed.safetensors", "testdata/module.bin"} {
		golden := golden
		if strings.Contains(file, "module") {
			golden = module
		}
		tensors, err := ReadFile(file)
		if err != nil {
			t.Fatalf("ReadFile(%s): %v", file, err)
		}
		if len(tensors) != len(golden) {
			t.Errorf("ReadFile(%s): %d tensors, want %d", file, len(tensors), len(golden))
		}
		for name, g := range golden {
			got, ok := tensors[name]
			if !ok {
				t.Errorf("ReadFile(%s): no tensor %q", file, name)
				continue
			}
			if got.DType.String() != g.DType || !slices.Equal(got.Shape, g.Shape) || shaBytes(got.Data) != g.SHA256 {
				t.Errorf("ReadFile(%s)[%q] = %v %v sha %s, want %s %v sha %s", file, name,
					got.DType, got.Shape, shaBytes(got.Data)[:12], g.DType, g.Shape, g.SHA256[:12])
			}
		}
		// Tied names must not share memory: writing one must not change the other.
		a, b := tensors["f32.tied_a"].Data, tensors["f32.tied_b"].Data
		if len(a) > 0 && len(b) > 0 && &a[0] == &b[0] {
			t.Errorf("ReadFile(%s): tied tensors share memory", file)
		}
	}
}

// TestWriteSafetensorsMatchesPython rewrites the tensors torch saved in
// mixed.bin and compares with the bytes gen_golden.py wrote following
// Python safetensors' rules (dtype order, escaping, padding).
func TestWriteSafetensorsMatchesPython(t *testing.T) {
	tensors, err := ReadPyTorch("testdata/mixed.bin")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/mixed.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := EncodeSafetensors(&buf, tensors, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("EncodeSafetensors(mixed.bin tensors) differs from mixed.safetensors:\n got %.300q\nwant %.300q", buf.Bytes()[8:], want[8:])
	}
}

func TestReadPyTorchFixtureFloat32(t *testing.T) {
	pt, err := ReadPyTorch("testdata/tiny-bert.bin")
	if err != nil {
		t.Fatal(err)
	}
	w := pt["embeddings.word_embeddings.weight"]
	if w.DType != F32 || !slices.Equal(w.Shape, []int{1000, 32}) {
		t.Fatalf("word embeddings: %v %v", w.DType, w.Shape)
	}
	f := w.Float32()
	if len(f) != 32000 || &f[0] != (*float32)(unsafeDataPointer(w.Data)) {
		t.Errorf("Float32 of an F32 tensor read from .bin is a copy or has %d elements", len(f))
	}
}

func TestReadPyTorchRejects(t *testing.T) {
	for _, test := range []struct {
		file string
		err  error
		msg  string
	}{
		{"testdata/legacy.bin", ErrUnsupported, "legacy"},
		{"testdata/forbidden.bin", ErrForbidden, "torch.nn.modules.linear.Linear"},
	} {
		_, err := ReadFile(test.file)
		if !errors.Is(err, test.err) || !strings.Contains(err.Error(), test.msg) || !strings.Contains(err.Error(), test.file) {
			t.Errorf("ReadFile(%s) = %v, want %v naming the file and %q", test.file, err, test.err, test.msg)
		}
	}
}

// TestReadF64Grads reads the F64 training gradients and checks them against
// numpy's reading of the same file.
func TestReadF64Grads(t *testing.T) {
	var golden map[string]json.RawMessage
	readJSON(t, "testdata/grads-f64.json", &golden)
	tensors, meta, err := readSafetensorsFile("testdata/tiny-bert-grads-f64.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	var wantMeta map[string]string
	if err := json.Unmarshal(golden["__metadata__"], &wantMeta); err != nil {
		t.Fatal(err)
	}
	if len(meta) != len(wantMeta) || meta["loss"] != wantMeta["loss"] || meta["dtype"] != "float64" {
		t.Errorf("metadata = %v, want %v", meta, wantMeta)
	}
	for name, raw := range golden {
		if name == "__metadata__" {
			continue
		}
		var g struct {
			tensorGolden
			Sum   float64 `json:"sum"`
			First float64 `json:"first"`
		}
		if err := json.Unmarshal(raw, &g); err != nil {
			t.Fatal(err)
		}
		got := tensors[name]
		if got.DType != F64 || !slices.Equal(got.Shape, g.Shape) || shaBytes(got.Data) != g.SHA256 {
			t.Errorf("tensor %s: %v %v, want F64 %v with numpy's bytes", name, got.DType, got.Shape, g.Shape)
			continue
		}
		f := got.Float64()
		// numpy's pairwise sum and a plain sum agree to ~1e-16 relative.
		var sum float64
		for _, v := range f {
			sum += v
		}
		if f[0] != g.First || math.Abs(sum-g.Sum) > 1e-12*(1+math.Abs(g.Sum)) {
			t.Errorf("tensor %s: first %v sum %v, want %v and %v", name, f[0], sum, g.First, g.Sum)
		}
	}
	if len(tensors) != len(golden)-1 {
		t.Errorf("%d tensors, want %d", len(tensors), len(golden)-1)
	}
}
