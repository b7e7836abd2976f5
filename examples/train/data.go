package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/examples/internal/lab"
)

// loadData loads the training datasets named by -data (comma-separated)
// and, for "xquad-r", the held-out task used for evaluation.
func loadData(ctx context.Context, c *config, rec lab.Recorder) (data []datasets.Dataset, heldOut *datasets.Task, err error) {
	for _, spec := range c.Data {
		d, test, err := loadOne(ctx, spec, c, rec)
		if err != nil {
			return nil, nil, fmt.Errorf("-data %s: %w", spec, err)
		}
		if test != nil {
			heldOut = test
		}
		data = append(data, *d)
	}
	return data, heldOut, nil
}

func loadOne(ctx context.Context, spec string, c *config, rec lab.Recorder) (*datasets.Dataset, *datasets.Task, error) {
	if spec == "xquad-r" {
		pool, err := datasets.LoadXQuADR(datasets.QAConfig{Languages: c.Langs})
		if err != nil {
			return nil, nil, err
		}
		train, test := pool.SplitByArticle(c.TestFraction, c.SplitSeed)
		d, err := datasets.BuildTuples(train, datasets.TupleConfig{Negatives: max(c.Negatives, 1), Seed: c.Seed})
		return d, test, err
	}
	st, err := os.Stat(spec)
	if err != nil {
		return nil, nil, err
	}
	if !st.IsDir() {
		d, err := datasets.LoadTuples(os.DirFS(filepath.Dir(spec)), filepath.Base(spec))
		if err != nil {
			return nil, nil, err
		}
		return restrict(d, c.Langs), nil, nil
	}
	d, err := loadMarco(ctx, spec, c, rec)
	return d, nil, err
}

// marcoTriples are the names loadMarco looks for, in order.
var marcoTriples = []string{"triples.tsv", "triples.train.ids.small.tsv", "triples.tsv.gz", "triples.train.ids.small.tsv.gz"}

// loadMarco reads an mMARCO-style directory: a triples file of ids and one
// subdirectory per language holding collection.tsv and queries.tsv (plain
// or .gz).
func loadMarco(ctx context.Context, dir string, c *config, rec lab.Recorder) (*datasets.Dataset, error) {
	fsys := os.DirFS(dir)
	triples := ""
	for _, name := range marcoTriples {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			triples = name
			break
		}
	}
	if triples == "" {
		return nil, fmt.Errorf("%s: no triples file (%s)", dir, strings.Join(marcoTriples, ", "))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	langs := map[datasets.Lang]datasets.MarcoFiles{}
	for _, e := range entries {
		if !e.IsDir() || (len(c.Langs) > 0 && !slices.Contains(c.Langs, datasets.Lang(e.Name()))) {
			continue
		}
		files := datasets.MarcoFiles{}
		for _, f := range []struct {
			dst  *string
			base string
		}{{&files.Collection, "collection.tsv"}, {&files.Queries, "queries.tsv"}} {
			for _, name := range []string{f.base, f.base + ".gz"} {
				if _, err := os.Stat(filepath.Join(dir, e.Name(), name)); err == nil {
					*f.dst = e.Name() + "/" + name
					break
				}
			}
		}
		if files.Collection != "" && files.Queries != "" {
			langs[datasets.Lang(e.Name())] = files
		}
	}
	if len(langs) == 0 {
		return nil, fmt.Errorf("%s: no language directory with collection.tsv and queries.tsv", dir)
	}
	cfg := datasets.MarcoConfig{MaxTriples: c.MaxTriples, Partial: true}
	if rec != nil {
		cfg.Recorder = rec
	}
	return datasets.LoadMarco(ctx, fsys, triples, langs, cfg)
}

// restrict keeps the languages langs (all if empty) of d's tuples and drops
// tuples left with none.
func restrict(d *datasets.Dataset, langs []datasets.Lang) *datasets.Dataset {
	if len(langs) == 0 {
		return d
	}
	out := &datasets.Dataset{Name: d.Name}
	for _, t := range d.Tuples {
		kept := datasets.Tuple{Group: t.Group, Langs: map[datasets.Lang]datasets.Triplet{}}
		for l, tr := range t.Langs {
			if slices.Contains(langs, l) {
				kept.Langs[l] = tr
			}
		}
		if len(kept.Langs) > 0 {
			out.Tuples = append(out.Tuples, kept)
		}
	}
	return out
}
