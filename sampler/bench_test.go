package sampler_test

import (
	"sync"
	"testing"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/sampler"
)

var xquadLangs = langs("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")

// benchData is XQuAD-R-like (11 languages, every tuple complete, 4 hard
// negatives each), an MLQA-like partial set and an English-only set.
var benchData = sync.OnceValue(func() []datasets.Dataset {
	return []datasets.Dataset{
		parallelData("parallel", 20_000, xquadLangs, 4),
		partialData("partial", 20_000, xquadLangs[:7], 9),
		parallelData("english", 20_000, langs("en"), 1),
	}
})

// benchmarkNext measures Next, reporting items per second (batch assembly
// only: no tokenization). The items are those Next returns, so a sharded
// sampler's count is its rank's share while it builds the whole batch.
func benchmarkNext(b *testing.B, data []datasets.Dataset, cfg sampler.Config) {
	s, err := sampler.NewHybrid(data, cfg)
	if err != nil {
		b.Fatal(err)
	}
	items := 0
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		batch, err := s.Next()
		if err != nil {
			b.Fatal(err)
		}
		items += batch.Len()
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
	// On a shared machine the CPU time is the steadier figure; it is the
	// process's, so run with GOMAXPROCS=1 (-cpu 1).
	if cpu := cpuTime() - cpu; cpu > 0 {
		b.ReportMetric(float64(items)/cpu.Seconds(), "items/cpu-s")
	}
}

func BenchmarkNextHybrid(b *testing.B) {
	benchmarkNext(b, benchData()[:1], sampler.Config{})
}

func BenchmarkNextXXMono(b *testing.B) {
	benchmarkNext(b, benchData()[:1], sampler.Config{Strategy: sampler.XXMono})
}

func BenchmarkNextXYPairPerBatch(b *testing.B) {
	benchmarkNext(b, benchData()[:1], sampler.Config{Strategy: sampler.XY, PairPerBatch: true})
}

func BenchmarkNextXX(b *testing.B) {
	benchmarkNext(b, benchData()[:1], sampler.Config{Strategy: sampler.XX})
}

func BenchmarkNextOneNegative(b *testing.B) {
	benchmarkNext(b, benchData()[:1], sampler.Config{Negatives: 1})
}

func BenchmarkNextPartial(b *testing.B) {
	benchmarkNext(b, benchData()[1:2], sampler.Config{})
}

func BenchmarkNextThreeDatasets(b *testing.B) {
	benchmarkNext(b, benchData(), sampler.Config{})
}

func BenchmarkNextMixDatasets(b *testing.B) {
	benchmarkNext(b, benchData(), sampler.Config{MixDatasets: true})
}

func BenchmarkNextSharded(b *testing.B) {
	benchmarkNext(b, benchData()[:1], sampler.Config{Rank: 3, WorldSize: 4})
}

func BenchmarkMarshalBinary(b *testing.B) {
	s, err := sampler.NewHybrid(benchData(), sampler.Config{})
	if err != nil {
		b.Fatal(err)
	}
	for range 1000 {
		s.Next()
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewHybrid(b *testing.B) {
	data := benchData()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sampler.NewHybrid(data, sampler.Config{}); err != nil {
			b.Fatal(err)
		}
	}
}
