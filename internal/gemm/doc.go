// Package gemm implements polyret's single-precision matrix product: the
// packed, cache-blocked Native implementation with its SIMD micro-kernels,
// the NT dot-product path for products too small to pay for packing, the
// worker Pool and the optional OpenBLAS binding. The documented, public
// face of this package is github.com/polyret/polyret/model/gemm, which
// re-exports its API unchanged (type aliases and one-line wrappers); its
// package documentation states the conventions, panics, accuracy and
// concurrency of everything here.
//
// # Who imports it
//
// Packages under internal/ are leaf packages (kernels, file helpers): they
// import nothing of polyret's, so any polyret package may import them
// without breaking the layering of DESIGN.md. loss (InfoNCE's similarity
// and gradient products) and metrics (exact search), which may not import
// model/..., call Sgemm here directly; model calls it through model/gemm.
// All of them therefore share one Implementation: Use, whether called here
// or through model/gemm, swaps the products of every package at once.
//
// # Sharing the machine
//
// Callers that already run one product per goroutine (metrics scores one
// block of queries per worker) call Limit(Current(), 1).Sgemm, so that
// products do not also split; Limit(Current(), w) honours a caller's own
// worker bound (loss's Config.Workers). Limit is not re-exported by
// model/gemm, whose API is frozen; model builds the same from Native's
// fields.
package gemm
