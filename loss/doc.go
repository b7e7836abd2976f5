// Package loss computes InfoNCE contrastive losses for dense retrievers on spago
// graphs, with exact hand-written gradients, and GradCache for batches larger
// than memory allows to encode at once. It knows nothing of text, tokens or
// languages except group ids.
//
// # Loss
//
// A Batch holds B query embeddings q_i, their B positive passages p_i and M hard
// negatives, each owned by one query (Batch.NegativeOf). With a similarity s
// (Cosine or Dot) and a temperature τ, the loss of query i is
//
//	ℓ_i = −log( exp(s(q_i,p_i)/τ) / Σ_{c∈A_i} exp(s(q_i,c)/τ) )
//
// where the candidate set A_i always holds p_i and the query's own hard
// negatives, plus, by Config.InBatch, the other items' positives and/or all the
// batch's hard negatives. Items sharing a Batch.Groups id (parallel
// translations, duplicates) are removed from each other's candidates (false
// negatives); hard negatives are never removed. With Config.Symmetric the
// passage→query loss (each positive against the queries that have it as a
// candidate) is added and the two directions are averaged. Config.Reduction
// sums the ℓ_i or takes their mean over B.
//
// # Defaults
//
// The zero Config is common practice, as sentence-transformers'
// MultipleNegativesRankingLoss with hard negatives and Tevatron/E5: cosine,
// τ = 0.05 (DefaultTemperature), in-batch positives and all hard negatives,
// query→passage only, mean. Paper returns Eq. 1 of the hybrid batch training
// paper (arXiv 2408.10536) as printed: cosine, τ = 1, the query's positive plus
// all hard negatives of the batch, query→passage, sum. The zero value is not
// the paper's because with cosine and τ = 1 the logits lie in [−1, 1]: the
// softmax can never become confident and the gradients stay small, which is
// why practice divides by τ ≈ 0.02–0.05; use Paper to reproduce the formula.
//
// A LogitScale makes τ learnable as in CLIP: a 1×1 spago parameter θ = log(1/τ)
// that any optimizer updates, clamped in the forward pass to τ ∈ [0.01, 1] by
// default (a clamped θ gets no gradient).
//
// # Numerics
//
// InfoNCE accepts float32 or float64 nodes (all of one type) and returns a 1×1
// node of that type. Similarities are computed in the input type; the softmax
// is a log-sum-exp in float64, stable for τ down to 0.01 and logits of any
// finite size. Norms in Cosine are clamped below at 1e-12 as in PyTorch's
// F.normalize. float32 matrix products (similarities, and the two products
// of the backward pass) run on polyret's shared GEMM, internal/gemm, which
// model/gemm documents and re-exports: SIMD kernels on amd64 (AVX-512 or
// AVX2 with FMA), portable Go elsewhere or with the purego build tag, and the
// Implementation set by model/gemm.Use if any. Only tiny problems (at most
// 2¹⁵ multiply-adds) accumulate their float32 similarities in float64, since
// a similarity's error is multiplied by 1/τ in the logits. float64 inputs
// use portable Go loops that accumulate in float64.
//
// Tested against PyTorch autograd (testdata/gen, float64) on every option:
// losses and gradients agree to 1e-9 relative in float64 and 1e-5 relative in
// float32 (entries below 1% of the largest gradient compared absolutely), and
// every option passes central finite differences in float64.
//
// # Errors and panics
//
// InfoNCE and GradCache.Backward return an error wrapping ErrNonFinite, and
// build no node, when an input embedding or the learnable scale holds NaN or
// ±Inf, or the loss overflows; the message names the tensor and element, e.g.
// "loss: Positives[3][1] is NaN: non-finite value". So a loss node is finite
// whenever it exists, and its backward pass cannot fail. Programmer errors
// panic with "loss: …" messages: shape mismatches, mixed float32 and float64
// inputs, NegativeOf or Groups of the wrong length or range, an empty batch, an
// invalid Config (unknown enum value, negative Temperature or Workers,
// Symmetric without in-batch positives, bad LogitScale bounds).
//
// # Gradients
//
// The loss is one fused spago node (an ag.AutoGradFunction) whose backward pass
// sends a gradient to every input that requires one and to LogitScale.Param,
// so ag.Backward never waits on a missing gradient; it does not modify its
// inputs. The same node may serve as several inputs (its gradients add).
//
// # GradCache
//
// GradCache encodes through the small Encoder interface (Encode(texts) returns
// an n×d node whose gradients reach the encoder's parameters) and, if the
// encoder also implements DropoutSeeder, replays its dropout masks between the
// two passes. If it also implements ValueEncoder (EncodeValues(texts) returns
// the same values without a graph, as the encoders of polyret's model package
// do), the first pass uses it and builds no graph at all. Its parameter
// gradients equal full-batch backpropagation (tested to 1e-6 relative in
// float64; measured 2e-14) while only one chunk's graph is alive at a time.
//
// # Concurrency
//
// InfoNCE may be called concurrently on different inputs; each call and each
// backward pass uses up to Config.Workers goroutines (0 means GOMAXPROCS) and
// joins them before returning: a matrix product of at least 2¹⁸ flops is
// cut into blocks of rows, each computed on one goroutine (float32 by the
// shared GEMM), which changes no bit of the result. A GradCache is not safe
// for concurrent use. Nothing in the package prints or logs; GradCache
// reports progress to an optional Recorder.
//
// # Sources
//
// van den Oord et al., "Representation Learning with Contrastive Predictive
// Coding" (InfoNCE, 2018); Radford et al., "Learning Transferable Visual Models
// From Natural Language Supervision" (learnable logit scale, 2021); Gao et al.,
// "Scaling Deep Contrastive Learning Batch Size under Memory Limited Setup"
// (GradCache, 2021); arXiv 2408.10536 (hybrid batch training, Eq. 1).
package loss
