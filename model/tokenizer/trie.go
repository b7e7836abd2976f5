package tokenizer

import (
	"slices"
	"strings"
)

// A trie maps byte strings to int32 values with a double array: the child of
// node s on byte b is node n = base[s]+b+1 if check[n] == s. Walking it costs
// one array access per input byte, which is what makes longest-match
// WordPiece and the Unigram lattice fast. It is read-only after build.
type trie struct {
	nodes []trieNode
}

type trieNode struct {
	base  int32 // children of this node live at base+1+byte
	check int32 // parent node index; -1 marks a free slot
	value int32 // value of the key ending here, or -1
}

// trieRoot is the index of the root node.
const trieRoot = 0

// trieEntry is one key of a trie under construction.
type trieEntry struct {
	key   string
	value int32
}

// buildTrie returns a trie holding entries. Keys must be distinct; empty keys
// are ignored. buildTrie sorts entries in place.
func buildTrie(entries []trieEntry) *trie {
	slices.SortFunc(entries, func(a, b trieEntry) int { return strings.Compare(a.key, b.key) })
	for len(entries) > 0 && entries[0].key == "" {
		entries = entries[1:]
	}
	b := &trieBuilder{}
	b.grow(1024)
	b.use(trieRoot, -2)
	b.nodes[trieRoot].value = -1
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
			b.nodes[j.node].value = entries[lo].value
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
		b.nodes[j.node].base = base
		for k, c := range labels {
			n := base + int32(c) + 1
			b.use(n, j.node)
			b.nodes[n].value = -1
			stack = append(stack, job{n, starts[k], starts[k+1], j.depth + 1})
		}
	}
	// Trim trailing free slots; lookups bound-check against len(nodes).
	last := len(b.nodes) - 1
	for last > 0 && b.nodes[last].check == -1 {
		last--
	}
	return &trie{nodes: slices.Clip(b.nodes[:last+1])}
}

// child returns the child of node s on byte c.
func (t *trie) child(s int32, c byte) (int32, bool) {
	n := t.nodes[s].base + int32(c) + 1
	if uint(n) < uint(len(t.nodes)) && t.nodes[n].check == s {
		return n, true
	}
	return 0, false
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
	if v := t.nodes[s].value; v >= 0 {
		return v, true
	}
	return 0, false
}

// longestPrefix returns the value and length of the longest key that is a
// prefix of s, or ok == false if there is none.
func (t *trie) longestPrefix(s string) (value int32, n int, ok bool) {
	node := int32(trieRoot)
	for i := 0; i < len(s); i++ {
		nd := &t.nodes[node]
		next := nd.base + int32(s[i]) + 1
		if uint(next) >= uint(len(t.nodes)) || t.nodes[next].check != node {
			break
		}
		node = next
		if v := t.nodes[node].value; v >= 0 {
			value, n, ok = v, i+1, true
		}
	}
	return value, n, ok
}

// trieBuilder places nodes in the double array. Free slots form a doubly
// linked list so that findBase skips occupied regions.
type trieBuilder struct {
	nodes      []trieNode
	next, prev []int32 // free list links; -1 ends the list
	head, tail int32   // ends of the free list, or -1
}

// grow extends the arrays to at least n slots, linking the new ones as free.
func (b *trieBuilder) grow(n int) {
	old := len(b.nodes)
	if n <= old {
		return
	}
	if old == 0 {
		b.head, b.tail = -1, -1
	}
	n = max(n, old+old/2)
	b.nodes = slices.Grow(b.nodes, n-old)
	b.next = slices.Grow(b.next, n-old)
	b.prev = slices.Grow(b.prev, n-old)
	for i := int32(old); i < int32(n); i++ {
		b.nodes = append(b.nodes, trieNode{check: -1, value: -1})
		b.next = append(b.next, -1)
		b.prev = append(b.prev, b.tail)
		if b.tail >= 0 {
			b.next[b.tail] = i
		} else {
			b.head = i
		}
		b.tail = i
	}
}

// use marks slot n as occupied by a child of parent.
func (b *trieBuilder) use(n, parent int32) {
	b.grow(int(n) + 1)
	if b.nodes[n].check != -1 {
		panic("tokenizer: internal error: trie slot reused")
	}
	b.nodes[n].check = parent
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

// findBase returns a base such that every base+label+1 slot is free.
func (b *trieBuilder) findBase(labels []byte) int32 {
	first := int32(labels[0]) + 1
	for p := b.head; p >= 0; p = b.next[p] {
		if base := p - first; base >= 1 && b.fits(base, labels) {
			return base
		}
	}
	// Slots past the end are free.
	return max(int32(len(b.nodes))-first, 1)
}

func (b *trieBuilder) fits(base int32, labels []byte) bool {
	for _, c := range labels[1:] {
		n := int(base) + int(c) + 1
		if n < len(b.nodes) && b.nodes[n].check != -1 {
			return false
		}
	}
	return true
}
