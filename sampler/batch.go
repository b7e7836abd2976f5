package sampler

import (
	"fmt"

	"github.com/polyret/polyret/datasets"
)

// A HybridSampler yields training batches.
//
// Next returns the next batch. A finite sampler that is exhausted returns a
// zero Batch and io.EOF itself, never wrapped, and keeps returning io.EOF on
// later calls. Any other error is the implementation's and ends the
// sampling.
//
// The returned Batch, its Items and their Negatives are valid until the next
// call to Next: an implementation may reuse their memory, so a caller that
// keeps a batch longer, for instance to prefetch on another goroutine, keeps
// b.Clone() instead. Callers must not modify the elements of the Negatives
// slices, which may alias the datasets.
//
// A HybridSampler need not be safe for concurrent use.
//
// Resumable samplers also implement encoding.BinaryMarshaler and
// encoding.BinaryUnmarshaler: MarshalBinary saves the position after the
// last batch returned, and UnmarshalBinary, called on a sampler built with
// the same data and configuration, continues with exactly the batches the
// saved sampler would have returned. Package samplertest checks both
// contracts for any implementation.
type HybridSampler interface {
	Next() (Batch, error)
}

// A Mode is the language layout of a batch.
type Mode uint8

const (
	// Monolingual batches have the query and passages of every item in one
	// language, the same for the whole batch (the paper's X-X-mono).
	Monolingual Mode = iota
	// CrossLingual batches have, in every item, a query language different
	// from the passage language (the paper's X-Y).
	CrossLingual
	// MixedMonolingual batches have every item monolingual, in languages
	// that may differ from item to item (LAReQA's X-X).
	MixedMonolingual
)

// String returns "monolingual", "cross-lingual" or "mixed-monolingual".
func (m Mode) String() string {
	switch m {
	case Monolingual:
		return "monolingual"
	case CrossLingual:
		return "cross-lingual"
	case MixedMonolingual:
		return "mixed-monolingual"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// An Item is one training example of a batch: a query, its positive passage
// and hard negatives, with their origin.
type Item struct {
	// Group is the tuple's group id. Items with equal groups are parallel
	// translations of one example (see Batch.Groups).
	Group string
	// Dataset is the name of the dataset the item comes from.
	Dataset string

	// QueryLang, PassageLang and NegativeLang are the languages of Query,
	// Positive and Negatives.
	QueryLang    datasets.Lang
	PassageLang  datasets.Lang
	NegativeLang datasets.Lang

	Query    string
	Positive string
	// Negatives are hard-negative passages; there may be none.
	Negatives []string
}

// A Batch is one training batch.
//
// A Batch's methods do not modify it. The slices they return are new, and
// their strings share memory with the batch's.
type Batch struct {
	// Mode is the batch's language layout, for logging and checks.
	Mode  Mode
	Items []Item
}

// Len returns the number of items in b.
func (b Batch) Len() int { return len(b.Items) }

// Queries returns the query texts of b's items, in order.
func (b Batch) Queries() []string {
	out := make([]string, len(b.Items))
	for i := range b.Items {
		out[i] = b.Items[i].Query
	}
	return out
}

// Positives returns the positive passages of b's items, in order: the i-th
// is the positive of the i-th query.
func (b Batch) Positives() []string {
	out := make([]string, len(b.Items))
	for i := range b.Items {
		out[i] = b.Items[i].Positive
	}
	return out
}

// Negatives returns the hard negatives of all of b's items, concatenated in
// item order; NegativeOf tells which query each belongs to.
func (b Batch) Negatives() []string {
	out := make([]string, 0, b.numNegatives())
	for i := range b.Items {
		out = append(out, b.Items[i].Negatives...)
	}
	return out
}

// NegativeOf returns, for each entry of Negatives, the index of its item,
// as loss.Batch.NegativeOf expects.
func (b Batch) NegativeOf() []int {
	out := make([]int, 0, b.numNegatives())
	for i := range b.Items {
		for range b.Items[i].Negatives {
			out = append(out, i)
		}
	}
	return out
}

func (b Batch) numNegatives() int {
	n := 0
	for i := range b.Items {
		n += len(b.Items[i].Negatives)
	}
	return n
}

// Groups returns the group ids of b's items, in order, as loss.Batch.Groups
// expects: a loss keeps items of one group from being each other's in-batch
// negatives. Group ids are compared across datasets as they are, so
// datasets mixed in one batch should not reuse each other's ids for
// unrelated examples.
func (b Batch) Groups() []string {
	out := make([]string, len(b.Items))
	for i := range b.Items {
		out[i] = b.Items[i].Group
	}
	return out
}

// Clone returns a deep copy of b whose Items and Negatives slices share no
// memory with b's, so it stays valid after the sampler's next call to Next.
func (b Batch) Clone() Batch {
	if b.Items == nil {
		return Batch{Mode: b.Mode}
	}
	items := make([]Item, len(b.Items))
	negs := make([]string, 0, b.numNegatives())
	for i, it := range b.Items {
		if it.Negatives != nil {
			start := len(negs)
			negs = append(negs, it.Negatives...)
			it.Negatives = negs[start:len(negs):len(negs)]
		}
		items[i] = it
	}
	return Batch{Mode: b.Mode, Items: items}
}

// Shard returns the part of global batch b that data-parallel rank rank of
// worldSize receives: items [rank·n/worldSize, (rank+1)·n/worldSize) of the
// n items, so the shards are contiguous, in rank order, and differ in size
// by at most one. The result shares b's Items. Shard panics if worldSize < 1
// or rank is outside [0, worldSize).
func (b Batch) Shard(rank, worldSize int) Batch {
	if worldSize < 1 {
		panic("sampler: Shard with worldSize < 1")
	}
	if rank < 0 || rank >= worldSize {
		panic("sampler: Shard rank outside [0, worldSize)")
	}
	n := len(b.Items)
	lo, hi := rank*n/worldSize, (rank+1)*n/worldSize
	return Batch{Mode: b.Mode, Items: b.Items[lo:hi:hi]}
}
