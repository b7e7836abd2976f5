package datasets

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinel errors. A data error returned by this package is a *ParseError
// whose Err wraps one of these, so callers test them with errors.Is.
var (
	// ErrSyntax reports malformed JSON, a TSV line with the wrong number of
	// fields, or a number where an integer is required.
	ErrSyntax = errors.New("syntax error")
	// ErrMissingField reports a required field that is absent or empty.
	ErrMissingField = errors.New("missing field")
	// ErrOffset reports a sentence break or answer_start outside its context.
	ErrOffset = errors.New("offset out of range")
	// ErrNoSentence reports an answer_start that falls in no sentence break.
	ErrNoSentence = errors.New("answer in no sentence")
	// ErrSentenceCount reports sentences and sentence_breaks of different lengths.
	ErrSentenceCount = errors.New("sentences and sentence_breaks differ in length")
	// ErrDuplicateID reports an id (question, topic, document, JSON key)
	// that occurs twice where ids must be unique.
	ErrDuplicateID = errors.New("duplicate id")
	// ErrUnknownID reports an id referenced by one file and absent from
	// another, such as a passage id of an mMARCO triple missing from a
	// collection.
	ErrUnknownID = errors.New("unknown id")
	// ErrInvalidUTF8 reports text that is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrTooLong reports a line or file larger than the reader's limit.
	ErrTooLong = errors.New("input too long")
	// ErrTruncated reports input that ends early, such as a truncated .gz
	// file; the underlying decompressor error is wrapped too.
	ErrTruncated = errors.New("truncated input")
	// ErrCorrupt reports a damaged .gz file (bad header, bad checksum or
	// invalid compressed data); the decompressor error is wrapped too.
	ErrCorrupt = errors.New("corrupt compressed input")
)

// A ParseError reports bad input: the file, the line (1-based; 0 when the
// error concerns the whole file) and column (1-based, in code points; 0 when
// unknown), the record (a JSON path such as data[3].paragraphs[1].qas[0], or
// an id; empty when the line says it all) and the cause. Err wraps one of the
// package's sentinel errors.
type ParseError struct {
	File   string
	Line   int
	Column int
	Record string
	Err    error
}

// Error formats e as file:line:column: record: cause.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Record != "" {
		b.WriteString(e.Record)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns e.Err.
func (e *ParseError) Unwrap() error { return e.Err }

// errorf returns an error wrapping sentinel with a formatted detail.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}

// position returns the 1-based line and code-point column of byte offset off
// in src. Offsets beyond src are clamped to its end.
func position(src string, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	line = 1 + strings.Count(src[:off], "\n")
	start := strings.LastIndexByte(src[:off], '\n') + 1
	return line, 1 + utf8.RuneCountInString(src[start:off])
}

// firstInvalidUTF8 returns the byte offset of the first invalid UTF-8
// sequence in s, or -1 if s is valid.
func firstInvalidUTF8(s string) int {
	if utf8.ValidString(s) {
		return -1
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return -1
}
