package samplertest

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/polyret/polyret/sampler"
)

// MaxBatches is the most batches Check draws from the sampler in one pass.
const MaxBatches = 200

// resumeAt is the step at which Check saves a resumable sampler's state.
const resumeAt = 5

// Check draws up to MaxBatches batches from s, or until io.EOF, and
// returns an error describing the first way s breaks the HybridSampler
// contract, or nil. It checks that:
//
//   - every batch has at least one item, a known Mode, and items with a
//     group, a query, a positive, non-empty negatives and languages;
//   - a Monolingual batch has one language for all queries and passages,
//     a CrossLingual batch no item whose query and passage languages are
//     equal, and a MixedMonolingual batch no item whose are different;
//   - io.EOF comes unwrapped, with an empty batch, and again on the next
//     call; no other error is returned;
//   - if s implements encoding.BinaryMarshaler and
//     encoding.BinaryUnmarshaler: restoring the state saved after batch 5
//     gives again exactly the batches (and io.EOF) that followed it, even
//     after UnmarshalBinary was given corrupt states; an empty state is an
//     error; and no corrupt state makes UnmarshalBinary panic.
//
// Check keeps copies of the batches (Batch.Clone), so s may reuse its
// batches' memory as the contract allows.
func Check(s sampler.HybridSampler) error {
	m, isM := s.(encoding.BinaryMarshaler)
	u, isU := s.(encoding.BinaryUnmarshaler)
	resumable := isM && isU
	var state []byte
	var after []sampler.Batch // batches drawn after the state was saved
	end, err := draw(s, func(step int) error {
		if resumable && step == resumeAt {
			st, err := m.MarshalBinary()
			if err != nil {
				return fmt.Errorf("MarshalBinary after %d batches: %w", step, err)
			}
			state = st
		}
		return nil
	}, func(step int, b sampler.Batch) {
		if state != nil {
			after = append(after, b.Clone())
		}
	})
	if err != nil {
		return err
	}
	if state == nil {
		return nil
	}
	if err := replay(s, u, state, after, end); err != nil {
		return err
	}
	if err := hostile(u, state); err != nil {
		return err
	}
	// Corrupt states must not leave s unable to resume.
	if err := replay(s, u, state, after, end); err != nil {
		return fmt.Errorf("after corrupt states: %w", err)
	}
	return nil
}

// draw calls Next until MaxBatches batches or io.EOF, checking every
// result; before each call it runs before, and it hands each batch to got.
// It returns whether the sampler ended with io.EOF.
func draw(s sampler.HybridSampler, before func(step int) error, got func(int, sampler.Batch)) (eof bool, err error) {
	for step := 0; step < MaxBatches; step++ {
		if err := before(step); err != nil {
			return false, fmt.Errorf("samplertest: %w", err)
		}
		b, err := s.Next()
		if err == io.EOF {
			if len(b.Items) != 0 {
				return true, fmt.Errorf("samplertest: Next returned %d items with io.EOF", len(b.Items))
			}
			if b2, err2 := s.Next(); err2 != io.EOF || len(b2.Items) != 0 {
				return true, fmt.Errorf("samplertest: Next after io.EOF returned %d items and error %v, want io.EOF again", len(b2.Items), err2)
			}
			return true, nil
		}
		if errors.Is(err, io.EOF) {
			return false, fmt.Errorf("samplertest: Next returned a wrapped io.EOF (%q); return io.EOF itself", err)
		}
		if err != nil {
			return false, fmt.Errorf("samplertest: Next at batch %d: %w", step, err)
		}
		if err := CheckBatch(b); err != nil {
			return false, fmt.Errorf("samplertest: batch %d: %w", step, err)
		}
		got(step, b)
	}
	return false, nil
}

// replay restores state into s and checks that it gives want, then io.EOF
// if eof.
func replay(s sampler.HybridSampler, u encoding.BinaryUnmarshaler, state []byte, want []sampler.Batch, eof bool) error {
	if err := u.UnmarshalBinary(bytes.Clone(state)); err != nil {
		return fmt.Errorf("samplertest: UnmarshalBinary of a state from MarshalBinary: %w", err)
	}
	for i, w := range want {
		b, err := s.Next()
		if err != nil {
			return fmt.Errorf("samplertest: batch %d after restoring the state of batch %d: %w", resumeAt+i, resumeAt, err)
		}
		if d := diff(b, w); d != "" {
			return fmt.Errorf("samplertest: batch %d after restoring the state of batch %d differs: %s", resumeAt+i, resumeAt, d)
		}
	}
	if eof {
		if _, err := s.Next(); err != io.EOF {
			return fmt.Errorf("samplertest: after restoring, Next gave %v where the first run ended with io.EOF", err)
		}
	}
	return nil
}

// hostile feeds u corrupt states: an empty one must be rejected, and none
// may panic.
func hostile(u encoding.BinaryUnmarshaler, state []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("samplertest: UnmarshalBinary panicked on a corrupt state: %v", r)
		}
	}()
	if u.UnmarshalBinary(nil) == nil {
		return errors.New("samplertest: UnmarshalBinary accepted an empty state")
	}
	for n := range len(state) {
		u.UnmarshalBinary(bytes.Clone(state[:n]))
	}
	for i := range state {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			c := bytes.Clone(state)
			c[i] ^= x
			u.UnmarshalBinary(c)
		}
	}
	u.UnmarshalBinary(append(bytes.Clone(state), 0))
	return nil
}

// CheckBatch returns an error describing the first way b breaks the
// contract of a batch listed in Check, or nil.
func CheckBatch(b sampler.Batch) error {
	if len(b.Items) == 0 {
		return errors.New("no items")
	}
	switch b.Mode {
	case sampler.Monolingual, sampler.CrossLingual, sampler.MixedMonolingual:
	default:
		return fmt.Errorf("unknown %v", b.Mode)
	}
	for i, it := range b.Items {
		switch {
		case it.Group == "":
			return fmt.Errorf("item %d has no Group", i)
		case it.Query == "" || it.Positive == "":
			return fmt.Errorf("item %d (group %q) has an empty query or positive", i, it.Group)
		case it.QueryLang == "" || it.PassageLang == "":
			return fmt.Errorf("item %d (group %q) lacks a query or passage language", i, it.Group)
		case len(it.Negatives) > 0 && it.NegativeLang == "":
			return fmt.Errorf("item %d (group %q) has negatives but no NegativeLang", i, it.Group)
		case slices.Contains(it.Negatives, ""):
			return fmt.Errorf("item %d (group %q) has an empty negative", i, it.Group)
		}
		switch b.Mode {
		case sampler.Monolingual:
			l := b.Items[0].QueryLang
			if it.QueryLang != l || it.PassageLang != l {
				return fmt.Errorf("monolingual batch in %s (item 0's query language): item %d is %s→%s", l, i, it.QueryLang, it.PassageLang)
			}
		case sampler.CrossLingual:
			if it.QueryLang == it.PassageLang {
				return fmt.Errorf("cross-lingual batch: item %d (group %q) is %s→%s", i, it.Group, it.QueryLang, it.PassageLang)
			}
		case sampler.MixedMonolingual:
			if it.QueryLang != it.PassageLang {
				return fmt.Errorf("mixed-monolingual batch: item %d (group %q) is %s→%s", i, it.Group, it.QueryLang, it.PassageLang)
			}
		}
	}
	return nil
}

// diff describes the first difference between two batches, or returns "".
func diff(got, want sampler.Batch) string {
	if got.Mode != want.Mode {
		return fmt.Sprintf("mode %v, want %v", got.Mode, want.Mode)
	}
	if len(got.Items) != len(want.Items) {
		return fmt.Sprintf("%d items, want %d", len(got.Items), len(want.Items))
	}
	for i := range got.Items {
		g, w := got.Items[i], want.Items[i]
		if !slices.Equal(g.Negatives, w.Negatives) {
			return fmt.Sprintf("item %d negatives %q, want %q", i, g.Negatives, w.Negatives)
		}
		if strip(g) != strip(w) {
			return fmt.Sprintf("item %d is %+v, want %+v", i, g, w)
		}
	}
	return ""
}

// flatItem is an Item without its slice, so it can be compared.
type flatItem struct {
	group, dataset, ql, pl, nl, query, positive string
}

func strip(it sampler.Item) flatItem {
	return flatItem{it.Group, it.Dataset, string(it.QueryLang), string(it.PassageLang), string(it.NegativeLang), it.Query, it.Positive}
}
