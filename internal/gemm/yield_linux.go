package gemm

import (
	"runtime"
	"syscall"
)

// yield lets other runnable goroutines and, through sched_yield, other
// threads of the machine run before a spinning worker polls again. On an
// idle CPU both return at once, so the CPU stays awake; on a loaded one
// the spinning worker cedes its time slice instead of burning it.
func yield() {
	runtime.Gosched()
	syscall.Syscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
}
