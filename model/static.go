package model

import "fmt"

// staticBody is a model2vec-style static encoder body: each token's state is
// its embedding row (through an optional vocabulary-quantisation mapping)
// times an optional per-token weight. Mean pooling of these states is the
// model2vec embedding.
type staticBody struct {
	emb     *Param    // rows × d
	mapping []int32   // token id → row of emb; nil means the identity
	weights []float32 // per-token-id scale; nil means 1
	vocab   int       // number of token ids
}

func (s *staticBody) dim() int { return s.emb.Shape[1] }

// row returns the embedding row and scale of token id.
func (s *staticBody) row(id int32) (int, float32) {
	r, w := int(id), float32(1)
	if s.mapping != nil {
		r = int(s.mapping[id])
	}
	if s.weights != nil {
		w = s.weights[id]
	}
	return r, w
}

// pack validates seqs and stacks them; empty sequences are allowed (their
// mean-pooled embedding is zero, as in model2vec).
func (s *staticBody) pack(seqs [][]int32) (packed, error) {
	b := packed{offs: make([]int, len(seqs)+1)}
	for i, q := range seqs {
		for j, id := range q {
			if id < 0 || int(id) >= s.vocab {
				return packed{}, fmt.Errorf("model: sequence %d token %d: id %d outside the vocabulary of %d", i, j, id, s.vocab)
			}
		}
		b.ids = append(b.ids, q...)
		b.offs[i+1] = len(b.ids)
	}
	return b, nil
}

// forward returns the token states (rows×d, from the pool).
func (s *staticBody) forward(b packed) []float32 {
	d := s.dim()
	x := getF32(len(b.ids) * d)
	for i, id := range b.ids {
		r, w := s.row(id)
		src, dst := s.emb.Value[r*d:(r+1)*d], x[i*d:(i+1)*d]
		for j, v := range src {
			dst[j] = v * w
		}
	}
	return x
}

// backward scatter-adds dx into the embedding gradient. Callers hold the
// backward lock.
func (s *staticBody) backward(b packed, dx []float32) {
	d := s.dim()
	g := s.emb.grad()
	for i, id := range b.ids {
		r, w := s.row(id)
		dst, src := g[r*d:(r+1)*d], dx[i*d:(i+1)*d]
		for j, v := range src {
			dst[j] += v * w
		}
	}
}
