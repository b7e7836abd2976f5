package model

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/polyret/polyret/model/checkpoint"
)

// staticEmbeddingNames are the tensor names of a static embedding table:
// model2vec's, and sentence-transformers' StaticEmbedding module's.
var staticEmbeddingNames = []string{"embeddings", "embedding.weight"}

// staticMaxLength is model2vec's default cap on tokens per text.
const staticMaxLength = 512

// loadStatic reads a model2vec or sentence-transformers StaticEmbedding
// folder body. stNormalize tells whether modules.json lists a Normalize
// module.
func loadStatic(ctx context.Context, src *source, body string, cfgData []byte, stNormalize bool, opts Options) (*Model, error) {
	normalize := stNormalize
	if cfgData != nil {
		src.m2vCfg = cfgData
		var c struct {
			Normalize *bool `json:"normalize"`
		}
		if err := decodeJSON(filepath.Join(body, "config.json"), cfgData, &c); err != nil {
			return nil, err
		}
		if c.Normalize != nil {
			normalize = *c.Normalize
		} else if src.modules == nil {
			normalize = true // model2vec's default
		}
	}
	file := filepath.Join(body, "model.safetensors")
	tensors, err := checkpoint.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := &staticBody{}
	for _, name := range staticEmbeddingNames {
		t, ok := tensors[name]
		if !ok {
			continue
		}
		if len(t.Shape) != 2 || t.Shape[0] < 1 || t.Shape[1] < 1 {
			return nil, fmt.Errorf("%w: %s: tensor %s has shape %v, want [rows, dim]", ErrModel, file, name, t.Shape)
		}
		st.emb = &Param{Name: name, Shape: t.Shape}
		if err := takeTensor(st.emb, tensors, file); err != nil {
			return nil, err
		}
		break
	}
	if st.emb == nil {
		return nil, fmt.Errorf("%w: %s: tensor embeddings is missing", ErrModel, file)
	}
	rows := st.emb.Shape[0]
	st.vocab = rows
	if t, ok := tensors["mapping"]; ok {
		if len(t.Shape) != 1 || !isInt(t.DType) {
			return nil, fmt.Errorf("%w: %s: tensor mapping has %v %v, want a vector of integers", ErrModel, file, t.DType, t.Shape)
		}
		f := t.Float64()
		st.mapping = make([]int32, len(f))
		for i, v := range f {
			if v < 0 || v >= float64(rows) || v != float64(int32(v)) {
				return nil, fmt.Errorf("%w: %s: tensor mapping: entry %d = %v is not a row of the %d embeddings", ErrModel, file, i, v, rows)
			}
			st.mapping[i] = int32(v)
		}
		st.vocab = len(f)
	}
	if t, ok := tensors["weights"]; ok {
		if len(t.Shape) != 1 || t.Shape[0] != st.vocab {
			return nil, fmt.Errorf("%w: %s: tensor weights has shape %v, want [%d]", ErrModel, file, t.Shape, st.vocab)
		}
		st.weights = t.Float32() // not trained: may share memory with the saved tensor
	}
	src.extra = tensors // mapping and weights are saved back unchanged
	m := &Model{st: st, opts: opts, src: src}
	m.hd.pooling = PoolMean
	m.hd.normalize = opts.Normalize.or(normalize)
	m.maxLen = staticMaxLength
	if opts.MaxLength > 0 {
		m.maxLen = opts.MaxLength
	}
	if err := m.setTokenizer(body, st.vocab); err != nil {
		return nil, err
	}
	m.finish()
	return m, nil
}

func isInt(d checkpoint.DType) bool {
	switch d {
	case checkpoint.I8, checkpoint.I16, checkpoint.I32, checkpoint.I64, checkpoint.U8, checkpoint.U16, checkpoint.U32, checkpoint.U64:
		return true
	}
	return false
}
