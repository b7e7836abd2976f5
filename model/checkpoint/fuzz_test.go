package checkpoint

import (
	"bytes"
	"os"
	"slices"
	"testing"
)

// The seeds are whole files of a few kilobytes. Run the fuzzers with a short
// minimization time, for example
//
//	go test -run XXX -fuzz '^FuzzDecodeSafetensors$' -fuzztime 1m -fuzzminimizetime 1s
//
// otherwise the engine spends up to a minute shrinking each new interesting
// input, which shows as "0/sec" in its progress lines (measured: 27
// executions in 20 s with the default, 680,000 with 1s).

// FuzzDecodeSafetensors checks that no input panics or allocates beyond its
// size, and that whatever decodes re-encodes to a file that decodes to the
// same tensors and metadata.
func FuzzDecodeSafetensors(f *testing.F) {
	for _, name := range []string{"testdata/labse-dense.safetensors", "testdata/mixed.safetensors"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)))
	f.Fuzz(func(t *testing.T, data []byte) {
		tensors, meta, err := DecodeSafetensors(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %v is a %T, not a *FormatError", err, err)
			}
			return
		}
		var buf bytes.Buffer
		if err := EncodeSafetensors(&buf, tensors, meta); err != nil {
			// Only names or metadata the writer refuses can fail.
			return
		}
		back, meta2, err := DecodeSafetensors(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("re-encoded file does not decode: %v", err)
		}
		if len(back) != len(tensors) || len(meta2) != len(meta) {
			t.Fatalf("round trip: %d tensors %d metadata, want %d and %d", len(back), len(meta2), len(tensors), len(meta))
		}
		for name, a := range tensors {
			b := back[name]
			if a.DType != b.DType || !slices.Equal(a.Shape, b.Shape) || !bytes.Equal(a.Data, b.Data) {
				t.Fatalf("round trip changed tensor %q", name)
			}
		}
		for k, v := range meta {
			if meta2[k] != v {
				t.Fatalf("round trip changed metadata %q", k)
			}
		}
	})
}

// FuzzUnpickle runs the restricted unpickler on arbitrary bytes with a
// persistent loader that accepts any well-formed storage id.
func FuzzUnpickle(f *testing.F) {
	f.Add([]byte(stateDict(pk{}.str("w").tensor("0", 6, 0, []int32{2, 3}, []int32{3, 1}))))
	f.Add([]byte(pk{0x80, 4}.str("builtins").str("eval").op(0x93, '.')))
	f.Add([]byte(pk{0x80, 2, '(', 'N', 'N', 'N', 'u', '}', 'h', 0, '.'}))
	f.Fuzz(func(t *testing.T, data []byte) {
		load := func(pid pyTuple) (*storageRef, error) {
			if len(pid) != 5 {
				return nil, &FormatError{Err: ErrPickle}
			}
			n, ok := pid[4].(int64)
			if !ok || n < 0 || n > 1<<20 {
				return nil, &FormatError{Err: ErrPickle}
			}
			return &storageRef{key: "0", dtype: F32, numel: n}, nil
		}
		obj, err := unpickle(data, load)
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %v is a %T, not a *FormatError", err, err)
			}
			return
		}
		if d, ok := obj.(*pyDict); ok {
			for _, v := range d.values {
				if r, ok := v.(*tensorRef); ok {
					if n, err := r.check(); err == nil && n <= 1<<24 {
						r.gather(make([]byte, 4*r.storage.numel))
					}
				}
			}
		}
	})
}

// FuzzDecodePyTorch runs the whole .bin reader (zip, pickle, storages) on
// arbitrary bytes.
func FuzzDecodePyTorch(f *testing.F) {
	for _, name := range []string{"testdata/mixed.bin", "testdata/mixed_p4.bin", "testdata/mixed_legacy.bin", "testdata/mixed_legacy_p4.bin"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(goodLegacy().bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		tensors, err := DecodePyTorch(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %v is a %T, not a *FormatError", err, err)
			}
			return
		}
		for name, tt := range tensors {
			if err := tt.check(); err != nil {
				t.Fatalf("tensor %q is invalid: %v", name, err)
			}
		}
	})
}
