//go:build !unix

package sampler_test

import "time"

// cpuTime returns 0 where the process's CPU time is not measured.
func cpuTime() time.Duration { return 0 }
