package checkpoint

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strings"
)

// MaxPickleSize bounds the size of the pickle (data.pkl) of a PyTorch
// checkpoint. A state dict needs about 100 bytes a tensor.
const MaxPickleSize = 256 << 20

// maxExpansion bounds the bytes of all tensors rebuilt from a PyTorch file
// relative to its size: tensors may share or broadcast storages (tied
// weights), but a small file must not claim terabytes.
const maxExpansion = 4

// ReadPyTorch reads the tensors of a PyTorch checkpoint written by
// torch.save, such as pytorch_model.bin, in its zip format (the default
// since PyTorch 1.6) or its legacy format. The file must hold a dict (or
// OrderedDict) from names to tensors: a state dict. See DecodePyTorch for
// what is accepted.
func ReadPyTorch(path string) (map[string]Tensor, error) {
	f, size, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tensors, err := DecodePyTorch(f, size)
	if err != nil {
		return nil, withFile(err, path)
	}
	return tensors, nil
}

// DecodePyTorch decodes a PyTorch checkpoint of the given size read from r.
//
// In the zip format the zip holds one folder (its name varies: "archive",
// or the file's base name) with data.pkl, the pickled state dict, and
// data/<key>, one entry a storage. The legacy format is a sequence of
// pickles followed by the storages. The pickle is read by a restricted unpickler: it allows only
// the opcodes of pickle protocols 2 to 5 that build plain data, and only
// the globals collections.OrderedDict, torch._utils._rebuild_tensor,
// _rebuild_tensor_v2, _rebuild_parameter, _rebuild_parameter_with_state
// and torch.<Type>Storage (Float, Double, Half, BFloat16, Long, Int, Short,
// Char, Byte, Bool). Anything else is an error wrapping ErrForbidden or
// ErrPickle; nothing is ever executed. Tensors that are views (a storage
// offset, strides that are not row-major, several tensors sharing one
// storage) are copied out into dense row-major tensors. Errors are
// *FormatError values with an empty File.
func DecodePyTorch(r io.ReaderAt, size int64) (map[string]Tensor, error) {
	a, obj, err := openTorch(r, size)
	if err != nil {
		return nil, err
	}
	return a.materialize(obj)
}

// openTorch opens a torch.save file in either format and runs its pickle.
func openTorch(r io.ReaderAt, size int64) (*torchArchive, any, error) {
	var magic [4]byte
	n, _ := r.ReadAt(magic[:], 0)
	if sniff(magic[:n]) == kindLegacyTorch {
		return openLegacyTorch(r, size)
	}
	if !bytes.HasPrefix(magic[:n], []byte("PK\x03\x04")) {
		return nil, nil, &FormatError{Err: fmt.Errorf("%w: not a torch.save file", ErrUnsupported)}
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, nil, &FormatError{Err: fmt.Errorf("%w: zip: %v", ErrHeader, err)}
	}
	a, err := openTorchArchive(zr, size)
	if err != nil {
		return nil, nil, err
	}
	obj, err := a.unpickle()
	if err != nil {
		return nil, nil, err
	}
	return a, obj, nil
}

// torchArchive is an opened torch.save zip.
type torchArchive struct {
	prefix   string               // folder holding data.pkl, with trailing '/'
	files    map[string]*zip.File // entries by name
	legacy   *legacyData          // instead of prefix and files, for the legacy format
	storages map[string]*storageRef

	// Bytes that storages, and the tensors rebuilt from them, may still
	// take: maxExpansion × the file size, plus 64 MiB.
	storageBudget, tensorBudget uint64
}

// newTorchArchive returns an archive with the budgets for a file of the
// given size.
func newTorchArchive(size int64) *torchArchive {
	a := &torchArchive{storages: make(map[string]*storageRef)}
	a.storageBudget = maxExpansion*uint64(size) + 64<<20
	a.tensorBudget = a.storageBudget
	return a
}

// openTorchArchive indexes a torch.save zip of the given file size.
func openTorchArchive(zr *zip.Reader, size int64) (*torchArchive, error) {
	a := newTorchArchive(size)
	a.files = make(map[string]*zip.File, len(zr.File))
	var pickles []string
	for _, f := range zr.File {
		if _, dup := a.files[f.Name]; dup {
			return nil, &FormatError{Err: fmt.Errorf("%w: zip entry %q appears twice", ErrHeader, f.Name)}
		}
		a.files[f.Name] = f
		if dir, base := path.Split(f.Name); base == "data.pkl" && strings.Count(dir, "/") == 1 {
			pickles = append(pickles, dir)
		}
	}
	switch len(pickles) {
	case 0:
		return nil, &FormatError{Err: fmt.Errorf("%w: no <folder>/data.pkl in the zip: not a torch.save file", ErrUnsupported)}
	case 1:
		a.prefix = pickles[0]
	default:
		return nil, &FormatError{Err: fmt.Errorf("%w: several data.pkl entries %v", ErrHeader, pickles)}
	}
	if f := a.files[a.prefix+"byteorder"]; f != nil {
		b, err := readEntry(f, 16)
		if err != nil {
			return nil, err
		}
		if string(b) != "little" {
			return nil, &FormatError{Err: fmt.Errorf("%w: byte order %q", ErrUnsupported, b)}
		}
	}
	return a, nil
}

// unpickle reads and runs data.pkl.
func (a *torchArchive) unpickle() (any, error) {
	pkl, err := readEntry(a.files[a.prefix+"data.pkl"], MaxPickleSize)
	if err != nil {
		return nil, err
	}
	return unpickle(pkl, a.loadStorage)
}

// readEntry reads a whole zip entry of at most limit bytes, checking its
// CRC.
func readEntry(f *zip.File, limit uint64) ([]byte, error) {
	if f.UncompressedSize64 > limit {
		return nil, &FormatError{Err: fmt.Errorf("%w: zip entry %s of %d bytes > %d", ErrLimit, f.Name, f.UncompressedSize64, limit)}
	}
	buf := alignedBytes(int(f.UncompressedSize64))
	if err := readEntryInto(f, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// readEntryInto fills buf, whose length is f's declared size, with f's
// content and checks that the entry ends there with a valid CRC.
func readEntryInto(f *zip.File, buf []byte) error {
	rc, err := f.Open()
	if err != nil {
		return &FormatError{Err: fmt.Errorf("%w: zip entry %s: %v", ErrHeader, f.Name, err)}
	}
	defer rc.Close()
	if _, err := io.ReadFull(rc, buf); err != nil {
		return &FormatError{Err: fmt.Errorf("%w: zip entry %s: %v", ErrTruncated, f.Name, err)}
	}
	// Reading past the end makes archive/zip verify the CRC-32.
	var one [1]byte
	if n, err := rc.Read(one[:]); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = errors.New("longer than declared")
		}
		return &FormatError{Err: fmt.Errorf("%w: zip entry %s: %v", ErrHeader, f.Name, err)}
	}
	return nil
}

// loadStorage resolves a persistent id ('storage', <Type>Storage, key,
// location, numel) to the storage in data/<key>, or in the legacy format
// ('storage', <Type>Storage, key, location, numel, None) to a storage that
// legacyStorages locates after the pickle.
func (a *torchArchive) loadStorage(pid pyTuple) (*storageRef, error) {
	want := 5 // ('storage', type, key, location, numel)
	if a.legacy != nil {
		want = 6 // ..., view_metadata)
	}
	if len(pid) != want || pid[0] != "storage" {
		return nil, &FormatError{Err: fmt.Errorf("%w: persistent id is not a %d-tuple ('storage', type, key, location, numel, ...)", ErrPickle, want)}
	}
	if want == 6 && pid[5] != nil {
		return nil, &FormatError{Err: fmt.Errorf("%w: storage views of PyTorch < 1.0", ErrUnsupported)}
	}
	g, ok := pid[1].(pyGlobal)
	dtype, known := storageDTypes[g.name]
	if !ok || g.module != "torch" || !known {
		return nil, &FormatError{Err: fmt.Errorf("%w: storage type %s", ErrDType, typeName(pid[1]))}
	}
	key, ok1 := pid[2].(string)
	numel, ok2 := pid[4].(int64)
	if !ok1 || !ok2 || key == "" || strings.ContainsAny(key, `/\`) || key == "." || key == ".." || numel < 0 {
		return nil, &FormatError{Err: fmt.Errorf("%w: storage key %v, numel %v", ErrPickle, pid[2], pid[4])}
	}
	if s := a.storages[key]; s != nil {
		if s.dtype != dtype || s.numel != numel {
			return nil, &FormatError{Err: fmt.Errorf("%w: storage %s used as %v[%d] and %v[%d]", ErrShape, key, s.dtype, s.numel, dtype, numel)}
		}
		return s, nil
	}
	if numel > math.MaxInt/8 {
		return nil, &FormatError{Err: fmt.Errorf("%w: storage %s of %d %v elements", ErrShape, key, numel, dtype)}
	}
	nbytes, ok := byteSize([]int{int(numel)}, dtype)
	if !ok {
		return nil, &FormatError{Err: fmt.Errorf("%w: storage %s of %d %v elements", ErrShape, key, numel, dtype)}
	}
	if a.legacy == nil {
		// The legacy format's storages follow the pickle; they are checked
		// by legacyStorages.
		f := a.files[a.prefix+"data/"+key]
		if f == nil {
			return nil, &FormatError{Err: fmt.Errorf("%w: storage %s: no zip entry %sdata/%s", ErrMissing, key, a.prefix, key)}
		}
		if nbytes != f.UncompressedSize64 {
			return nil, &FormatError{Err: fmt.Errorf("%w: storage %s of %d %v elements, zip entry has %d bytes",
				ErrShape, key, numel, dtype, f.UncompressedSize64)}
		}
	}
	// A compressed entry may declare any size, and a legacy one is checked
	// later; count it against the budget.
	if nbytes > a.storageBudget {
		return nil, &FormatError{Err: fmt.Errorf("%w: storages of more than %d× the file size", ErrLimit, maxExpansion)}
	}
	a.storageBudget -= nbytes
	s := &storageRef{key: key, dtype: dtype, numel: numel}
	a.storages[key] = s
	return s, nil
}

// stateDict checks that obj is a state dict of valid tensor views within
// the budget, and returns the views by name and the names by storage.
func (a *torchArchive) stateDict(obj any) (map[string]*tensorRef, map[*storageRef][]string, error) {
	d, ok := obj.(*pyDict)
	if !ok {
		return nil, nil, &FormatError{Err: fmt.Errorf("%w: the pickle holds a %s, not a state dict", ErrUnsupported, typeName(obj))}
	}
	refs := make(map[string]*tensorRef, len(d.keys))
	byStorage := make(map[*storageRef][]string)
	for i, k := range d.keys {
		name, ok := k.(string)
		if !ok {
			return nil, nil, &FormatError{Err: fmt.Errorf("%w: state dict key %v is a %s", ErrUnsupported, k, typeName(k))}
		}
		t, ok := d.values[i].(*tensorRef)
		if !ok {
			return nil, nil, &FormatError{Tensor: name, Err: fmt.Errorf("%w: value is a %s, not a tensor", ErrUnsupported, typeName(d.values[i]))}
		}
		if _, dup := refs[name]; dup {
			return nil, nil, &FormatError{Tensor: name, Err: fmt.Errorf("%w: duplicate name", ErrHeader)}
		}
		nbytes, err := t.check()
		if err != nil {
			return nil, nil, &FormatError{Tensor: name, Err: err}
		}
		if nbytes > a.tensorBudget {
			return nil, nil, &FormatError{Tensor: name, Err: fmt.Errorf("%w: tensors of more than %d× the file size", ErrLimit, maxExpansion)}
		}
		a.tensorBudget -= nbytes
		refs[name] = t
		byStorage[t.storage] = append(byStorage[t.storage], name)
	}
	return refs, byStorage, nil
}

// materialize reads the tensors of the state dict obj, storage by storage
// in key order, so that a storage's bytes are dropped once its tensors are
// built.
func (a *torchArchive) materialize(obj any) (map[string]Tensor, error) {
	refs, byStorage, err := a.stateDict(obj)
	if err != nil {
		return nil, err
	}
	storages := make([]*storageRef, 0, len(byStorage))
	for s := range byStorage {
		storages = append(storages, s)
	}
	slices.SortFunc(storages, func(x, y *storageRef) int { return strings.Compare(x.key, y.key) })
	tensors := make(map[string]Tensor, len(refs))
	for _, s := range storages {
		names := byStorage[s]
		buf, err := a.readStorage(s, names[0])
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			tensors[name] = refs[name].build(buf, len(names) == 1)
		}
	}
	return tensors, nil
}

// readStorage reads the bytes of storage s; name is the tensor to blame
// for an error.
func (a *torchArchive) readStorage(s *storageRef, name string) ([]byte, error) {
	if a.legacy != nil {
		return a.legacy.read(s, name)
	}
	buf, err := readEntry(a.files[a.prefix+"data/"+s.key], math.MaxUint64)
	if err != nil {
		fe := err.(*FormatError)
		fe.Tensor = name
		return nil, fe
	}
	return buf, nil
}

// build returns the tensor the view selects from storage bytes buf. If the
// view is the storage's only one (sole) and covers it all, the tensor takes
// buf itself; otherwise it gets a copy.
func (t *tensorRef) build(buf []byte, sole bool) Tensor {
	out := Tensor{DType: t.storage.dtype, Shape: t.shape()}
	if sole && t.offset == 0 && t.isContiguous() && int64(t.numel()) == t.storage.numel {
		out.Data = buf
	} else {
		out.Data = t.gather(buf)
	}
	return out
}

// shape returns the view's size as ints (checked to fit).
func (t *tensorRef) shape() []int {
	shape := make([]int, len(t.size))
	for i, d := range t.size {
		shape[i] = int(d)
	}
	return shape
}

// check validates the view against its storage and returns its byte size.
func (t *tensorRef) check() (uint64, error) {
	s := t.storage
	if len(t.size) != len(t.stride) {
		return 0, fmt.Errorf("%w: size %v and stride %v differ in length", ErrShape, t.size, t.stride)
	}
	if len(t.size) > 64 {
		return 0, fmt.Errorf("%w: %d dimensions", ErrShape, len(t.size))
	}
	if t.offset < 0 || t.offset > s.numel {
		return 0, fmt.Errorf("%w: storage offset %d", ErrShape, t.offset)
	}
	shape := make([]int, len(t.size))
	for i, d := range t.size {
		if d < 0 || d > math.MaxInt || t.stride[i] < 0 {
			return 0, fmt.Errorf("%w: size %v, stride %v", ErrShape, t.size, t.stride)
		}
		shape[i] = int(d)
	}
	nbytes, ok := byteSize(shape, s.dtype)
	if !ok {
		return 0, fmt.Errorf("%w: size %v overflows", ErrShape, t.size)
	}
	if nbytes == 0 {
		return 0, nil
	}
	// The last element viewed must lie in the storage. Checking each term
	// against the storage size first keeps the sum from overflowing.
	last := t.offset
	for i, d := range t.size {
		if t.stride[i] > 0 && d-1 > s.numel/t.stride[i] {
			last = s.numel
			break
		}
		if last += (d - 1) * t.stride[i]; last >= s.numel {
			break
		}
	}
	if last >= s.numel {
		return 0, fmt.Errorf("%w: view (offset %d, size %v, stride %v) exceeds storage %s of %d elements",
			ErrShape, t.offset, t.size, t.stride, s.key, s.numel)
	}
	return nbytes, nil
}

func (t *tensorRef) numel() int {
	n := 1
	for _, d := range t.size {
		n *= int(d)
	}
	return n
}

// isContiguous reports whether the view is row-major without gaps, as
// torch's is_contiguous (strides of dimensions of size 1 do not matter).
func (t *tensorRef) isContiguous() bool {
	want := int64(1)
	for i := len(t.size) - 1; i >= 0; i-- {
		if t.size[i] == 1 {
			continue
		}
		if t.size[i] == 0 {
			return true
		}
		if t.stride[i] != want {
			return false
		}
		want *= t.size[i]
	}
	return true
}

// gather copies the view's elements out of storage bytes buf in row-major
// order. The view has been checked.
func (t *tensorRef) gather(buf []byte) []byte {
	es := int64(t.storage.dtype.Size())
	n := t.numel()
	out := alignedBytes(n * int(es))
	if n == 0 {
		return out
	}
	if t.isContiguous() {
		copy(out, buf[t.offset*es:])
		return out
	}
	// Odometer over the index; inner runs are single elements.
	idx := make([]int64, len(t.size))
	src := t.offset
	for i := 0; i < n; i++ {
		copy(out[int64(i)*es:int64(i+1)*es], buf[src*es:])
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			src += t.stride[d]
			if idx[d] < t.size[d] {
				break
			}
			src -= t.size[d] * t.stride[d]
			idx[d] = 0
		}
	}
	return out
}
