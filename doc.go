// Package polyret is a Go SDK for training and evaluating multilingual dense
// retrievers with hybrid batch training (arXiv 2408.10536, building on
// LAReQA, arXiv 2004.05484).
//
// A shared dual encoder (LaBSE- or XLM-R-style) is fine-tuned with InfoNCE
// on (query, positive, hard negative) triplets. Each batch is monolingual
// (one language for the whole batch) with probability α and cross-lingual
// (queries and passages in different languages, built from parallel
// translations) with probability 1−α; α = 0.5 in the paper. Retrieval is
// evaluated monolingually (queries and candidates in X), cross-lingually (X
// against one Y ≠ X) and multilingually (X against all languages pooled),
// with LAReQA mAP, Recall@k and the language bias (rank distance between the
// parallel relevant candidates of a query in the pooled ranking), and with
// trec_eval's measures (MIRACL's nDCG@10, Recall@100).
//
// The root package holds no code; the subpackages are the pieces a training
// loop wires together. Imports point down only:
//
//	examples/   runnable programs: quickstart, train, evaluate, embed, tokenize, treceval, customsampler
//	sampler     ──> datasets ──> metrics
//	loss        spago graphs only: InfoNCE and its variants, GradCache
//	model       encoders, AdamW, Hugging Face IO (model/tokenizer, model/checkpoint, model/gemm)
//	metrics     plain float64 measures, exact search, reports; knows nothing of models
//
// # A training loop
//
// The packages meet in a loop like this one (error handling elided;
// examples/train is the complete program, with checkpoints and resume):
//
//	task, _ := datasets.LoadXQuADR(datasets.QAConfig{})        // or LoadQA, LoadMarco, LoadTuples
//	train, test := task.SplitByArticle(0.25, 1)
//	data, _ := datasets.BuildTuples(train, datasets.TupleConfig{Negatives: 1, Seed: 1})
//	s, _ := sampler.NewHybrid([]datasets.Dataset{*data}, sampler.Config{Alpha: 0.5, BatchSize: 100, Seed: 1})
//
//	enc, _ := model.Load(ctx, "path/to/LaBSE", model.Options{})  // HF, sentence-transformers or model2vec dir
//	opt := model.NewAdamW(enc.Params(), model.AdamWConfig{LR: 3e-5, WeightDecay: 0.01})
//	for step := 0; step < steps; step++ {
//		b, _ := s.Next()                                     // mono with prob. α, else cross-lingual
//		gc := loss.GradCache{Encoder: enc.Queries(), PassageEncoder: enc.Passages(),
//			Loss: loss.Paper(), Seed: uint64(step)}           // Eq. 1; GradCache bounds memory
//		l, _ := gc.Backward(ctx, loss.TextBatch{Queries: b.Queries(), Positives: b.Positives(),
//			Negatives: b.Negatives(), NegativeOf: b.NegativeOf(), Groups: b.Groups()})
//		_, _ = opt.Step()                                    // error on a NaN or Inf gradient
//		_ = l
//	}
//
// Without GradCache, enc.Queries().Encode(texts) returns a spago node, and
// loss.InfoNCE over such nodes followed by ag.Backward does the same in one
// graph. Evaluation encodes queries and candidates with EncodeAll and calls
// metrics.EvaluateLAReQA (XQuAD-R, MLQA-R) or metrics.Search and
// metrics.Evaluate (MIRACL and other TREC-style collections).
//
// # Conventions shared by the packages
//
// Weights, activations and embeddings are float32; measures, reported losses
// and gradient checks are float64. Programmer errors (a shape mismatch, k ≤ 0,
// an option out of range) panic with a message naming the package; data
// errors are returned, wrapped with %w, and name the file and line or the
// tensor. Configuration structs are passed by value and their zero value
// selects documented defaults. Long operations take a context.Context and
// report progress to an optional Recorder; library code never prints.
// Writes that matter (checkpoints, runs) are atomic. Randomness comes from
// seeds, never from a global source.
package polyret
