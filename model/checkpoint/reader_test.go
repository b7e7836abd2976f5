package checkpoint

import (
	"bytes"
	"errors"
	"slices"
	"sync"
	"testing"
)

// TestReaderMatchesReadFile opens each test file and reads every tensor one
// at a time, in reverse order, comparing with ReadFile.
func TestReaderMatchesReadFile(t *testing.T) {
	for _, file := range []string{"testdata/tiny-bert.safetensors", "testdata/tiny-bert.bin", "testdata/mixed.bin",
		"testdata/mixed_p4.bin", "testdata/mixed.safetensors", "testdata/mixed_legacy.bin", "testdata/module.bin", "testdata/tiny-bert-grads-f64.safetensors"} {
		all, err := ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Open(file)
		if err != nil {
			t.Fatalf("Open(%s): %v", file, err)
		}
		names := r.Names()
		if !slices.IsSorted(names) || len(names) != len(all) {
			t.Errorf("Open(%s).Names(): %d names, want %d sorted", file, len(names), len(all))
		}
		slices.Reverse(names)
		for _, name := range names {
			dtype, shape, ok := r.Info(name)
			got, err := r.Tensor(name)
			want := all[name]
			if !ok || err != nil || dtype != want.DType || !slices.Equal(shape, want.Shape) ||
				got.DType != want.DType || !slices.Equal(got.Shape, want.Shape) || !bytes.Equal(got.Data, want.Data) {
				t.Errorf("Open(%s): tensor %q: info %v %v, Tensor err %v; differs from ReadFile", file, name, dtype, shape, err)
			}
		}
		if _, err := r.Tensor("no such tensor"); !errors.Is(err, ErrMissing) {
			t.Errorf("Open(%s).Tensor(absent) = %v, want ErrMissing", file, err)
		}
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	}
	r, err := Open("testdata/tiny-bert-grads-f64.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Metadata()["loss"] != "hard_negatives" {
		t.Errorf("Metadata() = %v", r.Metadata())
	}
	for _, file := range []string{"testdata/forbidden.bin", "testdata/README.md"} {
		if r, err := Open(file); err == nil {
			r.Close()
			t.Errorf("Open(%s) succeeded", file)
		}
	}
}

// TestReaderConcurrent reads every tensor from several goroutines at once
// (run with -race).
func TestReaderConcurrent(t *testing.T) {
	for _, file := range []string{"testdata/tiny-bert.safetensors", "testdata/tiny-bert.bin", "testdata/mixed_legacy.bin"} {
		r, err := Open(file)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4*len(r.Names()))
		for range 4 {
			for _, name := range r.Names() {
				wg.Go(func() {
					if _, err := r.Tensor(name); err != nil {
						errs <- err
					}
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("%s: %v", file, err)
		}
		r.Close()
	}
}
