package main

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/polyret/polyret/model/checkpoint"
)

// vocabGz is the pruned mBERT cased vocabulary (see gen_vocab.go and
// NOTICE): the 35,322 WordPiece entries XQuAD-R's texts use, in mBERT's
// order.
//
//go:embed vocab.txt.gz
var vocabGz []byte

// vocabText returns the embedded vocabulary, one token a line.
func vocabText() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(vocabGz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// writeStaticModel writes an untrained model2vec-style static encoder to
// dir: a rows × dim embedding table drawn from N(0, 1/dim) with a PCG
// seeded by seed (so a row has norm ≈ 1 and distinct tokens are nearly
// orthogonal), the pruned mBERT vocabulary with its case kept, mean
// pooling and L2 normalisation. model.Load reads it like any model2vec
// directory.
func writeStaticModel(dir string, dim int, seed uint64) error {
	vocab, err := vocabText()
	if err != nil {
		return err
	}
	rows := bytes.Count(vocab, []byte("\n"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg, err := json.MarshalIndent(map[string]any{
		"model_type":     "model2vec",
		"architectures":  []string{"StaticModel"},
		"tokenizer_name": "bert-base-multilingual-cased (pruned to XQuAD-R's tokens)",
		"hidden_dim":     dim,
		"normalize":      true,
		"polyret_init":   map[string]any{"distribution": "normal", "std": 1 / math.Sqrt(float64(dim)), "seed": seed},
	}, "", "  ")
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"config.json":           append(cfg, '\n'),
		"vocab.txt":             vocab,
		"tokenizer_config.json": []byte(`{"do_lower_case": false, "tokenize_chinese_chars": true, "strip_accents": null}` + "\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	std := 1 / math.Sqrt(float64(dim))
	emb := make([]float32, rows*dim)
	for i := range emb {
		emb[i] = float32(rng.NormFloat64() * std)
	}
	t := checkpoint.FromFloat32([]int{rows, dim}, emb)
	return checkpoint.WriteSafetensors(filepath.Join(dir, "model.safetensors"), map[string]checkpoint.Tensor{"embeddings": t}, nil)
}
