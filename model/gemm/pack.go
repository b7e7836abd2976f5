package gemm

// packA copies alpha times the mb×kb block of op(A) at (i0, p0) into dst as
// consecutive mr-row panels, each kb steps of mr values (rows past mb are
// zero). Folding alpha in here keeps it out of the micro-kernel.
func packA(dst []float32, transA bool, a []float32, lda, i0, mb, p0, kb, mr int, alpha float32) {
	for ip := 0; ip < mb; ip += mr {
		panel := dst[ip*kb : (ip+mr)*kb]
		rows := min(mr, mb-ip)
		if transA {
			// op(A)(i, p) = a[p*lda+i]: each step is a contiguous run.
			for p := range kb {
				src := a[(p0+p)*lda+i0+ip:]
				src = src[:rows]
				d := panel[p*mr : p*mr+mr]
				for i, v := range src {
					d[i] = alpha * v
				}
				clear(d[rows:])
			}
			continue
		}
		// op(A)(i, p) = a[i*lda+p]: read rows, scatter by stride mr.
		for i := range rows {
			src := a[(i0+ip+i)*lda+p0:]
			src = src[:kb]
			for p, v := range src {
				panel[p*mr+i] = alpha * v
			}
		}
		for i := rows; i < mr; i++ {
			for p := range kb {
				panel[p*mr+i] = 0
			}
		}
	}
}

// packB copies the kb×nb block of op(B) at (p0, j0) into dst as consecutive
// nr-column panels, each kb steps of nr values (columns past nb are zero).
func packB(dst []float32, transB bool, b []float32, ldb, p0, kb, j0, nb, nr int) {
	for jp := 0; jp < nb; jp += nr {
		panel := dst[jp*kb : (jp+nr)*kb]
		cols := min(nr, nb-jp)
		if !transB {
			// op(B)(p, j) = b[p*ldb+j]: each step is a contiguous run.
			for p := range kb {
				src := b[(p0+p)*ldb+j0+jp:]
				d := panel[p*nr : p*nr+nr]
				copy(d, src[:cols])
				clear(d[cols:])
			}
			continue
		}
		// op(B)(p, j) = b[j*ldb+p]: read rows of B, scatter by stride nr.
		for j := range cols {
			src := b[(j0+jp+j)*ldb+p0:]
			src = src[:kb]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := range kb {
				panel[p*nr+j] = 0
			}
		}
	}
}
