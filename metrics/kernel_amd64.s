//go:build amd64 && !purego

#include "textflag.h"

// func dot3x4AVX2(q *float32, ldq int, c *float32, ldc int, n int, out *float32, ldo int)
//
// out[i*ldo+j] = Σ_{k<n} q[i*ldq+k]·c[j*ldc+k] for i < 3, j < 4. n is a
// positive multiple of 8; strides are in floats. Each of the 12 dot
// products keeps 8 partial sums in one YMM register (float32, FMA), summed
// pairwise at the end.
TEXT ·dot3x4AVX2(SB), NOSPLIT, $0-56
	MOVQ q+0(FP), SI
	MOVQ ldq+8(FP), R8
	SHLQ $2, R8
	MOVQ c+16(FP), DI
	MOVQ ldc+24(FP), R9
	SHLQ $2, R9
	MOVQ n+32(FP), CX
	SHLQ $2, CX
	MOVQ out+40(FP), DX
	MOVQ ldo+48(FP), R10
	SHLQ $2, R10

	LEAQ (SI)(R8*1), R11  // q1
	LEAQ (R11)(R8*1), R12 // q2
	LEAQ (DI)(R9*1), R13  // c1
	LEAQ (R13)(R9*1), BX  // c2
	LEAQ (BX)(R9*1), R9   // c3

	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15
	XORQ AX, AX

loop:
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS (R11)(AX*1), Y1
	VMOVUPS (R12)(AX*1), Y2
	VMOVUPS (DI)(AX*1), Y3
	VFMADD231PS Y3, Y0, Y4
	VFMADD231PS Y3, Y1, Y8
	VFMADD231PS Y3, Y2, Y12
	VMOVUPS (R13)(AX*1), Y3
	VFMADD231PS Y3, Y0, Y5
	VFMADD231PS Y3, Y1, Y9
	VFMADD231PS Y3, Y2, Y13
	VMOVUPS (BX)(AX*1), Y3
	VFMADD231PS Y3, Y0, Y6
	VFMADD231PS Y3, Y1, Y10
	VFMADD231PS Y3, Y2, Y14
	VMOVUPS (R9)(AX*1), Y3
	VFMADD231PS Y3, Y0, Y7
	VFMADD231PS Y3, Y1, Y11
	VFMADD231PS Y3, Y2, Y15
	ADDQ $32, AX
	CMPQ AX, CX
	JLT  loop

	// Row 0: Y4..Y7 → out[0:4].
	VHADDPS Y5, Y4, Y4
	VHADDPS Y7, Y6, Y6
	VHADDPS Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X0
	VADDPS X0, X4, X0
	VMOVUPS X0, (DX)

	// Row 1: Y8..Y11 → out[ldo:ldo+4].
	VHADDPS Y9, Y8, Y8
	VHADDPS Y11, Y10, Y10
	VHADDPS Y10, Y8, Y8
	VEXTRACTF128 $1, Y8, X1
	VADDPS X1, X8, X1
	VMOVUPS X1, (DX)(R10*1)

	// Row 2: Y12..Y15 → out[2*ldo:2*ldo+4].
	VHADDPS Y13, Y12, Y12
	VHADDPS Y15, Y14, Y14
	VHADDPS Y14, Y12, Y12
	VEXTRACTF128 $1, Y12, X2
	VADDPS X2, X12, X2
	VMOVUPS X2, (DX)(R10*2)

	VZEROUPPER
	RET
