package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The smoke test embeds the texts and the ids of the tiny LaBSE-shaped
// fixture of package model and compares the output with its PyTorch
// goldens (abs 1e-5).

var fixture = filepath.Join("..", "..", "model", "testdata", "tiny-labse")

type golden struct {
	Inputs struct {
		Texts         []string  `json:"texts"`
		InputIDs      [][]int32 `json:"input_ids"`
		AttentionMask [][]int   `json:"attention_mask"`
	} `json:"inputs"`
	Outputs struct {
		SentenceEmbedding [][]float64   `json:"sentence_embedding"`
		MeanPooling       [][]float64   `json:"mean_pooling"`
		LastHiddenState   [][][]float64 `json:"last_hidden_state"`
	} `json:"outputs"`
}

func readGolden(t *testing.T) *golden {
	data, err := os.ReadFile(filepath.Join(fixture, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

func (g *golden) ids(i int) []int32 {
	n := 0
	for j, m := range g.Inputs.AttentionMask[i] {
		if m == 1 {
			n = j + 1
		}
	}
	return g.Inputs.InputIDs[i][:n]
}

func runLines(t *testing.T, args []string, lines []any) []map[string]json.RawMessage {
	t.Helper()
	var in bytes.Buffer
	for _, l := range lines {
		b, _ := json.Marshal(l)
		in.Write(append(b, '\n'))
	}
	var out bytes.Buffer
	if err := run(context.Background(), args, &in, &out); err != nil {
		t.Fatal(err)
	}
	var res []map[string]json.RawMessage
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("output %q: %v", sc.Text(), err)
		}
		res = append(res, m)
	}
	return res
}

func near(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-5 {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestEmbed(t *testing.T) {
	g := readGolden(t)
	var lines []any
	for i, text := range g.Inputs.Texts {
		lines = append(lines, map[string]any{"text": text}, map[string]any{"ids": g.ids(i)})
	}
	out := runLines(t, []string{"-model", fixture, "-batch", "3"}, lines)
	if len(out) != len(lines) {
		t.Fatalf("%d output lines, want %d", len(out), len(lines))
	}
	for i, o := range out {
		var emb []float64
		if err := json.Unmarshal(o["embedding"], &emb); err != nil {
			t.Fatal(err)
		}
		near(t, "embedding", emb, g.Outputs.SentenceEmbedding[i/2])
	}
	out = runLines(t, []string{"-model", fixture, "-pooling", "mean", "-normalize", "off", "-hidden"}, lines[1:2])
	var hs [][]float64
	if err := json.Unmarshal(out[0]["last_hidden_state"], &hs); err != nil {
		t.Fatal(err)
	}
	if len(hs) != len(g.ids(0)) {
		t.Fatalf("%d hidden states, want %d", len(hs), len(g.ids(0)))
	}
	for r := range hs {
		near(t, "last_hidden_state", hs[r], g.Outputs.LastHiddenState[0][r])
	}
	// Prefixes change the embedding.
	q := runLines(t, []string{"-model", fixture, "-role", "query"}, lines[:1])
	if string(q[0]["embedding"]) == string(out[0]["embedding"]) {
		t.Error("-role query did not change the embedding")
	}
}

func TestEmbedErrors(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		input string
		want  string
	}{
		{nil, "", "-model is required"},
		{[]string{"-model", fixture, "-pooling", "avg"}, "", "-pooling"},
		{[]string{"-model", fixture}, "{\"text\": \"a\"}\nnot json\n", "line 2"},
		{[]string{"-model", fixture}, `{"text": "a", "ids": [2, 3]}` + "\n", "exactly one"},
		{[]string{"-model", fixture}, `{"ids": [2, 5000]}` + "\n", "outside the vocabulary"},
	} {
		err := run(context.Background(), tc.args, strings.NewReader(tc.input), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%v) = %v, want an error mentioning %q", tc.args, err, tc.want)
		}
	}
}
