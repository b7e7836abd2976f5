package datasets

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// The parsed form of one SQuAD-format file with sentence breaks (XQuAD-R,
// MLQA-R). Offsets (off) are byte offsets into the file, kept to report
// lines.
type qaFile struct {
	name     string
	src      string
	articles []qaArticle
}

type qaArticle struct {
	title      string
	paragraphs []qaParagraph
}

type qaParagraph struct {
	context   string
	sentences []string
	breaks    []span // code points, [start, end)
	qas       []qaQuestion
	off       int
}

type span struct{ start, end int }

type qaQuestion struct {
	id, text    string
	answerStart int
	off         int // the question object
	answerOff   int // the answer_start value
}

// at returns a *ParseError at byte offset off of f.
func (f *qaFile) at(off int, record string, err error) *ParseError {
	line, col := position(f.src, off)
	return &ParseError{File: f.name, Line: line, Column: col, Record: record, Err: err}
}

// fieldSet records which keys of a JSON object were seen, to report
// missing and duplicate keys.
type fieldSet uint8

func (fs *fieldSet) see(s *jsonScanner, bit fieldSet, key string) error {
	if *fs&bit != 0 {
		return s.fail(s.pos, ErrDuplicateID, "key %q appears twice", key)
	}
	*fs |= bit
	return nil
}

// parseQA parses and checks one file. It checks the JSON syntax, required
// fields, UTF-8, duplicate question ids and the sentence breaks' range;
// answers are checked by the caller, which may skip bad ones.
func parseQA(src, name string) (*qaFile, error) {
	f := &qaFile{name: name, src: src}
	if off := firstInvalidUTF8(src); off >= 0 {
		return nil, f.at(off, "", ErrInvalidUTF8)
	}
	s := &jsonScanner{src: src}
	var record string // JSON path of the innermost record, for errors
	ids := make(map[string]int)
	var hasData fieldSet
	err := s.object(func(key string) error {
		if key != "data" {
			return s.skip()
		}
		if err := hasData.see(s, 1, key); err != nil {
			return err
		}
		err := s.array(func(ai int) error {
			record = fmt.Sprintf("data[%d]", ai)
			var a qaArticle
			err := s.object(func(key string) error {
				switch key {
				case "title":
					var err error
					a.title, err = s.str()
					return err
				case "paragraphs":
					return s.array(func(pi int) error {
						record = fmt.Sprintf("data[%d].paragraphs[%d]", ai, pi)
						p, err := f.paragraph(s, record, ids)
						a.paragraphs = append(a.paragraphs, p)
						return err
					})
				}
				return s.skip()
			})
			f.articles = append(f.articles, a)
			return err
		})
		if err == nil {
			record = ""
		}
		return err
	})
	if err == nil {
		err = s.end()
	}
	if err == nil && hasData == 0 {
		err = s.fail(0, ErrMissingField, `no "data" key`)
	}
	var se *scanError
	if errors.As(err, &se) {
		return nil, f.at(se.off, record, se.err)
	}
	return f, err
}

const (
	hasContext fieldSet = 1 << iota
	hasQAs
	hasSentences
	hasBreaks
)

// paragraph parses one paragraph object and checks its offsets.
func (f *qaFile) paragraph(s *jsonScanner, record string, ids map[string]int) (qaParagraph, error) {
	p := qaParagraph{off: s.pos}
	var seen fieldSet
	err := s.object(func(key string) error {
		var err error
		switch key {
		case "context":
			if err = seen.see(s, hasContext, key); err == nil {
				p.context, err = s.str()
			}
		case "sentences":
			if err = seen.see(s, hasSentences, key); err == nil {
				p.sentences, err = s.stringArray(nil)
			}
		case "sentence_breaks":
			if err = seen.see(s, hasBreaks, key); err == nil {
				err = s.array(func(int) error {
					var b [2]int
					off, count := s.pos, 0
					err := s.array(func(i int) error {
						if i > 1 {
							return s.fail(s.pos, ErrSyntax, "sentence break with more than 2 offsets")
						}
						count++
						var err error
						b[i], err = s.integer()
						return err
					})
					if err == nil && count != 2 {
						err = s.fail(off, ErrSyntax, "sentence break with %d offsets, want 2", count)
					}
					p.breaks = append(p.breaks, span{b[0], b[1]})
					return err
				})
			}
		case "qas":
			if err = seen.see(s, hasQAs, key); err == nil {
				err = s.array(func(qi int) error {
					q, err := f.question(s)
					if err == nil {
						if prev, dup := ids[q.id]; dup {
							line, _ := position(f.src, prev)
							err = s.fail(q.off, ErrDuplicateID, "question id %q already at line %d", q.id, line)
						}
						ids[q.id] = q.off
					}
					p.qas = append(p.qas, q)
					return err
				})
			}
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return p, err
	}
	for _, m := range []struct {
		bit  fieldSet
		name string
	}{{hasContext, "context"}, {hasQAs, "qas"}, {hasSentences, "sentences"}, {hasBreaks, "sentence_breaks"}} {
		if seen&m.bit == 0 {
			return p, s.fail(p.off, ErrMissingField, "no %q", m.name)
		}
	}
	if len(p.sentences) != len(p.breaks) {
		return p, s.fail(p.off, ErrSentenceCount, "%d sentences, %d breaks", len(p.sentences), len(p.breaks))
	}
	n := utf8.RuneCountInString(p.context)
	for i, b := range p.breaks {
		if b.start < 0 || b.start > b.end || b.end > n {
			return p, s.fail(p.off, ErrOffset, "sentence_breaks[%d] = [%d, %d] outside the context's %d code points",
				i, b.start, b.end, n)
		}
	}
	return p, nil
}

const (
	hasID fieldSet = 1 << iota
	hasQuestion
	hasAnswers
)

// question parses one qas element. Only the first answer counts (XQuAD-R
// and MLQA-R have exactly one).
func (f *qaFile) question(s *jsonScanner) (qaQuestion, error) {
	s.ws()
	q := qaQuestion{off: s.pos, answerStart: -1}
	var seen fieldSet
	err := s.object(func(key string) error {
		var err error
		switch key {
		case "id":
			if err = seen.see(s, hasID, key); err == nil {
				q.id, err = s.str()
			}
		case "question":
			if err = seen.see(s, hasQuestion, key); err == nil {
				q.text, err = s.str()
			}
		case "answers":
			if err = seen.see(s, hasAnswers, key); err == nil {
				err = s.array(func(i int) error {
					if i > 0 {
						return s.skip()
					}
					var seenStart fieldSet
					return s.object(func(key string) error {
						if key != "answer_start" {
							return s.skip()
						}
						if err := seenStart.see(s, 1, key); err != nil {
							return err
						}
						q.answerOff = s.pos
						var err error
						q.answerStart, err = s.integer()
						return err
					})
				})
			}
		default:
			err = s.skip()
		}
		return err
	})
	switch {
	case err != nil:
	case seen&hasID == 0 || q.id == "":
		err = s.fail(q.off, ErrMissingField, `no "id"`)
	case seen&hasQuestion == 0:
		err = s.fail(q.off, ErrMissingField, "question %q: no \"question\"", q.id)
	case q.answerOff == 0:
		err = s.fail(q.off, ErrMissingField, "question %q: no answers[0].answer_start", q.id)
	}
	return q, err
}

// sentenceOf returns the index of the first sentence break of p holding
// code point a, or -1, as LAReQA's generate_examples does.
func (p *qaParagraph) sentenceOf(a int) int {
	for i, b := range p.breaks {
		if b.start <= a && a < b.end {
			return i
		}
	}
	return -1
}
