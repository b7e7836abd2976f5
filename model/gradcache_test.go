package model_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nlpodyssey/spago/mat"

	"github.com/polyret/polyret/loss"
	"github.com/polyret/polyret/model"
)

// The encoders are loss.ValueEncoders: GradCache's first pass builds no
// graph through them.
var (
	_ loss.ValueEncoder  = (*model.Model)(nil)
	_ loss.ValueEncoder  = model.Role{}
	_ loss.DropoutSeeder = model.Role{}
)

// graphOnly hides a Role's EncodeValues, so that GradCache's first pass
// builds and drops Encode graphs, as it did before ValueEncoder.
type graphOnly struct{ r model.Role }

func (g graphOnly) Encode(texts []string) (mat.Tensor, error) { return g.r.Encode(texts) }
func (g graphOnly) SeedDropout(seed uint64)                   { g.r.SeedDropout(seed) }

// gradCacheFor returns a GradCache over m's query and passage views,
// hiding EncodeValues if graph is set.
func gradCacheFor(m *model.Model, graph bool, chunk int, cfg loss.Config) *loss.GradCache {
	gc := &loss.GradCache{Encoder: m.Queries(), PassageEncoder: m.Passages(), ChunkSize: chunk, Seed: 11, Loss: cfg}
	if graph {
		gc.Encoder, gc.PassageEncoder = graphOnly{m.Queries()}, graphOnly{m.Passages()}
	}
	return gc
}

// TestGradCacheEncodeValues trains two copies of the tiny BERT, in
// training mode (dropout 0.1, replayed by seed), for 3 GradCache + AdamW
// steps: one whose first pass uses EncodeValues, one whose first pass
// builds and drops graphs. Losses, every parameter gradient of every step
// and the final weights are bit-identical.
func TestGradCacheEncodeValues(t *testing.T) {
	ctx := context.Background()
	var models [2]*model.Model
	var gcs [2]*loss.GradCache
	var opts [2]*model.AdamW
	for i, graph := range []bool{false, true} {
		models[i] = tinyBert(t)
		models[i].SetTraining(true)
		gcs[i] = gradCacheFor(models[i], graph, 2, loss.Config{Symmetric: true})
		opts[i] = model.NewAdamW(models[i].Params(), model.AdamWConfig{LR: 1e-3})
	}
	for step := range 3 {
		var losses [2]float64
		var grads [2][][]float32
		for i := range models {
			var err error
			if losses[i], err = gcs[i].Backward(ctx, tinyBatch); err != nil {
				t.Fatal(err)
			}
			grads[i] = gradsCopy(models[i].Params())
			if _, err := opts[i].Step(); err != nil {
				t.Fatal(err)
			}
		}
		if math.Float64bits(losses[0]) != math.Float64bits(losses[1]) {
			t.Fatalf("step %d: loss %.17g with EncodeValues, %.17g without", step+1, losses[0], losses[1])
		}
		for k, p := range models[0].Params() {
			if (grads[0][k] == nil) != (grads[1][k] == nil) {
				t.Fatalf("step %d: %s: gradient presence differs", step+1, p.Name)
			}
			for j := range grads[0][k] {
				if math.Float32bits(grads[0][k][j]) != math.Float32bits(grads[1][k][j]) {
					t.Fatalf("step %d: %s[%d] = %v with EncodeValues, %v without", step+1, p.Name, j, grads[0][k][j], grads[1][k][j])
				}
			}
		}
	}
	for k, p := range models[0].Params() {
		for j, v := range p.Value {
			if math.Float32bits(v) != math.Float32bits(models[1].Params()[k].Value[j]) {
				t.Fatalf("%s[%d] differs after training", p.Name, j)
			}
		}
	}
}

// BenchmarkGradCacheFirstPassBase measures GradCache's first pass (values
// of 16 queries and 16 passages of 128 tokens, in chunks of 16) on a
// BERT-base-shaped random model, with EncodeValues ("values") and with
// Encode graphs dropped after use ("graph"), and the whole Backward
// ("step/…": both passes, no optimizer). Metrics: time per op, allocated
// bytes (B/op), base-heap-MB (heap objects after a collection before an
// op: the model, its gradients, pooled buffers), peak-heap-MB (the largest
// heap of live and not yet collected objects during an op, sampled every
// 2 ms), the process's peak-RSS-MB, GC cycles and CPU seconds (user +
// system, the whole process) per op; peak-RSS-MB counts from after the
// warm-up op. It first writes a 440 MB checkpoint
// to a temporary directory. Run one sub-benchmark per process, so that
// peak-RSS-MB is its own:
//
//	go test -c -o model.test ./model && cd model
//	../model.test -test.run XXX -test.bench 'GradCacheFirstPassBase/firstpass/values$' -test.benchtime 3x -test.cpu 2
func BenchmarkGradCacheFirstPassBase(b *testing.B) {
	m, texts := benchBaseModel(b)
	batch := loss.TextBatch{Queries: texts[:16], Positives: texts[16:32]}
	errStop := errors.New("stop after the first pass")
	for _, firstOnly := range []bool{true, false} {
		for _, graph := range []bool{false, true} {
			name := map[bool]string{true: "firstpass/", false: "step/"}[firstOnly] + map[bool]string{false: "values", true: "graph"}[graph]
			b.Run(name, func(b *testing.B) {
				gc := gradCacheFor(m, graph, 16, loss.Config{})
				if firstOnly {
					gc.Recorder = recorderFunc(func(stage string, done, total int) error {
						if stage == "encode" && done == total {
							return errStop
						}
						return nil
					})
				}
				run := func() {
					if _, err := gc.Backward(context.Background(), batch); err != nil && !errors.Is(err, errStop) {
						b.Fatal(err)
					}
					for _, p := range m.Params() {
						p.ZeroGrad()
					}
				}
				run() // warm-up: gradient arrays and buffer pools
				debug.FreeOSMemory()
				resetPeakRSS()
				b.ReportAllocs()
				var peak, base, gcs uint64
				var cpu float64
				for b.Loop() {
					b.StopTimer()
					runtime.GC()
					cycles, cpu0 := gcCycles(), processCPU()
					base = max(base, heapObjects())
					stop := sampleHeap(&peak)
					b.StartTimer()
					run()
					b.StopTimer()
					stop()
					gcs += gcCycles() - cycles
					cpu += processCPU() - cpu0
					b.StartTimer()
				}
				b.ReportMetric(float64(base)/1e6, "base-heap-MB")
				b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
				if rss := peakRSS(); rss > 0 {
					b.ReportMetric(rss, "peak-RSS-MB")
				}
				b.ReportMetric(float64(gcs)/float64(b.N), "gc/op")
				b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
			})
		}
	}
}

type recorderFunc func(stage string, done, total int) error

func (f recorderFunc) Record(stage string, done, total int) error { return f(stage, done, total) }

func readMetric(name string) metrics.Value {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value
}

func heapObjects() uint64 { return readMetric("/memory/classes/heap/objects:bytes").Uint64() }
func gcCycles() uint64    { return readMetric("/gc/cycles/total:gc-cycles").Uint64() }

// processCPU returns the user and system CPU seconds of the process.
func processCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// sampleHeap records in *peak the largest heap until the returned function
// is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	sample := func() { *peak = max(*peak, heapObjects()) }
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				sample()
				return
			case <-tick.C:
				sample()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// peakRSS returns the process's peak resident set size (VmHWM) in MB, or 0
// if /proc does not tell.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			if _, err := fmt.Sscan(rest, &kb); err == nil {
				return kb / 1e3
			}
		}
	}
	return 0
}

// resetPeakRSS resets VmHWM to the current RSS (Linux), so that peakRSS
// covers what follows, not the model's construction.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// benchBaseModel returns a BERT-base-shaped random model (vocabulary
// 30000, hidden 768, 12 layers, 12 heads, intermediate 3072, mean pooling)
// with the tiny BERT's WordPiece tokenizer and texts of at least 128
// tokens, truncated to 128.
func benchBaseModel(b *testing.B) (*model.Model, []string) {
	cfg := model.Config{ModelType: "bert", VocabSize: 30000, HiddenSize: 768, NumLayers: 12, NumHeads: 12,
		IntermediateSize: 3072, MaxPositions: 512, TypeVocabSize: 2, LayerNormEps: 1e-12}
	r, err := model.NewRandom(cfg, model.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "base")
	if err := r.Save(dir); err != nil {
		b.Fatal(err)
	}
	r = nil
	src := filepath.Join("testdata", "tiny-bert")
	for _, name := range []string{"vocab.txt", "tokenizer_config.json", "special_tokens_map.json"} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	m, err := model.Load(context.Background(), dir, model.Options{Pooling: model.PoolMean, MaxLength: 128})
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(filepath.Join(src, "vocab.txt"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var words []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if w := sc.Text(); !strings.HasPrefix(w, "[") && !strings.HasPrefix(w, "##") {
			words = append(words, w)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	texts := make([]string, 32)
	for i := range texts {
		ws := make([]string, 160)
		for j := range ws {
			ws[j] = words[rng.IntN(len(words))]
		}
		texts[i] = strings.Join(ws, " ")
	}
	ids, err := m.Tokenize(texts)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range ids {
		if len(s) != 128 {
			b.Fatalf("a text has %d tokens, want 128", len(s))
		}
	}
	return m, texts
}
