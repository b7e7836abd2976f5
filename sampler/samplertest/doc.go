// Package samplertest checks implementations of sampler.HybridSampler
// against the interface's contract, as testing/fstest does for fs.FS.
//
// Check consumes the sampler it is given: it draws at most MaxBatches
// batches twice over and feeds corrupt states to a resumable sampler, so
// it is meant for tests. It checks the contract that every sampler owes
// its callers (batch shape, modes, io.EOF, exact resumption); what only
// an implementation can promise (its weights, epochs and determinism
// across runs) is for the implementation's own tests. CheckBatch checks a
// single batch.
//
// # Errors and panics
//
// Check and CheckBatch return an error describing the first violation
// found, prefixed "samplertest: " by Check. Check recovers a panic of
// UnmarshalBinary on a corrupt state and reports it as an error; it does
// not recover panics of Next.
//
// # Concurrency
//
// Check calls the sampler from one goroutine only. CheckBatch does not
// modify its batch and is safe for concurrent use.
package samplertest
