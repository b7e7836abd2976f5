package lab

import (
	"context"
	"fmt"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/metrics"
	"github.com/polyret/polyret/model"
)

// A Recorder receives progress; *progress.Progress is one. It is the
// Recorder interface of packages datasets, model, loss and metrics.
type Recorder interface {
	Record(stage string, done, total int) error
}

// encodeChunk is the number of texts per EncodeAll call in Encode: small
// enough for progress to move, large enough to keep the model's workers
// busy.
const encodeChunk = 256

// Encode returns the embeddings of the queries (through m.Queries, so with
// the query prefix) and candidates (m.Passages) of t, keyed by their ids and
// tagged with their languages, ready for package metrics. A candidate's
// title, if any, is prepended to its text with a space. It reports progress
// to rec (nil means none) as stages name+" queries" and name+" passages".
func Encode(ctx context.Context, m *model.Model, t *datasets.Task, name string, rec Recorder) (queries, candidates metrics.Embeddings, err error) {
	qTexts := make([]string, len(t.Queries))
	qe := metrics.Embeddings{Dim: m.Dim(), IDs: make([]string, len(t.Queries)), Langs: make([]string, len(t.Queries))}
	for i, q := range t.Queries {
		qTexts[i], qe.IDs[i], qe.Langs[i] = q.Text, q.ID, string(q.Lang)
	}
	cTexts := make([]string, len(t.Candidates))
	ce := metrics.Embeddings{Dim: m.Dim(), IDs: make([]string, len(t.Candidates)), Langs: make([]string, len(t.Candidates))}
	for i, c := range t.Candidates {
		cTexts[i], ce.IDs[i], ce.Langs[i] = c.Text, c.ID, string(c.Lang)
		if c.Title != "" {
			cTexts[i] = c.Title + " " + c.Text
		}
	}
	if qe.Vectors, err = encodeAll(ctx, m.Queries(), qTexts, m.Dim(), name+" queries", rec); err != nil {
		return qe, ce, err
	}
	if ce.Vectors, err = encodeAll(ctx, m.Passages(), cTexts, m.Dim(), name+" passages", rec); err != nil {
		return qe, ce, err
	}
	return qe, ce, nil
}

// encodeAll encodes texts a chunk at a time into one row-major matrix.
func encodeAll(ctx context.Context, r model.Role, texts []string, dim int, stage string, rec Recorder) ([]float32, error) {
	out := make([]float32, 0, len(texts)*dim)
	for start := 0; start < len(texts); start += encodeChunk {
		if rec != nil {
			if err := rec.Record(stage, start, len(texts)); err != nil {
				return nil, err
			}
		}
		end := min(start+encodeChunk, len(texts))
		emb, err := r.EncodeAll(ctx, texts[start:end])
		if err != nil {
			return nil, fmt.Errorf("encode texts %d..%d: %w", start, end-1, err)
		}
		for _, e := range emb {
			out = append(out, e...)
		}
	}
	if rec != nil {
		if err := rec.Record(stage, len(texts), len(texts)); err != nil {
			return nil, err
		}
	}
	return out, nil
}
