package main

import (
	"bytes"
	"strings"
	"testing"
)

const testdata = "../../model/tokenizer/testdata/"

// TestRun tokenizes with each kind of tokenizer file; the expected ids are
// those of the reference files in model/tokenizer/testdata.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		in   string
		want string
	}{
		{"vocab", []string{"-tokenizer", testdata + "vocab-mbert-cased.txt.gz"},
			`{"text": "Hello, World!"}` + "\n" + `{"text": "[CLS]"}`,
			`{"ids":[31178,117,10315,106],"tokens":["Hello",",","World","!"]}` + "\n" +
				`{"ids":[164,75151,10731,166],"tokens":["[","CL","##S","]"]}` + "\n"},
		{"vocab special", []string{"-tokenizer", testdata + "vocab-mbert-cased.txt.gz", "-special", "-max-len", "4", "-match-special"},
			`{"text": "Hello, World!"}` + "\n" + `{"text": "[CLS]"}`,
			`{"ids":[101,31178,117,102],"tokens":["[CLS]","Hello",",","[SEP]"]}` + "\n" +
				`{"ids":[101,101,102],"tokens":["[CLS]","[CLS]","[SEP]"]}` + "\n"},
		{"xlmr", []string{"-tokenizer", testdata + "xlmr-base-rebuilt.model.gz", "-layout", "xlmr", "-special", "-offsets"},
			`{"text": "Hello World!"}`,
			`{"ids":[0,35378,6661,38,2],"tokens":["<s>","▁Hello","▁World","!","</s>"],"offsets":[[0,0],[0,5],[5,11],[11,12],[0,0]]}` + "\n"},
		{"laser", []string{"-tokenizer", testdata + "laser_100k.model.gz"},
			`{"text": "\t\n\r\n\t"}`,
			`{"ids":[5,0],"tokens":["▁","\t\n\r\n\t"]}` + "\n"},
	} {
		var out bytes.Buffer
		if err := run(tc.args, strings.NewReader(tc.in), &out); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if out.String() != tc.want {
			t.Errorf("%s: output\n%s\nwant\n%s", tc.name, out.String(), tc.want)
		}
	}
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		in   string
	}{
		{nil, ""},
		{[]string{"-tokenizer", testdata + "no-such-file"}, ""},
		{[]string{"-tokenizer", testdata + "vocab-mbert-cased.txt.gz"}, `{"text": 1}`},
		{[]string{"-tokenizer", testdata + "vocab-mbert-cased.txt.gz"}, `{"other": "x"}`},
		{[]string{"-tokenizer", testdata + "vocab-mbert-cased.txt.gz", "-special", "-max-len", "1"}, ``},
	} {
		if err := run(tc.args, strings.NewReader(tc.in), &bytes.Buffer{}); err == nil {
			t.Errorf("run(%q) with input %q succeeded, want an error", tc.args, tc.in)
		}
	}
}
