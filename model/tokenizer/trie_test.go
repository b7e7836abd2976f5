package tokenizer

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestTrie(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[string]int32{}
	var entries []trieEntry
	for len(want) < 20000 {
		n := 1 + rng.IntN(12)
		var sb strings.Builder
		for range n {
			// A small alphabet makes long shared prefixes; a few high bytes
			// exercise labels near 255.
			if rng.IntN(10) == 0 {
				sb.WriteByte(byte(250 + rng.IntN(6)))
			} else if rng.IntN(50) == 0 {
				sb.WriteByte(0)
			} else {
				sb.WriteByte(byte('a' + rng.IntN(6)))
			}
		}
		k := sb.String()
		if _, ok := want[k]; ok {
			continue
		}
		want[k] = int32(len(want))
		entries = append(entries, trieEntry{k, want[k]})
	}
	tr, err := buildTrie(entries)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if got, ok := tr.lookup(k); !ok || got != v {
			t.Fatalf("lookup(%q) = %d, %v, want %d", k, got, ok, v)
		}
	}
	for range 20000 {
		n := 1 + rng.IntN(14)
		b := make([]byte, n)
		for i := range b {
			// Mostly the keys' alphabet, sometimes 0xFF (the label of a
			// free unit) or NUL.
			switch rng.IntN(12) {
			case 0:
				b[i] = 0xFF
			case 1:
				b[i] = 0
			case 2:
				b[i] = byte(250 + rng.IntN(6))
			default:
				b[i] = byte('a' + rng.IntN(7))
			}
		}
		k := string(b)
		v, ok := tr.lookup(k)
		wv, wok := want[k]
		if ok != wok || v != wv {
			t.Fatalf("lookup(%q) = %d, %v, want %d, %v", k, v, ok, wv, wok)
		}
		// longestPrefix against brute force
		bestN, bestV := 0, int32(0)
		for e := 1; e <= len(k); e++ {
			if v, ok := want[k[:e]]; ok {
				bestN, bestV = e, v
			}
		}
		v, gn, ok := longestPrefix(tr, k)
		if ok != (bestN > 0) || gn != bestN || (ok && v != bestV) {
			t.Fatalf("longestPrefix(%q) = %d, %d, %v, want %d, %d", k, v, gn, ok, bestV, bestN)
		}
	}
}

func TestTriePrefixes(t *testing.T) {
	tr, err := buildTrie([]trieEntry{{"a", 1}, {"ab", 2}, {"abc", 3}, {"b", 4}, {"abd", 5}})
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]int
	for n, v := range tr.prefixes("abcd") {
		got = append(got, [2]int{n, int(v)})
	}
	if want := [][2]int{{1, 1}, {2, 2}, {3, 3}}; !slices.Equal(got, want) {
		t.Errorf("prefixes(abcd) = %v, want %v", got, want)
	}
	for range tr.prefixes("abc") {
		break // early stop must not panic
	}
}
