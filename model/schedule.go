package model

import "math"

// A Schedule returns the learning-rate multiplier of the optimizer step
// that follows step completed steps (0 for the first step), as the
// lr_lambda of a PyTorch LambdaLR stepped after every optimizer step.
type Schedule func(step int) float64

// ConstantSchedule is 1 after a linear warm-up of warmup steps, as
// transformers' get_constant_schedule_with_warmup. It panics if warmup is
// negative.
func ConstantSchedule(warmup int) Schedule {
	checkSchedule(warmup, warmup)
	return func(step int) float64 {
		if step < warmup {
			return float64(step) / float64(max(1, warmup))
		}
		return 1
	}
}

// LinearSchedule rises linearly from 0 to 1 over warmup steps, then falls
// linearly to 0 at step total, as transformers'
// get_linear_schedule_with_warmup (so the first step has rate 0 when
// warmup > 0). It panics unless 0 ≤ warmup ≤ total.
func LinearSchedule(warmup, total int) Schedule {
	checkSchedule(warmup, total)
	return func(step int) float64 {
		if step < warmup {
			return float64(step) / float64(max(1, warmup))
		}
		return max(0, float64(total-step)/float64(max(1, total-warmup)))
	}
}

// CosineSchedule rises linearly over warmup steps, then follows half a
// cosine from 1 to 0 at step total, and stays 0 after, as transformers'
// get_cosine_schedule_with_warmup with num_cycles 0.5 up to step total. It
// panics unless 0 ≤ warmup ≤ total.
func CosineSchedule(warmup, total int) Schedule {
	checkSchedule(warmup, total)
	return func(step int) float64 {
		if step < warmup {
			return float64(step) / float64(max(1, warmup))
		}
		// Past total, transformers' formula would rise again; stay at 0.
		progress := min(1, float64(step-warmup)/float64(max(1, total-warmup)))
		return max(0, 0.5*(1+math.Cos(math.Pi*progress)))
	}
}

func checkSchedule(warmup, total int) {
	if warmup < 0 || total < warmup {
		panic("model: schedule needs 0 ≤ warmup ≤ total")
	}
}
