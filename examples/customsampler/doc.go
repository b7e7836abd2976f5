// Command customsampler trains with a sampler of its own: α, the share of
// monolingual batches, is annealed from 1 to 0.5 over the first steps, a
// curriculum the paper does not try. The training loop sees only the
// sampler.HybridSampler interface, so any sampler plugs in the same way.
//
// The sampler draws each batch from one of two sampler.Hybrid samplers (one
// X-X-mono, one X-Y) and is resumable: it implements
// encoding.BinaryMarshaler and encoding.BinaryUnmarshaler by saving its own
// step and coin with both samplers' states, and passes samplertest.Check.
//
// Usage:
//
//	go run ./examples/customsampler [-steps 2000] [-anneal 1000] [-seed 1]
//
// It prints, for each tenth of the run, α at its end and the share of
// monolingual batches, then checks that a run resumed from a state saved
// half way gives the same batches.
package main
