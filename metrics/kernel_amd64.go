//go:build amd64 && !purego

package metrics

import "golang.org/x/sys/cpu"

// dot3x4AVX2 is implemented in kernel_amd64.s.
//
//go:noescape
func dot3x4AVX2(q *float32, ldq int, c *float32, ldc int, n int, out *float32, ldo int)

// haveAVX2 reports whether the CPU and OS support AVX2 and FMA.
var haveAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dot3x4Asm computes a 3×4 tile with the assembly kernel over the first
// d&^7 elements and finishes the rest in Go. It reports false if the
// kernel is unavailable.
func dot3x4Asm(out []float32, ldo int, q []float32, ldq int, c []float32, ldc int, d int) bool {
	n := d &^ 7
	if !haveAVX2 || n == 0 {
		return false
	}
	// Bounds, so that the assembly never reads or writes outside the slices.
	_ = q[2*ldq+d-1]
	_ = c[3*ldc+d-1]
	_ = out[2*ldo+3]
	dot3x4AVX2(&q[0], ldq, &c[0], ldc, n, &out[0], ldo)
	if n < d {
		for i := range 3 {
			for j := range 4 {
				s := float32(0)
				for k := n; k < d; k++ {
					s += q[i*ldq+k] * c[j*ldc+k]
				}
				out[i*ldo+j] += s
			}
		}
	}
	return true
}
