package gemm

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPoolRun(t *testing.T) {
	for _, cfg := range []PoolConfig{{}, {Workers: 1}, {Workers: 3}, {Workers: 4, Spin: -1}, {Workers: 2, Spin: time.Microsecond}} {
		p := NewPool(cfg)
		if cfg.Workers > 0 && p.Workers() != cfg.Workers {
			t.Errorf("NewPool(%+v).Workers() = %d", cfg, p.Workers())
		}
		for _, n := range []int{0, 1, 2, 7, 100} {
			for range 20 {
				counts := make([]atomic.Int32, n)
				p.Run(n, func(i int) { counts[i].Add(1) })
				for i := range counts {
					if c := counts[i].Load(); c != 1 {
						t.Fatalf("NewPool(%+v).Run(%d): task %d ran %d times", cfg, n, i, c)
					}
				}
			}
			// Let the workers park between rounds to cover that path.
			time.Sleep(time.Millisecond)
		}
		p.Close()
		p.Close()
		ran := 0
		p.Run(3, func(int) { ran++ }) // after Close: on the caller alone
		if ran != 3 {
			t.Errorf("Run after Close ran %d tasks, want 3", ran)
		}
	}
}

// TestPoolConcurrent runs Run from several goroutines at once and nested;
// busy workers must leave the work to the callers, never deadlock.
func TestPoolConcurrent(t *testing.T) {
	p := NewPool(PoolConfig{Workers: 3})
	defer p.Close()
	var total atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				p.Run(5, func(int) {
					p.Run(3, func(int) { total.Add(1) })
				})
			}
		})
	}
	wg.Wait()
	if got, want := total.Load(), int64(4*50*5*3); got != want {
		t.Errorf("nested concurrent Run: %d tasks ran, want %d", got, want)
	}
}

func TestNewPoolPanics(t *testing.T) {
	defer func() {
		if r := recover(); r != errNegWorkers {
			t.Errorf("NewPool(Workers: -1) panic = %v, want %q", r, errNegWorkers)
		}
	}()
	NewPool(PoolConfig{Workers: -1})
}
