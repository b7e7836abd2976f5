package model

import (
	"math/bits"
	"sync"
)

// Activation and gradient buffers are recycled through size-classed
// sync.Pools: a training step allocates the same few hundred large buffers
// every time, and recycling them keeps the heap (and so the peak RSS) near
// the working set instead of the 2× that the garbage collector would allow.
// Buffers not reused within two collections are freed by the runtime.

// minPooled is the smallest buffer worth pooling; smaller ones are allocated.
const minPooled = 1 << 12

// f32Pools holds one pool per size class: 8 classes per power of two, so a
// buffer wastes at most 1/8 of its capacity.
var f32Pools [64 * 8]sync.Pool

// sizeClass returns the pool index and capacity for n > minPooled/2.
func sizeClass(n int) (idx, capacity int) {
	e := bits.Len(uint(n - 1)) // 2**(e-1) < n ≤ 2**e
	step := 1 << (e - 4)
	j := (n - 1<<(e-1) + step - 1) / step // 1..8
	return e*8 + j - 1, 1<<(e-1) + j*step
}

// getF32 returns a slice of length n with arbitrary contents.
func getF32(n int) []float32 {
	if n < minPooled {
		return make([]float32, n)
	}
	idx, c := sizeClass(n)
	if p, ok := f32Pools[idx].Get().(*[]float32); ok {
		return (*p)[:n]
	}
	return make([]float32, n, c)
}

// getZeroF32 returns a zeroed slice of length n.
func getZeroF32(n int) []float32 {
	s := getF32(n)
	clear(s)
	return s
}

// putF32 recycles s, which the caller must not use afterwards. It accepts
// nil and slices that did not come from getF32.
func putF32(s []float32) {
	c := cap(s)
	if c < minPooled {
		return
	}
	idx, want := sizeClass(c)
	if want != c {
		return // not one of ours
	}
	s = s[:c]
	f32Pools[idx].Put(&s)
}
