//go:build !amd64 || purego

package model

// hasVec is false: the element-wise kernels run in Go.
const hasVec = false

func geluVec(y, x *float32, n int)                            { panic("model: no vector kernels") }
func geluGradVec(dst, x *float32, n int)                      { panic("model: no vector kernels") }
func expShiftSumVec(x *float32, n int, shift float32) float32 { panic("model: no vector kernels") }
func adamwVec(p, grad, m, v *float32, n int, c *[9]float32)   { panic("model: no vector kernels") }
func sumSquaresVec(x *float32, n int, s float64) float64      { panic("model: no vector kernels") }
