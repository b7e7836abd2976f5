package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/examples/internal/lab"
	"github.com/polyret/polyret/examples/internal/progress"
	"github.com/polyret/polyret/loss"
	"github.com/polyret/polyret/model"
	"github.com/polyret/polyret/sampler"
)

func main() { lab.Main("quickstart", run) }

// config holds the flags.
type config struct {
	Steps        int       `json:"steps"`
	Batch        int       `json:"batch"`
	Alphas       []float64 `json:"alphas"`
	Seed         uint64    `json:"seed"`
	LR           float64   `json:"lr"`
	Tau          float64   `json:"temperature"`
	Dim          int       `json:"dim"`
	Negatives    int       `json:"negatives"`
	TestFraction float64   `json:"test_fraction"`
	SplitSeed    uint64    `json:"split_seed"`
	Dev          bool      `json:"dev"`
	Save         bool      `json:"save_models"`
	RunDepth     int       `json:"run_depth"`
	CrossRuns    bool      `json:"cross_runs"`
	Langs        []string  `json:"langs,omitempty"`
	Out          string    `json:"-"`
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.Steps, "steps", 1000, "training steps (batches) per strategy")
	fs.IntVar(&c.Batch, "batch", 100, "items (query, positive, hard negative) per batch")
	alphas := fs.String("alphas", "1,0,0.5", "comma-separated α values to train (P(monolingual batch)); 1 = X-X-mono, 0 = X-Y")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the initial weights, the sampler and the hard negatives")
	fs.Float64Var(&c.LR, "lr", 0.01, "AdamW peak learning rate")
	fs.Float64Var(&c.Tau, "tau", 0.1, "InfoNCE temperature")
	fs.IntVar(&c.Dim, "dim", 256, "embedding width of the static encoder")
	fs.IntVar(&c.Negatives, "negatives", 1, "hard negatives per item (other sentences of the positive's paragraph)")
	fs.Float64Var(&c.TestFraction, "test", 0.25, "fraction of XQuAD-R articles held out for evaluation")
	fs.Uint64Var(&c.SplitSeed, "split-seed", 1, "seed of the article split")
	fs.BoolVar(&c.Dev, "dev", false, "evaluate on a development split of the training articles (for choosing hyper-parameters) instead of the held-out articles")
	fs.BoolVar(&c.Save, "save", true, "save each trained encoder in <out>/<strategy>/model")
	fs.IntVar(&c.RunDepth, "run-depth", 10, "candidates per query in the TREC run files (0: no runs)")
	fs.BoolVar(&c.CrossRuns, "cross-runs", false, "also write the cross-lingual runs (one file per candidate language, about 20 MB per model at depth 10)")
	fs.StringVar(&c.Out, "out", "", "output directory (default: a new temporary directory)")
	langs := fs.String("langs", "", "comma-separated XQuAD-R languages to use (default: all 11)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: quickstart [flags]\n\nTrains one encoder with X-X-mono, X-Y and hybrid batches on a split of XQuAD-R and compares them.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.Langs = lab.SplitList(*langs)
	for _, s := range lab.SplitList(*alphas) {
		a, err := strconv.ParseFloat(s, 64)
		if err != nil || a < 0 || a > 1 {
			return nil, fmt.Errorf("-alphas: %q is not a number in [0, 1]", s)
		}
		c.Alphas = append(c.Alphas, a)
	}
	switch {
	case c.Steps < 1:
		return nil, errors.New("-steps must be positive")
	case c.Batch < 2:
		return nil, errors.New("-batch must be at least 2")
	case c.Dim < 1:
		return nil, errors.New("-dim must be positive")
	case c.LR <= 0 || c.Tau <= 0:
		return nil, errors.New("-lr and -tau must be positive")
	case c.TestFraction <= 0 || c.TestFraction >= 1:
		return nil, errors.New("-test must be in (0, 1)")
	case c.RunDepth < 0:
		return nil, errors.New("-run-depth must not be negative")
	}
	return c, nil
}

// strategyName returns the paper's name of a strategy and a directory name.
func strategyName(alpha float64) (name, dir string) {
	switch alpha {
	case 1:
		return "X-X-mono (α=1)", "xx-mono"
	case 0:
		return "X-Y (α=0)", "xy"
	case 0.5:
		return "hybrid (α=0.5)", "hybrid"
	}
	a := strconv.FormatFloat(alpha, 'g', -1, 64)
	return "α=" + a, "alpha-" + a
}

// result is one model's entry in summary.json.
type result struct {
	Name         string      `json:"name"`
	Dir          string      `json:"dir"`
	Alpha        *float64    `json:"alpha,omitempty"`
	Summary      lab.Summary `json:"summary"`
	TrainSeconds float64     `json:"train_seconds,omitempty"`
	EvalSeconds  float64     `json:"eval_seconds"`
	MonoBatches  int         `json:"monolingual_batches,omitempty"`
	Loss         []float64   `json:"loss,omitempty"`
}

type summaryFile struct {
	Note        string   `json:"note"`
	Config      *config  `json:"config"`
	TrainTuples int      `json:"train_tuples"`
	TestQueries int      `json:"test_queries"`
	TestCands   int      `json:"test_candidates"`
	Results     []result `json:"results"`
	Seconds     float64  `json:"seconds"`
}

// devFraction is the share of the training articles -dev holds out.
const devFraction = 0.2

const demoNote = "Demonstration split of XQuAD-R by article (training and test articles are disjoint), " +
	"not the paper's zero-shot protocol: figures are comparable between strategies, not with the paper."

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	prog := progress.New(stderr)
	out := c.Out
	if out == "" {
		if out, err = os.MkdirTemp("", "polyret-quickstart-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}

	var langs []datasets.Lang
	for _, l := range c.Langs {
		langs = append(langs, datasets.Lang(l))
	}
	pool, err := datasets.LoadXQuADR(datasets.QAConfig{Languages: langs})
	if err != nil {
		return err
	}
	train, test := pool.SplitByArticle(c.TestFraction, c.SplitSeed)
	splitName := "held-out articles"
	if c.Dev {
		train, test = train.SplitByArticle(devFraction, c.SplitSeed+1)
		splitName = "development articles (a fifth of the training articles)"
	}
	data, err := datasets.BuildTuples(train, datasets.TupleConfig{Negatives: c.Negatives, Seed: c.Seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "polyret quickstart: hybrid batch training (arXiv 2408.10536) in miniature\n")
	fmt.Fprintf(stdout, "NOTE: %s\n", demoNote)
	fmt.Fprintf(stdout, "data: XQuAD-R, %d languages; training: %d tuples; evaluation on %s: %d queries, %d candidates\n",
		len(pool.QueryLanguages()), len(data.Tuples), splitName, len(test.Queries), len(test.Candidates))
	fmt.Fprintf(stdout, "encoder: static (model2vec-style) over mBERT's WordPiece vocabulary, dim %d, random init (seed %d)\n", c.Dim, c.Seed)
	fmt.Fprintf(stdout, "training: %d steps × batch %d per strategy, AdamW lr %g, InfoNCE τ=%g, %d hard negative(s)\n\n",
		c.Steps, c.Batch, c.LR, c.Tau, c.Negatives)

	initDir := filepath.Join(out, "untrained", "model")
	if err := writeStaticModel(initDir, c.Dim, c.Seed); err != nil {
		return err
	}
	sum := summaryFile{Note: demoNote, Config: c, TrainTuples: len(data.Tuples), TestQueries: len(test.Queries), TestCands: len(test.Candidates)}
	evaluate := func(m *model.Model, name, dir string, r *result) error {
		t0 := time.Now()
		res, err := lab.EvaluateQA(ctx, m, test, "evaluate "+dir, prog)
		if err != nil {
			return err
		}
		prog.Done()
		r.EvalSeconds = time.Since(t0).Seconds()
		r.Summary = lab.Summarize(res.Report)
		depth := c.RunDepth
		if depth == 0 {
			depth = -1
		}
		return res.Write(ctx, filepath.Join(out, dir), lab.WriteConfig{RunDepth: depth, Tag: "polyret-" + dir, Title: name, CrossRuns: c.CrossRuns})
	}

	m0, err := model.Load(ctx, initDir, model.Options{})
	if err != nil {
		return err
	}
	r0 := result{Name: "untrained", Dir: "untrained"}
	if err := evaluate(m0, "untrained", "untrained", &r0); err != nil {
		return err
	}
	fmt.Fprint(stdout, oneLine(r0))
	sum.Results = append(sum.Results, r0)

	for _, alpha := range c.Alphas {
		name, dir := strategyName(alpha)
		m, err := model.Load(ctx, initDir, model.Options{})
		if err != nil {
			return err
		}
		r := result{Name: name, Dir: dir, Alpha: &alpha}
		t0 := time.Now()
		if err := trainOne(ctx, m, data, c, alpha, dir, prog, &r); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		r.TrainSeconds = time.Since(t0).Seconds()
		if c.Save {
			if err := os.MkdirAll(filepath.Join(out, dir), 0o755); err != nil {
				return err
			}
			if err := m.Save(filepath.Join(out, dir, "model")); err != nil {
				return err
			}
		}
		if err := evaluate(m, name, dir, &r); err != nil {
			return err
		}
		fmt.Fprint(stdout, oneLine(r))
		sum.Results = append(sum.Results, r)
	}
	if !c.Save {
		if err := os.RemoveAll(initDir); err != nil {
			return err
		}
	}

	var curves []lab.Curve
	for _, r := range sum.Results[1:] {
		curves = append(curves, lab.Curve{Name: r.Name, Values: r.Loss})
	}
	for _, ext := range []string{"png", "svg"} {
		if err := lab.WriteCurves(filepath.Join(out, "loss."+ext), "training loss (InfoNCE)", "loss", curves); err != nil {
			return err
		}
	}
	table := lab.SummaryHeader
	for _, r := range sum.Results {
		table += r.Summary.Row(r.Name)
	}
	verdict := paperCheck(sum.Results)
	sum.Seconds = time.Since(start).Seconds()
	if err := lab.WriteFile(filepath.Join(out, "summary.md"), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s\n\n%s\n%s", demoNote, table, verdict)
		return err
	}); err != nil {
		return err
	}
	if err := lab.WriteFile(filepath.Join(out, "summary.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nXQuAD-R, %s (demonstration split; macro averages; rank distance: lower is less language bias)\n\n%s\n%s", splitName, table, verdict)
	fmt.Fprintf(stdout, "\nwall time %s; results, runs, heat maps, loss curves and models in %s\n", time.Since(start).Round(time.Second), out)
	return nil
}

// trainOne trains m with α = alpha and records its loss curve in r.
func trainOne(ctx context.Context, m *model.Model, data *datasets.Dataset, c *config, alpha float64, dir string, prog *progress.Progress, r *result) error {
	scfg := sampler.Config{Alpha: alpha, BatchSize: c.Batch, Seed: c.Seed}
	if alpha == 0 {
		scfg = sampler.Config{Strategy: sampler.XY, BatchSize: c.Batch, Seed: c.Seed}
	}
	s, err := sampler.NewHybrid([]datasets.Dataset{*data}, scfg)
	if err != nil {
		return err
	}
	warmup := c.Steps / 10
	t := &lab.Trainer{
		Model:   m,
		Sampler: s,
		Opt: model.NewAdamW(m.Params(), model.AdamWConfig{
			LR: c.LR, WeightDecay: -1, Schedule: model.LinearSchedule(warmup, c.Steps),
		}),
		Loss:      loss.Config{Temperature: c.Tau},
		ChunkSize: 4 * c.Batch, // a static encoder needs no memory bound
		Seed:      c.Seed,
	}
	stage := "train " + dir
	m.SetTraining(true)
	defer m.SetTraining(false)
	for t.Steps < c.Steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := t.Step(ctx)
		if err != nil {
			return err
		}
		r.Loss = append(r.Loss, info.Loss)
		if info.Mode == sampler.Monolingual {
			r.MonoBatches++
		}
		if info.Step%10 == 0 || info.Step == c.Steps {
			prog.Note("loss %.3f", lab.Smooth(r.Loss[max(0, len(r.Loss)-50):], 0.1)[min(len(r.Loss), 50)-1])
		}
		prog.Record(stage, info.Step, c.Steps)
	}
	prog.Done()
	return nil
}

func oneLine(r result) string {
	s := r.Summary
	line := fmt.Sprintf("%-16s mAP mono %.3f  cross %.3f  multi %.3f  rank distance %6.1f", r.Name, s.MAPMono, s.MAPCross, s.MAPMulti, s.RankDistance)
	if r.TrainSeconds > 0 {
		line += fmt.Sprintf("  (trained in %.0fs, final loss %.3f)", r.TrainSeconds, lab.Smooth(r.Loss, 0.05)[len(r.Loss)-1])
	}
	return line + "\n"
}

// paperCheck states, for the hybrid strategy if it was trained, where it
// ranks among the trained strategies on the paper's three claims: best or
// tied on mono and on cross mAP, lowest rank distance.
func paperCheck(results []result) string {
	var trained []result
	hybrid := -1
	for _, r := range results {
		if r.Alpha == nil {
			continue
		}
		if *r.Alpha == 0.5 {
			hybrid = len(trained)
		}
		trained = append(trained, r)
	}
	if hybrid < 0 || len(trained) < 2 {
		return "(the paper's ranking is checked when α=0.5 and another α are trained)\n"
	}
	const tie = 0.005 // differences below this are within seed noise at this scale
	var b strings.Builder
	b.WriteString("Does hybrid rank as in the paper (best or tied on mono and cross mAP, lowest rank distance)?\n")
	claim := func(label string, get func(lab.Summary) float64, higher bool, prec int) {
		h := get(trained[hybrid].Summary)
		best, bestName := h, trained[hybrid].Name
		for i, r := range trained {
			v := get(r.Summary)
			if i != hybrid && ((higher && v > best) || (!higher && v < best)) {
				best, bestName = v, r.Name
			}
		}
		verdict := "yes, best"
		switch d := math.Abs(h - best); {
		case bestName != trained[hybrid].Name && d < tie*scale(best):
			verdict = fmt.Sprintf("tied (within %.*f of %s)", prec, d, bestName)
		case bestName != trained[hybrid].Name:
			verdict = fmt.Sprintf("no: %s is better by %.*f", bestName, prec, d)
		}
		fmt.Fprintf(&b, "  %-14s hybrid %s: %s\n", label, strconv.FormatFloat(h, 'f', prec, 64), verdict)
	}
	claim("mAP mono", func(s lab.Summary) float64 { return s.MAPMono }, true, 3)
	claim("mAP cross", func(s lab.Summary) float64 { return s.MAPCross }, true, 3)
	claim("rank distance", func(s lab.Summary) float64 { return s.RankDistance }, false, 1)
	return b.String()
}

// scale makes the tie threshold relative for rank distances (hundreds) and
// absolute for mAP (at most 1).
func scale(v float64) float64 {
	return max(1, math.Abs(v))
}
