// Package tokenizer implements the WordPiece (BERT, mBERT, LaBSE) and
// SentencePiece Unigram (XLM-R, mE5, BGE-M3) tokenizers, token for token
// equal to Hugging Face tokenizers and Google SentencePiece.
//
// This documentation is completed as the package grows.
package tokenizer
