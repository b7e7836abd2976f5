package model

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/polyret/polyret/model/checkpoint"
)

// source remembers the layout of a loaded directory, for Save.
type source struct {
	dir      string
	bodyDir  string // the transformer or static-embedding folder, relative to dir ("" = dir)
	stConfig []byte // sentence_bert_config.json, if any
	stMeta   []byte // config_sentence_transformers.json, if any
	m2vCfg   []byte // model2vec config.json
	modules  []byte // modules.json of a static model, copied unchanged
	extra    map[string]checkpoint.Tensor
}

// stModule is one entry of sentence-transformers' modules.json.
type stModule struct {
	Idx  int    `json:"idx"`
	Name string `json:"name"`
	Path string `json:"path"`
	Type string `json:"type"`
}

// maxJSONFile bounds the small JSON files of a model directory.
const maxJSONFile = 16 << 20

// readSmall reads a small file, refusing anything over maxJSONFile bytes.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxJSONFile {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d allowed", path, st.Size(), maxJSONFile)
	}
	b := make([]byte, st.Size())
	if _, err := f.ReadAt(b, 0); err != nil && st.Size() > 0 {
		return nil, err
	}
	return b, nil
}

// readOptional reads path, returning nil without error if it does not exist.
func readOptional(path string) ([]byte, error) {
	b, err := readSmall(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

func decodeJSON(path string, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrModel, path, err)
	}
	return nil
}

// Load reads a model directory:
//   - a Hugging Face transformer directory (config.json with model_type
//     bert, roberta or xlm-roberta; weights in model.safetensors,
//     pytorch_model.bin or a sharded index; tokenizer files);
//   - a sentence-transformers directory (modules.json listing a
//     Transformer, Pooling, optional Dense and Normalize modules);
//   - a model2vec (or sentence-transformers StaticEmbedding) directory.
//
// Tensor names may carry a "bert." or "roberta." prefix; tensors the
// encoder does not use (lm_head.*, position_ids) are kept only to be saved
// again. Errors name the file and, where there is one, the tensor; content
// errors wrap ErrModel, ErrConfig or a checkpoint error. Load checks ctx
// between files. It panics if opts holds a value out of range (an unknown
// Pooling or Normalize, Dropout ≥ 1, a negative size).
func Load(ctx context.Context, dir string, opts Options) (*Model, error) {
	opts.check()
	m, err := load(ctx, dir, opts)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	return m, nil
}

func load(ctx context.Context, dir string, opts Options) (*Model, error) {
	src := &source{dir: dir}
	var modules []stModule
	modPath := filepath.Join(dir, "modules.json")
	modData, err := readOptional(modPath)
	if err != nil {
		return nil, err
	}
	if modData != nil {
		if err := decodeJSON(modPath, modData, &modules); err != nil {
			return nil, err
		}
	}
	st := stLayout{}
	for _, mod := range modules {
		typ := mod.Type[strings.LastIndex(mod.Type, ".")+1:]
		clean := filepath.Clean(mod.Path)
		if filepath.IsAbs(mod.Path) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, fmt.Errorf("%w: %s: module path %q leaves the directory", ErrModel, modPath, mod.Path)
		}
		if clean == "." {
			clean = ""
		}
		switch typ {
		case "Transformer", "StaticEmbedding":
			src.bodyDir = clean
			st.static = typ == "StaticEmbedding"
		case "Pooling":
			st.pooling = clean
			st.hasPooling = true
		case "Dense":
			if st.hasDense {
				return nil, fmt.Errorf("%w: %s: more than one Dense module", ErrModel, modPath)
			}
			st.dense, st.hasDense = clean, true
		case "Normalize":
			st.normalize = true
		default:
			return nil, fmt.Errorf("%w: %s: unsupported module %s", ErrModel, modPath, mod.Type)
		}
	}
	body := filepath.Join(dir, src.bodyDir)
	cfgPath := filepath.Join(body, "config.json")
	cfgData, err := readOptional(cfgPath)
	if err != nil {
		return nil, err
	}
	var probe struct {
		ModelType string `json:"model_type"`
	}
	if cfgData != nil {
		if err := decodeJSON(cfgPath, cfgData, &probe); err != nil {
			return nil, err
		}
	}
	if st.static || probe.ModelType == "model2vec" {
		src.modules = modData
		return loadStatic(ctx, src, body, cfgData, st.normalize, opts)
	}
	if cfgData == nil {
		return nil, fmt.Errorf("%w: no config.json in %s", ErrModel, body)
	}
	cfg, err := ParseConfig(cfgData)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	weightsPath, err := findWeights(body)
	if err != nil {
		return nil, err
	}
	tensors, err := checkpoint.ReadFile(weightsPath)
	if err != nil {
		return nil, err
	}
	m := &Model{opts: opts, src: src}
	if m.tr, err = transformerFromTensors(cfg, tensors, weightsPath); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := m.loadHead(tensors, weightsPath, st, opts); err != nil {
		return nil, err
	}
	src.extra = tensors // what transformerFromTensors and loadHead did not take
	if src.stConfig, err = readOptional(filepath.Join(dir, "sentence_bert_config.json")); err != nil {
		return nil, err
	}
	if src.stMeta, err = readOptional(filepath.Join(dir, "config_sentence_transformers.json")); err != nil {
		return nil, err
	}
	m.maxLen = cfg.MaxLength()
	if src.stConfig != nil {
		var sc struct {
			MaxSeqLength int `json:"max_seq_length"`
		}
		if err := decodeJSON(filepath.Join(dir, "sentence_bert_config.json"), src.stConfig, &sc); err != nil {
			return nil, err
		}
		if sc.MaxSeqLength > 0 {
			m.maxLen = min(m.maxLen, sc.MaxSeqLength)
		}
	}
	if opts.MaxLength > 0 {
		m.maxLen = min(m.maxLen, opts.MaxLength)
	}
	if err := m.setTokenizer(body, cfg.VocabSize); err != nil {
		return nil, err
	}
	m.finish()
	return m, nil
}

// stLayout is what modules.json says about the head.
type stLayout struct {
	static     bool
	hasPooling bool
	pooling    string // folder of the Pooling module
	hasDense   bool
	dense      string // folder of the Dense module
	normalize  bool
}

// weightFiles lists the checkpoint files Load looks for, in order.
var weightFiles = []string{"model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json"}

func findWeights(dir string) (string, error) {
	for _, name := range weightFiles {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: no weights in %s (looked for %s)", ErrModel, dir, strings.Join(weightFiles, ", "))
}

// namePrefixes are the prefixes under which checkpoints store the encoder:
// BertModel has none, BertFor* use "bert.", RobertaFor* and XLMRobertaFor*
// use "roberta.".
var namePrefixes = []string{"", "bert.", "roberta."}

// transformerFromTensors builds the encoder of cfg from tensors, deleting
// from the map every tensor it takes.
func transformerFromTensors(cfg Config, tensors map[string]checkpoint.Tensor, file string) (*transformer, error) {
	prefix := ""
	found := false
	for _, p := range namePrefixes {
		if _, ok := tensors[p+"embeddings.word_embeddings.weight"]; ok {
			prefix, found = p, true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("%w: %s: tensor embeddings.word_embeddings.weight (with or without a bert./roberta. prefix) is missing", ErrModel, file)
	}
	t := newTransformer(cfg, prefix, false)
	for _, p := range t.params() {
		if err := takeTensor(p, tensors, file); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// takeTensor sets p's value from the tensor of the same name, checking its
// shape and converting it to float32, and deletes it from tensors. A Param
// with a Value (a view of a fused array) receives a copy; others take the
// converted slice, which for F32 shares the tensor's memory.
func takeTensor(p *Param, tensors map[string]checkpoint.Tensor, file string) error {
	t, ok := tensors[p.Name]
	if !ok {
		return fmt.Errorf("%w: %s: tensor %s is missing", ErrModel, file, p.Name)
	}
	if !slices.Equal(t.Shape, p.Shape) {
		return fmt.Errorf("%w: %s: tensor %s has shape %v, the config needs %v", ErrModel, file, p.Name, t.Shape, p.Shape)
	}
	switch t.DType {
	case checkpoint.F32, checkpoint.F16, checkpoint.BF16, checkpoint.F64:
	default:
		return fmt.Errorf("%w: %s: tensor %s has dtype %v, want a float type", ErrModel, file, p.Name, t.DType)
	}
	v := t.Float32()
	if p.Value != nil {
		copy(p.Value, v)
	} else {
		p.Value = v
	}
	delete(tensors, p.Name)
	return nil
}

// loadHead sets the pooling, pooler, Dense and normalisation of m.
func (m *Model) loadHead(tensors map[string]checkpoint.Tensor, file string, st stLayout, opts Options) error {
	h := m.tr.cfg.HiddenSize
	pw, pb := m.tr.prefix+"pooler.dense.weight", m.tr.prefix+"pooler.dense.bias"
	if _, ok := tensors[pw]; ok {
		m.hd.pooler = [2]*Param{{Name: pw, Shape: []int{h, h}}, {Name: pb, Shape: []int{h}}}
		for _, p := range m.hd.pooler {
			if err := takeTensor(p, tensors, file); err != nil {
				return err
			}
		}
	}
	m.hd.pooling = PoolMean
	if st.hasPooling {
		mode, err := readPooling(filepath.Join(m.src.dir, st.pooling, "config.json"), h)
		if err != nil {
			return err
		}
		m.hd.pooling = mode
	}
	if opts.Pooling != 0 {
		m.hd.pooling = opts.Pooling
	}
	if m.hd.pooling == PoolPooler && m.hd.pooler[0] == nil {
		return fmt.Errorf("%w: %s: pooler pooling needs tensor %s, which is missing", ErrModel, file, pw)
	}
	if st.hasDense {
		if err := m.loadDense(filepath.Join(m.src.dir, st.dense), h); err != nil {
			return err
		}
	}
	m.hd.normalize = opts.Normalize.or(st.normalize)
	return nil
}

// readPooling reads a sentence-transformers Pooling config.
func readPooling(path string, h int) (PoolingMode, error) {
	data, err := readSmall(path)
	if err != nil {
		return 0, err
	}
	var pc map[string]json.RawMessage
	if err := decodeJSON(path, data, &pc); err != nil {
		return 0, err
	}
	var dim int
	if raw, ok := pc["word_embedding_dimension"]; ok {
		if err := decodeJSON(path, raw, &dim); err != nil {
			return 0, err
		}
		if dim != h {
			return 0, fmt.Errorf("%w: %s: word_embedding_dimension %d, the model's hidden size is %d", ErrModel, path, dim, h)
		}
	}
	var modes []PoolingMode
	for key, raw := range pc {
		if !strings.HasPrefix(key, "pooling_mode_") {
			continue
		}
		var on bool
		if err := decodeJSON(path, raw, &on); err != nil {
			return 0, err
		}
		if !on {
			continue
		}
		switch key {
		case "pooling_mode_cls_token":
			modes = append(modes, PoolCLS)
		case "pooling_mode_mean_tokens":
			modes = append(modes, PoolMean)
		case "pooling_mode_max_tokens":
			modes = append(modes, PoolMax)
		default:
			return 0, fmt.Errorf("%w: %s: unsupported %s", ErrModel, path, key)
		}
	}
	if len(modes) != 1 {
		return 0, fmt.Errorf("%w: %s: %d pooling modes set, polyret supports exactly one of cls, mean, max", ErrModel, path, len(modes))
	}
	return modes[0], nil
}

// denseActivations maps sentence-transformers' activation names to tanh
// (true) or identity (false).
var denseActivations = map[string]bool{
	"torch.nn.modules.activation.Tanh": true,
	"torch.nn.modules.linear.Identity": false,
}

// loadDense reads a sentence-transformers Dense module folder.
func (m *Model) loadDense(dir string, in int) error {
	path := filepath.Join(dir, "config.json")
	data, err := readSmall(path)
	if err != nil {
		return err
	}
	var dc struct {
		In         int    `json:"in_features"`
		Out        int    `json:"out_features"`
		Bias       *bool  `json:"bias"`
		Activation string `json:"activation_function"`
	}
	if err := decodeJSON(path, data, &dc); err != nil {
		return err
	}
	if dc.In != in {
		return fmt.Errorf("%w: %s: in_features %d, the pooled width is %d", ErrModel, path, dc.In, in)
	}
	if dc.Out < 1 || dc.Out > maxDim {
		return fmt.Errorf("%w: %s: out_features %d", ErrModel, path, dc.Out)
	}
	if dc.Bias != nil && !*dc.Bias {
		return fmt.Errorf("%w: %s: a Dense module without bias is not supported", ErrModel, path)
	}
	tanh, ok := denseActivations[dc.Activation]
	if !ok {
		return fmt.Errorf("%w: %s: unsupported activation_function %q", ErrModel, path, dc.Activation)
	}
	file, err := findWeights(dir)
	if err != nil {
		return err
	}
	tensors, err := checkpoint.ReadFile(file)
	if err != nil {
		return err
	}
	// The Params are named after the module folder, which keeps them
	// distinct from the encoder's; Save strips the folder again.
	folder := filepath.Base(dir) + "/"
	m.hd.dense = [2]*Param{{Name: "linear.weight", Shape: []int{dc.Out, dc.In}}, {Name: "linear.bias", Shape: []int{dc.Out}}}
	for _, p := range m.hd.dense {
		if err := takeTensor(p, tensors, file); err != nil {
			return err
		}
		p.Name = folder + p.Name
	}
	m.hd.denseTanh = tanh
	return nil
}
