package loss

import (
	"fmt"
	"math"

	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"
	"github.com/nlpodyssey/spago/nn"
)

// DefaultTemperature is the softmax temperature τ used when Config.Temperature
// is zero: the scale 20 of sentence-transformers' MultipleNegativesRankingLoss.
const DefaultTemperature = 0.05

// Similarity is the score s(q, d) between a query and a passage embedding.
type Similarity int

const (
	// Cosine is q·d / (‖q‖‖d‖), each norm clamped below at 1e-12 as in
	// PyTorch's F.normalize. It is the zero value.
	Cosine Similarity = iota
	// Dot is the plain inner product q·d.
	Dot
)

// String returns "cosine" or "dot".
func (s Similarity) String() string {
	switch s {
	case Cosine:
		return "cosine"
	case Dot:
		return "dot"
	}
	return fmt.Sprintf("Similarity(%d)", int(s))
}

// InBatch selects which passages of the other items of a batch join a query's
// softmax denominator. A query's own positive and own hard negatives are always
// in it.
type InBatch int

const (
	// InBatchAll adds the other items' positives and all hard negatives of the
	// batch (common practice: sentence-transformers, Tevatron, E5). It is the
	// zero value.
	InBatchAll InBatch = iota
	// InBatchHardNegatives adds the hard negatives of every item but no other
	// positives: the printed Eq. 1 of arXiv 2408.10536.
	InBatchHardNegatives
	// InBatchPositives adds the other items' positives but not their hard
	// negatives (DPR-style in-batch negatives).
	InBatchPositives
	// InBatchNone adds nothing: each query sees its positive and its own hard
	// negatives only.
	InBatchNone
)

// String returns "all", "hard-negatives", "positives" or "none".
func (m InBatch) String() string {
	switch m {
	case InBatchAll:
		return "all"
	case InBatchHardNegatives:
		return "hard-negatives"
	case InBatchPositives:
		return "positives"
	case InBatchNone:
		return "none"
	}
	return fmt.Sprintf("InBatch(%d)", int(m))
}

func (m InBatch) positives() bool     { return m == InBatchAll || m == InBatchPositives }
func (m InBatch) hardNegatives() bool { return m == InBatchAll || m == InBatchHardNegatives }

// Reduction combines the per-query losses of a batch.
type Reduction int

const (
	// Mean divides the sum of the per-query losses by the batch size B. It is
	// the zero value.
	Mean Reduction = iota
	// Sum adds the per-query losses, as the printed Eq. 1.
	Sum
)

// String returns "mean" or "sum".
func (r Reduction) String() string {
	switch r {
	case Mean:
		return "mean"
	case Sum:
		return "sum"
	}
	return fmt.Sprintf("Reduction(%d)", int(r))
}

// Config selects an InfoNCE variant. Its zero value is common practice
// (sentence-transformers' MultipleNegativesRankingLoss with hard negatives):
// cosine similarity, τ = 0.05, all in-batch negatives, one direction, mean over
// the batch. Paper returns the variant printed in the paper.
type Config struct {
	// Similarity is the score function; the zero value is Cosine.
	Similarity Similarity

	// Temperature is the fixed softmax temperature τ: logits are s(q,d)/τ.
	// Zero means DefaultTemperature (0.05). Ignored when LogitScale is set.
	Temperature float64

	// LogitScale, if not nil, makes the temperature learnable; the loss then
	// sends a gradient to LogitScale.Param. Nil means a fixed Temperature.
	LogitScale *LogitScale

	// InBatch selects the in-batch negatives; the zero value is InBatchAll.
	InBatch InBatch

	// Symmetric adds the passage→query direction: each positive against the
	// queries for which it is a candidate, and averages the two directions.
	// It needs in-batch positives (InBatchAll or InBatchPositives).
	Symmetric bool

	// Reduction combines per-query losses; the zero value is Mean.
	Reduction Reduction

	// Workers bounds the goroutines of the matrix products; 0 means
	// GOMAXPROCS.
	Workers int
}

// Paper returns the configuration of Eq. 1 of arXiv 2408.10536 as printed:
// cosine similarity, τ = 1, query→passage only, the denominator over the
// query's positive and all hard negatives of the batch, summed over the batch.
func Paper() Config {
	return Config{
		Similarity:  Cosine,
		Temperature: 1,
		InBatch:     InBatchHardNegatives,
		Reduction:   Sum,
	}
}

// check panics with a loss: message if c holds an invalid value.
func (c Config) check() {
	switch {
	case c.Similarity != Cosine && c.Similarity != Dot:
		panic("loss: unknown Similarity")
	case c.InBatch < InBatchAll || c.InBatch > InBatchNone:
		panic("loss: unknown InBatch mode")
	case c.Reduction != Mean && c.Reduction != Sum:
		panic("loss: unknown Reduction")
	case c.Temperature < 0 || math.IsNaN(c.Temperature) || math.IsInf(c.Temperature, 0):
		panic("loss: Temperature must be finite and ≥ 0")
	case c.Symmetric && !c.InBatch.positives():
		panic("loss: Symmetric needs in-batch positives (InBatchAll or InBatchPositives)")
	case c.Workers < 0:
		panic("loss: negative Workers")
	}
	if c.LogitScale != nil {
		c.LogitScale.check()
	}
}

// Default bounds of a LogitScale's temperature, as CLIP (logit scale ≤ 100)
// and OpenCLIP (log scale ≥ 0).
const (
	DefaultMinTemperature = 0.01
	DefaultMaxTemperature = 1.0
)

// LogitScale is a learnable temperature, log-parameterised as in CLIP: the
// parameter θ holds log(1/τ), and logits are s(q,d)·exp(clamp(θ)), where clamp
// limits θ to [−log MaxTemperature, −log MinTemperature]. A clamped θ gets a
// zero gradient (as torch.clamp; θ exactly on a bound keeps its gradient), so an
// optimizer can walk it back in but not further out. Use NewLogitScale.
type LogitScale struct {
	// Param is the 1×1 parameter θ = log(1/τ). Give it to the optimizer with
	// the encoder's parameters; float32 or float64 alike.
	Param *nn.Param

	// MinTemperature bounds τ below; 0 means DefaultMinTemperature (0.01).
	MinTemperature float64
	// MaxTemperature bounds τ above; 0 means DefaultMaxTemperature (1).
	MaxTemperature float64
}

// NewLogitScale returns a learnable temperature starting at tau (CLIP starts at
// 0.07), its parameter of element type T. It panics if tau is not positive and
// finite.
func NewLogitScale[T float.DType](tau float64) *LogitScale {
	if !(tau > 0) || math.IsInf(tau, 0) {
		panic("loss: LogitScale temperature must be positive and finite")
	}
	return &LogitScale{Param: nn.NewParam(mat.Scalar(T(-math.Log(tau))))}
}

// Temperature returns the temperature τ the loss uses now: exp(−θ) with θ
// clamped to the bounds.
func (s *LogitScale) Temperature() float64 {
	theta, _ := s.theta()
	return math.Exp(-theta)
}

// bounds returns the limits of θ.
func (s *LogitScale) bounds() (lo, hi float64) {
	minT, maxT := s.MinTemperature, s.MaxTemperature
	if minT == 0 {
		minT = DefaultMinTemperature
	}
	if maxT == 0 {
		maxT = DefaultMaxTemperature
	}
	return -math.Log(maxT), -math.Log(minT)
}

// theta returns the clamped θ and whether θ lies inside the bounds (and so
// receives a gradient).
func (s *LogitScale) theta() (float64, bool) {
	v := s.Param.Value().Item().F64()
	lo, hi := s.bounds()
	switch {
	case v < lo:
		return lo, false
	case v > hi:
		return hi, false
	}
	return v, true
}

func (s *LogitScale) check() {
	if s.Param == nil || s.Param.Size() != 1 {
		panic("loss: LogitScale.Param must be a 1×1 parameter")
	}
	minT, maxT := s.MinTemperature, s.MaxTemperature
	if minT < 0 || maxT < 0 || math.IsNaN(minT) || math.IsNaN(maxT) || math.IsInf(minT, 0) || math.IsInf(maxT, 0) {
		panic("loss: LogitScale bounds must be finite and ≥ 0")
	}
	if lo, hi := s.bounds(); lo > hi {
		panic("loss: LogitScale MinTemperature > MaxTemperature")
	}
}
