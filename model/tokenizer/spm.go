package tokenizer

import (
	"errors"
	"fmt"
)

// Layout selects how SentencePiece piece indices map to model token ids.
type Layout int

const (
	// LayoutAuto lets Load decide: LayoutXLMR for a file named
	// sentencepiece.bpe.model or a directory whose tokenizer_config.json
	// or config.json names XLM-R, LayoutSentencePiece otherwise.
	LayoutAuto Layout = iota
	// LayoutSentencePiece uses the piece index as the id.
	LayoutSentencePiece
	// LayoutXLMR is the fairseq layout of XLM-R, mE5 and BGE-M3: <s>=0,
	// <pad>=1, </s>=2, <unk>=3, every other piece its index plus one, and
	// <mask> after the last piece.
	LayoutXLMR
)

func (l Layout) String() string {
	switch l {
	case LayoutAuto:
		return "LayoutAuto"
	case LayoutSentencePiece:
		return "LayoutSentencePiece"
	case LayoutXLMR:
		return "LayoutXLMR"
	}
	return "Layout(?)"
}

// ParseSentencePiece returns a Unigram tokenizer for a serialized
// SentencePiece ModelProto (the content of a .model file). LayoutAuto means
// LayoutSentencePiece here. Errors are *ParseError values wrapping
// ErrFormat, ErrUnsupported or ErrMissingToken.
func ParseSentencePiece(data []byte, layout Layout) (*Tokenizer, error) {
	return parseSentencePiece("", data, layout)
}

func parseSentencePiece(file string, data []byte, layout Layout) (*Tokenizer, error) {
	m, err := parseSPM(data)
	if err != nil {
		return nil, &ParseError{File: file, Err: fmt.Errorf("%w: %w", ErrFormat, err)}
	}
	if m.modelType != 1 {
		return nil, errorf(file, 0, ErrUnsupported, "model_type %d (only UNIGRAM = 1 is implemented)", m.modelType)
	}
	u, err := newUnigram(m)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.File = file
		}
		return nil, err
	}
	t, err := newUnigramTokenizer(u, m, layout)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// newUnigram validates m as SentencePiece's ModelInterface does and builds
// the model.
func newUnigram(m *spmModel) (*unigram, error) {
	n := len(m.pieces)
	if n == 0 {
		return nil, errorf("", 0, ErrFormat, "no pieces")
	}
	if n > 1<<30 {
		return nil, errorf("", 0, ErrFormat, "%d pieces", n)
	}
	u := &unigram{
		pieces:         m.pieces,
		scores:         m.scores,
		types:          m.types,
		reserved:       map[string]int32{},
		unkID:          -1,
		byteFallback:   m.byteFallback,
		addDummyPrefix: m.addDummyPrefix,
		removeExtraWS:  m.removeExtraWS,
		escapeWS:       m.escapeWS,
		treatWSSuffix:  m.treatWSSuffix,
		unkSurface:     m.unkSurface,
		extSize:        n,
	}
	var entries, user []trieEntry
	var byteFound [256]bool
	for i, p := range m.pieces {
		if p == "" {
			return nil, errorf("", 0, ErrFormat, "piece %d is empty", i)
		}
		typ := m.types[i]
		if typ == pieceNormal || typ == pieceUserDefined || typ == pieceUnused {
			entries = append(entries, trieEntry{p, int32(i)})
		} else {
			// Reserved pieces (unknown, control, byte) have their own
			// namespace, as in SentencePiece's reserved_id_map_.
			if _, dup := u.reserved[p]; dup {
				return nil, errorf("", 0, ErrFormat, "piece %d %q is already defined", i, p)
			}
			u.reserved[p] = int32(i)
		}
		switch typ {
		case pieceUserDefined:
			user = append(user, trieEntry{p, int32(i)})
		case pieceUnknown:
			if u.unkID >= 0 {
				return nil, errorf("", 0, ErrFormat, "unknown piece defined twice (%d and %d)", u.unkID, i)
			}
			u.unkID = int32(i)
		case pieceByte:
			if !m.byteFallback {
				return nil, errorf("", 0, ErrFormat, "byte piece %q but byte_fallback is false", p)
			}
			v := pieceByteValue(p)
			if v < 0 {
				return nil, errorf("", 0, ErrFormat, "byte piece %q is invalid", p)
			}
			byteFound[v] = true
			u.bytePiece[v] = int32(i)
		}
	}
	if u.unkID < 0 {
		return nil, errorf("", 0, ErrMissingToken, "no piece of type UNKNOWN")
	}
	if m.byteFallback {
		for v, ok := range byteFound {
			if !ok {
				return nil, errorf("", 0, ErrFormat, "byte_fallback without byte piece <0x%02X>", v)
			}
		}
	}
	if len(entries) == 0 {
		return nil, errorf("", 0, ErrFormat, "no normal pieces")
	}
	u.minScore, u.maxScore = scoreRange(m.scores, m.types)
	var err error
	if u.trie, err = buildTrie(entries); err != nil {
		if errors.Is(err, errTrieTooLarge) {
			return nil, errorf("", 0, ErrUnsupported, "%v", err)
		}
		return nil, errorf("", 0, ErrFormat, "piece %v", err)
	}
	u.slots = make([]latticeSlot, len(u.trie.units))
	for node := range u.trie.units {
		id, ok := u.trie.value(int32(node))
		if !ok {
			continue
		}
		sl := latticeSlot{id, m.scores[id]}
		switch m.types[id] {
		case pieceUnused:
			sl.id |= slotUnused
		case pieceUserDefined:
			sl.id |= slotUserDefined
		}
		u.slots[node] = sl
	}
	if len(user) > 0 {
		if u.userDefined, err = buildTrie(user); err != nil {
			return nil, errorf("", 0, ErrUnsupported, "%v", err)
		}
	}
	if len(m.charsMap) > 0 {
		cm, err := parseCharsMap(m.charsMap)
		if err != nil {
			return nil, errorf("", 0, ErrFormat, "%v", err)
		}
		u.charsMap = cm
	}
	for c := range u.plainASCII {
		u.plainASCII[c] = (u.charsMap == nil || !u.charsMap.hasKeyStartingWith(byte(c))) &&
			(u.userDefined == nil || !u.userDefined.hasKeyStartingWith(byte(c)))
	}
	return u, nil
}

// xlmrFairseq are the ids fairseq's dictionary gives XLM-R's first tokens.
var xlmrFairseq = map[string]int32{"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}

// newUnigramTokenizer sets up ids and special tokens for layout.
func newUnigramTokenizer(u *unigram, m *spmModel, layout Layout) (*Tokenizer, error) {
	t := &Tokenizer{kind: Unigram, model: u}
	n := len(u.pieces)
	piece := func(id int32) Token {
		if id >= 0 && int(id) < n {
			return Token{u.pieces[id], id}
		}
		return Token{"", -1}
	}
	var added []addedToken
	if layout == LayoutXLMR {
		// transformers' XLMRobertaTokenizer: fairseq ids for the four
		// first tokens, spm id + 1 for the rest, <mask> last.
		u.ext = make([]int32, n)
		u.internal = make(map[int32]int32, n)
		for i, p := range u.pieces {
			ext, ok := xlmrFairseq[p]
			switch {
			case ok:
			case int32(i) == u.unkID:
				ext = xlmrFairseq["<unk>"]
			default:
				ext = int32(i) + 1
			}
			u.ext[i] = ext
			if _, dup := u.internal[ext]; !dup {
				u.internal[ext] = int32(i)
			}
		}
		u.extSize = n + 2
		t.special = SpecialTokens{
			CLS:  Token{"<s>", 0},
			SEP:  Token{"</s>", 2},
			PAD:  Token{"<pad>", 1},
			UNK:  Token{"<unk>", 3},
			MASK: Token{"<mask>", int32(n) + 1},
		}
		s := t.special
		for _, tk := range []Token{s.CLS, s.PAD, s.SEP, s.UNK, s.MASK} {
			added = append(added, addedToken{text: tk.Text, id: tk.ID, special: true, lstrip: tk.Text == "<mask>"})
		}
	} else {
		t.special = SpecialTokens{
			CLS:  piece(m.bosID),
			SEP:  piece(m.eosID),
			PAD:  piece(m.padID),
			UNK:  piece(u.unkID),
			MASK: Token{"", -1},
		}
		for i, typ := range u.types {
			if typ == pieceControl || typ == pieceUnknown {
				added = append(added, addedToken{text: u.pieces[i], id: int32(i), special: true})
			}
		}
	}
	if t.special.CLS.ID >= 0 {
		t.prefix = []Token{t.special.CLS}
	}
	if t.special.SEP.ID >= 0 {
		t.suffix = []Token{t.special.SEP}
	}
	var err error
	if t.added, err = newAddedVocab(added); err != nil {
		return nil, errorf("", 0, ErrUnsupported, "added tokens: %v", err)
	}
	return t, nil
}

// loadSPMFile reads a .model file (gzip-compressed if named *.gz).
func loadSPMFile(path string, layout Layout) (*Tokenizer, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return parseSentencePiece(path, data, layout)
}
