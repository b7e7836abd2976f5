package tokenizer

import (
	"math"
	"strings"
	"sync"
	"unicode/utf8"
)

// unigram is SentencePiece's normaliser and unigram model (0.1.97,
// Normalizer::Normalize and Model::EncodeOptimized), ported to the letter:
// the same longest-match character map, whitespace handling, Viterbi
// arithmetic and tie-breaking, unknown merging and byte fallback.
type unigram struct {
	pieces []string
	scores []float32
	types  []pieceType
	// trie holds NORMAL, USER_DEFINED and UNUSED pieces (spm ids).
	trie *trie
	// slots holds, by trie node, the id and score of the piece ending
	// there: one load per lattice node.
	slots []latticeSlot
	// reserved maps UNKNOWN, CONTROL and BYTE pieces to their spm ids.
	reserved     map[string]int32
	unkID        int32
	minScore     float32
	maxScore     float32
	byteFallback bool
	bytePiece    [256]int32 // spm id of <0xXX>, or unkID

	charsMap       *charsMap
	userDefined    *trie // user-defined symbols, matched before the map
	addDummyPrefix bool
	removeExtraWS  bool
	escapeWS       bool
	treatWSSuffix  bool
	unkSurface     string
	// plainASCII[c] means no character-map key or user-defined symbol
	// starts with byte c, so c normalises to itself.
	plainASCII [utf8.RuneSelf]bool

	// Id layout: external id of spm id i is ext[i] if ext != nil, else i.
	ext      []int32
	internal map[int32]int32 // external → spm id, when ext != nil
	extSize  int

	states sync.Pool
}

type latticeSlot struct {
	id    int32 // spm id, with slotUnused or slotUserDefined set
	score float32
}

const (
	slotUnused      = 1 << 30
	slotUserDefined = 1 << 29
	slotFlags       = slotUnused | slotUserDefined
)

// unigramState is the scratch space of one encode call.
type unigramState struct {
	norm   []byte
	n2o    []int32 // norm byte → original byte offset; len(norm)+1 entries
	score  []float32
	starts []int32
	ids    []int32
	path   []int32 // backtracked end positions
}

const spaceSymbol = "\u2581" // ▁, SentencePiece's escaped space

func (u *unigram) vocabSize() int { return u.extSize }

func (u *unigram) toExt(id int32) int32 {
	if u.ext == nil {
		return id
	}
	return u.ext[id]
}

func (u *unigram) toInternal(id int32) (int32, bool) {
	if u.ext == nil {
		return id, id >= 0 && int(id) < len(u.pieces)
	}
	i, ok := u.internal[id]
	return i, ok
}

func (u *unigram) idToToken(id int32) string {
	if i, ok := u.toInternal(id); ok {
		return u.pieces[i]
	}
	return ""
}

func (u *unigram) tokenToID(tok string) (int32, bool) {
	// SentencePiece's PieceToId: reserved pieces first, then the trie.
	i, ok := u.reserved[tok]
	if !ok {
		if i, ok = u.trie.lookup(tok); !ok {
			return 0, false
		}
	}
	return u.toExt(i), true
}

// normalizePrefix is Normalizer::NormalizePrefix: the replacement of the
// longest user-defined symbol or character-map key at the start of s, else
// the first character itself (U+FFFD for one byte of invalid UTF-8).
func (u *unigram) normalizePrefix(s string) (string, int) {
	if u.userDefined != nil {
		if _, n, ok := longestPrefix(u.userDefined, s); ok {
			return s[:n], n
		}
	}
	if u.charsMap != nil {
		if repl, n := u.charsMap.longest(s); n > 0 {
			return repl, n
		}
	}
	if s[0] < utf8.RuneSelf {
		return s[:1], 1
	}
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size == 1 {
		return "\uFFFD", 1
	}
	return s[:size], size
}

// normalize fills st.norm and st.n2o as Normalizer::Normalize does.
func (u *unigram) normalize(st *unigramState, input string) {
	st.norm, st.n2o = st.norm[:0], st.n2o[:0]
	if input == "" {
		return
	}
	consumed := 0
	if u.removeExtraWS {
		for input != "" {
			sp, n := u.normalizePrefix(input)
			if sp != " " {
				break
			}
			input = input[n:]
			consumed += n
		}
	}
	if input == "" {
		return
	}
	addWS := func() {
		if u.escapeWS {
			st.norm = append(st.norm, spaceSymbol...)
			st.n2o = append(st.n2o, int32(consumed), int32(consumed), int32(consumed))
		} else {
			st.norm = append(st.norm, ' ')
			st.n2o = append(st.n2o, int32(consumed))
		}
	}
	if !u.treatWSSuffix && u.addDummyPrefix {
		addWS()
	}
	isPrevSpace := u.removeExtraWS
	for input != "" {
		var sp string
		var n int
		if c := input[0]; c < utf8.RuneSelf && u.plainASCII[c] && c != ' ' {
			st.norm = append(st.norm, c)
			st.n2o = append(st.n2o, int32(consumed))
			isPrevSpace = false
			consumed++
			input = input[1:]
			continue
		}
		sp, n = u.normalizePrefix(input)
		for isPrevSpace && strings.HasPrefix(sp, " ") {
			sp = sp[1:]
		}
		if sp != "" {
			for i := 0; i < len(sp); i++ {
				if u.escapeWS && sp[i] == ' ' {
					st.norm = append(st.norm, spaceSymbol...)
					st.n2o = append(st.n2o, int32(consumed), int32(consumed), int32(consumed))
				} else {
					st.norm = append(st.norm, sp[i])
					st.n2o = append(st.n2o, int32(consumed))
				}
			}
			isPrevSpace = sp[len(sp)-1] == ' '
		}
		consumed += n
		input = input[n:]
		if !u.removeExtraWS {
			isPrevSpace = false
		}
	}
	if u.removeExtraWS {
		space := " "
		if u.escapeWS {
			space = spaceSymbol
		}
		for len(st.norm) >= len(space) && string(st.norm[len(st.norm)-len(space):]) == space {
			length := len(st.norm) - len(space)
			consumed = int(st.n2o[length])
			st.norm, st.n2o = st.norm[:length], st.n2o[:length]
		}
	}
	if u.treatWSSuffix && u.addDummyPrefix {
		addWS()
	}
	st.n2o = append(st.n2o, int32(consumed))
}

// oneCharLen is SentencePiece's string_util::OneCharLen: the UTF-8 length
// announced by a lead byte (1 for continuation bytes).
func oneCharLen(c byte) int {
	return int("\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x02\x02\x03\x04"[c>>4])
}

// viterbi is Model::EncodeOptimized over st.norm. Scores are stored as
// float32; a piece's candidate is computed in float64 (the C++ promotes
// float + float through the double ternary), the unknown candidate in
// float32; a later candidate replaces the stored best only if strictly
// greater. It leaves the best path's end positions in st.path, in order.
func (u *unigram) viterbi(st *unigramState) {
	norm := st.norm
	size := len(norm)
	st.score = grow(st.score, size+1)
	st.starts = grow(st.starts, size+1)
	st.ids = grow(st.ids, size+1)
	score, starts, ids := st.score, st.starts, st.ids
	for i := range starts {
		starts[i] = -1
		score[i] = 0
	}
	unkScore := u.minScore - 10
	units, slots := u.trie.units, u.slots
	for at := 0; at < size; {
		base := score[at]
		hasSingle := false
		mblen := min(oneCharLen(norm[at]), size-at)
		node := 0
		// trie.prefixes, inlined: this loop is the hot path.
		for pos := at; pos < size; pos++ {
			c := norm[pos]
			next := int(units[node]>>trieBaseShift) + int(c) + 1
			if next >= len(units) || units[next]&trieLabelMask != trieLabel(c) {
				break
			}
			node = next
			if units[node]&trieValueBit == 0 {
				continue
			}
			sl := slots[node]
			id := sl.id
			end := pos + 1
			length := end - at
			s := float64(sl.score)
			if id&slotFlags != 0 {
				if id&slotUnused != 0 {
					continue
				}
				id &^= slotFlags
				s = float64(float32(float32(length)*u.maxScore)) - 0.1
			}
			cand := s + float64(base)
			if starts[end] == -1 || cand > float64(score[end]) {
				score[end] = float32(cand)
				starts[end] = int32(at)
				ids[end] = id
			}
			if length == mblen {
				hasSingle = true
			}
		}
		if !hasSingle {
			end := at + mblen
			cand := float32(unkScore + base)
			if starts[end] == -1 || cand > score[end] {
				score[end] = cand
				starts[end] = int32(at)
				ids[end] = u.unkID
			}
		}
		at += mblen
	}
	st.path = st.path[:0]
	for end := size; end > 0; end = int(starts[end]) {
		st.path = append(st.path, int32(end))
	}
	for i, j := 0, len(st.path)-1; i < j; i, j = i+1, j-1 {
		st.path[i], st.path[j] = st.path[j], st.path[i]
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func (u *unigram) encode(b *buffer, text string, base int) {
	st, _ := u.states.Get().(*unigramState)
	if st == nil {
		st = &unigramState{}
	}
	defer u.states.Put(st)
	u.normalize(st, text)
	if len(st.norm) == 0 {
		return
	}
	u.viterbi(st)
	// PopulateSentencePieceText: merge runs of unknown pieces, or expand
	// them into byte pieces with byte fallback.
	n2o := st.n2o
	start := 0
	prevUnk := false
	for _, e := range st.path {
		end := int(e)
		id := st.ids[end]
		oBegin, oEnd := int(n2o[start])+base, int(n2o[end])+base
		isUnk := u.types[id] == pieceUnknown
		switch {
		case isUnk && u.byteFallback:
			for i := start; i < end; i++ {
				bid := u.bytePiece[st.norm[i]]
				if i == end-1 {
					b.add(u.toExt(bid), u.pieces[bid], oBegin, oEnd)
				} else {
					b.add(u.toExt(bid), u.pieces[bid], oBegin, oBegin)
				}
			}
		case isUnk && prevUnk:
			last := len(b.ids) - 1
			b.offsets[last].End = oEnd
			if b.wantTok {
				b.tokens[last] += string(st.norm[start:end])
			}
		case isUnk:
			tok := ""
			if b.wantTok {
				tok = string(st.norm[start:end])
			}
			b.add(u.toExt(id), tok, oBegin, oEnd)
		default:
			b.add(u.toExt(id), u.pieces[id], oBegin, oEnd)
		}
		prevUnk = isUnk
		start = end
	}
}

// decode is SentencePiece's DecodeIds: "▁" becomes a space, the first
// piece loses its leading "▁" (with add_dummy_prefix or
// remove_extra_whitespaces; with the latter every leading "▁" piece does),
// unknown pieces become unk_surface, control pieces vanish and byte pieces
// are joined into UTF-8 (an invalid byte becomes U+FFFD).
func (u *unigram) decode(sb *strings.Builder, ids []int32, skip func(int32) bool) {
	var text strings.Builder
	var bytes []byte
	flush := func() {
		for len(bytes) > 0 {
			r, size := utf8.DecodeRune(bytes)
			text.WriteRune(r)
			bytes = bytes[size:]
		}
	}
	isBOSWS, seen := true, false
	for _, ext := range ids {
		if skip(ext) {
			continue
		}
		id, ok := u.toInternal(ext)
		if !ok {
			continue
		}
		if u.types[id] == pieceByte {
			bytes = append(bytes, byte(pieceByteValue(u.pieces[id])))
			continue
		}
		flush()
		if seen || text.Len() > 0 {
			isBOSWS = false
		}
		seen = false
		switch u.types[id] {
		case pieceControl:
			continue
		case pieceUnknown:
			text.WriteString(u.unkSurface)
			continue
		}
		piece := u.pieces[id]
		if isBOSWS && (u.addDummyPrefix || u.removeExtraWS) {
			var cut bool
			piece, cut = strings.CutPrefix(piece, spaceSymbol)
			seen = cut && !u.removeExtraWS
		}
		text.WriteString(strings.ReplaceAll(piece, spaceSymbol, " "))
	}
	flush()
	sb.WriteString(text.String())
}

// pieceByteValue parses "<0xXX>", returning -1 if p is not a byte piece.
func pieceByteValue(p string) int {
	if len(p) != 6 || p[:3] != "<0x" || p[5] != '>' {
		return -1
	}
	v := 0
	for _, c := range []byte(p[3:5]) {
		switch {
		case '0' <= c && c <= '9':
			v = v*16 + int(c-'0')
		case 'A' <= c && c <= 'F':
			v = v*16 + int(c-'A'+10)
		default:
			return -1
		}
	}
	return v
}

// scoreRange returns SentencePiece's min_score_ and max_score_ over NORMAL
// pieces, starting from FLT_MAX and FLT_MIN (the smallest positive normal
// float, as in the C++).
func scoreRange(scores []float32, types []pieceType) (lo, hi float32) {
	lo, hi = math.MaxFloat32, 0x1p-126
	for i, s := range scores {
		// std::min and std::max: a NaN score changes nothing.
		if types[i] == pieceNormal {
			if s < lo {
				lo = s
			}
			if hi < s {
				hi = s
			}
		}
	}
	return lo, hi
}
