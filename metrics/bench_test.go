package metrics

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchTopic returns one topic: ndocs retrieved documents with scores
// quantised to make ties, and qrels judging 2·judged documents (half of
// them retrieved), grades 0-3.
func benchTopic(ndocs, judged int) (map[string]int, []ScoredDoc) {
	rng := rand.New(rand.NewPCG(1, 2))
	docs := make([]ScoredDoc, ndocs)
	for i := range docs {
		docs[i] = ScoredDoc{ID: fmt.Sprintf("doc%d", i), Score: float64(rng.IntN(1000)) / 100}
	}
	j := map[string]int{}
	for range judged {
		j[fmt.Sprintf("doc%d", rng.IntN(ndocs))] = rng.IntN(4)
		j[fmt.Sprintf("unret%d", rng.IntN(10*ndocs))] = rng.IntN(4)
	}
	return j, docs
}

// BenchmarkEvaluateTopic measures one query of 1000 retrieved documents per
// op, for each measure alone (sorting and judging included).
func BenchmarkEvaluateTopic(b *testing.B) {
	judgements, docs := benchTopic(1000, 100)
	for _, spec := range []string{"num_ret", "num_rel", "num_rel_ret", "map", "map_cut.10", "Rprec", "recip_rank",
		"recip_rank.10", "P.10", "recall.100", "ndcg", "ndcg_cut.10", "success.10"} {
		ms, err := ParseMeasure(spec)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(ms[0].String(), func(b *testing.B) {
			b.ReportAllocs()
			var e evaluator
			v := make([]float64, len(ms))
			for b.Loop() {
				e.topic(v, judgements, docs, ms, Options{})
			}
		})
	}
}

// BenchmarkMeasure measures each measure alone on one ranked, judged query
// of 1000 documents: the cost on top of the shared ranking.
func BenchmarkMeasure(b *testing.B) {
	judgements, docs := benchTopic(1000, 100)
	var e evaluator
	e.topic(make([]float64, 1), judgements, docs, []Measure{{Kind: NumRet}}, Options{})
	numRel := 0
	for _, g := range judgements {
		if g >= 1 {
			numRel++
		}
	}
	for _, spec := range []string{"map", "map_cut.10", "Rprec", "bpref", "recip_rank", "iprec_at_recall.0.5", "P.10", "recall.100", "ndcg", "ndcg_cut.10", "success.10"} {
		ms, _ := ParseMeasure(spec)
		b.Run(ms[0].String(), func(b *testing.B) {
			for b.Loop() {
				e.measure(ms[0], 1, numRel)
			}
		})
	}
}

// BenchmarkEvaluate measures a MIRACL-sized evaluation: 800 topics × 100
// documents, the measures of the paper (nDCG@10, Recall@100) and map.
func BenchmarkEvaluate(b *testing.B) {
	qrels, run := Qrels{}, Run{}
	for t := range 800 {
		j, docs := benchTopic(100, 10)
		topic := fmt.Sprint("t", t)
		qrels[topic], run[topic] = j, docs
	}
	ms := []Measure{{Kind: NDCGCut, Cutoff: 10}, {Kind: Recall, Cutoff: 100}, {Kind: MAP}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(qrels, run, ms, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRanks(b *testing.B) {
	r := Ranks{3, 17, 18, 40, 41, 90, 120, 300, 301, 1000, 5000}
	for b.Loop() {
		_ = r.AP() + r.APAt(20) + r.RecallAt(10) + r.HitAt(10) + float64(r.Distance())
	}
}

func randomEmbeddings(rng *rand.Rand, prefix string, n, d int) Embeddings {
	e := Embeddings{Dim: d, Vectors: randF32(rng, n*d), IDs: make([]string, n)}
	for i := range e.IDs {
		e.IDs[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return e
}

func benchmarkSearch(b *testing.B, n, m, d, k int) {
	rng := rand.New(rand.NewPCG(1, 2))
	q, c := randomEmbeddings(rng, "q", n, d), randomEmbeddings(rng, "c", m, d)
	b.ReportAllocs()
	cpu := cpuSeconds()
	for b.Loop() {
		if _, err := SearchHits(context.Background(), q, c, k, SearchConfig{}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
	b.ReportMetric(2*float64(n)*float64(m)*float64(d)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSearchXQuADR is the size of XQuAD-R's multilingual setting:
// 13,090 queries × 13,014 candidates, d = 768, top 100 (see BENCHMARKS.md
// for numpy on the same sizes).
func BenchmarkSearchXQuADR(b *testing.B) { benchmarkSearch(b, 13090, 13014, 768, 100) }

func BenchmarkSearchSmall(b *testing.B) { benchmarkSearch(b, 1000, 10000, 768, 100) }

// BenchmarkEvaluateLAReQAXQuADR evaluates every setting (mono, cross,
// multi) of an XQuAD-R-sized problem: 11 languages × 1,190 questions,
// 13,014 candidates, d = 768, 11 relevant candidates per question. Like a
// trained encoder, embeddings are a group vector plus a language vector
// plus noise, so that answers rank high but not always first.
func BenchmarkEvaluateLAReQAXQuADR(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const langs, perLang, d = 11, 1190, 768
	q := randomEmbeddings(rng, "q", langs*perLang, d)
	c := randomEmbeddings(rng, "c", 13014, d)
	groups := c.Len() / langs
	group, lang := randF32(rng, groups*d), randF32(rng, langs*d)
	q.Langs, c.Langs = make([]string, q.Len()), make([]string, c.Len())
	qrels := Qrels{}
	for i := range q.Langs {
		l, g := i/perLang, (i%perLang)%groups
		q.Langs[i] = fmt.Sprint("l", l)
		rel := map[string]int{}
		for l2 := range langs {
			rel[c.IDs[g*langs+l2]] = 1 // parallel answers
		}
		qrels[q.IDs[i]] = rel
		for k, row := 0, q.Row(i); k < d; k++ {
			row[k] = 0.4*group[g*d+k] + 0.3*lang[l*d+k] + row[k]
		}
	}
	for j := range c.Langs {
		c.Langs[j] = fmt.Sprint("l", j%langs)
		if g := j / langs; g < groups {
			for k, row := 0, c.Row(j); k < d; k++ {
				row[k] = 0.4*group[g*d+k] + 0.3*lang[(j%langs)*d+k] + row[k]
			}
		}
	}
	b.ReportAllocs()
	cpu := cpuSeconds()
	var rep *Report
	for b.Loop() {
		var err error
		if rep, err = EvaluateLAReQA(context.Background(), q, c, qrels, LAReQAConfig{}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
	b.ReportMetric(rep.Summary(Multilingual).Macro[0], "multi-map")
}

// BenchmarkReadRun reads a TREC run of 1,000 topics × 1,000 documents
// (about 45 MB) from memory: MB/s of input.
func BenchmarkReadRun(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	run := Run{}
	for t := range 1000 {
		docs := make([]ScoredDoc, 1000)
		for i := range docs {
			docs[i] = ScoredDoc{ID: fmt.Sprint("doc", rng.IntN(10_000_000)*1000+i), Score: rng.NormFloat64()}
		}
		run[fmt.Sprint(t)] = docs
	}
	var buf bytes.Buffer
	if err := WriteRun(&buf, run, FormatTREC, "bench"); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadRun(bytes.NewReader(data), "bench", FormatTREC); err != nil {
			b.Fatal(err)
		}
	}
}
