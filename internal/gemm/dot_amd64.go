//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

//go:noescape
func dot3x4AVX2(a *float32, lda int, b *float32, ldb int, k int, t *float32, ldt int)

//go:noescape
func dot4x4AVX512(a *float32, lda int, b *float32, ldb int, k int, t *float32, ldt int)

// The assembly dot tiles: AVX2+FMA 3×4 (8 partial sums per dot product) and
// AVX-512 4×4 (16, with AVX512VL for the final ymm sums).
var (
	avx2Dot   = &dotKernel{name: "avx2-dot-3x4", rows: 3, tile: dot3x4AVX2Tile}
	avx512Dot = &dotKernel{name: "avx512-dot-4x4", rows: 4, tile: dot4x4AVX512Tile}

	hasAVX512Dot = hasAVX512 && cpu.X86.HasAVX512VL
)

// dot3x4AVX2Tile runs the AVX2 tile over the first k&^7 steps and adds the
// rest in Go.
func dot3x4AVX2Tile(a []float32, lda int, b []float32, ldb int, k int, t []float32, ldt int) {
	k8 := k &^ 7
	if k8 == 0 {
		dot3x4Go(a, lda, b, ldb, k, t, ldt)
		return
	}
	// Bounds, so that the assembly never reads or writes outside the slices.
	_, _, _ = a[2*lda+k-1], b[3*ldb+k-1], t[2*ldt+3]
	dot3x4AVX2(&a[0], lda, &b[0], ldb, k8, &t[0], ldt)
	addDotTail(t, ldt, a, lda, b, ldb, k8, k, 3)
}

// dot4x4AVX512Tile runs the AVX-512 tile over the first k&^15 steps and
// adds the rest in Go.
func dot4x4AVX512Tile(a []float32, lda int, b []float32, ldb int, k int, t []float32, ldt int) {
	k16 := k &^ 15
	if k16 == 0 {
		// Short k (tiny products): the AVX2 tile for three rows, Go for the
		// fourth.
		dot3x4AVX2Tile(a, lda, b, ldb, k, t, ldt)
		for j := range 4 {
			t[3*ldt+j] = dotGo(a[3*lda:3*lda+k], b[j*ldb:j*ldb+k])
		}
		return
	}
	_, _, _ = a[3*lda+k-1], b[3*ldb+k-1], t[3*ldt+3]
	dot4x4AVX512(&a[0], lda, &b[0], ldb, k16, &t[0], ldt)
	addDotTail(t, ldt, a, lda, b, ldb, k16, k, 4)
}

// addDotTail adds the products of steps [from, k) to a rows×4 tile.
func addDotTail(t []float32, ldt int, a []float32, lda int, b []float32, ldb int, from, k, rows int) {
	if from == k {
		return
	}
	for i := range rows {
		for j := range 4 {
			t[i*ldt+j] += dotGo(a[i*lda+from:i*lda+k], b[j*ldb+from:j*ldb+k])
		}
	}
}
