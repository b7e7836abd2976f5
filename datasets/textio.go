package datasets

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

const (
	// MaxLineBytes is the longest line the streaming readers accept
	// (TSV, JSONL). Longer lines give ErrTooLong.
	MaxLineBytes = 64 << 20
	// MaxFileBytes is the largest (decompressed) SQuAD-format JSON file
	// the QA loaders accept. Larger files give ErrTooLong.
	MaxFileBytes = 1 << 30

	readBufferBytes = 256 << 10
)

// gzipMagic starts every gzip stream.
const gzipMagic = "\x1f\x8b"

// decompressed returns a reader of r's content, gunzipped if r starts with
// the gzip magic bytes. The name ends up in errors.
func decompressed(r io.Reader, name string) (io.Reader, error) {
	br := bufio.NewReaderSize(r, readBufferBytes)
	head, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if string(head) != gzipMagic {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, &ParseError{File: name, Err: gzipError(err)}
	}
	return zr, nil
}

// gzipError classifies a decompression error, or returns nil if err is
// not one (a plain read error of the underlying file).
func gzipError(err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %w", ErrTruncated, err)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.As(err, &corrupt):
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return nil
}

// readError turns an error met while reading name at line into a
// *ParseError for damaged compressed data, or a plain wrapped error.
func readError(err error, name string, line int) error {
	if ge := gzipError(err); ge != nil {
		return &ParseError{File: name, Line: line, Err: ge}
	}
	return fmt.Errorf("read %s: %w", name, err)
}

// A lineReader yields the lines of a text stream, plain or gzipped, with
// their numbers. Lines end at '\n'; a trailing '\r' is kept (callers that
// care strip it).
type lineReader struct {
	br   *bufio.Reader
	name string
	line int // number of the line last returned
	long []byte
}

func newLineReader(r io.Reader, name string) (*lineReader, error) {
	dr, err := decompressed(r, name)
	if err != nil {
		return nil, err
	}
	br, ok := dr.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(dr, readBufferBytes)
	}
	return &lineReader{br: br, name: name}, nil
}

// next returns the next line without its '\n'. The slice is valid until the
// following call. It returns io.EOF, unwrapped, after the last line.
func (lr *lineReader) next() ([]byte, error) {
	line, err := lr.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		lr.long = append(lr.long[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(lr.long) > MaxLineBytes {
				return nil, &ParseError{File: lr.name, Line: lr.line + 1,
					Err: errorf(ErrTooLong, "line longer than %d bytes", MaxLineBytes)}
			}
			line, err = lr.br.ReadSlice('\n')
			lr.long = append(lr.long, line...)
		}
		line = lr.long
	}
	switch {
	case err == io.EOF && len(line) == 0:
		return nil, io.EOF
	case err != nil && err != io.EOF:
		return nil, readError(err, lr.name, lr.line+1)
	}
	lr.line++
	if len(line) > MaxLineBytes+1 {
		return nil, &ParseError{File: lr.name, Line: lr.line,
			Err: errorf(ErrTooLong, "line longer than %d bytes", MaxLineBytes)}
	}
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	return line, nil
}

// readText reads a whole (possibly gzipped) file of at most MaxFileBytes.
func readText(fsys fs.FS, name string) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	r, err := decompressed(f, name)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(sizeHint(f, r))
	n, err := io.Copy(&b, io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return "", readError(err, name, 0)
	}
	if n > MaxFileBytes {
		return "", &ParseError{File: name, Err: errorf(ErrTooLong, "larger than %d bytes", MaxFileBytes)}
	}
	return b.String(), nil
}

// sizeHint guesses the size of the text r reads from f: the file size, or
// for gzip the ISIZE trailer when f can seek, bounded by MaxFileBytes. The
// guess only presizes a buffer.
func sizeHint(f fs.File, r io.Reader) int {
	info, err := f.Stat()
	if err != nil {
		return 0
	}
	size := info.Size()
	if _, gz := r.(*gzip.Reader); gz {
		size *= 4
		if ra, ok := f.(io.ReaderAt); ok && info.Size() >= 4 {
			var trailer [4]byte
			if _, err := ra.ReadAt(trailer[:], info.Size()-4); err == nil {
				size = int64(binary.LittleEndian.Uint32(trailer[:]))
			}
		}
	}
	return int(min(size, MaxFileBytes))
}
