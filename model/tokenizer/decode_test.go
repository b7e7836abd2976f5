package tokenizer

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// TestGoldenUnigramDecode compares Decode with SentencePiece's DecodeIds on
// every golden (testdata/gen_decode_goldens.py).
func TestGoldenUnigramDecode(t *testing.T) {
	f, err := os.Open("testdata/unigram-decode.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	toks := map[string]*Tokenizer{
		"laser100k": laser(t),
		"xlmr": mustLoad(t, "xlmr-spm", func() (*Tokenizer, error) {
			return loadSPMFile("testdata/xlmr-base-rebuilt.model.gz", LayoutSentencePiece)
		}),
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n, ok := 0, 0
	for sc.Scan() {
		var r struct {
			Model, ID, Decoded string
			IDs                []int32
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		n++
		if got := toks[r.Model].Decode(r.IDs, false); got != r.Decoded {
			t.Errorf("%s %s: Decode(%v) = %q, want %q", r.Model, r.ID, r.IDs, got, r.Decoded)
			continue
		}
		ok++
	}
	if n != 636 {
		t.Fatalf("read %d records, want 636", n)
	}
	t.Logf("unigram-decode.jsonl: %d/%d identical", ok, n)
}

func TestDecodeWordPiece(t *testing.T) {
	tok := mbertCased(t)
	for _, tc := range []struct{ text, want string }{
		{"Hello, World!", "Hello, World!"},
		{"unaffable tokenization isn't hard.", "unaffable tokenization isn ' t hard."},
		{"", ""},
	} {
		e := tok.Encode(tc.text, Options{AddSpecialTokens: true})
		if got := tok.Decode(e.IDs, true); got != tc.want {
			t.Errorf("Decode(Encode(%q)) = %q, want %q", tc.text, got, tc.want)
		}
	}
	e := tok.Encode("a", Options{AddSpecialTokens: true})
	if got := tok.Decode(e.IDs, false); got != "[CLS] a [SEP]" {
		t.Errorf("Decode with specials = %q, want %q", got, "[CLS] a [SEP]")
	}
}

// offsetGolden is a record of unigram-offsets.jsonl or
// wordpiece-offsets-decode.jsonl.
type offsetGolden struct {
	Model, Config, ID, Decoded string
	Offsets                    [][2]int
}

func readOffsetGoldens(t *testing.T, name string) []offsetGolden {
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []offsetGolden
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r offsetGolden
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if len(out) != 636 {
		t.Fatalf("%s: %d records, want 636", name, len(out))
	}
	return out
}

func texts(t *testing.T, file string) map[string]string {
	m := map[string]string{}
	for _, g := range readGoldens(t, file) {
		m[g.ID] = g.Text
	}
	return m
}

func sameOffsets(got []Offset, want [][2]int) bool {
	if len(got) != len(want) {
		return false
	}
	for i, o := range got {
		if o.Start != want[i][0] || o.End != want[i][1] {
			return false
		}
	}
	return true
}

// TestGoldenOffsets compares Encoding.Offsets with SentencePiece's piece
// offsets and Hugging Face tokenizers' token offsets (both in bytes), and
// WordPiece Decode with tokenizers' decode (testdata/gen_offset_goldens.py,
// testdata/gen_wordpiece_extra.mjs).
func TestGoldenOffsets(t *testing.T) {
	uni := map[string]*Tokenizer{"laser100k": laser(t), "xlmr": xlmr(t)}
	txt := texts(t, "unigram-xlmr.jsonl")
	ok := 0
	for _, r := range readOffsetGoldens(t, "unigram-offsets.jsonl") {
		e := uni[r.Model].Encode(txt[r.ID], Options{})
		if !sameOffsets(e.Offsets, r.Offsets) {
			t.Errorf("%s %s: Offsets = %v, want %v", r.Model, r.ID, e.Offsets, r.Offsets)
			continue
		}
		ok++
	}
	t.Logf("unigram-offsets.jsonl: %d/636 identical", ok)
	wp := map[string]*Tokenizer{"cased": mbertCased(t), "lower-strip": mbertLowerStrip(t)}
	txt = texts(t, "wordpiece-mbert-cased.jsonl")
	okOff, okDec := 0, 0
	for _, r := range readOffsetGoldens(t, "wordpiece-offsets-decode.jsonl") {
		// The reference tokenizer.json registers the special tokens as
		// added tokens, so their literals are matched.
		tok := wp[r.Config]
		e := tok.Encode(txt[r.ID], Options{MatchSpecialTokens: true})
		if !sameOffsets(e.Offsets, r.Offsets) {
			t.Errorf("%s %s: Offsets = %v, want %v", r.Config, r.ID, e.Offsets, r.Offsets)
		} else {
			okOff++
		}
		s := tok.Encode(txt[r.ID], Options{AddSpecialTokens: true, MatchSpecialTokens: true})
		if got := tok.Decode(s.IDs, true); got != r.Decoded {
			t.Errorf("%s %s: Decode = %q, want %q", r.Config, r.ID, got, r.Decoded)
		} else {
			okDec++
		}
	}
	t.Logf("wordpiece-offsets-decode.jsonl: offsets %d/636, decode %d/636 identical", okOff, okDec)
}
