package model

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The goldens in testdata/tiny-* come from PyTorch (gen_fixtures.py, copied
// from the shared fixtures with README.fixtures.md); forward outputs are
// compared with an absolute tolerance of 1e-5 on real (unpadded) tokens.

type expectedForward struct {
	Tolerance struct {
		Abs float64 `json:"abs"`
	} `json:"tolerance"`
	Inputs struct {
		InputIDs      [][]int32 `json:"input_ids"`
		AttentionMask [][]int   `json:"attention_mask"`
		PositionIDs   [][]int32 `json:"position_ids"`
		Lengths       []int     `json:"lengths"`
	} `json:"inputs"`
	Outputs map[string]json.RawMessage `json:"outputs"`
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func readExpected(t testing.TB, dir string) *expectedForward {
	var e expectedForward
	readJSON(t, filepath.Join(dir, "expected.json"), &e)
	return &e
}

// unpadded returns the real tokens of each input sequence.
func (e *expectedForward) unpadded() [][]int32 {
	seqs := make([][]int32, len(e.Inputs.InputIDs))
	for i, ids := range e.Inputs.InputIDs {
		n := 0
		for j, m := range e.Inputs.AttentionMask[i] {
			if m == 1 {
				n = j + 1
			}
		}
		seqs[i] = ids[:n]
	}
	return seqs
}

func (e *expectedForward) matrix(t testing.TB, key string) [][]float64 {
	t.Helper()
	var m [][]float64
	if err := json.Unmarshal(e.Outputs[key], &m); err != nil {
		t.Fatalf("output %s: %v", key, err)
	}
	return m
}

func loadTest(t testing.TB, dir string, opts Options) *Model {
	t.Helper()
	m, err := Load(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// maxAbsDiff returns max |got − want| over all entries.
func maxAbsDiff(got [][]float32, want [][]float64) float64 {
	worst := 0.0
	for i := range want {
		for j := range want[i] {
			worst = max(worst, math.Abs(float64(got[i][j])-want[i][j]))
		}
	}
	return worst
}

func checkClose(t *testing.T, what string, got [][]float32, want [][]float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("%s: row %d has %d values, want %d", what, i, len(got[i]), len(want[i]))
		}
	}
	d := maxAbsDiff(got, want)
	if !(d <= tol) {
		t.Errorf("%s: max |got − want| = %.3g > %.3g", what, d, tol)
	} else {
		t.Logf("%s: max |got − want| = %.3g (tolerance %.0g)", what, d, tol)
	}
}

func TestForwardGoldens(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		dir     string
		pooling map[string]Options // output key → options selecting it
	}{
		{"tiny-bert", map[string]Options{
			"cls_pooling":   {Pooling: PoolCLS},
			"mean_pooling":  {Pooling: PoolMean},
			"pooler_output": {Pooling: PoolPooler},
		}},
		{"tiny-xlmr", map[string]Options{
			"cls_pooling":  {Pooling: PoolCLS},
			"mean_pooling": {Pooling: PoolMean},
		}},
		{"tiny-labse", map[string]Options{
			"cls_pooling":        {Pooling: PoolCLS, Normalize: Off},
			"st_pooling_output":  {Normalize: Off},
			"mean_pooling":       {Pooling: PoolMean, Normalize: Off},
			"pooler_output":      {Pooling: PoolPooler, Normalize: Off},
			"dense_output":       {Normalize: Off},
			"sentence_embedding": {},
		}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", tc.dir)
			e := readExpected(t, dir)
			tol := e.Tolerance.Abs
			seqs := e.unpadded()
			m := loadTest(t, dir, Options{})
			hs, err := m.HiddenStates(seqs)
			if err != nil {
				t.Fatal(err)
			}
			var want [][][]float64
			if err := json.Unmarshal(e.Outputs["last_hidden_state"], &want); err != nil {
				t.Fatal(err)
			}
			for s := range seqs {
				checkClose(t, "last_hidden_state["+itoa(s)+"]", hs[s], want[s][:len(seqs[s])], tol)
			}
			for key, opts := range tc.pooling {
				m := loadTest(t, dir, opts)
				if key != "dense_output" && key != "sentence_embedding" {
					m.hd.dense = [2]*Param{} // the outputs before the Dense module
				}
				got, err := m.EmbedIDs(ctx, seqs)
				if err != nil {
					t.Fatal(err)
				}
				checkClose(t, key, got, e.matrix(t, key), tol)
				// The training path computes the same values.
				node, err := m.EncodeIDs(seqs)
				if err != nil {
					t.Fatal(err)
				}
				d := node.Value().Data().F32()
				for i := range got {
					for j := range got[i] {
						if got[i][j] != d[i*len(got[i])+j] {
							t.Fatalf("%s: EncodeIDs[%d][%d] = %v, EmbedIDs %v", key, i, j, d[i*len(got[i])+j], got[i][j])
						}
					}
				}
			}
		})
	}
}

func itoa(i int) string { return string(rune('0' + i)) }
