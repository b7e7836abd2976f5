//go:build amd64 && !purego

package metrics

import "golang.org/x/sys/cpu"

// Implemented in kernel_amd64.s.
//
//go:noescape
func dot3x4AVX2(q *float32, ldq int, c *float32, ldc int, n int, out *float32, ldo int)

//go:noescape
func dot4x4AVX512(q *float32, ldq int, c *float32, ldc int, n int, out *float32, ldo int)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		kernels = append(kernels, kernel{"avx2", 3, 8, dot3x4AVX2Tile})
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL {
		kernels = append(kernels, kernel{"avx512", 4, 16, dot4x4AVX512Tile})
	}
	active = kernels[len(kernels)-1]
}

// dot3x4AVX2Tile runs the AVX2 kernel over the first d&^7 elements and
// finishes the rest in Go. d ≥ 8.
func dot3x4AVX2Tile(out []float32, ldo int, q []float32, ldq int, c []float32, ldc int, d int) {
	n := d &^ 7
	// Bounds, so that the assembly never reads or writes outside the slices.
	_ = q[2*ldq+d-1]
	_ = c[3*ldc+d-1]
	_ = out[2*ldo+3]
	dot3x4AVX2(&q[0], ldq, &c[0], ldc, n, &out[0], ldo)
	addTail(out, ldo, q, ldq, c, ldc, n, d, 3, 4)
}

// dot4x4AVX512Tile runs the AVX-512 kernel over the first d&^15 elements
// and finishes the rest in Go. d ≥ 16.
func dot4x4AVX512Tile(out []float32, ldo int, q []float32, ldq int, c []float32, ldc int, d int) {
	n := d &^ 15
	_ = q[3*ldq+d-1]
	_ = c[3*ldc+d-1]
	_ = out[3*ldo+3]
	dot4x4AVX512(&q[0], ldq, &c[0], ldc, n, &out[0], ldo)
	addTail(out, ldo, q, ldq, c, ldc, n, d, 4, 4)
}

// addTail adds the products of elements [from, d) to a rows×cols tile.
func addTail(out []float32, ldo int, q []float32, ldq int, c []float32, ldc int, from, d, rows, cols int) {
	if from == d {
		return
	}
	for i := range rows {
		for j := range cols {
			out[i*ldo+j] += dotGo(q[i*ldq+from:i*ldq+d], c[j*ldc+from:j*ldc+d])
		}
	}
}
