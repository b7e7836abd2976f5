// Package datasets loads retrieval training and evaluation data (XQuAD-R,
// MLQA-R, MIRACL, mMARCO, TREC files and polyret's own JSONL tuples) into
// language-tagged, parallel-grouped types.
package datasets
