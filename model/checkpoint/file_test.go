package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeShards splits the tiny-bert tensors into two shards of the given
// format and writes an index for them, returning the index path.
func writeShards(t *testing.T, dir string, binShard bool) (string, map[string]Tensor) {
	t.Helper()
	all, err := ReadFile("testdata/tiny-bert.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	a, b := map[string]Tensor{}, map[string]Tensor{}
	var m strings.Builder
	m.WriteString(`{"metadata":{"total_size":1},"weight_map":{`)
	first := true
	for name, tt := range all {
		shard := "model-00001-of-00002.safetensors"
		if strings.Contains(name, "layer.1") {
			b[name] = tt
			shard = "model-00002-of-00002.safetensors"
			if binShard {
				shard = "pytorch_model-00002-of-00002.bin"
			}
		} else {
			a[name] = tt
		}
		if !first {
			m.WriteByte(',')
		}
		first = false
		m.WriteString(`"` + name + `":"` + shard + `"`)
	}
	m.WriteString("}}")
	if err := WriteSafetensors(filepath.Join(dir, "model-00001-of-00002.safetensors"), a, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	if binShard {
		// A .bin shard with the second half: the fixture .bin holds every
		// tensor, so it plays the shard with unlisted extras removed below.
		src, _ := os.ReadFile("testdata/tiny-bert.bin")
		os.WriteFile(filepath.Join(dir, "pytorch_model-00002-of-00002.bin"), src, 0o644)
	} else if err := WriteSafetensors(filepath.Join(dir, "model-00002-of-00002.safetensors"), b, nil); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(dir, "model.safetensors.index.json")
	if err := os.WriteFile(index, []byte(m.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return index, all
}

func TestReadSharded(t *testing.T) {
	dir := t.TempDir()
	index, all := writeShards(t, dir, false)
	got, err := ReadFile(index)
	if err != nil {
		t.Fatalf("ReadFile(index): %v", err)
	}
	if len(got) != len(all) {
		t.Fatalf("ReadFile(index): %d tensors, want %d", len(got), len(all))
	}
	for name, want := range all {
		if !bytes.Equal(got[name].Data, want.Data) {
			t.Errorf("tensor %s differs after sharding", name)
		}
	}
}

func TestReadShardedRejects(t *testing.T) {
	dir := t.TempDir()
	index, _ := writeShards(t, dir, true) // the .bin shard has unlisted tensors
	if _, err := ReadFile(index); !errors.Is(err, ErrHeader) || !strings.Contains(err.Error(), "not listed") {
		t.Errorf("ReadFile(index with unlisted shard tensors) = %v, want ErrHeader", err)
	}
	for _, test := range []struct {
		name, index string
		err         error
	}{
		{"missing tensor", `{"weight_map":{"nope":"model-00001-of-00002.safetensors"}}`, ErrMissing},
		{"escaping shard", `{"weight_map":{"a":"../x.safetensors"}}`, ErrHeader},
		{"absolute shard", `{"weight_map":{"a":"/etc/passwd"}}`, ErrHeader},
		{"no weight_map", `{"metadata":{}}`, ErrHeader},
		{"not JSON", `{"weight_map":`, ErrHeader},
		{"self-reference", `{"weight_map":{"a":"x.index.json"}}`, ErrHeader},
	} {
		path := filepath.Join(dir, "bad.index.json")
		os.WriteFile(path, []byte(test.index), 0o644)
		_, err := ReadFile(path)
		if !errors.Is(err, test.err) {
			t.Errorf("%s: ReadFile = %v, want %v", test.name, err, test.err)
		}
	}
}

func TestReadFileKinds(t *testing.T) {
	dir := t.TempDir()
	for _, test := range []struct {
		name    string
		content []byte
		err     error
	}{
		{"text.safetensors", []byte("hello, world"), ErrLimit},
		{"short.safetensors", []byte{2, 0, 0, 0, 0, 0, 0, 0, '{'}, ErrTruncated},
		{"text.txt", []byte("hello, world"), ErrUnsupported},
		{"empty.bin", nil, ErrUnsupported},
		{"empty-zip.pt", []byte("PK\x05\x06" + strings.Repeat("\x00", 18)), ErrUnsupported},
		{"truncated-legacy.pt", []byte{0x80, 2, 0x8a, 0x0a, 0x6c, 0xfc}, ErrPickle},
		{"st-named.bin", stFile(`{}`, nil), nil},
	} {
		path := filepath.Join(dir, test.name)
		os.WriteFile(path, test.content, 0o644)
		_, err := ReadFile(path)
		if !errors.Is(err, test.err) || (err != nil && !strings.Contains(err.Error(), path)) {
			t.Errorf("ReadFile(%s) = %v, want %v naming the file", test.name, err, test.err)
		}
	}
	if _, err := ReadFile(filepath.Join(dir, "absent.safetensors")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(absent) = %v, want os.ErrNotExist", err)
	}
}

func TestWriteSafetensorsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A failing write leaves the old file and no temporary file.
	bad := map[string]Tensor{"a": {DType: F32, Shape: []int{2}}}
	if err := WriteSafetensors(path, bad, nil); !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), path) {
		t.Errorf("WriteSafetensors(invalid) = %v, want ErrShape naming the file", err)
	}
	if err := WriteSafetensors(filepath.Join(dir, "no/such/dir/x.safetensors"), nil, nil); err == nil {
		t.Error("WriteSafetensors into a missing directory succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("after failed writes the file holds %q", b)
	}
	want := map[string]Tensor{"x": FromFloat32([]int{2, 2}, []float32{1, -2, 3.5, 0})}
	if err := WriteSafetensors(path, want, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSafetensors(path)
	if err != nil || !bytes.Equal(got["x"].Data, want["x"].Data) {
		t.Errorf("ReadSafetensors(WriteSafetensors(x)) = %v, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after writes, want 1 (no temporary files)", len(entries))
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("written file mode %v, want 0644", st.Mode())
	}
}

// TestReadShardedPyTorch reads a pytorch_model.bin.index.json over two
// torch.save shards.
func TestReadShardedPyTorch(t *testing.T) {
	dir := t.TempDir()
	want := map[string]Tensor{}
	var m strings.Builder
	m.WriteString(`{"metadata":{},"weight_map":{`)
	for i, src := range []string{"testdata/mixed.bin", "testdata/module.bin"} {
		shard := []string{"pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"}[i]
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, shard), b, 0o644)
		ts, err := ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for name, tt := range ts {
			if len(want) > 0 {
				m.WriteByte(',')
			}
			want[name] = tt
			q, _ := json.Marshal(name)
			m.WriteString(string(q) + `:"` + shard + `"`)
		}
	}
	m.WriteString("}}")
	index := filepath.Join(dir, "pytorch_model.bin.index.json")
	os.WriteFile(index, []byte(m.String()), 0o644)
	got, err := ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("ReadFile(index): %d tensors, want %d", len(got), len(want))
	}
	for name, w := range want {
		if !bytes.Equal(got[name].Data, w.Data) || !slices.Equal(got[name].Shape, w.Shape) {
			t.Errorf("tensor %q differs", name)
		}
	}
}
