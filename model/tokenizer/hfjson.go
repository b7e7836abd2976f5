package tokenizer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// The subset of Hugging Face's tokenizer.json that WordPiece and Unigram
// models use. Anything else is reported as ErrUnsupported rather than
// silently tokenized differently.

type hfFile struct {
	AddedTokens   []hfAddedToken  `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Decoder       json.RawMessage `json:"decoder"`
	Padding       *struct {
		PadID    *int32 `json:"pad_id"`
		PadToken string `json:"pad_token"`
	} `json:"padding"`
	Model json.RawMessage `json:"model"`
}

type hfAddedToken struct {
	ID         int32  `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

// hfComponent is a normalizer, pre-tokenizer or post-processor: a type tag
// plus fields, possibly a Sequence of components.
type hfComponent struct {
	Type string `json:"type"`
	// BertNormalizer
	CleanText          *bool `json:"clean_text"`
	HandleChineseChars *bool `json:"handle_chinese_chars"`
	StripAccents       *bool `json:"strip_accents"`
	Lowercase          *bool `json:"lowercase"`
	// Precompiled
	PrecompiledCharsmap *string `json:"precompiled_charsmap"`
	// Replace
	Pattern *struct {
		Regex  *string `json:"Regex"`
		String *string `json:"String"`
	} `json:"pattern"`
	Content *string `json:"content"`
	// WordPiece decoder
	Prefix  *string `json:"prefix"`
	Cleanup *bool   `json:"cleanup"`
	// Strip
	StripLeft  *bool `json:"strip_left"`
	StripRight *bool `json:"strip_right"`
	// Metaspace
	Replacement    *string `json:"replacement"`
	AddPrefixSpace *bool   `json:"add_prefix_space"`
	PrependScheme  *string `json:"prepend_scheme"`
	Split          *bool   `json:"split"`
	// Sequence (normalizers / pretokenizers / processors)
	Normalizers   []hfComponent `json:"normalizers"`
	PreTokenizers []hfComponent `json:"pretokenizers"`
	Processors    []hfComponent `json:"processors"`
	// TemplateProcessing
	Single        []hfTemplatePiece                `json:"single"`
	SpecialTokens map[string]struct{ IDs []int32 } `json:"special_tokens"`
	// BertProcessing / RobertaProcessing: [token, id]
	CLS []json.RawMessage `json:"cls"`
	SEP []json.RawMessage `json:"sep"`
}

type hfTemplatePiece struct {
	SpecialToken *struct {
		ID string `json:"id"`
	} `json:"SpecialToken"`
	Sequence *struct {
		ID string `json:"id"`
	} `json:"Sequence"`
}

type hfModel struct {
	Type string `json:"type"`
	// WordPiece
	UnkToken                *string         `json:"unk_token"`
	ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
	MaxInputCharsPerWord    *int            `json:"max_input_chars_per_word"`
	Vocab                   json.RawMessage `json:"vocab"`
	Merges                  json.RawMessage `json:"merges"`
	// Unigram
	UnkID        *int32 `json:"unk_id"`
	ByteFallback bool   `json:"byte_fallback"`
}

// ParseHF returns a tokenizer for the content of a Hugging Face
// tokenizer.json with a WordPiece or Unigram model. Errors are *ParseError
// values wrapping ErrFormat, ErrUnsupported or ErrMissingToken.
//
// A Unigram tokenizer.json is run with SentencePiece's algorithm, like the
// .model file it was converted from: the Precompiled character map by
// longest match, Metaspace as add_dummy_prefix and escape_whitespaces, a
// Strip/Replace(" {2,}") pair as remove_extra_whitespaces, special added
// tokens as CONTROL pieces. Hugging Face tokenizers' own Unigram differs
// from SentencePiece on rare ties and multi-code-point character-map keys.
func ParseHF(data []byte) (*Tokenizer, error) {
	return parseHF("", data)
}

func parseHF(file string, data []byte) (*Tokenizer, error) {
	var f hfFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, errorf(file, 0, ErrFormat, "%v", err)
	}
	var m hfModel
	if len(f.Model) == 0 || bytes.Equal(f.Model, []byte("null")) {
		return nil, errorf(file, 0, ErrFormat, "no model")
	}
	if err := json.Unmarshal(f.Model, &m); err != nil {
		return nil, errorf(file, 0, ErrFormat, "model: %v", err)
	}
	typ := m.Type
	if typ == "" { // files from before the type tag
		switch {
		case len(m.Merges) > 0:
			typ = "BPE"
		case m.ContinuingSubwordPrefix != nil:
			typ = "WordPiece"
		case m.UnkID != nil || bytes.HasPrefix(bytes.TrimSpace(m.Vocab), []byte("[")):
			typ = "Unigram"
		}
	}
	var t *Tokenizer
	var err error
	switch typ {
	case "WordPiece":
		t, err = hfWordPiece(&f, &m)
	case "Unigram":
		t, err = hfUnigram(&f, &m)
	default:
		return nil, errorf(file, 0, ErrUnsupported, "model type %q (only WordPiece and Unigram are implemented)", typ)
	}
	if err != nil {
		if pe, ok := err.(*ParseError); ok {
			pe.File = file
			return nil, pe
		}
		return nil, &ParseError{File: file, Err: err}
	}
	return t, nil
}

// parseComponent decodes an optional component; null gives nil.
func parseComponent(raw json.RawMessage) (*hfComponent, error) {
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, nil
	}
	var c hfComponent
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// flatten expands Sequence components.
func (c *hfComponent) flatten() []hfComponent {
	if c == nil {
		return nil
	}
	if c.Type != "Sequence" {
		return []hfComponent{*c}
	}
	var out []hfComponent
	for _, list := range [][]hfComponent{c.Normalizers, c.PreTokenizers, c.Processors} {
		for i := range list {
			out = append(out, list[i].flatten()...)
		}
	}
	return out
}

func hfWordPiece(f *hfFile, m *hfModel) (*Tokenizer, error) {
	var vocabMap map[string]int32
	if err := json.Unmarshal(m.Vocab, &vocabMap); err != nil {
		return nil, errorf("", 0, ErrFormat, "model.vocab: %v", err)
	}
	maxID := int32(-1)
	for tok, id := range vocabMap {
		if id < 0 || int(id) > len(vocabMap)+len(f.AddedTokens)+1<<20 {
			return nil, errorf("", 0, ErrFormat, "model.vocab: token %q has id %d", tok, id)
		}
		maxID = max(maxID, id)
	}
	vocab := make([]string, maxID+1)
	// Sorted for determinism when two tokens share an id.
	toks := make([]string, 0, len(vocabMap))
	for tok := range vocabMap {
		toks = append(toks, tok)
	}
	slices.Sort(toks)
	for _, tok := range toks {
		if id := vocabMap[tok]; vocab[id] == "" {
			vocab[id] = tok
		}
	}
	var cfg BertConfig
	if m.UnkToken != nil {
		cfg.UnkToken = *m.UnkToken
	}
	if m.ContinuingSubwordPrefix != nil {
		if *m.ContinuingSubwordPrefix == "" {
			return nil, errorf("", 0, ErrUnsupported, "empty continuing_subword_prefix")
		}
		cfg.ContinuingPrefix = *m.ContinuingSubwordPrefix
	}
	if m.MaxInputCharsPerWord != nil {
		if *m.MaxInputCharsPerWord <= 0 {
			return nil, errorf("", 0, ErrUnsupported, "max_input_chars_per_word %d", *m.MaxInputCharsPerWord)
		}
		cfg.MaxInputCharsPerWord = *m.MaxInputCharsPerWord
	}
	norm, err := parseComponent(f.Normalizer)
	if err != nil {
		return nil, errorf("", 0, ErrFormat, "normalizer: %v", err)
	}
	switch {
	case norm == nil:
		cfg.NoCleanText, cfg.NoChineseChars, cfg.StripAccents = true, true, StripAccentsOff
	case norm.Type == "BertNormalizer":
		cfg.NoCleanText = norm.CleanText != nil && !*norm.CleanText
		cfg.NoChineseChars = norm.HandleChineseChars != nil && !*norm.HandleChineseChars
		// BertNormalizer's lowercase defaults to true.
		cfg.Lowercase = norm.Lowercase == nil || *norm.Lowercase
		if norm.StripAccents != nil {
			cfg.StripAccents = StripAccentsOff
			if *norm.StripAccents {
				cfg.StripAccents = StripAccentsOn
			}
		}
	default:
		return nil, errorf("", 0, ErrUnsupported, "normalizer %q with a WordPiece model", norm.Type)
	}
	pre, err := parseComponent(f.PreTokenizer)
	if err != nil {
		return nil, errorf("", 0, ErrFormat, "pre_tokenizer: %v", err)
	}
	if p := pre.flatten(); len(p) != 1 || p[0].Type != "BertPreTokenizer" {
		return nil, errorf("", 0, ErrUnsupported, "pre_tokenizer other than BertPreTokenizer")
	}
	w, err := newWordPiece(vocab, cfg)
	if err != nil {
		return nil, err
	}
	if dec, err := parseComponent(f.Decoder); err == nil && dec != nil && dec.Type == "WordPiece" && dec.Cleanup != nil {
		w.noCleanup = !*dec.Cleanup
	}
	t := &Tokenizer{kind: WordPiece, model: w}
	if err := t.hfSpecials(f, map[string]string{"CLS": "[CLS]", "SEP": "[SEP]", "PAD": "[PAD]", "MASK": "[MASK]"}, Token{w.unk, w.unkID}); err != nil {
		return nil, err
	}
	return t, nil
}

func hfUnigram(f *hfFile, m *hfModel) (*Tokenizer, error) {
	var raw [][]json.RawMessage
	if err := json.Unmarshal(m.Vocab, &raw); err != nil {
		return nil, errorf("", 0, ErrFormat, "model.vocab: %v", err)
	}
	sm := &spmModel{
		modelType:    1,
		unkSurface:   " \u2047 ",
		byteFallback: m.ByteFallback,
		bosID:        -1,
		eosID:        -1,
		padID:        -1,
	}
	var scores64 []float64
	special := map[string]int32{}
	for _, a := range f.AddedTokens {
		if a.Special {
			special[a.Content] = a.ID
		}
	}
	for i, e := range raw {
		if len(e) != 2 {
			return nil, errorf("", 0, ErrFormat, "model.vocab[%d]: want [piece, score]", i)
		}
		var piece string
		var score float64
		if err := json.Unmarshal(e[0], &piece); err != nil {
			return nil, errorf("", 0, ErrFormat, "model.vocab[%d]: %v", i, err)
		}
		if err := json.Unmarshal(e[1], &score); err != nil {
			return nil, errorf("", 0, ErrFormat, "model.vocab[%d]: %v", i, err)
		}
		typ := pieceNormal
		if id, ok := special[piece]; ok && id == int32(i) {
			typ = pieceControl
		}
		if m.ByteFallback && pieceByteValue(piece) >= 0 {
			typ = pieceByte
		}
		sm.pieces = append(sm.pieces, piece)
		sm.scores = append(sm.scores, float32(score))
		sm.types = append(sm.types, typ)
		scores64 = append(scores64, score)
	}
	if m.UnkID == nil {
		return nil, errorf("", 0, ErrMissingToken, "Unigram model without unk_id")
	}
	unk := *m.UnkID
	if unk < 0 || int(unk) >= len(sm.pieces) {
		return nil, errorf("", 0, ErrFormat, "unk_id %d outside the vocabulary", unk)
	}
	sm.types[unk] = pieceUnknown
	sm.unkID = unk
	norm, err := parseComponent(f.Normalizer)
	if err != nil {
		return nil, errorf("", 0, ErrFormat, "normalizer: %v", err)
	}
	pre, err := parseComponent(f.PreTokenizer)
	if err != nil {
		return nil, errorf("", 0, ErrFormat, "pre_tokenizer: %v", err)
	}
	var m2 model
	if err := spmOptions(sm, norm, pre); err == nil {
		u, err := newUnigram(sm)
		if err != nil {
			return nil, err
		}
		m2 = u
	} else {
		// Not a SentencePiece conversion: run tokenizers' own pipeline.
		dec, err := parseComponent(f.Decoder)
		if err != nil {
			return nil, errorf("", 0, ErrFormat, "decoder: %v", err)
		}
		h, herr := newHFPipeline(sm.pieces, scores64, unk, m.ByteFallback, norm, pre, dec)
		if herr != nil {
			return nil, errorf("", 0, ErrUnsupported, "%v", herr)
		}
		m2 = h
	}
	t := &Tokenizer{kind: Unigram, model: m2}
	if err := t.hfSpecials(f, map[string]string{"CLS": "<s>", "SEP": "</s>", "PAD": "<pad>", "MASK": "<mask>"}, Token{sm.pieces[unk], unk}); err != nil {
		return nil, err
	}
	return t, nil
}

// spmOptions maps a normalizer and pre-tokenizer made by transformers'
// SpmConverter onto SentencePiece's normaliser options, or reports the
// first component that does not fit.
func spmOptions(sm *spmModel, norm, pre *hfComponent) error {
	for _, c := range norm.flatten() {
		switch c.Type {
		case "Precompiled":
			if c.PrecompiledCharsmap == nil || *c.PrecompiledCharsmap == "" {
				continue
			}
			blob, err := base64.StdEncoding.DecodeString(*c.PrecompiledCharsmap)
			if err != nil {
				return errorf("", 0, ErrFormat, "precompiled_charsmap: %v", err)
			}
			sm.charsMap = blob
		case "Strip":
			sm.removeExtraWS = true
		case "Replace":
			if c.Pattern == nil || c.Pattern.Regex == nil || *c.Pattern.Regex != " {2,}" {
				return errorf("", 0, ErrUnsupported, "Replace normalizer other than \" {2,}\"")
			}
			sm.removeExtraWS = true
		default:
			return errorf("", 0, ErrUnsupported, "normalizer %q with a Unigram model", c.Type)
		}
	}
	for _, c := range pre.flatten() {
		switch c.Type {
		case "Metaspace":
			if c.Replacement != nil && *c.Replacement != spaceSymbol {
				return errorf("", 0, ErrUnsupported, "Metaspace replacement %q", *c.Replacement)
			}
			sm.escapeWS = true
			sm.addDummyPrefix = true
			if c.AddPrefixSpace != nil && !*c.AddPrefixSpace {
				sm.addDummyPrefix = false
			}
			if c.PrependScheme != nil && *c.PrependScheme == "never" {
				sm.addDummyPrefix = false
			}
		case "WhitespaceSplit":
			sm.removeExtraWS = true
		default:
			return errorf("", 0, ErrUnsupported, "pre_tokenizer %q with a Unigram model", c.Type)
		}
	}
	return nil
}

// hfSpecials sets the added tokens, template and special tokens of t from
// a tokenizer.json. names are the conventional token strings used when the
// file does not say.
func (t *Tokenizer) hfSpecials(f *hfFile, names map[string]string, unk Token) error {
	var added []addedToken
	for _, a := range f.AddedTokens {
		if a.ID < 0 || a.Content == "" {
			return errorf("", 0, ErrFormat, "added token %q with id %d", a.Content, a.ID)
		}
		added = append(added, addedToken{text: a.Content, id: a.ID, special: a.Special,
			lstrip: a.LStrip, rstrip: a.RStrip, singleWord: a.SingleWord})
	}
	var err error
	if t.added, err = newAddedVocab(added); err != nil {
		return errorf("", 0, ErrUnsupported, "added tokens: %v", err)
	}
	find := func(name string) Token {
		if id, ok := t.TokenToID(name); ok {
			return Token{name, id}
		}
		return Token{name, -1}
	}
	post, err := parseComponent(f.PostProcessor)
	if err != nil {
		return errorf("", 0, ErrFormat, "post_processor: %v", err)
	}
	t.special = SpecialTokens{UNK: unk, CLS: find(names["CLS"]), SEP: find(names["SEP"]),
		PAD: find(names["PAD"]), MASK: find(names["MASK"])}
	if f.Padding != nil && f.Padding.PadToken != "" {
		t.special.PAD = find(f.Padding.PadToken)
	}
	for _, p := range post.flatten() {
		switch p.Type {
		case "TemplateProcessing":
			seen := false
			for _, piece := range p.Single {
				switch {
				case piece.Sequence != nil:
					seen = true
				case piece.SpecialToken != nil:
					name := piece.SpecialToken.ID
					st, ok := p.SpecialTokens[name]
					if !ok || len(st.IDs) == 0 {
						return errorf("", 0, ErrFormat, "template token %q has no ids", name)
					}
					for _, id := range st.IDs {
						tk := Token{name, id}
						if len(st.IDs) > 1 {
							tk.Text = t.IDToToken(id)
						}
						if seen {
							t.suffix = append(t.suffix, tk)
						} else {
							t.prefix = append(t.prefix, tk)
						}
					}
				}
			}
		case "BertProcessing", "RobertaProcessing":
			cls, err1 := hfTokenPair(p.CLS)
			sep, err2 := hfTokenPair(p.SEP)
			if err1 != nil || err2 != nil {
				return errorf("", 0, ErrFormat, "%s: cls/sep must be [token, id]", p.Type)
			}
			t.prefix, t.suffix = []Token{cls}, []Token{sep}
		case "ByteLevel":
		default:
			return errorf("", 0, ErrUnsupported, "post_processor %q", p.Type)
		}
	}
	if len(t.prefix) == 1 {
		t.special.CLS = t.prefix[0]
	}
	if len(t.suffix) == 1 {
		t.special.SEP = t.suffix[0]
	}
	return nil
}

func hfTokenPair(raw []json.RawMessage) (Token, error) {
	if len(raw) != 2 {
		return Token{}, fmt.Errorf("want 2 elements")
	}
	var tk Token
	var id float64
	if err := json.Unmarshal(raw[0], &tk.Text); err != nil {
		return Token{}, err
	}
	if err := json.Unmarshal(raw[1], &id); err != nil || id < 0 || id > math.MaxInt32 || id != math.Trunc(id) {
		return Token{}, fmt.Errorf("bad id")
	}
	tk.ID = int32(id)
	return tk, nil
}
