package tokenizer

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
)

// A trie maps byte strings to int32 values with a double array. Each node
// is one packed uint32 unit: its children's base (23 bits), whether a key
// ends here, and the label of the edge that leads to it (the byte XOR 0xFF,
// so that a free unit, 0, carries the label of byte 0xFF, which never
// occurs in UTF-8; a walk into a free unit finds no value and cannot leave
// free units, so it changes no result). The child of node s on byte c is
// n = base(s)+c+1 if label(n) == c^0xFF; every node with children has its
// own base, so the label alone identifies the parent, and childless nodes
// have base 0, which no parent uses. Walking the trie costs
// one 4-byte load per input byte, which keeps the XLM-R vocabulary's
// 780,000 nodes in 3 MB of cache-friendly array. It is read-only after
// build.
type trie struct {
	units  []uint32
	values []int32 // values[n] is the value of the key ending at node n
}

const (
	trieLabelMask = 1<<8 - 1
	trieValueBit  = 1 << 8
	trieBaseShift = 9
	// trieMaxBase bounds the array at about 8M nodes, ten times what
	// XLM-R's 250,000 pieces need.
	trieMaxBase = 1<<(32-trieBaseShift) - 1
)

// trieLabel is the label stored for byte c.
func trieLabel(c byte) uint32 { return uint32(c) ^ 0xFF }

// trieRoot is the index of the root node.
const trieRoot = 0

// trieEntry is one key of a trie under construction.
type trieEntry struct {
	key   string
	value int32
}

// errTrieTooLarge reports a vocabulary too large for the packed units.
var errTrieTooLarge = errors.New("vocabulary too large for the trie")

func compareEntries(a, b trieEntry) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return int(a.value) - int(b.value)
}

// dedupeLast sorts entries and keeps, of entries with equal keys, the one
// with the largest value (the later id, as vocab.txt readers do).
func dedupeLast(entries []trieEntry) []trieEntry {
	slices.SortFunc(entries, compareEntries)
	out := entries[:0]
	for i, e := range entries {
		if i+1 < len(entries) && entries[i+1].key == e.key {
			continue
		}
		out = append(out, e)
	}
	return out
}

// buildTrie returns a trie holding entries, or an error if two entries
// share a key. Empty keys are ignored. buildTrie sorts entries in place.
func buildTrie(entries []trieEntry) (*trie, error) {
	slices.SortFunc(entries, compareEntries)
	for len(entries) > 0 && entries[0].key == "" {
		entries = entries[1:]
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].key == entries[i-1].key {
			return nil, fmt.Errorf("%q defined twice (%d and %d)", entries[i].key, entries[i-1].value, entries[i].value)
		}
	}
	b := &trieBuilder{}
	b.grow(1024)
	b.use(trieRoot, 0)
	type job struct {
		node   int32
		lo, hi int // entries[lo:hi] share the first depth bytes
		depth  int
	}
	stack := []job{{trieRoot, 0, len(entries), 0}}
	var labels []byte
	var starts []int
	for len(stack) > 0 {
		j := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		lo := j.lo
		if lo < j.hi && len(entries[lo].key) == j.depth {
			b.units[j.node] |= trieValueBit
			b.values[j.node] = entries[lo].value
			lo++
		}
		if lo == j.hi {
			continue
		}
		labels, starts = labels[:0], starts[:0]
		for i := lo; i < j.hi; i++ {
			c := entries[i].key[j.depth]
			if len(labels) == 0 || labels[len(labels)-1] != c {
				labels = append(labels, c)
				starts = append(starts, i)
			}
		}
		starts = append(starts, j.hi)
		base := b.findBase(labels)
		if base > trieMaxBase {
			return nil, errTrieTooLarge
		}
		b.setBase(base)
		b.units[j.node] |= uint32(base) << trieBaseShift
		for k, c := range labels {
			n := base + int32(c) + 1
			b.use(n, trieLabel(c))
			stack = append(stack, job{n, starts[k], starts[k+1], j.depth + 1})
		}
	}
	last := len(b.units) - 1
	for last > 0 && !b.occupied(int32(last)) {
		last--
	}
	return &trie{units: slices.Clip(b.units[:last+1]), values: slices.Clip(b.values[:last+1])}, nil
}

// child returns the child of node s on byte c.
func (t *trie) child(s int32, c byte) (int32, bool) {
	n := int(t.units[s]>>trieBaseShift) + int(c) + 1
	if n < len(t.units) && t.units[n]&trieLabelMask == trieLabel(c) {
		return int32(n), true
	}
	return 0, false
}

// value returns the value of the key ending at node s.
func (t *trie) value(s int32) (int32, bool) {
	if t.units[s]&trieValueBit == 0 {
		return 0, false
	}
	return t.values[s], true
}

// hasKeyStartingWith reports whether some key begins with byte c.
func (t *trie) hasKeyStartingWith(c byte) bool {
	_, ok := t.child(trieRoot, c)
	return ok
}

// prefixes yields the length and value of every key that is a prefix of
// s, shortest first. (The SentencePiece lattice inlines this walk.)
func (t *trie) prefixes(s string) iter.Seq2[int, int32] {
	return func(yield func(int, int32) bool) {
		units := t.units
		node := 0
		for i := 0; i < len(s); i++ {
			next := int(units[node]>>trieBaseShift) + int(s[i]) + 1
			if next >= len(units) || units[next]&trieLabelMask != trieLabel(s[i]) {
				return
			}
			node = next
			if units[node]&trieValueBit != 0 && !yield(i+1, t.values[node]) {
				return
			}
		}
	}
}

// lookup returns the value of key.
func (t *trie) lookup(key string) (int32, bool) {
	s := int32(trieRoot)
	for i := 0; i < len(key); i++ {
		var ok bool
		if s, ok = t.child(s, key[i]); !ok {
			return 0, false
		}
	}
	return t.value(s)
}

// longestPrefix returns the value and length of the longest key that is a
// prefix of s, or ok == false if there is none.
func longestPrefix[S ~string | ~[]byte](t *trie, s S) (value int32, n int, ok bool) {
	units := t.units
	node := 0
	for i := 0; i < len(s); i++ {
		next := int(units[node]>>trieBaseShift) + int(s[i]) + 1
		if next >= len(units) || units[next]&trieLabelMask != trieLabel(s[i]) {
			break
		}
		node = next
		if units[node]&trieValueBit != 0 {
			value, n, ok = t.values[node], i+1, true
		}
	}
	return value, n, ok
}

// trieBuilder places nodes in the double array. Free slots form a doubly
// linked list so that findBase skips occupied regions.
type trieBuilder struct {
	units      []uint32
	values     []int32
	taken      []bool  // slot occupied
	baseUsed   []bool  // base value assigned to a node
	next, prev []int32 // free list links; -1 ends the list
	head, tail int32   // ends of the free list, or -1
	size       int32   // one past the highest occupied slot
}

func (b *trieBuilder) occupied(n int32) bool { return b.taken[n] }

// grow extends the arrays to at least n slots, linking the new ones as free.
func (b *trieBuilder) grow(n int) {
	old := len(b.units)
	if n <= old {
		return
	}
	if old == 0 {
		b.head, b.tail = -1, -1
	}
	n = max(n, old+old/2)
	b.units = slices.Grow(b.units, n-old)[:n]
	b.values = slices.Grow(b.values, n-old)[:n]
	b.taken = slices.Grow(b.taken, n-old)[:n]
	b.baseUsed = slices.Grow(b.baseUsed, n-old)[:n]
	b.next = slices.Grow(b.next, n-old)[:n]
	b.prev = slices.Grow(b.prev, n-old)[:n]
	for i := int32(old); i < int32(n); i++ {
		b.next[i] = -1
		b.prev[i] = b.tail
		if b.tail >= 0 {
			b.next[b.tail] = i
		} else {
			b.head = i
		}
		b.tail = i
	}
}

// use marks slot n as a node reached by an edge with the given label.
func (b *trieBuilder) use(n int32, label uint32) {
	b.grow(int(n) + 1)
	if b.taken[n] {
		panic("tokenizer: internal error: trie slot reused")
	}
	b.taken[n] = true
	b.units[n] = label
	b.size = max(b.size, n+1)
	p, q := b.prev[n], b.next[n]
	if p >= 0 {
		b.next[p] = q
	} else {
		b.head = q
	}
	if q >= 0 {
		b.prev[q] = p
	} else {
		b.tail = p
	}
}

func (b *trieBuilder) setBase(base int32) {
	b.grow(int(base) + 1)
	b.baseUsed[base] = true
}

// maxBaseProbes bounds the free slots findBase tries before it appends at
// the end, so that a vocabulary crafted to fragment the array cannot make
// the build quadratic.
const maxBaseProbes = 1 << 12

// findBase returns an unused base ≥ 1 such that every base+label+1 slot is
// free.
func (b *trieBuilder) findBase(labels []byte) int32 {
	first := int32(labels[0]) + 1
	probes := 0
	for p := b.head; p >= 0 && probes < maxBaseProbes; p = b.next[p] {
		if base := p - first; base >= 1 && !b.baseUsed[base] && b.fits(base, labels) {
			return base
		}
		probes++
	}
	// Slots past the highest occupied one are free, and every used base
	// lies below it.
	return max(b.size, 1)
}

func (b *trieBuilder) fits(base int32, labels []byte) bool {
	for _, c := range labels[1:] {
		n := int(base) + int(c) + 1
		if n < len(b.units) && b.taken[n] {
			return false
		}
	}
	return true
}
