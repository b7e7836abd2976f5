//go:build !amd64 || purego

package gemm

func transpose8To(dst []float32, ldd int, src []float32, lds, n int) {
	transpose8Generic(dst, ldd, src, lds, n)
}

func copyRowsTo(dst, src []float32, lds, w, n int) { copyRowsGeneric(dst, src, lds, w, n) }
