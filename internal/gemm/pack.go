package gemm

// Packing copies a block of op(A) or op(B) into consecutive panels of w
// lanes (w = mr for A, nr for B): panel q holds, for each of the kb steps,
// the w values of lanes q*w … q*w+w-1, so the micro-kernel reads both
// operands sequentially. Lanes past the block's end are zero, which lets
// edge tiles run the same kernel. A lane is a row of op(A) or a column of
// op(B); a step is an index along k.

// packA packs the mb×kb block of op(A) at (i0, p0) into dst.
func packA(dst []float32, transA bool, a []float32, lda, i0, mb, p0, kb, mr int) {
	if transA {
		// op(A)(i, p) = a[p*lda+i]: the lanes of a step are contiguous.
		packContig(dst, mr, a[p0*lda+i0:], lda, kb, mb)
		return
	}
	packStrided(dst, mr, a[i0*lda+p0:], lda, kb, mb)
}

// packB packs the kb×nb block of op(B) at (p0, j0) into dst.
func packB(dst []float32, transB bool, b []float32, ldb, p0, kb, j0, nb, nr int) {
	if transB {
		// op(B)(p, j) = b[j*ldb+p]: each lane is a contiguous row of b.
		packStrided(dst, nr, b[j0*ldb+p0:], ldb, kb, nb)
		return
	}
	packContig(dst, nr, b[p0*ldb+j0:], ldb, kb, nb)
}

// packContig packs n lanes of kb steps where lane l of step p is
// src[p*ld+l].
func packContig(dst []float32, w int, src []float32, ld, kb, n int) {
	for l0 := 0; l0 < n; l0 += w {
		panel := dst[l0*kb : (l0+w)*kb]
		lanes := min(w, n-l0)
		if lanes == w && w%8 == 0 {
			copyRowsTo(panel, src[l0:], ld, w, kb)
			continue
		}
		for p := range kb {
			d := panel[p*w : p*w+w]
			copy(d, src[p*ld+l0:p*ld+l0+lanes])
			clear(d[lanes:])
		}
	}
}

// packStrided packs n lanes of kb steps where lane l of step p is
// src[l*ld+p].
func packStrided(dst []float32, w int, src []float32, ld, kb, n int) {
	kb8 := kb &^ 7
	for l0 := 0; l0 < n; l0 += w {
		panel := dst[l0*kb : (l0+w)*kb]
		lanes := min(w, n-l0)
		l := 0
		// Whole groups of 8 lanes by 8×8 transposes, then the odd steps.
		for ; l+8 <= lanes && kb8 > 0; l += 8 {
			transpose8To(panel[l:], w, src[(l0+l)*ld:], ld, kb8)
			for r := range 8 {
				row := src[(l0+l+r)*ld : (l0+l+r)*ld+kb]
				for p := kb8; p < kb; p++ {
					panel[p*w+l+r] = row[p]
				}
			}
		}
		for ; l < lanes; l++ {
			row := src[(l0+l)*ld : (l0+l)*ld+kb]
			for p, v := range row {
				panel[p*w+l] = v
			}
		}
		for ; l < w; l++ {
			for p := range kb {
				panel[p*w+l] = 0
			}
		}
	}
}
