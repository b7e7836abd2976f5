package tokenizer

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the process's user+system CPU time. The benchmarks
// report tokens per CPU second next to tokens per wall second because the
// development machine is shared: CPU time is what a core actually spent.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// xquadTexts returns the XQuAD-R questions and sentences of the golden
// files (264 texts in 11 languages).
func xquadTexts(b testing.TB) []string {
	var texts []string
	for _, g := range readGoldens(b, "unigram-xlmr.jsonl") {
		if strings.HasPrefix(g.ID, "xquad-r/") {
			texts = append(texts, g.Text)
		}
	}
	return texts
}

func benchmarkAppendIDs(b *testing.B, tok *Tokenizer) {
	texts := xquadTexts(b)
	var ids []int32
	var bytes, tokens int
	for _, s := range texts {
		bytes += len(s)
		tokens += len(tok.AppendIDs(nil, s))
	}
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		for _, s := range texts {
			ids = tok.AppendIDs(ids[:0], s)
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(tokens), "tokens/op")
	b.ReportMetric(float64(tokens)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
	if cpu > 0 {
		b.ReportMetric(float64(tokens)*float64(b.N)/cpu.Seconds(), "tokens/cpu-s")
	}
}

func BenchmarkWordPieceCased(b *testing.B)      { benchmarkAppendIDs(b, mbertCased(b)) }
func BenchmarkWordPieceLowerStrip(b *testing.B) { benchmarkAppendIDs(b, mbertLowerStrip(b)) }
func BenchmarkUnigramXLMR(b *testing.B)         { benchmarkAppendIDs(b, xlmr(b)) }
func BenchmarkUnigramLaser(b *testing.B)        { benchmarkAppendIDs(b, laser(b)) }

func benchmarkEncode(b *testing.B, tok *Tokenizer) {
	texts := xquadTexts(b)
	tokens := 0
	for _, s := range texts {
		tokens += len(tok.AppendIDs(nil, s))
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		tok.EncodeBatch(texts, Options{AddSpecialTokens: true, MaxLength: 512, Padding: PadLongest})
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(tokens)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
	if cpu > 0 {
		b.ReportMetric(float64(tokens)*float64(b.N)/cpu.Seconds(), "tokens/cpu-s")
	}
}

func BenchmarkEncodeBatchWordPiece(b *testing.B) { benchmarkEncode(b, mbertCased(b)) }
func BenchmarkEncodeBatchXLMR(b *testing.B)      { benchmarkEncode(b, xlmr(b)) }

func benchmarkLoad(b *testing.B, load func() (*Tokenizer, error)) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadVocabMBERT(b *testing.B) {
	benchmarkLoad(b, func() (*Tokenizer, error) {
		return loadVocabFile("testdata/vocab-mbert-cased.txt.gz", BertConfig{}, bertSpecialNames{})
	})
}

func BenchmarkLoadSPMXLMR(b *testing.B) {
	benchmarkLoad(b, func() (*Tokenizer, error) {
		return loadSPMFile("testdata/xlmr-base-rebuilt.model.gz", LayoutXLMR)
	})
}
