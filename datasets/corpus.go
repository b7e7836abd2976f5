package datasets

import (
	"errors"
	"io"
	"io/fs"
	"iter"
	"unsafe"
)

// A Passage is one document of a corpus.
type Passage struct {
	ID, Title, Text string
}

// ReadCorpus returns an iterator over the passages of a JSONL corpus stream,
// plain or gzipped; name is used in errors. Each line is a JSON object with
// an id under "docid" (MIRACL), "_id" (BEIR) or "id" (Pyserini), an optional
// "title", and the text under "text" or "contents" (Pyserini); other keys
// are ignored. Blank lines are skipped.
//
// Memory stays constant however long the stream: only the current line is
// held, and each passage's strings share one allocation the caller may
// keep. The iterator does not check that ids are unique (that would need
// memory growing with the corpus); LoadMIRACL does. On bad input it yields
// a zero Passage and a *ParseError naming the line, then stops. It reads r
// as it goes and can be ranged over once.
func ReadCorpus(r io.Reader, name string) iter.Seq2[Passage, error] {
	return func(yield func(Passage, error) bool) {
		lr, err := newLineReader(r, name)
		if err != nil {
			yield(Passage{}, err)
			return
		}
		var s jsonScanner
		for {
			line, err := lr.next()
			if err == io.EOF {
				return
			}
			var p Passage
			if err == nil {
				p, err = parsePassage(&s, line, name, lr.line)
				if err == errBlank {
					continue
				}
			}
			if !yield(p, err) || err != nil {
				return
			}
		}
	}
}

// OpenCorpus is ReadCorpus over the file name in fsys, which it closes when
// the iteration ends.
func OpenCorpus(fsys fs.FS, name string) iter.Seq2[Passage, error] {
	return func(yield func(Passage, error) bool) {
		f, err := fsys.Open(name)
		if err != nil {
			yield(Passage{}, err)
			return
		}
		defer f.Close()
		for p, err := range ReadCorpus(f, name) {
			if !yield(p, err) {
				return
			}
		}
	}
}

const (
	hasDocID fieldSet = 1 << iota
	hasTitle
	hasText
)

// parsePassage parses one corpus line. It reads the line in place and
// copies only the strings it returns, each once.
func parsePassage(s *jsonScanner, line []byte, name string, lineNo int) (Passage, error) {
	if blank(line) {
		return Passage{}, errBlank
	}
	// A view of line, valid until the line reader's next call; nothing
	// keeps it beyond this function (borrowed makes str copy).
	src := unsafe.String(unsafe.SliceData(line), len(line))
	if off := firstInvalidUTF8(src); off >= 0 {
		_, col := position(src, off)
		return Passage{}, &ParseError{File: name, Line: lineNo, Column: col, Err: ErrInvalidUTF8}
	}
	*s = jsonScanner{src: src, borrowed: true}
	var p Passage
	var seen fieldSet
	err := s.object(func(key string) error {
		var bit fieldSet
		var dst *string
		switch key {
		case "docid", "_id", "id":
			bit, dst = hasDocID, &p.ID
		case "title":
			bit, dst = hasTitle, &p.Title
		case "text", "contents":
			bit, dst = hasText, &p.Text
		default:
			return s.skip()
		}
		if err := seen.see(s, bit, key); err != nil {
			return err
		}
		var err error
		*dst, err = s.str()
		return err
	})
	if err == nil {
		err = s.end()
	}
	switch {
	case err != nil:
	case p.ID == "":
		err = s.fail(0, ErrMissingField, `no "docid"`)
	case seen&hasText == 0:
		err = s.fail(0, ErrMissingField, `no "text"`)
	}
	var se *scanError
	if errors.As(err, &se) {
		_, col := position(src, se.off)
		return Passage{}, &ParseError{File: name, Line: lineNo, Column: col, Record: p.ID, Err: se.err}
	}
	return p, err
}

// blank reports whether line holds only JSON white space.
func blank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
