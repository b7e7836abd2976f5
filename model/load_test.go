package model

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/polyret/polyret/model/checkpoint"
)

// copyDir copies the fixture folder src (recursively) to a new temporary
// folder, leaving out the files named in skip.
func copyDir(t *testing.T, src string, skip ...string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		for _, s := range skip {
			if rel == s {
				return nil
			}
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if !strings.Contains(s, old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(s, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPyTorchBinEqualsSafetensors loads tiny-bert from its
// pytorch_model.bin and from its model.safetensors: identical parameters.
func TestPyTorchBinEqualsSafetensors(t *testing.T) {
	src := filepath.Join("testdata", "tiny-bert")
	bin := copyDir(t, src, "model.safetensors")
	sameParams(t, loadTest(t, src, Options{}), loadTest(t, bin, Options{}))
}

func TestLoadErrors(t *testing.T) {
	bert := filepath.Join("testdata", "tiny-bert")
	labse := filepath.Join("testdata", "tiny-labse")
	dropTensor := func(dir, file, name string) {
		path := filepath.Join(dir, file)
		ts, err := checkpoint.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		delete(ts, name)
		if err := checkpoint.WriteSafetensors(path, ts, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		setup func() string
		is    error
		want  []string // substrings of the message
	}{
		{"missing tensor", func() string {
			d := copyDir(t, bert, "pytorch_model.bin")
			dropTensor(d, "model.safetensors", "encoder.layer.1.output.dense.bias")
			return d
		}, ErrModel, []string{"model.safetensors", "encoder.layer.1.output.dense.bias", "missing"}},
		{"missing Dense tensor", func() string {
			d := copyDir(t, labse)
			dropTensor(d, "2_Dense/model.safetensors", "linear.bias")
			return d
		}, ErrModel, []string{"2_Dense/model.safetensors", "linear.bias"}},
		{"shape mismatch", func() string {
			d := copyDir(t, bert)
			editFile(t, filepath.Join(d, "config.json"), `"intermediate_size": 64`, `"intermediate_size": 65`)
			return d
		}, ErrModel, []string{"model.safetensors", "encoder.layer.0.intermediate.dense.weight", "[64 32]", "[65 32]"}},
		{"unknown model_type", func() string {
			d := copyDir(t, bert)
			editFile(t, filepath.Join(d, "config.json"), `"model_type": "bert"`, `"model_type": "gpt2"`)
			return d
		}, ErrConfig, []string{"config.json", "gpt2"}},
		{"tanh GELU", func() string {
			d := copyDir(t, bert)
			editFile(t, filepath.Join(d, "config.json"), `"hidden_act": "gelu"`, `"hidden_act": "gelu_new"`)
			return d
		}, ErrConfig, []string{"gelu_new"}},
		{"tokenizer larger than the vocabulary", func() string {
			d := copyDir(t, bert)
			f, err := os.OpenFile(filepath.Join(d, "vocab.txt"), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("extra1\nextra2\n")
			f.Close()
			return d
		}, ErrModel, []string{"tokenizer has 1002 ids", "1000"}},
		{"no weights", func() string { return copyDir(t, bert, "model.safetensors", "pytorch_model.bin") },
			ErrModel, []string{"no weights"}},
		{"no config", func() string { return copyDir(t, bert, "config.json") }, ErrModel, []string{"no config.json"}},
		{"module path outside", func() string {
			d := copyDir(t, labse)
			editFile(t, filepath.Join(d, "modules.json"), `"path": "2_Dense"`, `"path": "../2_Dense"`)
			return d
		}, ErrModel, []string{"leaves the directory"}},
		{"two pooling modes", func() string {
			d := copyDir(t, labse)
			editFile(t, filepath.Join(d, "1_Pooling", "config.json"), `"pooling_mode_mean_tokens": false`, `"pooling_mode_mean_tokens": true`)
			return d
		}, ErrModel, []string{"2 pooling modes"}},
		{"Dense activation", func() string {
			d := copyDir(t, labse)
			editFile(t, filepath.Join(d, "2_Dense", "config.json"), "Tanh", "ReLU")
			return d
		}, ErrModel, []string{"activation_function"}},
		{"pooler pooling without pooler", func() string { return filepath.Join("testdata", "tiny-xlmr") },
			ErrModel, []string{"pooler.dense.weight"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{}
			if strings.HasPrefix(tc.name, "pooler") {
				opts.Pooling = PoolPooler
			}
			_, err := Load(context.Background(), tc.setup(), opts)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %v", err, tc.is)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "tiny-xlmr", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{ModelType: "xlm-roberta", VocabSize: 1000, HiddenSize: 32, NumLayers: 2, NumHeads: 4,
		IntermediateSize: 64, MaxPositions: 66, TypeVocabSize: 1, LayerNormEps: 1e-5, PadTokenID: 1,
		HiddenDropout: 0.1, AttentionDropout: 0.1}
	c.raw = nil
	if !reflect.DeepEqual(c, want) {
		t.Errorf("ParseConfig = %+v, want %+v", c, want)
	}
	if c.MaxLength() != 64 {
		t.Errorf("MaxLength = %d, want 64 (66 positions − padding_idx 1 − 1)", c.MaxLength())
	}
	for _, bad := range []string{
		`{"model_type": "bert"}`,
		`{"model_type": "bert", "vocab_size": 10, "hidden_size": 30, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 8, "max_position_embeddings": 8}`,
		`{"model_type": "bert", "vocab_size": 10, "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 8, "max_position_embeddings": 8, "layer_norm_eps": 0}`,
		`{"model_type": "bert", "vocab_size": 10, "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 8, "max_position_embeddings": 8, "hidden_dropout_prob": 1}`,
		`{"model_type": "roberta", "vocab_size": 10, "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 8, "max_position_embeddings": 2}`,
		`{"model_type": "bert", "vocab_size": 100000000, "hidden_size": 4096, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 8, "max_position_embeddings": 8}`,
		`[1, 2]`,
	} {
		if _, err := ParseConfig([]byte(bad)); !errors.Is(err, ErrConfig) {
			t.Errorf("ParseConfig(%s) = %v, want an ErrConfig error", bad, err)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	for _, d := range []string{"tiny-bert", "tiny-xlmr", "tiny-labse"} {
		data, err := os.ReadFile(filepath.Join("testdata", d, "config.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v does not wrap ErrConfig", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parsed config does not validate: %v", err)
		}
		// A valid config describes a buildable model of bounded size.
		if int64(c.VocabSize)*int64(c.HiddenSize) > 1<<34 || c.MaxLength() < 1 {
			t.Fatalf("config %+v out of bounds", c)
		}
	})
}

func TestOptionsPanics(t *testing.T) {
	for _, opts := range []Options{{Dropout: 1}, {Workers: -1}, {Pooling: 9}, {Normalize: 7}} {
		func() {
			defer func() {
				if r, ok := recover().(string); !ok || !strings.HasPrefix(r, "model: ") {
					t.Errorf("Load with %+v: panic %v, want a model: message", opts, r)
				}
			}()
			Load(context.Background(), filepath.Join("testdata", "tiny-bert"), opts)
		}()
	}
}
