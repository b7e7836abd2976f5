package tokenizer

import (
	"math"
	"unicode"
	"unicode/utf8"
)

// addedToken is a token matched literally in the raw text before the model
// runs, as Hugging Face's added tokens are.
type addedToken struct {
	text       string
	id         int32
	special    bool
	lstrip     bool // also swallow whitespace on the left
	rstrip     bool // also swallow whitespace on the right
	singleWord bool // match only between non-word characters
}

// addedVocab is the set of added tokens of a tokenizer.
type addedVocab struct {
	list       []addedToken
	ids        map[string]int32
	tokens     map[int32]string
	byID       map[int32]*addedToken
	maxID      int32
	all        *trie // every token → index in list
	nonSpecial *trie // non-special tokens only, or nil
	firstAll   [256]bool
	firstNon   [256]bool
}

// newAddedVocab indexes tokens; a later duplicate of a text wins.
func newAddedVocab(tokens []addedToken) (*addedVocab, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	a := &addedVocab{
		list:   tokens,
		ids:    map[string]int32{},
		tokens: map[int32]string{},
		byID:   map[int32]*addedToken{},
		maxID:  -1,
	}
	index := map[string]int32{}
	for i := range tokens {
		tk := &a.list[i]
		if tk.text == "" {
			continue
		}
		a.ids[tk.text] = tk.id
		a.tokens[tk.id] = tk.text
		a.byID[tk.id] = tk
		a.maxID = max(a.maxID, tk.id)
		index[tk.text] = int32(i)
	}
	var all, non []trieEntry
	for text, i := range index {
		all = append(all, trieEntry{text, i})
		a.firstAll[text[0]] = true
		if !a.list[i].special {
			non = append(non, trieEntry{text, i})
			a.firstNon[text[0]] = true
		}
	}
	var err error
	if a.all, err = buildTrie(all); err != nil {
		return nil, err
	}
	if len(non) > 0 {
		if a.nonSpecial, err = buildTrie(non); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// encodeSegments encodes text, matching added tokens first.
func (t *Tokenizer) encodeSegments(b *buffer, text string, matchSpecial bool) {
	if len(text) > math.MaxInt32 {
		panic("tokenizer: text longer than 2 GiB")
	}
	a := t.added
	var tr *trie
	var first *[256]bool
	if a != nil {
		if matchSpecial {
			tr, first = a.all, &a.firstAll
		} else if a.nonSpecial != nil {
			tr, first = a.nonSpecial, &a.firstNon
		}
	}
	if tr == nil {
		t.model.encode(b, text, 0)
		return
	}
	seg := 0
	for i := 0; i < len(text); {
		if !first[text[i]] {
			i++
			continue
		}
		idx, n, ok := longestPrefix(tr, text[i:])
		if !ok || (a.list[idx].singleWord && !singleWordOK(text, i, i+n)) {
			i++
			continue
		}
		tk := &a.list[idx]
		end := i
		if tk.lstrip {
			for end > seg {
				r, size := utf8.DecodeLastRuneInString(text[seg:end])
				if !unicode.IsSpace(r) {
					break
				}
				end -= size
			}
		}
		if end > seg {
			t.model.encode(b, text[seg:end], seg)
		}
		if tk.special {
			b.special = append(b.special, int32(len(b.ids)))
		}
		b.add(tk.id, tk.text, i, i+n)
		i += n
		if tk.rstrip {
			for i < len(text) {
				r, size := utf8.DecodeRuneInString(text[i:])
				if !unicode.IsSpace(r) {
					break
				}
				i += size
			}
		}
		seg = i
	}
	if seg < len(text) {
		t.model.encode(b, text[seg:], seg)
	}
}

// singleWordOK reports whether text[i:j] is not glued to word characters.
func singleWordOK(text string, i, j int) bool {
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_' }
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(text[:i]); isWord(r) {
			return false
		}
	}
	if j < len(text) {
		if r, _ := utf8.DecodeRuneInString(text[j:]); isWord(r) {
			return false
		}
	}
	return true
}
