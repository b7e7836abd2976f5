package polyret_test

import (
	"context"
	"fmt"
	"log"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/loss"
	"github.com/polyret/polyret/metrics"
	"github.com/polyret/polyret/model"
	"github.com/polyret/polyret/sampler"
)

// Example wires the packages into a short hybrid-batch training run: the
// embedded XQuAD-R (two languages) split by article, parallel training
// tuples, a hybrid sampler, a tiny LaBSE-shaped encoder (random weights, a
// test fixture; use a real model directory instead), GradCache with the
// paper's loss, AdamW, and the LAReQA evaluation of the held-out articles.
func Example() {
	ctx := context.Background()
	task, err := datasets.LoadXQuADR(datasets.QAConfig{Languages: []datasets.Lang{"de", "en"}})
	if err != nil {
		log.Fatal(err)
	}
	train, test := task.SplitByArticle(0.25, 1)
	data, err := datasets.BuildTuples(train, datasets.TupleConfig{Negatives: 1, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	s, err := sampler.NewHybrid([]datasets.Dataset{*data}, sampler.Config{Alpha: 0.5, BatchSize: 8, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	enc, err := model.Load(ctx, "model/testdata/tiny-labse", model.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	opt := model.NewAdamW(enc.Params(), model.AdamWConfig{LR: 1e-3, NoDecay: model.DecayExempt})

	for step := 1; step <= 4; step++ {
		b, err := s.Next()
		if err != nil {
			log.Fatal(err)
		}
		gc := loss.GradCache{
			Encoder: enc.Queries(), PassageEncoder: enc.Passages(),
			ChunkSize: 4, Loss: loss.Paper(), Seed: uint64(step),
		}
		l, err := gc.Backward(ctx, loss.TextBatch{
			Queries: b.Queries(), Positives: b.Positives(), Negatives: b.Negatives(),
			NegativeOf: b.NegativeOf(), Groups: b.Groups(),
		})
		if err != nil {
			log.Fatal(err)
		}
		if _, err := opt.Step(); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("step %d: %-13s %d items, first %s→%s, loss %.2f\n",
			step, b.Mode, b.Len(), b.Items[0].QueryLang, b.Items[0].PassageLang, l)
	}

	// Evaluate: encode the held-out queries and candidates, then score every
	// setting (mono, cross, multi) in one pass.
	embed := func(texts, ids, langs []string, role model.Role) metrics.Embeddings {
		vecs, err := role.EncodeAll(ctx, texts)
		if err != nil {
			log.Fatal(err)
		}
		e := metrics.Embeddings{IDs: ids, Langs: langs, Dim: enc.Dim()}
		for _, v := range vecs {
			e.Vectors = append(e.Vectors, v...)
		}
		return e
	}
	var qIDs, qLangs, cIDs, cLangs []string
	for _, q := range test.Queries {
		qIDs, qLangs = append(qIDs, q.ID), append(qLangs, string(q.Lang))
	}
	for _, c := range test.Candidates {
		cIDs, cLangs = append(cIDs, c.ID), append(cLangs, string(c.Lang))
	}
	rep, err := metrics.EvaluateLAReQA(ctx,
		embed(test.QueryTexts(), qIDs, qLangs, enc.Queries()),
		embed(test.CandidateTexts(), cIDs, cLangs, enc.Passages()),
		test.Qrels, metrics.LAReQAConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range []metrics.Kind{metrics.Monolingual, metrics.Crosslingual, metrics.Multilingual} {
		sum := rep.Summary(k)
		fmt.Printf("%s: %d cells, %d queries\n", k, sum.Cells, sum.Queries)
	}
	// Output:
	// step 1: monolingual   8 items, first de→de, loss 17.58
	// step 2: cross-lingual 8 items, first en→de, loss 17.58
	// step 3: cross-lingual 8 items, first en→de, loss 17.58
	// step 4: monolingual   8 items, first de→de, loss 17.58
	// mono: 2 cells, 554 queries
	// cross: 2 cells, 554 queries
	// multi: 2 cells, 554 queries
}
