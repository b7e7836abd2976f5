package sampler

import (
	"errors"
	"fmt"
	"math"

	"github.com/polyret/polyret/datasets"
)

// Errors wrapped by NewHybrid's and UnmarshalBinary's errors; test them with
// errors.Is.
var (
	// ErrConfig reports a Config value that is invalid in itself.
	ErrConfig = errors.New("invalid sampler config")
	// ErrData reports datasets that cannot give the batches the Config asks
	// for, or that are malformed.
	ErrData = errors.New("datasets unusable for sampling")
	// ErrState reports a state that UnmarshalBinary rejects: corrupt, or
	// saved by a sampler with other data or another configuration.
	ErrState = errors.New("invalid sampler state")
)

// A Strategy chooses the language layout of batches.
type Strategy uint8

const (
	// AlphaMixture makes each batch Monolingual with probability
	// Config.Alpha and CrossLingual otherwise: the paper's hybrid batch
	// training.
	AlphaMixture Strategy = iota
	// XXMono makes every batch Monolingual (α = 1).
	XXMono
	// XY makes every batch CrossLingual (α = 0).
	XY
	// XX makes every batch MixedMonolingual: each item monolingual in a
	// language drawn for it alone (LAReQA's X-X).
	XX
)

// String returns "alpha-mixture", "X-X-mono", "X-Y" or "X-X".
func (s Strategy) String() string {
	switch s {
	case AlphaMixture:
		return "alpha-mixture"
	case XXMono:
		return "X-X-mono"
	case XY:
		return "X-Y"
	case XX:
		return "X-X"
	}
	return fmt.Sprintf("Strategy(%d)", uint8(s))
}

// A Weighting chooses the relative weights of languages or of datasets.
type Weighting uint8

const (
	// DefaultWeighting is ByWeights when weights are given, and otherwise
	// Uniform for languages and BySize for datasets.
	DefaultWeighting Weighting = iota
	// Uniform gives every language, or dataset, the same weight.
	Uniform
	// BySize weights a dataset by its number of tuples, and a language of
	// a dataset by the number of the dataset's tuples that have it.
	BySize
	// ByTemperature weights by size^T for the configured temperature T:
	// T = 1 is BySize, T = 0 is Uniform, T between smooths sizes.
	ByTemperature
	// ByWeights takes the weights given in the Config.
	ByWeights
)

// String returns "default", "uniform", "by-size", "by-temperature" or
// "by-weights".
func (w Weighting) String() string {
	switch w {
	case DefaultWeighting:
		return "default"
	case Uniform:
		return "uniform"
	case BySize:
		return "by-size"
	case ByTemperature:
		return "by-temperature"
	case ByWeights:
		return "by-weights"
	}
	return fmt.Sprintf("Weighting(%d)", uint8(w))
}

// Config configures a Hybrid sampler. The zero value is the paper's setup:
// α = 0.5, batches of 100, languages uniform, datasets by size, one dataset
// per batch, per-item language pairs, negatives in the positive's language.
type Config struct {
	// Strategy chooses the batch layout; the zero value is AlphaMixture.
	Strategy Strategy
	// Alpha is the probability of a Monolingual batch under AlphaMixture,
	// in [0, 1]. Zero means 0.5, the paper's choice, so α = 0 is written
	// Strategy: XY. Alpha 1 gives the same batches as XXMono. Other
	// strategies need Alpha 0.
	Alpha float64

	// BatchSize is the number of items of a global batch (all ranks
	// together); 0 means 100, the paper's.
	BatchSize int
	// KeepLast keeps each epoch's last, partial batch. By default it is
	// dropped, so every batch has BatchSize items. It cannot be combined
	// with WorldSize > 1.
	KeepLast bool
	// Epochs, if positive, makes the sampler finite: Next returns io.EOF
	// instead of starting epoch Epochs+1 of any dataset. 0 means endless.
	Epochs int
	// Seed seeds every random choice.
	Seed uint64

	// PairPerBatch draws one (query, passage) language pair for a whole
	// CrossLingual batch; by default each item draws its own pair.
	PairPerBatch bool
	// NegativesInQueryLang takes hard negatives in the query's language;
	// by default they are in the positive passage's language.
	NegativesInQueryLang bool
	// Negatives is the most hard negatives an item gets, chosen at random
	// without replacement when its triplet has more. 0 means all of them;
	// a negative value means none.
	Negatives int

	// LangWeighting weights the languages of each dataset; the default is
	// Uniform (the paper's), or ByWeights if LangWeights is non-nil.
	LangWeighting Weighting
	// LangWeights gives each language's weight for ByWeights. It must
	// cover every language of the datasets (0 excludes a language), and
	// name no other.
	LangWeights map[datasets.Lang]float64
	// LangTemperature is T for ByTemperature.
	LangTemperature float64

	// DatasetWeighting weights the datasets; the default is BySize (the
	// paper's), or ByWeights if DatasetWeights is non-nil.
	DatasetWeighting Weighting
	// DatasetWeights gives the weight of each dataset, in the order they
	// are passed to NewHybrid, for ByWeights; 0 excludes a dataset.
	DatasetWeights []float64
	// DatasetTemperature is T for ByTemperature.
	DatasetTemperature float64
	// MixDatasets draws each item's dataset separately; by default a batch
	// comes from one dataset.
	MixDatasets bool

	// AllowDuplicateGroups lets a batch hold several tuples of one group
	// (a loss then masks them with Batch.Groups). By default no group
	// appears twice in a batch.
	AllowDuplicateGroups bool

	// Rank and WorldSize shard each global batch for data-parallel
	// training: every rank builds the same global batch and returns its
	// slice (see Batch.Shard). WorldSize 0 means 1; BatchSize must be a
	// multiple of it.
	Rank, WorldSize int
}

// settings is a Config with defaults applied and values checked.
type settings struct {
	Config
	alpha float64 // P(Monolingual) of a parallel dataset's batch; unused by XX
}

func cfgErr(format string, args ...any) error { return wrapErr(ErrConfig, format, args...) }

func dataErr(format string, args ...any) error { return wrapErr(ErrData, format, args...) }

// wrapErr returns "sampler: <message>: <sentinel>", wrapping sentinel.
func wrapErr(sentinel error, format string, args ...any) error {
	return fmt.Errorf("sampler: "+format+": %w", append(args, sentinel)...)
}

// resolve checks c on its own and applies its defaults.
func resolve(c Config) (settings, error) {
	s := settings{Config: c}
	switch c.Strategy {
	case AlphaMixture:
		if !(c.Alpha >= 0 && c.Alpha <= 1) {
			return s, cfgErr("Alpha = %v, want 0 ≤ Alpha ≤ 1", c.Alpha)
		}
		s.alpha = c.Alpha
		if s.alpha == 0 {
			s.alpha = 0.5
		}
	case XXMono, XY, XX:
		if c.Alpha != 0 {
			return s, cfgErr("Alpha = %v with Strategy %v; Alpha is for AlphaMixture only", c.Alpha, c.Strategy)
		}
		s.alpha = map[Strategy]float64{XXMono: 1, XY: 0, XX: 1}[c.Strategy]
	default:
		return s, cfgErr("unknown %v", c.Strategy)
	}
	if c.BatchSize < 0 {
		return s, cfgErr("BatchSize = %d, want ≥ 0", c.BatchSize)
	}
	if s.BatchSize == 0 {
		s.BatchSize = 100
	}
	if c.Epochs < 0 {
		return s, cfgErr("Epochs = %d, want ≥ 0", c.Epochs)
	}
	if c.WorldSize < 0 {
		return s, cfgErr("WorldSize = %d, want ≥ 0", c.WorldSize)
	}
	if s.WorldSize == 0 {
		s.WorldSize = 1
	}
	if c.Rank < 0 || c.Rank >= s.WorldSize {
		return s, cfgErr("Rank = %d, want 0 ≤ Rank < WorldSize = %d", c.Rank, s.WorldSize)
	}
	if s.BatchSize%s.WorldSize != 0 {
		return s, cfgErr("BatchSize = %d is not a multiple of WorldSize = %d", s.BatchSize, s.WorldSize)
	}
	if s.KeepLast && s.WorldSize > 1 && !s.MixDatasets {
		return s, cfgErr("KeepLast with WorldSize = %d: partial batches would give ranks unequal, even empty, shards", s.WorldSize)
	}
	var err error
	if s.LangWeighting, err = resolveWeighting("Lang", c.LangWeighting, c.LangWeights != nil, c.LangTemperature, Uniform); err != nil {
		return s, err
	}
	for l, w := range c.LangWeights {
		if !(w >= 0) || math.IsInf(w, 1) {
			return s, cfgErr("LangWeights[%q] = %v, want finite and ≥ 0", l, w)
		}
	}
	if s.DatasetWeighting, err = resolveWeighting("Dataset", c.DatasetWeighting, c.DatasetWeights != nil, c.DatasetTemperature, BySize); err != nil {
		return s, err
	}
	for i, w := range c.DatasetWeights {
		if !(w >= 0) || math.IsInf(w, 1) {
			return s, cfgErr("DatasetWeights[%d] = %v, want finite and ≥ 0", i, w)
		}
	}
	return s, nil
}

func resolveWeighting(what string, w Weighting, given bool, temp float64, def Weighting) (Weighting, error) {
	if w == DefaultWeighting {
		w = def
		if given {
			w = ByWeights
		}
	}
	if w > ByWeights {
		return w, cfgErr("unknown %sWeighting %v", what, w)
	}
	if given && w != ByWeights {
		return w, cfgErr("%sWeights given with %sWeighting %v", what, what, w)
	}
	if w == ByWeights && !given {
		return w, cfgErr("%sWeighting %v without %sWeights", what, w, what)
	}
	if w == ByTemperature {
		if !(temp >= 0) || math.IsInf(temp, 1) {
			return w, cfgErr("%sTemperature = %v, want finite and ≥ 0", what, temp)
		}
	} else if temp != 0 {
		return w, cfgErr("%sTemperature = %v with %sWeighting %v; it is for ByTemperature only", what, temp, what, w)
	}
	return w, nil
}
