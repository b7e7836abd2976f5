package lab

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/polyret/polyret/loss"
	"github.com/polyret/polyret/model"
	"github.com/polyret/polyret/sampler"
)

// ErrDiverged is wrapped by Trainer.Step when the loss or a gradient is NaN
// or infinite. The model's weights and the optimizer's state are those of
// the last good step: Step updates nothing on such a step.
var ErrDiverged = errors.New("training diverged: non-finite loss or gradient")

// A Trainer runs the steps of hybrid batch training: draw a batch from the
// sampler, encode queries (with the query prefix) and passages (with the
// passage prefix) and back-propagate InfoNCE through GradCache, then take
// an AdamW step.
//
// Each step uses a fresh GradCache whose seed is derived from Seed and the
// step number, so the dropout masks of step n do not depend on how the run
// got there: a run resumed from a checkpoint at step n replays exactly what
// an uninterrupted run does. A Trainer is not safe for concurrent use.
type Trainer struct {
	Model   *model.Model
	Sampler sampler.HybridSampler
	Opt     *model.AdamW
	// Loss configures InfoNCE.
	Loss loss.Config
	// ChunkSize is the number of texts GradCache encodes at once (the
	// memory bound of a step); 0 means loss.DefaultChunkSize.
	ChunkSize int
	// Seed seeds the dropout masks.
	Seed uint64
	// Steps is the number of steps taken so far; Step increments it. Set
	// it when resuming.
	Steps int
}

// StepInfo describes one training step.
type StepInfo struct {
	Step     int          // 1-based number of the step
	Loss     float64      // the InfoNCE loss of the batch
	GradNorm float64      // global L2 norm of the gradients, before clipping
	LR       float64      // learning rate used
	Mode     sampler.Mode // the batch's language layout
}

// Step takes one training step. It returns io.EOF, unwrapped, when the
// sampler is exhausted, and an error wrapping ErrDiverged, with the step
// number and the cause, when the loss or a gradient is not finite; then
// the weights and optimizer state are unchanged and the Trainer should
// not be used further.
func (t *Trainer) Step(ctx context.Context) (StepInfo, error) {
	b, err := t.Sampler.Next()
	if err != nil {
		return StepInfo{}, err
	}
	n := t.Steps + 1
	gc := loss.GradCache{
		Encoder:        t.Model.Queries(),
		PassageEncoder: t.Model.Passages(),
		ChunkSize:      t.ChunkSize,
		Loss:           t.Loss,
		Seed:           mix(t.Seed, uint64(n)),
	}
	l, err := gc.Backward(ctx, loss.TextBatch{
		Queries:    b.Queries(),
		Positives:  b.Positives(),
		Negatives:  b.Negatives(),
		NegativeOf: b.NegativeOf(),
		Groups:     b.Groups(),
	})
	if err == nil && (math.IsNaN(l) || math.IsInf(l, 0)) {
		err = fmt.Errorf("loss is %v", l)
	}
	if err != nil {
		t.zeroGrads()
		if errors.Is(err, loss.ErrNonFinite) || errors.Is(err, model.ErrNonFinite) || math.IsNaN(l) || math.IsInf(l, 0) {
			return StepInfo{}, fmt.Errorf("step %d: %w: %w", n, ErrDiverged, err)
		}
		return StepInfo{}, fmt.Errorf("step %d: %w", n, err)
	}
	norm, err := t.Opt.Step()
	if err != nil {
		if errors.Is(err, model.ErrNonFinite) {
			return StepInfo{}, fmt.Errorf("step %d: loss %.4g: %w: %w", n, l, ErrDiverged, err)
		}
		return StepInfo{}, fmt.Errorf("step %d: %w", n, err)
	}
	t.Steps = n
	return StepInfo{Step: n, Loss: l, GradNorm: norm, LR: t.Opt.LR(), Mode: b.Mode}, nil
}

func (t *Trainer) zeroGrads() {
	for _, p := range t.Model.Params() {
		p.ZeroGrad()
	}
}

// mix is SplitMix64's finalizer over a and b: nearby steps get unrelated
// seeds.
func mix(a, b uint64) uint64 {
	z := a + 0x9e3779b97f4a7c15*(b+1)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
