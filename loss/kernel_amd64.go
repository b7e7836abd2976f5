//go:build amd64 && gc && !purego

package loss

import (
	"sync"

	"golang.org/x/sys/cpu"
)

// panelPool recycles the packed panels of mulNN32Asm.
var panelPool = sync.Pool{New: func() any { return new([]float32) }}

// hasAVX2FMA reports whether the assembly kernels can run on this CPU.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func dot3x4(k8 int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func dot1x4(k8 int, a *float32, b *float32, ldb int, c *float32)

//go:noescape
func axpy6x16(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func axpy1x16(k int, a *float32, b *float32, ldb int, c *float32)

// mulNN32Asm is mulNN for float32 with the AVX2/FMA micro-kernels: 6×16 tiles
// of C, Go for the columns beyond a multiple of 16.
func mulNN32Asm(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkNN(m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := range m {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	n16 := n &^ 15
	if n16 > 0 {
		// Each k×16 panel of B is copied to contiguous memory first: read in
		// place, its rows (a long stride apart) map to a few L1 sets and evict
		// each other between row tiles.
		buf := panelPool.Get().(*[]float32)
		if cap(*buf) < k*16 {
			*buf = make([]float32, k*16)
		}
		panel := (*buf)[:k*16]
		for j := 0; j < n16; j += 16 {
			for l := range k {
				copy(panel[l*16:l*16+16], b[l*ldb+j:])
			}
			i := 0
			for ; i+6 <= m; i += 6 {
				axpy6x16(k, &a[i*lda], lda, &panel[0], 16, &c[i*ldc+j], ldc)
			}
			for ; i < m; i++ {
				axpy1x16(k, &a[i*lda], &panel[0], 16, &c[i*ldc+j])
			}
		}
		panelPool.Put(buf)
	}
	if n16 < n {
		mulNNGo(m, n-n16, k, a, lda, b[n16:], ldb, c[n16:], ldc)
	}
}

// dotNT32Asm is dotNT for float32 with the AVX2/FMA micro-kernels: 3×4 tiles of
// C over the multiple-of-8 part of k, Go for the remainders.
func dotNT32Asm(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkNT(m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	k8 := k &^ 7
	n4 := n &^ 3
	if k8 > 0 {
		for j := 0; j < n4; j += 4 {
			i := 0
			for ; i+3 <= m; i += 3 {
				dot3x4(k8, &a[i*lda], lda, &b[j*ldb], ldb, &c[i*ldc+j], ldc)
			}
			for ; i < m; i++ {
				dot1x4(k8, &a[i*lda], &b[j*ldb], ldb, &c[i*ldc+j])
			}
		}
	} else {
		for i := range m {
			clear(c[i*ldc : i*ldc+n4])
		}
	}
	if k8 < k {
		for i := range m {
			ai := a[i*lda+k8 : i*lda+k]
			ci := c[i*ldc : i*ldc+n4]
			for j := range ci {
				bj := b[j*ldb+k8 : j*ldb+k]
				var s float32
				for l, v := range ai {
					s += v * bj[l]
				}
				ci[j] += s
			}
		}
	}
	if n4 < n {
		dotNTGo(m, n-n4, k, a, lda, b[n4*ldb:], ldb, c[n4:], ldc)
	}
}

func init() {
	if hasAVX2FMA {
		dotNT32 = dotNT32Asm
		mulNN32 = mulNN32Asm
	}
}
