package datasets

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of skipped JSON values, so that hostile
// input cannot exhaust the stack.
const maxJSONDepth = 256

// A scanError is a JSON error at byte offset off of the scanned text.
type scanError struct {
	off int
	err error
}

func (e *scanError) Error() string { return e.err.Error() }
func (e *scanError) Unwrap() error { return e.err }

// A jsonScanner reads one JSON text from src, driven by the caller's schema.
// Strings without escapes are returned as substrings of src, without copying.
// It accepts exactly RFC 8259 JSON; it does not check that src is valid
// UTF-8 (callers check that first) and, like encoding/json, decodes an
// unpaired surrogate escape as U+FFFD.
type jsonScanner struct {
	src string
	pos int
	// borrowed means src aliases a buffer that the caller reuses: str then
	// copies the strings it returns.
	borrowed bool
}

func (s *jsonScanner) fail(off int, sentinel error, format string, args ...any) error {
	return &scanError{off: off, err: errorf(sentinel, format, args...)}
}

// ws skips white space and returns the next byte, or 0 at the end (check
// s.pos to tell the end from a NUL byte).
func (s *jsonScanner) ws() byte {
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

func (s *jsonScanner) unexpected(want string) error {
	if s.pos >= len(s.src) {
		return s.fail(s.pos, ErrSyntax, "unexpected end of input, want %s", want)
	}
	r, _ := utf8.DecodeRuneInString(s.src[s.pos:])
	return s.fail(s.pos, ErrSyntax, "unexpected %q, want %s", r, want)
}

// end checks that only white space follows the value.
func (s *jsonScanner) end() error {
	if s.ws(); s.pos < len(s.src) {
		return s.unexpected("end of input")
	}
	return nil
}

// null consumes a null literal if one comes next.
func (s *jsonScanner) null() bool {
	if s.ws() == 'n' && strings.HasPrefix(s.src[s.pos:], "null") {
		s.pos += 4
		return true
	}
	return false
}

// str reads a string value.
func (s *jsonScanner) str() (string, error) {
	v, fresh, err := s.scanStr()
	if s.borrowed && !fresh {
		v = strings.Clone(v)
	}
	return v, err
}

// scanStr reads a string value; fresh reports that it was built anew
// (it had escapes) rather than sliced from src.
func (s *jsonScanner) scanStr() (v string, fresh bool, err error) {
	if s.ws() != '"' {
		return "", false, s.unexpected("string")
	}
	start := s.pos + 1
	for i := start; i < len(s.src); i++ {
		switch c := s.src[i]; {
		case c == '"':
			s.pos = i + 1
			return s.src[start:i], false, nil
		case c == '\\':
			v, err := s.escaped(start, i)
			return v, true, err
		case c < 0x20:
			return "", false, s.fail(i, ErrSyntax, "control character %#02x in string", c)
		}
	}
	return "", false, s.fail(len(s.src), ErrSyntax, "unterminated string")
}

// escaped finishes a string that has an escape at i, copying src[start:i].
func (s *jsonScanner) escaped(start, i int) (string, error) {
	var b strings.Builder
	b.Grow(s.quotedLen(i) - start) // decoding never lengthens the text
	b.WriteString(s.src[start:i])
	for i < len(s.src) {
		c := s.src[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return b.String(), nil
		case c < 0x20:
			return "", s.fail(i, ErrSyntax, "control character %#02x in string", c)
		case c != '\\':
			j := i + 1
			for j < len(s.src) && s.src[j] != '\\' && s.src[j] != '"' && s.src[j] >= 0x20 {
				j++
			}
			b.WriteString(s.src[i:j])
			i = j
			continue
		}
		if i+1 >= len(s.src) {
			break
		}
		i += 2
		switch e := s.src[i-1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(s.src, i)
			if !ok {
				return "", s.fail(i-2, ErrSyntax, "invalid \\u escape")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if strings.HasPrefix(s.src[i:], `\u`) {
					r2, ok = hex4(s.src, i+2)
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b.WriteRune(r)
		default:
			return "", s.fail(i-2, ErrSyntax, "invalid escape \\%c", e)
		}
	}
	return "", s.fail(len(s.src), ErrSyntax, "unterminated string")
}

// quotedLen returns the offset of the quote that ends the string holding
// offset i, or len(s.src) if there is none.
func (s *jsonScanner) quotedLen(i int) int {
	for {
		k := strings.IndexByte(s.src[i:], '"')
		if k < 0 {
			return len(s.src)
		}
		i += k
		slashes := 0
		for j := i - 1; j >= 0 && s.src[j] == '\\'; j-- {
			slashes++
		}
		if slashes%2 == 0 {
			return i
		}
		i++
	}
}

// hex4 decodes four hex digits at src[i:].
func hex4(src string, i int) (rune, bool) {
	if i+4 > len(src) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(src[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a JSON number and returns its text.
func (s *jsonScanner) number() (string, error) {
	start := s.pos
	i := start
	digits := func() int {
		n := 0
		for i < len(s.src) && '0' <= s.src[i] && s.src[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s.src) && s.src[i] == '-' {
		i++
	}
	switch {
	case i < len(s.src) && s.src[i] == '0':
		i++
	case digits() == 0:
		return "", s.unexpected("number")
	}
	if i < len(s.src) && s.src[i] == '.' {
		i++
		if digits() == 0 {
			return "", s.fail(i, ErrSyntax, "invalid number %q", s.src[start:i])
		}
	}
	if i < len(s.src) && (s.src[i] == 'e' || s.src[i] == 'E') {
		i++
		if i < len(s.src) && (s.src[i] == '+' || s.src[i] == '-') {
			i++
		}
		if digits() == 0 {
			return "", s.fail(i, ErrSyntax, "invalid number %q", s.src[start:i])
		}
	}
	s.pos = i
	return s.src[start:i], nil
}

// integer reads a number that must be an integer within ±1e15.
func (s *jsonScanner) integer() (int, error) {
	s.ws()
	off := s.pos
	text, err := s.number()
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil || v > 1e15 || v < -1e15 {
		return 0, s.fail(off, ErrSyntax, "%s is not an integer offset", text)
	}
	return int(v), nil
}

// object reads an object, calling fn for each key with the scanner placed
// at the value, which fn must consume. The key may alias src: fn must copy
// it to keep it when src is borrowed.
func (s *jsonScanner) object(fn func(key string) error) error {
	if s.ws() != '{' {
		return s.unexpected("object")
	}
	s.pos++
	if s.ws() == '}' {
		s.pos++
		return nil
	}
	for {
		key, _, err := s.scanStr() // may alias src, even when borrowed
		if err != nil {
			return err
		}
		if s.ws() != ':' {
			return s.unexpected("':'")
		}
		s.pos++
		if err := fn(key); err != nil {
			return err
		}
		switch s.ws() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.unexpected("',' or '}'")
		}
	}
}

// array reads an array, calling fn for each element with the scanner placed
// at the element, which fn must consume.
func (s *jsonScanner) array(fn func(i int) error) error {
	if s.ws() != '[' {
		return s.unexpected("array")
	}
	s.pos++
	if s.ws() == ']' {
		s.pos++
		return nil
	}
	for i := 0; ; i++ {
		if err := fn(i); err != nil {
			return err
		}
		switch s.ws() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.unexpected("',' or ']'")
		}
	}
}

// skip reads and discards any value.
func (s *jsonScanner) skip() error { return s.skipDepth(0) }

func (s *jsonScanner) skipDepth(depth int) error {
	if depth > maxJSONDepth {
		return s.fail(s.pos, ErrSyntax, "nesting deeper than %d", maxJSONDepth)
	}
	switch c := s.ws(); c {
	case '{':
		return s.object(func(string) error { return s.skipDepth(depth + 1) })
	case '[':
		return s.array(func(int) error { return s.skipDepth(depth + 1) })
	case '"':
		_, err := s.str()
		return err
	case 't', 'f', 'n':
		for _, lit := range [...]string{"true", "false", "null"} {
			if strings.HasPrefix(s.src[s.pos:], lit) {
				s.pos += len(lit)
				return nil
			}
		}
		return s.unexpected("value")
	default:
		if c == '-' || ('0' <= c && c <= '9') {
			_, err := s.number()
			return err
		}
		return s.unexpected("value")
	}
}

// stringArray reads an array of strings; null reads as nil.
func (s *jsonScanner) stringArray(dst []string) ([]string, error) {
	if s.null() {
		return dst, nil
	}
	err := s.array(func(int) error {
		v, err := s.str()
		dst = append(dst, v)
		return err
	})
	return dst, err
}
