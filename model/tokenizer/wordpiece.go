package tokenizer

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// BertConfig holds the options of Hugging Face's BertNormalizer and
// WordPiece model. The zero value is mBERT-cased: clean text, split CJK
// ideographs, keep case and accents, "##" continuations, 100 characters
// per word.
type BertConfig struct {
	// Lowercase lower-cases every character (Rust char::to_lowercase).
	Lowercase bool
	// StripAccents decomposes to NFD and drops nonspacing marks (Mn).
	// StripAccentsDefault (the zero value) means: strip if Lowercase, as
	// BertNormalizer's strip_accents: null does.
	StripAccents StripAccents
	// NoCleanText keeps control characters (Cc, Cf, Co except \t \n \r),
	// NUL and U+FFFD, which are otherwise removed, and keeps whitespace
	// characters as they are instead of mapping them to U+0020.
	NoCleanText bool
	// NoChineseChars does not split CJK ideographs into one word each.
	NoChineseChars bool
	// ContinuingPrefix marks word-internal pieces; "" means "##".
	ContinuingPrefix string
	// MaxInputCharsPerWord turns longer words (counted in code points after
	// normalisation) into the unknown token; 0 means 100.
	MaxInputCharsPerWord int
	// UnkToken is the unknown token; "" means "[UNK]".
	UnkToken string
}

// StripAccents selects accent stripping in BertConfig.
type StripAccents int

const (
	// StripAccentsDefault strips accents exactly when lower-casing.
	StripAccentsDefault StripAccents = iota
	// StripAccentsOn always strips accents.
	StripAccentsOn
	// StripAccentsOff never strips accents.
	StripAccentsOff
)

func (s StripAccents) String() string {
	switch s {
	case StripAccentsDefault:
		return "StripAccentsDefault"
	case StripAccentsOn:
		return "StripAccentsOn"
	case StripAccentsOff:
		return "StripAccentsOff"
	}
	return "StripAccents(?)"
}

// wordPiece is BertNormalizer + BertPreTokenizer + WordPiece.
type wordPiece struct {
	vocab     []string // id → token
	initial   *trie    // every vocabulary entry
	cont      *trie    // entries that start with the prefix, prefix removed
	unkID     int32
	unk       string
	prefix    string
	maxChars  int
	clean     bool
	chinese   bool
	strip     bool
	lowercase bool
	noCleanup bool      // decoder without clean_up_tokenization
	states    sync.Pool // *wpState
}

// newWordPiece builds the model. vocab maps ids to tokens; when a token
// occurs twice the later id is the one text maps to, as in Hugging Face and
// Google BERT. Tokens are not copied.
func newWordPiece(vocab []string, cfg BertConfig) (*wordPiece, error) {
	w := &wordPiece{
		vocab:     vocab,
		prefix:    cmpOr(cfg.ContinuingPrefix, "##"),
		maxChars:  cmpOr(cfg.MaxInputCharsPerWord, 100),
		unk:       cmpOr(cfg.UnkToken, "[UNK]"),
		clean:     !cfg.NoCleanText,
		chinese:   !cfg.NoChineseChars,
		lowercase: cfg.Lowercase,
	}
	switch cfg.StripAccents {
	case StripAccentsDefault:
		w.strip = cfg.Lowercase
	case StripAccentsOn:
		w.strip = true
	}
	initial := make([]trieEntry, 0, len(vocab))
	for i, tok := range vocab {
		initial = append(initial, trieEntry{tok, int32(i)})
	}
	initial = dedupeLast(initial)
	var cont []trieEntry
	for _, e := range initial {
		if rest, ok := strings.CutPrefix(e.key, w.prefix); ok && rest != "" {
			cont = append(cont, trieEntry{rest, e.value})
		}
	}
	var err error
	if w.initial, err = buildTrie(initial); err != nil {
		return nil, errorf("", 0, ErrUnsupported, "%v", err)
	}
	if w.cont, err = buildTrie(cont); err != nil {
		return nil, errorf("", 0, ErrUnsupported, "%v", err)
	}
	id, ok := w.initial.lookup(w.unk)
	if !ok {
		return nil, errorf("", 0, ErrMissingToken, "unknown token %q not in vocabulary", w.unk)
	}
	w.unkID = id
	return w, nil
}

func cmpOr[T comparable](v, dflt T) T {
	var zero T
	if v == zero {
		return dflt
	}
	return v
}

func (w *wordPiece) vocabSize() int { return len(w.vocab) }

func (w *wordPiece) idToToken(id int32) string {
	if id < 0 || int(id) >= len(w.vocab) {
		return ""
	}
	return w.vocab[id]
}

func (w *wordPiece) tokenToID(tok string) (int32, bool) {
	return w.initial.lookup(tok)
}

// wpState is the per-call state of the WordPiece pipeline: the current word
// in normalised form and where each of its code points came from.
type wpState struct {
	w     *wordPiece
	b     *buffer
	word  []byte
	start []int32 // start[i]: original start offset of the rune at word byte i
	end   []int32 // end[i]: original end offset of the rune ending at word byte i
	nrune int
	// NFD reordering needs the code points of a combining sequence before
	// marks are dropped.
	pend   []pendRune
	decomp []rune
	lower  []rune
}

type pendRune struct {
	r          rune
	class      uint8
	start, end int32
}

func (w *wordPiece) encode(b *buffer, text string, base int) {
	s, _ := w.states.Get().(*wpState)
	if s == nil {
		s = &wpState{}
	}
	defer w.states.Put(s)
	s.w, s.b = w, b
	s.reset()
	fast := !w.strip && !w.lowercase && w.clean && w.chinese
	for i := 0; i < len(text); {
		c := text[i]
		if fast && c < utf8.RuneSelf {
			// ASCII: letters and digits extend the word, the rest are
			// controls, spaces or punctuation.
			switch {
			case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
				s.appendByte(c, int32(base+i))
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				s.flush()
			case c < ' ' || c == 0x7f:
				// control: removed
			default:
				s.flush()
				s.appendByte(c, int32(base+i))
				s.flush()
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		s.addRune(r, int32(base+i), int32(base+i+size))
		i += size
	}
	s.drain()
	s.flush()
	s.w, s.b = nil, nil
}

func (s *wpState) reset() {
	s.word, s.start, s.end = s.word[:0], s.start[:0], s.end[:0]
	s.nrune = 0
	s.pend = s.pend[:0]
}

// addRune runs one input code point through the normaliser.
func (s *wpState) addRune(r rune, start, end int32) {
	w := s.w
	if w.clean {
		if r == 0 || r == utf8.RuneError || bertIsControl(r) {
			return
		}
		if bertIsWhitespace(r) {
			r = ' '
		}
	}
	if w.chinese && bertIsChinese(r) {
		s.normalized(' ', start, end)
		s.normalized(r, start, end)
		s.normalized(' ', start, end)
		return
	}
	s.normalized(r, start, end)
}

// normalized takes a code point after cleaning and CJK spacing and applies
// accent stripping and lower-casing.
func (s *wpState) normalized(r rune, start, end int32) {
	w := s.w
	if !w.strip {
		s.lowered(r, start, end)
		return
	}
	s.decomp = nfdAppend(s.decomp[:0], r)
	for _, d := range s.decomp {
		class := ccc(d)
		if class == 0 {
			s.drain()
		}
		s.pend = append(s.pend, pendRune{d, class, start, end})
	}
}

// drain orders the pending combining sequence canonically, drops the
// nonspacing marks and passes the rest on.
func (s *wpState) drain() {
	p := s.pend
	if len(p) == 0 {
		return
	}
	// Stable sort of each run of non-starters by combining class.
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j].class != 0 && p[j-1].class > p[j].class; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
	for _, q := range p {
		if q.r >= 0x300 && isNonspacingMark(q.r) {
			continue
		}
		s.lowered(q.r, q.start, q.end)
	}
	s.pend = p[:0]
}

func (s *wpState) lowered(r rune, start, end int32) {
	if !s.w.lowercase {
		s.pretok(r, start, end)
		return
	}
	s.lower = bertLower(s.lower[:0], r)
	for _, c := range s.lower {
		s.pretok(c, start, end)
	}
}

// pretok is BertPreTokenizer: whitespace ends a word, punctuation is a word
// of its own.
func (s *wpState) pretok(r rune, start, end int32) {
	switch {
	case bertIsWhitespace(r):
		s.flush()
	case bertIsPunct(r):
		s.flush()
		s.appendRune(r, start, end)
		s.flush()
	default:
		s.appendRune(r, start, end)
	}
}

func (s *wpState) appendByte(c byte, start int32) {
	s.start = append(s.start, start)
	s.word = append(s.word, c)
	s.end = append(s.end, start+1)
	s.nrune++
}

func (s *wpState) appendRune(r rune, start, end int32) {
	if r < utf8.RuneSelf {
		s.start = append(s.start, start)
		s.word = append(s.word, byte(r))
		s.end = append(s.end, end)
		s.nrune++
		return
	}
	n0 := len(s.word)
	s.word = utf8.AppendRune(s.word, r)
	for i := n0; i < len(s.word); i++ {
		s.start = append(s.start, start)
		s.end = append(s.end, end)
	}
	s.nrune++
}

// flush runs WordPiece on the current word.
func (s *wpState) flush() {
	word := s.word
	if len(word) == 0 {
		return
	}
	w, b := s.w, s.b
	first, last := int(s.start[0]), int(s.end[len(word)-1])
	if s.nrune > w.maxChars {
		b.add(w.unkID, w.unk, first, last)
	} else {
		mark := len(b.ids)
		t := w.initial
		for pos := 0; pos < len(word); {
			id, n, ok := longestPrefix(t, word[pos:])
			if !ok {
				b.ids, b.offsets = b.ids[:mark], b.offsets[:mark]
				if b.wantTok {
					b.tokens = b.tokens[:mark]
				}
				b.add(w.unkID, w.unk, first, last)
				break
			}
			b.add(id, w.vocab[id], int(s.start[pos]), int(s.end[pos+n-1]))
			pos += n
			t = w.cont
		}
	}
	s.word, s.start, s.end = word[:0], s.start[:0], s.end[:0]
	s.nrune = 0
}

// decode is Hugging Face's WordPiece decoder with cleanup: tokens joined
// by spaces, continuations glued, and each token cleaned as
// clean_up_tokenization does.
func (w *wordPiece) decode(sb *strings.Builder, ids []int32, skip func(int32) bool) {
	var toks []string
	for _, id := range ids {
		if !skip(id) && id >= 0 && int(id) < len(w.vocab) {
			toks = append(toks, w.vocab[id])
		}
	}
	decodeWordPiece(sb, toks, w.prefix, !w.noCleanup)
}

// decodeWordPiece is tokenizers' WordPiece decoder.
func decodeWordPiece(sb *strings.Builder, toks []string, prefix string, cleanup bool) {
	for i, tok := range toks {
		if i > 0 {
			if rest, ok := strings.CutPrefix(tok, prefix); ok {
				tok = rest
			} else {
				tok = " " + tok
			}
		}
		if cleanup {
			tok = cleanupReplacer.Replace(tok)
		}
		sb.WriteString(tok)
	}
}

// cleanupReplacer is tokenizers' decoders::wordpiece::cleanup. A token has
// no inner spaces, so at most one rule matches, at its start, and one pass
// equals the chain of replaces.
var cleanupReplacer = strings.NewReplacer(
	" .", ".", " ?", "?", " !", "!", " ,", ",", " ' ", "'", " n't", "n't",
	" 'm", "'m", " do not", " don't", " 's", "'s", " 've", "'ve", " 're", "'re",
)

func isNonspacingMark(r rune) bool { return unicode.Is(bertNonspacingMark, r) }
