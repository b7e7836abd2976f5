package tokenizer_test

import (
	"fmt"
	"log"

	"github.com/polyret/polyret/model/tokenizer"
)

// A WordPiece tokenizer from an in-memory vocabulary.
func ExampleNewWordPiece() {
	vocab := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "token", "##ization", ",", "!"}
	tok, err := tokenizer.NewWordPiece(vocab, tokenizer.BertConfig{Lowercase: true})
	if err != nil {
		log.Fatal(err)
	}
	e := tok.Encode("Unaffable tokenization, Ünaffable!", tokenizer.Options{AddSpecialTokens: true})
	fmt.Println(e.Tokens)
	fmt.Println(e.IDs)
	fmt.Println(e.Offsets[1:4])
	fmt.Println(tok.Decode(e.IDs, true))
	// Output:
	// [[CLS] un ##aff ##able token ##ization , un ##aff ##able ! [SEP]]
	// [2 5 6 7 8 9 10 5 6 7 11 3]
	// [{0 2} {2 5} {5 9}]
	// unaffable tokenization, unaffable!
}

// Loading XLM-R's SentencePiece model (here a test model with XLM-R's
// pieces) and encoding a batch for an encoder: special tokens, truncation,
// padding to the longest text and the attention mask. The ids agree with
// xlm-roberta-base's own tokenizer (transformers' test suite).
func ExampleTokenizer_EncodeBatch() {
	tok, err := tokenizer.LoadWith("testdata/xlmr-base-rebuilt.model.gz", tokenizer.Config{Layout: tokenizer.LayoutXLMR})
	if err != nil {
		log.Fatal(err)
	}
	batch := tok.EncodeBatch([]string{"Hello World!", "The quick brown fox jumps over the lazy dog."},
		tokenizer.Options{AddSpecialTokens: true, MaxLength: 8, Padding: tokenizer.PadLongest})
	for _, e := range batch {
		fmt.Println(e.IDs, e.AttentionMask)
	}
	fmt.Println(batch[1].Tokens)
	// Output:
	// [0 35378 6661 38 2 1 1 1] [1 1 1 1 1 0 0 0]
	// [0 581 63773 119455 6 147797 88203 2] [1 1 1 1 1 1 1 1]
	// [<s> ▁The ▁quick ▁brown ▁ fox ▁jump </s>]
}

// Literal special tokens are ordinary text unless MatchSpecialTokens is set.
func ExampleOptions_matchSpecialTokens() {
	tok, err := tokenizer.LoadWith("testdata/xlmr-base-rebuilt.model.gz", tokenizer.Config{Layout: tokenizer.LayoutXLMR})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Encode("a <mask> b", tokenizer.Options{}).Tokens)
	fmt.Println(tok.Encode("a <mask> b", tokenizer.Options{MatchSpecialTokens: true}).Tokens)
	// Output:
	// [▁a ▁< mas k > ▁b]
	// [▁a <mask> ▁b]
}

// The fast path for counting or caching ids: no special tokens, offsets or
// token strings, and no allocation once dst has room.
func ExampleTokenizer_AppendIDs() {
	tok, err := tokenizer.Load("testdata/vocab-mbert-cased.txt.gz")
	if err != nil {
		log.Fatal(err)
	}
	var ids []int32
	for _, s := range []string{"Hello, World!", "野家"} {
		ids = tok.AppendIDs(ids[:0], s)
		fmt.Println(ids)
	}
	// Output:
	// [31178 117 10315 106]
	// [7908 3408]
}
