package datasets

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/polyret/polyret/internal/atomicfile"
)

// ReadTuples returns an iterator over the tuples of a JSONL tuple stream
// (the format in the package documentation), plain or gzipped; name is used
// in errors. On bad input it yields a zero Tuple and a *ParseError naming
// the line, then stops. The iterator reads r as it goes and can be ranged
// over once.
func ReadTuples(r io.Reader, name string) iter.Seq2[Tuple, error] {
	return func(yield func(Tuple, error) bool) {
		lr, err := newLineReader(r, name)
		if err != nil {
			yield(Tuple{}, err)
			return
		}
		for {
			line, err := lr.next()
			if err == io.EOF {
				return
			}
			var t Tuple
			if err == nil {
				t, err = parseTupleLine(string(line), name, lr.line)
				if err == errBlank {
					continue
				}
			}
			if !yield(t, err) || err != nil {
				return
			}
		}
	}
}

// LoadTuples reads a whole JSONL tuple file (plain or .gz) from fsys into a
// dataset named after the file, without directory and extensions.
func LoadTuples(fsys fs.FS, name string) (*Dataset, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	base := path.Base(name)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	d := &Dataset{Name: base}
	for t, err := range ReadTuples(f, name) {
		if err != nil {
			return nil, err
		}
		d.Tuples = append(d.Tuples, t)
	}
	return d, nil
}

// errBlank marks a line with only white space, which readers skip.
var errBlank = errors.New("blank line")

const (
	hasGroup fieldSet = 1 << iota
	hasLangs
)

const (
	hasQuery fieldSet = 1 << iota
	hasPos
	hasNegs
)

// parseTupleLine parses one line of the tuple format.
func parseTupleLine(line, name string, lineNo int) (Tuple, error) {
	s := &jsonScanner{src: line}
	if s.ws(); s.pos == len(line) {
		return Tuple{}, errBlank
	}
	if off := firstInvalidUTF8(line); off >= 0 {
		_, col := position(line, off)
		return Tuple{}, &ParseError{File: name, Line: lineNo, Column: col, Err: ErrInvalidUTF8}
	}
	var t Tuple
	var seen fieldSet
	err := s.object(func(key string) error {
		var err error
		switch key {
		case "group":
			if err = seen.see(s, hasGroup, key); err == nil {
				t.Group, err = s.str()
			}
		case "langs":
			if err = seen.see(s, hasLangs, key); err == nil {
				t.Langs = make(map[Lang]Triplet)
				err = s.object(func(lang string) error {
					if lang == "" {
						return s.fail(s.pos, ErrMissingField, "empty language code")
					}
					if _, dup := t.Langs[Lang(lang)]; dup {
						return s.fail(s.pos, ErrDuplicateID, "language %q appears twice", lang)
					}
					tr, err := parseTriplet(s, lang)
					t.Langs[Lang(lang)] = tr
					return err
				})
			}
		default:
			err = s.skip()
		}
		return err
	})
	if err == nil {
		err = s.end()
	}
	switch {
	case err != nil:
	case t.Group == "":
		err = s.fail(0, ErrMissingField, `no "group"`)
	case len(t.Langs) == 0:
		err = s.fail(0, ErrMissingField, `no "langs"`)
	}
	var se *scanError
	if errors.As(err, &se) {
		_, col := position(line, se.off)
		return Tuple{}, &ParseError{File: name, Line: lineNo, Column: col, Record: t.Group, Err: se.err}
	}
	return t, err
}

func parseTriplet(s *jsonScanner, lang string) (Triplet, error) {
	s.ws()
	off := s.pos
	var tr Triplet
	var seen fieldSet
	err := s.object(func(key string) error {
		var err error
		switch key {
		case "query":
			if err = seen.see(s, hasQuery, key); err == nil {
				tr.Query, err = s.str()
			}
		case "pos":
			if err = seen.see(s, hasPos, key); err == nil {
				tr.Positive, err = s.str()
			}
		case "negs":
			if err = seen.see(s, hasNegs, key); err == nil {
				tr.Negatives, err = s.stringArray(nil)
			}
		default:
			err = s.skip()
		}
		return err
	})
	switch {
	case err != nil:
	case tr.Query == "":
		err = s.fail(off, ErrMissingField, "%s: no \"query\"", lang)
	case tr.Positive == "":
		err = s.fail(off, ErrMissingField, "%s: no \"pos\"", lang)
	case slices.Contains(tr.Negatives, ""):
		err = s.fail(off, ErrMissingField, "%s: empty negative", lang)
	}
	return tr, err
}

// A TupleWriter writes tuples in the JSONL tuple format, one line each,
// languages in sorted order, strings escaped minimally (quote, backslash,
// control characters, U+2028 and U+2029). It is not safe for concurrent
// use. Call Flush after the last Write.
type TupleWriter struct {
	w    *bufio.Writer
	buf  []byte
	keys []Lang
}

// NewTupleWriter returns a TupleWriter that writes to w.
func NewTupleWriter(w io.Writer) *TupleWriter {
	return &TupleWriter{w: bufio.NewWriterSize(w, readBufferBytes)}
}

// Write writes t as one line. It returns an error wrapping ErrMissingField
// if t has no group, no language, or an empty language code, query,
// positive or negative, and ErrInvalidUTF8 if a string is not valid UTF-8;
// nothing is written then.
func (tw *TupleWriter) Write(t Tuple) error {
	if t.Group == "" || len(t.Langs) == 0 {
		return fmt.Errorf("datasets: tuple %q: %w: empty group or no language", t.Group, ErrMissingField)
	}
	tw.keys = tw.keys[:0]
	for l := range t.Langs {
		tw.keys = append(tw.keys, l)
	}
	slices.Sort(tw.keys)
	b := append(tw.buf[:0], `{"group":`...)
	b = appendJSONString(b, t.Group)
	b = append(b, `,"langs":{`...)
	for i, l := range tw.keys {
		tr := t.Langs[l]
		if l == "" || tr.Query == "" || tr.Positive == "" || slices.Contains(tr.Negatives, "") {
			return fmt.Errorf("datasets: tuple %q, language %q: %w: empty language, query, positive or negative", t.Group, l, ErrMissingField)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, string(l))
		b = append(b, `:{"query":`...)
		b = appendJSONString(b, tr.Query)
		b = append(b, `,"pos":`...)
		b = appendJSONString(b, tr.Positive)
		if len(tr.Negatives) > 0 {
			b = append(b, `,"negs":[`...)
			for j, n := range tr.Negatives {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, n)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = append(b, "}}\n"...)
	tw.buf = b
	if !utf8.Valid(b) {
		return fmt.Errorf("datasets: tuple %q: %w", t.Group, ErrInvalidUTF8)
	}
	_, err := tw.w.Write(b)
	return err
}

// Flush writes any buffered data to the underlying writer.
func (tw *TupleWriter) Flush() error { return tw.w.Flush() }

// WriteTuples writes d's tuples to w in the JSONL tuple format.
func WriteTuples(w io.Writer, d *Dataset) error {
	tw := NewTupleWriter(w)
	for _, t := range d.Tuples {
		if err := tw.Write(t); err != nil {
			return err
		}
	}
	return tw.Flush()
}

// WriteTuplesFile writes d's tuples to the file name, gzipped if name ends
// in ".gz". The write is atomic: the data goes to a temporary file in the
// same directory, renamed over name only when complete.
func WriteTuplesFile(name string, d *Dataset) error {
	return atomicfile.WriteFile(name, func(w io.Writer) error {
		if !strings.HasSuffix(name, ".gz") {
			return WriteTuples(w, d)
		}
		zw := gzip.NewWriter(w)
		if err := WriteTuples(zw, d); err != nil {
			return err
		}
		return zw.Close()
	})
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != '\u2028' && r != '\u2029' {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
