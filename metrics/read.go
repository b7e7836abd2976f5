package metrics

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// MaxLineBytes bounds the length of one line, newline included, that the
// readers accept; a longer line is an ErrLineTooLong. It keeps a hostile
// file from making a reader allocate more than this per line.
const MaxLineBytes = 1 << 20

// RunFormat selects the text layout of a run file.
type RunFormat int

const (
	// FormatTREC is trec_eval's layout, "qid iter docid rank score tag",
	// separated by spaces or tabs. The iter and rank columns are ignored
	// (trec_eval ranks by score); fields after the tag are ignored.
	FormatTREC RunFormat = iota
	// FormatThreeColumn is "qid docid score".
	FormatThreeColumn
	// FormatMSMARCO is MS MARCO's "qid\tdocid\trank", with rank ≥ 1. It has
	// no score: readers give each document the score −rank, so the ranking
	// is kept (equal ranks are then ordered by document id, descending).
	FormatMSMARCO
)

// String returns "trec", "3col" or "msmarco".
func (f RunFormat) String() string {
	switch f {
	case FormatTREC:
		return "trec"
	case FormatThreeColumn:
		return "3col"
	case FormatMSMARCO:
		return "msmarco"
	}
	return "RunFormat(" + strconv.Itoa(int(f)) + ")"
}

func (f RunFormat) check() {
	if f < FormatTREC || f > FormatMSMARCO {
		panic("metrics: unknown run format " + f.String())
	}
}

// lineScanner yields the fields of the non-blank, non-comment lines of a
// text file, with 1-based line numbers. Lines whose first non-blank byte is
// '#' are comments, as in trec_eval 10.
type lineScanner struct {
	sc     *bufio.Scanner
	name   string
	line   int
	fields [8][]byte
	err    error
}

func newLineScanner(r io.Reader, name string) *lineScanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLineBytes)
	return &lineScanner{sc: sc, name: name}
}

// next returns the fields of the next data line (at most len(s.fields)+1
// are reported, so callers can tell "too many"), or io.EOF, or an error.
func (s *lineScanner) next() ([][]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	for s.sc.Scan() {
		s.line++
		b := s.sc.Bytes()
		n := 0
		for len(b) > 0 {
			i := 0
			for i < len(b) && isSpace(b[i]) {
				i++
			}
			b = b[i:]
			if len(b) == 0 {
				break
			}
			if n == 0 && b[0] == '#' {
				break
			}
			j := 0
			for j < len(b) && !isSpace(b[j]) {
				j++
			}
			if n < len(s.fields) {
				s.fields[n] = b[:j]
			}
			n++
			b = b[j:]
		}
		if n == 0 {
			continue
		}
		return s.fields[:min(n, len(s.fields))], nil
	}
	err := s.sc.Err()
	switch {
	case err == nil:
		s.err = io.EOF
	case errors.Is(err, bufio.ErrTooLong):
		s.err = &ParseError{File: s.name, Line: s.line + 1, Err: ErrLineTooLong,
			Detail: fmt.Sprintf("limit %d bytes", MaxLineBytes)}
	default:
		s.err = &ParseError{File: s.name, Line: s.line + 1, Err: err}
	}
	return nil, s.err
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }

func (s *lineScanner) errorf(err error, format string, args ...any) error {
	return &ParseError{File: s.name, Line: s.line, Err: err, Detail: fmt.Sprintf(format, args...)}
}

// interner returns one string per distinct byte sequence, so that the topic
// ids of a large file share memory.
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// A QrelsRecord is one judgement line: document Doc of topic Topic has the
// grade Grade.
type QrelsRecord struct {
	Topic, Doc string
	Grade      int
}

// A QrelsReader reads TREC qrels, "qid iter docid grade", one judgement at
// a time. Fields are separated by spaces or tabs; the iter field is
// ignored; the grade must be an integer (negative grades are allowed and
// mean "judged, not relevant"). Blank lines and lines starting with '#' are
// skipped. A QrelsReader does not detect duplicates: ReadQrels does.
type QrelsReader struct {
	s      *lineScanner
	topics interner
}

// NewQrelsReader returns a reader of r; name (usually the file name) is
// reported in errors.
func NewQrelsReader(r io.Reader, name string) *QrelsReader {
	return &QrelsReader{s: newLineScanner(r, name), topics: interner{}}
}

// Read returns the next judgement. At the end of the input it returns
// io.EOF, unwrapped; a malformed line gives a *ParseError, and every later
// call returns the same error.
func (r *QrelsReader) Read() (QrelsRecord, error) {
	f, err := r.s.next()
	if err != nil {
		return QrelsRecord{}, err
	}
	if len(f) != 4 {
		r.s.err = r.s.errorf(ErrFieldCount, "got %s, want 4 (qid iter docid grade)", countFields(f, len(r.s.fields)))
		return QrelsRecord{}, r.s.err
	}
	g, ok := parseGrade(f[3])
	if !ok {
		r.s.err = r.s.errorf(ErrBadGrade, "%q", f[3])
		return QrelsRecord{}, r.s.err
	}
	return QrelsRecord{Topic: r.topics.get(f[0]), Doc: string(f[2]), Grade: g}, nil
}

// parseGrade parses a qrels grade: an integer, optionally written with a
// zero fractional part ("1.0", "-1.00"), as some converters write them.
// trec_eval reads grades with atol, which also truncates "2.5" to 2
// silently; a non-zero fraction is an error here instead.
func parseGrade(b []byte) (int, bool) {
	if i := bytes.IndexByte(b, '.'); i >= 0 {
		frac := b[i+1:]
		if len(frac) == 0 || len(bytes.Trim(frac, "0")) != 0 {
			return 0, false
		}
		b = b[:i]
	}
	g, err := strconv.Atoi(string(b))
	return g, err == nil
}

// Line returns the line number of the record last read.
func (r *QrelsReader) Line() int { return r.s.line }

func countFields(f [][]byte, limit int) string {
	if len(f) >= limit {
		return fmt.Sprintf("%d or more fields", limit)
	}
	return fmt.Sprintf("%d fields", len(f))
}

// ReadQrels reads TREC qrels (see QrelsReader). The same document twice in
// one topic is an error wrapping ErrDuplicateDoc at the second line, even
// with equal grades, as trec_eval 10 refuses it too. Errors are
// *ParseError values.
func ReadQrels(r io.Reader, name string) (Qrels, error) {
	qr := NewQrelsReader(r, name)
	q := Qrels{}
	for {
		rec, err := qr.Read()
		if err == io.EOF {
			return q, nil
		}
		if err != nil {
			return nil, err
		}
		docs := q[rec.Topic]
		if docs == nil {
			docs = map[string]int{}
			q[rec.Topic] = docs
		}
		if _, dup := docs[rec.Doc]; dup {
			return nil, &ParseError{File: name, Line: qr.Line(), Err: ErrDuplicateDoc,
				Detail: fmt.Sprintf("%q in topic %q", rec.Doc, rec.Topic)}
		}
		docs[rec.Doc] = rec.Grade
	}
}

// A RunRecord is one line of a run: document Doc retrieved for Topic with
// Score. Tag is the run tag of FormatTREC lines ("" in other formats).
type RunRecord struct {
	Topic, Doc string
	Score      float64
	Tag        string
}

// A RunReader reads a run one line at a time (see RunFormat for the
// layouts). Scores are parsed with strconv.ParseFloat, which reads every
// decimal spelling trec_eval's atof does ("+0.5", "5.0E-01", "-0") and
// hexadecimal floats, "Inf" and "Infinity"; a NaN score is an error
// (ErrNaNScore). Blank lines and lines starting with '#' are skipped. A
// RunReader does not detect duplicates: ReadRun does.
type RunReader struct {
	s      *lineScanner
	format RunFormat
	topics interner
	tags   interner
}

// NewRunReader returns a reader of r in the given format; name (usually
// the file name) is reported in errors. It panics if format is unknown.
func NewRunReader(r io.Reader, name string, format RunFormat) *RunReader {
	format.check()
	return &RunReader{s: newLineScanner(r, name), format: format, topics: interner{}, tags: interner{}}
}

// Read returns the next record. At the end of the input it returns io.EOF,
// unwrapped; a malformed line gives a *ParseError, and every later call
// returns the same error.
func (r *RunReader) Read() (RunRecord, error) {
	f, err := r.s.next()
	if err != nil {
		return RunRecord{}, err
	}
	var rec RunRecord
	switch r.format {
	case FormatTREC:
		if len(f) < 6 {
			return r.fail(ErrFieldCount, "got %s, want 6 (qid iter docid rank score tag)", countFields(f, len(r.s.fields)))
		}
		rec = RunRecord{Topic: r.topics.get(f[0]), Doc: string(f[2]), Tag: r.tags.get(f[5])}
		if rec.Score, err = parseScore(f[4]); err != nil {
			return r.fail(err, "%q", f[4])
		}
	case FormatThreeColumn:
		if len(f) != 3 {
			return r.fail(ErrFieldCount, "got %s, want 3 (qid docid score)", countFields(f, len(r.s.fields)))
		}
		rec = RunRecord{Topic: r.topics.get(f[0]), Doc: string(f[1])}
		if rec.Score, err = parseScore(f[2]); err != nil {
			return r.fail(err, "%q", f[2])
		}
	case FormatMSMARCO:
		if len(f) != 3 {
			return r.fail(ErrFieldCount, "got %s, want 3 (qid docid rank)", countFields(f, len(r.s.fields)))
		}
		rank, err := strconv.Atoi(string(f[2]))
		if err != nil || rank < 1 {
			return r.fail(ErrBadRank, "%q", f[2])
		}
		rec = RunRecord{Topic: r.topics.get(f[0]), Doc: string(f[1]), Score: -float64(rank)}
	}
	return rec, nil
}

func (r *RunReader) fail(err error, format string, args ...any) (RunRecord, error) {
	r.s.err = r.s.errorf(err, format, args...)
	return RunRecord{}, r.s.err
}

// Line returns the line number of the record last read.
func (r *RunReader) Line() int { return r.s.line }

func parseScore(b []byte) (float64, error) {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return v, nil // ±Inf or ±0, as atof gives
		}
		return 0, ErrBadScore
	}
	if math.IsNaN(v) {
		return 0, ErrNaNScore
	}
	return v, nil
}

// ReadRun reads a run in the given format (see RunReader). The same
// document twice in one topic is an error wrapping ErrDuplicateDoc,
// reported at the first line that repeats an earlier (topic, document)
// pair. Errors are *ParseError values. Documents keep their file order;
// ReadRun does not sort them. It panics if format is unknown.
func ReadRun(r io.Reader, name string, format RunFormat) (Run, error) {
	rr := NewRunReader(r, name, format)
	type topicLines struct {
		docs  []ScoredDoc
		lines []int
	}
	topics := map[string]*topicLines{}
	var last *topicLines // runs usually list a topic's lines together
	lastTopic := ""
	for {
		rec, err := rr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if last == nil || rec.Topic != lastTopic {
			last = topics[rec.Topic]
			if last == nil {
				last = &topicLines{}
				topics[rec.Topic] = last
			}
			lastTopic = rec.Topic
		}
		last.docs = append(last.docs, ScoredDoc{ID: rec.Doc, Score: rec.Score})
		last.lines = append(last.lines, rr.Line())
	}
	run := make(Run, len(topics))
	lines := make(map[string][]int, len(topics))
	for topic, tl := range topics {
		run[topic], lines[topic] = tl.docs, tl.lines
	}
	if perr := firstDuplicate(run, lines, name); perr != nil {
		return nil, perr
	}
	return run, nil
}

// firstDuplicate returns a *ParseError for the earliest line that repeats a
// (topic, document) pair, or nil.
func firstDuplicate(run Run, lines map[string][]int, name string) *ParseError {
	var best *ParseError
	var idx []int
	for topic, docs := range run {
		ln := lines[topic]
		idx = idx[:0]
		for i := range docs {
			idx = append(idx, i)
		}
		slices.SortFunc(idx, func(a, b int) int {
			if c := strings.Compare(docs[a].ID, docs[b].ID); c != 0 {
				return c
			}
			return ln[a] - ln[b]
		})
		for k := 1; k < len(idx); k++ {
			a, b := idx[k-1], idx[k]
			if docs[a].ID != docs[b].ID || (k >= 2 && docs[idx[k-2]].ID == docs[b].ID) {
				continue // not a repeat, or a third occurrence (the second came first)
			}
			if best == nil || ln[b] < best.Line {
				best = &ParseError{File: name, Line: ln[b], Err: ErrDuplicateDoc,
					Detail: fmt.Sprintf("%q in topic %q", docs[b].ID, topic)}
			}
		}
	}
	return best
}

// ReadQrelsFile reads the qrels file at path (see ReadQrels). A name ending
// in ".gz" is decompressed.
func ReadQrelsFile(path string) (Qrels, error) {
	var q Qrels
	err := readFile(path, func(r io.Reader) (err error) {
		q, err = ReadQrels(r, path)
		return err
	})
	return q, err
}

// ReadRunFile reads the run file at path in the given format (see
// ReadRun). A name ending in ".gz" is decompressed.
func ReadRunFile(path string, format RunFormat) (Run, error) {
	var run Run
	err := readFile(path, func(r io.Reader) (err error) {
		run, err = ReadRun(r, path, format)
		return err
	})
	return run, err
}

func readFile(path string, read func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 64<<10)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	return read(r)
}

// hasSpace reports whether s contains a byte that the readers treat as a
// field separator or line end.
func hasSpace(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x80 && (isSpace(byte(r)) || r == '\n') })
}
