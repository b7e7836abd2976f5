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
	{name: "avx512-14x32", mr: 14, nr: 32, mc: 140, kc: 192, nc: 3072, compute: compute14x32AVX512, supported: hasAVX512},
	{name: "avx512-12x32", mr: 12, nr: 32, mc: 144, kc: 192, nc: 3072, compute: compute12x32AVX512, supported: hasAVX512},
	{name: "avx512-8x32", mr: 8, nr: 32, mc: 128, kc: 192, nc: 3072, compute: compute8x32AVX512, supported: hasAVX512},
	{name: "avx512-6x64", mr: 6, nr: 64, mc: 120, kc: 96, nc: 3072, compute: compute6x64AVX512, supported: hasAVX512},
	{name: "avx2-6x16", mr: 6, nr: 16, mc: 120, kc: 256, nc: 3072, compute: compute6x16AVX2, supported: hasAVX2},
	genericKernel,
}

var bestKernel = firstSupported(kernels)

func firstSupported(ks []*kernel) *kernel {
	for _, k := range ks {
		if k.supported {
			return k
		}
	}
	return genericKernel
}
