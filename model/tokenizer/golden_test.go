package tokenizer

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// golden is one record of the reference files in testdata (see
// testdata/README.md for how they were made).
type golden struct {
	ID                 string   `json:"id"`
	Text               string   `json:"text"`
	IDs                []int32  `json:"ids"`
	Tokens             []string `json:"tokens"`
	IDsMatchSpecial    []int32  `json:"ids_match_special"`
	TokensMatchSpecial []string `json:"tokens_match_special"`
	MaxLength          int      `json:"max_length"`
	SPMIDs             []int32  `json:"spm_ids"`
}

func readGoldens(t testing.TB, name string) []golden {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []golden
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var g golden
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatalf("%s:%d: %v", name, len(out)+1, err)
		}
		out = append(out, g)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no records", name)
	}
	return out
}

var loaded sync.Map // path+variant → *Tokenizer

func mustLoad(t testing.TB, key string, load func() (*Tokenizer, error)) *Tokenizer {
	t.Helper()
	if v, ok := loaded.Load(key); ok {
		return v.(*Tokenizer)
	}
	tok, err := load()
	if err != nil {
		t.Fatalf("load %s: %v", key, err)
	}
	loaded.Store(key, tok)
	return tok
}

func mbertCased(t testing.TB) *Tokenizer {
	return mustLoad(t, "mbert-cased", func() (*Tokenizer, error) {
		return loadVocabFile("testdata/vocab-mbert-cased.txt.gz", BertConfig{}, bertSpecialNames{})
	})
}

func mbertLowerStrip(t testing.TB) *Tokenizer {
	return mustLoad(t, "mbert-lower", func() (*Tokenizer, error) {
		return loadVocabFile("testdata/vocab-mbert-cased.txt.gz", BertConfig{Lowercase: true, StripAccents: StripAccentsOn}, bertSpecialNames{})
	})
}

// checkGoldens compares tok on every record of file and returns the number
// of records that matched.
func checkGoldens(t *testing.T, tok *Tokenizer, file string, opts Options, matchSpecial bool) {
	t.Helper()
	recs := readGoldens(t, file)
	ok := 0
	for _, g := range recs {
		wantIDs, wantTok := g.IDs, g.Tokens
		o := opts
		if matchSpecial {
			o.MatchSpecialTokens = true
			if g.IDsMatchSpecial != nil {
				wantIDs, wantTok = g.IDsMatchSpecial, g.TokensMatchSpecial
			}
		}
		if g.MaxLength > 0 {
			o.MaxLength = g.MaxLength
		}
		e := tok.Encode(g.Text, o)
		if !slices.Equal(e.IDs, wantIDs) || !slices.Equal(e.Tokens, wantTok) {
			t.Errorf("%s %s: Encode(%q)\n got  %v %q\n want %v %q", file, g.ID, g.Text, e.IDs, e.Tokens, wantIDs, wantTok)
			continue
		}
		checkOffsets(t, g.Text, e)
		if !o.AddSpecialTokens && !o.MatchSpecialTokens {
			if ids := tok.AppendIDs(nil, g.Text); !slices.Equal(ids, wantIDs) {
				t.Errorf("%s %s: AppendIDs = %v, want %v", file, g.ID, ids, wantIDs)
				continue
			}
		}
		ok++
	}
	t.Logf("%s (match special %v): %d/%d records identical", file, matchSpecial, ok, len(recs))
}

// checkOffsets verifies that offsets lie in text and do not go backwards.
func checkOffsets(t testing.TB, text string, e Encoding) {
	t.Helper()
	prev := 0
	for i, o := range e.Offsets {
		if o.Start < 0 || o.End < o.Start || o.End > len(text) {
			t.Fatalf("Encode(%q): offset %d = %v outside [0,%d]", text, i, o, len(text))
		}
		if e.SpecialTokensMask[i] == 0 && o.Start < prev {
			t.Fatalf("Encode(%q): offset %d = %v starts before %d", text, i, o, prev)
		}
		if e.SpecialTokensMask[i] == 0 {
			prev = o.Start
		}
	}
}

func TestGoldenWordPieceCased(t *testing.T) {
	tok := mbertCased(t)
	checkGoldens(t, tok, "wordpiece-mbert-cased.jsonl", Options{}, false)
	checkGoldens(t, tok, "wordpiece-mbert-cased.jsonl", Options{}, true)
	checkGoldens(t, tok, "wordpiece-mbert-cased.cls-sep-max32.jsonl", Options{AddSpecialTokens: true}, false)
}

func TestGoldenWordPieceLowerStrip(t *testing.T) {
	tok := mbertLowerStrip(t)
	checkGoldens(t, tok, "wordpiece-mbert-lower-strip.jsonl", Options{}, false)
	checkGoldens(t, tok, "wordpiece-mbert-lower-strip.jsonl", Options{}, true)
}

func laser(t testing.TB) *Tokenizer {
	return mustLoad(t, "laser", func() (*Tokenizer, error) {
		return loadSPMFile("testdata/laser_100k.model.gz", LayoutSentencePiece)
	})
}

func xlmr(t testing.TB) *Tokenizer {
	return mustLoad(t, "xlmr", func() (*Tokenizer, error) {
		return loadSPMFile("testdata/xlmr-base-rebuilt.model.gz", LayoutXLMR)
	})
}

func TestGoldenUnigramLaser(t *testing.T) {
	checkGoldens(t, laser(t), "unigram-laser100k.jsonl", Options{}, false)
}

func TestGoldenUnigramXLMR(t *testing.T) {
	tok := xlmr(t)
	checkGoldens(t, tok, "unigram-xlmr.jsonl", Options{}, false)
	checkGoldens(t, tok, "unigram-xlmr.jsonl", Options{}, true)
	checkGoldens(t, tok, "unigram-xlmr.s-max32.jsonl", Options{AddSpecialTokens: true}, false)
}

// TestGoldenUnigramXLMRSentencePieceIDs checks the raw SentencePiece ids of
// the XLM-R model (LayoutSentencePiece).
func TestGoldenUnigramXLMRSentencePieceIDs(t *testing.T) {
	tok := mustLoad(t, "xlmr-spm", func() (*Tokenizer, error) {
		return loadSPMFile("testdata/xlmr-base-rebuilt.model.gz", LayoutSentencePiece)
	})
	recs := readGoldens(t, "unigram-xlmr.jsonl")
	ok := 0
	for _, g := range recs {
		if got := tok.AppendIDs(nil, g.Text); !slices.Equal(got, g.SPMIDs) {
			t.Errorf("%s: AppendIDs(%q) = %v, want spm_ids %v", g.ID, g.Text, got, g.SPMIDs)
			continue
		}
		ok++
	}
	t.Logf("unigram-xlmr.jsonl spm_ids: %d/%d records identical", ok, len(recs))
}
