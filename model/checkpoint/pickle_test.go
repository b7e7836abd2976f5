package checkpoint

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// pk builds pickles by opcode, for tests.
type pk []byte

func (p pk) op(b ...byte) pk { return append(p, b...) }
func (p pk) str(s string) pk {
	p = append(p, 'X')
	p = binary.LittleEndian.AppendUint32(p, uint32(len(s)))
	return append(p, s...)
}
func (p pk) int(n int32) pk { return binary.LittleEndian.AppendUint32(append(p, 'J'), uint32(n)) }
func (p pk) global(module, name string) pk {
	return append(p, "c"+module+"\n"+name+"\n"...)
}
func (p pk) ints(v ...int32) pk {
	p = p.op('(')
	for _, x := range v {
		p = p.int(x)
	}
	return p.op('t')
}

// tensor appends a _rebuild_tensor_v2 call of a FloatStorage.
func (p pk) tensor(storage string, numel, offset int32, size, stride []int32) pk {
	p = p.global("torch._utils", "_rebuild_tensor_v2").op('(')
	p = p.op('(').str("storage").global("torch", "FloatStorage").str(storage).str("cpu").int(numel).op('t', 'Q')
	p = p.int(offset).ints(size...).ints(stride...).op(0x89)
	p = p.global("collections", "OrderedDict").op(')', 'R')
	return p.op('t', 'R')
}

// stateDict returns a protocol-2 pickle of an OrderedDict with the given
// key/value pickles.
func stateDict(items ...pk) pk {
	p := pk{0x80, 2}.global("collections", "OrderedDict").op(')', 'R', '(')
	for _, it := range items {
		p = append(p, it...)
	}
	return p.op('u', '.')
}

// torchZip returns a torch.save-like zip with data.pkl and the storages.
func torchZip(t testing.TB, pickle []byte, storages map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	add := func(name string, b []byte) {
		f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		f.Write(b)
	}
	add("archive/data.pkl", pickle)
	for k, b := range storages {
		add("archive/data/"+k, b)
	}
	add("archive/version", []byte("3\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func f32s(v ...float32) []byte { return FromFloat32([]int{len(v)}, v).Data }

func TestDecodePyTorchBuilt(t *testing.T) {
	p := stateDict(
		pk{}.str("w").tensor("0", 6, 0, []int32{2, 3}, []int32{3, 1}),
		pk{}.str("wt").tensor("0", 6, 0, []int32{3, 2}, []int32{1, 3}),
		pk{}.str("row1").tensor("0", 6, 3, []int32{3}, []int32{1}),
	)
	z := torchZip(t, p, map[string][]byte{"0": f32s(1, 2, 3, 4, 5, 6)})
	tensors, err := DecodePyTorch(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]float32{"w": {1, 2, 3, 4, 5, 6}, "wt": {1, 4, 2, 5, 3, 6}, "row1": {4, 5, 6}} {
		if got := tensors[name].Float32(); !slicesEqual(got, want) {
			t.Errorf("tensor %s = %v, want %v", name, got, want)
		}
	}
}

func slicesEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDecodePyTorchHostile(t *testing.T) {
	six := map[string][]byte{"0": f32s(1, 2, 3, 4, 5, 6)}
	w := func(numel, offset int32, size, stride []int32) pk {
		return stateDict(pk{}.str("w").tensor("0", numel, offset, size, stride))
	}
	for _, test := range []struct {
		name     string
		pickle   []byte
		storages map[string][]byte
		err      error
		msg      string // the error text must contain it
	}{
		{"empty pickle", nil, nil, ErrPickle, "no STOP"},
		{"only PROTO", pk{0x80, 2}, nil, ErrPickle, "no STOP"},
		{"STOP on empty stack", pk{0x80, 2, '.'}, nil, ErrPickle, "underflow"},
		{"protocol 6", pk{0x80, 6, 'N', '.'}, nil, ErrPickle, "protocol"},
		{"os.system", pk{0x80, 2}.global("os", "system").str("echo pwned").op(0x85, 'R', '.'), nil, ErrForbidden, "os.system"},
		{"builtins.eval by STACK_GLOBAL", pk{0x80, 4}.str("builtins").str("eval").op(0x93, '.'), nil, ErrForbidden, "builtins.eval"},
		{"numpy global", stateDict(pk{}.str("x").global("numpy.core.multiarray", "_reconstruct")), nil, ErrForbidden, "numpy"},
		{"forbidden global names the key", stateDict(pk{}.str("layer.weight").global("torch.nn", "Linear")), nil, ErrForbidden, `tensor "layer.weight"`},
		{"calling a storage class", pk{0x80, 2}.global("torch", "FloatStorage").op(')', 'R', '.'), nil, ErrForbidden, "FloatStorage"},
		{"calling a string", pk{0x80, 2}.str("f").op(')', 'R', '.'), nil, ErrPickle, "call of str"},
		{"OrderedDict with arguments", pk{0x80, 2}.global("collections", "OrderedDict").op('N', 0x85, 'R', '.'), nil, ErrPickle, "arguments"},
		{"string past the end", pk{0x80, 2, 'X', 0, 0, 0, 0x80}, nil, ErrPickle, "past the end"},
		{"BINUNICODE8 2^63", pk{0x80, 4, 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x80}, nil, ErrPickle, "past the end"},
		{"BINBYTES 4 GiB", pk{0x80, 4, 'B', 0xff, 0xff, 0xff, 0xff}, nil, ErrPickle, "past the end"},
		{"LONG4 of 2^31 bytes", pk{0x80, 2, 0x8b, 0, 0, 0, 0x80}, nil, ErrPickle, "integer of"},
		{"unset memo", pk{0x80, 2, 'h', 7, '.'}, nil, ErrPickle, "memo"},
		{"SETITEMS without mark", pk{0x80, 2, '}', 'N', 'N', 'u', '.'}, nil, ErrPickle, "no mark"},
		{"TUPLE3 of two", pk{0x80, 2, 'N', 'N', 0x87, '.'}, nil, ErrPickle, "underflow"},
		{"pop below mark", pk{0x80, 2, 'N', '(', '0', '.'}, nil, ErrPickle, "underflow"},
		{"append to dict", pk{0x80, 2, '}', 'N', 'a', '.'}, nil, ErrPickle, "append to dict"},
		{"list as dict key", pk{0x80, 2, '}', ']', 'N', 's', '.'}, nil, ErrPickle, "dict key"},
		{"INST opcode", pk{0x80, 2}.op('i').op([]byte("os\nsystem\n")...), nil, ErrPickle, "opcode"},
		{"NEWOBJ opcode", pk{0x80, 2, 'N', ')', 0x81, '.'}, nil, ErrPickle, "opcode"},
		{"text PERSID opcode", pk{0x80, 2, 'P', '0', '\n', '.'}, nil, ErrPickle, "opcode"},
		{"unterminated GLOBAL", pk{0x80, 2, 'c', 'o', 's'}, nil, ErrPickle, "unterminated"},
		{"top-level list", pk{0x80, 2, ']', '.'}, nil, ErrUnsupported, "list"},
		{"int value", stateDict(pk{}.str("epoch").int(3)), nil, ErrUnsupported, `tensor "epoch"`},
		{"int key", pk{0x80, 2, '}', 'J', 1, 0, 0, 0}.tensor("0", 6, 0, []int32{6}, []int32{1}).op('s', '.'), six, ErrUnsupported, "key"},
		{"persistent id not storage", pk{0x80, 2}.str("x").op(0x85, 'Q', '.'), nil, ErrPickle, "persistent id"},
		{"missing storage", w(6, 0, []int32{6}, []int32{1}), nil, ErrMissing, "data/0"},
		{"storage size mismatch", w(7, 0, []int32{7}, []int32{1}), six, ErrShape, "zip entry has 24 bytes"},
		{"huge numel", w(1<<31-1, 0, []int32{6}, []int32{1}), six, ErrShape, "storage 0 of 2147483647"},
		{"negative numel", w(-1, 0, []int32{6}, []int32{1}), six, ErrPickle, "numel"},
		{"view past storage", w(6, 1, []int32{6}, []int32{1}), six, ErrShape, "exceeds storage"},
		{"stride past storage", w(6, 0, []int32{2, 3}, []int32{4, 1}), six, ErrShape, "exceeds storage"},
		{"huge stride", w(6, 0, []int32{2, 3}, []int32{1 << 30, 1}), six, ErrShape, "exceeds storage"},
		{"negative stride", w(6, 5, []int32{6}, []int32{-1}), six, ErrShape, "stride"},
		{"negative offset", w(6, -1, []int32{6}, []int32{1}), six, ErrShape, "offset"},
		{"size and stride lengths", w(6, 0, []int32{6}, []int32{1, 1}), six, ErrShape, "differ"},
		{"broadcast beyond budget", w(6, 0, []int32{1 << 14, 1 << 14}, []int32{0, 0}), six, ErrLimit, "file size"},
		{"same key as two dtypes", stateDict(pk{}.str("a").tensor("0", 6, 0, []int32{6}, []int32{1}),
			pk{}.str("b").global("torch._utils", "_rebuild_tensor_v2").op('(', '(').str("storage").global("torch", "DoubleStorage").str("0").str("cpu").int(3).op('t', 'Q').int(0).ints(3).ints(1).op('t', 'R')), six, ErrShape, "used as"},
		{"storage key with slash", stateDict(pk{}.str("w").tensor("../0", 6, 0, []int32{6}, []int32{1})), six, ErrPickle, "storage key"},
	} {
		z := torchZip(t, test.pickle, test.storages)
		_, err := DecodePyTorch(bytes.NewReader(z), int64(len(z)))
		if !errors.Is(err, test.err) || !strings.Contains(err.Error(), test.msg) {
			t.Errorf("%s: DecodePyTorch = %v, want %v containing %q", test.name, err, test.err, test.msg)
		}
	}
}

func TestDecodePyTorchZipHostile(t *testing.T) {
	good := torchZip(t, stateDict(pk{}.str("w").tensor("0", 1, 0, []int32{1}, []int32{1})), map[string][]byte{"0": f32s(1)})
	corrupt := bytes.Clone(good)
	i := bytes.Index(corrupt, f32s(1))
	corrupt[i+3] ^= 0x01 // storage byte: the CRC no longer matches
	twoPickles := func() []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		for _, n := range []string{"a/data.pkl", "b/data.pkl"} {
			f, _ := w.Create(n)
			f.Write(pk{0x80, 2, '}', '.'})
		}
		w.Close()
		return buf.Bytes()
	}()
	noPickle := func() []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		f, _ := w.Create("x/other")
		f.Write([]byte("x"))
		w.Close()
		return buf.Bytes()
	}()
	bigEndian := func() []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		f, _ := w.Create("m/data.pkl")
		f.Write(pk{0x80, 2, '}', '.'})
		f, _ = w.Create("m/byteorder")
		f.Write([]byte("big"))
		w.Close()
		return buf.Bytes()
	}()
	for _, test := range []struct {
		name string
		file []byte
		err  error
	}{
		{"not a zip", []byte("hello world"), ErrUnsupported},
		{"truncated legacy pickle", []byte{0x80, 2, 0x8a, 0x0a}, ErrPickle},
		{"truncated zip", good[:len(good)-30], ErrHeader},
		{"bad CRC", corrupt, ErrHeader},
		{"two data.pkl", twoPickles, ErrHeader},
		{"no data.pkl", noPickle, ErrUnsupported},
		{"big-endian", bigEndian, ErrUnsupported},
	} {
		_, err := DecodePyTorch(bytes.NewReader(test.file), int64(len(test.file)))
		if !errors.Is(err, test.err) {
			t.Errorf("%s: DecodePyTorch = %v, want %v", test.name, err, test.err)
		}
	}
	if _, err := DecodePyTorch(bytes.NewReader(good), int64(len(good))); err != nil {
		t.Errorf("DecodePyTorch(good) = %v", err)
	}
}
