// Command embed reads JSON lines {"text": ...} or {"ids": [...]} on standard
// input and writes one line {"embedding": [...]} per input line.
//
// Usage:
//
//	embed -model DIR [-pooling cls|mean|max|pooler] [-normalize on|off] [-role query|passage] [-hidden] [-batch N] < in.jsonl > out.jsonl
//
// DIR is a Hugging Face, sentence-transformers or model2vec directory (see
// package github.com/polyret/polyret/model). Texts are tokenized with the
// directory's tokenizer; "ids" are token ids with the special tokens
// included. -role prepends "Query: " or "Passage: " to texts. -pooling and
// -normalize override the directory's head. -hidden writes
// {"last_hidden_state": [[...], ...]} (one row per token) instead of the
// embedding. Numbers are float32 values in their shortest form.
package main
