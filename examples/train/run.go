package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/examples/internal/lab"
	"github.com/polyret/polyret/examples/internal/progress"
	"github.com/polyret/polyret/loss"
	"github.com/polyret/polyret/model"
	"github.com/polyret/polyret/sampler"
)

// config holds the flags. The fields tagged for JSON are saved in every
// checkpoint; those marked resume:"same" must match on -resume.
type config struct {
	Model        string          `json:"model" resume:"same"`
	Data         []string        `json:"data" resume:"same"`
	Langs        []datasets.Lang `json:"langs,omitempty" resume:"same"`
	MaxTriples   int             `json:"max_triples,omitempty" resume:"same"`
	TestFraction float64         `json:"test_fraction" resume:"same"`
	SplitSeed    uint64          `json:"split_seed" resume:"same"`
	Alpha        float64         `json:"alpha" resume:"same"`
	Batch        int             `json:"batch" resume:"same"`
	Negatives    int             `json:"negatives" resume:"same"`
	LR           float64         `json:"lr" resume:"same"`
	WeightDecay  float64         `json:"weight_decay" resume:"same"`
	DecayExempt  string          `json:"decay_exempt" resume:"same"`
	Warmup       float64         `json:"warmup" resume:"same"`
	MaxGradNorm  float64         `json:"max_grad_norm" resume:"same"`
	Loss         string          `json:"loss" resume:"same"`
	Tau          float64         `json:"tau,omitempty" resume:"same"`
	MaxLength    int             `json:"max_length,omitempty" resume:"same"`
	Prefixes     string          `json:"prefixes" resume:"same"`
	Seed         uint64          `json:"seed" resume:"same"`
	Steps        int             `json:"steps"`
	Chunk        int             `json:"chunk"`
	Eval         string          `json:"eval"`
	EvalEvery    int             `json:"eval_every"`
	EvalLangs    []datasets.Lang `json:"eval_langs,omitempty"`
	SaveEvery    int             `json:"save_every"`
	Keep         int             `json:"keep"`

	Out       string `json:"-"`
	Resume    bool   `json:"-"`
	StopAfter int    `json:"-"`
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Model, "model", "", "model directory to fine-tune (required)")
	data := fs.String("data", "", "training data, comma-separated: xquad-r, a .jsonl[.gz] tuple file, or an mMARCO directory (required)")
	langs := fs.String("langs", "", "comma-separated languages to train on (default: all of the data's)")
	fs.IntVar(&c.MaxTriples, "max-triples", 0, "mMARCO: read only the first N triples (0: all)")
	fs.Float64Var(&c.TestFraction, "test", 0.25, "xquad-r: fraction of articles held out")
	fs.Uint64Var(&c.SplitSeed, "split-seed", 1, "xquad-r: seed of the article split")
	fs.Float64Var(&c.Alpha, "alpha", 0.5, "probability of a monolingual batch: 1 = X-X-mono, 0 = X-Y, 0.5 = hybrid (the paper's)")
	fs.IntVar(&c.Batch, "batch", 100, "items per batch")
	fs.IntVar(&c.Negatives, "negatives", 1, "hard negatives per item (at most)")
	fs.Float64Var(&c.LR, "lr", 3e-5, "AdamW peak learning rate")
	fs.Float64Var(&c.WeightDecay, "weight-decay", 0.01, "AdamW decoupled weight decay")
	fs.StringVar(&c.DecayExempt, "decay-exempt", "bias-norm", "parameters without weight decay: bias-norm (biases, LayerNorm weights, logit_scale: model.DecayExempt) or none")
	fs.Float64Var(&c.Warmup, "warmup", 0.1, "fraction of the steps of linear warm-up (then linear decay to 0)")
	fs.Float64Var(&c.MaxGradNorm, "max-grad-norm", 0, "clip the global gradient norm to this (0: no clipping)")
	fs.StringVar(&c.Loss, "loss", "paper", "paper (Eq. 1: cosine, τ=1, hard negatives, sum) or common (τ=0.05, in-batch positives and hard negatives, mean)")
	fs.Float64Var(&c.Tau, "tau", 0, "override the loss temperature")
	fs.IntVar(&c.MaxLength, "max-length", 0, "truncate texts to this many tokens (default: the model's)")
	fs.StringVar(&c.Prefixes, "prefixes", "paper", lab.PrefixesUsage)
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the sampler, hard negatives and dropout")
	fs.IntVar(&c.Steps, "steps", 1000, "total training steps (batches)")
	fs.IntVar(&c.Chunk, "chunk", 16, "GradCache chunk: texts encoded at once (bounds activation memory)")
	fs.StringVar(&c.Eval, "eval", "xquad-r", "evaluation set: xquad-r or none")
	fs.IntVar(&c.EvalEvery, "eval-every", 500, "evaluate every N steps (0: only at the end)")
	evalLangs := fs.String("eval-langs", "", "comma-separated XQuAD-R languages to evaluate (default: all 11)")
	fs.IntVar(&c.SaveEvery, "save-every", 500, "checkpoint every N steps (0: only at the end)")
	fs.IntVar(&c.Keep, "keep", 2, "checkpoints to keep (0: all)")
	fs.StringVar(&c.Out, "out", "", "output directory (required)")
	fs.BoolVar(&c.Resume, "resume", false, "continue from the latest checkpoint in -out")
	fs.IntVar(&c.StopAfter, "stop-after", 0, "stop (with a checkpoint) after N steps of this invocation (0: run to -steps)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.Data = lab.SplitList(*data)
	for _, l := range lab.SplitList(*langs) {
		c.Langs = append(c.Langs, datasets.Lang(l))
	}
	for _, l := range lab.SplitList(*evalLangs) {
		c.EvalLangs = append(c.EvalLangs, datasets.Lang(l))
	}
	switch {
	case c.Model == "" || len(c.Data) == 0 || c.Out == "":
		return nil, errors.New("-model, -data and -out are required")
	case c.Alpha < 0 || c.Alpha > 1:
		return nil, errors.New("-alpha must be in [0, 1]")
	case c.Batch < 1 || c.Steps < 1 || c.Chunk < 1:
		return nil, errors.New("-batch, -steps and -chunk must be positive")
	case c.LR <= 0 || c.WeightDecay < 0 || c.Warmup < 0 || c.Warmup > 1 || c.MaxGradNorm < 0 || c.Tau < 0:
		return nil, errors.New("-lr must be positive; -weight-decay, -max-grad-norm and -tau not negative; -warmup in [0, 1]")
	case c.Loss != "paper" && c.Loss != "common":
		return nil, fmt.Errorf("-loss %q: want paper or common", c.Loss)
	case c.DecayExempt != "bias-norm" && c.DecayExempt != "none":
		return nil, fmt.Errorf("-decay-exempt %q: want bias-norm or none", c.DecayExempt)
	case c.Loss == "paper" && c.Negatives == 0:
		return nil, errors.New("-loss paper with -negatives 0: the paper's loss has no in-batch positives, so without hard negatives it is constant")
	case c.Eval != "xquad-r" && c.Eval != "none":
		return nil, fmt.Errorf("-eval %q: want xquad-r or none", c.Eval)
	case c.TestFraction <= 0 || c.TestFraction >= 1:
		return nil, errors.New("-test must be in (0, 1)")
	case !validPrefixes(c.Prefixes):
		return nil, fmt.Errorf("-prefixes %q: want paper or none", c.Prefixes)
	case c.EvalEvery < 0 || c.SaveEvery < 0 || c.Keep < 0 || c.StopAfter < 0 || c.MaxTriples < 0 || c.MaxLength < 0 || c.Negatives < 0:
		return nil, errors.New("counts must not be negative")
	}
	return c, nil
}

func validPrefixes(s string) bool {
	_, err := lab.ParsePrefixes(s)
	return err == nil
}

// modelOptions returns the options the model is loaded with.
func (c *config) modelOptions() model.Options {
	prefixes, _ := lab.ParsePrefixes(c.Prefixes) // checked by parseFlags
	return model.Options{MaxLength: c.MaxLength, Seed: c.Seed, Prefixes: prefixes}
}

// adamWConfig returns the optimizer's configuration.
func (c *config) adamWConfig() model.AdamWConfig {
	wd := c.WeightDecay
	if wd == 0 {
		wd = -1 // AdamWConfig: 0 means the default 0.01, negative none
	}
	cfg := model.AdamWConfig{
		LR: c.LR, WeightDecay: wd, MaxGradNorm: c.MaxGradNorm,
		Schedule: model.LinearSchedule(int(c.Warmup*float64(c.Steps)), c.Steps),
	}
	if c.DecayExempt == "bias-norm" {
		cfg.NoDecay = model.DecayExempt
	}
	return cfg
}

// upgrade fills the fields that checkpoints written before they existed
// lack, with the behaviour of those versions: the paper's prefixes, weight
// decay on every parameter.
func (c *config) upgrade() {
	if c.Prefixes == "" {
		c.Prefixes = "paper"
	}
	if c.DecayExempt == "" {
		c.DecayExempt = "none"
	}
}

// state is saved as state.json in every checkpoint.
type state struct {
	Step    int        `json:"step"`
	Config  *config    `json:"config"`
	Loss    []float64  `json:"loss"`
	Batches []string   `json:"batches"` // FNV-1a fingerprint of each step's batch
	Evals   []evalNote `json:"evals,omitempty"`
	Seconds float64    `json:"seconds"`
}

type evalNote struct {
	Step    int         `json:"step"`
	Summary lab.Summary `json:"summary"`
}

// hooks lets tests interfere with a run.
type hooks struct {
	// afterStep is called after each completed step.
	afterStep func(step int, m *model.Model)
}

func (c *config) lossConfig() loss.Config {
	lc := loss.Config{}
	if c.Loss == "paper" {
		lc = loss.Paper()
	}
	if c.Tau > 0 {
		lc.Temperature = c.Tau
	}
	return lc
}

func (c *config) samplerConfig() sampler.Config {
	sc := sampler.Config{Alpha: c.Alpha, BatchSize: c.Batch, Seed: c.Seed, Negatives: c.Negatives}
	if c.Negatives == 0 {
		sc.Negatives = -1
	}
	if c.Alpha == 0 {
		sc.Alpha, sc.Strategy = 0, sampler.XY
	}
	return sc
}

// checkResume returns an error naming the first flag that differs from the
// checkpoint's.
func checkResume(saved, now *config) error {
	sv, nv := reflect.ValueOf(saved).Elem(), reflect.ValueOf(now).Elem()
	for i := range sv.NumField() {
		f := sv.Type().Field(i)
		if f.Tag.Get("resume") != "same" {
			continue
		}
		if !reflect.DeepEqual(sv.Field(i).Interface(), nv.Field(i).Interface()) {
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			return fmt.Errorf("-resume: %s is %v in the checkpoint and %v now", name, sv.Field(i).Interface(), nv.Field(i).Interface())
		}
	}
	if now.Steps < saved.Steps {
		return fmt.Errorf("-resume: -steps %d is below the checkpoint's %d", now.Steps, saved.Steps)
	}
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, h *hooks) error {
	start := time.Now()
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if h == nil {
		h = &hooks{}
	}
	prog := progress.New(stderr)
	ckRoot := filepath.Join(c.Out, "checkpoints")
	var resumeDir string
	if c.Resume {
		if resumeDir, err = lab.LatestCheckpoint(ckRoot); err != nil {
			return err
		}
	} else if _, err := lab.LatestCheckpoint(ckRoot); err == nil {
		return fmt.Errorf("%s already holds checkpoints: use -resume, or another -out", c.Out)
	}

	saved := &state{}
	if resumeDir != "" {
		if err := lab.ReadCheckpointState(resumeDir, saved); err != nil {
			return err
		}
		if saved.Config == nil {
			return fmt.Errorf("%s: state.json has no configuration", resumeDir)
		}
		saved.Config.upgrade()
		if err := checkResume(saved.Config, c); err != nil {
			return err
		}
	}
	data, heldOut, err := loadData(ctx, c, prog)
	if err != nil {
		return err
	}
	prog.Done()
	var evalTask *datasets.Task
	if c.Eval == "xquad-r" {
		if evalTask, err = evaluationTask(c, heldOut); err != nil {
			return err
		}
	}
	s, err := sampler.NewHybrid(data, c.samplerConfig())
	if err != nil {
		return err
	}
	opts := c.modelOptions()
	modelDir := c.Model
	if resumeDir != "" {
		modelDir = lab.CheckpointModel(resumeDir)
	}
	m, err := model.Load(ctx, modelDir, opts)
	if err != nil {
		return err
	}
	opt := model.NewAdamW(m.Params(), c.adamWConfig())
	st := &state{Config: c}
	if resumeDir != "" {
		if err := lab.RestoreCheckpoint(resumeDir, opt, s, saved); err != nil {
			return err
		}
		st.Step, st.Loss, st.Batches, st.Evals, st.Seconds = saved.Step, saved.Loss, saved.Batches, saved.Evals, saved.Seconds
		fmt.Fprintf(stdout, "resuming from %s (step %d)\n", resumeDir, st.Step)
	}
	langs := make([]string, 0)
	for _, d := range data {
		for _, l := range d.Languages() {
			langs = append(langs, string(l))
		}
	}
	fmt.Fprintf(stdout, "training %s on %d tuples (%s), α=%g, batch %d, %d steps, lr %g, loss %s, prefixes %s\n",
		c.Model, countTuples(data), strings.Join(langs, ","), c.Alpha, c.Batch, c.Steps, c.LR, c.Loss, c.Prefixes)

	t := &lab.Trainer{Model: m, Sampler: s, Opt: opt, Loss: c.lossConfig(), ChunkSize: c.Chunk, Seed: c.Seed, Steps: st.Step}
	stepCtx := context.WithoutCancel(ctx) // a started step is finished
	segment := time.Now()
	saveCheckpoint := func() error {
		st.Step = t.Steps
		st.Seconds += time.Since(segment).Seconds()
		segment = time.Now()
		dir, err := lab.SaveCheckpoint(ckRoot, t.Steps, m, opt, s, st, c.Keep)
		if err == nil {
			fmt.Fprintf(stdout, "step %d: checkpoint %s\n", t.Steps, dir)
		}
		return err
	}
	evaluate := func() error {
		if evalTask == nil {
			return nil
		}
		res, err := lab.EvaluateQA(stepCtx, m, evalTask, fmt.Sprintf("evaluate step %d", t.Steps), prog)
		if err != nil {
			return err
		}
		prog.Done()
		sum := lab.Summarize(res.Report)
		st.Evals = append(st.Evals, evalNote{Step: t.Steps, Summary: sum})
		fmt.Fprintf(stdout, "step %d: %s: mAP mono %.4f cross %.4f multi %.4f, rank distance %.1f\n",
			t.Steps, evalTask.Name, sum.MAPMono, sum.MAPCross, sum.MAPMulti, sum.RankDistance)
		return res.Write(stepCtx, filepath.Join(c.Out, "eval", fmt.Sprintf("step-%08d", t.Steps)), lab.WriteConfig{RunDepth: -1}) // runs: examples/evaluate
	}

	m.SetTraining(true)
	taken := 0
	for t.Steps < c.Steps {
		if ctx.Err() != nil || (c.StopAfter > 0 && taken == c.StopAfter) {
			prog.Done()
			m.SetTraining(false)
			if err := saveCheckpoint(); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted at step %d; resume with -resume: %w", t.Steps, ctx.Err())
			}
			fmt.Fprintf(stdout, "stopped after %d steps of this run (step %d of %d); continue with -resume\n", taken, t.Steps, c.Steps)
			return nil
		}
		b, fp := peekFingerprint(s)
		t.Sampler = b
		info, err := t.Step(stepCtx)
		if err != nil {
			prog.Done()
			if errors.Is(err, lab.ErrDiverged) {
				last := "no checkpoint was written yet"
				if dir, lerr := lab.LatestCheckpoint(ckRoot); lerr == nil {
					last = "the last good checkpoint, " + dir + ", is intact; resume from it with -resume (perhaps with a lower -lr)"
				}
				return fmt.Errorf("stopped: %w; %s", err, last)
			}
			return err
		}
		taken++
		st.Loss = append(st.Loss, info.Loss)
		st.Batches = append(st.Batches, fp())
		if h.afterStep != nil {
			h.afterStep(info.Step, m)
		}
		prog.Note("loss %.4g lr %.2g", info.Loss, info.LR)
		prog.Record("train", info.Step, c.Steps)
		last := info.Step == c.Steps
		if (c.EvalEvery > 0 && info.Step%c.EvalEvery == 0) || last {
			prog.Done()
			m.SetTraining(false)
			if err := evaluate(); err != nil {
				return err
			}
			m.SetTraining(true)
		}
		if (c.SaveEvery > 0 && info.Step%c.SaveEvery == 0) || last {
			prog.Done()
			m.SetTraining(false)
			if err := saveCheckpoint(); err != nil {
				return err
			}
			m.SetTraining(true)
		}
	}
	prog.Done()
	m.SetTraining(false)
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return err
	}
	if err := m.Save(filepath.Join(c.Out, "model")); err != nil {
		return err
	}
	for _, ext := range []string{"png", "svg"} {
		err := lab.WriteCurves(filepath.Join(c.Out, "loss."+ext), "training loss", "loss", []lab.Curve{{Name: fmt.Sprintf("α=%g", c.Alpha), Values: st.Loss}})
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "done: %d steps in %s; model in %s\n", t.Steps, time.Since(start).Round(time.Second), filepath.Join(c.Out, "model"))
	return nil
}

func countTuples(data []datasets.Dataset) int {
	n := 0
	for _, d := range data {
		n += len(d.Tuples)
	}
	return n
}

// evaluationTask returns the XQuAD-R task to evaluate on: the held-out
// articles when training on the xquad-r split, else all of XQuAD-R.
func evaluationTask(c *config, heldOut *datasets.Task) (*datasets.Task, error) {
	if heldOut == nil {
		t, err := datasets.LoadXQuADR(datasets.QAConfig{Languages: c.EvalLangs})
		return t, err
	}
	if len(c.EvalLangs) == 0 {
		return heldOut, nil
	}
	// Restrict the held-out task to the evaluation languages.
	t := *heldOut
	t.Queries, t.Candidates = nil, nil
	keep := map[datasets.Lang]bool{}
	for _, l := range c.EvalLangs {
		keep[l] = true
	}
	for _, q := range heldOut.Queries {
		if keep[q.Lang] {
			t.Queries = append(t.Queries, q)
		}
	}
	for _, x := range heldOut.Candidates {
		if keep[x.Lang] {
			t.Candidates = append(t.Candidates, x)
		}
	}
	return &t, nil
}

// fingerprinting wraps a sampler to hash the batch the Trainer draws.
type fingerprinting struct {
	s   sampler.HybridSampler
	sum string
}

func (f *fingerprinting) Next() (sampler.Batch, error) {
	b, err := f.s.Next()
	if err != nil {
		return b, err
	}
	h := fnv.New64a()
	for _, it := range b.Items {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00", it.Group, it.QueryLang, it.PassageLang, it.Query, it.Positive)
		for _, n := range it.Negatives {
			fmt.Fprintf(h, "%s\x00", n)
		}
	}
	f.sum = fmt.Sprintf("%s:%016x", b.Mode, h.Sum64())
	return b, nil
}

// peekFingerprint returns a sampler that records the fingerprint of the
// next batch, and a function returning it.
func peekFingerprint(s sampler.HybridSampler) (sampler.HybridSampler, func() string) {
	f := &fingerprinting{s: s}
	return f, func() string { return f.sum }
}
