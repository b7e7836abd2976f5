//go:build !amd64 || !gc || purego

package loss

// hasAVX2FMA is false where the assembly kernels are not built.
const hasAVX2FMA = false
