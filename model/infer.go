package model

import (
	"context"
	"errors"
	"fmt"

	"github.com/nlpodyssey/spago/mat"
)

// Tokenize returns the token ids the model encodes for each text (see
// EncodeIDs): what Encode and EncodeAll compute embeddings of. It returns
// an error if the model has no tokenizer.
func (m *Model) Tokenize(texts []string) ([][]int32, error) { return m.tokenize(texts, "") }

// tokenize returns the ids of prefix+text for each text.
func (m *Model) tokenize(texts []string, prefix string) ([][]int32, error) {
	if m.tok == nil {
		return nil, errors.New("model: the model has no tokenizer; use EncodeIDs")
	}
	seqs := make([][]int32, len(texts))
	// Large inputs (a corpus for EncodeAll) are tokenized on every worker;
	// the tokenizer is safe for concurrent use.
	const perTask = 256
	tasks := (len(texts) + perTask - 1) / perTask
	work := func(i int) {
		for j := i * perTask; j < min((i+1)*perTask, len(texts)); j++ {
			seqs[j] = m.tokenizeOne(prefix + texts[j])
		}
	}
	if tasks <= 1 {
		work(0)
		return seqs, nil
	}
	ex := newExec(m.opts.Workers)
	defer ex.close()
	ex.run(tasks, work)
	return seqs, nil
}

// EmbedIDs returns the embeddings of token-id sequences (see EncodeIDs)
// without building a graph and without dropout: one row of Dim values per
// sequence, all rows slices of one array. It processes BatchSize sequences
// at a time, checks ctx between batches, and reports progress to the
// Recorder as stage "encode".
func (m *Model) EmbedIDs(ctx context.Context, seqs [][]int32) ([][]float32, error) {
	d := m.Dim()
	all := make([]float32, len(seqs)*d)
	rows := make([][]float32, len(seqs))
	for i := range rows {
		rows[i] = all[i*d : (i+1)*d : (i+1)*d]
	}
	bs := m.opts.BatchSize
	if bs <= 0 {
		bs = 32
	}
	ex := newExec(m.opts.Workers)
	defer ex.close()
	for lo := 0; lo < len(seqs); lo += bs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(lo+bs, len(seqs))
		if err := m.embedBatch(ex, all[lo*d:hi*d], seqs[lo:hi]); err != nil {
			return nil, fmt.Errorf("sequences %d..%d: %w", lo, hi-1, err)
		}
		if r := m.opts.Recorder; r != nil {
			if err := r.Record("encode", hi, len(seqs)); err != nil {
				return nil, fmt.Errorf("model: recorder: %w", err)
			}
		}
	}
	return rows, nil
}

// EncodeAll tokenizes texts and returns their embeddings as EmbedIDs does.
func (m *Model) EncodeAll(ctx context.Context, texts []string) ([][]float32, error) {
	return m.encodeAll(ctx, texts, "")
}

func (m *Model) encodeAll(ctx context.Context, texts []string, prefix string) ([][]float32, error) {
	seqs, err := m.tokenize(texts, prefix)
	if err != nil {
		return nil, err
	}
	return m.EmbedIDs(ctx, seqs)
}

// embedBatch writes the embeddings of seqs into dst.
func (m *Model) embedBatch(ex *exec, dst []float32, seqs [][]int32) error {
	b, err := m.pack(seqs)
	if err != nil {
		return err
	}
	out := m.values(ex, b, passDropout{})
	copy(dst, out)
	return nil
}

// HiddenStates returns the last hidden states of a transformer for
// token-id sequences: for each sequence, one row of HiddenSize values per
// token. It returns an error for a static model.
func (m *Model) HiddenStates(seqs [][]int32) ([][][]float32, error) {
	if m.tr == nil {
		return nil, errors.New("model: a static model has no hidden states")
	}
	if len(seqs) == 0 {
		return nil, nil
	}
	b, err := m.tr.pack(seqs)
	if err != nil {
		return nil, err
	}
	ex := newExec(m.opts.Workers)
	defer ex.close()
	x, _ := m.tr.forward(b, false, passDropout{}, ex)
	defer putF32(x)
	h := m.tr.cfg.HiddenSize
	res := make([][][]float32, len(seqs))
	for s := range seqs {
		lo, hi := b.offs[s], b.offs[s+1]
		flat := append([]float32(nil), x[lo*h:hi*h]...)
		res[s] = make([][]float32, hi-lo)
		for r := range res[s] {
			res[s][r] = flat[r*h : (r+1)*h : (r+1)*h]
		}
	}
	return res, nil
}

// A Role is a view of a Model that prepends a prefix ("Query: ",
// "Passage: ") to every text. It shares the model's parameters and
// dropout state.
type Role struct {
	m      *Model
	prefix string
}

// Queries returns the view that prefixes texts with Options.QueryPrefix
// (by default "Query: ").
func (m *Model) Queries() Role { return Role{m, m.prefix(m.opts.QueryPrefix, "Query: ")} }

// Passages returns the view that prefixes texts with Options.PassagePrefix
// (by default "Passage: ").
func (m *Model) Passages() Role { return Role{m, m.prefix(m.opts.PassagePrefix, "Passage: ")} }

// prefix returns set, or the paper's prefix if set is empty and
// Options.Prefixes is not Off.
func (m *Model) prefix(set, paper string) string {
	if set == "" && m.opts.Prefixes.or(true) {
		return paper
	}
	return set
}

// Prefix returns the text the view prepends, possibly "".
func (r Role) Prefix() string { return r.prefix }

// Encode is Model.Encode with the prefix prepended to each text. It
// implements loss.Encoder.
func (r Role) Encode(texts []string) (mat.Tensor, error) {
	seqs, err := r.m.tokenize(texts, r.prefix)
	if err != nil {
		return nil, err
	}
	return r.m.EncodeIDs(seqs)
}

// EncodeValues is Model.EncodeValues with the prefix prepended to each
// text.
func (r Role) EncodeValues(texts []string) (mat.Tensor, error) {
	seqs, err := r.m.tokenize(texts, r.prefix)
	if err != nil {
		return nil, err
	}
	return r.m.encodeValues(seqs)
}

// EncodeAll is Model.EncodeAll with the prefix prepended to each text.
func (r Role) EncodeAll(ctx context.Context, texts []string) ([][]float32, error) {
	return r.m.encodeAll(ctx, texts, r.prefix)
}

// SeedDropout calls the model's SeedDropout. It implements
// loss.DropoutSeeder.
func (r Role) SeedDropout(seed uint64) { r.m.SeedDropout(seed) }
