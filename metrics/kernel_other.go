//go:build !amd64 || purego

package metrics

const haveAVX2 = false

func dot3x4Asm(out []float32, ldo int, q []float32, ldq int, c []float32, ldc int, d int) bool {
	return false
}
