// Package tokenizer implements the WordPiece tokenizer of BERT, mBERT and
// LaBSE and the SentencePiece Unigram tokenizer of XLM-R, mE5 and BGE-M3,
// token for token equal to Hugging Face tokenizers and Google
// SentencePiece. Pure Go; golang.org/x/text and google.golang.org/protobuf
// are its only dependencies.
//
//	tok, err := tokenizer.Load("path/to/model")   // tokenizer.json, .model, vocab.txt or a directory
//	batch := tok.EncodeBatch(texts, tokenizer.Options{
//		AddSpecialTokens: true, MaxLength: 512, Padding: tokenizer.PadLongest,
//	})
//	// batch[i].IDs, batch[i].AttentionMask, batch[i].Offsets …
//
// # Files
//
// Load picks the format from the path: a Hugging Face tokenizer.json
// (WordPiece or Unigram model), a SentencePiece .model (Unigram), a BERT
// vocab.txt, any of them gzip-compressed as NAME.gz, or a model directory,
// where tokenizer.json is preferred over a .model file over vocab.txt.
// tokenizer_config.json and special_tokens_map.json next to the file give
// special-token names, model_max_length and (for vocab.txt) do_lower_case,
// strip_accents and tokenize_chinese_chars. ParseHF, ParseSentencePiece and
// NewWordPiece build tokenizers from memory.
//
// # WordPiece
//
// Hugging Face tokenizers' BertNormalizer, BertPreTokenizer and WordPiece:
// controls (Cc, Cf, Co but \t \n \r), NUL and U+FFFD are removed, other
// whitespace becomes a space; CJK ideographs (including the non-BMP
// extensions) are split one per word; optional accent stripping (NFD, drop
// Mn) and lower-casing (Rust char::to_lowercase, so Σ is always σ);
// splitting at whitespace and at punctuation (Unicode P* plus every ASCII
// symbol); greedy longest-match-first with "##" continuations; a word of
// more than 100 code points, or one that cannot be covered, is [UNK]. The
// general-category tests use the Unicode 8.0 tables tokenizers itself uses
// (bert_tables.go); NFD and lower-casing use Go's Unicode 15 tables, which
// differ from tokenizers' only for characters added since.
//
// # Unigram
//
// Google SentencePiece 0.1.97, function for function: the precompiled
// character map (a darts-clone double array, longest match over bytes,
// multi-code-point keys included), add_dummy_prefix,
// remove_extra_whitespaces, escape_whitespaces and
// treat_whitespace_as_suffix; the optimized Viterbi search with its exact
// arithmetic (path scores stored as float32, piece candidates in float64,
// the unknown candidate in float32, strict improvement only), so ties break
// as in SentencePiece; user-defined symbols; runs of unknown characters
// merged into one unknown token; byte fallback. CONTROL pieces such as <s>
// are never produced from text. Only UNIGRAM models are implemented.
//
// A Unigram tokenizer.json converted from SentencePiece (Precompiled map,
// Strip/Replace(" {2,}") normalisers, Metaspace) is run with the same
// SentencePiece algorithm, so it tokenizes like the .model it came from;
// Hugging Face tokenizers' own Unigram differs from SentencePiece on rare
// score ties and on multi-code-point map keys. Any other Unigram
// tokenizer.json (model2vec's, for example) runs tokenizers' own pipeline:
// BertNormalizer, Lowercase, Strip and Replace (string patterns, " {2,}"
// and \s+) normalisers, Metaspace and WhitespaceSplit pre-tokenisers,
// float64 Viterbi with fused unknowns and byte fallback, offsets aligned as
// tokenizers aligns them. Other components give ErrUnsupported.
//
// # Ids
//
// Ids are int32. WordPiece ids are vocabulary line numbers. SentencePiece
// ids are piece indices with LayoutSentencePiece; LayoutXLMR (chosen
// automatically for sentencepiece.bpe.model files and XLM-R configs) gives
// fairseq's ids: <s>=0, <pad>=1, </s>=2, <unk>=3, other pieces their index
// plus one, <mask> = number of pieces + 1.
//
// # Encoding
//
// Encode and EncodeBatch take Options; the zero value encodes the text
// alone. AddSpecialTokens wraps it as [CLS] … [SEP] or <s> … </s>;
// MaxLength truncates on the right, keeping the closing special token;
// Padding pads on the right with the pad token (id 0 if the model has
// none), with AttentionMask 0. Literal special tokens in the text ("[CLS]",
// "<s>") are ordinary text, as in Google BERT and SentencePiece, unless
// MatchSpecialTokens is set (transformers' default). Offsets are byte
// ranges of the input; special and padding tokens have empty ranges.
// Invalid UTF-8 is read as U+FFFD, one byte at a time, as SentencePiece
// and Rust's lossy decoding do (BertNormalizer's text cleaning then removes
// it).
// Decode inverts encoding as tokenizers' WordPiece decoder and
// SentencePiece's DecodeIds do.
//
// # Accuracy
//
// The tests reproduce every line of the reference files in testdata (264
// XQuAD-R texts in 11 languages plus 54 edge cases per tokenizer, with and
// without special-token matching, with [CLS]/[SEP] or <s>/</s> and
// truncation), the token offsets of SentencePiece and tokenizers, and their
// decoders, through every loader; see testdata/README.md and
// testdata/FILES.md for how the references were made. A corpus-wide check
// (testdata/crosscheck, 42,204 XQuAD-R, MIRACL and MS MARCO texts) found no
// difference from SentencePiece or tokenizers.
//
// # Errors
//
// Loaders return *ParseError values wrapping ErrFormat, ErrUnsupported or
// ErrMissingToken, errors wrapping ErrNotFound, or file-system errors.
// Input is bounded: files over 1 GiB (after decompression) are refused,
// every declared size is checked against the data, a character-map
// replacement may not exceed 256 bytes (so normalising cannot blow a text
// up), and malformed files give errors, never panics. Encode panics only on
// invalid Options (PadMaxLength without MaxLength, a MaxLength too small
// for the special tokens, an unknown Padding) and on texts over 2 GiB.
//
// # Concurrency
//
// A Tokenizer is immutable after loading and safe for concurrent use;
// Encode keeps its scratch space in pools. EncodeBatch runs on the calling
// goroutine; split large corpora across goroutines to use more cores.
package tokenizer
