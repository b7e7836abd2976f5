//go:build !((linux || darwin || freebsd || netbsd) && !android && (amd64 || arm64)) || purego

package gemm

import "fmt"

// LoadOpenBLAS loads OpenBLAS from path, or, if path is empty, from the
// usual locations. In this build (purego tag, or a platform without
// run-time loading) it always fails with an error wrapping ErrNoOpenBLAS.
func LoadOpenBLAS(path string) (*OpenBLAS, error) {
	return nil, fmt.Errorf("%w: run-time loading is not built in", ErrNoOpenBLAS)
}
