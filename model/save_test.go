package model

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// sameParams reports the first Param of a whose name, shape or bits differ
// from b's.
func sameParams(t *testing.T, a, b *Model) {
	t.Helper()
	pa, pb := a.Params(), b.Params()
	if len(pa) != len(pb) {
		t.Fatalf("%d params, reloaded %d", len(pa), len(pb))
	}
	for i := range pa {
		if pa[i].Name != pb[i].Name || !reflect.DeepEqual(pa[i].Shape, pb[i].Shape) {
			t.Fatalf("param %d: %s %v, reloaded %s %v", i, pa[i].Name, pa[i].Shape, pb[i].Name, pb[i].Shape)
		}
		for j, v := range pa[i].Value {
			if math.Float32bits(v) != math.Float32bits(pb[i].Value[j]) {
				t.Fatalf("%s[%d] = %v, reloaded %v", pa[i].Name, j, v, pb[i].Value[j])
			}
		}
	}
}

func sameFile(t *testing.T, got, want string) {
	t.Helper()
	g, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g, w) {
		t.Errorf("%s differs from %s", got, want)
	}
}

func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	readJSON(t, got, &g)
	readJSON(t, want, &w)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %v, want %v (as %s)", got, g, w, want)
	}
}

// TestSaveUnchanged saves freshly loaded models: every file the fixtures
// have must come back identical (the safetensors files byte for byte, the
// JSON files as JSON).
func TestSaveUnchanged(t *testing.T) {
	for _, tc := range []struct {
		dir       string
		bytewise  []string
		asJSON    []string
		notExists []string
	}{
		{"tiny-bert", []string{"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"}, nil, []string{"pytorch_model.bin"}},
		{"tiny-xlmr", []string{"config.json", "model.safetensors"}, nil, nil},
		{"tiny-labse", []string{"config.json", "model.safetensors", "vocab.txt", "2_Dense/model.safetensors", "config_sentence_transformers.json"},
			[]string{"modules.json", "1_Pooling/config.json", "2_Dense/config.json", "sentence_bert_config.json"}, nil},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			src := filepath.Join("testdata", tc.dir)
			m := loadTest(t, src, Options{})
			out := filepath.Join(t.TempDir(), "saved")
			if err := m.Save(out); err != nil {
				t.Fatal(err)
			}
			for _, f := range tc.bytewise {
				sameFile(t, filepath.Join(out, f), filepath.Join(src, f))
			}
			for _, f := range tc.asJSON {
				sameJSON(t, filepath.Join(out, f), filepath.Join(src, f))
			}
			for _, f := range tc.notExists {
				if _, err := os.Stat(filepath.Join(out, f)); err == nil {
					t.Errorf("%s written", f)
				}
			}
			sameParams(t, m, loadTest(t, out, Options{}))
		})
	}
}

// TestSaveAfterTraining trains tiny-labse for a step, saves it over an
// existing directory and reloads it: parameters are bit-identical and the
// embeddings the same.
func TestSaveAfterTraining(t *testing.T) {
	m := loadTest(t, filepath.Join("testdata", "tiny-labse"), Options{Dropout: -1})
	g, _ := loadTrainingGolden(t)
	opt := NewAdamW(m.Params(), AdamWConfig{LR: 1e-3})
	trainStep(t, m, g, true)
	if _, err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "model")
	if err := os.MkdirAll(filepath.Join(out, "stale"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "stale")); err == nil {
		t.Error("the previous directory content survived Save")
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("Save left %d entries next to the model", len(entries)-1)
	}
	re := loadTest(t, out, Options{})
	sameParams(t, m, re)
	seqs := g.seqs("query")
	a, err := m.EmbedIDs(context.Background(), seqs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := re.EmbedIDs(context.Background(), seqs)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("reloaded model embeds differently")
	}
	// The saved head describes the model: CLS pooling, Dense with tanh,
	// Normalize.
	var mods []stModule
	readJSON(t, filepath.Join(out, "modules.json"), &mods)
	want := []string{"Transformer", "Pooling", "Dense", "Normalize"}
	for i, mod := range mods {
		if mod.Type != "sentence_transformers.models."+want[i] {
			t.Errorf("module %d is %s, want %s", i, mod.Type, want[i])
		}
	}
}

// TestSaveHead checks the module files written for a plain Hugging Face
// directory used with mean pooling and normalisation.
func TestSaveHead(t *testing.T) {
	m := loadTest(t, filepath.Join("testdata", "tiny-bert"), Options{Pooling: PoolMean, Normalize: On, MaxLength: 40})
	out := filepath.Join(t.TempDir(), "m")
	if err := m.Save(out); err != nil {
		t.Fatal(err)
	}
	var pool map[string]any
	readJSON(t, filepath.Join(out, "1_Pooling", "config.json"), &pool)
	if pool["pooling_mode_mean_tokens"] != true || pool["pooling_mode_cls_token"] != false {
		t.Errorf("pooling config %v", pool)
	}
	var sc map[string]any
	readJSON(t, filepath.Join(out, "sentence_bert_config.json"), &sc)
	if sc["max_seq_length"] != json.Number("40") && sc["max_seq_length"] != 40.0 {
		t.Errorf("max_seq_length = %v, want 40", sc["max_seq_length"])
	}
	re := loadTest(t, out, Options{})
	if re.Pooling() != PoolMean || !re.hd.normalize || re.MaxLength() != 40 {
		t.Errorf("reloaded: pooling %v, normalize %v, max length %d", re.Pooling(), re.hd.normalize, re.MaxLength())
	}
}

// TestSaveRandom saves a model built in Go (no source directory): the
// generated config.json and module files load back to the same model.
func TestSaveRandom(t *testing.T) {
	cfg := Config{ModelType: "xlm-roberta", VocabSize: 50, HiddenSize: 16, NumLayers: 1, NumHeads: 2,
		IntermediateSize: 32, MaxPositions: 20, TypeVocabSize: 1, LayerNormEps: 1e-5, PadTokenID: 1}
	m, err := NewRandom(cfg, Options{Pooling: PoolCLS, Normalize: On, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "random")
	if err := m.Save(out); err != nil {
		t.Fatal(err)
	}
	re := loadTest(t, out, Options{})
	sameParams(t, m, re)
	if c := re.Config(); c.ModelType != "xlm-roberta" || c.PadTokenID != 1 || c.LayerNormEps != 1e-5 || c.MaxLength() != 18 {
		t.Errorf("reloaded config %+v", c)
	}
	seqs := [][]int32{{0, 5, 6, 2}, {0, 7, 2}}
	a, _ := m.EmbedIDs(context.Background(), seqs)
	b, _ := re.EmbedIDs(context.Background(), seqs)
	if !reflect.DeepEqual(a, b) || re.Pooling() != PoolCLS || !re.hd.normalize {
		t.Error("reloaded random model differs")
	}
}
