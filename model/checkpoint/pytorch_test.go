package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
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
	for _, file := range []string{"testdata/mixed.bin", "testdata/mixed_p4.bin", "testdata/mixed.safetensors",
		"testdata/mixed_legacy.bin", "testdata/mixed_legacy_p4.bin", "testdata/module.bin"} {
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

// TestGatherRandomViews compares gather with a direct evaluation of
// offset + Σ index·stride on random valid views.
func TestGatherRandomViews(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const numel = 200
	buf := make([]byte, numel)
	for i := range buf {
		buf[i] = byte(i)
	}
	s := &storageRef{key: "0", dtype: U8, numel: numel}
	for range 2000 {
		dims := rng.IntN(4)
		v := &tensorRef{storage: s, offset: rng.Int64N(numel), size: make([]int64, dims), stride: make([]int64, dims)}
		for d := range dims {
			v.size[d] = rng.Int64N(5)
			v.stride[d] = rng.Int64N(12)
		}
		if _, err := v.check(); err != nil {
			continue
		}
		got := v.gather(buf)
		n := v.numel()
		if len(got) != n {
			t.Fatalf("gather(%+v): %d bytes, want %d", v, len(got), n)
		}
		idx := make([]int64, dims)
		for i := range n {
			// Row-major index of element i.
			rem := int64(i)
			src := v.offset
			for d := dims - 1; d >= 0; d-- {
				idx[d] = rem % v.size[d]
				rem /= v.size[d]
				src += idx[d] * v.stride[d]
			}
			if got[i] != buf[src] {
				t.Fatalf("gather(offset %d size %v stride %v)[%d] = %d, want %d", v.offset, v.size, v.stride, i, got[i], buf[src])
			}
		}
	}
}

// TestWriteSafetensorsF64RoundTrip rewrites the F64 gradients file: the
// data section is identical and the tensors and metadata read back equal.
// (The header differs only in the order of the metadata keys, which this
// package sorts and the fixture's writer did not.)
func TestWriteSafetensorsF64RoundTrip(t *testing.T) {
	const src = "testdata/tiny-bert-grads-f64.safetensors"
	tensors, meta, err := readSafetensorsFile(src)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir() + "/grads.safetensors"
	if err := WriteSafetensors(out, tensors, meta); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(src)
	b, _ := os.ReadFile(out)
	data := len(a) - 8 - int(binary.LittleEndian.Uint64(a)) // the data section's length
	if len(a) != len(b) || !bytes.Equal(a[len(a)-data:], b[len(b)-data:]) {
		t.Errorf("rewritten file: %d bytes, want %d with the same data section", len(b), len(a))
	}
	back, meta2, err := readSafetensorsFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range tensors {
		if got := back[name]; !bytes.Equal(got.Data, want.Data) || !slices.Equal(got.Shape, want.Shape) || got.DType != F64 {
			t.Errorf("tensor %s changed", name)
		}
	}
	if len(meta2) != 3 || meta2["loss"] != meta["loss"] || meta2["dtype"] != meta["dtype"] || meta2["format"] != "pt" {
		t.Errorf("metadata %v, want %v", meta2, meta)
	}
}
