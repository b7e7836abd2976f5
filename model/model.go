package model

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"

	"github.com/polyret/polyret/model/checkpoint"
	"github.com/polyret/polyret/model/tokenizer"
)

// A Model is a sentence encoder: a transformer (BERT, LaBSE, RoBERTa,
// XLM-R) or a static embedding table (model2vec), followed by pooling, an
// optional dense layer and optional L2 normalisation.
//
// Encode and EncodeIDs build training graphs (spago nodes) whose backward
// pass accumulates into Params; EncodeValues, EncodeAll and EmbedIDs
// compute embeddings without a graph. Encoding methods may be called concurrently with each
// other; backward passes of different graphs are serialised; optimizer
// steps, Save and SetTraining must not overlap with them.
type Model struct {
	tr   *transformer // nil for a static model
	st   *staticBody  // nil for a transformer
	hd   head
	tok  *tokenizer.Tokenizer // nil when the directory has no tokenizer
	opts Options

	maxLen int      // longest token sequence, special tokens included
	params []*Param // every trainable parameter, in checkpoint order

	src *source // where the model was loaded from, for Save

	anchor *mat.Dense[float32] // leaf operand that makes graphs require gradients
	bwdMu  sync.Mutex          // serialises backward passes

	dropMu    sync.Mutex
	dropSeed  uint64
	dropCalls uint64
	training  atomic.Bool
}

// Options configures a Model. The zero value selects every default.
type Options struct {
	// Pooling overrides the pooling of the directory (sentence-transformers
	// 1_Pooling/config.json). 0 means the directory's, or PoolMean when it
	// has none (sentence-transformers' default for a plain Hugging Face
	// model). Static models always pool by mean.
	Pooling PoolingMode

	// Normalize overrides whether embeddings are L2-normalised. Default
	// means what the directory says (a sentence-transformers Normalize
	// module, model2vec's "normalize"), else no normalisation.
	Normalize Toggle

	// MaxLength caps the tokens per text, special tokens included; longer
	// texts are truncated. 0 means sentence_bert_config.json's
	// max_seq_length, else the model's position limit (512 for BERT and
	// XLM-R base), or 512 for static models.
	MaxLength int

	// QueryPrefix and PassagePrefix are prepended to texts by the views
	// returned by Queries and Passages. "" means the paper's "Query: " and
	// "Passage: ", or no prefix when Prefixes is Off.
	QueryPrefix, PassagePrefix string

	// Prefixes decides what an empty QueryPrefix or PassagePrefix means:
	// Default and On, the paper's prefixes; Off, none. Prefixes: Off alone
	// turns the prefixes off (LaBSE and XLM-R as released were trained
	// without); with QueryPrefix set as well, only queries are prefixed
	// (as BGE's query instruction).
	Prefixes Toggle

	// Dropout is the dropout probability of training passes (Encode and
	// EncodeIDs while training is on). 0 means the config's
	// hidden_dropout_prob and attention_probs_dropout_prob; a negative
	// value disables dropout.
	Dropout float64

	// Workers bounds the goroutines of one pass; 0 means GOMAXPROCS.
	Workers int

	// BatchSize is the number of texts per batch in EncodeAll; 0 means 32.
	BatchSize int

	// Seed seeds dropout (until SeedDropout) and NewRandom's weights.
	Seed uint64

	// Recorder receives the progress of EncodeAll ("encode", texts done,
	// total). nil means none.
	Recorder Recorder
}

// check panics if o holds a value out of range.
func (o Options) check() {
	switch {
	case o.Pooling > PoolPooler:
		panic("model: unknown Options.Pooling")
	case o.Normalize > Off:
		panic("model: unknown Options.Normalize")
	case o.Prefixes > Off:
		panic("model: unknown Options.Prefixes")
	case !(o.Dropout < 1):
		panic("model: Options.Dropout must be below 1")
	case o.MaxLength < 0 || o.Workers < 0 || o.BatchSize < 0:
		panic("model: negative Options.MaxLength, Workers or BatchSize")
	}
}

// A Toggle is a three-way switch: the default, on or off.
type Toggle uint8

// Toggle values.
const (
	Default Toggle = iota // decided by the model directory
	On
	Off
)

// or returns def for Default, else whether t is On.
func (t Toggle) or(def bool) bool {
	if t == Default {
		return def
	}
	return t == On
}

// A Recorder receives progress. It must not retain or modify anything. An
// error it returns stops the work and is returned wrapped.
type Recorder interface {
	Record(stage string, done, total int) error
}

// ErrModel is wrapped by the errors about model directories and checkpoint
// contents that do not match the configuration.
var ErrModel = errors.New("invalid model")

// NewRandom returns a transformer encoder with the architecture cfg and
// random weights (normal with standard deviation 0.02, zero biases, unit
// LayerNorm weights; no pooler, no dense layer), seeded by opts.Seed. It has
// no tokenizer: use EncodeIDs and EmbedIDs. It returns an error wrapping
// ErrConfig if cfg is invalid, and panics if opts holds a value out of
// range.
func NewRandom(cfg Config, opts Options) (*Model, error) {
	opts.check()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.raw = nil
	tr := newTransformer(cfg, "", true)
	tr.initRandom(rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15)))
	m := &Model{tr: tr, opts: opts}
	m.hd.pooling = opts.Pooling
	if m.hd.pooling == 0 {
		m.hd.pooling = PoolMean
	}
	if m.hd.pooling == PoolPooler {
		return nil, fmt.Errorf("%w: a random model has no pooler", ErrModel)
	}
	m.hd.normalize = opts.Normalize.or(false)
	m.maxLen = cfg.MaxLength()
	if opts.MaxLength > 0 {
		m.maxLen = min(m.maxLen, opts.MaxLength)
	}
	m.finish()
	return m, nil
}

// finish sets the derived fields once the parts are in place.
func (m *Model) finish() {
	m.params = nil
	if m.tr != nil {
		m.params = append(m.params, m.tr.params()...)
	} else {
		m.params = append(m.params, m.st.emb)
	}
	m.params = append(m.params, m.hd.params()...)
	m.anchor = mat.NewDense[float32](mat.WithShape(1, 1), mat.WithGrad(true))
	m.dropSeed = m.opts.Seed
}

// Params returns the model's parameters in checkpoint order. The slice is
// shared; do not modify it. Its capacity is its length, so appending to it
// (append(m.Params(), model.SpagoParam(...))) makes a new slice.
func (m *Model) Params() []*Param { return m.params[:len(m.params):len(m.params)] }

// Config returns the transformer configuration, or the zero Config for a
// static model.
func (m *Model) Config() Config {
	if m.tr == nil {
		return Config{}
	}
	return m.tr.cfg
}

// Dim returns the width of the embeddings.
func (m *Model) Dim() int { return m.hd.dim(m.hiddenSize()) }

// Pooling returns the pooling mode in use.
func (m *Model) Pooling() PoolingMode { return m.hd.pooling }

// Tokenizer returns the model's tokenizer, or nil if it has none.
func (m *Model) Tokenizer() *tokenizer.Tokenizer { return m.tok }

// MaxLength returns the most tokens per text, special tokens included.
func (m *Model) MaxLength() int { return m.maxLen }

func (m *Model) hiddenSize() int {
	if m.tr != nil {
		return m.tr.cfg.HiddenSize
	}
	return m.st.dim()
}

// SetTraining turns dropout in Encode and EncodeIDs on or off (off after
// Load and NewRandom, as PyTorch's eval mode). EncodeAll and EmbedIDs never
// use dropout.
func (m *Model) SetTraining(on bool) { m.training.Store(on) }

// SeedDropout makes the dropout masks of the following Encode or EncodeIDs
// calls a function of seed and of the number of calls since: two runs of
// the same calls after the same SeedDropout use the same masks. This is
// how GradCache replays a chunk's forward pass exactly. It implements
// loss.DropoutSeeder.
func (m *Model) SeedDropout(seed uint64) {
	m.dropMu.Lock()
	m.dropSeed, m.dropCalls = seed, 0
	m.dropMu.Unlock()
}

// passDropout returns the dropout of the next training pass.
func (m *Model) passDropout() passDropout {
	if m.tr == nil || !m.training.Load() {
		return passDropout{}
	}
	m.dropMu.Lock()
	m.dropCalls++
	key := mix64(m.dropSeed ^ mix64(m.dropCalls))
	m.dropMu.Unlock()
	hidden, attn := m.tr.dropoutProbs(m.opts.Dropout)
	return passDropout{key: key, hidden: hidden, attn: attn}
}

// pack validates and stacks token sequences.
func (m *Model) pack(seqs [][]int32) (packed, error) {
	if m.tr != nil {
		return m.tr.pack(seqs)
	}
	return m.st.pack(seqs)
}

// Encode tokenizes texts (truncating each to MaxLength tokens) and returns
// their embeddings as an n×Dim spago node whose backward pass accumulates
// the gradients of the model's Params. It implements loss.Encoder. It
// returns an error if the model has no tokenizer or texts is empty.
func (m *Model) Encode(texts []string) (mat.Tensor, error) {
	seqs, err := m.tokenize(texts, "")
	if err != nil {
		return nil, err
	}
	return m.EncodeIDs(seqs)
}

// EncodeIDs is Encode for token-id sequences, special tokens included (at
// most MaxLength ids each, in [0, vocabulary size)). It does not retain
// seqs.
func (m *Model) EncodeIDs(seqs [][]int32) (mat.Tensor, error) {
	if len(seqs) == 0 {
		return nil, errors.New("model: no sequences to encode")
	}
	b, err := m.pack(seqs)
	if err != nil {
		return nil, err
	}
	fn := &encodeFn{m: m, b: b}
	h := m.hiddenSize()
	ex := newExec(m.opts.Workers)
	defer ex.close()
	var x []float32
	if m.tr != nil {
		x, fn.body = m.tr.forward(b, true, m.passDropout(), ex)
	} else {
		x = m.st.forward(b)
		defer putF32(x)
	}
	out, tp := m.hd.forward(ex, x, b.offs, h, true)
	fn.head = tp
	fn.out = mat.NewDense[float32](mat.WithShape(len(seqs), len(out)/len(seqs)), mat.WithBacking(out))
	return ag.NewOperator(fn).Run(), nil
}

// EncodeValues returns what Encode returns, the same values with the same
// dropout masks (it advances the dropout call counter as Encode does), but
// as a plain n×Dim matrix without a graph: no activations are kept for a
// backward pass. GradCache's first pass needs no more than this.
func (m *Model) EncodeValues(texts []string) (mat.Tensor, error) {
	seqs, err := m.tokenize(texts, "")
	if err != nil {
		return nil, err
	}
	return m.encodeValues(seqs)
}

func (m *Model) encodeValues(seqs [][]int32) (mat.Tensor, error) {
	if len(seqs) == 0 {
		return nil, errors.New("model: no sequences to encode")
	}
	b, err := m.pack(seqs)
	if err != nil {
		return nil, err
	}
	ex := newExec(m.opts.Workers)
	defer ex.close()
	out := m.values(ex, b, m.passDropout())
	return mat.NewDense[float32](mat.WithShape(len(seqs), len(out)/len(seqs)), mat.WithBacking(out)), nil
}

// values runs a pass without graph over b and returns the embeddings.
func (m *Model) values(ex *exec, b packed, drop passDropout) []float32 {
	var x []float32
	if m.tr != nil {
		x, _ = m.tr.forward(b, false, drop, ex)
	} else {
		x = m.st.forward(b)
	}
	out, _ := m.hd.forward(ex, x, b.offs, m.hiddenSize(), false)
	putF32(x)
	return out
}

// encodeFn is the spago function of one EncodeIDs call: the whole encoder
// is one graph node, whose Backward runs the hand-written backward passes.
type encodeFn struct {
	m    *Model
	b    packed
	body *bodyTape
	head *headTape
	out  *mat.Dense[float32]
	done atomic.Bool
}

// Forward returns the embeddings, computed when the node was built.
func (f *encodeFn) Forward() (mat.Tensor, error) { return f.out, nil }

// Operands returns the model's anchor: a leaf that requires gradients, so
// that spago runs Backward. The parameters are not spago nodes.
func (f *encodeFn) Operands() []mat.Tensor { return []mat.Tensor{f.m.anchor} }

// Backward runs the hand-written backward passes of the head and the body
// and adds the parameter gradients, holding the model's backward lock.
func (f *encodeFn) Backward(gy mat.Tensor) error {
	if f.done.Swap(true) {
		panic("model: second backward pass through one encoding; encode again for another pass")
	}
	m := f.m
	g := gy.Value().Data().F32()
	if len(g) != f.out.Size() {
		return fmt.Errorf("model: output gradient has %d elements, want %d", len(g), f.out.Size())
	}
	m.bwdMu.Lock()
	defer m.bwdMu.Unlock()
	h := m.hiddenSize()
	ex := newExec(m.opts.Workers)
	defer ex.close()
	dx := m.hd.backward(ex, f.head, g, h)
	if m.tr != nil {
		m.tr.backward(f.body, dx, ex)
	} else {
		m.st.backward(f.b, dx)
	}
	putF32(dx)
	f.body, f.head = nil, nil
	return nil
}

// checkpointTensors returns the model's tensors under their checkpoint
// names, sharing memory with the parameters.
func (m *Model) checkpointTensors() map[string]checkpoint.Tensor {
	ts := make(map[string]checkpoint.Tensor, len(m.params))
	for _, p := range m.params {
		ts[p.Name] = checkpoint.FromFloat32(p.Shape, p.Value)
	}
	return ts
}
