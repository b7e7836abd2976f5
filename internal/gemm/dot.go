package gemm

import "sync"

// The dot path computes C = alpha·A·Bᵀ + beta·C (transA false, transB true)
// without packing. A and B are then both stored along k, so a tile of
// rows×4 dot products can read them in place, each dot product keeping a
// vector of partial sums that is added up horizontally at the end. It
// serves the two products of that form that the packed kernels handle
// worst: B with few rows (the packed kernel computes whole nr-wide panels,
// so n = 200 wastes 12 % of an 8×32 kernel's work, and the copy of B is
// not amortised), and A with few rows against a long B (exact search: a
// block of ~100 queries against every candidate, where packing adds a
// second pass over B, which comes from memory anyway). useDot decides.

// A dotKernel computes rows×4 tiles of A·Bᵀ from unpacked A and B.
type dotKernel struct {
	name string
	rows int
	// tile sets t[i*ldt+j] = Σ_p a[i*lda+p]·b[j*ldb+p] for i < rows,
	// j < 4, p < k, for k ≥ 1.
	tile func(a []float32, lda int, b []float32, ldb int, k int, t []float32, ldt int)
}

// Thresholds of useDot, measured on Zen 4 (one thread, CPU time, dot and
// packed interleaved; AVX-512 kernels, AVX2 alike except where noted):
// with k = 512–1024 the dot path ran at 93–101 GFLOP/s against 58–91 for
// packed when n < 256 (m from 32 to 200), and at 84–86 against 75–80 for
// m = 96, n = 4096–13014 (InfoNCE's 100×200×768: 98 against 82; exact
// search's 96×13014×768: 84 against 76, AVX2 83 against 70). Packed led
// by 5–12 % for m ≥ 64 and 256 ≤ n ≤ 1024, and from m ≈ 128 with AVX2,
// and by 20 % and more with k ≤ 384 on long B, where the horizontal sums
// weigh. Tiny products with short k (InfoNCE's goldens, attention over
// short sequences) showed no rule: the dot path won on ragged shapes
// (16×48×32: 1.1 µs against 1.25) and lost up to 3× on whole tiles
// (32×32×16: 1.3 µs against 0.5), so they stay packed.
const (
	dotMinK      = 512  // shortest k for the dot path
	dotNarrowB   = 256  // B with fewer rows takes the dot path
	dotShortA    = 128  // A with at most this many rows
	dotLongBRows = 2048 // against at least this many rows of B takes it too
)

// useDot reports whether the product of the given shape runs on the dot
// path. It depends on the shape of the whole product, never on a worker's
// strip, so that results do not depend on the number of workers.
func useDot(transA, transB bool, m, n, k int) bool {
	if transA || !transB || k < dotMinK {
		return false
	}
	return n < dotNarrowB || (m <= dotShortA && n >= dotLongBRows)
}

// dotChunkBytes is the size of the block of B's rows kept in the L2 cache
// while every row tile of A passes over it.
const dotChunkBytes = 256 << 10

// run computes C = alpha·A·Bᵀ + beta·C on the calling goroutine for checked
// arguments with m, n, k > 0 and alpha ≠ 0 (A m×k, B n×k, both row-major).
// t is scratch space for one tile (16 floats; a local array would escape
// through the tile function and be allocated on every call).
//
// Every element of C goes through the tile function, whose instructions
// for an element depend only on its row of A and row of B, never on its
// place in the tile: a row of C left over after the whole tiles is
// computed by a tile whose rows all read that row (lda = 0), a column left
// over in a chunk by one whose columns all read that column (ldb = 0), and
// only the element wanted is kept. Results are therefore the same bits
// however the product is cut into chunks or split among workers, and the
// leftovers run at SIMD speed (the tile's other rows are redundant work).
func (dk *dotKernel) run(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, t []float32) {
	rows := dk.rows
	whole := m - m%rows
	chunk := max(4, (dotChunkBytes/(4*k))&^3)
	for j0 := 0; j0 < n; j0 += chunk {
		j1 := min(n, j0+chunk)
		for i := 0; i < whole; i += rows {
			dk.rowTiles(a[i*lda:], lda, rows, b[j0*ldb:], ldb, j1-j0, k, alpha, beta, c[i*ldc+j0:], ldc, t)
		}
		for i := whole; i < m; i++ {
			dk.rowTiles(a[i*lda:], 0, 1, b[j0*ldb:], ldb, j1-j0, k, alpha, beta, c[i*ldc+j0:], ldc, t)
		}
	}
}

// rowTiles computes the keep×n block of C at c from the tile rows of A at a,
// tileLda apart (0 when keep is 1: every tile row reads the same row), and
// the n rows of B at b.
func (dk *dotKernel) rowTiles(a []float32, tileLda, keep int, b []float32, ldb, n, k int, alpha, beta float32, c []float32, ldc int, t []float32) {
	// The plain product (alpha 1, beta 0) of whole tiles stores straight
	// into C.
	direct := alpha == 1 && beta == 0 && keep == dk.rows
	j := 0
	for ; j+4 <= n; j += 4 {
		if direct {
			dk.tile(a, tileLda, b[j*ldb:], ldb, k, c[j:], ldc)
			continue
		}
		dk.tile(a, tileLda, b[j*ldb:], ldb, k, t, 4)
		for r := range keep {
			storeScaled(c[r*ldc+j:r*ldc+j+4], t[4*r:4*r+4], alpha, beta)
		}
	}
	for ; j < n; j++ {
		dk.tile(a, tileLda, b[j*ldb:], 0, k, t, 4)
		for r := range keep {
			storeScaled(c[r*ldc+j:r*ldc+j+1], t[4*r:4*r+1], alpha, beta)
		}
	}
}

// storeScaled sets c = alpha·t + beta·c, not reading c when beta is zero.
func storeScaled(c, t []float32, alpha, beta float32) {
	t = t[:len(c)]
	for j, v := range t {
		s := alpha * v
		if beta != 0 {
			s += beta * c[j]
		}
		c[j] = s
	}
}

// dotGo returns the dot product of a and b (equal lengths), accumulated in
// float64 in four chains.
func dotGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(a); k += 4 {
		s0 += float64(a[k]) * float64(b[k])
		s1 += float64(a[k+1]) * float64(b[k+1])
		s2 += float64(a[k+2]) * float64(b[k+2])
		s3 += float64(a[k+3]) * float64(b[k+3])
	}
	for ; k < len(a); k++ {
		s0 += float64(a[k]) * float64(b[k])
	}
	return float32((s0 + s1) + (s2 + s3))
}

// genericDot is the pure-Go dot tile: 3×4 sums in scalar registers (a
// fourth row would spill on amd64). It accumulates in float64, which costs
// little next to the loads and conversions of scalar Go code and makes it
// at least as accurate as the SIMD tiles' lane-wise float32 sums.
var genericDot = &dotKernel{name: "generic-dot-3x4", rows: 3, tile: dot3x4Go}

func dot3x4Go(a []float32, lda int, b []float32, ldb int, k int, t []float32, ldt int) {
	a0 := a[:k]
	a1 := a[lda : lda+k][:len(a0)]
	a2 := a[2*lda : 2*lda+k][:len(a0)]
	b0 := b[:k][:len(a0)]
	b1 := b[ldb : ldb+k][:len(a0)]
	b2 := b[2*ldb : 2*ldb+k][:len(a0)]
	b3 := b[3*ldb : 3*ldb+k][:len(a0)]
	var s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23 float64
	for p, v := range a0 {
		x0, x1, x2 := float64(v), float64(a1[p]), float64(a2[p])
		y0, y1, y2, y3 := float64(b0[p]), float64(b1[p]), float64(b2[p]), float64(b3[p])
		s00 += x0 * y0
		s01 += x0 * y1
		s02 += x0 * y2
		s03 += x0 * y3
		s10 += x1 * y0
		s11 += x1 * y1
		s12 += x1 * y2
		s13 += x1 * y3
		s20 += x2 * y0
		s21 += x2 * y1
		s22 += x2 * y2
		s23 += x2 * y3
	}
	t0, t1, t2 := t[:4:4], t[ldt:ldt+4:ldt+4], t[2*ldt:2*ldt+4:2*ldt+4]
	t0[0], t0[1], t0[2], t0[3] = float32(s00), float32(s01), float32(s02), float32(s03)
	t1[0], t1[1], t1[2], t1[3] = float32(s10), float32(s11), float32(s12), float32(s13)
	t2[0], t2[1], t2[2], t2[3] = float32(s20), float32(s21), float32(s22), float32(s23)
}

// dotScratch recycles the scratch tiles of the dot path.
var dotScratch = sync.Pool{New: func() any { return new([16]float32) }}
