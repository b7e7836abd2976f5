//go:build amd64 && !purego

package gemm

//go:noescape
func transpose8(dst *float32, ldd int, src *float32, lds int, n int)

//go:noescape
func copyRows(dst *float32, src *float32, lds int, w8 int, n int)

// transpose8To sets dst[p*ldd+r] = src[r*lds+p] for r < 8 and p < n, a
// positive multiple of 8.
func transpose8To(dst []float32, ldd int, src []float32, lds, n int) {
	if !hasAVX2 {
		transpose8Generic(dst, ldd, src, lds, n)
		return
	}
	_, _ = dst[(n-1)*ldd+7], src[7*lds+n-1]
	transpose8(&dst[0], ldd, &src[0], lds, n)
}

// copyRowsTo copies n rows of w floats (w a positive multiple of 8) from
// src, row stride lds, to dst packed.
func copyRowsTo(dst, src []float32, lds, w, n int) {
	if !hasAVX2 {
		copyRowsGeneric(dst, src, lds, w, n)
		return
	}
	_, _ = dst[n*w-1], src[(n-1)*lds+w-1]
	copyRows(&dst[0], &src[0], lds, w/8, n)
}
