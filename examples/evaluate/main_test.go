package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyret/polyret/metrics"
	"github.com/polyret/polyret/model"
)

const (
	tinyLaBSE = "../../model/testdata/tiny-labse"
	tinyBERT  = "../../model/testdata/tiny-bert"
)

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run %q: %v\nstderr:\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

func exists(t *testing.T, dir string, files ...string) {
	t.Helper()
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty (%v)", f, err)
		}
	}
}

// TestXQuADR evaluates two models on two XQuAD-R languages and checks the
// written report against the printed table.
func TestXQuADR(t *testing.T) {
	out := t.TempDir()
	stdout := runOK(t, "-model", tinyLaBSE+","+tinyBERT, "-langs", "de,en", "-split", "test", "-test", "0.1", "-cross-runs", "-out", out)
	if !strings.Contains(stdout, "| tiny-labse |") || !strings.Contains(stdout, "| tiny-bert |") {
		t.Errorf("table lacks a model:\n%s", stdout)
	}
	for _, name := range []string{"tiny-labse", "tiny-bert"} {
		dir := filepath.Join(out, name, "xquad-r")
		exists(t, dir, "report.json", "report.md", "report.csv", "map.png", "map.svg", "runs/mono.trec", "runs/multi.trec", "runs/cross-de.trec", "runs/cross-en.trec", "qrels/multi.qrels")
		data, err := os.ReadFile(filepath.Join(dir, "report.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(data) {
			t.Errorf("%s/report.json is not JSON", name)
		}
		run, err := metrics.ReadRunFile(filepath.Join(dir, "runs", "mono.trec"), metrics.FormatTREC)
		if err != nil {
			t.Fatal(err)
		}
		for q, docs := range run {
			if len(docs) == 0 || len(docs) > 100 || !strings.HasPrefix(docs[0].ID, q[len(q)-2:]+"_") {
				t.Fatalf("%s mono run: query %s has %d docs, first %v", name, q, len(docs), docs[0])
			}
		}
	}
}

// TestQuickstartOutput evaluates the models of a (fake) quickstart output
// on its held-out articles.
func TestQuickstartOutput(t *testing.T) {
	q := t.TempDir()
	sum := `{"config": {"test_fraction": 0.1, "split_seed": 3, "dev": false}, "results": [{"dir": "untrained"}, {"dir": "hybrid"}, {"dir": "nomodel"}]}`
	if err := os.WriteFile(filepath.Join(q, "summary.json"), []byte(sum), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"untrained", "hybrid"} {
		if err := os.MkdirAll(filepath.Join(q, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(mustAbs(t, tinyBERT), filepath.Join(q, d, "model")); err != nil {
			t.Fatal(err)
		}
	}
	c, err := parseFlags([]string{"-model", q}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.split != "test" || c.testFraction != 0.1 || c.splitSeed != 3 || len(c.models) != 2 || c.models[1].name != "hybrid" {
		t.Errorf("quickstart output read as split %q fraction %v seed %d models %v", c.split, c.testFraction, c.splitSeed, c.models)
	}
	out := t.TempDir()
	stdout := runOK(t, "-model", q, "-langs", "en,es", "-out", out)
	if !strings.Contains(stdout, "xquad-r (test)") || !strings.Contains(stdout, "| hybrid |") {
		t.Errorf("output:\n%s", stdout)
	}
	exists(t, filepath.Join(out, "untrained", "xquad-r"), "report.md")
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestMLQAR reads an MLQA-R-shaped directory (datasets/testdata/mlqa).
func TestMLQAR(t *testing.T) {
	out := t.TempDir()
	stdout := runOK(t, "-model", tinyBERT, "-data", "mlqa-r", "-mlqa", "../../datasets/testdata/mlqa", "-out", out)
	if !strings.Contains(stdout, "mlqa-r (all)") || !strings.Contains(stdout, "| tiny-bert |") {
		t.Errorf("output:\n%s", stdout)
	}
	exists(t, filepath.Join(out, "tiny-bert", "mlqa-r"), "report.json", "map.svg", "runs/mono.trec")
}

// TestMIRACL runs MIRACL's German dev topics against a 42-passage corpus
// sample (datasets/testdata/miracl) and checks the written results against
// a re-evaluation of the written run.
func TestMIRACL(t *testing.T) {
	out := t.TempDir()
	const dir = "../../datasets/testdata/miracl/"
	stdout := runOK(t, "-model", tinyLaBSE, "-data", "miracl", "-miracl-lang", "de",
		"-miracl-topics", dir+"topics.miracl-v1.0-de-dev.tsv", "-miracl-qrels", dir+"qrels.miracl-v1.0-de-dev.tsv",
		"-miracl-corpus", dir+"corpus.jsonl.gz", "-out", out)
	if !strings.Contains(stdout, "| model | nDCG@10 | recall@100 |") || !strings.Contains(stdout, "| tiny-labse |") {
		t.Errorf("output:\n%s", stdout)
	}
	res := filepath.Join(out, "tiny-labse", "miracl-de")
	exists(t, res, "run.trec", "results.json", "results.txt")
	run, err := metrics.ReadRunFile(filepath.Join(res, "run.trec"), metrics.FormatTREC)
	if err != nil {
		t.Fatal(err)
	}
	if len(run) != 305 {
		t.Errorf("run has %d topics, want the 305 topics", len(run))
	}
	for q, docs := range run {
		if len(docs) != 42 {
			t.Fatalf("topic %s ranks %d passages, want all 42", q, len(docs))
		}
	}
	qrels, err := metrics.ReadQrelsFile(dir + "qrels.miracl-v1.0-de-dev.tsv")
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := metrics.ParseMeasure("ndcg_cut.10")
	want, err := metrics.Evaluate(qrels, run, ms, metrics.Options{Topics: metrics.TopicsComplete})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		All map[string]float64 `json:"all"`
	}
	data, _ := os.ReadFile(filepath.Join(res, "results.json"))
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	v, ok := got.All["ndcg_cut_10"]
	if !ok {
		t.Fatalf("results.json all = %v, no ndcg_cut_10", got.All)
	}
	if math.Abs(v-want.All[0]) > 1e-15 || !(v > 0 && v < 1) {
		t.Errorf("nDCG@10 = %v, re-evaluated run gives %v", v, want.All[0])
	}
}

// TestPrefixes checks that -prefixes reaches the model: without prefixes
// the runs differ from the paper's, and -query-prefix still applies.
func TestPrefixes(t *testing.T) {
	c, err := parseFlags([]string{"-model", tinyBERT, "-prefixes", "none", "-query-prefix", "q: "}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.prefixes != model.Off || c.queryPrefix != "q: " || c.passagePrefix != "" {
		t.Errorf("-prefixes none -query-prefix 'q: ': prefixes %v, query %q, passage %q", c.prefixes, c.queryPrefix, c.passagePrefix)
	}
	if c, _ := parseFlags([]string{"-model", tinyBERT}, &bytes.Buffer{}); c.prefixes != model.Default {
		t.Errorf("default -prefixes: %v, want model.Default", c.prefixes)
	}
	runs := map[string][]byte{}
	for _, p := range []string{"paper", "none"} {
		out := t.TempDir()
		runOK(t, "-model", tinyBERT, "-langs", "de,en", "-split", "test", "-test", "0.1", "-prefixes", p, "-out", out)
		data, err := os.ReadFile(filepath.Join(out, "tiny-bert", "xquad-r", "runs", "mono.trec"))
		if err != nil {
			t.Fatal(err)
		}
		runs[p] = data
	}
	if bytes.Equal(runs["paper"], runs["none"]) {
		t.Error("-prefixes none and paper give the same run")
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{}, {"-model", tinyBERT, "-data", "x"}, {"-model", tinyBERT, "-data", "mlqa-r"}, {"-model", tinyBERT, "-data", "miracl"},
		{"-model", tinyBERT, "-split", "dev"}, {"-model", tinyBERT, "-run-depth", "0"}, {"-model", tinyBERT, "extra"},
		{"-model", tinyBERT, "-prefixes", "Query: "},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
}
