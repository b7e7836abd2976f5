package model

import (
	"errors"
	"fmt"

	"github.com/polyret/polyret/model/tokenizer"
)

// openTokenizer loads the tokenizer of a model folder (tokenizer.json, a
// SentencePiece .model or vocab.txt, as tokenizer.Load picks it), or returns
// nil if the folder has none.
func openTokenizer(dir string) (*tokenizer.Tokenizer, error) {
	tok, err := tokenizer.Load(dir)
	if errors.Is(err, tokenizer.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return tok, nil
}

// tokenizeOne returns the ids of text as the model expects them. A
// transformer gets the tokenizer's special tokens ([CLS] … [SEP],
// <s> … </s>) and truncation to maxLen, with literal special tokens in the
// text recognised, as Hugging Face transformers does. A static model gets
// model2vec's convention: no special tokens, unknown tokens dropped, then
// at most maxLen tokens.
func (m *Model) tokenizeOne(text string) []int32 {
	if m.st == nil {
		return m.tok.Encode(text, tokenizer.Options{AddSpecialTokens: true, MaxLength: m.maxLen, MatchSpecialTokens: true}).IDs
	}
	ids := m.tok.AppendIDs(nil, text)
	if unk := m.tok.SpecialTokens().UNK.ID; unk >= 0 {
		kept := ids[:0]
		for _, id := range ids {
			if id != unk {
				kept = append(kept, id)
			}
		}
		ids = kept
	}
	return ids[:min(len(ids), m.maxLen)]
}

// setTokenizer loads the tokenizer of folder dir into m and returns an
// error if it can produce ids outside a vocabulary of n.
func (m *Model) setTokenizer(dir string, n int) error {
	tok, err := openTokenizer(dir)
	if err != nil {
		return err
	}
	if tok != nil && tok.VocabSize() > n {
		return fmt.Errorf("%w: %s: the tokenizer has %d ids, the model's vocabulary %d", ErrModel, dir, tok.VocabSize(), n)
	}
	m.tok = tok
	return nil
}
