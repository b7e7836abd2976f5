//go:build amd64 && !purego

#include "textflag.h"

// AVX2+FMA versions of the element-wise kernels of kernels_act.go,
// kernels_attn.go and adamw.go, 8 float32 lanes at a time. They compute
// the same functions with the same polynomials as erff and expf in
// mathf.go (with fused multiply-adds, so the last bit may differ), and
// propagate NaN. n is a multiple of 8; the Go callers do the tail.

// Constants: each is 8 copies of one float32 (bit patterns of the
// decimal values in the comments).
// 0.7071067811865476
#define SQRTHALF vecConsts<>+0(SB)
// 4.0
#define FOUR vecConsts<>+32(SB)
// -4.0
#define MFOUR vecConsts<>+64(SB)
// 0.5
#define HALF vecConsts<>+96(SB)
// 1.0
#define ONE vecConsts<>+128(SB)
// -2.72614225801306e-10
#define EP13 vecConsts<>+160(SB)
// 2.77068142495902e-08
#define EP11 vecConsts<>+192(SB)
// -2.10102402082508e-06
#define EP9 vecConsts<>+224(SB)
// -5.69250639462346e-05
#define EP7 vecConsts<>+256(SB)
// -0.000734990630326855
#define EP5 vecConsts<>+288(SB)
// -0.00295459980854025
#define EP3 vecConsts<>+320(SB)
// -0.0160960333262415
#define EP1 vecConsts<>+352(SB)
// -1.45660718464996e-05
#define EQ8 vecConsts<>+384(SB)
// -0.000213374055278905
#define EQ6 vecConsts<>+416(SB)
// -0.00168282697438203
#define EQ4 vecConsts<>+448(SB)
// -0.00737332916720468
#define EQ2 vecConsts<>+480(SB)
// -0.0142647390514189
#define EQ0 vecConsts<>+512(SB)
// 1.4426950408889634
#define LOG2E vecConsts<>+544(SB)
// 12582912.0
#define MAGIC vecConsts<>+576(SB)
// 0.693359375
#define LN2HI vecConsts<>+608(SB)
// -0.00021219444
#define LN2LO vecConsts<>+640(SB)
// 0.001388888888888889
#define X720 vecConsts<>+672(SB)
// 0.008333333333333333
#define X120 vecConsts<>+704(SB)
// 0.041666666666666664
#define X24 vecConsts<>+736(SB)
// 0.16666666666666666
#define X6 vecConsts<>+768(SB)
// -87.33654
#define EXPLO vecConsts<>+800(SB)
// 88.0
#define EXPHI vecConsts<>+832(SB)
// 0.3989422804014327
#define INVSQRT2PI vecConsts<>+864(SB)
// -0.5
#define MHALF vecConsts<>+896(SB)
// 0x4b400000 - 127: magic's bits less the float32 exponent bias
#define EXPBIAS vecConsts<>+928(SB)

DATA vecConsts<>+0(SB)/4, $0x3f3504f3
DATA vecConsts<>+4(SB)/4, $0x3f3504f3
DATA vecConsts<>+8(SB)/4, $0x3f3504f3
DATA vecConsts<>+12(SB)/4, $0x3f3504f3
DATA vecConsts<>+16(SB)/4, $0x3f3504f3
DATA vecConsts<>+20(SB)/4, $0x3f3504f3
DATA vecConsts<>+24(SB)/4, $0x3f3504f3
DATA vecConsts<>+28(SB)/4, $0x3f3504f3
DATA vecConsts<>+32(SB)/4, $0x40800000
DATA vecConsts<>+36(SB)/4, $0x40800000
DATA vecConsts<>+40(SB)/4, $0x40800000
DATA vecConsts<>+44(SB)/4, $0x40800000
DATA vecConsts<>+48(SB)/4, $0x40800000
DATA vecConsts<>+52(SB)/4, $0x40800000
DATA vecConsts<>+56(SB)/4, $0x40800000
DATA vecConsts<>+60(SB)/4, $0x40800000
DATA vecConsts<>+64(SB)/4, $0xc0800000
DATA vecConsts<>+68(SB)/4, $0xc0800000
DATA vecConsts<>+72(SB)/4, $0xc0800000
DATA vecConsts<>+76(SB)/4, $0xc0800000
DATA vecConsts<>+80(SB)/4, $0xc0800000
DATA vecConsts<>+84(SB)/4, $0xc0800000
DATA vecConsts<>+88(SB)/4, $0xc0800000
DATA vecConsts<>+92(SB)/4, $0xc0800000
DATA vecConsts<>+96(SB)/4, $0x3f000000
DATA vecConsts<>+100(SB)/4, $0x3f000000
DATA vecConsts<>+104(SB)/4, $0x3f000000
DATA vecConsts<>+108(SB)/4, $0x3f000000
DATA vecConsts<>+112(SB)/4, $0x3f000000
DATA vecConsts<>+116(SB)/4, $0x3f000000
DATA vecConsts<>+120(SB)/4, $0x3f000000
DATA vecConsts<>+124(SB)/4, $0x3f000000
DATA vecConsts<>+128(SB)/4, $0x3f800000
DATA vecConsts<>+132(SB)/4, $0x3f800000
DATA vecConsts<>+136(SB)/4, $0x3f800000
DATA vecConsts<>+140(SB)/4, $0x3f800000
DATA vecConsts<>+144(SB)/4, $0x3f800000
DATA vecConsts<>+148(SB)/4, $0x3f800000
DATA vecConsts<>+152(SB)/4, $0x3f800000
DATA vecConsts<>+156(SB)/4, $0x3f800000
DATA vecConsts<>+160(SB)/4, $0xaf95df0b
DATA vecConsts<>+164(SB)/4, $0xaf95df0b
DATA vecConsts<>+168(SB)/4, $0xaf95df0b
DATA vecConsts<>+172(SB)/4, $0xaf95df0b
DATA vecConsts<>+176(SB)/4, $0xaf95df0b
DATA vecConsts<>+180(SB)/4, $0xaf95df0b
DATA vecConsts<>+184(SB)/4, $0xaf95df0b
DATA vecConsts<>+188(SB)/4, $0xaf95df0b
DATA vecConsts<>+192(SB)/4, $0x32edffee
DATA vecConsts<>+196(SB)/4, $0x32edffee
DATA vecConsts<>+200(SB)/4, $0x32edffee
DATA vecConsts<>+204(SB)/4, $0x32edffee
DATA vecConsts<>+208(SB)/4, $0x32edffee
DATA vecConsts<>+212(SB)/4, $0x32edffee
DATA vecConsts<>+216(SB)/4, $0x32edffee
DATA vecConsts<>+220(SB)/4, $0x32edffee
DATA vecConsts<>+224(SB)/4, $0xb60cff51
DATA vecConsts<>+228(SB)/4, $0xb60cff51
DATA vecConsts<>+232(SB)/4, $0xb60cff51
DATA vecConsts<>+236(SB)/4, $0xb60cff51
DATA vecConsts<>+240(SB)/4, $0xb60cff51
DATA vecConsts<>+244(SB)/4, $0xb60cff51
DATA vecConsts<>+248(SB)/4, $0xb60cff51
DATA vecConsts<>+252(SB)/4, $0xb60cff51
DATA vecConsts<>+256(SB)/4, $0xb86ec2d2
DATA vecConsts<>+260(SB)/4, $0xb86ec2d2
DATA vecConsts<>+264(SB)/4, $0xb86ec2d2
DATA vecConsts<>+268(SB)/4, $0xb86ec2d2
DATA vecConsts<>+272(SB)/4, $0xb86ec2d2
DATA vecConsts<>+276(SB)/4, $0xb86ec2d2
DATA vecConsts<>+280(SB)/4, $0xb86ec2d2
DATA vecConsts<>+284(SB)/4, $0xb86ec2d2
DATA vecConsts<>+288(SB)/4, $0xba40ac63
DATA vecConsts<>+292(SB)/4, $0xba40ac63
DATA vecConsts<>+296(SB)/4, $0xba40ac63
DATA vecConsts<>+300(SB)/4, $0xba40ac63
DATA vecConsts<>+304(SB)/4, $0xba40ac63
DATA vecConsts<>+308(SB)/4, $0xba40ac63
DATA vecConsts<>+312(SB)/4, $0xba40ac63
DATA vecConsts<>+316(SB)/4, $0xba40ac63
DATA vecConsts<>+320(SB)/4, $0xbb41a1f6
DATA vecConsts<>+324(SB)/4, $0xbb41a1f6
DATA vecConsts<>+328(SB)/4, $0xbb41a1f6
DATA vecConsts<>+332(SB)/4, $0xbb41a1f6
DATA vecConsts<>+336(SB)/4, $0xbb41a1f6
DATA vecConsts<>+340(SB)/4, $0xbb41a1f6
DATA vecConsts<>+344(SB)/4, $0xbb41a1f6
DATA vecConsts<>+348(SB)/4, $0xbb41a1f6
DATA vecConsts<>+352(SB)/4, $0xbc83dbd4
DATA vecConsts<>+356(SB)/4, $0xbc83dbd4
DATA vecConsts<>+360(SB)/4, $0xbc83dbd4
DATA vecConsts<>+364(SB)/4, $0xbc83dbd4
DATA vecConsts<>+368(SB)/4, $0xbc83dbd4
DATA vecConsts<>+372(SB)/4, $0xbc83dbd4
DATA vecConsts<>+376(SB)/4, $0xbc83dbd4
DATA vecConsts<>+380(SB)/4, $0xbc83dbd4
DATA vecConsts<>+384(SB)/4, $0xb77460cd
DATA vecConsts<>+388(SB)/4, $0xb77460cd
DATA vecConsts<>+392(SB)/4, $0xb77460cd
DATA vecConsts<>+396(SB)/4, $0xb77460cd
DATA vecConsts<>+400(SB)/4, $0xb77460cd
DATA vecConsts<>+404(SB)/4, $0xb77460cd
DATA vecConsts<>+408(SB)/4, $0xb77460cd
DATA vecConsts<>+412(SB)/4, $0xb77460cd
DATA vecConsts<>+416(SB)/4, $0xb95fbd29
DATA vecConsts<>+420(SB)/4, $0xb95fbd29
DATA vecConsts<>+424(SB)/4, $0xb95fbd29
DATA vecConsts<>+428(SB)/4, $0xb95fbd29
DATA vecConsts<>+432(SB)/4, $0xb95fbd29
DATA vecConsts<>+436(SB)/4, $0xb95fbd29
DATA vecConsts<>+440(SB)/4, $0xb95fbd29
DATA vecConsts<>+444(SB)/4, $0xb95fbd29
DATA vecConsts<>+448(SB)/4, $0xbadc924e
DATA vecConsts<>+452(SB)/4, $0xbadc924e
DATA vecConsts<>+456(SB)/4, $0xbadc924e
DATA vecConsts<>+460(SB)/4, $0xbadc924e
DATA vecConsts<>+464(SB)/4, $0xbadc924e
DATA vecConsts<>+468(SB)/4, $0xbadc924e
DATA vecConsts<>+472(SB)/4, $0xbadc924e
DATA vecConsts<>+476(SB)/4, $0xbadc924e
DATA vecConsts<>+480(SB)/4, $0xbbf19bf8
DATA vecConsts<>+484(SB)/4, $0xbbf19bf8
DATA vecConsts<>+488(SB)/4, $0xbbf19bf8
DATA vecConsts<>+492(SB)/4, $0xbbf19bf8
DATA vecConsts<>+496(SB)/4, $0xbbf19bf8
DATA vecConsts<>+500(SB)/4, $0xbbf19bf8
DATA vecConsts<>+504(SB)/4, $0xbbf19bf8
DATA vecConsts<>+508(SB)/4, $0xbbf19bf8
DATA vecConsts<>+512(SB)/4, $0xbc69b6a7
DATA vecConsts<>+516(SB)/4, $0xbc69b6a7
DATA vecConsts<>+520(SB)/4, $0xbc69b6a7
DATA vecConsts<>+524(SB)/4, $0xbc69b6a7
DATA vecConsts<>+528(SB)/4, $0xbc69b6a7
DATA vecConsts<>+532(SB)/4, $0xbc69b6a7
DATA vecConsts<>+536(SB)/4, $0xbc69b6a7
DATA vecConsts<>+540(SB)/4, $0xbc69b6a7
DATA vecConsts<>+544(SB)/4, $0x3fb8aa3b
DATA vecConsts<>+548(SB)/4, $0x3fb8aa3b
DATA vecConsts<>+552(SB)/4, $0x3fb8aa3b
DATA vecConsts<>+556(SB)/4, $0x3fb8aa3b
DATA vecConsts<>+560(SB)/4, $0x3fb8aa3b
DATA vecConsts<>+564(SB)/4, $0x3fb8aa3b
DATA vecConsts<>+568(SB)/4, $0x3fb8aa3b
DATA vecConsts<>+572(SB)/4, $0x3fb8aa3b
DATA vecConsts<>+576(SB)/4, $0x4b400000
DATA vecConsts<>+580(SB)/4, $0x4b400000
DATA vecConsts<>+584(SB)/4, $0x4b400000
DATA vecConsts<>+588(SB)/4, $0x4b400000
DATA vecConsts<>+592(SB)/4, $0x4b400000
DATA vecConsts<>+596(SB)/4, $0x4b400000
DATA vecConsts<>+600(SB)/4, $0x4b400000
DATA vecConsts<>+604(SB)/4, $0x4b400000
DATA vecConsts<>+608(SB)/4, $0x3f318000
DATA vecConsts<>+612(SB)/4, $0x3f318000
DATA vecConsts<>+616(SB)/4, $0x3f318000
DATA vecConsts<>+620(SB)/4, $0x3f318000
DATA vecConsts<>+624(SB)/4, $0x3f318000
DATA vecConsts<>+628(SB)/4, $0x3f318000
DATA vecConsts<>+632(SB)/4, $0x3f318000
DATA vecConsts<>+636(SB)/4, $0x3f318000
DATA vecConsts<>+640(SB)/4, $0xb95e8083
DATA vecConsts<>+644(SB)/4, $0xb95e8083
DATA vecConsts<>+648(SB)/4, $0xb95e8083
DATA vecConsts<>+652(SB)/4, $0xb95e8083
DATA vecConsts<>+656(SB)/4, $0xb95e8083
DATA vecConsts<>+660(SB)/4, $0xb95e8083
DATA vecConsts<>+664(SB)/4, $0xb95e8083
DATA vecConsts<>+668(SB)/4, $0xb95e8083
DATA vecConsts<>+672(SB)/4, $0x3ab60b61
DATA vecConsts<>+676(SB)/4, $0x3ab60b61
DATA vecConsts<>+680(SB)/4, $0x3ab60b61
DATA vecConsts<>+684(SB)/4, $0x3ab60b61
DATA vecConsts<>+688(SB)/4, $0x3ab60b61
DATA vecConsts<>+692(SB)/4, $0x3ab60b61
DATA vecConsts<>+696(SB)/4, $0x3ab60b61
DATA vecConsts<>+700(SB)/4, $0x3ab60b61
DATA vecConsts<>+704(SB)/4, $0x3c088889
DATA vecConsts<>+708(SB)/4, $0x3c088889
DATA vecConsts<>+712(SB)/4, $0x3c088889
DATA vecConsts<>+716(SB)/4, $0x3c088889
DATA vecConsts<>+720(SB)/4, $0x3c088889
DATA vecConsts<>+724(SB)/4, $0x3c088889
DATA vecConsts<>+728(SB)/4, $0x3c088889
DATA vecConsts<>+732(SB)/4, $0x3c088889
DATA vecConsts<>+736(SB)/4, $0x3d2aaaab
DATA vecConsts<>+740(SB)/4, $0x3d2aaaab
DATA vecConsts<>+744(SB)/4, $0x3d2aaaab
DATA vecConsts<>+748(SB)/4, $0x3d2aaaab
DATA vecConsts<>+752(SB)/4, $0x3d2aaaab
DATA vecConsts<>+756(SB)/4, $0x3d2aaaab
DATA vecConsts<>+760(SB)/4, $0x3d2aaaab
DATA vecConsts<>+764(SB)/4, $0x3d2aaaab
DATA vecConsts<>+768(SB)/4, $0x3e2aaaab
DATA vecConsts<>+772(SB)/4, $0x3e2aaaab
DATA vecConsts<>+776(SB)/4, $0x3e2aaaab
DATA vecConsts<>+780(SB)/4, $0x3e2aaaab
DATA vecConsts<>+784(SB)/4, $0x3e2aaaab
DATA vecConsts<>+788(SB)/4, $0x3e2aaaab
DATA vecConsts<>+792(SB)/4, $0x3e2aaaab
DATA vecConsts<>+796(SB)/4, $0x3e2aaaab
DATA vecConsts<>+800(SB)/4, $0xc2aeac4f
DATA vecConsts<>+804(SB)/4, $0xc2aeac4f
DATA vecConsts<>+808(SB)/4, $0xc2aeac4f
DATA vecConsts<>+812(SB)/4, $0xc2aeac4f
DATA vecConsts<>+816(SB)/4, $0xc2aeac4f
DATA vecConsts<>+820(SB)/4, $0xc2aeac4f
DATA vecConsts<>+824(SB)/4, $0xc2aeac4f
DATA vecConsts<>+828(SB)/4, $0xc2aeac4f
DATA vecConsts<>+832(SB)/4, $0x42b00000
DATA vecConsts<>+836(SB)/4, $0x42b00000
DATA vecConsts<>+840(SB)/4, $0x42b00000
DATA vecConsts<>+844(SB)/4, $0x42b00000
DATA vecConsts<>+848(SB)/4, $0x42b00000
DATA vecConsts<>+852(SB)/4, $0x42b00000
DATA vecConsts<>+856(SB)/4, $0x42b00000
DATA vecConsts<>+860(SB)/4, $0x42b00000
DATA vecConsts<>+864(SB)/4, $0x3ecc422a
DATA vecConsts<>+868(SB)/4, $0x3ecc422a
DATA vecConsts<>+872(SB)/4, $0x3ecc422a
DATA vecConsts<>+876(SB)/4, $0x3ecc422a
DATA vecConsts<>+880(SB)/4, $0x3ecc422a
DATA vecConsts<>+884(SB)/4, $0x3ecc422a
DATA vecConsts<>+888(SB)/4, $0x3ecc422a
DATA vecConsts<>+892(SB)/4, $0x3ecc422a
DATA vecConsts<>+896(SB)/4, $0xbf000000
DATA vecConsts<>+900(SB)/4, $0xbf000000
DATA vecConsts<>+904(SB)/4, $0xbf000000
DATA vecConsts<>+908(SB)/4, $0xbf000000
DATA vecConsts<>+912(SB)/4, $0xbf000000
DATA vecConsts<>+916(SB)/4, $0xbf000000
DATA vecConsts<>+920(SB)/4, $0xbf000000
DATA vecConsts<>+924(SB)/4, $0xbf000000
DATA vecConsts<>+928(SB)/4, $0x4b3fff81
DATA vecConsts<>+932(SB)/4, $0x4b3fff81
DATA vecConsts<>+936(SB)/4, $0x4b3fff81
DATA vecConsts<>+940(SB)/4, $0x4b3fff81
DATA vecConsts<>+944(SB)/4, $0x4b3fff81
DATA vecConsts<>+948(SB)/4, $0x4b3fff81
DATA vecConsts<>+952(SB)/4, $0x4b3fff81
DATA vecConsts<>+956(SB)/4, $0x4b3fff81
GLOBL vecConsts<>(SB), RODATA|NOPTR, $960

// CDF sets Y1 = Φ(Y0) = 0.5·(1 + erf(Y0/√2)). Clobbers Y2–Y4; needs
// Y14 = 4 and Y15 = −4.
#define CDF \
	VMULPS SQRTHALF, Y0, Y1 \
	VMINPS Y1, Y14, Y1 \
	VMAXPS Y1, Y15, Y1 \
	VMULPS Y1, Y1, Y2 \
	VMOVUPS EP13, Y3 \
	VFMADD213PS EP11, Y2, Y3 \
	VFMADD213PS EP9, Y2, Y3 \
	VFMADD213PS EP7, Y2, Y3 \
	VFMADD213PS EP5, Y2, Y3 \
	VFMADD213PS EP3, Y2, Y3 \
	VFMADD213PS EP1, Y2, Y3 \
	VMOVUPS EQ8, Y4 \
	VFMADD213PS EQ6, Y2, Y4 \
	VFMADD213PS EQ4, Y2, Y4 \
	VFMADD213PS EQ2, Y2, Y4 \
	VFMADD213PS EQ0, Y2, Y4 \
	VMULPS Y3, Y1, Y3 \
	VDIVPS Y4, Y3, Y3 \
	VADDPS ONE, Y3, Y3 \
	VMULPS HALF, Y3, Y1

// EXP sets Y7 = e**Y6 for Y6 clamped to [−87.34, 88] (NaN stays NaN).
// Clobbers Y6, Y8–Y11; needs Y12 = 88 and Y13 = −87.34.
#define EXP \
	VMINPS Y6, Y12, Y6 \
	VMAXPS Y6, Y13, Y6 \
	VMOVUPS LOG2E, Y8 \
	VFMADD213PS MAGIC, Y6, Y8 \
	VSUBPS MAGIC, Y8, Y9 \
	VMOVAPS Y6, Y10 \
	VFNMADD231PS LN2HI, Y9, Y10 \
	VFNMADD231PS LN2LO, Y9, Y10 \
	VMOVUPS X720, Y11 \
	VFMADD213PS X120, Y10, Y11 \
	VFMADD213PS X24, Y10, Y11 \
	VFMADD213PS X6, Y10, Y11 \
	VFMADD213PS HALF, Y10, Y11 \
	VFMADD213PS ONE, Y10, Y11 \
	VFMADD213PS ONE, Y10, Y11 \
	VPSUBD EXPBIAS, Y8, Y8 \
	VPSLLD $23, Y8, Y8 \
	VMULPS Y8, Y11, Y7

#define LOADCLAMPS \
	VMOVUPS FOUR, Y14 \
	VMOVUPS MFOUR, Y15 \
	VMOVUPS EXPHI, Y12 \
	VMOVUPS EXPLO, Y13

// func geluVec(y, x *float32, n int)
TEXT ·geluVec(SB), NOSPLIT, $0-24
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ geluDone
	LOADCLAMPS
geluLoop:
	VMOVUPS (SI), Y0
	CDF
	VMULPS Y1, Y0, Y5
	VMOVUPS Y5, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ geluLoop
geluDone:
	VZEROUPPER
	RET

// func geluGradVec(dst, x *float32, n int)
TEXT ·geluGradVec(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ gradDone
	LOADCLAMPS
gradLoop:
	VMOVUPS (SI), Y0
	CDF
	VMULPS Y1, Y0, Y5
	VMOVUPS Y5, (DI)
	VMULPS Y0, Y0, Y6
	VMULPS MHALF, Y6, Y6
	EXP
	VMULPS INVSQRT2PI, Y7, Y7
	VFMADD231PS Y7, Y0, Y1
	VMOVUPS Y1, (SI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ gradLoop
gradDone:
	VZEROUPPER
	RET

// func expShiftSumVec(x *float32, n int, shift float32) float32
TEXT ·expShiftSumVec(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSS shift+16(FP), Y5
	VXORPS Y0, Y0, Y0
	SHRQ $3, CX
	JZ expDone
	LOADCLAMPS
expLoop:
	VMOVUPS (SI), Y6
	VSUBPS Y5, Y6, Y6
	EXP
	VMOVUPS Y7, (SI)
	VADDPS Y7, Y0, Y0
	ADDQ $32, SI
	DECQ CX
	JNZ expLoop
expDone:
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func adamwVec(p, grad, m, v *float32, n int, c *[9]float32)
// c holds decay, β1, 1−β1, β2, 1−β2, √(1−β2ᵗ), −step size, eps and the
// gradient clipping factor. The gradients read are set to zero.
TEXT ·adamwVec(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	SHRQ $3, CX
	JZ adamDone
	VBROADCASTSS 0(AX), Y8
	VBROADCASTSS 4(AX), Y9
	VBROADCASTSS 8(AX), Y10
	VBROADCASTSS 12(AX), Y11
	VBROADCASTSS 16(AX), Y12
	VBROADCASTSS 20(AX), Y13
	VBROADCASTSS 24(AX), Y14
	VBROADCASTSS 28(AX), Y15
	VBROADCASTSS 32(AX), Y7
adamLoop:
	VMOVUPS (DI), Y0
	VMULPS (SI), Y7, Y1
	VMOVUPS (R8), Y2
	VMOVUPS (R9), Y3
	VMULPS Y8, Y0, Y0
	VMULPS Y9, Y2, Y2
	VFMADD231PS Y10, Y1, Y2
	VMULPS Y12, Y1, Y4
	VMULPS Y1, Y4, Y4
	VFMADD231PS Y11, Y3, Y4
	VSQRTPS Y4, Y5
	VDIVPS Y13, Y5, Y5
	VADDPS Y15, Y5, Y5
	VDIVPS Y5, Y2, Y6
	VFMADD231PS Y14, Y6, Y0
	VXORPS Y5, Y5, Y5
	VMOVUPS Y0, (DI)
	VMOVUPS Y2, (R8)
	VMOVUPS Y4, (R9)
	VMOVUPS Y5, (SI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ adamLoop
adamDone:
	VZEROUPPER
	RET

// func sumSquaresVec(x *float32, n int, s float64) float64
// Returns s + x[0]² + x[1]² + … + x[n−1]², squares and sums in float64,
// added one at a time in index order (so exactly the sum of the Go loop);
// blocks of 8 zeros are skipped, since adding +0 leaves a sum ≥ +0 as it is.
TEXT ·sumSquaresVec(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVSD s+16(FP), X0
	SHRQ $3, CX
	JZ sumDone
	VPCMPEQD Y7, Y7, Y7
	VPSRLD $1, Y7, Y7
sumLoop:
	VMOVUPS (SI), Y1
	VPTEST Y7, Y1
	JZ sumNext
	VCVTPS2PD X1, Y2
	VEXTRACTF128 $1, Y1, X3
	VCVTPS2PD X3, Y3
	VMULPD Y2, Y2, Y2
	VMULPD Y3, Y3, Y3
	VADDSD X2, X0, X0
	VPERMILPD $1, X2, X4
	VADDSD X4, X0, X0
	VEXTRACTF128 $1, Y2, X5
	VADDSD X5, X0, X0
	VPERMILPD $1, X5, X5
	VADDSD X5, X0, X0
	VADDSD X3, X0, X0
	VPERMILPD $1, X3, X4
	VADDSD X4, X0, X0
	VEXTRACTF128 $1, Y3, X5
	VADDSD X5, X0, X0
	VPERMILPD $1, X5, X5
	VADDSD X5, X0, X0
sumNext:
	ADDQ $32, SI
	DECQ CX
	JNZ sumLoop
sumDone:
	MOVSD X0, ret+24(FP)
	VZEROUPPER
	RET
