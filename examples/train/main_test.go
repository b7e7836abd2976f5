package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/examples/internal/lab"
	"github.com/polyret/polyret/model"
)

// tinyBERT is a 2-layer, 32-wide random BERT (dropout 0.1) with a
// 1,000-token mBERT vocabulary, from model/testdata.
const tinyBERT = "../../model/testdata/tiny-bert"

// tinyLaBSE is a sentence-transformers directory (CLS pooling, Dense,
// Normalize) with random weights, from model/testdata.
const tinyLaBSE = "../../model/testdata/tiny-labse"

// base are the flags of the resumption tests: GradCache really chunks
// (24 texts per batch, 5 per chunk) and dropout is on.
func base(out string, extra ...string) []string {
	return baseModel(tinyBERT, out, extra...)
}

func baseModel(model, out string, extra ...string) []string {
	return append([]string{"-model", model, "-data", "xquad-r", "-langs", "de,en", "-batch", "8", "-chunk", "5",
		"-steps", "4", "-lr", "1e-3", "-eval", "none", "-save-every", "2", "-keep", "0", "-out", out}, extra...)
}

func runOK(t *testing.T, args []string, h *hooks) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, &stdout, &stderr, h); err != nil {
		t.Fatalf("run %q: %v\nstdout:\n%s", args, err, stdout.String())
	}
	return stdout.String()
}

func readState(t *testing.T, dir string) state {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s state
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// hashTree returns the SHA-256 of every file under dir.
func hashTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		sums[rel] = fmt.Sprintf("%x", sha256.Sum256(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// TestResumeExact: 4 steps straight equal 2 steps, a stop, and 2 resumed
// steps: the same batches, losses, optimizer state and weights, bit for
// bit.
func TestResumeExact(t *testing.T) {
	for _, m := range []string{tinyBERT, tinyLaBSE} {
		t.Run(filepath.Base(m), func(t *testing.T) { testResumeExact(t, m) })
	}
}

func testResumeExact(t *testing.T, model string) {
	base := func(out string, extra ...string) []string { return baseModel(model, out, extra...) }
	a, b := t.TempDir(), t.TempDir()
	runOK(t, base(a), nil)
	out := runOK(t, base(b, "-stop-after", "2"), nil)
	if !strings.Contains(out, "stopped after 2 steps") {
		t.Errorf("-stop-after 2 output:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(b, "model")); err == nil {
		t.Error("a stopped run saved a final model")
	}
	out = runOK(t, base(b, "-resume"), nil)
	if !strings.Contains(out, "resuming from") || !strings.Contains(out, "step-00000002") {
		t.Errorf("-resume output:\n%s", out)
	}

	sa := readState(t, filepath.Join(a, "checkpoints", "step-00000004"))
	sb := readState(t, filepath.Join(b, "checkpoints", "step-00000004"))
	if len(sa.Batches) != 4 || !slices.Equal(sa.Batches, sb.Batches) {
		t.Errorf("batches straight %v, resumed %v", sa.Batches, sb.Batches)
	}
	if len(slices.Compact(slices.Clone(sa.Batches))) != 4 {
		t.Errorf("batches repeat: %v", sa.Batches)
	}
	if !slices.Equal(sa.Loss, sb.Loss) {
		t.Errorf("losses straight %v, resumed %v", sa.Loss, sb.Loss)
	}
	for _, f := range []string{"model/model.safetensors", "checkpoints/step-00000004/optimizer.safetensors", "checkpoints/step-00000004/sampler.bin", "checkpoints/step-00000002/model/model.safetensors"} {
		fa, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		fb, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fa, fb) {
			t.Errorf("%s differs between the straight and the resumed run", f)
		}
	}
	// The weights moved.
	orig, _ := os.ReadFile(filepath.Join(model, "model.safetensors"))
	final, _ := os.ReadFile(filepath.Join(a, "model", "model.safetensors"))
	if bytes.Equal(orig, final) {
		t.Error("training left the weights unchanged")
	}
}

// TestDiverged poisons the weights after step 3: step 4's loss is NaN, the
// run stops with a message naming the step and the last good checkpoint,
// which is left as it was and equals a clean run's.
func TestDiverged(t *testing.T) {
	clean, dir := t.TempDir(), t.TempDir()
	runOK(t, base(clean), nil)
	var before map[string]string
	h := &hooks{afterStep: func(step int, m *model.Model) {
		if step == 3 {
			before = hashTree(t, filepath.Join(dir, "checkpoints"))
			for _, p := range m.Params() {
				for i := range p.Value {
					p.Value[i] = float32(math.Inf(1))
				}
			}
		}
	}}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), base(dir), &stdout, &stderr, h)
	if err == nil {
		t.Fatal("run with infinite weights succeeded")
	}
	msg := err.Error()
	for _, want := range []string{"step 4", "non-finite", "step-00000002", "intact", "-resume"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if after := hashTree(t, filepath.Join(dir, "checkpoints")); !maps_equal(before, after) {
		t.Errorf("checkpoints changed after divergence:\nbefore %v\nafter  %v", before, after)
	}
	latest, err := lab.LatestCheckpoint(filepath.Join(dir, "checkpoints"))
	if err != nil || filepath.Base(latest) != "step-00000002" {
		t.Errorf("latest checkpoint = %q, %v; want step-00000002", latest, err)
	}
	good := hashTree(t, filepath.Join(clean, "checkpoints", "step-00000002"))
	got := hashTree(t, latest)
	delete(good, "state.json") // holds timings
	delete(got, "state.json")
	if !maps_equal(good, got) {
		t.Error("the last good checkpoint differs from a clean run's")
	}
	if _, err := os.Stat(filepath.Join(dir, "model")); err == nil {
		t.Error("a diverged run saved a final model")
	}
}

func maps_equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestEvaluation trains with periodic evaluation on the held-out articles
// and checks the reports, the final model and the loss curve.
func TestEvaluation(t *testing.T) {
	out := t.TempDir()
	stdout := runOK(t, []string{"-model", tinyBERT, "-data", "xquad-r", "-langs", "de,en", "-test", "0.05", "-batch", "8",
		"-steps", "4", "-eval-every", "2", "-save-every", "0", "-loss", "common", "-lr", "1e-3", "-out", out}, nil)
	if strings.Count(stdout, "xquad-r/test: mAP mono") != 2 {
		t.Errorf("want 2 evaluations:\n%s", stdout)
	}
	for _, f := range []string{"eval/step-00000002/report.json", "eval/step-00000004/map.png", "eval/step-00000004/report.csv",
		"model/model.safetensors", "model/config.json", "loss.png", "loss.svg", "checkpoints/latest", "checkpoints/step-00000004/state.json"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty (%v)", f, err)
		}
	}
	s := readState(t, filepath.Join(out, "checkpoints", "step-00000004"))
	if len(s.Evals) != 2 || s.Evals[1].Step != 4 {
		t.Fatalf("state evals = %+v", s.Evals)
	}
	for _, e := range s.Evals {
		v := e.Summary
		if !(v.MAPMono > 0 && v.MAPMono <= 1 && v.MAPCross > 0 && v.MAPCross <= 1 && v.MAPMulti > 0 && v.RankDistance >= 0) {
			t.Errorf("step %d: summary out of range: %+v", e.Step, v)
		}
	}
	if _, err := model.Load(context.Background(), filepath.Join(out, "model"), model.Options{}); err != nil {
		t.Errorf("final model: %v", err)
	}
}

// TestDataFormats trains two steps on a JSONL tuple file and on an mMARCO
// directory (datasets/testdata/mmarco).
func TestDataFormats(t *testing.T) {
	dir := t.TempDir()
	jsonl := filepath.Join(dir, "tuples.jsonl.gz")
	d := &datasets.Dataset{}
	for i := range 6 {
		g := fmt.Sprint("g", i)
		d.Tuples = append(d.Tuples, datasets.Tuple{Group: g, Langs: map[datasets.Lang]datasets.Triplet{
			"en": {Query: "question " + g, Positive: "answer " + g, Negatives: []string{"other " + g}},
			"de": {Query: "Frage " + g, Positive: "Antwort " + g, Negatives: []string{"andere " + g}},
		}})
	}
	if err := datasets.WriteTuplesFile(jsonl, d); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{jsonl, "../../datasets/testdata/mmarco"} {
		out := t.TempDir()
		stdout := runOK(t, []string{"-model", tinyBERT, "-data", data, "-batch", "2", "-steps", "2", "-eval", "none", "-out", out}, nil)
		if !strings.Contains(stdout, "done: 2 steps") || !strings.Contains(stdout, "de,en") {
			t.Errorf("-data %s:\n%s", data, stdout)
		}
	}
}

func TestRefusals(t *testing.T) {
	out := t.TempDir()
	runOK(t, base(out, "-stop-after", "1"), nil)
	for _, c := range []struct {
		args []string
		want string
	}{
		{base(out), "already holds checkpoints"},
		{base(out, "-resume", "-alpha", "1"), "alpha is 0.5 in the checkpoint and 1 now"},
		{base(out, "-resume", "-steps", "1"), "below the checkpoint's"},
		{base(t.TempDir(), "-resume"), "no checkpoint"},
		{[]string{"-model", tinyBERT, "-data", "xquad-r"}, "required"},
		{base(out, "-loss", "x"), "-loss"},
		{base(out, "-alpha", "2"), "-alpha"},
		{base(out, "-negatives", "0"), "constant"},
		{base(t.TempDir(), "-data", "no/such/file.jsonl"), "no/such/file.jsonl"},
		{base(out, "-prefixes", "Query: "), "-prefixes"},
		{base(out, "-decay-exempt", "all"), "-decay-exempt"},
		{base(out, "-resume", "-prefixes", "none"), "prefixes is paper in the checkpoint and none now"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), c.args, &stdout, &stderr, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run %q: error %v, want one containing %q", c.args[len(c.args)-2:], err, c.want)
		}
	}
}

// TestPrefixesFlag checks -prefixes: the default is the paper's, none
// reaches the model, and the losses of the first step differ.
func TestPrefixesFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want model.Toggle
	}{
		{nil, model.Default},
		{[]string{"-prefixes", "paper"}, model.Default},
		{[]string{"-prefixes", "none"}, model.Off},
	} {
		c, err := parseFlags(base(t.TempDir(), tc.args...), &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.modelOptions().Prefixes; got != tc.want {
			t.Errorf("%q: Options.Prefixes = %v, want %v", tc.args, got, tc.want)
		}
	}
	loss := map[string]float64{}
	for _, p := range []string{"paper", "none"} {
		out := t.TempDir()
		runOK(t, base(out, "-steps", "1", "-prefixes", p), nil)
		s := readState(t, filepath.Join(out, "checkpoints", "step-00000001"))
		if s.Config.Prefixes != p || len(s.Loss) != 1 {
			t.Fatalf("-prefixes %s: state has prefixes %q, losses %v", p, s.Config.Prefixes, s.Loss)
		}
		loss[p] = s.Loss[0]
	}
	if loss["paper"] == loss["none"] {
		t.Errorf("the same loss %v with and without prefixes", loss["paper"])
	}
}

// TestDecayExempt trains one step with -decay-exempt bias-norm (the
// default) and none, with a large weight decay: the decayed weights agree
// bit for bit, and exactly the parameters model.DecayExempt names differ.
func TestDecayExempt(t *testing.T) {
	weights := map[string]map[string][]float32{}
	for _, e := range []string{"bias-norm", "none"} {
		out := t.TempDir()
		args := base(out, "-steps", "1", "-weight-decay", "0.5")
		if e != "bias-norm" {
			args = append(args, "-decay-exempt", e)
		}
		runOK(t, args, nil)
		m, err := model.Load(context.Background(), filepath.Join(out, "model"), model.Options{})
		if err != nil {
			t.Fatal(err)
		}
		weights[e] = map[string][]float32{}
		for _, p := range m.Params() {
			weights[e][p.Name] = p.Value
		}
	}
	exempt := 0
	for name, a := range weights["bias-norm"] {
		same := slices.Equal(a, weights["none"][name])
		if model.DecayExempt(name) {
			exempt++
			// The pooler has no gradient under mean pooling: no step, no decay.
			if same && !strings.HasPrefix(name, "pooler.") && slices.ContainsFunc(a, func(x float32) bool { return x != 0 }) {
				t.Errorf("%s: exempt, but the same with decay", name)
			}
		} else if !same {
			t.Errorf("%s: decayed in both runs, but differs", name)
		}
	}
	if exempt == 0 {
		t.Error("no exempt parameter")
	}
}

// TestResumeOldCheckpoint resumes a checkpoint whose state.json predates
// -prefixes and -decay-exempt: it was trained with the paper's prefixes
// and decay on every parameter, so the default -decay-exempt is refused.
func TestResumeOldCheckpoint(t *testing.T) {
	out := t.TempDir()
	runOK(t, base(out, "-stop-after", "1", "-decay-exempt", "none"), nil)
	path := filepath.Join(out, "checkpoints", "step-00000001", "state.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	cfg := st["config"].(map[string]any)
	delete(cfg, "prefixes")
	delete(cfg, "decay_exempt")
	if data, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), base(out, "-resume"), &bytes.Buffer{}, &bytes.Buffer{}, nil)
	if err == nil || !strings.Contains(err.Error(), "decay_exempt is none in the checkpoint and bias-norm now") {
		t.Errorf("resume with the default -decay-exempt: %v", err)
	}
	runOK(t, base(out, "-resume", "-decay-exempt", "none"), nil)
}
