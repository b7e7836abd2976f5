package tokenizer

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// hfPipeline is Hugging Face tokenizers' own Unigram pipeline, used for a
// tokenizer.json whose normalisers are not a SentencePiece conversion (for
// example model2vec's, which chain BertNormalizer and Replace): the
// normalisers and pre-tokenisers run as tokenizers runs them, and each
// pre-token goes through Unigram::encode_optimized, which keeps scores in
// float64, takes the unknown penalty from the lowest score of the whole
// vocabulary and fuses runs of unknown pieces.
type hfPipeline struct {
	pieces   []string
	scores   []float64
	trie     *trie // every piece (a later duplicate wins)
	unkID    int32
	minScore float64
	bytes    [256]int32 // id of "<0xXX>", or -1; used when byteFallback
	fallback bool
	norms    []hfNormOp
	pretoks  []hfPretokOp
	decoder  hfComponent // Type "" when the file has none
}

// normRune is a normalised code point and the original bytes it came from.
type normRune struct {
	r          rune
	start, end int32
}

type hfNormOp func([]normRune) []normRune

type hfPretokOp func(splits [][]normRune) [][]normRune

func (h *hfPipeline) vocabSize() int { return len(h.pieces) }

func (h *hfPipeline) idToToken(id int32) string {
	if id < 0 || int(id) >= len(h.pieces) {
		return ""
	}
	return h.pieces[id]
}

func (h *hfPipeline) tokenToID(tok string) (int32, bool) { return h.trie.lookup(tok) }

func (h *hfPipeline) encode(b *buffer, text string, base int) {
	rs := make([]normRune, 0, len(text))
	for i, r := range text {
		rs = append(rs, normRune{r, int32(base + i), int32(base + i + utf8.RuneLen(max(r, 0)))})
	}
	// A byte of invalid UTF-8 is one U+FFFD of one byte.
	for i := range rs {
		if rs[i].r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(text[int(rs[i].start)-base:]); size == 1 {
				rs[i].end = rs[i].start + 1
			}
		}
	}
	for _, op := range h.norms {
		rs = op(rs)
	}
	if len(rs) == 0 {
		return
	}
	splits := [][]normRune{rs}
	for _, op := range h.pretoks {
		splits = op(splits)
	}
	var sb strings.Builder
	var runeAt []int32
	for _, sp := range splits {
		sb.Reset()
		runeAt = runeAt[:0]
		for i, nr := range sp {
			n := sb.Len()
			sb.WriteRune(nr.r)
			for range sb.Len() - n {
				runeAt = append(runeAt, int32(i))
			}
		}
		h.encodeWord(b, sb.String(), sp, runeAt)
	}
}

// encodeWord is Unigram::encode_optimized followed by Unigram::tokenize.
func (h *hfPipeline) encodeWord(b *buffer, s string, sp []normRune, runeAt []int32) {
	size := len(s)
	score := make([]float64, size+1)
	starts := make([]int, size+1)
	ids := make([]int32, size+1)
	for i := range starts {
		starts[i] = -1
	}
	unkScore := h.minScore - 10
	for at := 0; at < size; {
		base := score[at]
		hasSingle := false
		_, mblen := utf8.DecodeRuneInString(s[at:])
		for n, id := range h.trie.prefixes(s[at:]) {
			end := at + n
			cand := h.scores[id] + base
			if starts[end] == -1 || cand > score[end] {
				score[end], starts[end], ids[end] = cand, at, id
			}
			if end-at == mblen {
				hasSingle = true
			}
		}
		if !hasSingle {
			end := at + mblen
			if cand := unkScore + base; starts[end] == -1 || cand > score[end] {
				score[end], starts[end], ids[end] = cand, at, h.unkID
			}
		}
		at += mblen
	}
	// Backtrack, fusing runs of unknown pieces.
	type span struct {
		start, end int
		unk        bool
	}
	var spans []span
	for end := size; end > 0; {
		start := starts[end]
		unk := ids[end] == h.unkID
		if unk && len(spans) > 0 && spans[len(spans)-1].unk {
			spans[len(spans)-1].start = start
		} else {
			spans = append(spans, span{start, end, unk})
		}
		end = start
	}
	for i := len(spans) - 1; i >= 0; i-- {
		start, end := spans[i].start, spans[i].end
		tok := s[start:end]
		oStart, oEnd := int(sp[runeAt[start]].start), int(sp[runeAt[end-1]].end)
		if oEnd < oStart {
			oEnd = oStart
		}
		if id, ok := h.trie.lookup(tok); ok {
			b.add(id, tok, oStart, oEnd)
			continue
		}
		if h.fallback && h.allBytes(tok) {
			for j := 0; j < len(tok); j++ {
				id := h.bytes[tok[j]]
				b.add(id, h.pieces[id], oStart, oEnd)
			}
			continue
		}
		b.add(h.unkID, tok, oStart, oEnd)
	}
}

func (h *hfPipeline) allBytes(tok string) bool {
	for j := 0; j < len(tok); j++ {
		if h.bytes[tok[j]] < 0 {
			return false
		}
	}
	return true
}

// decode runs the file's decoder: WordPiece (as model2vec's files have
// it), none (tokens joined by spaces), or otherwise Metaspace (pieces
// concatenated, "▁" as a space, the first leading space dropped).
func (h *hfPipeline) decode(sb *strings.Builder, ids []int32, skip func(int32) bool) {
	var toks []string
	for _, id := range ids {
		if !skip(id) && id >= 0 && int(id) < len(h.pieces) {
			toks = append(toks, h.pieces[id])
		}
	}
	switch h.decoder.Type {
	case "WordPiece":
		prefix := "##"
		if h.decoder.Prefix != nil {
			prefix = *h.decoder.Prefix
		}
		decodeWordPiece(sb, toks, prefix, h.decoder.Cleanup == nil || *h.decoder.Cleanup)
	case "":
		sb.WriteString(strings.Join(toks, " "))
	default:
		s := strings.ReplaceAll(strings.Join(toks, ""), spaceSymbol, " ")
		sb.WriteString(strings.TrimPrefix(s, " "))
	}
}

// newHFUnigram builds the pipeline, or reports the first component it does
// not implement.
func newHFPipeline(pieces []string, scores []float64, unk int32, byteFallback bool, norm, pre, dec *hfComponent) (*hfPipeline, error) {
	h := &hfPipeline{pieces: pieces, scores: scores, unkID: unk, fallback: byteFallback, minScore: math.Inf(1)}
	if dec != nil {
		h.decoder = *dec
	}
	entries := make([]trieEntry, len(pieces))
	for i, p := range pieces {
		entries[i] = trieEntry{p, int32(i)}
		if scores[i] < h.minScore {
			h.minScore = scores[i]
		}
	}
	var err error
	if h.trie, err = buildTrie(dedupeLast(entries)); err != nil {
		return nil, err
	}
	for c := range h.bytes {
		h.bytes[c] = -1
		if id, ok := h.trie.lookup(fmt.Sprintf("<0x%02X>", c)); ok {
			h.bytes[c] = id
		}
	}
	for _, c := range norm.flatten() {
		op, err := hfNormalizer(c)
		if err != nil {
			return nil, err
		}
		h.norms = append(h.norms, op)
	}
	for _, c := range pre.flatten() {
		op, err := hfPreTokenizer(c)
		if err != nil {
			return nil, err
		}
		h.pretoks = append(h.pretoks, op)
	}
	return h, nil
}

func hfNormalizer(c hfComponent) (hfNormOp, error) {
	flag := func(p *bool, dflt bool) bool {
		if p == nil {
			return dflt
		}
		return *p
	}
	switch c.Type {
	case "BertNormalizer":
		lower := flag(c.Lowercase, true)
		strip := flag(c.StripAccents, lower)
		clean, chinese := flag(c.CleanText, true), flag(c.HandleChineseChars, true)
		return func(rs []normRune) []normRune { return bertNormalize(rs, clean, chinese, strip, lower) }, nil
	case "Lowercase":
		return func(rs []normRune) []normRune { return bertNormalize(rs, false, false, false, true) }, nil
	case "Strip":
		left, right := flag(c.StripLeft, true), flag(c.StripRight, true)
		return func(rs []normRune) []normRune {
			for left && len(rs) > 0 && unicode.IsSpace(rs[0].r) {
				rs = rs[1:]
			}
			for right && len(rs) > 0 && unicode.IsSpace(rs[len(rs)-1].r) {
				rs = rs[:len(rs)-1]
			}
			return rs
		}, nil
	case "Replace":
		if c.Pattern == nil || c.Content == nil {
			return nil, fmt.Errorf("Replace without pattern or content")
		}
		content := []rune(*c.Content)
		switch {
		case c.Pattern.String != nil && *c.Pattern.String != "":
			pat := []rune(*c.Pattern.String)
			return func(rs []normRune) []normRune {
				return replaceRuns(rs, content, func(rs []normRune) int {
					if len(rs) < len(pat) {
						return 0
					}
					for i, p := range pat {
						if rs[i].r != p {
							return 0
						}
					}
					return len(pat)
				})
			}, nil
		case c.Pattern.Regex != nil && (*c.Pattern.Regex == " {2,}" || *c.Pattern.Regex == `\s+`):
			minRun, isSpace := 2, func(r rune) bool { return r == ' ' }
			if *c.Pattern.Regex == `\s+` {
				minRun, isSpace = 1, unicode.IsSpace
			}
			return func(rs []normRune) []normRune {
				return replaceRuns(rs, content, func(rs []normRune) int {
					n := 0
					for n < len(rs) && isSpace(rs[n].r) {
						n++
					}
					if n < minRun {
						return 0
					}
					return n
				})
			}, nil
		}
		return nil, fmt.Errorf("Replace pattern not implemented")
	}
	return nil, fmt.Errorf("normalizer %q not implemented", c.Type)
}

// replaceRuns replaces every match (leftmost first, non-overlapping) by
// content; match returns the length of a match at the start of its
// argument, or 0. New code points take the original range of the match's
// last code point, as NormalizedString::replace aligns them.
func replaceRuns(rs []normRune, content []rune, match func([]normRune) int) []normRune {
	var out []normRune
	for i := 0; i < len(rs); {
		n := match(rs[i:])
		if n == 0 {
			out = append(out, rs[i])
			i++
			continue
		}
		start, end := rs[i+n-1].start, rs[i+n-1].end
		for _, r := range content {
			out = append(out, normRune{r, start, end})
		}
		i += n
	}
	return out
}

// bertNormalize is BertNormalizer over a rune slice.
func bertNormalize(rs []normRune, clean, chinese, strip, lower bool) []normRune {
	var out []normRune
	var tmp []rune
	for _, nr := range rs {
		r := nr.r
		if clean {
			if r == 0 || r == utf8.RuneError || bertIsControl(r) {
				continue
			}
			if bertIsWhitespace(r) {
				r = ' '
			}
		}
		if chinese && bertIsChinese(r) {
			out = append(out, normRune{' ', nr.start, nr.end}, normRune{r, nr.start, nr.end}, normRune{' ', nr.start, nr.end})
			continue
		}
		out = append(out, normRune{r, nr.start, nr.end})
	}
	if strip {
		var dec []normRune
		for _, nr := range out {
			tmp = nfdAppend(tmp[:0], nr.r)
			for _, d := range tmp {
				dec = append(dec, normRune{d, nr.start, nr.end})
			}
		}
		// Canonical ordering, then drop nonspacing marks.
		for i := 1; i < len(dec); i++ {
			for j := i; j > 0 && ccc(dec[j].r) != 0 && ccc(dec[j-1].r) > ccc(dec[j].r); j-- {
				dec[j], dec[j-1] = dec[j-1], dec[j]
			}
		}
		out = out[:0]
		for _, nr := range dec {
			if !(nr.r >= 0x300 && isNonspacingMark(nr.r)) {
				out = append(out, nr)
			}
		}
	}
	if lower {
		var low []normRune
		for _, nr := range out {
			tmp = bertLower(tmp[:0], nr.r)
			for _, l := range tmp {
				low = append(low, normRune{l, nr.start, nr.end})
			}
		}
		out = low
	}
	return out
}

func hfPreTokenizer(c hfComponent) (hfPretokOp, error) {
	switch c.Type {
	case "Metaspace":
		repl := '▁'
		if c.Replacement != nil {
			r, size := utf8.DecodeRuneInString(*c.Replacement)
			if size != len(*c.Replacement) || size == 0 {
				return nil, fmt.Errorf("Metaspace replacement %q", *c.Replacement)
			}
			repl = r
		}
		scheme := "always"
		if c.PrependScheme != nil {
			scheme = *c.PrependScheme
		}
		if c.AddPrefixSpace != nil && !*c.AddPrefixSpace {
			scheme = "never"
		}
		split := c.Split == nil || *c.Split
		return func(splits [][]normRune) [][]normRune {
			var out [][]normRune
			for _, sp := range splits {
				w := make([]normRune, 0, len(sp)+1)
				for _, nr := range sp {
					if nr.r == ' ' {
						nr.r = repl
					}
					w = append(w, nr)
				}
				// "first" prepends only to the split at the start of the text.
				if (scheme == "always" || scheme == "first" && w[0].start == 0) && w[0].r != repl {
					// NormalizedString::prepend: "▁" shares the first
					// code point's range.
					w = append([]normRune{{repl, w[0].start, w[0].end}}, w...)
				}
				if !split {
					out = appendNonEmpty(out, w)
					continue
				}
				from := 0
				for i := 1; i <= len(w); i++ {
					if i == len(w) || w[i].r == repl {
						out = appendNonEmpty(out, w[from:i])
						from = i
					}
				}
			}
			return out
		}, nil
	case "WhitespaceSplit":
		return func(splits [][]normRune) [][]normRune {
			var out [][]normRune
			for _, sp := range splits {
				from := 0
				for i := 0; i <= len(sp); i++ {
					if i == len(sp) || unicode.IsSpace(sp[i].r) {
						out = appendNonEmpty(out, sp[from:i])
						from = i + 1
					}
				}
			}
			return out
		}, nil
	}
	return nil, fmt.Errorf("pre_tokenizer %q not implemented", c.Type)
}

func appendNonEmpty(out [][]normRune, sp []normRune) [][]normRune {
	if len(sp) == 0 {
		return out
	}
	return append(out, sp)
}
