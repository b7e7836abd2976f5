package model

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
)

// TestStaticGradient checks the static model's backward pass (mean pooling,
// then normalisation) against central finite differences of its forward
// pass, for every embedding value of the tokens in the batch.
func TestStaticGradient(t *testing.T) {
	m := loadTest(t, filepath.Join("testdata", "model2vec", "test-model-float32"), Options{})
	texts := []string{"hello world", "the cat sat on the mat", "hello"}
	seqs, err := m.Tokenize(texts)
	if err != nil {
		t.Fatal(err)
	}
	r := []float64{0.3, -1.2, 0.7, 0.4, -0.5, 1.1}
	lossOf := func() float64 {
		out, err := m.EmbedIDs(context.Background(), seqs)
		if err != nil {
			t.Fatal(err)
		}
		var l float64
		for i, row := range out {
			for j, v := range row {
				l += r[i*len(row)+j] * float64(v)
			}
		}
		return l
	}
	node, err := m.Encode(texts)
	if err != nil {
		t.Fatal(err)
	}
	node.AccGrad(mat.NewDense[float32](mat.WithShape(3, 2), mat.WithBacking([]float32{0.3, -1.2, 0.7, 0.4, -0.5, 1.1})))
	if err := ag.Backward(node); err != nil {
		t.Fatal(err)
	}
	emb := m.Params()[0]
	used := map[int32]bool{}
	for _, s := range seqs {
		for _, id := range s {
			used[id] = true
		}
	}
	const h = 1e-3
	checked := 0
	for id := range used {
		for j := range 2 {
			k := int(id)*2 + j
			v := emb.Value[k]
			emb.Value[k] = v + h
			lp := lossOf()
			emb.Value[k] = v - h
			lm := lossOf()
			emb.Value[k] = v
			num := (lp - lm) / (2 * h)
			if math.Abs(num-float64(emb.Grad[k])) > 2e-3*(1+math.Abs(num)) {
				t.Errorf("d/d emb[%d][%d] = %v, finite difference %v", id, j, emb.Grad[k], num)
			}
			checked++
		}
	}
	for i, g := range emb.Grad {
		if g != 0 && !used[int32(i/2)] {
			t.Fatalf("gradient on row %d, which no text uses", i/2)
		}
	}
	if checked == 0 || !slices.Contains(m.Params(), emb) {
		t.Fatal("nothing checked")
	}
}

// TestEncodeErrors checks the input errors of the encoding methods.
func TestEncodeErrors(t *testing.T) {
	m := loadTest(t, filepath.Join("testdata", "tiny-xlmr"), Options{})
	long := slices.Repeat([]int32{5}, 65)
	for _, tc := range []struct {
		name string
		seqs [][]int32
	}{
		{"no sequences", nil},
		{"empty sequence", [][]int32{{0, 2}, {}}},
		{"too long", [][]int32{long}},
		{"id outside", [][]int32{{0, 1000, 2}}},
		{"negative id", [][]int32{{0, -1, 2}}},
	} {
		if _, err := m.EncodeIDs(tc.seqs); err == nil {
			t.Errorf("EncodeIDs(%s): no error", tc.name)
		}
	}
	if _, err := m.Encode([]string{"text"}); err == nil {
		t.Error("Encode without tokenizer: no error")
	}
	if _, err := m.EmbedIDs(context.Background(), [][]int32{{0, 1000}}); err == nil {
		t.Error("EmbedIDs with an id outside the vocabulary: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.EmbedIDs(ctx, [][]int32{{0, 5, 2}}); err != context.Canceled {
		t.Errorf("EmbedIDs with a cancelled context: %v", err)
	}
	// The longest sequence the position table allows is accepted.
	if _, err := m.EncodeIDs([][]int32{long[:64]}); err != nil {
		t.Errorf("EncodeIDs at MaxLength: %v", err)
	}
}

type recorder struct {
	calls [][2]int
	fail  error
}

func (r *recorder) Record(stage string, done, total int) error {
	if stage != "encode" {
		return errors.New("unexpected stage " + stage)
	}
	r.calls = append(r.calls, [2]int{done, total})
	return r.fail
}

func TestEncodeAllProgress(t *testing.T) {
	rec := &recorder{}
	m := loadTest(t, filepath.Join("testdata", "model2vec", "test-model-float32"), Options{BatchSize: 2, Recorder: rec})
	texts := []string{"a", "b", "c", "d", "e"}
	if _, err := m.EncodeAll(context.Background(), texts); err != nil {
		t.Fatal(err)
	}
	if want := [][2]int{{2, 5}, {4, 5}, {5, 5}}; !slices.Equal(rec.calls, want) {
		t.Errorf("progress %v, want %v", rec.calls, want)
	}
	stop := errors.New("stop")
	rec.calls, rec.fail = nil, stop
	if _, err := m.EncodeAll(context.Background(), texts); !errors.Is(err, stop) || len(rec.calls) != 1 {
		t.Errorf("recorder error: err %v after %d calls", err, len(rec.calls))
	}
}
