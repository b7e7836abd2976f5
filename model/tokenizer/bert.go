package tokenizer

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Character classes of Hugging Face tokenizers' BertNormalizer and
// BertPreTokenizer. The general-category tests use the Unicode 8.0 tables of
// bert_tables.go; whitespace and lower-casing follow Rust's char methods,
// which agree with Go's unicode package.

// bertIsWhitespace reports Rust's char::is_whitespace (White_Space), which
// includes \t \n \r and U+0085.
func bertIsWhitespace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || (r >= '\t' && r <= '\r')
	}
	return unicode.Is(unicode.White_Space, r)
}

// bertIsControl reports general category Cc, Cf or Co, except \t \n \r.
func bertIsControl(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r >= 0xE000 && r <= 0xF8FF, r >= 0xF0000 && r <= 0xFFFFD, r >= 0x100000 && r <= 0x10FFFD:
		return true
	}
	return unicode.Is(bertControl, r)
}

// bertIsPunct reports ASCII punctuation (every printable non-alphanumeric
// ASCII character) or general category P*.
func bertIsPunct(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiPunct[r]
	}
	return unicode.Is(bertPunct, r)
}

var asciiPunct = func() (t [utf8.RuneSelf]bool) {
	for _, c := range "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" {
		t[c] = true
	}
	return t
}()

// bertIsChinese reports the CJK ideograph ranges BERT splits per character.
func bertIsChinese(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) ||
		(r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) ||
		(r >= 0x2B920 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) ||
		(r >= 0x2F800 && r <= 0x2FA1F)
}

// bertLower appends Rust's char::to_lowercase of r: the simple mapping,
// except U+0130 (İ), which becomes "i̇" (two code points).
func bertLower(dst []rune, r rune) []rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, r)
	}
	if r == 0x130 {
		return append(dst, 'i', 0x307)
	}
	return append(dst, unicode.ToLower(r))
}

// nfdAppend appends the canonical decomposition of r (not yet reordered).
func nfdAppend(dst []rune, r rune) []rune {
	if r < 0xC0 {
		return append(dst, r)
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	p := norm.NFD.Properties(buf[:n])
	if d := p.Decomposition(); d != nil {
		for len(d) > 0 {
			c, size := utf8.DecodeRune(d)
			dst = append(dst, c)
			d = d[size:]
		}
		return dst
	}
	if r >= 0xAC00 && r <= 0xD7A3 { // Hangul syllable: algorithmic
		s := r - 0xAC00
		l, v, t := 0x1100+s/(21*28), 0x1161+(s%(21*28))/28, 0x11A7+s%28
		dst = append(dst, l, v)
		if t != 0x11A7 {
			dst = append(dst, t)
		}
		return dst
	}
	return append(dst, r)
}

// ccc returns the canonical combining class of r.
func ccc(r rune) uint8 {
	if r < 0x300 {
		return 0
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	return norm.NFD.Properties(buf[:n]).CCC()
}
