package tokenizer

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// fuzzTexts are seeds for the encoders: edge cases plus invalid UTF-8.
var fuzzTexts = []string{
	"", " ", "Hello, World!", "a\x00b\x01c\x7fd\u0085e\u009ff", "\xff\xfe", "\xe2\x82", "ab\xc0\xafcd",
	"\xed\xa0\x80", "𠮷野家で𩸽を食べた", "ΟΔΟΣ İstanbul ß ẞ", "Tiếng Việt", "ｶﾀｶﾅ ﾃﾞｽ", "<s> [CLS] <mask>",
	"▁pre ▁▁ fix", "\t\n\r\u2028\u3000", "ﷺ ﬁ ㌀", "\U0010FFFF\U000E0001", "a\u0301\u0323\u0302",
}

// checkEncoding verifies the invariants every encoding must satisfy.
func checkEncoding(t *testing.T, tok *Tokenizer, text string, opts Options) Encoding {
	t.Helper()
	e := tok.Encode(text, opts)
	n := len(e.IDs)
	if len(e.Tokens) != n || len(e.Offsets) != n || len(e.AttentionMask) != n || len(e.SpecialTokensMask) != n {
		t.Fatalf("Encode(%q): lengths %d %d %d %d %d", text, n, len(e.Tokens), len(e.Offsets), len(e.AttentionMask), len(e.SpecialTokensMask))
	}
	if opts.MaxLength > 0 && n > opts.MaxLength && opts.Padding != PadMaxLength {
		t.Fatalf("Encode(%q): %d tokens, MaxLength %d", text, n, opts.MaxLength)
	}
	for i, id := range e.IDs {
		if id < 0 || int(id) >= tok.VocabSize() {
			t.Fatalf("Encode(%q): id %d = %d outside [0,%d)", text, i, id, tok.VocabSize())
		}
	}
	checkOffsets(t, text, e)
	return e
}

func fuzzEncode(f *testing.F, load func(testing.TB) *Tokenizer) {
	for _, s := range fuzzTexts {
		f.Add(s, uint8(0))
	}
	tok := load(f)
	f.Fuzz(func(t *testing.T, text string, mode uint8) {
		e := checkEncoding(t, tok, text, Options{})
		if ids := tok.AppendIDs([]int32{-7}, text); ids[0] != -7 || !slices.Equal(ids[1:], e.IDs) {
			t.Fatalf("AppendIDs([-7], %q) = %v, Encode gives %v", text, ids, e.IDs)
		}
		for i, id := range e.IDs {
			if tok.Kind() == WordPiece && e.Tokens[i] != tok.IDToToken(id) {
				t.Fatalf("Encode(%q): token %d = %q, IDToToken(%d) = %q", text, i, e.Tokens[i], id, tok.IDToToken(id))
			}
		}
		opts := Options{AddSpecialTokens: mode&1 != 0, MatchSpecialTokens: mode&2 != 0}
		if mode&4 != 0 {
			opts.MaxLength = 2 + int(mode>>4)
		}
		checkEncoding(t, tok, text, opts)
		_ = tok.Decode(e.IDs, mode&8 != 0)
	})
}

func FuzzEncodeWordPiece(f *testing.F)           { fuzzEncode(f, mbertCased) }
func FuzzEncodeWordPieceLowerStrip(f *testing.F) { fuzzEncode(f, mbertLowerStrip) }
func FuzzEncodeUnigramXLMR(f *testing.F)         { fuzzEncode(f, xlmr) }
func FuzzEncodeUnigramLaser(f *testing.F)        { fuzzEncode(f, laser) }
func FuzzEncodeHFPipeline(f *testing.F)          { fuzzEncode(f, model2vecQuantized) }

// model2vecQuantized is model2vec's Unigram tokenizer.json, which runs
// tokenizers' own pipeline.
func model2vecQuantized(t testing.TB) *Tokenizer {
	return mustLoad(t, "m2v", func() (*Tokenizer, error) {
		return Load("testdata/hf/model2vec-quantized.tokenizer.json.gz")
	})
}

// spmProto writes a small ModelProto: pieces with scores and types, a
// trainer spec and a normalizer spec with an optional character map.
func spmProto(pieces []string, scores []float32, types []pieceType, byteFallback bool, charsMap []byte) []byte {
	var b []byte
	for i, p := range pieces {
		var sp []byte
		sp = protowire.AppendTag(sp, 1, protowire.BytesType)
		sp = protowire.AppendString(sp, p)
		sp = protowire.AppendTag(sp, 2, protowire.Fixed32Type)
		sp = protowire.AppendFixed32(sp, math.Float32bits(scores[i]))
		sp = protowire.AppendTag(sp, 3, protowire.VarintType)
		sp = protowire.AppendVarint(sp, uint64(types[i]))
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, sp)
	}
	var ts []byte
	ts = protowire.AppendTag(ts, 3, protowire.VarintType)
	ts = protowire.AppendVarint(ts, 1)
	if byteFallback {
		ts = protowire.AppendTag(ts, 35, protowire.VarintType)
		ts = protowire.AppendVarint(ts, 1)
	}
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendBytes(b, ts)
	var ns []byte
	if charsMap != nil {
		ns = protowire.AppendTag(ns, 2, protowire.BytesType)
		ns = protowire.AppendBytes(ns, charsMap)
	}
	b = protowire.AppendTag(b, 3, protowire.BytesType)
	b = protowire.AppendBytes(b, ns)
	return b
}

// tinySPM is a 10-piece model with user-defined, unused and byte pieces.
func tinySPM(charsMap []byte) []byte {
	pieces := []string{"<unk>", "<s>", "</s>", "▁", "a", "b", "▁ab", "ab", "<sep>", "zz"}
	scores := []float32{0, 0, 0, -1, -2, -2, -1.5, -2.5, 0, -1}
	types := []pieceType{pieceUnknown, pieceControl, pieceControl, pieceNormal, pieceNormal, pieceNormal, pieceNormal, pieceNormal, pieceUserDefined, pieceUnused}
	fallback := false
	if charsMap == nil {
		for c := range 256 {
			pieces = append(pieces, string([]byte{'<', '0', 'x', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15], '>'}))
			scores = append(scores, 0)
			types = append(types, pieceByte)
		}
		fallback = true
	}
	return spmProto(pieces, scores, types, fallback, charsMap)
}

// xlmrCharsMap returns the precompiled_charsmap of the XLM-R test model.
func xlmrCharsMap(t testing.TB) []byte {
	data, err := readFile("testdata/xlmr-base-rebuilt.model.gz")
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseSPM(data)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(m.charsMap)
}

func FuzzParseSentencePiece(f *testing.F) {
	f.Add(tinySPM(nil))
	cm := xlmrCharsMap(f)
	f.Add(tinySPM(cm))
	f.Add(tinySPM(cm[:64]))
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := ParseSentencePiece(data, Layout(len(data)%3))
		if err != nil {
			return
		}
		for _, s := range fuzzTexts {
			checkEncoding(t, tok, s, Options{AddSpecialTokens: true, MatchSpecialTokens: true})
		}
	})
}

func TestTinySentencePiece(t *testing.T) {
	tok, err := ParseSentencePiece(tinySPM(nil), LayoutSentencePiece)
	if err != nil {
		t.Fatal(err)
	}
	// "ab" → ▁ab (user-defined <sep> is matched whole, unknown "é" falls
	// back to its two UTF-8 bytes).
	e := tok.Encode("ab<sep>é", Options{})
	want := []string{"▁ab", "<sep>", "<0xC3>", "<0xA9>"}
	if !slices.Equal(e.Tokens, want) {
		t.Fatalf("Encode = %q, want %q", e.Tokens, want)
	}
	if got := tok.Decode(e.IDs, false); got != "ab<sep>é" {
		t.Errorf("Decode = %q, want %q", got, "ab<sep>é")
	}
	wantOff := []Offset{{0, 2}, {2, 7}, {7, 7}, {7, 9}}
	if !slices.Equal(e.Offsets, wantOff) {
		t.Errorf("Offsets = %v, want %v", e.Offsets, wantOff)
	}
}

var hfSeeds = []string{
	`{"model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,"vocab":{"[UNK]":0,"[CLS]":1,"[SEP]":2,"a":3,"##b":4}},"normalizer":{"type":"BertNormalizer","lowercase":true},"pre_tokenizer":{"type":"BertPreTokenizer"},"post_processor":{"type":"BertProcessing","cls":["[CLS]",1],"sep":["[SEP]",2]},"added_tokens":[{"id":1,"content":"[CLS]","special":true}]}`,
	`{"model":{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0],["▁a",-1],["b",-2],["▁",-3]]},"normalizer":{"type":"Sequence","normalizers":[{"type":"Strip","strip_left":false,"strip_right":true},{"type":"Replace","pattern":{"Regex":" {2,}"},"content":"▁"}]},"pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always"},"post_processor":{"type":"TemplateProcessing","single":[{"Sequence":{"id":"A"}},{"SpecialToken":{"id":"<unk>"}}],"special_tokens":{"<unk>":{"ids":[0]}}}}`,
	`{"model":{"type":"Unigram","unk_id":1,"byte_fallback":true,"vocab":[["[PAD]",-1],["[UNK]",-1],["▁a",-2],["b",-3],["▁",-4],["<0x62>",-9]]},"normalizer":{"type":"Sequence","normalizers":[{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":true,"lowercase":true},{"type":"Replace","pattern":{"String":"!"},"content":" ! "},{"type":"Replace","pattern":{"Regex":"\\s+"},"content":" "},{"type":"Strip","strip_left":true,"strip_right":true}]},"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false}]},"added_tokens":[{"id":1,"content":"[UNK]","special":true}]}`,
	`{"model":{"vocab":[["<unk>",0]],"unk_id":5}}`,
	`{"model":{"type":"BPE","vocab":{},"merges":[]}}`,
	`{"model":null}`,
	`[]`,
}

func FuzzParseHF(f *testing.F) {
	for _, s := range hfSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := ParseHF(data)
		if err != nil {
			return
		}
		for _, s := range fuzzTexts {
			checkEncoding(t, tok, s, Options{AddSpecialTokens: true, MatchSpecialTokens: true})
		}
	})
}

func FuzzParseVocab(f *testing.F) {
	f.Add([]byte("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n##lo\n"))
	f.Add([]byte("[UNK]\r\n\xff\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vocab, err := parseVocab("", data)
		if err != nil {
			return
		}
		tok, err := NewWordPiece(vocab, BertConfig{})
		if err != nil {
			return
		}
		for _, s := range fuzzTexts {
			checkEncoding(t, tok, s, Options{AddSpecialTokens: true, MatchSpecialTokens: true})
		}
	})
}
