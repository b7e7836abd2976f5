package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
	"unicode/utf8"
)

// MaxHeaderSize is the largest safetensors header this package reads, in
// bytes: the limit of the reference implementation (100 MB).
const MaxHeaderSize = 100_000_000

// metadataKey is the header entry that holds free-form string metadata.
const metadataKey = "__metadata__"

// ReadSafetensors reads every tensor of the safetensors file at path. It
// checks the whole header before reading any data (see DecodeSafetensors)
// and returns a *FormatError naming the file, and the tensor if there is
// one, for invalid content.
func ReadSafetensors(path string) (map[string]Tensor, error) {
	tensors, _, err := readSafetensorsFile(path)
	return tensors, err
}

// ReadSafetensorsMetadata returns the "__metadata__" map of the safetensors
// file at path (nil if it has none), reading and validating only its header.
func ReadSafetensorsMetadata(path string) (map[string]string, error) {
	f, size, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := decodeSafetensorsHeader(f, size)
	if err != nil {
		return nil, withFile(err, path)
	}
	return h.metadata, nil
}

func readSafetensorsFile(path string) (map[string]Tensor, map[string]string, error) {
	f, size, err := openFile(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	tensors, metadata, err := DecodeSafetensors(f, size)
	if err != nil {
		return nil, nil, withFile(err, path)
	}
	return tensors, metadata, nil
}

// openFile opens path for reading and returns its size.
func openFile(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("checkpoint: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("checkpoint: %w", err)
	}
	return f, st.Size(), nil
}

// DecodeSafetensors decodes the safetensors data of the given size read
// from r: tensors by name and the "__metadata__" map (nil if absent).
//
// It accepts what the reference implementation (Python's safetensors)
// accepts, except duplicate names or fields and the 8-bit float dtypes: an
// 8-byte little-endian header length n ≤ MaxHeaderSize, then n bytes of
// UTF-8 JSON starting with '{' (trailing spaces allowed), then the data.
// Each tensor's data_offsets must be consistent with its dtype and shape,
// and the tensors, sorted by offset, must tile the data exactly: no
// overlap, no gap, no trailing byte. The header is validated before any
// tensor memory is allocated, and allocation is bounded by size. Errors
// are *FormatError values with an empty File.
func DecodeSafetensors(r io.ReaderAt, size int64) (map[string]Tensor, map[string]string, error) {
	h, err := decodeSafetensorsHeader(r, size)
	if err != nil {
		return nil, nil, err
	}
	tensors := make(map[string]Tensor, len(h.entries))
	for i := range h.entries {
		t, err := h.read(r, &h.entries[i])
		if err != nil {
			return nil, nil, err
		}
		tensors[h.entries[i].name] = t
	}
	return tensors, h.metadata, nil
}

// read reads the tensor of entry e from r into new aligned memory.
func (h *stHeader) read(r io.ReaderAt, e *stEntry) (Tensor, error) {
	data := alignedBytes(int(e.end - e.begin))
	if err := readAtFull(r, data, h.dataStart+int64(e.begin)); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF { // the file shrank
			err = fmt.Errorf("%w: %v", ErrTruncated, err)
		}
		return Tensor{}, &FormatError{Tensor: e.name, Err: err}
	}
	return Tensor{DType: e.dtype, Shape: slices.Clone(e.shape), Data: data}, nil
}

// readAtFull fills b from r at off. Unlike ReadAt it accepts an empty b at
// the end of the data, and it reports a short read as io.EOF.
func readAtFull(r io.ReaderAt, b []byte, off int64) error {
	if len(b) == 0 {
		return nil
	}
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// stHeader is a validated safetensors header.
type stHeader struct {
	metadata  map[string]string
	entries   []stEntry // sorted by offset
	dataStart int64     // file offset of the data section
}

type stEntry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end uint64 // offsets relative to dataStart
}

func headerErr(format string, args ...any) error {
	return &FormatError{Err: fmt.Errorf("%w: "+format, append([]any{ErrHeader}, args...)...)}
}

func decodeSafetensorsHeader(r io.ReaderAt, size int64) (*stHeader, error) {
	if size < 8 {
		return nil, &FormatError{Err: fmt.Errorf("%w: %d bytes, a safetensors file has at least 8", ErrTruncated, size)}
	}
	var prefix [8]byte
	if _, err := r.ReadAt(prefix[:], 0); err != nil {
		return nil, &FormatError{Err: fmt.Errorf("%w: %v", ErrTruncated, err)}
	}
	n := binary.LittleEndian.Uint64(prefix[:])
	if n > MaxHeaderSize {
		return nil, &FormatError{Err: fmt.Errorf("%w: header length %d > %d", ErrLimit, n, MaxHeaderSize)}
	}
	if n > uint64(size-8) {
		return nil, &FormatError{Err: fmt.Errorf("%w: header length %d but only %d bytes follow", ErrTruncated, n, size-8)}
	}
	raw := make([]byte, n)
	if err := readAtFull(r, raw, 8); err != nil { // only if the file shrank
		return nil, &FormatError{Err: fmt.Errorf("%w: %v", ErrTruncated, err)}
	}
	if !utf8.Valid(raw) {
		return nil, headerErr("not valid UTF-8")
	}
	if n == 0 || raw[0] != '{' {
		return nil, headerErr("does not start with '{'")
	}
	h := &stHeader{dataStart: 8 + int64(n)}
	if err := h.parse(raw); err != nil {
		return nil, err
	}
	if err := h.validate(uint64(size) - 8 - n); err != nil {
		return nil, err
	}
	return h, nil
}

// parse decodes the JSON object raw into h.metadata and h.entries,
// rejecting duplicate keys (encoding/json would keep the last silently).
func (h *stHeader) parse(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // the '{' checked by the caller
		return headerErr("%v", err)
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return headerErr("%v", err)
		}
		name, ok := tok.(string)
		if !ok {
			return headerErr("object key %v is not a string", tok)
		}
		if seen[name] {
			return &FormatError{Tensor: name, Err: fmt.Errorf("%w: duplicate name", ErrHeader)}
		}
		seen[name] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return &FormatError{Tensor: name, Err: fmt.Errorf("%w: %v", ErrHeader, err)}
		}
		if name == metadataKey {
			if err := json.Unmarshal(value, &h.metadata); err != nil {
				return headerErr("__metadata__ is not a map of strings: %v", err)
			}
			continue
		}
		e, err := parseEntry(name, value)
		if err != nil {
			return &FormatError{Tensor: name, Err: err}
		}
		h.entries = append(h.entries, e)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return headerErr("%v", err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		return headerErr("unexpected %v after the header object", tokOrErr(tok, err))
	}
	return nil
}

func tokOrErr(tok json.Token, err error) any {
	if err != nil {
		return err
	}
	return tok
}

// parseEntry decodes a tensor entry {"dtype": ..., "shape": [...],
// "data_offsets": [begin, end]}. Field names are matched exactly and may
// not repeat (encoding/json alone would match them case-insensitively and
// keep the last); other fields are ignored, as in the reference.
func parseEntry(name string, value json.RawMessage) (stEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(value))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return stEntry{}, fmt.Errorf("%w: entry is not an object", ErrHeader)
	}
	var (
		dtype          *string
		shape, offsets *[]uint64
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return stEntry{}, fmt.Errorf("%w: %v", ErrHeader, err)
		}
		var dst any
		switch key := tok.(string); key {
		case "dtype":
			if dtype != nil {
				return stEntry{}, fmt.Errorf("%w: duplicate field %q", ErrHeader, key)
			}
			dtype = new(string)
			dst = dtype
		case "shape":
			if shape != nil {
				return stEntry{}, fmt.Errorf("%w: duplicate field %q", ErrHeader, key)
			}
			shape = new([]uint64)
			dst = shape
		case "data_offsets":
			if offsets != nil {
				return stEntry{}, fmt.Errorf("%w: duplicate field %q", ErrHeader, key)
			}
			offsets = new([]uint64)
			dst = offsets
		default:
			dst = new(json.RawMessage)
		}
		if err := dec.Decode(dst); err != nil {
			return stEntry{}, fmt.Errorf("%w: %v", ErrHeader, err)
		}
	}
	switch {
	case dtype == nil:
		return stEntry{}, fmt.Errorf("%w: no dtype", ErrHeader)
	case shape == nil || *shape == nil:
		return stEntry{}, fmt.Errorf("%w: no shape", ErrHeader)
	case offsets == nil || len(*offsets) != 2:
		return stEntry{}, fmt.Errorf("%w: data_offsets is not a pair", ErrHeader)
	}
	d, ok := parseDType(*dtype)
	if !ok {
		return stEntry{}, fmt.Errorf("%w: %q", ErrDType, *dtype)
	}
	e := stEntry{name: name, dtype: d, begin: (*offsets)[0], end: (*offsets)[1]}
	e.shape = make([]int, len(*shape))
	for i, n := range *shape {
		if n > math.MaxInt {
			return stEntry{}, fmt.Errorf("%w: dimension %d of shape %v too large", ErrShape, n, *shape)
		}
		e.shape[i] = int(n)
	}
	return e, nil
}

// validate checks the entries against each other and against dataLen, the
// number of bytes after the header, and sorts them by offset.
func (h *stHeader) validate(dataLen uint64) error {
	slices.SortFunc(h.entries, func(a, b stEntry) int {
		if a.begin != b.begin {
			return cmpUint64(a.begin, b.begin)
		}
		return cmpUint64(a.end, b.end)
	})
	var pos uint64
	for _, e := range h.entries {
		nbytes, ok := byteSize(e.shape, e.dtype)
		if !ok {
			return &FormatError{Tensor: e.name, Err: fmt.Errorf("%w: %v × %v overflows", ErrShape, e.shape, e.dtype)}
		}
		switch {
		case e.end < e.begin:
			return &FormatError{Tensor: e.name, Err: fmt.Errorf("%w: [%d, %d] ends before it begins", ErrOffsets, e.begin, e.end)}
		case e.begin < pos:
			return &FormatError{Tensor: e.name, Err: fmt.Errorf("%w: [%d, %d] overlaps data before offset %d", ErrOffsets, e.begin, e.end, pos)}
		case e.begin > pos:
			return &FormatError{Tensor: e.name, Err: fmt.Errorf("%w: [%d, %d] leaves a gap after offset %d", ErrOffsets, e.begin, e.end, pos)}
		case e.end > dataLen:
			return &FormatError{Tensor: e.name, Err: fmt.Errorf("%w: [%d, %d] beyond the %d data bytes", ErrTruncated, e.begin, e.end, dataLen)}
		case e.end-e.begin != nbytes:
			return &FormatError{Tensor: e.name, Err: fmt.Errorf("%w: %v of shape %v needs %d bytes, data_offsets [%d, %d] hold %d",
				ErrShape, e.dtype, e.shape, nbytes, e.begin, e.end, e.end-e.begin)}
		}
		pos = e.end
	}
	if pos != dataLen {
		return &FormatError{Err: fmt.Errorf("%w: tensors end at data offset %d, the file has %d data bytes", ErrOffsets, pos, dataLen)}
	}
	return nil
}

// byteSize returns the number of bytes of a tensor of the given shape and
// dtype, or false if it overflows int.
func byteSize(shape []int, d DType) (uint64, bool) {
	n := uint64(d.Size())
	for _, s := range shape {
		hi, lo := bits.Mul64(n, uint64(s))
		if hi != 0 || lo > math.MaxInt {
			return 0, false
		}
		n = lo
	}
	return n, true
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
