package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/examples/internal/lab"
	"github.com/polyret/polyret/metrics"
	"github.com/polyret/polyret/model"
)

// miraclMeasures are the paper's (nDCG@10, recall@100) plus MRR@10 and map.
var miraclMeasures = []string{"ndcg_cut.10", "recall.100", "recip_rank.10", "map"}

// corpusChunk is the number of passages encoded at a time.
const corpusChunk = 1024

// evaluateMIRACL encodes the topics and streams the corpus of one MIRACL
// language, searches exactly, writes the run and results into dir and
// returns the summary table row.
func evaluateMIRACL(ctx context.Context, m *model.Model, name string, c *config, dir string, rec lab.Recorder) (string, error) {
	lang := datasets.Lang(c.miraclLang)
	f, err := os.Open(c.miraclTopics)
	if err != nil {
		return "", err
	}
	topics, err := datasets.ReadTopics(f, c.miraclTopics, lang)
	f.Close()
	if err != nil {
		return "", err
	}
	qrels, err := metrics.ReadQrelsFile(c.miraclQrels)
	if err != nil {
		return "", err
	}
	var measures []metrics.Measure
	for _, s := range miraclMeasures {
		ms, err := metrics.ParseMeasure(s)
		if err != nil {
			return "", err
		}
		measures = append(measures, ms...)
	}

	q := metrics.Embeddings{Dim: m.Dim()}
	texts := make([]string, len(topics))
	for i, t := range topics {
		q.IDs = append(q.IDs, t.ID)
		texts[i] = t.Text
	}
	emb, err := m.Queries().EncodeAll(ctx, texts)
	if err != nil {
		return "", fmt.Errorf("%s: %w", c.miraclTopics, err)
	}
	for _, e := range emb {
		q.Vectors = append(q.Vectors, e...)
	}

	cands := metrics.Embeddings{Dim: m.Dim()}
	var ids, chunk []string
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		emb, err := m.Passages().EncodeAll(ctx, chunk)
		if err != nil {
			return err
		}
		for _, e := range emb {
			cands.Vectors = append(cands.Vectors, e...)
		}
		cands.IDs = append(cands.IDs, ids...)
		ids, chunk = ids[:0], chunk[:0]
		if rec != nil {
			return rec.Record("encode corpus "+name, cands.Len(), 0)
		}
		return nil
	}
	for _, path := range c.miraclCorpus {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		for p, err := range datasets.ReadCorpus(f, path) {
			if err != nil {
				f.Close()
				return "", err
			}
			text := p.Text
			if p.Title != "" {
				text = p.Title + " " + p.Text
			}
			ids, chunk = append(ids, p.ID), append(chunk, text)
			if len(chunk) == corpusChunk {
				if err := flush(); err != nil {
					f.Close()
					return "", fmt.Errorf("%s: %w", path, err)
				}
			}
		}
		f.Close()
		if err := flush(); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
	}
	if done, ok := rec.(interface{ Done() }); ok {
		done.Done()
	}
	if cands.Len() == 0 {
		return "", fmt.Errorf("%v: empty corpus", c.miraclCorpus)
	}

	depth := max(c.runDepth, 100) // recall@100 needs 100
	cfg := metrics.SearchConfig{}
	if rec != nil {
		cfg.Recorder = rec
	}
	run, err := metrics.Search(ctx, q, cands, depth, cfg)
	if err != nil {
		return "", err
	}
	res, err := metrics.Evaluate(qrels, run, measures, metrics.Options{Topics: metrics.TopicsComplete})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := metrics.WriteRunFile(filepath.Join(dir, "run.trec"), run, metrics.FormatTREC, "polyret-"+name); err != nil {
		return "", err
	}
	if err := writeResults(dir, res); err != nil {
		return "", err
	}
	return fmt.Sprintf("| %s | %.4f | %.4f | %.4f | %.4f | %d |\n", name, res.All[0], res.All[1], res.All[2], res.All[3], len(res.Topics)), nil
}

// writeResults writes results.txt (trec_eval -q -c layout: measure, topic,
// value) and results.json.
func writeResults(dir string, res *metrics.Results) error {
	err := lab.WriteFile(filepath.Join(dir, "results.txt"), func(w io.Writer) error {
		for t, topic := range res.Topics {
			for i, m := range res.Measures {
				fmt.Fprintf(w, "%-22s\t%s\t%.4f\n", m.String(), topic, res.Values[t][i])
			}
		}
		for i, m := range res.Measures {
			fmt.Fprintf(w, "%-22s\tall\t%.4f\n", m.String(), res.All[i])
		}
		return nil
	})
	if err != nil {
		return err
	}
	type js struct {
		Measures []string             `json:"measures"`
		All      map[string]float64   `json:"all"`
		Topics   map[string][]float64 `json:"topics"`
	}
	out := js{All: map[string]float64{}, Topics: map[string][]float64{}}
	for i, m := range res.Measures {
		out.Measures = append(out.Measures, m.String())
		out.All[m.String()] = res.All[i]
	}
	for t, topic := range res.Topics {
		out.Topics[topic] = res.Values[t]
	}
	return lab.WriteFile(filepath.Join(dir, "results.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	})
}
