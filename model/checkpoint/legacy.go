package checkpoint

import (
	"encoding/binary"
	"fmt"
	"io"
)

// PyTorch's legacy format (torch.save before PyTorch 1.6, or with
// _use_new_zipfile_serialization=False) is a sequence of five pickles —
// a magic number, the protocol version 1001, a sys_info dict, the object
// whose storages are persistent ids ('storage', type, key, location,
// numel, view_metadata), and the sorted list of storage keys — followed by
// each storage in that order as an int64 element count and the raw bytes.

// legacyMagic is the little-endian magic number that starts the format.
const legacyMagic = "\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"

// legacyData locates the storages of a legacy file.
type legacyData struct {
	r       io.ReaderAt
	order   []string         // storage keys in file order
	offsets map[string]int64 // storage key → offset of its bytes
}

func (l *legacyData) read(s *storageRef, name string) ([]byte, error) {
	buf := alignedBytes(int(s.numel) * s.dtype.Size())
	if err := readAtFull(l.r, buf, l.offsets[s.key]); err != nil {
		return nil, &FormatError{Tensor: name, Err: fmt.Errorf("%w: storage %s: %v", ErrTruncated, s.key, err)}
	}
	return buf, nil
}

// openLegacyTorch reads the pickles of a legacy file of the given size and
// locates its storages. The pickles' length is not recorded, so it parses
// a prefix of the file, four times longer after each attempt that runs
// out of data, up to MaxPickleSize.
func openLegacyTorch(r io.ReaderAt, size int64) (*torchArchive, any, error) {
	limit := min(size, MaxPickleSize)
	for n := min(limit, 1<<20); ; n = min(4*n, limit) {
		buf := make([]byte, n)
		if err := readAtFull(r, buf, 0); err != nil {
			return nil, nil, &FormatError{Err: fmt.Errorf("%w: %v", ErrTruncated, err)}
		}
		a, obj, end, short, err := parseLegacy(buf, size)
		if err == nil {
			a.legacy.r = r
			if err := a.legacyStorages(r, int64(end), size); err != nil {
				return nil, nil, err
			}
			return a, obj, nil
		}
		if !short || n == limit {
			if short && limit == MaxPickleSize && size > MaxPickleSize {
				return nil, nil, &FormatError{Err: fmt.Errorf("%w: pickles longer than %d bytes", ErrLimit, MaxPickleSize)}
			}
			return nil, nil, err
		}
	}
}

// parseLegacy runs the five pickles at the start of buf. It returns the
// archive with its storages (not yet located), the object, the offset of
// the storage data, and whether an error is due to buf ending early.
func parseLegacy(buf []byte, size int64) (a *torchArchive, obj any, end int, short bool, err error) {
	a = newTorchArchive(size)
	a.legacy = &legacyData{offsets: make(map[string]int64)}
	noLoad := func(pyTuple) (*storageRef, error) {
		return nil, &FormatError{Err: fmt.Errorf("%w: persistent id in a header pickle", ErrPickle)}
	}
	var v [5]any
	for i := range v {
		load := noLoad
		if i == 3 {
			load = a.loadStorage
		}
		if v[i], end, short, err = unpickleAt(buf, end, load); err != nil {
			return nil, nil, 0, short, err
		}
	}
	if m, ok := v[0].(pyBigInt); !ok || string(m) != legacyMagic {
		return nil, nil, 0, false, &FormatError{Err: fmt.Errorf("%w: not a PyTorch file (bad magic number)", ErrUnsupported)}
	}
	if p, ok := v[1].(int64); !ok || p != 1001 {
		return nil, nil, 0, false, &FormatError{Err: fmt.Errorf("%w: legacy protocol version %v", ErrUnsupported, v[1])}
	}
	if info, ok := v[2].(*pyDict); ok {
		for i, k := range info.keys {
			if k == "little_endian" && info.values[i] != true {
				return nil, nil, 0, false, &FormatError{Err: fmt.Errorf("%w: big-endian file", ErrUnsupported)}
			}
		}
	}
	keys, ok := v[4].(*pyList)
	if !ok {
		return nil, nil, 0, false, &FormatError{Err: fmt.Errorf("%w: storage key list is a %s", ErrPickle, typeName(v[4]))}
	}
	for _, k := range keys.items {
		key, ok := k.(string)
		if !ok {
			return nil, nil, 0, false, &FormatError{Err: fmt.Errorf("%w: storage key is a %s", ErrPickle, typeName(k))}
		}
		if _, dup := a.legacy.offsets[key]; dup {
			return nil, nil, 0, false, &FormatError{Err: fmt.Errorf("%w: storage %s listed twice", ErrPickle, key)}
		}
		a.legacy.offsets[key] = -1
	}
	// Keep the listed order for legacyStorages.
	a.legacy.order = make([]string, len(keys.items))
	for i, k := range keys.items {
		a.legacy.order[i] = k.(string)
	}
	return a, v[3], end, false, nil
}

// legacyStorages walks the storage records from off, checking each
// element count against the pickle's, and records where each storage's
// bytes are. The records must end exactly at the end of the file.
func (a *torchArchive) legacyStorages(r io.ReaderAt, off, size int64) error {
	for _, key := range a.legacy.order {
		s := a.storages[key]
		if s == nil {
			return &FormatError{Err: fmt.Errorf("%w: storage %s is listed but no tensor uses it", ErrPickle, key)}
		}
		var n [8]byte
		if err := readAtFull(r, n[:], off); err != nil {
			return &FormatError{Err: fmt.Errorf("%w: storage %s: %v", ErrTruncated, key, err)}
		}
		if numel := int64(binary.LittleEndian.Uint64(n[:])); numel != s.numel {
			return &FormatError{Err: fmt.Errorf("%w: storage %s has %d elements, the pickle says %d", ErrShape, key, numel, s.numel)}
		}
		nbytes := s.numel * int64(s.dtype.Size())
		if nbytes > size-off-8 {
			return &FormatError{Err: fmt.Errorf("%w: storage %s of %d bytes at offset %d", ErrTruncated, key, nbytes, off+8)}
		}
		a.legacy.offsets[key] = off + 8
		off += 8 + nbytes
	}
	for key := range a.storages {
		if a.legacy.offsets[key] <= 0 {
			return &FormatError{Err: fmt.Errorf("%w: storage %s is not in the file", ErrMissing, key)}
		}
	}
	if off != size {
		return &FormatError{Err: fmt.Errorf("%w: %d bytes after the last storage", ErrOffsets, size-off)}
	}
	return nil
}
