package gemm

// transpose8Generic is the pure-Go transpose8To.
func transpose8Generic(dst []float32, ldd int, src []float32, lds, n int) {
	for r := range 8 {
		row := src[r*lds : r*lds+n]
		for p, v := range row {
			dst[p*ldd+r] = v
		}
	}
}

// copyRowsGeneric is the pure-Go copyRowsTo.
func copyRowsGeneric(dst, src []float32, lds, w, n int) {
	for p := range n {
		copy(dst[p*w:p*w+w], src[p*lds:p*lds+w])
	}
}
