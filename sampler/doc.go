// Package sampler builds the training batches of hybrid batch training
// (Bhattacharjee et al., arXiv 2408.10536 §2.2) and of its baselines, from
// the language-tagged parallel tuples of package datasets.
//
// A training loop sees a HybridSampler, an interface of one method that
// users can implement themselves (see the example "CustomSampler" and
// package samplertest, which checks any implementation). Hybrid is the
// package's implementation:
//
//	s, err := sampler.NewHybrid([]datasets.Dataset{train}, sampler.Config{Alpha: 0.5, Seed: 1})
//	if err != nil {
//		return err // says which value or dataset is wrong
//	}
//	for step := 0; step < steps; step++ {
//		b, err := s.Next() // io.EOF only if Config.Epochs is set
//		if err != nil {
//			return err
//		}
//		q, p, n := encode(b.Queries()), encode(b.Positives()), encode(b.Negatives())
//		l, err := loss.InfoNCE(loss.Batch{Queries: q, Positives: p, Negatives: n,
//			NegativeOf: b.NegativeOf(), Groups: b.Groups()}, lossConfig)
//		// ...
//	}
//
// # Batch layouts
//
// A tuple is one example in several languages (parallel translations
// sharing a group id); an item of a batch is one tuple seen through one
// query language and one passage language. Config.Strategy chooses:
//
//   - AlphaMixture (default), the paper's hybrid: each batch is Monolingual
//     with probability Alpha (default 0.5) and CrossLingual otherwise.
//   - XXMono: every batch Monolingual (α = 1); Alpha = 1 is the same.
//   - XY: every batch CrossLingual (α = 0). Alpha = 0 means the default
//     0.5, so α = 0 is written with this strategy.
//   - XX: LAReQA's X-X; every item monolingual in its own language, so
//     languages mix within a batch (MixedMonolingual).
//
// A Monolingual batch draws one language, by the language weights, for all
// its items. A CrossLingual item draws its query language by the weights
// and its passage language by the weights among the others (the paper does
// not say; by default each item draws its own pair, Config.PairPerBatch
// draws one pair per batch), so a query is never in its passage's language.
// Hard negatives are in the positive's language unless
// Config.NegativesInQueryLang. A per-item draw is restricted to the
// languages the tuple has.
//
// A dataset none of whose tuples has two languages (the paper's
// English-only sets, or per-language sets such as MIRACL's) gives
// Monolingual batches only, whatever the strategy; the share of Monolingual
// batches is then above α. NewHybrid returns an error if cross-lingual
// batches are asked for and no dataset can give them.
//
// # Weights
//
// Languages: Uniform over a dataset's languages by default (the paper's),
// BySize (tuples having the language), ByTemperature (size^T) or ByWeights
// (Config.LangWeights, where 0 excludes a language). Datasets: BySize by
// default (the paper's "sampled based on dataset size"), Uniform,
// ByTemperature or ByWeights (Config.DatasetWeights). Weights are relative;
// they are normalized, then quantized to multiples of 2⁻⁵³.
//
// A batch comes from one dataset, drawn by the dataset weights, then its
// layout is drawn from that dataset's languages. With Config.MixDatasets,
// the layout is drawn from a dataset so chosen and then each item draws its
// own dataset, with probability proportional to its weight times the
// probability it gives that layout, so that each dataset's share of items
// is still its weight.
//
// # Epochs
//
// Each dataset is sampled without replacement: an epoch is a random
// permutation of its tuples, from which batches take, in order, the first
// tuples that fit the batch's layout and do not repeat a group already in
// the batch (unless Config.AllowDuplicateGroups); tuples that do not fit
// wait for a later batch of the same epoch. A new epoch of a dataset starts
// when its current one cannot fill the batch drawn. The last partial batch
// is dropped unless Config.KeepLast, in which case it is returned and ends
// the epoch.
//
// So, when every tuple of a dataset has all of its languages and no two
// share a group, an epoch gives exactly ⌊n/BatchSize⌋ batches (⌈n/BatchSize⌉
// with KeepLast) holding each of its n tuples at most once
// (BatchesPerEpoch). Otherwise an epoch ends at the first batch its
// remaining tuples cannot fill, and the tuples left are reshuffled into the
// next epoch. Under MixDatasets items are taken one at a time, KeepLast
// has no effect, and an epoch ends when it has no tuple left for an item
// but tuples whose groups are already in the batch.
// Config.Epochs makes the sampler finite.
//
// NewHybrid checks that a fresh epoch can fill every layout that can be
// drawn: for instance that a dataset has BatchSize groups in each of its
// languages. So Next never fails for want of data.
//
// # Determinism and state
//
// Every draw comes from math/rand/v2's PCG seeded from Config.Seed, through
// integer arithmetic only (weights are quantized once), and languages are
// handled in sorted order, so a seed gives the same batches on any machine
// and under any map iteration order. The one caveat: ByTemperature weights
// go through math.Pow, whose last bit might differ between architectures,
// which changes a draw only if it falls within 2⁻⁵³ of a boundary.
//
// Hybrid implements encoding.BinaryMarshaler and
// encoding.BinaryUnmarshaler: a state saved after any batch and restored
// into a new sampler with the same data and Config continues with exactly
// the batches the first would have given. Epochs, Rank and WorldSize may
// change on restore, to extend a run or change the number of ranks. Epoch
// permutations are regenerated from the seed, so the state holds a few
// bytes per dataset plus one bit per tuple between the first and the last
// tuple taken out of order in the current epochs.
//
// # Data parallelism
//
// With Config.Rank and Config.WorldSize, every rank draws the same global
// batch of BatchSize items and Next returns the rank's contiguous slice of
// it (Batch.Shard): the same mode and languages at the same step on every
// rank. All ranks share one state, so any rank's state resumes them all.
//
// # Memory
//
// Next reuses the memory of the batch it returned before: a caller that
// keeps a batch past the next call keeps Batch.Clone. Items' Negatives
// alias the datasets (capped, so an append copies) unless Config.Negatives
// subsamples them. NewHybrid keeps references to the datasets' tuples and
// allocates once, per tuple and language, a copy of the triplet's string
// and slice headers (56 bytes, so that an item costs a cache miss rather
// than map lookups) and a bit, and per tuple a group id and a permutation
// entry. Next allocates nothing in the steady state.
//
// # Errors and panics
//
// NewHybrid returns errors wrapping ErrConfig (an invalid Config value,
// such as Alpha outside [0, 1] or a negative weight) or ErrData (malformed
// datasets, or datasets that cannot give the batches asked for, such as
// fewer groups than BatchSize with the last batch dropped, or cross-lingual
// batches from data with no tuple in two languages); the message names the
// value, dataset or language at fault. UnmarshalBinary returns errors
// wrapping ErrState. Next returns io.EOF, unwrapped, when Config.Epochs are
// done. Batch.Shard, Hybrid.Epoch and Hybrid.BatchesPerEpoch panic on an
// index out of range.
//
// # Concurrency
//
// A Hybrid is not safe for concurrent use. Batch methods are safe for
// concurrent use as long as the batch is not modified.
package sampler
