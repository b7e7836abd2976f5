package datasets

import (
	"bytes"
	"io"
	"iter"
	"strings"
	"unicode/utf8"
)

// A Record is one line of an id-and-text TSV file: an MS MARCO or mMARCO
// collection (pid, passage) or queries file (qid, query), or a MIRACL
// topics file (qid, query).
type Record struct {
	ID, Text string
}

// A TripleIDs is one line of an MS MARCO / mMARCO training triples file
// by id: query, positive passage and negative passage.
type TripleIDs struct {
	Query, Positive, Negative string
}

// ReadRecords returns an iterator over the records of a TSV stream, plain
// or gzipped, with lines "id<TAB>text"; name is used in errors. The text is
// the rest of the line after the first tab (a trailing "\r" is dropped) and
// may be empty; the id may not. Blank lines are skipped. On bad input it
// yields a zero Record and a *ParseError naming the line, then stops. Memory
// stays constant; the iterator does not check that ids are unique. It reads
// r as it goes and can be ranged over once.
func ReadRecords(r io.Reader, name string) iter.Seq2[Record, error] {
	return readTSV(r, name, parseRecord)
}

func parseRecord(fields [][]byte, line string) (Record, error) {
	if len(fields) < 2 {
		return Record{}, errorf(ErrSyntax, "no tab")
	}
	id, text, _ := strings.Cut(line, "\t")
	if id == "" {
		return Record{}, errorf(ErrMissingField, "empty id")
	}
	return Record{ID: id, Text: text}, nil
}

// ReadTriples returns an iterator over the lines "qid<TAB>pos_pid<TAB>neg_pid"
// of a TSV stream, plain or gzipped; name is used in errors. Each line must
// have exactly three non-empty fields. Blank lines are skipped. On bad
// input it yields a zero TripleIDs and a *ParseError naming the line, then
// stops. It reads r as it goes and can be ranged over once.
func ReadTriples(r io.Reader, name string) iter.Seq2[TripleIDs, error] {
	return readTSV(r, name, func(fields [][]byte, line string) (TripleIDs, error) {
		if len(fields) != 3 {
			return TripleIDs{}, errorf(ErrSyntax, "%d fields, want 3 (qid, positive pid, negative pid)", len(fields))
		}
		f := strings.Split(line, "\t")
		for i, v := range f {
			if v == "" {
				return TripleIDs{}, errorf(ErrMissingField, "empty field %d", i+1)
			}
		}
		return TripleIDs{Query: f[0], Positive: f[1], Negative: f[2]}, nil
	})
}

// readTSV drives a TSV iterator: parse gets the tab-separated fields (for
// counting) and the line as a string.
func readTSV[T any](r io.Reader, name string, parse func(fields [][]byte, line string) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		lr, err := newLineReader(r, name)
		if err != nil {
			yield(zero, err)
			return
		}
		var fields [][]byte
		for {
			line, err := lr.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(zero, err)
				return
			}
			line = bytes.TrimSuffix(line, []byte{'\r'})
			if len(line) == 0 {
				continue
			}
			if !utf8.Valid(line) {
				off := firstInvalidUTF8(string(line))
				_, col := position(string(line), off)
				yield(zero, &ParseError{File: name, Line: lr.line, Column: col, Err: ErrInvalidUTF8})
				return
			}
			fields = fields[:0]
			for f := range bytes.SplitSeq(line, []byte{'\t'}) {
				fields = append(fields, f)
				if len(fields) > 3 {
					break
				}
			}
			v, err := parse(fields, string(line))
			if err != nil {
				yield(zero, &ParseError{File: name, Line: lr.line, Err: err})
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

// ReadTopics reads a TSV topics file (MIRACL's topics.*.tsv: "qid<TAB>query")
// into queries of language lang, in file order, with Group = ID. It returns
// a *ParseError for bad lines and for a repeated qid (ErrDuplicateID).
func ReadTopics(r io.Reader, name string, lang Lang) ([]Query, error) {
	var qs []Query
	seen := make(map[string]bool)
	for q, err := range readTSV(r, name, func(fields [][]byte, line string) (Query, error) {
		rec, err := parseRecord(fields, line)
		if err != nil {
			return Query{}, err
		}
		if seen[rec.ID] {
			return Query{}, errorf(ErrDuplicateID, "qid %q", rec.ID)
		}
		seen[rec.ID] = true
		return Query{ID: rec.ID, Group: rec.ID, Lang: lang, Text: rec.Text}, nil
	}) {
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	return qs, nil
}
