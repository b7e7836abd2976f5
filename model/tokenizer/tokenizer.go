package tokenizer

import (
	"strings"
	"sync"
)

// Kind names a tokenization algorithm.
type Kind int

const (
	// WordPiece is BERT's greedy longest-match-first subword algorithm.
	WordPiece Kind = iota + 1
	// Unigram is SentencePiece's unigram language model (Viterbi).
	Unigram
)

func (k Kind) String() string {
	switch k {
	case WordPiece:
		return "WordPiece"
	case Unigram:
		return "Unigram"
	}
	return "Kind(?)"
}

// Offset is the half-open byte range [Start, End) of the input text that a
// token came from. Special and padding tokens have an empty range.
type Offset struct{ Start, End int }

// Encoding is the tokenization of one text. All slices have the same length.
type Encoding struct {
	IDs    []int32  // token ids
	Tokens []string // token strings (for an unknown Unigram piece, its text)
	// Offsets locate each token in the input text, in bytes.
	Offsets []Offset
	// AttentionMask is 1 for real tokens (special tokens included) and 0
	// for padding.
	AttentionMask []int32
	// SpecialTokensMask is 1 for tokens added by AddSpecialTokens or
	// padding and for special tokens matched in the text, 0 otherwise.
	SpecialTokensMask []int32
}

// Len returns the number of tokens, padding included.
func (e *Encoding) Len() int { return len(e.IDs) }

// Padding selects how EncodeBatch pads encodings.
type Padding int

const (
	// NoPadding leaves every encoding at its own length.
	NoPadding Padding = iota
	// PadLongest pads every encoding of a batch to the longest one.
	PadLongest
	// PadMaxLength pads every encoding to Options.MaxLength.
	PadMaxLength
)

func (p Padding) String() string {
	switch p {
	case NoPadding:
		return "NoPadding"
	case PadLongest:
		return "PadLongest"
	case PadMaxLength:
		return "PadMaxLength"
	}
	return "Padding(?)"
}

// Options control one call of Encode or EncodeBatch. The zero value
// tokenizes the text alone: no special tokens, no truncation, no padding,
// special-token literals in the text treated as ordinary text.
type Options struct {
	// AddSpecialTokens wraps the tokens in the model's sequence template:
	// [CLS] … [SEP] for WordPiece, <s> … </s> for Unigram models that
	// define them.
	AddSpecialTokens bool
	// MaxLength, if positive, truncates to at most MaxLength tokens,
	// special tokens included, cutting content tokens on the right (the
	// end tokens are kept, as in Hugging Face tokenizers).
	MaxLength int
	// Padding pads with the pad token on the right. PadMaxLength needs a
	// positive MaxLength.
	Padding Padding
	// MatchSpecialTokens recognises literal special tokens in the text
	// ("[CLS]", "<mask>", …) as those tokens, as Hugging Face transformers
	// does by default. When false they are ordinary text, as in Google's
	// BERT and SentencePiece. Non-special added tokens of a tokenizer.json
	// are always recognised.
	MatchSpecialTokens bool
}

// Token is a token string with its id. ID is -1 when the model has no such
// token.
type Token struct {
	Text string
	ID   int32
}

// SpecialTokens are the model's special tokens. Any of them may be absent
// (ID -1).
type SpecialTokens struct {
	CLS, SEP, PAD, UNK, MASK Token
}

// model is a tokenization algorithm with its normaliser.
type model interface {
	// encode appends the tokens of text to b, offsets shifted by base.
	encode(b *buffer, text string, base int)
	// vocabSize returns one more than the largest id.
	vocabSize() int
	// idToToken returns the token string of id, "" if none.
	idToToken(id int32) string
	// tokenToID returns the id of a token string.
	tokenToID(tok string) (int32, bool)
	// decode appends the text of ids to sb, skipping ids skip reports.
	decode(sb *strings.Builder, ids []int32, skip func(int32) bool)
}

// buffer collects the output of a model. tokens is nil when the caller does
// not want token strings.
type buffer struct {
	ids     []int32
	offsets []Offset
	tokens  []string
	special []int32 // indices into ids of special tokens matched in the text
	spans   []int   // EncodeBatch: text i has ids[spans[i]:spans[i+1]]
	wantTok bool
}

// reset empties b, keeping its capacity. The model code relies on ids,
// offsets (and tokens, when wanted) having equal lengths.
func (b *buffer) reset() {
	clear(b.tokens) // drop references to unknown-piece strings
	b.ids, b.offsets, b.tokens, b.special = b.ids[:0], b.offsets[:0], b.tokens[:0], b.special[:0]
}

func (b *buffer) add(id int32, tok string, start, end int) {
	b.ids = append(b.ids, id)
	b.offsets = append(b.offsets, Offset{start, end})
	if b.wantTok {
		b.tokens = append(b.tokens, tok)
	}
}

// A Tokenizer turns text into token ids. Create one with Load, LoadWith,
// ParseHF, ParseSentencePiece or NewWordPiece; the zero value is not
// usable. It is immutable and safe for concurrent use.
type Tokenizer struct {
	kind    Kind
	model   model
	special SpecialTokens
	// prefix and suffix are the template's special tokens around a single
	// sequence.
	prefix, suffix []Token
	added          *addedVocab
	maxLength      int
	scratch        sync.Pool
}

// ModelMaxLength returns the model_max_length of the tokenizer_config.json
// found next to the loaded file, or 0 if unknown.
func (t *Tokenizer) ModelMaxLength() int { return t.maxLength }

// Kind returns the tokenization algorithm.
func (t *Tokenizer) Kind() Kind { return t.kind }

// VocabSize returns one more than the largest token id.
func (t *Tokenizer) VocabSize() int {
	n := t.model.vocabSize()
	if t.added != nil {
		n = max(n, int(t.added.maxID)+1)
	}
	return n
}

// SpecialTokens returns the model's special tokens.
func (t *Tokenizer) SpecialTokens() SpecialTokens { return t.special }

// TokenToID returns the id of a token string, special and added tokens
// included.
func (t *Tokenizer) TokenToID(tok string) (int32, bool) {
	if t.added != nil {
		if id, ok := t.added.ids[tok]; ok {
			return id, true
		}
	}
	return t.model.tokenToID(tok)
}

// IDToToken returns the token string of id, or "" if id is not in the
// vocabulary.
func (t *Tokenizer) IDToToken(id int32) string {
	if t.added != nil {
		if tok, ok := t.added.tokens[id]; ok {
			return tok
		}
	}
	return t.model.idToToken(id)
}

// Encode tokenizes text. Invalid UTF-8 is read as U+FFFD, one byte at a
// time, as SentencePiece and Rust's lossy decoding do.
//
// Encode panics if opts.Padding is PadMaxLength and opts.MaxLength is not
// positive, if opts.MaxLength is positive but smaller than the number of
// special tokens to add, or if text is longer than 2 GiB (offsets are
// int32 internally).
func (t *Tokenizer) Encode(text string, opts Options) Encoding {
	return t.EncodeBatch([]string{text}, opts)[0]
}

// EncodeBatch tokenizes texts. With PadLongest every encoding is padded to
// the longest one, with PadMaxLength to opts.MaxLength. The encodings' slices
// share backing arrays, laid out row after row: with padding, the IDs of
// encoding i are ids[i*width:(i+1)*width] of one len(texts)×width array. It
// panics as Encode does.
func (t *Tokenizer) EncodeBatch(texts []string, opts Options) []Encoding {
	nspecial := t.numSpecial(opts)
	checkOptions(opts, nspecial)
	b := t.getBuffer(true)
	defer t.scratch.Put(b)
	b.reset()
	b.spans = append(b.spans[:0], 0)
	for _, text := range texts {
		t.encodeSegments(b, text, opts.MatchSpecialTokens)
		b.spans = append(b.spans, len(b.ids))
	}
	var pre, suf []Token
	if opts.AddSpecialTokens {
		pre, suf = t.prefix, t.suffix
	}
	budget := -1
	if opts.MaxLength > 0 {
		budget = opts.MaxLength - nspecial
	}
	content := func(i int) int {
		n := b.spans[i+1] - b.spans[i]
		if budget >= 0 {
			n = min(n, budget)
		}
		return n
	}
	width, total := 0, 0
	for i := range texts {
		n := len(pre) + content(i) + len(suf)
		width = max(width, n)
		total += n
	}
	switch opts.Padding {
	case PadLongest:
		total = width * len(texts)
	case PadMaxLength:
		width = opts.MaxLength
		total = width * len(texts)
	}
	ids := make([]int32, total)
	tokens := make([]string, total)
	offsets := make([]Offset, total)
	mask := make([]int32, total)
	smask := make([]int32, total)
	out := make([]Encoding, len(texts))
	row, k := 0, 0
	for i := range texts {
		n := len(pre) + content(i) + len(suf)
		end := row + n
		if opts.Padding != NoPadding {
			end = row + width
		}
		p := row
		put := func(id int32, tok string, o Offset, special bool) {
			ids[p], tokens[p], offsets[p], mask[p] = id, tok, o, 1
			if special {
				smask[p] = 1
			}
			p++
		}
		for _, tk := range pre {
			put(tk.ID, tk.Text, Offset{}, true)
		}
		lo := b.spans[i]
		for j := lo; j < lo+content(i); j++ {
			for k < len(b.special) && int(b.special[k]) < j {
				k++
			}
			put(b.ids[j], b.tokens[j], b.offsets[j], k < len(b.special) && int(b.special[k]) == j)
		}
		for _, tk := range suf {
			put(tk.ID, tk.Text, Offset{}, true)
		}
		for ; p < end; p++ {
			ids[p], tokens[p], smask[p] = t.special.PAD.ID, t.special.PAD.Text, 1
			if ids[p] < 0 {
				ids[p] = 0
			}
		}
		out[i] = Encoding{
			IDs:               ids[row:end:end],
			Tokens:            tokens[row:end:end],
			Offsets:           offsets[row:end:end],
			AttentionMask:     mask[row:end:end],
			SpecialTokensMask: smask[row:end:end],
		}
		row = end
	}
	return out
}

// AppendIDs appends the ids of text's tokens to dst and returns it: no
// special tokens, no truncation, special-token literals as ordinary text.
// It is the allocation-free fast path of Encode.
func (t *Tokenizer) AppendIDs(dst []int32, text string) []int32 {
	b := t.getBuffer(false)
	defer t.scratch.Put(b)
	b.reset()
	t.encodeSegments(b, text, false)
	return append(dst, b.ids...)
}

// Decode returns the text of ids. Special tokens are skipped when
// skipSpecial is true. WordPiece joins tokens with spaces and glues "##"
// continuations (Hugging Face's WordPiece decoder with cleanup); Unigram
// follows SentencePiece's DecodeIds. Ids outside the vocabulary are
// skipped.
func (t *Tokenizer) Decode(ids []int32, skipSpecial bool) string {
	var sb strings.Builder
	skip := func(id int32) bool {
		if t.added != nil {
			if a, ok := t.added.byID[id]; ok {
				return skipSpecial && a.special
			}
		}
		return skipSpecial && t.isSpecialID(id)
	}
	// Added tokens outside the model's vocabulary (XLM-R's <pad> and
	// <mask>) are written as they are, between runs the model decodes.
	run := 0
	for i, id := range ids {
		if t.added == nil {
			break
		}
		a, ok := t.added.byID[id]
		if !ok || t.model.idToToken(id) != "" {
			continue
		}
		t.model.decode(&sb, ids[run:i], skip)
		run = i + 1
		if !(skipSpecial && a.special) {
			sb.WriteString(a.text)
		}
	}
	t.model.decode(&sb, ids[run:], skip)
	return sb.String()
}

func (t *Tokenizer) isSpecialID(id int32) bool {
	s := &t.special
	return id >= 0 && (id == s.CLS.ID || id == s.SEP.ID || id == s.PAD.ID || id == s.MASK.ID)
}

func (t *Tokenizer) numSpecial(opts Options) int {
	if !opts.AddSpecialTokens {
		return 0
	}
	return t.NumSpecialTokens()
}

// NumSpecialTokens returns how many tokens Options.AddSpecialTokens adds
// (2 for [CLS] … [SEP] and <s> … </s>).
func (t *Tokenizer) NumSpecialTokens() int { return len(t.prefix) + len(t.suffix) }

func checkOptions(opts Options, nspecial int) {
	if opts.Padding == PadMaxLength && opts.MaxLength <= 0 {
		panic("tokenizer: PadMaxLength needs a positive MaxLength")
	}
	if opts.MaxLength > 0 && opts.MaxLength < nspecial {
		panic("tokenizer: MaxLength smaller than the number of special tokens")
	}
	if opts.Padding < NoPadding || opts.Padding > PadMaxLength {
		panic("tokenizer: invalid Padding")
	}
}

func (t *Tokenizer) getBuffer(wantTok bool) *buffer {
	b, _ := t.scratch.Get().(*buffer)
	if b == nil {
		b = &buffer{}
	}
	b.wantTok = wantTok
	return b
}
