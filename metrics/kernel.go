package metrics

// The dot-product kernel of exact search. Scores are float32 sums of float32
// products. A block of queries is scored against all candidates in chunks
// of candidates that fit in the L2 cache, in tiles of 3 or 4 queries × 4
// candidates whose sums stay in registers. On amd64 the tile is an
// assembly kernel, AVX-512 (4×4, 16 partial sums per dot product) or AVX2
// with FMA (3×4, 8 partial sums), about 20× the speed of the pure-Go 3×4
// tile used elsewhere or with the purego build tag. The kernels add in
// different orders, so scores may differ in the last bits between them.

// A kernel computes a rows×4 tile of scores: out[i*ldo+j] = Σ_k
// q[i*ldq+k]·c[j*ldc+k] for i < rows, j < 4, k < d, with d ≥ minDim.
type kernel struct {
	name   string
	rows   int
	minDim int
	tile   func(out []float32, ldo int, q []float32, ldq int, c []float32, ldc int, d int)
}

// kernels lists the tiles this machine can run, the fastest last; active
// is the one in use (tests switch it).
var (
	kernels = []kernel{{"go", 3, 1, dot3x4Go}}
	active  = kernels[0]
)

// chunkBytes is the size of the candidate chunk kept in L2 while a block of
// queries passes over it.
const chunkBytes = 256 << 10

// scoreBlock sets dst[i*m+j] to the dot product of query row i of q (nq
// rows of d floats) and candidate row j of c (m rows of d floats).
func scoreBlock(dst []float32, q []float32, nq int, c []float32, m, d int) {
	k := active
	if d < k.minDim {
		k = kernels[0]
	}
	chunk := max(4, (chunkBytes/(4*d))&^3)
	for j0 := 0; j0 < m; j0 += chunk {
		j1 := min(m, j0+chunk)
		i := 0
		for ; i+k.rows <= nq; i += k.rows {
			j := j0
			for ; j+4 <= j1; j += 4 {
				k.tile(dst[i*m+j:], m, q[i*d:], d, c[j*d:], d, d)
			}
			for ; j < j1; j++ {
				for r := i; r < i+k.rows; r++ {
					dst[r*m+j] = dotGo(q[r*d:(r+1)*d], c[j*d:(j+1)*d])
				}
			}
		}
		for ; i < nq; i++ {
			for j := j0; j < j1; j++ {
				dst[i*m+j] = dotGo(q[i*d:(i+1)*d], c[j*d:(j+1)*d])
			}
		}
	}
}

// tileRows returns the number of query rows of the active kernel's tile.
func tileRows() int { return active.rows }

// dotGo returns the dot product of a and b (equal lengths) with four
// partial sums.
func dotGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	k := 0
	for ; k+4 <= len(a); k += 4 {
		s0 += a[k] * b[k]
		s1 += a[k+1] * b[k+1]
		s2 += a[k+2] * b[k+2]
		s3 += a[k+3] * b[k+3]
	}
	for ; k < len(a); k++ {
		s0 += a[k] * b[k]
	}
	return (s0 + s1) + (s2 + s3)
}

// dot3x4Go sets out[i*ldo+j] = Σ_k q[i*ldq+k]·c[j*ldc+k] for i < 3, j < 4,
// k < d, keeping the 12 sums in registers.
func dot3x4Go(out []float32, ldo int, q []float32, ldq int, c []float32, ldc int, d int) {
	q0 := q[:d]
	q1 := q[ldq : ldq+d][:len(q0)]
	q2 := q[2*ldq : 2*ldq+d][:len(q0)]
	c0 := c[:d][:len(q0)]
	c1 := c[ldc : ldc+d][:len(q0)]
	c2 := c[2*ldc : 2*ldc+d][:len(q0)]
	c3 := c[3*ldc : 3*ldc+d][:len(q0)]
	var s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23 float32
	for k, a0 := range q0 {
		a1, a2 := q1[k], q2[k]
		b0, b1, b2, b3 := c0[k], c1[k], c2[k], c3[k]
		s00 += a0 * b0
		s01 += a0 * b1
		s02 += a0 * b2
		s03 += a0 * b3
		s10 += a1 * b0
		s11 += a1 * b1
		s12 += a1 * b2
		s13 += a1 * b3
		s20 += a2 * b0
		s21 += a2 * b1
		s22 += a2 * b2
		s23 += a2 * b3
	}
	o := out[:2*ldo+4]
	o[0], o[1], o[2], o[3] = s00, s01, s02, s03
	o[ldo], o[ldo+1], o[ldo+2], o[ldo+3] = s10, s11, s12, s13
	o[2*ldo], o[2*ldo+1], o[2*ldo+2], o[2*ldo+3] = s20, s21, s22, s23
}
