package metrics

import (
	"errors"
	"fmt"
)

// Sentinel errors. Readers wrap them in a *ParseError that names the file and
// line; Evaluate wraps them in a *TopicError that names the topic. Test for
// them with errors.Is.
var (
	// ErrFieldCount: a line has the wrong number of fields for its format.
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrBadGrade: a qrels grade is not an integer (or an integer with a
	// zero fraction, such as "1.0").
	ErrBadGrade = errors.New("grade is not an integer")
	// ErrBadScore: a run score is not a number.
	ErrBadScore = errors.New("score is not a number")
	// ErrNaNScore: a run score is NaN. Readers reject it and writers refuse
	// to write it, because a NaN has no place in a ranking.
	ErrNaNScore = errors.New("score is NaN")
	// ErrBadRank: an MS MARCO rank is not a positive integer.
	ErrBadRank = errors.New("rank is not a positive integer")
	// ErrDuplicateDoc: the same document appears twice in one topic of a
	// run or of the qrels. trec_eval 10 stops with exit status 4 on both.
	ErrDuplicateDoc = errors.New("duplicate document")
	// ErrLineTooLong: a line is longer than the reader's limit.
	ErrLineTooLong = errors.New("line too long")
	// ErrMissingTopic: a qrels topic has no results in the run, and the
	// topic selection is TrecEval10 (trec_eval without -c).
	ErrMissingTopic = errors.New("qrels topic not found in run")
	// ErrNoTopics: no topic is left to evaluate (trec_eval's exit status 7).
	ErrNoTopics = errors.New("no topic has both results and judgements")
)

// A ParseError reports a malformed line of a qrels or run file. Err is one
// of the package's sentinel errors (ErrFieldCount, ErrBadGrade, ErrBadScore,
// ErrNaNScore, ErrBadRank, ErrDuplicateDoc, ErrLineTooLong) or an error of
// the underlying reader.
type ParseError struct {
	File string // the name given to the reader; "" if none
	Line int    // 1-based line number
	Err  error
	// Detail is a short, human-readable context such as the offending
	// field; it may be empty.
	Detail string
}

// Error returns "file:line: err: detail".
func (e *ParseError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	if e.Detail != "" {
		return fmt.Sprintf("%s:%d: %v: %s", file, e.Line, e.Err, e.Detail)
	}
	return fmt.Sprintf("%s:%d: %v", file, e.Line, e.Err)
}

// Unwrap returns e.Err.
func (e *ParseError) Unwrap() error { return e.Err }

// A TopicError reports a problem with one topic found while evaluating:
// Err is ErrMissingTopic or ErrDuplicateDoc.
type TopicError struct {
	Topic string
	Doc   string // the duplicated document, for ErrDuplicateDoc
	Err   error
}

// Error returns a message naming the topic (and document).
func (e *TopicError) Error() string {
	if e.Doc != "" {
		return fmt.Sprintf("topic %q: %v %q", e.Topic, e.Err, e.Doc)
	}
	return fmt.Sprintf("topic %q: %v", e.Topic, e.Err)
}

// Unwrap returns e.Err.
func (e *TopicError) Unwrap() error { return e.Err }
