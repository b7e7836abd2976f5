package tokenizer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// gunzipTo decompresses testdata/src into dir/name.
func gunzipTo(t testing.TB, src, dir, name string) string {
	t.Helper()
	data, err := readFile(filepath.Join("testdata", src))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func copyTo(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", src))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// hfDir lays out a model directory with the tokenizer.json and
// tokenizer_config.json written by gen_tokenizer_goldens.py hfjson.
func hfDir(t testing.TB, name string) string {
	dir := t.TempDir()
	gunzipTo(t, "hf/"+name+".tokenizer.json.gz", dir, "tokenizer.json")
	copyTo(t, "hf/"+name+".tokenizer_config.json", filepath.Join(dir, "tokenizer_config.json"))
	return dir
}

func TestGoldenHFWordPiece(t *testing.T) {
	tok := mustLoad(t, "hf-mbert", func() (*Tokenizer, error) { return Load(hfDir(t, "mbert-cased")) })
	if tok.Kind() != WordPiece || tok.ModelMaxLength() != 512 {
		t.Fatalf("Kind, ModelMaxLength = %v, %d, want WordPiece, 512", tok.Kind(), tok.ModelMaxLength())
	}
	checkGoldens(t, tok, "wordpiece-mbert-cased.jsonl", Options{}, false)
	checkGoldens(t, tok, "wordpiece-mbert-cased.jsonl", Options{}, true)
	checkGoldens(t, tok, "wordpiece-mbert-cased.cls-sep-max32.jsonl", Options{AddSpecialTokens: true}, false)
}

// TestGoldenHFWordPieceLowerStrip loads the cased tokenizer.json with the
// normalizer switched to lowercase + strip_accents, which is exactly how
// the generator's lower-strip file differs from the cased one.
func TestGoldenHFWordPieceLowerStrip(t *testing.T) {
	dir := hfDir(t, "mbert-cased")
	path := filepath.Join(dir, "tokenizer.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old := []byte(`"strip_accents": null, "lowercase": false`)
	if bytes.Count(data, old) != 1 {
		t.Fatalf("normalizer not found in %s", path)
	}
	data = bytes.Replace(data, old, []byte(`"strip_accents": true, "lowercase": true`), 1)
	tok, err := ParseHF(data)
	if err != nil {
		t.Fatal(err)
	}
	checkGoldens(t, tok, "wordpiece-mbert-lower-strip.jsonl", Options{}, false)
	checkGoldens(t, tok, "wordpiece-mbert-lower-strip.jsonl", Options{}, true)
}

func TestGoldenHFUnigramLaser(t *testing.T) {
	tok := mustLoad(t, "hf-laser", func() (*Tokenizer, error) { return Load(hfDir(t, "laser100k")) })
	checkGoldens(t, tok, "unigram-laser100k.jsonl", Options{}, false)
}

func TestGoldenHFUnigramXLMR(t *testing.T) {
	tok := mustLoad(t, "hf-xlmr", func() (*Tokenizer, error) { return Load(hfDir(t, "xlmr")) })
	checkGoldens(t, tok, "unigram-xlmr.jsonl", Options{}, false)
	checkGoldens(t, tok, "unigram-xlmr.jsonl", Options{}, true)
	checkGoldens(t, tok, "unigram-xlmr.s-max32.jsonl", Options{AddSpecialTokens: true}, false)
}

// TestGoldenHFUnigramPipeline checks a Unigram tokenizer.json that is not a
// SentencePiece conversion (model2vec's) against Hugging Face tokenizers
// (testdata/gen_hf_unigram_goldens.mjs): ids and tokens exactly.
func TestGoldenHFUnigramPipeline(t *testing.T) {
	data, err := readFile("testdata/hf/model2vec-quantized.tokenizer.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ParseHF(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tok.model.(*hfPipeline); !ok {
		t.Fatalf("model is %T, want the tokenizers pipeline", tok.model)
	}
	txt := texts(t, "unigram-xlmr.jsonl")
	f, err := os.Open("testdata/unigram-hf-model2vec.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n, ok, okOff := 0, 0, 0
	for sc.Scan() {
		var r struct {
			ID, Decoded string
			IDs         []int32
			Tokens      []string
			Offsets     [][2]int
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		n++
		// tokenizers matches the added special tokens ([UNK], [PAD]).
		e := tok.Encode(txt[r.ID], Options{MatchSpecialTokens: true})
		if !slices.Equal(e.IDs, r.IDs) || !slices.Equal(e.Tokens, r.Tokens) {
			t.Errorf("%s: Encode(%q)\n got  %v %q\n want %v %q", r.ID, txt[r.ID], e.IDs, e.Tokens, r.IDs, r.Tokens)
			continue
		}
		ok++
		if !sameOffsets(e.Offsets, r.Offsets) {
			t.Errorf("%s: Offsets = %v, want %v", r.ID, e.Offsets, r.Offsets)
			continue
		}
		if got := tok.Decode(e.IDs, true); got != r.Decoded {
			t.Errorf("%s: Decode = %q, want %q", r.ID, got, r.Decoded)
			continue
		}
		okOff++
	}
	if n != 318 {
		t.Fatalf("%d records, want 318", n)
	}
	t.Logf("unigram-hf-model2vec.jsonl: ids and tokens %d/%d, offsets and decode %d/%d identical", ok, n, okOff, n)
}

// TestHFPipelineDecode checks Decode against tokenizers' decode with the
// file's WordPiece decoder (node: tok.decode(ids, true)).
func TestHFPipelineDecode(t *testing.T) {
	tok := model2vecQuantized(t)
	for _, tc := range []struct{ text, want string }{
		{"Hello, World! It's 3.5$", "▁hello ▁, ▁world ▁! ▁it ▁' ▁s ▁3 ▁. ▁5 ▁$"},
		{"unaffable tokens", "▁una ffa ble ▁token s"},
	} {
		e := tok.Encode(tc.text, Options{})
		if got := tok.Decode(e.IDs, true); got != tc.want {
			t.Errorf("Decode(Encode(%q)) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
