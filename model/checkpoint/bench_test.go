package checkpoint

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchTensors returns n F32 tensors of rows×cols seeded values.
func benchTensors(n, rows, cols int) map[string]Tensor {
	rng := rand.New(rand.NewPCG(1, 2))
	ts := make(map[string]Tensor, n)
	for i := range n {
		v := make([]float32, rows*cols)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		ts["encoder.layer."+strconv.Itoa(i)+".weight"] = FromFloat32([]int{rows, cols}, v)
	}
	return ts
}

// benchmarkRead measures reading a file of about 100 MB (25 tensors of
// 1024×1024 float32) made by write.
func benchmarkRead(b *testing.B, name string, write func(path string, ts map[string]Tensor)) {
	path := filepath.Join(b.TempDir(), name)
	write(path, benchTensors(25, 1024, 1024))
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		ts, err := ReadFile(path)
		if err != nil || len(ts) != 25 {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadSafetensors100MB(b *testing.B) {
	benchmarkRead(b, "model.safetensors", func(path string, ts map[string]Tensor) {
		if err := WriteSafetensors(path, ts, map[string]string{"format": "pt"}); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkReadPyTorch100MB(b *testing.B) {
	benchmarkRead(b, "pytorch_model.bin", func(path string, ts map[string]Tensor) {
		var items []pk
		storages := map[string][]byte{}
		i := 0
		for name, t := range ts {
			key := strconv.Itoa(i)
			i++
			n := int32(t.Len())
			items = append(items, pk{}.str(name).tensor(key, n, 0, []int32{int32(t.Shape[0]), int32(t.Shape[1])}, []int32{int32(t.Shape[1]), 1}))
			storages[key] = t.Data
		}
		if err := os.WriteFile(path, torchZip(b, stateDict(items...), storages), 0o644); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkWriteSafetensors100MB(b *testing.B) {
	ts := benchTensors(25, 1024, 1024)
	path := filepath.Join(b.TempDir(), "model.safetensors")
	b.SetBytes(25 * 1024 * 1024 * 4)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteSafetensors(path, ts, map[string]string{"format": "pt"}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchmarkFloat32 measures the conversion of 1M elements of type d.
func benchmarkFloat32(b *testing.B, d DType) {
	t := FromFloat32([]int{1 << 20}, benchTensors(1, 1<<10, 1<<10)["encoder.layer.0.weight"].Float32()).Convert(d)
	b.SetBytes(int64(len(t.Data)))
	b.ReportAllocs()
	for b.Loop() {
		_ = t.Float32()
	}
}

func BenchmarkFloat32FromF16(b *testing.B)  { benchmarkFloat32(b, F16) }
func BenchmarkFloat32FromBF16(b *testing.B) { benchmarkFloat32(b, BF16) }
func BenchmarkFloat32FromF64(b *testing.B)  { benchmarkFloat32(b, F64) }
