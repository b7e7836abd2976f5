package tokenizer

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by a *ParseError or returned by Load.
var (
	// ErrFormat means a file is malformed: bad protobuf, JSON or UTF-8,
	// a size that exceeds the file, an id out of range.
	ErrFormat = errors.New("malformed tokenizer file")
	// ErrUnsupported means a well-formed file asks for something this
	// package does not implement, such as a BPE model.
	ErrUnsupported = errors.New("unsupported tokenizer")
	// ErrMissingToken means a required token, such as the unknown token,
	// is absent from the vocabulary.
	ErrMissingToken = errors.New("missing token")
	// ErrNotFound means a model directory holds no tokenizer file that Load
	// recognises.
	ErrNotFound = errors.New("no tokenizer file found")
)

// A ParseError reports a problem in a tokenizer file. Err is one of the
// package's sentinel errors, possibly wrapped with more detail.
type ParseError struct {
	File string // path of the file, or "" when parsed from memory
	Line int    // 1-based line of a text file, or 0
	Err  error
}

func (e *ParseError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	if e.Line > 0 {
		return fmt.Sprintf("tokenizer: %s:%d: %v", file, e.Line, e.Err)
	}
	return fmt.Sprintf("tokenizer: %s: %v", file, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// errorf returns a ParseError for file wrapping sentinel with a message.
func errorf(file string, line int, sentinel error, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Err: fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), sentinel)}
}
