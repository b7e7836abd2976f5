package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/polyret/polyret/internal/atomicfile"
	"github.com/polyret/polyret/model/checkpoint"
)

// tokenizerFiles are the tokenizer files Save copies from the loaded
// directory.
var tokenizerFiles = []string{
	"tokenizer.json", "vocab.txt", "sentencepiece.bpe.model", "spiece.model",
	"tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
}

// Save writes the model to dir in the layout Load reads and Hugging Face
// transformers and sentence-transformers load unchanged:
//   - a transformer: config.json (the loaded one, byte for byte),
//     model.safetensors (F32, every parameter plus the loaded tensors the
//     encoder did not use, under their original names), the tokenizer
//     files of the loaded directory, and sentence-transformers module
//     files describing the current pooling, Dense and normalisation
//     (modules.json, sentence_bert_config.json, 1_Pooling, 2_Dense,
//     Normalize); with PoolPooler, which sentence-transformers cannot
//     express, only the Hugging Face files;
//   - a static model: model.safetensors and the loaded directory's
//     config, module and tokenizer files.
//
// Loading the result gives bit-identical parameters. The directory is
// written next to dir under a temporary name, synced and swapped into place
// (internal/atomicfile.WriteDir), so dir holds either its previous content
// or the complete new model, never a mixture. Save must not overlap with a
// training step.
func (m *Model) Save(dir string) error {
	if err := m.save(dir); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	return nil
}

func (m *Model) save(dir string) error {
	return atomicfile.WriteDir(dir, func(tmp string) error {
		if m.st != nil {
			return m.saveStatic(tmp)
		}
		return m.saveTransformer(tmp)
	})
}

// writeFile writes data to path, a new file inside the temporary directory
// (so no temporary file of its own is needed; atomicfile.WriteDir syncs the
// whole tree before moving it into place).
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// copyFiles copies the named files that exist in src to dst.
func copyFiles(dst, src string, names []string) error {
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(src, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dst, name), data); err != nil {
			return err
		}
	}
	return nil
}

var ptMetadata = map[string]string{"format": "pt"}

func (m *Model) saveTransformer(tmp string) error {
	bodyRel := ""
	if m.src != nil {
		bodyRel = m.src.bodyDir
	}
	body := filepath.Join(tmp, bodyRel)
	cfg, err := m.tr.cfg.configJSON()
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(body, "config.json"), cfg); err != nil {
		return err
	}
	ts := make(map[string]checkpoint.Tensor)
	if m.src != nil {
		for name, t := range m.src.extra {
			ts[name] = t
		}
	}
	for _, p := range append(m.tr.params(), m.hd.pooler[0], m.hd.pooler[1]) {
		if p != nil {
			ts[p.Name] = checkpoint.FromFloat32(p.Shape, p.Value)
		}
	}
	if err := checkpoint.WriteSafetensors(filepath.Join(body, "model.safetensors"), ts, ptMetadata); err != nil {
		return err
	}
	if m.src != nil {
		if err := copyFiles(body, filepath.Join(m.src.dir, bodyRel), tokenizerFiles); err != nil {
			return err
		}
		if err := copyFiles(tmp, m.src.dir, []string{"config_sentence_transformers.json"}); err != nil {
			return err
		}
	}
	if m.hd.pooling == PoolPooler {
		return nil
	}
	return m.saveModules(tmp, bodyRel)
}

// saveModules writes the sentence-transformers files of the head.
func (m *Model) saveModules(tmp, bodyRel string) error {
	h := m.tr.cfg.HiddenSize
	mods := []stModule{{Idx: 0, Name: "0", Path: bodyRel, Type: "sentence_transformers.models.Transformer"}}
	add := func(typ, folder string) string {
		i := len(mods)
		path := fmt.Sprintf("%d_%s", i, folder)
		mods = append(mods, stModule{Idx: i, Name: fmt.Sprint(i), Path: path, Type: "sentence_transformers.models." + typ})
		return filepath.Join(tmp, path)
	}
	pool := map[string]any{
		"word_embedding_dimension":          h,
		"pooling_mode_cls_token":            m.hd.pooling == PoolCLS,
		"pooling_mode_mean_tokens":          m.hd.pooling == PoolMean,
		"pooling_mode_max_tokens":           m.hd.pooling == PoolMax,
		"pooling_mode_mean_sqrt_len_tokens": false,
		"pooling_mode_weightedmean_tokens":  false,
		"pooling_mode_lasttoken":            false,
	}
	if err := writeJSON(filepath.Join(add("Pooling", "Pooling"), "config.json"), pool); err != nil {
		return err
	}
	if d := m.hd.dense; d[0] != nil {
		dir := add("Dense", "Dense")
		act := "torch.nn.modules.linear.Identity"
		if m.hd.denseTanh {
			act = "torch.nn.modules.activation.Tanh"
		}
		dc := map[string]any{"in_features": d[0].Shape[1], "out_features": d[0].Shape[0], "bias": true, "activation_function": act}
		if err := writeJSON(filepath.Join(dir, "config.json"), dc); err != nil {
			return err
		}
		ts := map[string]checkpoint.Tensor{}
		for _, p := range d {
			ts[p.Name[strings.LastIndex(p.Name, "/")+1:]] = checkpoint.FromFloat32(p.Shape, p.Value)
		}
		if err := checkpoint.WriteSafetensors(filepath.Join(dir, "model.safetensors"), ts, ptMetadata); err != nil {
			return err
		}
	}
	if m.hd.normalize {
		if err := os.MkdirAll(add("Normalize", "Normalize"), 0o755); err != nil {
			return err
		}
	}
	if err := writeJSON(filepath.Join(tmp, "modules.json"), mods); err != nil {
		return err
	}
	sc := map[string]any{"max_seq_length": m.maxLen, "do_lower_case": false}
	if m.src != nil && m.src.stConfig != nil {
		if err := json.Unmarshal(m.src.stConfig, &sc); err == nil {
			sc["max_seq_length"] = m.maxLen
		}
	}
	return writeJSON(filepath.Join(tmp, "sentence_bert_config.json"), sc)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(path, append(b, '\n'))
}

func (m *Model) saveStatic(tmp string) error {
	body := filepath.Join(tmp, m.src.bodyDir)
	ts := map[string]checkpoint.Tensor{m.st.emb.Name: checkpoint.FromFloat32(m.st.emb.Shape, m.st.emb.Value)}
	for name, t := range m.src.extra {
		ts[name] = t
	}
	if err := os.MkdirAll(body, 0o755); err != nil {
		return err
	}
	if err := checkpoint.WriteSafetensors(filepath.Join(body, "model.safetensors"), ts, nil); err != nil {
		return err
	}
	srcBody := filepath.Join(m.src.dir, m.src.bodyDir)
	if err := copyFiles(body, srcBody, append([]string{"config.json"}, tokenizerFiles...)); err != nil {
		return err
	}
	if m.src.modules == nil {
		return nil
	}
	var mods []stModule
	if err := json.Unmarshal(m.src.modules, &mods); err != nil {
		return err
	}
	for _, mod := range mods {
		if err := os.MkdirAll(filepath.Join(tmp, filepath.Clean(mod.Path)), 0o755); err != nil {
			return err
		}
	}
	return copyFiles(tmp, m.src.dir, []string{"modules.json", "config_sentence_transformers.json", "sentence_bert_config.json"})
}
