package datasets

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// qaDoc returns a one-paragraph XQuAD-R file whose paragraph body is para
// (the text between the paragraph's braces), on separate lines so errors
// have distinct line numbers.
func qaDoc(para string) string {
	return "{\"data\": [\n{\"title\": \"T\", \"paragraphs\": [\n{" + para + "}\n]}\n], \"version\": \"1.1\"}\n"
}

const goodPara = `"context": "Ab cd. Éf gh.",
"qas": [{"id": "q1", "question": "Q?", "answers": [{"answer_start": 7, "text": "Éf"}]}],
"sentence_breaks": [[0, 6], [7, 13]],
"sentences": ["Ab cd.", "Éf gh."]`

func TestQABadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want error
		line int // 0: do not check
		cfg  QAConfig
	}{
		{"good", qaDoc(goodPara), nil, 0, QAConfig{}},
		{"truncated JSON", qaDoc(goodPara)[:40], ErrSyntax, 2, QAConfig{}},
		{"trailing garbage", qaDoc(goodPara) + "x", ErrSyntax, 9, QAConfig{}},
		{"bad escape", qaDoc(strings.Replace(goodPara, `"Q?"`, `"Q\x?"`, 1)), ErrSyntax, 4, QAConfig{}},
		{"control character", qaDoc(strings.Replace(goodPara, `"Q?"`, "\"Q\x01\"", 1)), ErrSyntax, 4, QAConfig{}},
		{"no data", `{"version": "1.1"}`, ErrMissingField, 1, QAConfig{}},
		{"data twice", `{"data": [], "data": []}`, ErrDuplicateID, 1, QAConfig{}},
		{"no context", qaDoc(strings.Replace(goodPara, `"context"`, `"contxt"`, 1)), ErrMissingField, 3, QAConfig{}},
		{"no sentences", qaDoc(strings.Replace(goodPara, `"sentences"`, `"sents"`, 1)), ErrMissingField, 3, QAConfig{}},
		{"no breaks", qaDoc(strings.Replace(goodPara, `"sentence_breaks"`, `"breaks"`, 1)), ErrMissingField, 3, QAConfig{}},
		{"no qas", qaDoc(strings.Replace(goodPara, `"qas"`, `"qa"`, 1)), ErrMissingField, 3, QAConfig{}},
		{"no id", qaDoc(strings.Replace(goodPara, `"id": "q1", `, ``, 1)), ErrMissingField, 4, QAConfig{}},
		{"empty id", qaDoc(strings.Replace(goodPara, `"id": "q1"`, `"id": ""`, 1)), ErrMissingField, 4, QAConfig{}},
		{"no question", qaDoc(strings.Replace(goodPara, `"question": "Q?", `, ``, 1)), ErrMissingField, 4, QAConfig{}},
		{"no answers", qaDoc(strings.Replace(goodPara, `"answers"`, `"answer"`, 1)), ErrMissingField, 4, QAConfig{}},
		{"empty answers", qaDoc(strings.Replace(goodPara, `[{"answer_start": 7, "text": "Éf"}]`, `[]`, 1)), ErrMissingField, 4, QAConfig{}},
		{"id twice", qaDoc(strings.Replace(goodPara, `"id": "q1"`, `"id": "q1", "id": "q2"`, 1)), ErrDuplicateID, 4, QAConfig{}},
		{"string offset", qaDoc(strings.Replace(goodPara, `"answer_start": 7`, `"answer_start": "7"`, 1)), ErrSyntax, 4, QAConfig{}},
		{"fractional offset", qaDoc(strings.Replace(goodPara, `"answer_start": 7`, `"answer_start": 7.5`, 1)), ErrSyntax, 4, QAConfig{}},
		{"huge offset", qaDoc(strings.Replace(goodPara, `"answer_start": 7`, `"answer_start": 1e400`, 1)), ErrSyntax, 4, QAConfig{}},
		{"duplicate question", qaDoc(strings.Replace(goodPara, `}]}],`, `}]}, {"id": "q1", "question": "Q?", "answers": [{"answer_start": 0}]}],`, 1)), ErrDuplicateID, 4, QAConfig{}},
		{"break too long", qaDoc(strings.Replace(goodPara, `[7, 13]`, `[7, 14]`, 1)), ErrOffset, 3, QAConfig{}},
		{"break reversed", qaDoc(strings.Replace(goodPara, `[7, 13]`, `[8, 7]`, 1)), ErrOffset, 3, QAConfig{}},
		{"negative break", qaDoc(strings.Replace(goodPara, `[0, 6]`, `[-1, 6]`, 1)), ErrOffset, 3, QAConfig{}},
		{"break of 3", qaDoc(strings.Replace(goodPara, `[7, 13]`, `[7, 13, 14]`, 1)), ErrSyntax, 5, QAConfig{}},
		{"break of 1", qaDoc(strings.Replace(goodPara, `[7, 13]`, `[7]`, 1)), ErrSyntax, 5, QAConfig{}},
		{"sentence count", qaDoc(strings.Replace(goodPara, `"Ab cd.", `, ``, 1)), ErrSentenceCount, 3, QAConfig{}},
		{"answer past context", qaDoc(strings.Replace(goodPara, `"answer_start": 7`, `"answer_start": 13`, 1)), ErrOffset, 4, QAConfig{}},
		{"negative answer", qaDoc(strings.Replace(goodPara, `"answer_start": 7`, `"answer_start": -1`, 1)), ErrOffset, 4, QAConfig{}},
		// Code point 6 is the space between the sentences: in no break.
		{"answer between sentences", qaDoc(strings.Replace(goodPara, `"answer_start": 7`, `"answer_start": 6`, 1)), ErrNoSentence, 4, QAConfig{}},
		{"skipped unlocated", qaDoc(strings.Replace(goodPara, `"answer_start": 7`, `"answer_start": 6`, 1)), nil, 0, QAConfig{SkipUnlocated: true}},
		{"skipped out of range", qaDoc(strings.Replace(goodPara, `"answer_start": 7`, `"answer_start": 99`, 1)), nil, 0, QAConfig{SkipUnlocated: true}},
		{"invalid UTF-8", qaDoc(strings.Replace(goodPara, `Q?`, "Q\xff?", 1)), ErrInvalidUTF8, 4, QAConfig{}},
		{"deep nesting", qaDoc(`"x": ` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `, ` + goodPara), ErrSyntax, 3, QAConfig{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"en.json": {Data: []byte(tc.src)}}
			task, err := LoadQA(fsys, ".", tc.cfg)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("LoadQA: %v", err)
				}
				if tc.cfg.SkipUnlocated && (len(task.Queries) != 0 || len(task.Candidates) != 0) {
					t.Errorf("skipped question kept: %d queries, %d candidates", len(task.Queries), len(task.Candidates))
				}
				return
			}
			pe, ok := errors.AsType[*ParseError](err)
			if !ok || !errors.Is(err, tc.want) {
				t.Fatalf("LoadQA error = %v, want a *ParseError wrapping %v", err, tc.want)
			}
			if pe.File != "en.json" || (tc.line != 0 && pe.Line != tc.line) {
				t.Errorf("error at %s:%d, want en.json:%d (%v)", pe.File, pe.Line, tc.line, err)
			}
			if !strings.HasPrefix(err.Error(), "en.json:") {
				t.Errorf("Error() = %q", err)
			}
		})
	}
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestQAGzipErrors(t *testing.T) {
	good := gz([]byte(qaDoc(goodPara)))
	if _, err := LoadQA(fstest.MapFS{"en.json.gz": {Data: good}}, ".", QAConfig{}); err != nil {
		t.Fatalf("good .gz: %v", err)
	}
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)-5] ^= 0xff // the CRC-32
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"truncated", good[:len(good)/2], ErrTruncated},
		{"header only", good[:5], ErrTruncated},
		{"bad checksum", corrupt, ErrCorrupt},
	} {
		_, err := LoadQA(fstest.MapFS{"en.json.gz": {Data: tc.data}}, ".", QAConfig{})
		if _, ok := errors.AsType[*ParseError](err); !ok || !errors.Is(err, tc.want) {
			t.Errorf("%s: error = %v, want %v", tc.name, err, tc.want)
		}
		if tc.want == ErrTruncated && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: error %v does not wrap io.ErrUnexpectedEOF", tc.name, err)
		}
	}
	// Two files for one language.
	_, err := LoadQA(fstest.MapFS{"en.json.gz": {Data: good}, "en.json": {Data: []byte(qaDoc(goodPara))}}, ".", QAConfig{})
	if err == nil || !strings.Contains(err.Error(), "same language") {
		t.Errorf("two en files: %v", err)
	}
}

func TestParseErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    ParseError
		want string
	}{
		{ParseError{File: "a.json", Line: 3, Column: 7, Record: "data[0]", Err: ErrSyntax}, "a.json:3:7: data[0]: syntax error"},
		{ParseError{File: "a.tsv", Line: 3, Err: ErrSyntax}, "a.tsv:3: syntax error"},
		{ParseError{File: "a.gz", Err: ErrTruncated}, "a.gz: truncated input"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	// Columns count code points.
	_, err := LoadQA(fstest.MapFS{"x.json": {Data: []byte(`{"x": "é", ]}`)}}, ".", QAConfig{})
	if pe, ok := errors.AsType[*ParseError](err); !ok || pe.Line != 1 || pe.Column != 12 {
		t.Errorf("error %v, want at 1:12", err)
	}
}

func TestXQuADRFilesParseWithOsDirFS(t *testing.T) {
	// Loading from a user's directory (here the synthetic MLQA-style one,
	// with one file gzipped) works like the embedded copy.
	task, err := LoadQA(os.DirFS("testdata"), "mlqa", QAConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if task.Name != "mlqa" || len(task.Queries) != 10 || len(task.Candidates) != 16 {
		t.Errorf("%s: %d queries, %d candidates", task.Name, len(task.Queries), len(task.Candidates))
	}
}
