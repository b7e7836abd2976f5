package model

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nlpodyssey/spago/ag"

	"github.com/polyret/polyret/loss"
)

// Benchmarks of the presets of ../shared/bench/torch_bench.py (batch 16,
// random weights, every sequence at full length, mean pooling): the
// forward pass (no graph), and one training step (16 queries + 16
// passages, L2 normalisation and in-batch InfoNCE with τ = 0.05 averaged
// over the batch by loss.InfoNCE, backward, AdamW), after one untimed
// warm-up pass or step. Run
// with -cpu 1,2 for 1 and 2 threads, and
// one benchmark per process for the peak-RSS-MB metric:
//
//	go test -run XXX -bench '^BenchmarkTrainStepBase$' -cpu 2 -benchtime 5x ./model/

type benchPreset struct {
	vocab, hidden, layers, heads, inter, seqLen, batch int
}

var benchPresets = map[string]benchPreset{
	"tiny":  {1000, 64, 2, 4, 128, 32, 16},
	"small": {30000, 384, 6, 12, 1536, 64, 16},
	"base":  {30000, 768, 12, 12, 3072, 128, 16},
}

func benchModel(b *testing.B, name string) (*Model, benchPreset) {
	p := benchPresets[name]
	cfg := Config{
		ModelType: "bert", VocabSize: p.vocab, HiddenSize: p.hidden, NumLayers: p.layers,
		NumHeads: p.heads, IntermediateSize: p.inter, MaxPositions: max(512, p.seqLen),
		TypeVocabSize: 2, LayerNormEps: 1e-12,
	}
	m, err := NewRandom(cfg, Options{Pooling: PoolMean, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return m, p
}

func randomSeqs(rng *rand.Rand, p benchPreset) [][]int32 {
	seqs := make([][]int32, p.batch)
	for i := range seqs {
		seqs[i] = make([]int32, p.seqLen)
		for j := range seqs[i] {
			seqs[i][j] = int32(rng.IntN(p.vocab))
		}
	}
	return seqs
}

// forwardFlops is torch_bench.py's forward_flops: matrix products only.
func forwardFlops(p benchPreset) float64 {
	t := float64(p.batch * p.seqLen)
	h, in := float64(p.hidden), float64(p.inter)
	lin := 2 * t * (4*h*h + 2*h*in)
	attn := 2 * 2 * float64(p.batch) * float64(p.seqLen) * float64(p.seqLen) * h
	return float64(p.layers) * (lin + attn)
}

func benchmarkForward(b *testing.B, preset string) {
	m, p := benchModel(b, preset)
	seqs := randomSeqs(rand.New(rand.NewPCG(1, 2)), p)
	ctx := context.Background()
	// One untimed pass first, as torch_bench.py's warm-up: it fills the
	// buffer pools.
	if _, err := m.EmbedIDs(ctx, seqs); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var cpu0 float64
	for i := 0; b.Loop(); i++ {
		if i == 0 {
			cpu0 = cpuSeconds()
		}
		if _, err := m.EmbedIDs(ctx, seqs); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
	b.ReportMetric(forwardFlops(p)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	reportPeakRSS(b)
}

// benchLoss is torch_bench.py's loss: mean-pooled embeddings
// L2-normalised (F.normalize, norms clamped at 1e-12), logits q·pᵀ/τ with
// τ = 0.05, cross-entropy against the diagonal, averaged over the batch.
// loss.InfoNCE computes exactly that on the model's unnormalised outputs:
// cosine similarity, in-batch positives as the negatives, mean.
var benchLoss = loss.Config{Similarity: loss.Cosine, Temperature: 0.05, InBatch: loss.InBatchAll, Reduction: loss.Mean}

// TestBenchLoss checks that benchLoss is torch_bench.py's loss, computed
// here in float64 from the embeddings of the tiny preset.
func TestBenchLoss(t *testing.T) {
	p := benchPresets["tiny"]
	m, err := NewRandom(Config{ModelType: "bert", VocabSize: p.vocab, HiddenSize: p.hidden, NumLayers: p.layers,
		NumHeads: p.heads, IntermediateSize: p.inter, MaxPositions: 512, TypeVocabSize: 2, LayerNormEps: 1e-12},
		Options{Pooling: PoolMean, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	q, err := m.EncodeIDs(randomSeqs(rng, p))
	if err != nil {
		t.Fatal(err)
	}
	pn, err := m.EncodeIDs(randomSeqs(rng, p))
	if err != nil {
		t.Fatal(err)
	}
	l, err := loss.InfoNCE(loss.Batch{Queries: q, Positives: pn}, benchLoss)
	if err != nil {
		t.Fatal(err)
	}
	normalize := func(x [][]float64) {
		for _, r := range x {
			var ss float64
			for _, v := range r {
				ss += v * v
			}
			for k := range r {
				r[k] /= max(math.Sqrt(ss), 1e-12)
			}
		}
	}
	qr, pr := nodeRows(q), nodeRows(pn)
	normalize(qr)
	normalize(pr)
	var want float64
	for i := range qr {
		logits := make([]float64, len(pr))
		for j := range pr {
			for k := range qr[i] {
				logits[j] += qr[i][k] * pr[j][k] / 0.05
			}
		}
		mx := slices.Max(logits)
		var z float64
		for _, x := range logits {
			z += math.Exp(x - mx)
		}
		want += (mx + math.Log(z) - logits[i]) / float64(len(qr))
	}
	if got := l.Value().Item().F64(); math.Abs(got-want) > 1e-5*want {
		t.Errorf("benchmark loss %v, torch_bench.py's %v", got, want)
	}
}

func benchmarkTrainStep(b *testing.B, preset string) {
	m, p := benchModel(b, preset) // mean pooling, no normalisation
	rng := rand.New(rand.NewPCG(3, 4))
	qs, ps := randomSeqs(rng, p), randomSeqs(rng, p)
	opt := NewAdamW(m.Params(), AdamWConfig{LR: 2e-5, WeightDecay: 0.01})
	step := func() {
		q, err := m.EncodeIDs(qs)
		if err != nil {
			b.Fatal(err)
		}
		pn, err := m.EncodeIDs(ps)
		if err != nil {
			b.Fatal(err)
		}
		l, err := loss.InfoNCE(loss.Batch{Queries: q, Positives: pn}, benchLoss)
		if err != nil {
			b.Fatal(err)
		}
		if err := ag.Backward(l); err != nil {
			b.Fatal(err)
		}
		if _, err := opt.Step(); err != nil {
			b.Fatal(err)
		}
	}
	// One untimed step first, as torch_bench.py's warm-up: it allocates the
	// gradients and the optimizer state and fills the buffer pools.
	step()
	b.ReportAllocs()
	var cpu0 float64
	for i := 0; b.Loop(); i++ {
		if i == 0 {
			cpu0 = cpuSeconds()
		}
		step()
	}
	reportCPU(b, cpu0)
	b.ReportMetric(3*2*forwardFlops(p)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	reportPeakRSS(b)
}

// cpuSeconds returns the user+system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// reportCPU reports the process's CPU seconds per iteration since start: on
// a shared machine this is steadier than the elapsed time (with one thread
// they agree on an idle machine).
func reportCPU(b *testing.B, start float64) {
	b.ReportMetric((cpuSeconds()-start)/float64(b.N), "cpu-s/op")
}

// reportPeakRSS reports the process's peak resident set size (VmHWM, the
// figure /usr/bin/time calls maximum resident set size). It covers the
// whole process, so run one benchmark per process to compare it.
func reportPeakRSS(b *testing.B) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			if kb, err := strconv.Atoi(f[1]); err == nil {
				b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
			}
		}
	}
}

func BenchmarkForwardTiny(b *testing.B)    { benchmarkForward(b, "tiny") }
func BenchmarkForwardSmall(b *testing.B)   { benchmarkForward(b, "small") }
func BenchmarkForwardBase(b *testing.B)    { benchmarkForward(b, "base") }
func BenchmarkTrainStepTiny(b *testing.B)  { benchmarkTrainStep(b, "tiny") }
func BenchmarkTrainStepSmall(b *testing.B) { benchmarkTrainStep(b, "small") }
func BenchmarkTrainStepBase(b *testing.B)  { benchmarkTrainStep(b, "base") }
