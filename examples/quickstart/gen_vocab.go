//go:build ignore

// gen_vocab writes vocab.txt.gz: the entries of the mBERT cased WordPiece
// vocabulary (model/tokenizer/testdata/vocab-mbert-cased.txt.gz, Apache
// License 2.0) that tokenizing the embedded XQuAD-R questions and sentences,
// with and without the "Query: " and "Passage: " prefixes, produces, plus
// the special tokens, in their original order. Greedy longest-match-first
// WordPiece then tokenizes every XQuAD-R text exactly as the full vocabulary
// does (the longest piece it took is still there and no longer one was
// added), which main_test.go checks.
//
// Run from examples/quickstart: go run gen_vocab.go
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"log"
	"os"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/model/tokenizer"
)

const full = "../../model/tokenizer/testdata/vocab-mbert-cased.txt.gz"

func main() {
	vocab, err := readLines(full)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := tokenizer.NewWordPiece(vocab, tokenizer.BertConfig{})
	if err != nil {
		log.Fatal(err)
	}
	task, err := datasets.LoadXQuADR(datasets.QAConfig{})
	if err != nil {
		log.Fatal(err)
	}
	keep := make([]bool, len(vocab))
	for i, v := range vocab {
		keep[i] = v == "[PAD]" || v == "[UNK]" || v == "[CLS]" || v == "[SEP]" || v == "[MASK]"
	}
	var ids []int32
	mark := func(text string) {
		ids = tok.AppendIDs(ids[:0], text)
		for _, id := range ids {
			keep[id] = true
		}
	}
	for _, q := range task.Queries {
		mark(q.Text)
		mark("Query: " + q.Text)
	}
	for _, c := range task.Candidates {
		mark(c.Text)
		mark("Passage: " + c.Text)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	n := 0
	for i, v := range vocab {
		if keep[i] {
			fmt.Fprintln(zw, v)
			n++
		}
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("vocab.txt.gz", buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("kept %d of %d entries (%d bytes gzipped)", n, len(vocab), buf.Len())
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var lines []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}
