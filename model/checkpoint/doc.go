// Package checkpoint reads and writes model weights in the file formats of
// Hugging Face and PyTorch: safetensors files, PyTorch zip checkpoints
// (pytorch_model.bin) and sharded checkpoints with an index file. It never
// executes code from a file: PyTorch pickles are read by a restricted
// unpickler that only rebuilds tensors.
//
// # Tensors
//
// A Tensor is a dtype, a shape and the raw little-endian bytes of its
// elements in row-major order, exactly as stored in a safetensors file.
// Float32 and Float64 convert any dtype to float values (F16 and BF16
// exactly, including subnormals, infinities and NaN payloads); for F32 and
// F64 they return a view of the tensor's bytes instead of a copy. Tensors
// read by this package own their memory: no two share bytes. FromFloat32
// and FromFloat64 wrap Go slices without copying.
//
// # Formats
//
// ReadFile dispatches on the file's first bytes: safetensors, PyTorch zip,
// or an index ("*.index.json") of shards of either kind. Writing is to
// safetensors only (WriteSafetensors): files are byte-for-byte what
// Python's safetensors writes for the same tensors and metadata, and
// written atomically (temporary file in the same directory, fsync,
// rename).
//
// # Errors
//
// Invalid file content gives a *FormatError naming the file and, where
// there is one, the tensor; it wraps one of the sentinel errors (ErrHeader,
// ErrOffsets, ErrTruncated, ErrShape, ErrDType, ErrLimit, ErrPickle,
// ErrForbidden, ErrUnsupported, ErrMissing), so callers can test
// errors.Is(err, checkpoint.ErrForbidden). I/O errors are returned wrapped.
// Every size read from a file is checked against the file's size or a
// documented bound (MaxHeaderSize, MaxIndexSize) before memory is
// allocated for it, so a hostile file cannot exhaust memory or make a
// reader loop. Methods of Tensor panic on an invalid Tensor (unknown dtype,
// data length not matching the shape): that is a programmer error.
//
// # Concurrency
//
// Functions may be called concurrently. A Tensor is a plain value; its
// methods do not modify it.
package checkpoint
