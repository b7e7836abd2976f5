package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// legacyTensor appends a _rebuild_tensor_v2 call whose persistent id has
// the legacy format's sixth element, view (a pickle, usually None).
func (p pk) legacyTensor(storage string, numel int32, view pk, size, stride []int32) pk {
	p = p.global("torch._utils", "_rebuild_tensor_v2").op('(')
	p = p.op('(').str("storage").global("torch", "FloatStorage").str(storage).str("cpu").int(numel)
	p = append(p, view...)
	p = p.op('t', 'Q').int(0).ints(size...).ints(stride...).op(0x89)
	p = p.global("collections", "OrderedDict").op(')', 'R')
	return p.op('t', 'R')
}

// legacyParts are the pieces of a legacy file, each replaceable by a test.
type legacyParts struct {
	magic, version, sysInfo, main, keys pk
	records                             []byte
}

func (l legacyParts) bytes() []byte {
	var b []byte
	for _, p := range []pk{l.magic, l.version, l.sysInfo, l.main, l.keys} {
		b = append(b, p...)
	}
	return append(b, l.records...)
}

func record(numel uint64, data []byte) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, numel), data...)
}

func goodLegacy() legacyParts {
	return legacyParts{
		magic:   pk{0x80, 2, 0x8a, 10}.op([]byte(legacyMagic)...).op('.'),
		version: pk{0x80, 2, 'M', 0xe9, 0x03, '.'},
		sysInfo: pk{0x80, 2, '}', '('}.str("little_endian").op(0x88).op('u', '.'),
		main:    stateDict(pk{}.str("w").legacyTensor("140", 3, pk{'N'}, []int32{3}, []int32{1})),
		keys:    pk{0x80, 2, ']', '('}.str("140").op('e', '.'),
		records: record(3, f32s(1, 2, 3)),
	}
}

func TestDecodeLegacyHostile(t *testing.T) {
	good := goodLegacy().bytes()
	ts, err := DecodePyTorch(bytes.NewReader(good), int64(len(good)))
	if err != nil || !slicesEqual(ts["w"].Float32(), []float32{1, 2, 3}) {
		t.Fatalf("DecodePyTorch(good legacy) = %v, %v", ts, err)
	}
	for _, test := range []struct {
		name string
		edit func(*legacyParts)
		err  error
		msg  string
	}{
		{"bad magic", func(l *legacyParts) { l.magic = pk{0x80, 2, 0x8a, 10}.op([]byte("0123456789")...).op('.') }, ErrUnsupported, "magic"},
		{"protocol 1000", func(l *legacyParts) { l.version = pk{0x80, 2, 'M', 0xe8, 0x03, '.'} }, ErrUnsupported, "protocol"},
		{"big-endian", func(l *legacyParts) { l.sysInfo = pk{0x80, 2, '}', '('}.str("little_endian").op(0x89).op('u', '.') }, ErrUnsupported, "big-endian"},
		{"storage view", func(l *legacyParts) {
			l.main = stateDict(pk{}.str("w").legacyTensor("140", 3, pk{}.str("141").int(0).int(3).op(0x87), []int32{3}, []int32{1}))
		}, ErrUnsupported, "views"},
		{"zip-style persistent id", func(l *legacyParts) {
			l.main = stateDict(pk{}.str("w").tensor("140", 3, 0, []int32{3}, []int32{1}))
		}, ErrPickle, "6-tuple"},
		{"persistent id in sys_info", func(l *legacyParts) { l.sysInfo = pk{0x80, 2}.str("x").op(0x85, 'Q', '.') }, ErrPickle, "header pickle"},
		{"key list not a list", func(l *legacyParts) { l.keys = pk{0x80, 2, 'N', '.'} }, ErrPickle, "key list"},
		{"key listed twice", func(l *legacyParts) { l.keys = pk{0x80, 2, ']', '('}.str("140").str("140").op('e', '.') }, ErrPickle, "twice"},
		{"key not a string", func(l *legacyParts) { l.keys = pk{0x80, 2, ']', 'N', 'a', '.'} }, ErrPickle, "storage key"},
		{"unused listed storage", func(l *legacyParts) { l.keys = pk{0x80, 2, ']', '('}.str("9").str("140").op('e', '.') }, ErrPickle, "no tensor uses it"},
		{"storage not listed", func(l *legacyParts) { l.keys = pk{0x80, 2, ']', '.'}; l.records = nil }, ErrMissing, "not in the file"},
		{"element count mismatch", func(l *legacyParts) { l.records = record(4, f32s(1, 2, 3, 4)) }, ErrShape, "the pickle says 3"},
		{"truncated data", func(l *legacyParts) { l.records = record(3, f32s(1, 2)) }, ErrTruncated, "storage 140"},
		{"data shorter than declared", func(l *legacyParts) {
			l.main = stateDict(pk{}.str("w").legacyTensor("140", 100, pk{'N'}, []int32{3}, []int32{1}))
			l.records = record(100, f32s(1, 2, 3))
		}, ErrTruncated, "400 bytes"},
		{"no record", func(l *legacyParts) { l.records = nil }, ErrTruncated, "storage 140"},
		{"trailing bytes", func(l *legacyParts) { l.records = append(record(3, f32s(1, 2, 3)), 0) }, ErrOffsets, "after the last storage"},
		{"huge element count", func(l *legacyParts) {
			l.main = stateDict(pk{}.str("w").legacyTensor("140", 200_000_000, pk{'N'}, []int32{3}, []int32{1}))
			l.records = record(200_000_000, f32s(1, 2, 3))
		}, ErrLimit, "file size"},
		{"truncated main pickle", func(l *legacyParts) { l.main = l.main[:20]; l.keys = nil; l.records = nil }, ErrPickle, ""},
	} {
		l := goodLegacy()
		test.edit(&l)
		b := l.bytes()
		_, err := DecodePyTorch(bytes.NewReader(b), int64(len(b)))
		if !errors.Is(err, test.err) || !strings.Contains(err.Error(), test.msg) {
			t.Errorf("%s: DecodePyTorch = %v, want %v containing %q", test.name, err, test.err, test.msg)
		}
	}
}

// TestDecodeLegacyLongPickle makes the main pickle longer than the first
// 1 MiB the reader parses, so that it must grow its buffer.
func TestDecodeLegacyLongPickle(t *testing.T) {
	l := goodLegacy()
	long := strings.Repeat("x", 3<<20)
	l.main = stateDict(pk{}.str("w").legacyTensor("140", 3, pk{'N'}, []int32{3}, []int32{1}), pk{}.str("v").legacyTensor("140", 3, pk{}.op('N'), []int32{3}, []int32{1}))
	// A long but harmless string in sys_info.
	l.sysInfo = pk{0x80, 2, '}', '('}.str("little_endian").op(0x88).str("note").str(long).op('u', '.')
	b := l.bytes()
	ts, err := DecodePyTorch(bytes.NewReader(b), int64(len(b)))
	if err != nil || len(ts) != 2 || !slicesEqual(ts["v"].Float32(), []float32{1, 2, 3}) {
		t.Fatalf("DecodePyTorch(long legacy pickle) = %v, %v", ts, err)
	}
}
