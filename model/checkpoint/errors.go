package checkpoint

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors wrapped by a *FormatError. Test for them with errors.Is.
var (
	// ErrTruncated: the file is shorter than its header or index declares.
	ErrTruncated = errors.New("truncated file")
	// ErrHeader: a safetensors header or sharded index is malformed: bad
	// JSON, duplicate names, missing or ill-typed fields.
	ErrHeader = errors.New("malformed header")
	// ErrOffsets: tensor data offsets are out of range, overlap, leave a
	// gap, or do not end where the file ends.
	ErrOffsets = errors.New("invalid data offsets")
	// ErrShape: a shape, stride or storage offset is invalid, or does not
	// match the number of bytes stored.
	ErrShape = errors.New("invalid shape")
	// ErrDType: the element type is unknown or not supported.
	ErrDType = errors.New("unsupported dtype")
	// ErrLimit: a size declared by the file exceeds a safety bound of this
	// package (for example a header over 100 MB).
	ErrLimit = errors.New("size limit exceeded")
	// ErrPickle: a PyTorch pickle is malformed or uses an opcode that the
	// restricted unpickler does not allow.
	ErrPickle = errors.New("invalid pickle")
	// ErrForbidden: a PyTorch pickle refers to a Python global outside the
	// allow-list (collections.OrderedDict, torch._utils._rebuild_tensor*,
	// torch.*Storage). Such files can execute code in Python; this package
	// never does and refuses them.
	ErrForbidden = errors.New("forbidden pickle global")
	// ErrUnsupported: the file is of a known kind that this package does not
	// read, such as a big-endian PyTorch file or one that holds something
	// other than a state dict.
	ErrUnsupported = errors.New("unsupported format")
	// ErrMissing: a tensor or file named by an index is absent.
	ErrMissing = errors.New("missing tensor")
)

// A FormatError reports invalid checkpoint data. Err wraps one of the
// package's sentinel errors (ErrTruncated, ErrHeader, ...) with details.
type FormatError struct {
	File   string // path of the file, "" when decoding from a reader
	Tensor string // tensor name, "" if the error is not about one tensor
	Err    error
}

// Error returns "checkpoint: FILE: tensor "NAME": DETAILS", leaving out
// the parts that are empty.
func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString("checkpoint: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Tensor != "" {
		b.WriteString("tensor ")
		b.WriteString(strconv.Quote(e.Tensor))
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns e.Err.
func (e *FormatError) Unwrap() error { return e.Err }

// withFile sets the File of err if err is a *FormatError without one.
func withFile(err error, path string) error {
	if fe, ok := errors.AsType[*FormatError](err); ok && fe.File == "" {
		fe.File = path
	}
	return err
}
