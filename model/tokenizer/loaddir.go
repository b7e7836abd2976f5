package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Config controls LoadWith. The zero value is what Load uses.
type Config struct {
	// Layout maps SentencePiece piece indices to ids for .model files;
	// LayoutAuto decides from the file name and tokenizer_config.json /
	// config.json (see LayoutAuto).
	Layout Layout
	// Bert, if non-nil, is used for a vocab.txt as it is. If nil, Load
	// reads do_lower_case, strip_accents and tokenize_chinese_chars from
	// tokenizer_config.json next to the vocabulary (do_lower_case defaults
	// to true there, as in transformers' BertTokenizer); without that file
	// it lower-cases exactly when no token outside brackets has an ASCII
	// capital letter (an uncased vocabulary).
	Bert *BertConfig
}

// Load reads a tokenizer from path: a tokenizer.json, a SentencePiece
// .model, a vocab.txt (each optionally gzip-compressed, name ending in
// ".gz"), or a model directory. In a directory (or its 0_Transformer
// subdirectory, as older sentence-transformers models have it) Load takes
// tokenizer.json if present, else sentencepiece.bpe.model, spiece.model or
// another *.model, else vocab.txt. tokenizer_config.json and
// special_tokens_map.json next to the file supply special-token names,
// model_max_length and, for vocab.txt, the normaliser options.
//
// Errors wrap ErrNotFound, or are *ParseError values wrapping ErrFormat,
// ErrUnsupported or ErrMissingToken, or come from the file system.
func Load(path string) (*Tokenizer, error) { return LoadWith(path, Config{}) }

// LoadWith is Load with a Config.
func LoadWith(path string, cfg Config) (*Tokenizer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if st.IsDir() {
		file, err := findTokenizerFile(path)
		if err != nil {
			return nil, err
		}
		path = file
	}
	return loadFile(path, cfg)
}

// findTokenizerFile picks the tokenizer file of a model directory.
func findTokenizerFile(dir string) (string, error) {
	for _, d := range []string{dir, filepath.Join(dir, "0_Transformer")} {
		for _, name := range []string{"tokenizer.json", "tokenizer.json.gz", "sentencepiece.bpe.model", "spiece.model", "sentencepiece.model"} {
			if fileExists(filepath.Join(d, name)) {
				return filepath.Join(d, name), nil
			}
		}
		if m, _ := filepath.Glob(filepath.Join(d, "*.model")); len(m) > 0 {
			return m[0], nil
		}
		for _, name := range []string{"vocab.txt", "vocab.txt.gz"} {
			if fileExists(filepath.Join(d, name)) {
				return filepath.Join(d, name), nil
			}
		}
	}
	return "", fmt.Errorf("tokenizer: %s: %w (want tokenizer.json, a .model or vocab.txt)", dir, ErrNotFound)
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

func loadFile(path string, cfg Config) (*Tokenizer, error) {
	name := strings.TrimSuffix(filepath.Base(path), ".gz")
	meta, err := readMeta(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	var t *Tokenizer
	switch {
	case strings.HasSuffix(name, ".json"):
		data, err := readFile(path)
		if err != nil {
			return nil, err
		}
		if t, err = parseHF(path, data); err != nil {
			return nil, err
		}
	case strings.HasSuffix(name, ".model"):
		layout := cfg.Layout
		if layout == LayoutAuto {
			layout = LayoutSentencePiece
			if name == "sentencepiece.bpe.model" || meta.isXLMR() {
				layout = LayoutXLMR
			}
		}
		if t, err = loadSPMFile(path, layout); err != nil {
			return nil, err
		}
	case strings.HasSuffix(name, ".txt"):
		vocab, err := readVocab(path)
		if err != nil {
			return nil, err
		}
		bc := meta.bertConfig(vocab)
		if cfg.Bert != nil {
			bc = *cfg.Bert
		}
		if tk := meta.token("unk_token"); tk != "" && cfg.Bert == nil {
			bc.UnkToken = tk
		}
		names := bertSpecialNames{cls: meta.token("cls_token"), sep: meta.token("sep_token"),
			pad: meta.token("pad_token"), mask: meta.token("mask_token")}
		if t, err = newWordPieceTokenizer(vocab, bc, names); err != nil {
			return nil, fmt.Errorf("load %s: %w", path, err)
		}
	default:
		return nil, fmt.Errorf("tokenizer: %s: %w (want a .json, .model or .txt file)", path, ErrNotFound)
	}
	t.maxLength = meta.maxLength()
	return t, nil
}

// meta holds tokenizer_config.json, special_tokens_map.json and
// config.json of a model directory, merged (tokenizer_config.json wins).
type meta struct {
	present bool // tokenizer_config.json exists
	fields  map[string]json.RawMessage
	model   string // config.json model_type
}

func readMeta(dir string) (*meta, error) {
	m := &meta{fields: map[string]json.RawMessage{}}
	for _, name := range []string{"special_tokens_map.json", "tokenizer_config.json"} {
		path := filepath.Join(dir, name)
		data, err := readFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(data, &fields); err != nil {
			return nil, errorf(path, 0, ErrFormat, "%v", err)
		}
		for k, v := range fields {
			m.fields[k] = v
		}
		if name == "tokenizer_config.json" {
			m.present = true
		}
	}
	if data, err := readFile(filepath.Join(dir, "config.json")); err == nil {
		var c struct {
			ModelType string `json:"model_type"`
		}
		if json.Unmarshal(data, &c) == nil {
			m.model = c.ModelType
		}
	}
	return m, nil
}

func (m *meta) isXLMR() bool {
	var class string
	_ = json.Unmarshal(m.fields["tokenizer_class"], &class)
	return strings.HasPrefix(class, "XLMRoberta") || m.model == "xlm-roberta" || m.model == "xlm-roberta-xl"
}

// token returns a special token's string, written either as a string or
// as an AddedToken object with a "content" field.
func (m *meta) token(key string) string {
	raw, ok := m.fields[key]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Content string `json:"content"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.Content
	}
	return ""
}

func (m *meta) boolField(key string) (v, ok bool) {
	raw, present := m.fields[key]
	if !present || string(raw) == "null" {
		return false, false
	}
	return v, json.Unmarshal(raw, &v) == nil
}

// bertConfig derives the normaliser options of a vocab.txt.
func (m *meta) bertConfig(vocab []string) BertConfig {
	var c BertConfig
	if !m.present {
		c.Lowercase = !hasCapitals(vocab)
		return c
	}
	lower, ok := m.boolField("do_lower_case")
	c.Lowercase = lower || !ok
	if strip, ok := m.boolField("strip_accents"); ok {
		c.StripAccents = StripAccentsOff
		if strip {
			c.StripAccents = StripAccentsOn
		}
	}
	if chinese, ok := m.boolField("tokenize_chinese_chars"); ok && !chinese {
		c.NoChineseChars = true
	}
	return c
}

// hasCapitals reports whether a token other than a [BRACKETED] special one
// has an ASCII capital letter.
func hasCapitals(vocab []string) bool {
	for _, tok := range vocab {
		if strings.HasPrefix(tok, "[") && strings.HasSuffix(tok, "]") {
			continue
		}
		if strings.ContainsFunc(tok, func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
			return true
		}
	}
	return false
}

// maxLength returns model_max_length, or 0 if absent or a placeholder
// (transformers writes 1e30 when it is unknown).
func (m *meta) maxLength() int {
	var v float64
	if json.Unmarshal(m.fields["model_max_length"], &v) != nil || v <= 0 || v > 1<<24 {
		return 0
	}
	return int(v)
}
