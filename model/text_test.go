package model

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/polyret/polyret/model/tokenizer"
)

// TestTokenizedGoldens checks the text path: tokenizing the golden texts
// (with truncation to the model's length) gives the golden ids, and Encode
// of the texts gives the golden embeddings.
func TestTokenizedGoldens(t *testing.T) {
	var e struct {
		expectedForward
		Inputs struct {
			Texts []string `json:"texts"`
		} `json:"inputs"`
	}
	for _, tc := range []struct {
		dir, key string
		opts     Options
	}{
		{"tiny-bert", "mean_pooling", Options{}},
		{"tiny-labse", "sentence_embedding", Options{}},
	} {
		dir := filepath.Join("testdata", tc.dir)
		readJSON(t, filepath.Join(dir, "expected.json"), &e)
		fwd := readExpected(t, dir)
		want := fwd.unpadded()
		m := loadTest(t, dir, tc.opts)
		if m.Tokenizer() == nil {
			t.Fatalf("%s: no tokenizer", tc.dir)
		}
		for i, text := range e.Inputs.Texts {
			if got := m.tokenizeOne(text); !slices.Equal(got, want[i]) {
				t.Errorf("%s: text %d: ids %v, want %v", tc.dir, i, got, want[i])
			}
		}
		got, err := m.EncodeAll(context.Background(), e.Inputs.Texts)
		if err != nil {
			t.Fatal(err)
		}
		checkClose(t, tc.dir+" "+tc.key, got, fwd.matrix(t, tc.key), fwd.Tolerance.Abs)
	}
}

// TestModel2Vec reproduces the expected outputs of model2vec's test models
// (from model2vec-rs, computed by the Python model2vec package).
func TestModel2Vec(t *testing.T) {
	long := strings.TrimSpace(strings.Repeat("hello ", 1000))
	for _, tc := range []struct {
		model, text, want string
	}{
		{"test-model-float32", "hello world", "embeddings_short.json"},
		{"test-model-float32", long, "embeddings_long.json"},
		{"test-model-vocab-quantized", long, "embeddings_vocab_quantized.json"},
	} {
		dir := filepath.Join("testdata", "model2vec")
		var want [][]float64
		readJSON(t, filepath.Join(dir, tc.want), &want)
		m, err := Load(context.Background(), filepath.Join(dir, tc.model), Options{})
		var got [][]float32
		switch {
		case errors.Is(err, tokenizer.ErrUnsupported):
			// The tokenizer package cannot read this tokenizer.json yet:
			// check the model on the ids of "hello" (a single Unigram
			// piece, repeated) without its tokenizer.
			t.Logf("%s: text path skipped: %v", tc.model, err)
			m = loadWithoutTokenizer(t, filepath.Join(dir, tc.model))
			id := pieceID(t, filepath.Join(dir, tc.model, "tokenizer.json"), "▁hello")
			ids := slices.Repeat([]int32{id}, staticMaxLength)
			if got, err = m.EmbedIDs(context.Background(), [][]int32{ids}); err != nil {
				t.Fatal(err)
			}
		case err != nil:
			t.Fatal(err)
		default:
			if got, err = m.EncodeAll(context.Background(), []string{tc.text}); err != nil {
				t.Fatal(err)
			}
		}
		if len(got[0]) != len(want[0]) {
			t.Fatalf("%s: dim %d, want %d", tc.want, len(got[0]), len(want[0]))
		}
		worst := 0.0
		for j, w := range want[0] {
			d := math.Abs(float64(got[0][j]) - w)
			if d > 1e-6+1e-5*math.Abs(w) {
				t.Errorf("%s[%d] = %v, want %v", tc.want, j, got[0][j], w)
			}
			worst = max(worst, d)
		}
		t.Logf("%s: max |got − want| = %.3g", tc.want, worst)
	}
}

// loadWithoutTokenizer loads a copy of dir without its tokenizer.json.
func loadWithoutTokenizer(t *testing.T, dir string) *Model {
	t.Helper()
	tmp := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "tokenizer.json" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return loadTest(t, tmp, Options{})
}

// pieceID returns the id of a piece of a Unigram tokenizer.json.
func pieceID(t *testing.T, path, piece string) int32 {
	t.Helper()
	var tj struct {
		Model struct {
			Vocab [][2]any `json:"vocab"`
		} `json:"model"`
	}
	readJSON(t, path, &tj)
	for i, v := range tj.Model.Vocab {
		if v[0] == piece {
			return int32(i)
		}
	}
	t.Fatalf("%s: no piece %q", path, piece)
	return 0
}

// TestTokenizeParallel checks that a large input, tokenized on several
// workers, gives the ids of one-by-one tokenization.
func TestTokenizeParallel(t *testing.T) {
	m := loadTest(t, filepath.Join("testdata", "tiny-bert"), Options{Workers: 3})
	words := []string{"capital", "of", "France", "die", "Stadt", "London", "el", "mundo", "Paris"}
	texts := make([]string, 1000)
	for i := range texts {
		texts[i] = strings.Join([]string{words[i%9], words[(i/9)%9], words[(i/81)%9]}, " ")
	}
	seqs, err := m.Tokenize(texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		if want := m.tokenizeOne(text); !slices.Equal(seqs[i], want) {
			t.Fatalf("text %d: %v, want %v", i, seqs[i], want)
		}
	}
}

// TestRolePrefixes checks what the views prepend under each Options, and
// that a view's embeddings are those of the model on the prefixed texts.
func TestRolePrefixes(t *testing.T) {
	dir := filepath.Join("testdata", "tiny-bert")
	for _, tc := range []struct {
		name        string
		opts        Options
		query, pass string
	}{
		{"default", Options{}, "Query: ", "Passage: "},
		{"on", Options{Prefixes: On}, "Query: ", "Passage: "},
		{"off", Options{Prefixes: Off}, "", ""},
		{"custom", Options{QueryPrefix: "query: ", PassagePrefix: "passage: "}, "query: ", "passage: "},
		{"custom-off", Options{QueryPrefix: "query: ", PassagePrefix: "passage: ", Prefixes: Off}, "query: ", "passage: "},
		{"query-only", Options{QueryPrefix: "Represent this sentence: ", Prefixes: Off}, "Represent this sentence: ", ""},
		{"passage-default", Options{QueryPrefix: "q: "}, "q: ", "Passage: "},
	} {
		m := loadTest(t, dir, tc.opts)
		if q, p := m.Queries().Prefix(), m.Passages().Prefix(); q != tc.query || p != tc.pass {
			t.Errorf("%s: prefixes %q, %q; want %q, %q", tc.name, q, p, tc.query, tc.pass)
		}
		texts := []string{"Wo liegt Genf?", "Geneva lies on Lake Geneva."}
		for _, r := range []Role{m.Queries(), m.Passages()} {
			got, err := r.EncodeAll(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			want, err := m.EncodeAll(context.Background(), []string{r.Prefix() + texts[0], r.Prefix() + texts[1]})
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if !slices.Equal(got[i], want[i]) {
					t.Errorf("%s: view %q: embedding %d differs from the model's of the prefixed text", tc.name, r.Prefix(), i)
				}
			}
		}
	}
	defer func() {
		if r := recover(); r != "model: unknown Options.Prefixes" {
			t.Errorf("Prefixes: 3: panic %v", r)
		}
	}()
	loadTest(t, dir, Options{Prefixes: 3})
}
