package checkpoint

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// A Reader gives access to the tensors of one checkpoint file without
// reading them all: Open validates the header (or the pickle) and Tensor
// reads one tensor on demand. It is useful to inspect shapes, or to load
// only some tensors of a large file. A Reader is safe for concurrent use;
// Close it when done.
type Reader struct {
	path     string
	file     *os.File
	metadata map[string]string
	infos    map[string]tensorInfo

	// One of the two is set.
	st    *stHeader
	torch *torchArchive
	refs  map[string]*tensorRef
	users map[*storageRef]int // names viewing each storage
}

type tensorInfo struct {
	dtype DType
	shape []int
	entry *stEntry // safetensors only
}

// Open opens the safetensors or PyTorch file at path (chosen from its
// first bytes, as ReadFile does; an index of shards is not accepted) and
// validates all its tensor descriptions, reading no tensor data.
func Open(path string) (*Reader, error) {
	f, size, err := openFile(path)
	if err != nil {
		return nil, err
	}
	r, err := newReader(f, size, path)
	if err != nil {
		f.Close()
		return nil, withFile(err, path)
	}
	return r, nil
}

func newReader(f *os.File, size int64, path string) (*Reader, error) {
	r := &Reader{path: path, file: f, infos: make(map[string]tensorInfo)}
	var magic [9]byte
	n, _ := f.ReadAt(magic[:], 0)
	kind := sniff(magic[:n])
	if kind == kindUnknown && strings.HasSuffix(path, ".safetensors") {
		kind = kindSafetensors
	}
	switch kind {
	case kindSafetensors:
		h, err := decodeSafetensorsHeader(f, size)
		if err != nil {
			return nil, err
		}
		r.st, r.metadata = h, h.metadata
		for i := range h.entries {
			e := &h.entries[i]
			r.infos[e.name] = tensorInfo{dtype: e.dtype, shape: e.shape, entry: e}
		}
	case kindZip, kindLegacyTorch:
		a, obj, err := openTorch(f, size)
		if err != nil {
			return nil, err
		}
		refs, byStorage, err := a.stateDict(obj)
		if err != nil {
			return nil, err
		}
		r.torch, r.refs, r.users = a, refs, make(map[*storageRef]int)
		for s, names := range byStorage {
			r.users[s] = len(names)
		}
		for name, t := range refs {
			r.infos[name] = tensorInfo{dtype: t.storage.dtype, shape: t.shape()}
		}
	default:
		return nil, &FormatError{Err: fmt.Errorf("%w: neither safetensors nor a torch.save file", ErrUnsupported)}
	}
	return r, nil
}

// Names returns the names of the tensors, sorted.
func (r *Reader) Names() []string { return slices.Sorted(maps.Keys(r.infos)) }

// Info returns the dtype and shape of the named tensor, and whether it
// exists. The shape must not be modified.
func (r *Reader) Info(name string) (DType, []int, bool) {
	info, ok := r.infos[name]
	return info.dtype, info.shape, ok
}

// Metadata returns the "__metadata__" map of a safetensors file (nil if it
// has none, and for PyTorch files). It must not be modified.
func (r *Reader) Metadata() map[string]string { return r.metadata }

// Tensor reads the named tensor. Each call returns a new Tensor that owns
// its memory. It returns an error wrapping ErrMissing if there is no such
// tensor.
func (r *Reader) Tensor(name string) (Tensor, error) {
	info, ok := r.infos[name]
	if !ok {
		return Tensor{}, &FormatError{File: r.path, Tensor: name, Err: ErrMissing}
	}
	if r.st != nil {
		t, err := r.st.read(r.file, info.entry)
		return t, withFile(err, r.path)
	}
	t := r.refs[name]
	buf, err := r.torch.readStorage(t.storage, name)
	if err != nil {
		return Tensor{}, withFile(err, r.path)
	}
	return t.build(buf, r.users[t.storage] == 1), nil
}

// Close closes the file.
func (r *Reader) Close() error { return r.file.Close() }
