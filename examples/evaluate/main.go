package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/examples/internal/lab"
	"github.com/polyret/polyret/examples/internal/progress"
	"github.com/polyret/polyret/model"
)

func main() { lab.Main("evaluate", run) }

type config struct {
	models        []namedModel
	data          string
	split         string
	testFraction  float64
	splitSeed     uint64
	langs         []datasets.Lang
	mlqa          string
	miraclLang    string
	miraclTopics  string
	miraclQrels   string
	miraclCorpus  []string
	out           string
	runDepth      int
	crossRuns     bool
	batch         int
	maxLength     int
	queryPrefix   string
	passagePrefix string
	prefixes      model.Toggle
}

// namedModel is a model directory and the name its outputs go under.
type namedModel struct {
	name, dir string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	models := fs.String("model", "", "model directories, comma-separated, or an examples/quickstart output directory")
	fs.StringVar(&c.data, "data", "xquad-r", "xquad-r (embedded), mlqa-r (needs -mlqa) or miracl (needs -miracl-*)")
	fs.StringVar(&c.split, "split", "", "XQuAD-R: all (the paper's zero-shot protocol) or test (held-out articles of -test/-split-seed); default all, or test for a quickstart output")
	fs.Float64Var(&c.testFraction, "test", 0.25, "with -split test: fraction of articles held out")
	fs.Uint64Var(&c.splitSeed, "split-seed", 1, "with -split test: seed of the article split")
	langs := fs.String("langs", "", "XQuAD-R, MLQA-R: comma-separated languages to load (default all)")
	fs.StringVar(&c.mlqa, "mlqa", "", "MLQA-R directory (mlqa-dev-r or mlqa-test-r: <lang>.json files)")
	fs.StringVar(&c.miraclLang, "miracl-lang", "", "MIRACL language code")
	fs.StringVar(&c.miraclTopics, "miracl-topics", "", "MIRACL topics file (qid<TAB>query)")
	fs.StringVar(&c.miraclQrels, "miracl-qrels", "", "MIRACL qrels file (qid Q0 docid rel)")
	corpus := fs.String("miracl-corpus", "", "MIRACL corpus JSONL files (plain or gzipped), comma-separated")
	fs.StringVar(&c.out, "out", "", "output directory (default: a new temporary directory)")
	fs.IntVar(&c.runDepth, "run-depth", lab.DefaultRunDepth, "candidates per query in run files")
	fs.BoolVar(&c.crossRuns, "cross-runs", false, "XQuAD-R, MLQA-R: also write the cross-lingual runs (one file per candidate language; (languages−1) rankings per query)")
	fs.IntVar(&c.batch, "batch", 32, "texts per encoder batch")
	fs.IntVar(&c.maxLength, "max-length", 0, "truncate texts to this many tokens (default: the model's)")
	fs.StringVar(&c.queryPrefix, "query-prefix", "", `query prefix (default "Query: ", or none with -prefixes none)`)
	fs.StringVar(&c.passagePrefix, "passage-prefix", "", `passage prefix (default "Passage: ", or none with -prefixes none)`)
	prefixes := fs.String("prefixes", "paper", lab.PrefixesUsage)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var err error
	if c.prefixes, err = lab.ParsePrefixes(*prefixes); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *models == "" {
		return nil, errors.New("-model is required")
	}
	for _, s := range lab.SplitList(*langs) {
		c.langs = append(c.langs, datasets.Lang(s))
	}
	c.miraclCorpus = lab.SplitList(*corpus)
	quick := false
	for _, d := range lab.SplitList(*models) {
		ms, isQuick, err := expandModels(d, c)
		if err != nil {
			return nil, err
		}
		quick = quick || isQuick
		c.models = append(c.models, ms...)
	}
	if c.split == "" {
		c.split = "all"
		if quick {
			c.split = "test"
		}
	}
	switch {
	case c.data != "xquad-r" && c.data != "mlqa-r" && c.data != "miracl":
		return nil, fmt.Errorf("-data %q: want xquad-r, mlqa-r or miracl", c.data)
	case c.split != "all" && c.split != "test":
		return nil, fmt.Errorf("-split %q: want all or test", c.split)
	case c.split == "test" && (c.testFraction <= 0 || c.testFraction >= 1):
		return nil, errors.New("-test must be in (0, 1)")
	case c.data == "mlqa-r" && c.mlqa == "":
		return nil, errors.New("-data mlqa-r needs -mlqa DIR")
	case c.data == "miracl" && (c.miraclLang == "" || c.miraclTopics == "" || c.miraclQrels == "" || len(c.miraclCorpus) == 0):
		return nil, errors.New("-data miracl needs -miracl-lang, -miracl-topics, -miracl-qrels and -miracl-corpus")
	case c.runDepth < 1:
		return nil, errors.New("-run-depth must be positive")
	case c.batch < 1 || c.maxLength < 0:
		return nil, errors.New("-batch must be positive and -max-length not negative")
	}
	return c, nil
}

// quickstartSummary is the part of a quickstart's summary.json evaluate
// reads.
type quickstartSummary struct {
	Config struct {
		TestFraction float64 `json:"test_fraction"`
		SplitSeed    uint64  `json:"split_seed"`
		Dev          bool    `json:"dev"`
	} `json:"config"`
	Results []struct {
		Dir string `json:"dir"`
	} `json:"results"`
}

// expandModels returns dir itself, or, if dir is a quickstart output, its
// models; then it also sets the split parameters of c from the summary.
func expandModels(dir string, c *config) ([]namedModel, bool, error) {
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if errors.Is(err, os.ErrNotExist) {
		return []namedModel{{filepath.Base(filepath.Clean(dir)), dir}}, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var s quickstartSummary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, false, fmt.Errorf("%s: %w", filepath.Join(dir, "summary.json"), err)
	}
	if s.Config.Dev {
		return nil, false, fmt.Errorf("%s: a -dev quickstart run: its models were trained on a smaller split; evaluate them with -split test -test and -split-seed by hand", dir)
	}
	c.testFraction, c.splitSeed = s.Config.TestFraction, s.Config.SplitSeed
	var ms []namedModel
	for _, r := range s.Results {
		md := filepath.Join(dir, r.Dir, "model")
		if _, err := os.Stat(md); err == nil {
			ms = append(ms, namedModel{r.Dir, md})
		}
	}
	if len(ms) == 0 {
		return nil, false, fmt.Errorf("%s: no saved model (was quickstart run with -save=false?)", dir)
	}
	return ms, true, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	out := c.out
	if out == "" {
		if out, err = os.MkdirTemp("", "polyret-evaluate-"); err != nil {
			return err
		}
	}
	prog := progress.New(stderr)
	var qa *datasets.Task
	switch c.data {
	case "xquad-r":
		if qa, err = datasets.LoadXQuADR(datasets.QAConfig{Languages: c.langs}); err != nil {
			return err
		}
		if c.split == "test" {
			_, qa = qa.SplitByArticle(c.testFraction, c.splitSeed)
		}
	case "mlqa-r":
		if qa, err = datasets.LoadQA(os.DirFS(c.mlqa), ".", datasets.QAConfig{Languages: c.langs}); err != nil {
			return err
		}
		qa.Name = "mlqa-r"
	}
	var table strings.Builder
	if qa != nil {
		fmt.Fprintf(stdout, "%s (%s): %d queries, %d candidates, languages %v\n", c.data, c.split, len(qa.Queries), len(qa.Candidates), qa.QueryLanguages())
		table.WriteString(lab.SummaryHeader)
	} else {
		table.WriteString("| model | nDCG@10 | recall@100 | MRR@10 | map | topics |\n|---|---:|---:|---:|---:|---:|\n")
	}
	for _, nm := range c.models {
		m, err := model.Load(ctx, nm.dir, model.Options{
			MaxLength: c.maxLength, BatchSize: c.batch,
			QueryPrefix: c.queryPrefix, PassagePrefix: c.passagePrefix, Prefixes: c.prefixes,
		})
		if err != nil {
			return err
		}
		if qa != nil {
			res, err := lab.EvaluateQA(ctx, m, qa, nm.name, prog)
			if err != nil {
				return err
			}
			prog.Done()
			dir := filepath.Join(out, nm.name, c.data)
			if err := res.Write(ctx, dir, lab.WriteConfig{RunDepth: c.runDepth, Tag: "polyret-" + nm.name, CrossRuns: c.crossRuns}); err != nil {
				return err
			}
			table.WriteString(lab.Summarize(res.Report).Row(nm.name))
			continue
		}
		row, err := evaluateMIRACL(ctx, m, nm.name, c, filepath.Join(out, nm.name, "miracl-"+c.miraclLang), prog)
		if err != nil {
			return err
		}
		table.WriteString(row)
	}
	fmt.Fprintf(stdout, "\n%s\nresults in %s\n", table.String(), out)
	return nil
}
