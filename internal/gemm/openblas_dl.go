//go:build (linux || darwin || freebsd || netbsd) && !android && (amd64 || arm64) && !purego

package gemm

import (
	"fmt"

	"github.com/ebitengine/purego"
)

// LoadOpenBLAS loads OpenBLAS from path, or, if path is empty, from the
// first of the usual library names and Debian/Homebrew locations that
// loads. The error wraps ErrNoOpenBLAS when nothing usable is found, and
// names every path tried. Loading twice is harmless: the dynamic linker
// returns the library already loaded.
//
// Under the purego build tag, and on platforms purego cannot serve,
// LoadOpenBLAS always fails.
func LoadOpenBLAS(path string) (*OpenBLAS, error) {
	paths := openBLASPaths
	if path != "" {
		paths = []string{path}
	}
	var errs []error
	for _, p := range paths {
		lib, err := purego.Dlopen(p, purego.RTLD_NOW|purego.RTLD_LOCAL)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		o, err := bindOpenBLAS(lib, p)
		if err != nil {
			purego.Dlclose(lib)
			errs = append(errs, err)
			continue
		}
		return o, nil
	}
	return nil, fmt.Errorf("%w: tried %q: %v", ErrNoOpenBLAS, paths, errs)
}

func bindOpenBLAS(lib uintptr, path string) (o *OpenBLAS, err error) {
	sym, err := purego.Dlsym(lib, "cblas_sgemm")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	o = &OpenBLAS{Path: path}
	purego.RegisterFunc(&o.sgemm, sym)
	if sym, err := purego.Dlsym(lib, "openblas_set_num_threads"); err == nil {
		purego.RegisterFunc(&o.setThreads, sym)
	}
	if sym, err := purego.Dlsym(lib, "openblas_get_num_threads"); err == nil {
		purego.RegisterFunc(&o.getThreads, sym)
	}
	return o, nil
}
