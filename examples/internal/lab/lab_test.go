package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/loss"
	"github.com/polyret/polyret/metrics"
	"github.com/polyret/polyret/model"
	"github.com/polyret/polyret/sampler"
)

// tinyBERT is a 2-layer, 32-wide random BERT with a 1,000-token mBERT
// vocabulary (model/testdata).
const tinyBERT = "../../../model/testdata/tiny-bert"

func loadTiny(t *testing.T) *model.Model {
	t.Helper()
	m, err := model.Load(context.Background(), tinyBERT, model.Options{Normalize: model.On})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "f.txt")
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	if err := WriteFile(path, write("one")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(path, func(w io.Writer) error { io.WriteString(w, "partial"); return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("WriteFile error = %v, want boom", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "one" {
		t.Errorf("after a failed write the file holds %q, want the old %q", got, "one")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestSummaryJSON(t *testing.T) {
	s := Summary{MAPMono: 0.5, MAPCross: math.NaN(), MAPMulti: 0.25, R1Mono: 1, R1Cross: math.NaN(), R10Multi: 0.125, RankDistance: 3}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"map_mono":0.5,"map_cross":null,"map_multi":0.25,"recall1_mono":1,"recall1_cross":null,"recall10_multi":0.125,"rank_distance":3}`
	if string(data) != want {
		t.Errorf("Marshal = %s, want %s", data, want)
	}
	var back Summary
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.MAPMono != 0.5 || !math.IsNaN(back.MAPCross) || back.RankDistance != 3 || !math.IsNaN(back.R1Cross) {
		t.Errorf("round trip = %+v", back)
	}
}

// smallTask is XQuAD-R's held-out articles of a 0.05 split in en and de.
func smallTask(t *testing.T) (train, test *datasets.Task) {
	t.Helper()
	pool, err := datasets.LoadXQuADR(datasets.QAConfig{Languages: []datasets.Lang{"de", "en", "es"}})
	if err != nil {
		t.Fatal(err)
	}
	return pool.SplitByArticle(0.05, 1)
}

// TestEvaluateQAWrite checks the report against the runs it writes: with
// runs as deep as the candidate pools, trec_eval's map of each setting's
// run (computed by metrics.Evaluate from the written files) equals the
// report's micro-averaged LAReQA mAP, two independent computations.
func TestEvaluateQAWrite(t *testing.T) {
	ctx := context.Background()
	m := loadTiny(t)
	_, test := smallTask(t)
	res, err := EvaluateQA(ctx, m, test, "tiny", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(res.Report)
	for name, v := range map[string]float64{"mono": s.MAPMono, "cross": s.MAPCross, "multi": s.MAPMulti, "R@1": s.R1Mono, "R@10": s.R10Multi} {
		if !(v > 0 && v <= 1) {
			t.Errorf("%s = %v, want in (0, 1]", name, v)
		}
	}
	if !(s.RankDistance > 0) {
		t.Errorf("rank distance = %v, want > 0", s.RankDistance)
	}
	dir := t.TempDir()
	if err := res.Write(ctx, dir, WriteConfig{RunDepth: len(test.Candidates), CrossRuns: true}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.json", "report.md", "report.csv", "map.png", "map.svg", "runs/mono.trec", "runs/multi.trec", "runs/cross-de.trec", "runs/cross-en.trec", "runs/cross-es.trec", "qrels/mono.qrels"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	png, _ := os.ReadFile(filepath.Join(dir, "map.png"))
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Error("map.png is not a PNG")
	}
	mapMeasure, _ := metrics.ParseMeasure("map")
	for _, c := range []struct {
		file string
		kind metrics.Kind
	}{{"mono", metrics.Monolingual}, {"multi", metrics.Multilingual}} {
		run, err := metrics.ReadRunFile(filepath.Join(dir, "runs", c.file+".trec"), metrics.FormatTREC)
		if err != nil {
			t.Fatal(err)
		}
		qrels, err := metrics.ReadQrelsFile(filepath.Join(dir, "qrels", c.file+".qrels"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := metrics.Evaluate(qrels, run, mapMeasure, metrics.Options{})
		if err != nil {
			t.Fatal(err)
		}
		micro := res.Report.Summary(c.kind).Micro[slices.Index(res.Report.Measures, "map")]
		if math.Abs(r.All[0]-micro) > 1e-12 {
			t.Errorf("%s: trec_eval map of the written run = %.15f, report micro mAP = %.15f", c.file, r.All[0], micro)
		}
	}
	// Cross: the union of the cross-<Y> runs covers every pair.
	total := 0
	for _, y := range []string{"de", "en", "es"} {
		run, err := metrics.ReadRunFile(filepath.Join(dir, "runs", "cross-"+y+".trec"), metrics.FormatTREC)
		if err != nil {
			t.Fatal(err)
		}
		for q, docs := range run {
			if strings.HasSuffix(q, "_"+y) {
				t.Fatalf("cross-%s has query %s in its own language", y, q)
			}
			for _, d := range docs {
				if !strings.HasPrefix(d.ID, y+"_") {
					t.Fatalf("cross-%s ranks %s", y, d.ID)
				}
			}
			total++
		}
	}
	if want := 2 * len(test.Queries); total != want {
		t.Errorf("cross runs hold %d query rankings, want %d (each query against 2 other languages)", total, want)
	}
}

func newTrainer(t *testing.T, m *model.Model, seed uint64) *Trainer {
	t.Helper()
	train, _ := smallTask(t)
	data, err := datasets.BuildTuples(train, datasets.TupleConfig{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sampler.NewHybrid([]datasets.Dataset{*data}, sampler.Config{BatchSize: 6, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	opt := model.NewAdamW(m.Params(), model.AdamWConfig{LR: 1e-3})
	return &Trainer{Model: m, Sampler: s, Opt: opt, Loss: loss.Config{}, ChunkSize: 5, Seed: seed}
}

func TestTrainerDiverged(t *testing.T) {
	ctx := context.Background()
	m := loadTiny(t)
	tr := newTrainer(t, m, 1)
	m.SetTraining(true)
	if _, err := tr.Step(ctx); err != nil {
		t.Fatal(err)
	}
	p := m.Params()[0]
	for i := range p.Value { // every word embedding
		p.Value[i] = float32(math.NaN())
	}
	before := make([][]float32, len(m.Params()))
	for i, q := range m.Params()[1:] {
		before[i+1] = slices.Clone(q.Value)
	}
	_, err := tr.Step(ctx)
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "step 2") {
		t.Fatalf("Step with NaN weights: error %v, want ErrDiverged at step 2", err)
	}
	if tr.Steps != 1 {
		t.Errorf("Steps = %d after a diverged step, want 1", tr.Steps)
	}
	for i, q := range m.Params()[1:] {
		if !slices.Equal(before[i+1], q.Value) {
			t.Errorf("%s changed by a diverged step", q.Name)
		}
		if q.HasGrad() {
			t.Errorf("%s keeps a gradient after a diverged step", q.Name)
		}
	}
}

// TestCheckpointResume trains 4 steps straight and 2 + checkpoint + restore
// + 2, and compares every weight bit for bit.
func TestCheckpointResume(t *testing.T) {
	ctx := context.Background()
	steps := func(tr *Trainer, n int) []float64 {
		var ls []float64
		for range n {
			info, err := tr.Step(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ls = append(ls, info.Loss)
		}
		return ls
	}
	a := newTrainer(t, loadTiny(t), 3)
	a.Model.SetTraining(true) // dropout on: masks must replay too
	lossA := steps(a, 4)

	root := t.TempDir()
	b := newTrainer(t, loadTiny(t), 3)
	b.Model.SetTraining(true)
	type st struct{ Step int }
	var lossB []float64
	for i := 1; i <= 2; i++ {
		lossB = append(lossB, steps(b, 1)...)
		if _, err := SaveCheckpoint(root, i, b.Model, b.Opt, b.Sampler.(*sampler.Hybrid), st{i}, 1); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := LatestCheckpoint(root)
	if err != nil || filepath.Base(dir) != "step-00000002" {
		t.Fatalf("LatestCheckpoint = %q, %v", dir, err)
	}
	m, err := model.Load(ctx, CheckpointModel(dir), model.Options{Normalize: model.On})
	if err != nil {
		t.Fatal(err)
	}
	c := newTrainer(t, m, 3)
	var got st
	if err := RestoreCheckpoint(dir, c.Opt, c.Sampler.(*sampler.Hybrid), &got); err != nil {
		t.Fatal(err)
	}
	if got.Step != 2 {
		t.Errorf("state step = %d, want 2", got.Step)
	}
	c.Steps = got.Step
	c.Model.SetTraining(true)
	lossB = append(lossB, steps(c, 2)...)
	if !slices.Equal(lossA, lossB) {
		t.Errorf("losses straight %v, resumed %v", lossA, lossB)
	}
	for i, p := range a.Model.Params() {
		q := c.Model.Params()[i]
		if p.Name != q.Name || !slices.Equal(p.Value, q.Value) {
			t.Fatalf("%s differs after resuming", p.Name)
		}
	}

	if _, err := LatestCheckpoint(t.TempDir()); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("LatestCheckpoint(empty) error = %v, want ErrNoCheckpoint", err)
	}
	entries, _ := os.ReadDir(root)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"latest", "step-00000002"}; !slices.Equal(names, want) { // keep 1
		t.Errorf("checkpoint root holds %v, want %v", names, want)
	}
}

func TestWriteCurves(t *testing.T) {
	dir := t.TempDir()
	curves := []Curve{{"a", []float64{3, 2, 1.5, 1}}, {"b", []float64{3, 2.5}}, {"empty", nil}}
	for _, ext := range []string{"png", "svg"} {
		path := filepath.Join(dir, "loss."+ext)
		if err := WriteCurves(path, "loss", "loss", curves); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		if ext == "png" && !bytes.HasPrefix(data, []byte("\x89PNG")) || ext == "svg" && !bytes.Contains(data, []byte("<svg")) {
			t.Errorf("%s: not a %s file", path, ext)
		}
	}
	// (0.5·1)/0.5 = 1; (0.25·1 + 0.5·4)/0.75 = 3; (0.125·1 + 0.25·4 + 0.5·4)/0.875 = 25/7
	if got := Smooth([]float64{1, 4, 4}, 0.5); math.Abs(got[0]-1) > 1e-15 || math.Abs(got[1]-3) > 1e-15 || math.Abs(got[2]-25.0/7) > 1e-15 {
		t.Errorf("Smooth = %v, want [1 3 25/7]", got)
	}
}
