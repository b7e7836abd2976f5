package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// Config is the architecture of a transformer encoder, read from a Hugging
// Face config.json. Field names follow Hugging Face's.
type Config struct {
	// ModelType is "bert", "roberta" or "xlm-roberta". BERT numbers
	// positions 0, 1, 2, ...; RoBERTa and XLM-R number real tokens from
	// PadTokenID+1 (see the package documentation).
	ModelType string

	VocabSize        int     // rows of the word-embedding table
	HiddenSize       int     // width of the token states
	NumLayers        int     // num_hidden_layers
	NumHeads         int     // num_attention_heads; divides HiddenSize
	IntermediateSize int     // width of the feed-forward layer
	MaxPositions     int     // max_position_embeddings: rows of the position table
	TypeVocabSize    int     // rows of the token-type table (only type 0 is used)
	LayerNormEps     float64 // layer_norm_eps (BERT 1e-12, XLM-R 1e-5)
	PadTokenID       int     // pad_token_id
	HiddenDropout    float64 // hidden_dropout_prob, used in training passes
	AttentionDropout float64 // attention_probs_dropout_prob, used in training passes

	// raw is the config.json this Config was parsed from, written back
	// unchanged by Save; nil for a Config built in Go.
	raw []byte
}

// ErrConfig is wrapped by the errors about invalid or unsupported
// config.json content.
var ErrConfig = errors.New("invalid model config")

// hfConfig is the subset of config.json that polyret reads.
type hfConfig struct {
	ModelType        string   `json:"model_type"`
	VocabSize        *int     `json:"vocab_size"`
	HiddenSize       *int     `json:"hidden_size"`
	NumLayers        *int     `json:"num_hidden_layers"`
	NumHeads         *int     `json:"num_attention_heads"`
	IntermediateSize *int     `json:"intermediate_size"`
	MaxPositions     *int     `json:"max_position_embeddings"`
	TypeVocabSize    *int     `json:"type_vocab_size"`
	LayerNormEps     *float64 `json:"layer_norm_eps"`
	PadTokenID       *int     `json:"pad_token_id"`
	HiddenDropout    *float64 `json:"hidden_dropout_prob"`
	AttentionDropout *float64 `json:"attention_probs_dropout_prob"`
	HiddenAct        *string  `json:"hidden_act"`
	PositionType     *string  `json:"position_embedding_type"`
}

// ParseConfig parses a Hugging Face config.json of a BERT, RoBERTa or
// XLM-RoBERTa model and validates it. Fields that transformers defaults
// (type_vocab_size, layer_norm_eps, dropouts, pad_token_id) take the
// defaults of the model type's transformers config class when absent; the
// sizes must be present. The error wraps ErrConfig.
func ParseConfig(data []byte) (Config, error) {
	var h hfConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&h); err != nil {
		return Config{}, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	c := Config{ModelType: h.ModelType, raw: bytes.Clone(data)}
	switch c.ModelType {
	case "bert":
		c.TypeVocabSize, c.LayerNormEps, c.PadTokenID = 2, 1e-12, 0
	case "roberta", "xlm-roberta":
		c.TypeVocabSize, c.LayerNormEps, c.PadTokenID = 1, 1e-12, 1
	case "":
		return Config{}, fmt.Errorf("%w: no model_type", ErrConfig)
	default:
		return Config{}, fmt.Errorf("%w: unsupported model_type %q (want bert, roberta or xlm-roberta)", ErrConfig, c.ModelType)
	}
	c.HiddenDropout, c.AttentionDropout = 0.1, 0.1
	if h.HiddenAct != nil && *h.HiddenAct != "gelu" {
		return Config{}, fmt.Errorf("%w: unsupported hidden_act %q (want gelu)", ErrConfig, *h.HiddenAct)
	}
	if h.PositionType != nil && *h.PositionType != "absolute" {
		return Config{}, fmt.Errorf("%w: unsupported position_embedding_type %q (want absolute)", ErrConfig, *h.PositionType)
	}
	required := []struct {
		name string
		src  *int
		dst  *int
	}{
		{"vocab_size", h.VocabSize, &c.VocabSize},
		{"hidden_size", h.HiddenSize, &c.HiddenSize},
		{"num_hidden_layers", h.NumLayers, &c.NumLayers},
		{"num_attention_heads", h.NumHeads, &c.NumHeads},
		{"intermediate_size", h.IntermediateSize, &c.IntermediateSize},
		{"max_position_embeddings", h.MaxPositions, &c.MaxPositions},
	}
	for _, f := range required {
		if f.src == nil {
			return Config{}, fmt.Errorf("%w: missing %s", ErrConfig, f.name)
		}
		*f.dst = *f.src
	}
	setInt(&c.TypeVocabSize, h.TypeVocabSize)
	setInt(&c.PadTokenID, h.PadTokenID)
	setFloat(&c.LayerNormEps, h.LayerNormEps)
	setFloat(&c.HiddenDropout, h.HiddenDropout)
	setFloat(&c.AttentionDropout, h.AttentionDropout)
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func setInt(dst, src *int) {
	if src != nil {
		*dst = *src
	}
}

func setFloat(dst, src *float64) {
	if src != nil {
		*dst = *src
	}
}

// maxDim bounds every size of a config, so that a hostile config.json cannot
// make Load or NewRandom allocate without limit before any file is checked.
const maxDim = 1 << 24

// Validate reports whether c describes an encoder polyret can build. The
// error wraps ErrConfig.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	switch c.ModelType {
	case "bert", "roberta", "xlm-roberta":
	default:
		return bad("unsupported model_type %q (want bert, roberta or xlm-roberta)", c.ModelType)
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumLayers},
		{"num_attention_heads", c.NumHeads}, {"intermediate_size", c.IntermediateSize},
		{"max_position_embeddings", c.MaxPositions}, {"type_vocab_size", c.TypeVocabSize},
	} {
		if f.v < 1 || f.v > maxDim {
			return bad("%s = %d, want 1..%d", f.name, f.v, maxDim)
		}
	}
	if c.NumLayers > 1024 || c.NumHeads > c.HiddenSize {
		return bad("%d layers of %d heads is out of range", c.NumLayers, c.NumHeads)
	}
	if c.HiddenSize%c.NumHeads != 0 {
		return bad("hidden_size %d is not a multiple of num_attention_heads %d", c.HiddenSize, c.NumHeads)
	}
	if int64(c.VocabSize)*int64(c.HiddenSize) > 1<<34 || int64(c.IntermediateSize)*int64(c.HiddenSize) > 1<<32 {
		return bad("weights too large (vocab_size·hidden_size = %d)", int64(c.VocabSize)*int64(c.HiddenSize))
	}
	if !(c.LayerNormEps > 0) || math.IsInf(c.LayerNormEps, 0) {
		return bad("layer_norm_eps = %v, want > 0", c.LayerNormEps)
	}
	for name, p := range map[string]float64{"hidden_dropout_prob": c.HiddenDropout, "attention_probs_dropout_prob": c.AttentionDropout} {
		if !(p >= 0 && p < 1) {
			return bad("%s = %v, want in [0, 1)", name, p)
		}
	}
	if c.PadTokenID < 0 || c.PadTokenID >= c.VocabSize {
		return bad("pad_token_id %d outside the vocabulary of %d", c.PadTokenID, c.VocabSize)
	}
	if c.roberta() && c.MaxLength() < 1 {
		return bad("max_position_embeddings %d leaves no position after padding_idx %d", c.MaxPositions, c.PadTokenID)
	}
	return nil
}

// roberta reports whether positions are numbered after the padding index.
func (c Config) roberta() bool { return c.ModelType == "roberta" || c.ModelType == "xlm-roberta" }

// MaxLength returns the longest sequence, special tokens included, that the
// position table covers: MaxPositions for BERT, MaxPositions−PadTokenID−1
// for RoBERTa and XLM-R (514−2 = 512 for XLM-R base).
func (c Config) MaxLength() int {
	if c.roberta() {
		return c.MaxPositions - c.PadTokenID - 1
	}
	return c.MaxPositions
}

// configJSON returns the config.json to save: the parsed file unchanged, or
// one written from c.
func (c Config) configJSON() ([]byte, error) {
	if c.raw != nil {
		return c.raw, nil
	}
	arch := map[string]string{"bert": "BertModel", "roberta": "RobertaModel", "xlm-roberta": "XLMRobertaModel"}[c.ModelType]
	m := map[string]any{
		"architectures":                []string{arch},
		"model_type":                   c.ModelType,
		"vocab_size":                   c.VocabSize,
		"hidden_size":                  c.HiddenSize,
		"num_hidden_layers":            c.NumLayers,
		"num_attention_heads":          c.NumHeads,
		"intermediate_size":            c.IntermediateSize,
		"max_position_embeddings":      c.MaxPositions,
		"type_vocab_size":              c.TypeVocabSize,
		"layer_norm_eps":               c.LayerNormEps,
		"pad_token_id":                 c.PadTokenID,
		"hidden_dropout_prob":          c.HiddenDropout,
		"attention_probs_dropout_prob": c.AttentionDropout,
		"hidden_act":                   "gelu",
		"position_embedding_type":      "absolute",
		"initializer_range":            0.02,
		"torch_dtype":                  "float32",
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
