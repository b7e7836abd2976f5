package tokenizer

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFileSize bounds every tokenizer file this package reads (after gzip
// decompression): the largest real ones are a few tens of megabytes.
const maxFileSize = 1 << 30

// readFile reads path whole, decompressing it if its name ends in ".gz",
// and refuses files (or decompressed streams) larger than maxFileSize.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if st, err := f.Stat(); err == nil && !strings.HasSuffix(path, ".gz") && st.Size() > maxFileSize {
		return nil, errorf(path, 0, ErrFormat, "file of %d bytes exceeds the %d-byte limit", st.Size(), maxFileSize)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, errorf(path, 0, ErrFormat, "gzip: %v", err)
		}
		defer zr.Close()
		r = zr
	}
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, errorf(path, 0, ErrFormat, "read: %v", err)
	}
	if len(data) > maxFileSize {
		return nil, errorf(path, 0, ErrFormat, "content exceeds the %d-byte limit", maxFileSize)
	}
	return data, nil
}

// parseVocab splits a vocab.txt: one token per line, id = 0-based line
// number, trailing whitespace removed (as Hugging Face's WordPiece does).
func parseVocab(file string, data []byte) ([]string, error) {
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return nil, errorf(file, line, ErrFormat, "invalid UTF-8")
	}
	text := string(data)
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return nil, errorf(file, 0, ErrFormat, "empty vocabulary")
	}
	vocab := strings.Split(text, "\n")
	for i, tok := range vocab {
		vocab[i] = strings.TrimRightFunc(tok, unicode.IsSpace)
	}
	return vocab, nil
}

func firstInvalid(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// NewWordPiece returns a WordPiece tokenizer over vocab, where a token's id
// is its index. The special tokens are "[CLS]", "[SEP]", "[PAD]", "[MASK]"
// and cfg.UnkToken, where present; the template is [CLS] … [SEP]. It
// returns an error wrapping ErrMissingToken if the unknown token is absent.
func NewWordPiece(vocab []string, cfg BertConfig) (*Tokenizer, error) {
	return newWordPieceTokenizer(vocab, cfg, bertSpecialNames{})
}

// bertSpecialNames overrides the special token strings; "" keeps BERT's.
type bertSpecialNames struct{ cls, sep, pad, mask string }

func newWordPieceTokenizer(vocab []string, cfg BertConfig, names bertSpecialNames) (*Tokenizer, error) {
	w, err := newWordPiece(vocab, cfg)
	if err != nil {
		return nil, err
	}
	look := func(name string) Token {
		if id, ok := w.tokenToID(name); ok {
			return Token{name, id}
		}
		return Token{name, -1}
	}
	t := &Tokenizer{kind: WordPiece, model: w}
	t.special = SpecialTokens{
		CLS:  look(cmpOr(names.cls, "[CLS]")),
		SEP:  look(cmpOr(names.sep, "[SEP]")),
		PAD:  look(cmpOr(names.pad, "[PAD]")),
		UNK:  Token{w.unk, w.unkID},
		MASK: look(cmpOr(names.mask, "[MASK]")),
	}
	s := t.special
	if s.CLS.ID >= 0 {
		t.prefix = []Token{s.CLS}
	}
	if s.SEP.ID >= 0 {
		t.suffix = []Token{s.SEP}
	}
	var added []addedToken
	for _, tk := range []Token{s.PAD, s.UNK, s.CLS, s.SEP, s.MASK} {
		if tk.ID >= 0 {
			added = append(added, addedToken{text: tk.Text, id: tk.ID, special: true})
		}
	}
	if t.added, err = newAddedVocab(added); err != nil {
		return nil, errorf("", 0, ErrUnsupported, "added tokens: %v", err)
	}
	return t, nil
}

// readVocab reads and parses a vocab.txt.
func readVocab(path string) ([]string, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return parseVocab(path, data)
}

// loadVocabFile reads a vocab.txt.
func loadVocabFile(path string, cfg BertConfig, names bertSpecialNames) (*Tokenizer, error) {
	vocab, err := readVocab(path)
	if err != nil {
		return nil, err
	}
	t, err := newWordPieceTokenizer(vocab, cfg, names)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return t, nil
}
