package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A Pool is a set of long-lived worker goroutines for running parallel
// loops, such as the strips of a large product, with low start-up latency.
//
// Starting a goroutine is cheap, but on a virtual machine an idle CPU is
// halted, and waking it takes about 100 µs (measured on the 2-vCPU
// development machine: a 100 µs task spawned with go ran in series with the
// caller's own 100 µs, not beside it). OpenMP runtimes, and so PyTorch and
// OpenBLAS, avoid this by letting idle workers spin for a while; a Pool does
// the same: after each task its workers poll for new work for Spin before
// they block. Between polls a spinning worker yields to every other
// runnable goroutine (runtime.Gosched) and, on Linux, thread (sched_yield),
// so it delays no other work; it only keeps an otherwise idle CPU awake.
// (Without the sched_yield, a loaded machine made two-worker products 2–3×
// slower than one worker, as OpenMP's spinning does to PyTorch there.)
//
// A Pool is safe for concurrent use. Run calls that find every worker busy
// run their remaining work on the caller, so nested or concurrent calls
// never deadlock. Close stops the workers and waits for them to exit.
type Pool struct {
	workers []*worker
	spin    time.Duration
	wg      sync.WaitGroup
	closed  atomic.Bool
}

// PoolConfig configures NewPool. The zero value is usable.
type PoolConfig struct {
	// Workers is the number of goroutines that run a loop, counting the
	// caller of Run; 0 means runtime.GOMAXPROCS(0). NewPool starts
	// Workers-1 goroutines.
	Workers int
	// Spin is how long an idle worker polls for work before it blocks;
	// 0 means 2 ms, a negative value means no polling.
	Spin time.Duration
}

// defaultSpin covers the gaps between products in an encoder's forward
// and backward pass (element-wise work of a few hundred microseconds).
const defaultSpin = 2 * time.Millisecond

// NewPool starts the worker goroutines of a Pool. Call Close to stop them.
// It panics if cfg.Workers is negative.
func NewPool(cfg PoolConfig) *Pool {
	if cfg.Workers < 0 {
		panic(errNegWorkers)
	}
	n := cfg.Workers
	if n == 0 {
		n = runtime.GOMAXPROCS(0)
	}
	p := &Pool{spin: cfg.Spin}
	if p.spin == 0 {
		p.spin = defaultSpin
	}
	for range n - 1 {
		w := &worker{wake: make(chan struct{}, 1)}
		p.workers = append(p.workers, w)
		p.wg.Go(func() { w.loop(p) })
	}
	return p
}

const errNegWorkers = "gemm: negative Workers"

// Workers returns the number of goroutines that can run a loop, counting
// the caller.
func (p *Pool) Workers() int { return len(p.workers) + 1 }

// Close stops the workers and waits for them to exit. Run calls after
// Close run on the caller alone. Close is idempotent.
func (p *Pool) Close() {
	if p.closed.Swap(true) {
		return
	}
	for _, w := range p.workers {
		w.notify()
	}
	p.wg.Wait()
}

// Run calls task(i) for every i in [0, n), on the caller and on up to
// min(n, Workers)-1 idle workers, and returns when all calls have returned.
// Indices are handed out in increasing order to whichever goroutine is free,
// so tasks of uneven cost balance. task must be safe for concurrent use and
// must not panic (a panic on a worker ends the program).
func (p *Pool) Run(n int, task func(i int)) {
	if n <= 0 {
		return
	}
	j := &job{n: int64(n), task: task}
	j.pending.Store(int64(n))
	if n > 1 && !p.closed.Load() {
		helpers := 0
		for _, w := range p.workers {
			if helpers == n-1 {
				break
			}
			if w.claim(j) {
				helpers++
			}
		}
	}
	j.work()
	// The workers are running too: wait for them without blocking, so
	// this thread stays awake to continue as soon as they finish.
	for j.pending.Load() != 0 {
		yield()
	}
}

// A job is one Run call's shared state.
type job struct {
	n       int64
	next    atomic.Int64 // next index to hand out
	pending atomic.Int64 // tasks not yet finished
	task    func(int)
}

// work runs tasks until none are left to hand out.
func (j *job) work() {
	for {
		i := j.next.Add(1) - 1
		if i >= j.n {
			return
		}
		j.task(int(i))
		j.pending.Add(-1)
	}
}

type worker struct {
	busy   atomic.Bool         // claimed by a Run call
	job    atomic.Pointer[job] // work handed over by claim
	parked atomic.Bool         // blocked, or about to block, on wake
	wake   chan struct{}
}

// claim hands j to w if w is idle and reports whether it did.
func (w *worker) claim(j *job) bool {
	if !w.busy.CompareAndSwap(false, true) {
		return false
	}
	w.job.Store(j)
	w.notify()
	return true
}

// notify wakes w if it is blocked or about to block.
func (w *worker) notify() {
	if w.parked.CompareAndSwap(true, false) {
		w.wake <- struct{}{}
	}
}

func (w *worker) loop(p *Pool) {
	for {
		deadline := time.Now().Add(p.spin)
		for {
			if j := w.job.Swap(nil); j != nil {
				j.work()
				w.busy.Store(false)
				deadline = time.Now().Add(p.spin)
				continue
			}
			if p.closed.Load() {
				return
			}
			if p.spin < 0 || time.Now().After(deadline) {
				break
			}
			yield()
		}
		// Block until claim or Close calls notify. Announce parking first,
		// then look again: a claim that stored its job before seeing
		// parked is found here; one that sees parked sends a wake-up.
		w.parked.Store(true)
		if w.job.Load() != nil || p.closed.Load() {
			if w.parked.CompareAndSwap(true, false) {
				continue
			}
		}
		<-w.wake
	}
}
