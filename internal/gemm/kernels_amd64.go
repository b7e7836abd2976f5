//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go

var (
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = cpu.X86.HasAVX512F
)

// kernels lists the micro-kernels this build can run, fastest first.
var kernels = []*kernel{
	// Blocking: an 8×256 A panel (8 KB) and a 256×32 B panel (32 KB) per
	// tile; the 128×256 A block (128 KB) stays in L2 (1 MB on Zen 4); the
	// 256×3072 B block (3 MB) in L3. kc from 128 to 512 and mc from 64 to
	// 256 measured within noise of each other.
	{name: "avx512-8x32", mr: 8, nr: 32, mc: 128, kc: 256, nc: 3072, compute: compute8x32AVX512, supported: hasAVX512, dot: dotFor(hasAVX512Dot)},
	{name: "avx2-6x16", mr: 6, nr: 16, mc: 120, kc: 256, nc: 3072, compute: compute6x16AVX2, supported: hasAVX2, dot: dotFor(false)},
	genericKernel,
}

var bestKernel = firstSupported(kernels)

// dotFor returns the AVX-512 dot tile if avx512, else the fastest other one
// the CPU supports.
func dotFor(avx512 bool) *dotKernel {
	switch {
	case avx512:
		return avx512Dot
	case hasAVX2:
		return avx2Dot
	}
	return genericDot
}

func firstSupported(ks []*kernel) *kernel {
	for _, k := range ks {
		if k.supported {
			return k
		}
	}
	return genericKernel
}
