// Command tokenize reads JSON lines {"text": ...} on standard input and
// writes one line {"ids": [...], "tokens": [...]} per input line.
//
// Usage:
//
//	tokenize -tokenizer PATH [-special] [-max-len N] [-match-special] [-offsets] < in.jsonl > out.jsonl
//
// PATH is a vocab.txt, a SentencePiece .model, a tokenizer.json (each
// optionally .gz) or a model directory; see package
// github.com/polyret/polyret/model/tokenizer for how it is read. -special
// adds [CLS]/[SEP] or <s>/</s>, -max-len truncates to N tokens (special
// tokens included), -match-special recognises literal special tokens in the
// text, -offsets adds the byte offsets of each token, and -layout xlmr or
// -layout spm forces the id layout of a .model file.
package main
