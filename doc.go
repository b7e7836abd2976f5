// Package polyret is a Go SDK for training and evaluating multilingual dense
// retrievers with hybrid batch training (Bhattacharjee et al., arXiv
// 2408.10536, building on LAReQA).
//
// A shared dual encoder is fine-tuned with InfoNCE on (query, positive, hard
// negative) triplets. Each batch is monolingual (one language) with
// probability α and cross-lingual (queries and passages in different
// languages, from parallel translations) with probability 1−α. The
// subpackages are the pieces a training loop wires together:
//
//   - datasets: loaders for XQuAD-R, MLQA-R, MIRACL, mMARCO, TREC files and
//     polyret's JSONL tuples, with language codes and parallel group ids.
//   - sampler: the HybridSampler interface and the hybrid, X-X-mono, X-Y and
//     X-X samplers.
//   - loss: InfoNCE and its variants on spago graphs, and GradCache.
//   - model: tokenizers, Hugging Face checkpoint IO, encoders, AdamW.
//   - metrics: trec_eval-exact measures, LAReQA mAP, language bias, exact
//     search and reports.
//
// The root package holds no code; it documents the whole.
package polyret
