package loss

import (
	"context"
	"fmt"
	"math"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"
)

// An Encoder embeds texts. Encode returns an n×d spago node, n = len(texts),
// whose gradients reach the encoder's parameters (ag.Backward from it
// accumulates their gradients). Every call must return the same d and
// element type. Encode need not be safe for concurrent use; GradCache calls
// it from one goroutine.
type Encoder interface {
	Encode(texts []string) (mat.Tensor, error)
}

// A DropoutSeeder is an Encoder whose dropout masks are a function of a seed.
// GradCache calls SeedDropout with the same seed before the first (values
// only) and the second (with graph) encoding of a chunk, so both passes
// draw the same masks and the cached gradients match the re-encoded graph.
type DropoutSeeder interface {
	SeedDropout(seed uint64)
}

// A ValueEncoder is an Encoder that can also compute its embeddings without
// a graph (an optional interface, found by type assertion). After the same
// SeedDropout, EncodeValues(texts) must return the values Encode(texts)
// would (same dropout masks, same element type), as an n×d matrix whose
// backward pass is never run, typically a *mat.Dense.
// GradCache's first pass only needs the values, so it calls EncodeValues
// when the encoder implements it: this saves building the graph, and the
// activations it would keep for a backward pass that never comes.
type ValueEncoder interface {
	EncodeValues(texts []string) (mat.Tensor, error)
}

// A Recorder receives progress: stage, chunks done, chunks in all. It must not
// retain or modify anything; a non-nil error stops the work and is returned
// wrapped.
type Recorder interface {
	Record(stage string, done, total int) error
}

// TextBatch is one batch of texts, in the layout of Batch.
type TextBatch struct {
	// Queries and Positives have length B; Positives[i] answers Queries[i].
	Queries, Positives []string
	// Negatives are the hard negatives of the batch; may be empty.
	Negatives []string
	// NegativeOf and Groups are as in Batch.
	NegativeOf []int
	Groups     []string
}

// DefaultChunkSize is the number of texts GradCache encodes at once when
// ChunkSize is zero.
const DefaultChunkSize = 32

// GradCache computes InfoNCE and its parameter gradients for a batch too large
// to encode with graphs at once (Gao et al., "Scaling Deep Contrastive Learning
// Batch Size under Memory Limited Setup", 2021). It encodes all texts in
// chunks keeping only the embeddings, computes the loss and its gradient with
// respect to every embedding, then re-encodes chunk by chunk with graphs and
// backpropagates the cached gradients. Only one chunk's graph is alive at a
// time; the parameter gradients equal those of backpropagating the whole batch
// (up to rounding) when the encoder is deterministic given the DropoutSeeder
// seed. An encoder with dropout that is not a DropoutSeeder draws different
// masks in the two passes, and the gradients are then only approximate.
// Queries, positives and hard negatives are chunked separately, in that
// order. The first pass calls EncodeValues if the encoder is a
// ValueEncoder; otherwise it builds each chunk's graph with Encode and
// drops it as soon as the values are copied.
//
// A GradCache is not safe for concurrent use: it counts its calls to draw
// fresh dropout seeds.
type GradCache struct {
	// Encoder encodes queries, and passages unless PassageEncoder is set.
	Encoder Encoder
	// PassageEncoder, if not nil, encodes positives and hard negatives.
	PassageEncoder Encoder
	// ChunkSize is the number of texts per Encode call; 0 means
	// DefaultChunkSize.
	ChunkSize int
	// Loss is the InfoNCE configuration.
	Loss Config
	// Seed is mixed with a call counter and the chunk index into the seed
	// passed to DropoutSeeder encoders.
	Seed uint64
	// Recorder, if not nil, receives progress: stage "encode" for the first
	// pass and "backward" for the second, counted in chunks.
	Recorder Recorder

	calls uint64
}

// chunk is a run of texts of one role, encoded by one Encode call.
type chunk struct {
	enc   Encoder
	texts []string
	role  int // 0 queries, 1 positives, 2 hard negatives
	row   int // first row of the chunk in its role's matrix
	seed  uint64
}

// Backward returns the InfoNCE loss of b and adds its gradients to the
// encoders' parameters (and to g.Loss.LogitScale.Param), as ag.Backward on the
// loss of the whole batch would. Zero the gradients before the call as for
// ag.Backward.
//
// It returns an error if ctx is done, an Encoder or the Recorder fails, an
// encoder returns a matrix of the wrong shape or element type, or an
// embedding or the loss is not finite (wrapping ErrNonFinite). After an
// error in the second pass the parameters may hold part of the batch's
// gradients. It panics on the programmer errors of InfoNCE, if Encoder is
// nil or len(b.Positives) != len(b.Queries).
func (g *GradCache) Backward(ctx context.Context, b TextBatch) (float64, error) {
	if g.Encoder == nil {
		panic("loss: GradCache without Encoder")
	}
	if len(b.Positives) != len(b.Queries) {
		panic("loss: len(Positives) != len(Queries)")
	}
	g.Loss.check()
	size := g.ChunkSize
	if size == 0 {
		size = DefaultChunkSize
	}
	if size < 0 {
		panic("loss: negative ChunkSize")
	}
	penc := g.PassageEncoder
	if penc == nil {
		penc = g.Encoder
	}
	g.calls++
	var chunks []chunk
	for role, texts := range [][]string{b.Queries, b.Positives, b.Negatives} {
		enc := penc
		if role == 0 {
			enc = g.Encoder
		}
		for i := 0; i < len(texts); i += size {
			chunks = append(chunks, chunk{enc: enc, texts: texts[i:min(i+size, len(texts))], role: role, row: i,
				seed: mixSeed(g.Seed, g.calls, uint64(len(chunks)))})
		}
	}
	if len(chunks) == 0 {
		panic("loss: no queries")
	}
	first, err := g.encode(ctx, chunks[0], false)
	if err != nil {
		return 0, err
	}
	switch bits := first.Value().Data().BitSize(); bits {
	case 32:
		return gradCache[float32](ctx, g, b, chunks, first)
	case 64:
		return gradCache[float64](ctx, g, b, chunks, first)
	default:
		return 0, fmt.Errorf("loss: encoder returned %d-bit elements", bits)
	}
}

// encode seeds dropout and encodes one chunk, checking the row count. With
// graph false it returns values only, from EncodeValues if the encoder has
// it.
func (g *GradCache) encode(ctx context.Context, c chunk, graph bool) (mat.Tensor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s, ok := c.enc.(DropoutSeeder); ok {
		s.SeedDropout(c.seed)
	}
	var x mat.Tensor
	var err error
	if v, ok := c.enc.(ValueEncoder); ok && !graph {
		x, err = v.EncodeValues(c.texts)
	} else {
		x, err = c.enc.Encode(c.texts)
	}
	if err != nil {
		return nil, fmt.Errorf("loss: encode %s %d–%d: %w", roleNames[c.role], c.row, c.row+len(c.texts)-1, err)
	}
	if s := x.Value().Shape(); len(s) != 2 || s[0] != len(c.texts) {
		return nil, fmt.Errorf("loss: encoder returned shape %v for %d texts", s, len(c.texts))
	}
	return x, nil
}

var roleNames = [3]string{"Queries", "Positives", "Negatives"}

func gradCache[T float.DType](ctx context.Context, g *GradCache, b TextBatch, chunks []chunk, first mat.Tensor) (float64, error) {
	nb, m := len(b.Queries), len(b.Negatives)
	d := first.Value().Shape()[1]
	p := newProblem[T](g.Loss, nb, m, d, b.NegativeOf, b.Groups)
	emb := [3][]T{make([]T, nb*d), make([]T, nb*d), make([]T, m*d)}
	rec := func(stage string, done int) error {
		if g.Recorder == nil {
			return nil
		}
		if err := g.Recorder.Record(stage, done, len(chunks)); err != nil {
			return fmt.Errorf("loss: recorder: %w", err)
		}
		return nil
	}

	// Pass 1: values only (a graph, if any, is garbage once copied).
	for k, c := range chunks {
		x := first
		first = nil
		if k > 0 {
			var err error
			if x, err = g.encode(ctx, c, false); err != nil {
				return 0, err
			}
		}
		if err := copyChunk(emb[c.role][c.row*d:], x, c, d); err != nil {
			return 0, err
		}
		if err := rec("encode", k+1); err != nil {
			return 0, err
		}
	}
	if err := checkFinite(emb[0], emb[1], emb[2], d); err != nil {
		return 0, err
	}
	var theta float64
	if s := g.Loss.LogitScale; s != nil {
		if theta = s.Param.Value().Item().F64(); math.IsNaN(theta) || math.IsInf(theta, 0) {
			return 0, fmt.Errorf("loss: LogitScale.Param is %v: %w", theta, ErrNonFinite)
		}
	}
	loss := p.forward(emb[0], emb[1], emb[2])
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, fmt.Errorf("loss: loss is %v with finite embeddings: %w", loss, ErrNonFinite)
	}
	gq, gpos, gneg, gtheta := p.backward(1)
	grads := [3][]T{gq, gpos, gneg}
	p = nil // release the forward caches before the second pass
	if s := g.Loss.LogitScale; s != nil {
		s.Param.AccGrad(s.Param.Value().(mat.Matrix).NewScalar(gtheta))
	}

	// Pass 2: re-encode with graphs and backpropagate the cached gradients.
	for k, c := range chunks {
		x, err := g.encode(ctx, c, true)
		if err != nil {
			return 0, err
		}
		if s := x.Value().Shape(); s[1] != d || x.Value().Data().BitSize() != bitSize[T]() {
			return 0, fmt.Errorf("loss: re-encoded %s %d–%d changed shape or type", roleNames[c.role], c.row, c.row+len(c.texts)-1)
		}
		n := len(c.texts)
		gx := grads[c.role][c.row*d : (c.row+n)*d] // AccGrad copies it
		x.AccGrad(mat.NewDense[T](mat.WithShape(n, d), mat.WithBacking(gx)))
		if err := ag.Backward(x); err != nil {
			return 0, fmt.Errorf("loss: backward %s %d–%d: %w", roleNames[c.role], c.row, c.row+n-1, err)
		}
		if err := rec("backward", k+1); err != nil {
			return 0, err
		}
	}
	return loss, nil
}

// copyChunk copies the values of x, the embeddings of chunk c, to dst.
func copyChunk[T float.DType](dst []T, x mat.Tensor, c chunk, d int) error {
	v := x.Value()
	if s := v.Shape(); s[1] != d {
		return fmt.Errorf("loss: encoder returned width %d for %s %d, want %d", s[1], roleNames[c.role], c.row, d)
	}
	data := v.Data()
	if data.BitSize() != bitSize[T]() {
		return fmt.Errorf("loss: encoder mixed float32 and float64 outputs")
	}
	copy(dst, float.SliceValueOf[T](data))
	return nil
}

// mixSeed derives a chunk's dropout seed (SplitMix64 finaliser over the
// inputs), so nearby calls and chunks get unrelated seeds.
func mixSeed(seed, call, chunk uint64) uint64 {
	z := seed ^ call*0x9e3779b97f4a7c15 ^ chunk*0xbf58476d1ce4e5b9
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
