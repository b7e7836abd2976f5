package metrics

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/polyret/polyret/internal/atomicfile"
)

// ErrBadID is returned by the writers for an id that is empty, contains a
// space, tab or line break, or, for a topic, starts with '#': the readers
// could not read such a line back.
var ErrBadID = errors.New("id is empty, contains white space or starts with '#'")

// DefaultTag is the run tag WriteRun writes when it is given none.
const DefaultTag = "polyret"

func checkID(id string, topic bool) error {
	if id == "" || hasSpace(id) || (topic && id[0] == '#') {
		return fmt.Errorf("%w: %q", ErrBadID, id)
	}
	return nil
}

// A RunWriter writes a run one topic at a time. Scores are written with
// strconv.FormatFloat(score, 'g', -1, 64), the shortest text that reads
// back to the same float64, so a written run ranks exactly as the original
// (no ties created by rounding). It buffers its output: call Flush at the
// end.
type RunWriter struct {
	w      *bufio.Writer
	format RunFormat
	tag    string
	docs   []ScoredDoc
	buf    []byte
}

// NewRunWriter returns a writer to w in the given format. tag is the run
// tag of FormatTREC lines; "" means DefaultTag. It panics if format is
// unknown.
func NewRunWriter(w io.Writer, format RunFormat, tag string) *RunWriter {
	format.check()
	if tag == "" {
		tag = DefaultTag
	}
	return &RunWriter{w: bufio.NewWriter(w), format: format, tag: tag}
}

// Write writes the documents of one topic in rank order (see CompareRank),
// numbering ranks from 1. It does not modify docs. It returns an error
// wrapping ErrBadID or ErrNaNScore, before writing anything, if an id or a
// score cannot be written, or the tag contains white space.
func (w *RunWriter) Write(topic string, docs []ScoredDoc) error {
	if err := checkID(topic, true); err != nil {
		return fmt.Errorf("write run: topic: %w", err)
	}
	if w.format == FormatTREC {
		if err := checkID(w.tag, false); err != nil {
			return fmt.Errorf("write run: tag: %w", err)
		}
	}
	for _, d := range docs {
		if err := checkID(d.ID, false); err != nil {
			return fmt.Errorf("write run: topic %q: document: %w", topic, err)
		}
		if math.IsNaN(d.Score) {
			return fmt.Errorf("write run: topic %q: document %q: %w", topic, d.ID, ErrNaNScore)
		}
	}
	w.docs = append(w.docs[:0], docs...)
	SortDocs(w.docs)
	for i, d := range w.docs {
		b := w.buf[:0]
		b = append(b, topic...)
		switch w.format {
		case FormatTREC:
			b = append(b, " Q0 "...)
			b = append(b, d.ID...)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(i+1), 10)
			b = append(b, ' ')
			b = strconv.AppendFloat(b, d.Score, 'g', -1, 64)
			b = append(b, ' ')
			b = append(b, w.tag...)
		case FormatThreeColumn:
			b = append(b, ' ')
			b = append(b, d.ID...)
			b = append(b, ' ')
			b = strconv.AppendFloat(b, d.Score, 'g', -1, 64)
		case FormatMSMARCO:
			b = append(b, '\t')
			b = append(b, d.ID...)
			b = append(b, '\t')
			b = strconv.AppendInt(b, int64(i+1), 10)
		}
		b = append(b, '\n')
		w.buf = b
		if _, err := w.w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// Flush writes any buffered data to the underlying writer.
func (w *RunWriter) Flush() error { return w.w.Flush() }

// WriteRun writes run to w, topics in byte order, each in rank order (see
// RunWriter). It does not modify run.
func WriteRun(w io.Writer, run Run, format RunFormat, tag string) error {
	rw := NewRunWriter(w, format, tag)
	for _, topic := range run.Topics() {
		if err := rw.Write(topic, run[topic]); err != nil {
			return err
		}
	}
	return rw.Flush()
}

// WriteQrels writes q as TREC qrels, "qid 0 docid grade", topics and
// documents in byte order. It returns an error wrapping ErrBadID for an id
// that could not be read back.
func WriteQrels(w io.Writer, q Qrels) error {
	bw := bufio.NewWriter(w)
	var b []byte
	for _, topic := range q.Topics() {
		if err := checkID(topic, true); err != nil {
			return fmt.Errorf("write qrels: topic: %w", err)
		}
		for _, doc := range sortedKeys(q[topic]) {
			if err := checkID(doc, false); err != nil {
				return fmt.Errorf("write qrels: topic %q: document: %w", topic, err)
			}
			b = append(b[:0], topic...)
			b = append(b, " 0 "...)
			b = append(b, doc...)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(q[topic][doc]), 10)
			b = append(b, '\n')
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// WriteRunFile writes run to the file at path (see WriteRun) atomically:
// it writes a temporary file in the same directory, syncs it and renames it
// over path, so path holds either its old content or the whole new run.
func WriteRunFile(path string, run Run, format RunFormat, tag string) error {
	format.check()
	return writeFile(path, func(w io.Writer) error { return WriteRun(w, run, format, tag) })
}

// WriteQrelsFile writes q to the file at path atomically (see WriteQrels
// and WriteRunFile).
func WriteQrelsFile(path string, q Qrels) error {
	return writeFile(path, func(w io.Writer) error { return WriteQrels(w, q) })
}

// writeFile writes path atomically through write, naming path in errors.
func writeFile(path string, write func(io.Writer) error) error {
	if err := atomicfile.WriteFile(path, write); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
