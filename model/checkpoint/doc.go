// Package checkpoint reads and writes model weights in the file formats of
// Hugging Face and PyTorch: safetensors files, PyTorch zip checkpoints
// (pytorch_model.bin) and sharded checkpoints with an index file. It never
// executes code from a file: PyTorch pickles are read by a restricted
// unpickler that only rebuilds tensors.
//
//	tensors, err := checkpoint.ReadFile("LaBSE/model.safetensors") // or pytorch_model.bin, or *.index.json
//	w := tensors["encoder.layer.0.attention.self.query.weight"]
//	fmt.Println(w.DType, w.Shape) // F32 [768 768]
//	values := w.Float32()         // []float32, row-major
//
// # Tensors
//
// A Tensor is a DType, a shape and the raw bytes of its elements,
// little-endian and row-major (C order), exactly as a safetensors file
// stores them. Shapes are in PyTorch's order: a Linear weight is
// [out, in]. A scalar has an empty shape; dimensions may be 0.
//
// Float32 and Float64 convert any dtype to floats. F16 and BF16 convert
// exactly, subnormals, infinities and NaN payloads included (F16ToFloat32,
// BF16ToFloat32; checked on all 65,536 patterns against numpy). Convert and
// Float32ToF16/Float32ToBF16 round to nearest even.
//
// Memory is shared, not copied, where that is free: Float32 of an F32
// tensor and Float64 of an F64 tensor return a view of the tensor's bytes,
// and FromFloat32/FromFloat64 wrap a Go slice (on little-endian hosts; on
// others they copy). Tensors returned by the readers own their memory: no
// two of them share bytes, even when a PyTorch file ties two names to one
// storage. So a model can load a checkpoint with one copy of its weights
// in memory and train them in place.
//
// # Reading
//
// ReadFile chooses the reader from the file's first bytes (the extension
// only when they match no kind): ReadSafetensors, ReadPyTorch, or
// ReadSharded for a file ending in ".index.json". DecodeSafetensors and
// DecodePyTorch read from an io.ReaderAt. Open returns a Reader that
// validates a file's tensor descriptions up front and reads tensors one at
// a time, to inspect shapes or load part of a large checkpoint.
//
// Safetensors: a file is accepted when Python's safetensors accepts it,
// except that duplicate names or fields are errors and the 8-bit float
// dtypes (F8_E4M3, F8_E5M2, ...) are not supported (ErrDType). The whole
// header is validated (dtype, shape × dtype size = byte length,
// offsets tiling the data section with no gap, overlap or trailing byte)
// before any tensor memory is allocated.
//
// PyTorch: torch.save's zip format (the default since PyTorch 1.6), with
// any folder name inside the zip (archive/, pytorch_model/, ...), and its
// legacy format (older checkpoints such as the original XLM-R and BERT
// uploads). The pickle may use only
// the opcodes of protocols 2–5 that build plain data, and only the globals
// collections.OrderedDict, torch._utils._rebuild_tensor(_v2),
// torch._utils._rebuild_parameter(_with_state) and the typed storages
// torch.{Float,Double,Half,BFloat16,Long,Int,Short,Char,Byte,Bool}Storage;
// anything else is an error. The top-level object must map names to
// tensors (a state dict). Views (storage offsets, transposed or sliced
// strides, broadcast zero strides, storages shared by several names) are
// copied out into dense tensors. Zip CRCs are checked. Not read: the tar
// format of PyTorch < 0.4, storage views of PyTorch < 1.0, big-endian
// files (ErrUnsupported).
//
// # Writing
//
// WriteSafetensors writes the bytes Python's safetensors writes for the
// same tensors and metadata: tensors sorted by decreasing dtype alignment,
// then by name; a compact JSON header, "__metadata__" first with sorted
// keys, padded with spaces to a multiple of 8 bytes so tensor data is
// aligned. Pass metadata {"format": "pt"} for Hugging Face transformers.
// The write is atomic: a temporary file in the same directory is written,
// synced and renamed over the target, so a crash leaves the old file or
// the new one, never a mix.
//
// # Limits
//
// Every size read from a file is checked against the file's size or a
// bound before memory is allocated for it: MaxHeaderSize (100 MB, as in
// the reference implementation), MaxPickleSize (256 MiB), MaxIndexSize
// (64 MiB), and tensors rebuilt from a PyTorch file may not exceed four
// times its size plus 64 MiB in all. The unpickler's time and memory are
// linear in the pickle's size. A hostile file gives an error, never a
// panic, a hang or an unbounded allocation (fuzzed: FuzzDecodeSafetensors,
// FuzzUnpickle, FuzzDecodePyTorch).
//
// # Errors
//
// Invalid file content gives a *FormatError naming the file and, where
// there is one, the tensor; it wraps one of the sentinel errors (ErrHeader,
// ErrOffsets, ErrTruncated, ErrShape, ErrDType, ErrLimit, ErrPickle,
// ErrForbidden, ErrUnsupported, ErrMissing), so callers can test
// errors.Is(err, checkpoint.ErrForbidden). I/O errors are returned wrapped
// (errors.Is(err, fs.ErrNotExist) works). WriteSafetensors returns an
// error, before creating any file, for an invalid tensor.
//
// # Panics
//
// Methods of Tensor panic with a "checkpoint: " message if the Tensor is
// invalid (unknown dtype, negative dimension, data length not matching the
// shape), as FromFloat32 and FromFloat64 do when the slice length does not
// match the shape: these are programmer errors.
//
// # Concurrency
//
// All functions may be called concurrently. A Tensor is a plain value; its
// methods do not modify it.
package checkpoint
