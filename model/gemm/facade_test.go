package gemm_test

import (
	"errors"
	"testing"

	igemm "github.com/polyret/polyret/internal/gemm"
	"github.com/polyret/polyret/model/gemm"
)

// countingImpl counts the products that reach it.
type countingImpl struct{ calls int }

func (ci *countingImpl) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ci.calls++
}

// TestUseReachesInternal checks that this package and internal/gemm share
// one current Implementation: Use here swaps the Sgemm that loss and
// metrics call, and the other way round.
func TestUseReachesInternal(t *testing.T) {
	prev := gemm.Current()
	defer gemm.Use(prev)
	ci := &countingImpl{}
	gemm.Use(ci)
	if igemm.Current() != gemm.Implementation(ci) {
		t.Fatalf("internal Current() = %v after gemm.Use(%v)", igemm.Current(), ci)
	}
	igemm.Sgemm(false, false, 1, 1, 1, 1, []float32{1}, 1, []float32{1}, 1, 0, []float32{0}, 1)
	gemm.Sgemm(false, false, 1, 1, 1, 1, []float32{1}, 1, []float32{1}, 1, 0, []float32{0}, 1)
	if ci.calls != 2 {
		t.Errorf("after gemm.Use: %d products reached the Implementation, want 2", ci.calls)
	}
	igemm.Use(gemm.Native{Workers: 1})
	if got := gemm.Current(); got != gemm.Implementation(gemm.Native{Workers: 1}) {
		t.Errorf("gemm.Current() = %v after internal Use(Native{Workers: 1})", got)
	}
}

// TestFacade checks that the re-exported names are the implementation's:
// the same types (a Native made here is the internal one), the same error
// value and the same panics.
func TestFacade(t *testing.T) {
	var impl gemm.Implementation = gemm.Native{Workers: 1}
	if _, ok := impl.(igemm.Native); !ok {
		t.Errorf("gemm.Native is not internal/gemm.Native")
	}
	if _, err := gemm.LoadOpenBLAS("/nonexistent/libopenblas.so.0"); !errors.Is(err, igemm.ErrNoOpenBLAS) || !errors.Is(err, gemm.ErrNoOpenBLAS) {
		t.Errorf("LoadOpenBLAS(missing file) error = %v, want one wrapping ErrNoOpenBLAS", err)
	}
	p := gemm.NewPool(gemm.PoolConfig{Workers: 2})
	if p.Workers() != 2 {
		t.Errorf("NewPool(Workers: 2).Workers() = %d", p.Workers())
	}
	p.Close()
	c := []float32{1}
	gemm.Sgemm(false, true, 1, 1, 2, 2, []float32{1, 2}, 2, []float32{3, 4}, 2, 1, c, 1)
	if c[0] != 23 {
		t.Errorf("Sgemm: C = %v, want 2·(1·3+2·4)+1 = 23", c[0])
	}
	for name, call := range map[string]func(){
		"gemm: negative dimension": func() { gemm.CheckSgemm(false, false, -1, 1, 1, nil, 1, nil, 1, nil, 1) },
		"gemm: nil Implementation": func() { gemm.Use(nil) },
		"gemm: negative Workers":   func() { gemm.NewPool(gemm.PoolConfig{Workers: -1}) },
	} {
		func() {
			defer func() {
				if r := recover(); r != name {
					t.Errorf("panic = %v, want %q", r, name)
				}
			}()
			call()
		}()
	}
}
