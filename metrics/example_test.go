package metrics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/polyret/polyret/metrics"
)

func ExampleEvaluate() {
	qrels, err := metrics.ReadQrels(strings.NewReader(`
q1 0 d1 2
q1 0 d2 0
q1 0 d3 1
q2 0 d9 1
`), "qrels")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Scores, not the rank column, decide the ranking; d1 and d3 tie, and
	// the greater id (d3) ranks first, as in trec_eval.
	run, err := metrics.ReadRun(strings.NewReader(`
q1 Q0 d1 1 0.5 bm25
q1 Q0 d3 2 0.5 bm25
q1 Q0 d2 3 0.9 bm25
q2 Q0 d9 1 1.0 bm25
`), "run", metrics.FormatTREC)
	if err != nil {
		fmt.Println(err)
		return
	}
	var ms []metrics.Measure
	for _, spec := range []string{"map", "P.1,2", "ndcg_cut.10"} {
		m, _ := metrics.ParseMeasure(spec)
		ms = append(ms, m...)
	}
	res, err := metrics.Evaluate(qrels, run, ms, metrics.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for t, topic := range res.Topics {
		for i, m := range ms {
			fmt.Printf("%-12s %s %.4f\n", m, topic, res.Values[t][i])
		}
	}
	for i, m := range ms {
		fmt.Printf("%-12s all %.4f\n", m, res.All[i])
	}
	// Output:
	// map          q1 0.5833
	// P_1          q1 0.0000
	// P_2          q1 0.5000
	// ndcg_cut_10  q1 0.6199
	// map          q2 1.0000
	// P_1          q2 1.0000
	// P_2          q2 0.5000
	// ndcg_cut_10  q2 1.0000
	// map          all 0.7917
	// P_1          all 0.5000
	// P_2          all 0.5000
	// ndcg_cut_10  all 0.8100
}

func ExampleEvaluate_missingTopic() {
	qrels := metrics.Qrels{"q1": {"d1": 1}, "q2": {"d2": 1}}
	run := metrics.Run{"q1": {{ID: "d1", Score: 1}}}
	ms := []metrics.Measure{{Kind: metrics.MAP}}
	_, err := metrics.Evaluate(qrels, run, ms, metrics.Options{})
	fmt.Println(err)
	res, _ := metrics.Evaluate(qrels, run, ms, metrics.Options{Topics: metrics.TopicsComplete})
	fmt.Printf("-c: %v, map %.2f\n", res.Topics, res.All[0])
	res, _ = metrics.Evaluate(qrels, run, ms, metrics.Options{Topics: metrics.TopicsCommon})
	fmt.Printf("common: %v, map %.2f\n", res.Topics, res.All[0])
	// Output:
	// topic "q2": qrels topic not found in run
	// -c: [q1 q2], map 0.50
	// common: [q1], map 1.00
}

func ExampleRanks() {
	// A query with three parallel answers ranked 1st, 4th and 10th in the
	// multilingual pool.
	r := metrics.Ranks{1, 4, 10}
	fmt.Printf("AP %.4f  AP@5 %.4f  R@5 %.4f  hit@5 %.0f  rank distance %d\n",
		r.AP(), r.APAt(5), r.RecallAt(5), r.HitAt(5), r.Distance())
	// Output:
	// AP 0.6000  AP@5 0.5000  R@5 0.6667  hit@5 1  rank distance 9
}

func ExampleSearch() {
	rng := rand.New(rand.NewPCG(1, 2))
	const dim = 4
	random := func(prefix string, n int) metrics.Embeddings {
		e := metrics.Embeddings{Dim: dim}
		for i := range n {
			e.IDs = append(e.IDs, fmt.Sprintf("%s%d", prefix, i))
			for range dim {
				e.Vectors = append(e.Vectors, float32(rng.IntN(5)-2)/2)
			}
		}
		return e
	}
	queries, docs := random("q", 2), random("d", 8)
	run, err := metrics.Search(context.Background(), queries, docs, 3, metrics.SearchConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, topic := range run.Topics() {
		fmt.Println(topic, run[topic])
	}
	// Output:
	// q0 [{d5 0.75} {d4 0.75} {d6 0.25}]
	// q1 [{d0 1.5} {d6 1} {d7 0.75}]
}

func ExampleEvaluateLAReQA() {
	// Two parallel questions in en and de; each has one answer sentence
	// per language, and the pool holds four sentences.
	q := metrics.Embeddings{
		IDs:     []string{"a_en", "a_de", "b_en", "b_de"},
		Langs:   []string{"en", "de", "en", "de"},
		Vectors: []float32{1, 0, 0.9, 0.1, 0, 1, 0.6, 0.4},
		Dim:     2,
	}
	c := metrics.Embeddings{
		IDs:     []string{"en_1", "de_1", "en_2", "de_2"},
		Langs:   []string{"en", "de", "en", "de"},
		Vectors: []float32{1, 0.1, 0.7, 0.3, 0.1, 1, 0.5, 0.5},
		Dim:     2,
	}
	qrels := metrics.Qrels{
		"a_en": {"en_1": 1, "de_1": 1}, "a_de": {"en_1": 1, "de_1": 1},
		"b_en": {"en_2": 1, "de_2": 1}, "b_de": {"en_2": 1, "de_2": 1},
	}
	rep, err := metrics.EvaluateLAReQA(context.Background(), q, c, qrels, metrics.LAReQAConfig{Cutoffs: []int{1}, APCutoffs: []int{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep.WriteMarkdown(os.Stdout)
	// Output:
	// | setting | average | cells | queries | map | recall@1 | hit@1 | rank_distance |
	// |---|---|---|---|---|---|---|---|
	// | mono | macro | 2 | 4 | 0.8750 | 0.7500 | 0.7500 | – |
	// | mono | micro | 2 | 4 | 0.8750 | 0.7500 | 0.7500 | – |
	// | cross | macro | 2 | 4 | 0.8750 | 0.7500 | 0.7500 | – |
	// | cross | micro | 2 | 4 | 0.8750 | 0.7500 | 0.7500 | – |
	// | multi | macro | 2 | 4 | 0.8542 | 0.3750 | 0.7500 | 1.0000 |
	// | multi | micro | 2 | 4 | 0.8542 | 0.3750 | 0.7500 | 1.0000 |
	//
	// | setting | query | candidates | queries | map | recall@1 | hit@1 | rank_distance |
	// |---|---|---|---|---|---|---|---|
	// | mono | de | de | 2 | 0.7500 | 0.5000 | 0.5000 | – |
	// | mono | en | en | 2 | 1.0000 | 1.0000 | 1.0000 | – |
	// | cross | de | en | 2 | 0.7500 | 0.5000 | 0.5000 | – |
	// | cross | en | de | 2 | 1.0000 | 1.0000 | 1.0000 | – |
	// | multi | de | all | 2 | 0.7083 | 0.2500 | 0.5000 | 1.0000 |
	// | multi | en | all | 2 | 1.0000 | 0.5000 | 1.0000 | 1.0000 |
}

func ExampleWriteRun() {
	x := 0.1
	run := metrics.Run{"q1": {{ID: "a", Score: x + 0.2}, {ID: "b", Score: 0.3}}}
	metrics.WriteRun(os.Stdout, run, metrics.FormatTREC, "exact")
	// Output:
	// q1 Q0 a 1 0.30000000000000004 exact
	// q1 Q0 b 2 0.3 exact
}

func ExampleParseMeasure() {
	for _, spec := range []string{"map", "P.10,5", "success", "recip_rank.10", "iprec_at_recall.1,.5"} {
		ms, err := metrics.ParseMeasure(spec)
		fmt.Println(spec, "→", ms, err)
	}
	// Output:
	// map → [map] <nil>
	// P.10,5 → [P_5 P_10] <nil>
	// success → [success_1 success_5 success_10] <nil>
	// recip_rank.10 → [recip_rank_10] <nil>
	// iprec_at_recall.1,.5 → [iprec_at_recall_0.50 iprec_at_recall_1.00] <nil>
}

// With incomplete judgements, bpref looks only at judged documents: here
// each relevant document of q1 has one of the two judged non-relevant ones
// above it, so bpref = (1/2)·((1 − 1/2) + (1 − 1/2)) = 0.5, while map
// counts the unjudged d5 and d6 as non-relevant: (1/3 + 2/5)/2. gm_map is
// the geometric mean of the topics' map, a map of 0 (q2) counting as 1e-5.
func ExampleEvaluate_incompleteJudgements() {
	qrels := metrics.Qrels{
		"q1": {"d1": 1, "d2": 0, "d3": 0, "d4": 1},
		"q2": {"d7": 1},
	}
	run := metrics.Run{
		"q1": {{ID: "d5", Score: 5}, {ID: "d2", Score: 4}, {ID: "d1", Score: 3}, {ID: "d6", Score: 2}, {ID: "d4", Score: 1}},
		"q2": {{ID: "d8", Score: 1}},
	}
	var ms []metrics.Measure
	for _, spec := range []string{"map", "gm_map", "bpref", "iprec_at_recall.0,.5,1"} {
		m, _ := metrics.ParseMeasure(spec)
		ms = append(ms, m...)
	}
	res, _ := metrics.Evaluate(qrels, run, ms, metrics.Options{})
	for i, m := range ms {
		fmt.Printf("%-20s q1 %.4f  all %.4f\n", m, res.Values[0][i], res.All[i])
	}
	// Output:
	// map                  q1 0.3667  all 0.1833
	// gm_map               q1 0.3667  all 0.0019
	// bpref                q1 0.5000  all 0.2500
	// iprec_at_recall_0.00 q1 0.4000  all 0.2000
	// iprec_at_recall_0.50 q1 0.4000  all 0.2000
	// iprec_at_recall_1.00 q1 0.4000  all 0.2000
}
