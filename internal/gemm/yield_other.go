//go:build !linux

package gemm

import "runtime"

// yield lets other runnable goroutines run before a spinning worker polls
// again.
func yield() { runtime.Gosched() }
