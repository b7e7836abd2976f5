package checkpoint

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/polyret/polyret/internal/atomicfile"
)

// WriteSafetensors writes tensors and metadata to the safetensors file at
// path, atomically: it writes a temporary file in the same directory,
// syncs it and renames it over path, so that path holds either its old
// content or the complete new file, never a partial one.
//
// The file is what Python's safetensors (save_file) writes for the same
// input, byte for byte: tensors sorted by decreasing dtype alignment, then
// by name; a compact JSON header with "__metadata__" first, padded with
// spaces to a multiple of 8 bytes. Metadata keys are written in sorted
// order (Python's order is that of a hash map); nil or empty metadata
// writes no "__metadata__" entry. Hugging Face transformers expects
// metadata {"format": "pt"}.
//
// It returns an error, before creating any file, if a tensor is invalid
// (unknown dtype, data length not matching its shape), a name or metadata
// string is not valid UTF-8, or a tensor is named "__metadata__".
func WriteSafetensors(path string, tensors map[string]Tensor, metadata map[string]string) error {
	p, err := prepareSafetensors(tensors, metadata)
	if err != nil {
		return withFile(err, path)
	}
	return writeAtomic(path, func(w io.Writer) error { return p.writeTo(w) })
}

// EncodeSafetensors writes tensors and metadata in the safetensors format
// to w, exactly as WriteSafetensors writes them to a file.
func EncodeSafetensors(w io.Writer, tensors map[string]Tensor, metadata map[string]string) error {
	p, err := prepareSafetensors(tensors, metadata)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := p.writeTo(bw); err != nil {
		return err
	}
	return bw.Flush()
}

type preparedFile struct {
	header []byte
	order  []Tensor
}

func (p *preparedFile) writeTo(w io.Writer) error {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(p.header)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(p.header); err != nil {
		return err
	}
	for _, t := range p.order {
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
	}
	return nil
}

func prepareSafetensors(tensors map[string]Tensor, metadata map[string]string) (*preparedFile, error) {
	names := make([]string, 0, len(tensors))
	for name, t := range tensors {
		if err := t.check(); err != nil {
			return nil, &FormatError{Tensor: name, Err: err}
		}
		if !utf8.ValidString(name) {
			return nil, &FormatError{Tensor: name, Err: fmt.Errorf("%w: name is not valid UTF-8", ErrHeader)}
		}
		if name == metadataKey {
			return nil, &FormatError{Tensor: name, Err: fmt.Errorf("%w: reserved name", ErrHeader)}
		}
		names = append(names, name)
	}
	// The reference implementation's order: decreasing dtype, then name.
	slices.SortFunc(names, func(a, b string) int {
		if c := cmp.Compare(tensors[b].DType, tensors[a].DType); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	h := make([]byte, 0, 64+96*len(names))
	h = append(h, '{')
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k, v := range metadata {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, &FormatError{Err: fmt.Errorf("%w: metadata %q: %q is not valid UTF-8", ErrHeader, k, v)}
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		h = appendJSONString(h, metadataKey)
		h = append(h, ":{"...)
		for i, k := range keys {
			if i > 0 {
				h = append(h, ',')
			}
			h = appendJSONString(h, k)
			h = append(h, ':')
			h = appendJSONString(h, metadata[k])
		}
		h = append(h, '}')
		if len(names) > 0 {
			h = append(h, ',')
		}
	}
	order := make([]Tensor, len(names))
	var offset uint64
	for i, name := range names {
		t := tensors[name]
		order[i] = t
		if i > 0 {
			h = append(h, ',')
		}
		h = appendJSONString(h, name)
		h = append(h, `:{"dtype":"`...)
		h = append(h, t.DType.String()...)
		h = append(h, `","shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				h = append(h, ',')
			}
			h = strconv.AppendInt(h, int64(d), 10)
		}
		h = append(h, `],"data_offsets":[`...)
		h = strconv.AppendUint(h, offset, 10)
		h = append(h, ',')
		offset += uint64(len(t.Data))
		h = strconv.AppendUint(h, offset, 10)
		h = append(h, "]}"...)
	}
	h = append(h, '}')
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	if len(h) > MaxHeaderSize {
		return nil, &FormatError{Err: fmt.Errorf("%w: header of %d bytes > %d", ErrLimit, len(h), MaxHeaderSize)}
	}
	return &preparedFile{header: h, order: order}, nil
}

// appendJSONString appends s as a JSON string the way serde_json (the
// reference writer) does: only '"', '\\' and control characters are
// escaped; other characters, non-ASCII included, are written as is.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// writeAtomic writes the file at path through write, atomically (see
// internal/atomicfile), wrapping errors with the path.
func writeAtomic(path string, write func(io.Writer) error) error {
	if err := atomicfile.WriteFile(path, write); err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	return nil
}
