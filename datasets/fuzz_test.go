package datasets

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// Seeds besides these f.Add calls live in testdata/fuzz/<FuzzName>.

func FuzzParseQA(f *testing.F) {
	f.Add([]byte(qaDoc(goodPara)))
	f.Add([]byte(qaDoc(strings.Replace(goodPara, `"answer_start": 7`, `"answer_start": 6`, 1))))
	f.Add([]byte(qaDoc(strings.Replace(goodPara, `[7, 13]`, `[7, 14]`, 1))))
	f.Add([]byte(`{"data":[{"paragraphs":[{"context":"\u00e9\ud800x","qas":[],"sentences":["a"],"sentence_breaks":[[0,1]]}]}]}`))
	f.Add([]byte(`{"data": [], "data": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := string(data)
		file, err := parseQA(src, "f.json")
		if err != nil {
			if _, ok := errors.AsType[*ParseError](err); !ok {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		for _, cfg := range []QAConfig{{}, {SkipUnlocated: true, AllParagraphs: true, Context: true}} {
			task, err := buildQA("f", []*qaFile{file}, cfg)
			if err != nil {
				continue
			}
			for _, q := range task.Queries {
				for id := range task.Qrels[q.ID] {
					if !strings.HasPrefix(id, "f_") {
						t.Fatalf("candidate id %q", id)
					}
				}
			}
			task.Subtasks(Mono)
			task.SplitByArticle(0.5, 1)
			if _, err := BuildTuples(task, TupleConfig{Negatives: -1}); err != nil && len(task.Queries) > 0 {
				// Two questions with the same id in one file are rejected
				// by the parser, so every query has exactly one positive.
				t.Fatalf("BuildTuples: %v", err)
			}
		}
	})
}

// FuzzJSONScanner checks the scanner against encoding/json: the same
// validity for any value, and the same decoded string for string values.
func FuzzJSONScanner(f *testing.F) {
	for _, s := range []string{`"a\u00e9\ud83d\ude00"`, `"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800"`, `"x\/\b\f\n\r\t"`,
		`{"a":[1,-0.5e+3,true,false,null,{}]}`, `[01]`, `1.`, `-`, `"\u12"`, ` "a" `, `[1,]`, `{"a":1,}`, "\"\x7f\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) || bytes.Count(data, []byte("["))+bytes.Count(data, []byte("{")) > maxJSONDepth {
			return
		}
		s := &jsonScanner{src: string(data)}
		err := s.skip()
		if err == nil {
			err = s.end()
		}
		if valid := json.Valid(data); valid != (err == nil) {
			t.Fatalf("json.Valid = %v, scanner error %v", valid, err)
		}
		var want string
		wantErr := json.Unmarshal(data, &want)
		s = &jsonScanner{src: string(data)}
		got, err := s.str()
		if err == nil {
			err = s.end()
		}
		if (wantErr == nil) != (err == nil) || got != want && err == nil {
			t.Fatalf("str() = %q, %v; encoding/json: %q, %v", got, err, want, wantErr)
		}
		if err == nil {
			if back := appendJSONString(nil, got); !json.Valid(back) || decode(t, back) != got {
				t.Fatalf("appendJSONString(%q) = %s", got, back)
			}
		}
	})
}

func decode(t *testing.T, b []byte) string {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func FuzzTupleLine(f *testing.F) {
	for _, l := range strings.Split(sampleJSONL, "\n") {
		f.Add(l)
	}
	f.Add(`{"group":"g","langs":{"en":{"query":"q","pos":"p","negs":null,"x":[{}]}},"y":1}`)
	f.Add(`{"group":"g","langs":{"en":{"query":"q","pos":"p"},"en":{"query":"q","pos":"p"}}}`)
	f.Fuzz(func(t *testing.T, line string) {
		tu, err := parseTupleLine(line, "f.jsonl", 1)
		if err == errBlank {
			return
		}
		if err != nil {
			if _, ok := errors.AsType[*ParseError](err); !ok {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteTuples(&buf, &Dataset{Tuples: []Tuple{tu}}); err != nil {
			t.Fatalf("WriteTuples(%+v): %v", tu, err)
		}
		if !json.Valid(buf.Bytes()) {
			t.Fatalf("wrote invalid JSON %q", buf.String())
		}
		back, err := parseTupleLine(strings.TrimSuffix(buf.String(), "\n"), "f.jsonl", 1)
		if err != nil {
			t.Fatalf("reading back %q: %v", buf.String(), err)
		}
		for l, tr := range tu.Langs {
			if len(tr.Negatives) == 0 {
				tr.Negatives = nil
				tu.Langs[l] = tr
			}
		}
		if !reflect.DeepEqual(back, tu) {
			t.Fatalf("round trip: %+v, want %+v", back, tu)
		}
	})
}

func FuzzCorpus(f *testing.F) {
	f.Add([]byte(`{"docid":"1#0","title":"t","text":"x"}` + "\n" + `{"_id":"2","text":"y\u00e9"}`))
	f.Add([]byte(`{"id":"3","contents":"z","k":{"a":[null]}}` + "\r\n\n"))
	f.Add(gz([]byte(`{"docid":"1#0","title":"t","text":"x"}` + "\n")))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		for p, err := range ReadCorpus(bytes.NewReader(data), "f.jsonl") {
			if err != nil {
				if _, ok := errors.AsType[*ParseError](err); !ok {
					t.Fatalf("error %v is not a *ParseError", err)
				}
				break
			}
			if p.ID == "" || !utf8.ValidString(p.Text) || !utf8.ValidString(p.Title) {
				t.Fatalf("passage %+v", p)
			}
			if n++; n > len(data) {
				t.Fatalf("%d passages from %d bytes", n, len(data))
			}
		}
	})
}

func FuzzTSV(f *testing.F) {
	f.Add([]byte("1\tone\r\n2\t\n\n3\ta\tb c\n"))
	f.Add([]byte("10\t1\t2\n11\t2\t3\n"))
	f.Add([]byte("1\t\t3\n\xff"))
	f.Add(gz([]byte("1\tx\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		for r, err := range ReadRecords(bytes.NewReader(data), "f.tsv") {
			if err != nil {
				if _, ok := errors.AsType[*ParseError](err); !ok {
					t.Fatalf("error %v is not a *ParseError", err)
				}
				break
			}
			if r.ID == "" || strings.ContainsAny(r.ID, "\t\n") || strings.Contains(r.Text, "\n") {
				t.Fatalf("record %q", r)
			}
		}
		for tr, err := range ReadTriples(bytes.NewReader(data), "f.tsv") {
			if err != nil {
				break
			}
			if tr.Query == "" || tr.Positive == "" || tr.Negative == "" || strings.Contains(tr.Negative, "\t") {
				t.Fatalf("triple %q", tr)
			}
		}
		ReadTopics(bytes.NewReader(data), "f.tsv", "en")
	})
}
