package tokenizer

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func tinyWordPiece(t *testing.T) *Tokenizer {
	t.Helper()
	vocab := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##b", "c"}
	tok, err := NewWordPiece(vocab, BertConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestEncodeBatchOptions(t *testing.T) {
	tok := tinyWordPiece(t)
	texts := []string{"a b c", "ab", ""}
	for _, tc := range []struct {
		name string
		opts Options
		ids  [][]int32
		mask [][]int32
		sm   [][]int32
	}{
		{"plain", Options{},
			[][]int32{{5, 6, 8}, {5, 7}, {}},
			[][]int32{{1, 1, 1}, {1, 1}, {}},
			[][]int32{{0, 0, 0}, {0, 0}, {}}},
		{"special", Options{AddSpecialTokens: true},
			[][]int32{{2, 5, 6, 8, 3}, {2, 5, 7, 3}, {2, 3}},
			[][]int32{{1, 1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1}},
			[][]int32{{1, 0, 0, 0, 1}, {1, 0, 0, 1}, {1, 1}}},
		{"truncate", Options{AddSpecialTokens: true, MaxLength: 3},
			[][]int32{{2, 5, 3}, {2, 5, 3}, {2, 3}},
			[][]int32{{1, 1, 1}, {1, 1, 1}, {1, 1}},
			[][]int32{{1, 0, 1}, {1, 0, 1}, {1, 1}}},
		{"pad longest", Options{AddSpecialTokens: true, Padding: PadLongest},
			[][]int32{{2, 5, 6, 8, 3}, {2, 5, 7, 3, 0}, {2, 3, 0, 0, 0}},
			[][]int32{{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}, {1, 1, 0, 0, 0}},
			[][]int32{{1, 0, 0, 0, 1}, {1, 0, 0, 1, 1}, {1, 1, 1, 1, 1}}},
		{"pad max", Options{MaxLength: 2, Padding: PadMaxLength},
			[][]int32{{5, 6}, {5, 7}, {0, 0}},
			[][]int32{{1, 1}, {1, 1}, {0, 0}},
			[][]int32{{0, 0}, {0, 0}, {1, 1}}},
		{"match special", Options{MatchSpecialTokens: true},
			[][]int32{{5, 6, 8}, {5, 7}, {}},
			[][]int32{{1, 1, 1}, {1, 1}, {}},
			[][]int32{{0, 0, 0}, {0, 0}, {}}},
	} {
		batch := tok.EncodeBatch(texts, tc.opts)
		for i, e := range batch {
			if !slices.Equal(e.IDs, tc.ids[i]) || !slices.Equal(e.AttentionMask, tc.mask[i]) || !slices.Equal(e.SpecialTokensMask, tc.sm[i]) {
				t.Errorf("%s: EncodeBatch(%q)[%d] = ids %v mask %v special %v, want %v %v %v",
					tc.name, texts, i, e.IDs, e.AttentionMask, e.SpecialTokensMask, tc.ids[i], tc.mask[i], tc.sm[i])
			}
			if single := tok.Encode(texts[i], tc.opts); tc.opts.Padding != PadLongest && !slices.Equal(single.IDs, e.IDs) {
				t.Errorf("%s: Encode(%q) = %v, EncodeBatch gives %v", tc.name, texts[i], single.IDs, e.IDs)
			}
			checkOffsets(t, texts[i], e)
		}
	}
}

func TestEncodeMatchSpecial(t *testing.T) {
	tok := tinyWordPiece(t)
	e := tok.Encode("a[MASK]b [SEP]", Options{MatchSpecialTokens: true})
	want := []int32{5, 4, 6, 3}
	if !slices.Equal(e.IDs, want) || !slices.Equal(e.SpecialTokensMask, []int32{0, 1, 0, 1}) {
		t.Errorf("Encode = %v %v, want %v [0 1 0 1]", e.IDs, e.SpecialTokensMask, want)
	}
	wantOff := []Offset{{0, 1}, {1, 7}, {7, 8}, {9, 14}}
	if !slices.Equal(e.Offsets, wantOff) {
		t.Errorf("Offsets = %v, want %v", e.Offsets, wantOff)
	}
}

func TestEncodePanics(t *testing.T) {
	tok := tinyWordPiece(t)
	for _, tc := range []struct {
		opts Options
		msg  string
	}{
		{Options{Padding: PadMaxLength}, "tokenizer: PadMaxLength needs a positive MaxLength"},
		{Options{AddSpecialTokens: true, MaxLength: 1}, "tokenizer: MaxLength smaller than the number of special tokens"},
		{Options{Padding: Padding(7)}, "tokenizer: invalid Padding"},
	} {
		func() {
			defer func() {
				if r := recover(); r != tc.msg {
					t.Errorf("Encode(%+v) panic = %v, want %q", tc.opts, r, tc.msg)
				}
			}()
			tok.Encode("a", tc.opts)
		}()
	}
}

func TestConcurrentEncode(t *testing.T) {
	toks := []*Tokenizer{mbertCased(t), mbertLowerStrip(t), xlmr(t), laser(t)}
	recs := readGoldens(t, "unigram-xlmr.jsonl")
	want := make([][][]int32, len(toks))
	for i, tok := range toks {
		for _, r := range recs {
			want[i] = append(want[i], tok.AppendIDs(nil, r.Text))
		}
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for k := range recs {
				i := (k + w) % len(toks)
				r := recs[k]
				if got := toks[i].Encode(r.Text, Options{AddSpecialTokens: w%2 == 0}); len(got.IDs) < len(want[i][k]) {
					t.Errorf("concurrent Encode(%q) lost tokens", r.Text)
				}
				if got := toks[i].AppendIDs(nil, r.Text); !slices.Equal(got, want[i][k]) {
					t.Errorf("concurrent AppendIDs(%q) = %v, want %v", r.Text, got, want[i][k])
				}
			}
		})
	}
	wg.Wait()
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := t.TempDir()
	for _, tc := range []struct {
		path string
		want error
	}{
		{empty, ErrNotFound},
		{write("a.model", "\x0a\xff"), ErrFormat},
		{write("b.json", `{"model": {"type": "BPE", "vocab": {}, "merges": []}}`), ErrUnsupported},
		{write("c.json", `{"model": {"type": "WordPiece", "vocab": {"a": 0}}, "pre_tokenizer": {"type": "BertPreTokenizer"}}`), ErrMissingToken},
		{write("d.txt", "a\nb\n"), ErrMissingToken},
		{write("e.txt", "[UNK]\n\xff\n"), ErrFormat},
		{write("f.json", `{"model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0]]}, "normalizer": {"type": "NFKC"}}`), ErrUnsupported},
		{write("g.gz", "not gzip"), ErrNotFound},
		{write("h.txt.gz", "not gzip"), ErrFormat},
	} {
		_, err := Load(tc.path)
		if !errors.Is(err, tc.want) {
			t.Errorf("Load(%s) = %v, want %v", filepath.Base(tc.path), err, tc.want)
		}
	}
	_, err := Load(filepath.Join(dir, "d.txt"))
	if err == nil || !strings.Contains(err.Error(), "d.txt") {
		t.Errorf("Load error %v does not name the file", err)
	}
}

func TestLoadDirectory(t *testing.T) {
	// A vocab.txt directory with tokenizer_config.json: lower-casing and
	// model_max_length come from the config.
	dir := t.TempDir()
	gunzipTo(t, "vocab-mbert-cased.txt.gz", dir, "vocab.txt")
	if err := os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(`{"do_lower_case": true, "model_max_length": 128}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tok, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tok.ModelMaxLength() != 128 {
		t.Errorf("ModelMaxLength = %d, want 128", tok.ModelMaxLength())
	}
	if got, want := tok.Encode("ÉCOLE", Options{}).Tokens, []string{"e", "##cole"}; !slices.Equal(got, want) {
		t.Errorf("Encode(ÉCOLE) = %q, want %q", got, want)
	}
	// sentencepiece.bpe.model gets the XLM-R layout automatically.
	dir = t.TempDir()
	gunzipTo(t, "xlmr-base-rebuilt.model.gz", dir, "sentencepiece.bpe.model")
	tok, err = Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := tok.SpecialTokens()
	if s.CLS.ID != 0 || s.PAD.ID != 1 || s.SEP.ID != 2 || s.UNK.ID != 3 || s.MASK.ID != 250001 || tok.VocabSize() != 250002 {
		t.Errorf("XLM-R special tokens %+v, vocab %d", s, tok.VocabSize())
	}
	if id, ok := tok.TokenToID("▁Hello"); !ok || id != 35378 || tok.IDToToken(35378) != "▁Hello" {
		t.Errorf("TokenToID(▁Hello) = %d, %v; IDToToken(35378) = %q", id, ok, tok.IDToToken(35378))
	}
}

// TestAppendIDsAppends checks that AppendIDs appends after existing ids,
// also when unknown pieces are merged (which rewrites the last token).
func TestAppendIDsAppends(t *testing.T) {
	for _, tok := range []*Tokenizer{laser(t), mbertCased(t)} {
		text := "ＡＢＣ ｄｅｆ x\u0378\u0379 done"
		want := tok.AppendIDs(nil, text)
		prefix := []int32{7, 8, 9}
		got := tok.AppendIDs(slices.Clone(prefix), text)
		if !slices.Equal(got[:3], prefix) || !slices.Equal(got[3:], want) {
			t.Errorf("AppendIDs(%v, %q) = %v, want %v + %v", prefix, text, got, prefix, want)
		}
		for range 3 {
			got = tok.AppendIDs(got[:0], text)
		}
		if !slices.Equal(got, want) {
			t.Errorf("AppendIDs repeated = %v, want %v", got, want)
		}
	}
}
