package sampler_test

import (
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/sampler"
	"github.com/polyret/polyret/sampler/samplertest"
)

// The statistical tests are deterministic for the default seed; another
// seed can fail a 3σ check by chance (about once in 370 checks).
var seed = flag.Uint64("sampler.seed", 1, "seed of the sampler tests")

// nStat is the number of batches of each statistical test.
const nStat = 10_000

// run draws n batches from a new sampler over data, checks each with
// samplertest.CheckBatch, checkItem and for duplicate groups, and hands
// it to f.
func run(t *testing.T, data []datasets.Dataset, cfg sampler.Config, n int, f func(sampler.Batch)) {
	t.Helper()
	if cfg.Seed == 0 {
		cfg.Seed = *seed
	}
	s, err := sampler.NewHybrid(data, cfg)
	if err != nil {
		t.Fatalf("NewHybrid: %v", err)
	}
	seen := make(map[string]bool)
	for step := range n {
		b, err := s.Next()
		if err != nil {
			t.Fatalf("Next at %d: %v", step, err)
		}
		if err := samplertest.CheckBatch(b); err != nil {
			t.Fatalf("batch %d: %v", step, err)
		}
		clear(seen)
		for _, it := range b.Items {
			if seen[it.Group] && !cfg.AllowDuplicateGroups {
				t.Fatalf("batch %d has group %q twice", step, it.Group)
			}
			seen[it.Group] = true
			if err := checkItem(it, cfg.NegativesInQueryLang); err != nil {
				t.Fatalf("batch %d: %v", step, err)
			}
		}
		f(b)
	}
}

// checkItem checks that an item's texts (made by triplet) are those of
// its dataset, group and languages. It does not allocate unless it fails.
func checkItem(it sampler.Item, negInQuery bool) error {
	num := it.Group[strings.LastIndexByte(it.Group, '-')+1:]
	want := func(kind string, l datasets.Lang, text string) error {
		k, rest, _ := strings.Cut(text, "/")
		ds, rest, _ := strings.Cut(rest, "/")
		lang, rest, _ := strings.Cut(rest, "/")
		n, _, _ := strings.Cut(rest, "/")
		if k != kind || ds != it.Dataset || lang != string(l) || n != num {
			return fmt.Errorf("item %+v: %s text %q is not of its dataset, group and language %s", it, kind, text, l)
		}
		return nil
	}
	if err := want("q", it.QueryLang, it.Query); err != nil {
		return err
	}
	if err := want("p", it.PassageLang, it.Positive); err != nil {
		return err
	}
	nl := it.PassageLang
	if negInQuery {
		nl = it.QueryLang
	}
	if len(it.Negatives) > 0 && it.NegativeLang != nl {
		return fmt.Errorf("item %+v: NegativeLang %s, want %s", it, it.NegativeLang, nl)
	}
	for _, neg := range it.Negatives {
		if err := want("n", nl, neg); err != nil {
			return err
		}
	}
	return nil
}

// near reports an error if count is farther than 3σ from the mean of a
// binomial(n, p).
func near(t *testing.T, what string, count, n int, p float64) {
	t.Helper()
	mean, sd := float64(n)*p, math.Sqrt(float64(n)*p*(1-p))
	if math.Abs(float64(count)-mean) > 3*sd || (sd == 0 && float64(count) != mean) {
		t.Errorf("%s: %d of %d, want %.1f ± 3×%.2f (p = %.4f)", what, count, n, mean, sd, p)
	}
}

func normalize(w map[datasets.Lang]float64) map[datasets.Lang]float64 {
	total := 0.0
	for _, x := range w {
		total += x
	}
	out := make(map[datasets.Lang]float64, len(w))
	for l, x := range w {
		out[l] = x / total
	}
	return out
}

func TestMonolingualShare(t *testing.T) {
	data := []datasets.Dataset{parallelData("par", 2000, langs("ar", "de", "en", "zh"), 1)}
	for _, c := range []struct {
		cfg  sampler.Config
		want float64
	}{
		{sampler.Config{}, 0.5},
		{sampler.Config{Alpha: 0.3}, 0.3},
		{sampler.Config{Alpha: 0.75, PairPerBatch: true}, 0.75},
		{sampler.Config{Alpha: 1}, 1},
		{sampler.Config{Strategy: sampler.XXMono}, 1},
		{sampler.Config{Strategy: sampler.XY}, 0},
	} {
		c.cfg.BatchSize = 20
		mono, cross := 0, 0
		run(t, data, c.cfg, nStat, func(b sampler.Batch) {
			switch b.Mode {
			case sampler.Monolingual:
				mono++
			case sampler.CrossLingual:
				cross++
			}
		})
		near(t, fmt.Sprintf("%v α=%v: monolingual batches", c.cfg.Strategy, c.cfg.Alpha), mono, nStat, c.want)
		if mono+cross != nStat {
			t.Errorf("%v: %d batches neither mono- nor cross-lingual", c.cfg.Strategy, nStat-mono-cross)
		}
	}
}

func TestLanguageMarginals(t *testing.T) {
	all := langs("de", "en", "fr", "zh")
	data := []datasets.Dataset{parallelData("par", 2000, all, 1)}
	w := map[datasets.Lang]float64{"de": 1, "en": 2, "fr": 3, "zh": 4}
	p := normalize(w)
	// A per-item pair draws the query by the weights, the passage by the
	// weights among the other languages.
	pPassage := map[datasets.Lang]float64{}
	for _, y := range all {
		for _, x := range all {
			if x != y {
				pPassage[y] += p[x] * p[y] / (1 - p[x])
			}
		}
	}
	cfg := sampler.Config{BatchSize: 20, LangWeights: w}

	t.Run("monolingual", func(t *testing.T) {
		count := map[datasets.Lang]int{}
		c := cfg
		c.Strategy = sampler.XXMono
		run(t, data, c, nStat, func(b sampler.Batch) { count[b.Items[0].QueryLang]++ })
		for _, l := range all {
			near(t, "batches in "+string(l), count[l], nStat, p[l])
		}
	})
	t.Run("per-item pairs", func(t *testing.T) {
		q, ps := map[datasets.Lang]int{}, map[datasets.Lang]int{}
		n := 0
		c := cfg
		c.Strategy = sampler.XY
		run(t, data, c, nStat, func(b sampler.Batch) {
			for _, it := range b.Items {
				q[it.QueryLang]++
				ps[it.PassageLang]++
				n++
			}
		})
		for _, l := range all {
			near(t, "queries in "+string(l), q[l], n, p[l])
			near(t, "passages in "+string(l), ps[l], n, pPassage[l])
		}
	})
	t.Run("per-batch pairs", func(t *testing.T) {
		q, ps := map[datasets.Lang]int{}, map[datasets.Lang]int{}
		c := cfg
		c.Strategy, c.PairPerBatch, c.NegativesInQueryLang = sampler.XY, true, true
		run(t, data, c, nStat, func(b sampler.Batch) {
			for _, it := range b.Items {
				if it.QueryLang != b.Items[0].QueryLang || it.PassageLang != b.Items[0].PassageLang {
					t.Fatalf("per-batch pairs: items %s→%s and %s→%s in one batch", it.QueryLang, it.PassageLang, b.Items[0].QueryLang, b.Items[0].PassageLang)
				}
			}
			q[b.Items[0].QueryLang]++
			ps[b.Items[0].PassageLang]++
		})
		for _, l := range all {
			near(t, "batch queries in "+string(l), q[l], nStat, p[l])
			near(t, "batch passages in "+string(l), ps[l], nStat, pPassage[l])
		}
	})
	t.Run("X-X", func(t *testing.T) {
		count := map[datasets.Lang]int{}
		n := 0
		c := cfg
		c.Strategy = sampler.XX
		run(t, data, c, nStat, func(b sampler.Batch) {
			for _, it := range b.Items {
				count[it.QueryLang]++
				n++
			}
		})
		for _, l := range all {
			near(t, "X-X items in "+string(l), count[l], n, p[l])
		}
	})
}

// TestLanguageWeightingBySize uses tuples in random subsets of the
// languages, so the languages' sizes differ.
func TestLanguageWeightingBySize(t *testing.T) {
	all := langs("de", "en", "fr", "zh")
	d := partialData("part", 3000, all, 3)
	for i := range d.Tuples { // make en rare
		if len(d.Tuples[i].Langs) > 1 && i%3 != 0 {
			delete(d.Tuples[i].Langs, "en")
		}
	}
	size := map[datasets.Lang]float64{}
	for _, tu := range d.Tuples {
		for l := range tu.Langs {
			size[l]++
		}
	}
	for _, c := range []struct {
		name string
		cfg  sampler.Config
		temp float64
	}{
		{"uniform", sampler.Config{}, 0},
		{"by size", sampler.Config{LangWeighting: sampler.BySize}, 1},
		{"temperature 0.5", sampler.Config{LangWeighting: sampler.ByTemperature, LangTemperature: 0.5}, 0.5},
		{"temperature 0", sampler.Config{LangWeighting: sampler.ByTemperature}, 0},
	} {
		w := map[datasets.Lang]float64{}
		for l, n := range size {
			w[l] = math.Pow(n, c.temp)
		}
		p := normalize(w)
		count := map[datasets.Lang]int{}
		cfg := c.cfg
		cfg.BatchSize, cfg.Strategy, cfg.KeepLast = 20, sampler.XXMono, true
		run(t, []datasets.Dataset{d}, cfg, nStat, func(b sampler.Batch) { count[b.Items[0].QueryLang]++ })
		for _, l := range all {
			near(t, c.name+": batches in "+string(l), count[l], nStat, p[l])
		}
	}
}

// TestRestrictedDraws checks per-item draws on tuples that lack some
// languages: over whole epochs, a language's share of X-X items is the
// mean over tuples of its weight among the tuple's languages.
func TestRestrictedDraws(t *testing.T) {
	all := langs("de", "en", "fr")
	d := partialData("part", 1000, all, 5)
	w := map[datasets.Lang]float64{"de": 1, "en": 2, "fr": 5}
	want := map[datasets.Lang]float64{}
	for _, tu := range d.Tuples {
		total := 0.0
		for l := range tu.Langs {
			total += w[l]
		}
		for l := range tu.Langs {
			want[l] += w[l] / total / float64(len(d.Tuples))
		}
	}
	count := map[datasets.Lang]int{}
	n := 0
	// 1000 tuples in batches of 20: an epoch is exactly 50 batches.
	run(t, []datasets.Dataset{d}, sampler.Config{BatchSize: 20, Strategy: sampler.XX, LangWeights: w}, nStat, func(b sampler.Batch) {
		for _, it := range b.Items {
			count[it.QueryLang]++
			n++
		}
	})
	for _, l := range all {
		near(t, "X-X items in "+string(l), count[l], n, want[l])
	}
}

func TestDatasetShares(t *testing.T) {
	data := []datasets.Dataset{
		parallelData("a", 1000, langs("de", "en", "fr"), 1),
		parallelData("b", 2000, langs("de", "en"), 1),
		parallelData("c", 4000, langs("en"), 1), // English only
	}
	sizes := []float64{1000, 2000, 4000}
	for _, c := range []struct {
		name string
		cfg  sampler.Config
		want []float64
	}{
		{"by size", sampler.Config{}, sizes},
		{"uniform", sampler.Config{DatasetWeighting: sampler.Uniform}, []float64{1, 1, 1}},
		{"temperature 0.5", sampler.Config{DatasetWeighting: sampler.ByTemperature, DatasetTemperature: 0.5}, []float64{math.Sqrt(1000), math.Sqrt(2000), math.Sqrt(4000)}},
		{"weights", sampler.Config{DatasetWeights: []float64{1, 0, 3}}, []float64{1, 0, 3}},
	} {
		for _, mix := range []bool{false, true} {
			name := c.name
			if mix {
				name += ", mixed in batches"
			}
			total := 0.0
			for _, x := range c.want {
				total += x
			}
			count := map[string]int{}
			var sq [3]float64 // per-batch shares, for the variance of mixed batches
			var sum [3]float64
			cfg := c.cfg
			cfg.BatchSize, cfg.MixDatasets = 10, mix
			run(t, data, cfg, nStat, func(b sampler.Batch) {
				if !mix {
					for _, it := range b.Items {
						if it.Dataset != b.Items[0].Dataset {
							t.Fatalf("%s: datasets %s and %s in one batch", name, it.Dataset, b.Items[0].Dataset)
						}
					}
					count[b.Items[0].Dataset]++
					return
				}
				var share [3]float64
				for _, it := range b.Items {
					count[it.Dataset]++
					share[it.Dataset[0]-'a'] += 1 / float64(len(b.Items))
				}
				for i := range share {
					sum[i] += share[i]
					sq[i] += share[i] * share[i]
				}
			})
			for i, ds := range []string{"a", "b", "c"} {
				p := c.want[i] / total
				if !mix {
					near(t, name+": batches from "+ds, count[ds], nStat, p)
					continue
				}
				// Items of a batch are not independent: compare the
				// mean per-batch share with its empirical σ.
				mean := sum[i] / nStat
				sd := math.Sqrt((sq[i]/nStat - mean*mean) / nStat)
				if math.Abs(mean-p) > 3*sd || (sd == 0 && mean != p) {
					t.Errorf("%s: share of items from %s = %.5f, want %.5f ± 3×%.5f", name, ds, mean, p, sd)
				}
			}
		}
	}
}

func TestNegativesSubset(t *testing.T) {
	data := []datasets.Dataset{parallelData("neg", 500, langs("de", "en"), 5)}
	count := map[int]int{}
	n := 0
	run(t, data, sampler.Config{BatchSize: 20, Negatives: 2}, nStat/10, func(b sampler.Batch) {
		for _, it := range b.Items {
			if len(it.Negatives) != 2 || it.Negatives[0] == it.Negatives[1] {
				t.Fatalf("item negatives %q, want 2 distinct", it.Negatives)
			}
			for _, neg := range it.Negatives {
				k, _ := strconv.Atoi(neg[strings.LastIndexByte(neg, '/')+1:])
				count[k]++
			}
			n++
		}
	})
	for k := range 5 {
		near(t, fmt.Sprintf("items with negative %d", k), count[k], n, 2.0/5)
	}
	for _, c := range []struct {
		negatives, want int
	}{{0, 5}, {-1, 0}, {7, 5}, {5, 5}} {
		run(t, data, sampler.Config{BatchSize: 20, Negatives: c.negatives}, 20, func(b sampler.Batch) {
			for _, it := range b.Items {
				if len(it.Negatives) != c.want {
					t.Fatalf("Negatives: %d gave %d negatives, want %d", c.negatives, len(it.Negatives), c.want)
				}
			}
		})
	}
}

// TestDuplicateGroups uses datasets whose groups repeat (three tuples per
// group), and a small dataset mixed with a large one, whose epochs wrap
// inside batches.
func TestDuplicateGroups(t *testing.T) {
	dup := parallelData("dup", 900, langs("de", "en", "fr"), 1)
	for i := range dup.Tuples {
		dup.Tuples[i] = parallelData("dup", i/3+1, langs("de", "en", "fr"), 1).Tuples[i/3]
	}
	small := parallelData("small", 60, langs("de", "en", "fr"), 1)
	for _, cfg := range []sampler.Config{
		{BatchSize: 50},
		{BatchSize: 50, Strategy: sampler.XX},
		{BatchSize: 50, KeepLast: true},
		{BatchSize: 50, MixDatasets: true, DatasetWeighting: sampler.Uniform},
		{BatchSize: 50, MixDatasets: true, Strategy: sampler.XY, PairPerBatch: true, DatasetWeighting: sampler.Uniform},
	} {
		groups := map[string]int{}
		run(t, []datasets.Dataset{dup, small}, cfg, 2000, func(b sampler.Batch) {
			for _, it := range b.Items {
				groups[it.Dataset]++
			}
		})
		if groups["dup"] == 0 || groups["small"] == 0 {
			t.Errorf("%+v: items per dataset %v", cfg, groups)
		}
	}
	// Allowed duplicates do appear.
	dups := 0
	run(t, []datasets.Dataset{dup}, sampler.Config{BatchSize: 50, AllowDuplicateGroups: true}, 200, func(b sampler.Batch) {
		seen := map[string]bool{}
		for _, it := range b.Items {
			if seen[it.Group] {
				dups++
			}
			seen[it.Group] = true
		}
	})
	if dups == 0 {
		t.Errorf("AllowDuplicateGroups: no batch of 50 out of 300 groups × 3 repeated a group")
	}
}
