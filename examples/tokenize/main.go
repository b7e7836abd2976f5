package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/polyret/polyret/model/tokenizer"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tokenize:", err)
		os.Exit(1)
	}
}

type output struct {
	IDs     []int32  `json:"ids"`
	Tokens  []string `json:"tokens"`
	Offsets [][2]int `json:"offsets,omitempty"`
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	path := fs.String("tokenizer", "", "vocab.txt, .model, tokenizer.json or model directory")
	special := fs.Bool("special", false, "add special tokens ([CLS] … [SEP] or <s> … </s>)")
	maxLen := fs.Int("max-len", 0, "truncate to at most N tokens, special tokens included (0: no limit)")
	match := fs.Bool("match-special", false, "recognise literal special tokens in the text")
	offsets := fs.Bool("offsets", false, "also write the byte offsets of each token")
	layout := fs.String("layout", "auto", "id layout of a .model file: auto, spm or xlmr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return errors.New("-tokenizer is required")
	}
	if *maxLen < 0 {
		return errors.New("-max-len must not be negative")
	}
	cfg := tokenizer.Config{}
	switch *layout {
	case "auto":
	case "spm":
		cfg.Layout = tokenizer.LayoutSentencePiece
	case "xlmr":
		cfg.Layout = tokenizer.LayoutXLMR
	default:
		return fmt.Errorf("unknown -layout %q", *layout)
	}
	tok, err := tokenizer.LoadWith(*path, cfg)
	if err != nil {
		return err
	}
	opts := tokenizer.Options{AddSpecialTokens: *special, MaxLength: *maxLen, MatchSpecialTokens: *match}
	if *special && *maxLen > 0 && *maxLen < tok.NumSpecialTokens() {
		return fmt.Errorf("-max-len %d is shorter than the special tokens", *maxLen)
	}
	w := bufio.NewWriter(stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	dec := json.NewDecoder(bufio.NewReader(stdin))
	for n := 1; ; n++ {
		var in struct {
			Text *string `json:"text"`
		}
		if err := dec.Decode(&in); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("input record %d: %w", n, err)
		}
		if in.Text == nil {
			return fmt.Errorf("input record %d: no \"text\" field", n)
		}
		e := tok.Encode(*in.Text, opts)
		out := output{IDs: e.IDs, Tokens: e.Tokens}
		if *offsets {
			out.Offsets = make([][2]int, len(e.Offsets))
			for i, o := range e.Offsets {
				out.Offsets[i] = [2]int{o.Start, o.End}
			}
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	return w.Flush()
}
