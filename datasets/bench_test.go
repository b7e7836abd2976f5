package datasets

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
)

func BenchmarkLoadXQuADR(b *testing.B) {
	var jsonBytes int64
	for _, l := range xquadrLangs {
		src, err := readText(XQuADRFS(), string(l)+".json.gz")
		if err != nil {
			b.Fatal(err)
		}
		jsonBytes += int64(len(src))
	}
	b.SetBytes(jsonBytes)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadXQuADR(QAConfig{}); err != nil {
			b.Fatal(err)
		}
	}
}

// corpusBlock returns about size bytes of MIRACL-style JSONL: passages of
// 60–260 words drawn (seeded) from a small multilingual vocabulary, with
// a few escapes, as real corpora have.
func corpusBlock(size int) []byte {
	words := strings.Fields(`the of and in to was is for on as by with he that at from his it an were are which
		der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch
		l'état été à où ça garçon über straße ½ 東京 北京 的 是 在 有 москва россия год
		\"quoted\" tab\tinside caf\u00e9 \u4e2d\u6587`)
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	for doc := 0; buf.Len() < size; doc++ {
		fmt.Fprintf(&buf, `{"docid": "%d#%d", "title": "Artikel %d", "text": "`, doc/7, doc%7, doc/7)
		n := 60 + rng.IntN(200)
		for i := range n {
			if i > 0 {
				buf.WriteByte(' ')
			}
			buf.WriteString(words[rng.IntN(len(words))])
		}
		buf.WriteString("\"}\n")
	}
	return buf.Bytes()
}

// cycleReader yields block again and again until n bytes have been read.
type cycleReader struct {
	block []byte
	off   int
	n     int64
}

func (r *cycleReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	k := copy(p, r.block[r.off:])
	r.off = (r.off + k) % len(r.block)
	r.n -= int64(k)
	return k, nil
}

// benchmarkReadCorpus streams total bytes of JSONL (gzipped members of a
// 4 MiB block when gz) through ReadCorpus, reporting MB/s of JSON text,
// passages/s and the peak live heap sampled every 4096 passages.
func benchmarkReadCorpus(b *testing.B, total int64, compressed bool) {
	block := corpusBlock(4 << 20)
	linesPerBlock := bytes.Count(block, []byte{'\n'})
	src := block
	if compressed {
		src = gz(block)
	}
	blocks := total / int64(len(block))
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	b.SetBytes(blocks * int64(len(block)))
	b.ReportAllocs()
	var peak uint64
	runtime.GC()
	for b.Loop() {
		r := &cycleReader{block: src, n: blocks * int64(len(src))}
		n := 0
		for p, err := range ReadCorpus(r, "synthetic.jsonl") {
			if err != nil {
				b.Fatal(err)
			}
			if n++; n%4096 == 0 {
				metrics.Read(sample)
				peak = max(peak, sample[0].Value.Uint64())
			}
			_ = p
		}
		if want := int(blocks) * linesPerBlock; n != want {
			b.Fatalf("%d passages, want %d", n, want)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(int(blocks)*linesPerBlock)*float64(b.N)/b.Elapsed().Seconds(), "passages/s")
}

func BenchmarkReadCorpus64MB(b *testing.B)     { benchmarkReadCorpus(b, 64<<20, false) }
func BenchmarkReadCorpus1GB(b *testing.B)      { benchmarkReadCorpus(b, 1<<30, false) }
func BenchmarkReadCorpus1GBGzip(b *testing.B)  { benchmarkReadCorpus(b, 1<<30, true) }
func BenchmarkReadCorpus64MBGzip(b *testing.B) { benchmarkReadCorpus(b, 64<<20, true) }
