package tokenizer

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// charsMap is SentencePiece's precompiled character map: a darts-clone
// double array from UTF-8 byte strings to offsets into a block of
// NUL-terminated replacement strings. Normalisation replaces the longest
// key that prefixes the input.
//
// Blob layout: trie size in bytes (uint32 little endian), the trie (uint32
// little-endian units), then the replacement strings.
type charsMap struct {
	units []uint32
	repl  string
}

// parseCharsMap decodes a precompiled_charsmap blob.
func parseCharsMap(blob []byte) (*charsMap, error) {
	if len(blob) <= 4 {
		return nil, fmt.Errorf("precompiled_charsmap: %d bytes, too short", len(blob))
	}
	size := uint64(binary.LittleEndian.Uint32(blob))
	if size >= uint64(len(blob)) || size > uint64(len(blob)-4) {
		return nil, fmt.Errorf("precompiled_charsmap: trie size %d exceeds the %d-byte blob", size, len(blob))
	}
	if size%4 != 0 || size == 0 {
		return nil, fmt.Errorf("precompiled_charsmap: trie size %d is not a positive multiple of 4", size)
	}
	trie := blob[4 : 4+size]
	m := &charsMap{units: make([]uint32, size/4), repl: string(blob[4+size:])}
	// Every replacement is bounded, so that normalising a text can grow
	// it at most maxReplacement times (nmt_nfkc's longest is 33 bytes).
	for rest := m.repl; rest != ""; {
		n := strings.IndexByte(rest, 0)
		if n < 0 {
			n = len(rest)
		}
		if n > maxReplacement {
			return nil, fmt.Errorf("precompiled_charsmap: replacement of %d bytes (limit %d)", n, maxReplacement)
		}
		rest = rest[min(n+1, len(rest)):]
	}
	for i := range m.units {
		m.units[i] = binary.LittleEndian.Uint32(trie[4*i:])
	}
	return m, nil
}

// maxReplacement bounds the length of one character-map replacement.
const maxReplacement = 256

// maxCharsMapResults is SentencePiece's Normalizer::kMaxTrieResultsSize.
const maxCharsMapResults = 32

// hasKeyStartingWith reports whether some key begins with byte c.
func (m *charsMap) hasKeyStartingWith(c byte) bool {
	pos := dartsOffset(m.units[0]) ^ uint32(c)
	return uint64(pos) < uint64(len(m.units)) && dartsLabel(m.units[pos]) == uint32(c)
}

// darts-clone unit accessors.
func dartsHasLeaf(u uint32) bool  { return (u>>8)&1 == 1 }
func dartsValue(u uint32) uint32  { return u & (1<<31 - 1) }
func dartsLabel(u uint32) uint32  { return u & (1<<31 | 0xFF) }
func dartsOffset(u uint32) uint32 { return (u >> 10) << ((u & (1 << 9)) >> 6) }

// longest returns the replacement and length of the longest key that
// prefixes s, or n == 0 if no key does. It walks the array as darts-clone's
// commonPrefixSearch does, with bounds checks for hostile files (an index
// or value out of range ends the search).
func (m *charsMap) longest(s string) (repl string, n int) {
	units := m.units
	pos := uint32(0)
	u := units[0]
	pos ^= dartsOffset(u)
	bestValue := uint32(0)
	found := 0
	for i := 0; i < len(s); i++ {
		c := uint32(s[i])
		pos ^= c
		if uint64(pos) >= uint64(len(units)) {
			break
		}
		u = units[pos]
		if dartsLabel(u) != c {
			break
		}
		pos ^= dartsOffset(u)
		if dartsHasLeaf(u) {
			if uint64(pos) >= uint64(len(units)) {
				break
			}
			// SentencePiece keeps the first 32 matches only.
			if found < maxCharsMapResults {
				bestValue, n = dartsValue(units[pos]), i+1
			}
			found++
		}
	}
	if n == 0 {
		return "", 0
	}
	if uint64(bestValue) >= uint64(len(m.repl)) {
		// A value past the strings: treat as deletion rather than reading
		// out of bounds. SentencePiece would read past its buffer.
		return "", n
	}
	r := m.repl[bestValue:]
	for j := 0; j < len(r); j++ {
		if r[j] == 0 {
			return r[:j], n
		}
	}
	return r, n
}
