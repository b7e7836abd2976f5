package sampler_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/sampler"
)

func TestNewHybridErrors(t *testing.T) {
	three := parallelData("three", 30, langs("de", "en", "fr"), 1)
	english := parallelData("english", 30, langs("en"), 1)
	perLang := partialData("perlang", 30, langs("de", "en"), 1)
	for i := range perLang.Tuples { // one language per tuple, as MIRACL's topics
		l := datasets.Lang([]string{"de", "en"}[i%2])
		perLang.Tuples[i].Langs = map[datasets.Lang]datasets.Triplet{l: triplet("perlang", l, i, 0)}
	}
	dup := parallelData("dup", 30, langs("de", "en"), 0)
	for i := range dup.Tuples {
		dup.Tuples[i].Group = []string{"a", "b", "c"}[i%3]
	}
	sparse := parallelData("sparse", 30, langs("de", "en"), 0)
	sparse.Tuples[0].Langs["fr"] = triplet("sparse", "fr", 0, 0)
	one := func(d datasets.Dataset) []datasets.Dataset { return []datasets.Dataset{d} }
	bad := func(mod func(*datasets.Dataset)) []datasets.Dataset {
		d := parallelData("bad", 30, langs("de", "en"), 0)
		mod(&d)
		return one(d)
	}
	for _, c := range []struct {
		name string
		data []datasets.Dataset
		cfg  sampler.Config
		is   error
		want string
	}{
		{"alpha > 1", one(three), sampler.Config{Alpha: 1.5}, sampler.ErrConfig, "Alpha = 1.5"},
		{"alpha < 0", one(three), sampler.Config{Alpha: -0.1}, sampler.ErrConfig, "Alpha = -0.1"},
		{"alpha NaN", one(three), sampler.Config{Alpha: math.NaN()}, sampler.ErrConfig, "Alpha = NaN"},
		{"alpha with XY", one(three), sampler.Config{Alpha: 0.3, Strategy: sampler.XY}, sampler.ErrConfig, "Alpha is for AlphaMixture"},
		{"unknown strategy", one(three), sampler.Config{Strategy: 8}, sampler.ErrConfig, "Strategy(8)"},
		{"negative batch", one(three), sampler.Config{BatchSize: -1}, sampler.ErrConfig, "BatchSize = -1"},
		{"negative epochs", one(three), sampler.Config{Epochs: -1}, sampler.ErrConfig, "Epochs = -1"},
		{"rank too big", one(three), sampler.Config{BatchSize: 10, Rank: 2, WorldSize: 2}, sampler.ErrConfig, "Rank = 2"},
		{"rank without world", one(three), sampler.Config{BatchSize: 10, Rank: 1}, sampler.ErrConfig, "WorldSize = 1"},
		{"negative world", one(three), sampler.Config{WorldSize: -2}, sampler.ErrConfig, "WorldSize = -2"},
		{"keep last sharded", one(three), sampler.Config{BatchSize: 10, WorldSize: 2, KeepLast: true}, sampler.ErrConfig, "KeepLast with WorldSize = 2"},
		{"empty negative", bad(func(d *datasets.Dataset) {
			d.Tuples[6].Langs["en"] = datasets.Triplet{Query: "q", Positive: "p", Negatives: []string{"n", ""}}
		}), sampler.Config{BatchSize: 10}, sampler.ErrData, `tuple 6 (group "bad-6") language "en" has an empty`},
		{"indivisible shards", one(three), sampler.Config{BatchSize: 10, WorldSize: 3}, sampler.ErrConfig, "not a multiple"},
		{"negative lang weight", one(three), sampler.Config{BatchSize: 10, LangWeights: map[datasets.Lang]float64{"de": 1, "en": -1, "fr": 1}}, sampler.ErrConfig, `LangWeights["en"] = -1`},
		{"infinite lang weight", one(three), sampler.Config{BatchSize: 10, LangWeights: map[datasets.Lang]float64{"de": 1, "en": math.Inf(1), "fr": 1}}, sampler.ErrConfig, `LangWeights["en"] = +Inf`},
		{"missing lang weight", one(three), sampler.Config{BatchSize: 10, LangWeights: map[datasets.Lang]float64{"de": 1, "en": 1}}, sampler.ErrConfig, `no weight for language "fr"`},
		{"unknown lang weight", one(three), sampler.Config{BatchSize: 10, LangWeights: map[datasets.Lang]float64{"de": 1, "en": 1, "fr": 1, "xx": 1}}, sampler.ErrConfig, `"xx", which no dataset has`},
		{"zero lang weights", one(three), sampler.Config{BatchSize: 10, LangWeights: map[datasets.Lang]float64{"de": 0, "en": 0, "fr": 0}}, sampler.ErrConfig, "no positive finite total"},
		{"weights with uniform", one(three), sampler.Config{BatchSize: 10, LangWeighting: sampler.Uniform, LangWeights: map[datasets.Lang]float64{"de": 1}}, sampler.ErrConfig, "LangWeights given with LangWeighting uniform"},
		{"ByWeights without weights", one(three), sampler.Config{BatchSize: 10, DatasetWeighting: sampler.ByWeights}, sampler.ErrConfig, "without DatasetWeights"},
		{"temperature without ByTemperature", one(three), sampler.Config{BatchSize: 10, LangTemperature: 0.5}, sampler.ErrConfig, "LangTemperature = 0.5 with LangWeighting uniform"},
		{"negative temperature", one(three), sampler.Config{BatchSize: 10, DatasetWeighting: sampler.ByTemperature, DatasetTemperature: -1}, sampler.ErrConfig, "DatasetTemperature = -1"},
		{"unknown weighting", one(three), sampler.Config{BatchSize: 10, LangWeighting: 17}, sampler.ErrConfig, "Weighting(17)"},
		{"negative dataset weight", []datasets.Dataset{three, english}, sampler.Config{BatchSize: 10, DatasetWeights: []float64{1, -2}}, sampler.ErrConfig, "DatasetWeights[1] = -2"},
		{"dataset weights length", []datasets.Dataset{three, english}, sampler.Config{BatchSize: 10, DatasetWeights: []float64{1}}, sampler.ErrConfig, "len(DatasetWeights) = 1 for 2 datasets"},
		{"zero dataset weights", []datasets.Dataset{three, english}, sampler.Config{BatchSize: 10, DatasetWeights: []float64{0, 0}}, sampler.ErrConfig, "no positive finite total"},

		{"no datasets", nil, sampler.Config{}, sampler.ErrData, "no datasets"},
		{"empty dataset", one(datasets.Dataset{Name: "void"}), sampler.Config{}, sampler.ErrData, `dataset "void" has no tuples`},
		{"duplicate names", []datasets.Dataset{three, three}, sampler.Config{BatchSize: 10}, sampler.ErrData, `two datasets are named "three"`},
		{"no group", bad(func(d *datasets.Dataset) { d.Tuples[3].Group = "" }), sampler.Config{BatchSize: 10}, sampler.ErrData, `dataset "bad" tuple 3 has no Group`},
		{"no languages", bad(func(d *datasets.Dataset) { d.Tuples[4].Langs = nil }), sampler.Config{BatchSize: 10}, sampler.ErrData, `tuple 4 (group "bad-4") has no languages`},
		{"empty query", bad(func(d *datasets.Dataset) { d.Tuples[5].Langs["de"] = datasets.Triplet{Positive: "p"} }), sampler.Config{BatchSize: 10}, sampler.ErrData, `tuple 5 (group "bad-5") language "de" has an empty`},
		{"batch larger than dataset", one(three), sampler.Config{}, sampler.ErrData, `dataset "three" has 30 groups in language "de", but a batch needs 100 (BatchSize`},
		{"batch larger than dataset, XX", one(three), sampler.Config{Strategy: sampler.XX, BatchSize: 31}, sampler.ErrData, `dataset "three" has 30 groups, but a batch needs 31`},
		{"duplicate groups", one(dup), sampler.Config{BatchSize: 4, Strategy: sampler.XXMono}, sampler.ErrData, `has 3 groups in language "de", but a batch needs 4`},
		{"cross on English only", one(english), sampler.Config{BatchSize: 10}, sampler.ErrData, "Alpha = 0.5 asks for cross-lingual batches, but no dataset has a tuple in two languages"},
		{"XY on English only", one(english), sampler.Config{BatchSize: 10, Strategy: sampler.XY}, sampler.ErrData, "Strategy X-Y asks for cross-lingual"},
		{"cross on per-language sets", one(perLang), sampler.Config{BatchSize: 10, Alpha: 0.9}, sampler.ErrData, "no dataset has a tuple in two languages"},
		{"pair without support", one(sparse), sampler.Config{BatchSize: 10, Strategy: sampler.XY, PairPerBatch: true}, sampler.ErrData, `has 1 groups in both "de" and "fr", but a batch needs 10`},
		{"pair without support, keep last", one(sparse), sampler.Config{BatchSize: 10, Strategy: sampler.XY, PairPerBatch: true, KeepLast: true}, nil, ""},
		{"mono language too small", one(sparse), sampler.Config{BatchSize: 10}, sampler.ErrData, `has 1 groups in language "fr"`},
		{"mono language excluded", one(sparse), sampler.Config{BatchSize: 10, LangWeights: map[datasets.Lang]float64{"de": 1, "en": 1, "fr": 0}}, nil, ""},
		{"mixed too few", []datasets.Dataset{three, english}, sampler.Config{BatchSize: 61, MixDatasets: true, Strategy: sampler.XX}, sampler.ErrData, "the datasets have 60 groups, but a batch needs 61"},
		{"mixed pooled enough", []datasets.Dataset{three, english}, sampler.Config{BatchSize: 50, MixDatasets: true, Strategy: sampler.XXMono, LangWeights: map[datasets.Lang]float64{"de": 0, "en": 1, "fr": 0}}, nil, ""},
		{"mixed language too small", []datasets.Dataset{three, english}, sampler.Config{BatchSize: 50, MixDatasets: true, Strategy: sampler.XXMono}, sampler.ErrData, `the datasets have 30 groups in language "de", but a batch needs 50`},
		{"mixed de too small", []datasets.Dataset{three, english}, sampler.Config{BatchSize: 31, MixDatasets: true}, sampler.ErrData, `the datasets have 30 groups in language "de", but a batch needs 31`},
		{"zero-weight dataset unchecked", []datasets.Dataset{three, english}, sampler.Config{BatchSize: 10, DatasetWeights: []float64{1, 0}}, nil, ""},
		{"English only, mono", one(english), sampler.Config{BatchSize: 10, Strategy: sampler.XXMono}, nil, ""},
		{"English with parallel", []datasets.Dataset{three, english}, sampler.Config{BatchSize: 10}, nil, ""},
		{"allow duplicates", one(dup), sampler.Config{BatchSize: 4, Strategy: sampler.XXMono, AllowDuplicateGroups: true}, nil, ""},
	} {
		_, err := sampler.NewHybrid(c.data, c.cfg)
		switch {
		case c.is == nil && err != nil:
			t.Errorf("NewHybrid(%s) = %v, want no error", c.name, err)
		case c.is != nil && (!errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "sampler: ")):
			t.Errorf("NewHybrid(%s) = %v, want an error wrapping %q that contains %q", c.name, err, c.is, c.want)
		}
	}
}
