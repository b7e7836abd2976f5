//go:build amd64 && !purego

package model

import "golang.org/x/sys/cpu"

// hasVec reports whether the AVX2+FMA kernels of vec_amd64.s can run.
var hasVec = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// geluVec sets y[i] = GELU(x[i]) for i < n, n a multiple of 8.
//
//go:noescape
func geluVec(y, x *float32, n int)

// geluGradVec sets dst[i] = GELU(x[i]) and x[i] = GELU'(x[i]) for i < n, n a
// multiple of 8.
//
//go:noescape
func geluGradVec(dst, x *float32, n int)

// expShiftSumVec sets x[i] = e**(x[i]−shift) for i < n, n a multiple of
// 8, and returns their sum.
//
//go:noescape
func expShiftSumVec(x *float32, n int, shift float32) float32

// adamwVec applies one AdamW step to n elements (a multiple of 8) with the
// constants c: decay, β1, 1−β1, β2, 1−β2, √(1−β2ᵗ), −step size, eps, and
// the clipping factor the gradients are multiplied by first. It sets the
// gradients to zero.
//
//go:noescape
func adamwVec(p, grad, m, v *float32, n int, c *[9]float32)

// sumSquaresVec returns s + Σ float64(x[i])² for i < n, n a multiple of 8,
// added in index order: exactly what the loop in Go returns.
//
//go:noescape
func sumSquaresVec(x *float32, n int, s float64) float64
