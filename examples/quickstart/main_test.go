package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/model"
	"github.com/polyret/polyret/model/tokenizer"
)

// TestQuickstart runs the whole program on three languages with a tiny
// budget and checks what it writes.
func TestQuickstart(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-steps", "30", "-batch", "16", "-dim", "48", "-langs", "de,en,es", "-run-depth", "10", "-cross-runs", "-out", out}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	for _, want := range []string{"Demonstration split", "| model | mAP mono | mAP cross | mAP multi | R@1 mono | R@1 cross | R@10 multi | rank distance |",
		"| untrained |", "| X-X-mono (α=1) |", "| X-Y (α=0) |", "| hybrid (α=0.5) |", "Does hybrid rank as in the paper", out} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	files := []string{"summary.json", "summary.md", "loss.png", "loss.svg"}
	for _, d := range []string{"untrained", "xx-mono", "xy", "hybrid"} {
		for _, f := range []string{"report.json", "report.md", "report.csv", "map.png", "map.svg", "runs/mono.trec", "runs/multi.trec",
			"runs/cross-de.trec", "qrels/cross-de.qrels", "model/model.safetensors", "model/vocab.txt", "model/config.json"} {
			files = append(files, filepath.Join(d, f))
		}
	}
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty (%v)", f, err)
		}
	}

	var sum summaryFile
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Results) != 4 {
		t.Fatalf("summary.json has %d results, want 4", len(sum.Results))
	}
	for _, r := range sum.Results {
		s := r.Summary
		for name, v := range map[string]float64{"map mono": s.MAPMono, "map cross": s.MAPCross, "map multi": s.MAPMulti, "R@1 mono": s.R1Mono, "R@1 cross": s.R1Cross, "R@10 multi": s.R10Multi} {
			if !(v > 0 && v <= 1) {
				t.Errorf("%s: %s = %v, want in (0, 1]", r.Name, name, v)
			}
		}
		if !(s.RankDistance > 0 && s.RankDistance < float64(sum.TestCands)) {
			t.Errorf("%s: rank distance %v outside (0, %d)", r.Name, s.RankDistance, sum.TestCands)
		}
		if r.Alpha != nil && len(r.Loss) != 30 {
			t.Errorf("%s: %d losses, want 30", r.Name, len(r.Loss))
		}
	}
	byDir := map[string]result{}
	for _, r := range sum.Results {
		byDir[r.Dir] = r
	}
	if n := byDir["xx-mono"].MonoBatches; n != 30 {
		t.Errorf("X-X-mono drew %d monolingual batches of 30", n)
	}
	if n := byDir["xy"].MonoBatches; n != 0 {
		t.Errorf("X-Y drew %d monolingual batches", n)
	}
	if n := byDir["hybrid"].MonoBatches; n < 5 || n > 25 {
		t.Errorf("hybrid drew %d monolingual batches of 30; with α=0.5, fewer than 5 or more than 25 has probability below 1e-4", n)
	}
	// Even this budget teaches something the untrained encoder lacks:
	// cross-lingual batches align languages (cross mAP, rank distance), and
	// every strategy improves mono mAP.
	u := byDir["untrained"].Summary
	for _, d := range []string{"xx-mono", "xy", "hybrid"} {
		if s := byDir[d].Summary; s.MAPMono <= u.MAPMono {
			t.Errorf("%s: mono mAP %.4f not above the untrained %.4f", d, s.MAPMono, u.MAPMono)
		}
	}
	for _, d := range []string{"xy", "hybrid"} {
		s := byDir[d].Summary
		if s.MAPCross <= u.MAPCross || s.RankDistance >= u.RankDistance {
			t.Errorf("%s: cross mAP %.4f, rank distance %.1f; untrained %.4f, %.1f", d, s.MAPCross, s.RankDistance, u.MAPCross, u.RankDistance)
		}
	}

	// The saved models load and differ from the initial one.
	ctx := context.Background()
	m0, err := model.Load(ctx, filepath.Join(out, "untrained", "model"), model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m1, err := model.Load(ctx, filepath.Join(out, "hybrid", "model"), model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m1.Dim() != 48 || slices.Equal(m0.Params()[0].Value, m1.Params()[0].Value) {
		t.Errorf("hybrid model: dim %d, equal to the untrained one: %v", m1.Dim(), slices.Equal(m0.Params()[0].Value, m1.Params()[0].Value))
	}
}

// TestSameInit checks that the initial weights depend only on the seed.
func TestSameInit(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for i, d := range []string{a, b, c} {
		if err := writeStaticModel(d, 8, uint64(1+i/2)); err != nil {
			t.Fatal(err)
		}
	}
	fa, _ := os.ReadFile(filepath.Join(a, "model.safetensors"))
	fb, _ := os.ReadFile(filepath.Join(b, "model.safetensors"))
	fc, _ := os.ReadFile(filepath.Join(c, "model.safetensors"))
	if !bytes.Equal(fa, fb) || bytes.Equal(fa, fc) {
		t.Error("initial weights: same seed gave different files, or another seed the same file")
	}
}

// TestPrunedVocab checks that the embedded vocabulary tokenizes every
// XQuAD-R question and sentence, prefixed as the model prefixes them,
// into the same tokens as the full mBERT cased vocabulary.
func TestPrunedVocab(t *testing.T) {
	full, err := readGzipLines("../../model/tokenizer/testdata/vocab-mbert-cased.txt.gz")
	if err != nil {
		t.Skipf("full vocabulary not available: %v", err)
	}
	text, err := vocabText()
	if err != nil {
		t.Fatal(err)
	}
	pruned := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	if len(pruned) != 35322 {
		t.Errorf("pruned vocabulary has %d entries, want 35322", len(pruned))
	}
	tf, err := tokenizer.NewWordPiece(full, tokenizer.BertConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tp, err := tokenizer.NewWordPiece(pruned, tokenizer.BertConfig{})
	if err != nil {
		t.Fatal(err)
	}
	task, err := datasets.LoadXQuADR(datasets.QAConfig{})
	if err != nil {
		t.Fatal(err)
	}
	texts := make([]string, 0, 2*(len(task.Queries)+len(task.Candidates)))
	for _, q := range task.Queries {
		texts = append(texts, "Query: "+q.Text)
	}
	for _, c := range task.Candidates {
		texts = append(texts, "Passage: "+c.Text)
	}
	var a, b []int32
	for _, s := range texts {
		a, b = tf.AppendIDs(a[:0], s), tp.AppendIDs(b[:0], s)
		if len(a) != len(b) {
			t.Fatalf("%q: %d tokens with the full vocabulary, %d with the pruned one", s, len(a), len(b))
		}
		for i := range a {
			if full[a[i]] != pruned[b[i]] {
				t.Fatalf("%q: token %d is %q with the full vocabulary, %q with the pruned one", s, i, full[a[i]], pruned[b[i]])
			}
		}
	}
}

func readGzipLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var lines []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-alphas", "1,2"}, {"-alphas", "x"}, {"-steps", "0"}, {"-batch", "1"}, {"-test", "1"}, {"extra"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
	c, err := parseFlags([]string{"-alphas", "0.3, 1"}, &bytes.Buffer{})
	if err != nil || !slices.Equal(c.Alphas, []float64{0.3, 1}) {
		t.Errorf("parseFlags(-alphas 0.3, 1) = %v, %v", c, err)
	}
	if name, dir := strategyName(0.3); name != "α=0.3" || dir != "alpha-0.3" {
		t.Errorf("strategyName(0.3) = %q, %q", name, dir)
	}
}

// TestNoSave: without -save no model is left behind, and the strategies
// still start from the initial weights.
func TestNoSave(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-save=false", "-steps", "3", "-batch", "8", "-dim", "16", "-langs", "de,en", "-alphas", "0.5", "-run-depth", "0", "-out", out}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	for _, f := range []string{"untrained/model", "hybrid/model", "hybrid/runs"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			t.Errorf("%s exists", f)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "hybrid", "report.json")); err != nil {
		t.Error(err)
	}
}
