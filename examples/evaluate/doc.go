// Command evaluate scores dense retrievers on XQuAD-R (embedded), MLQA-R
// and MIRACL, as arXiv 2408.10536 §4 does, and writes TREC runs, reports
// and heat maps.
//
// Usage:
//
//	evaluate -model DIR[,DIR...] [-data xquad-r|mlqa-r|miracl] [flags]
//
//	evaluate -model LaBSE                                  # XQuAD-R, all 11 languages
//	evaluate -model LaBSE -data mlqa-r -mlqa mlqa-dev-r     # MLQA-R from its directory
//	evaluate -model LaBSE -data miracl -miracl-lang de \
//	    -miracl-topics topics.miracl-v1.0-de-dev.tsv -miracl-qrels qrels.miracl-v1.0-de-dev.tsv \
//	    -miracl-corpus docs-0.jsonl.gz,docs-1.jsonl.gz
//	evaluate -model /tmp/polyret-quickstart-123             # every model of a quickstart run
//
// A model directory is anything model.Load reads: Hugging Face BERT, XLM-R
// or RoBERTa, sentence-transformers (LaBSE), model2vec. Queries get the
// paper's "Query: " prefix and passages "Passage: "; -prefixes none
// evaluates without (as LaBSE and XLM-R were trained), and -query-prefix
// and -passage-prefix set either. The output directory of examples/quickstart
// may be given instead: each of its <strategy>/model directories is
// evaluated, and for XQuAD-R only on the quickstart's held-out articles
// (read from its summary.json), since the others were trained on.
//
// # Settings and measures
//
// XQuAD-R and MLQA-R (LAReQA): every question is a query and every
// sentence a candidate; queries in X are evaluated against the candidates
// in X (mono), in each Y ≠ X (cross) and in all languages pooled (multi),
// with mAP, map@20, recall@k, hit@k and, in multi, the rank distance
// (language bias); see package metrics. -split test restricts XQuAD-R to
// held-out articles (-test, -split-seed, as examples/quickstart), -langs to
// some languages. MIRACL (one language per run): nDCG@10 and recall@100
// (the paper's), plus map and MRR@10, computed as trec_eval computes them,
// over the top -run-depth passages (at least 100) of an exact search. The
// corpus is streamed: only the embeddings are held in memory (4·dim bytes
// per passage).
//
// # Output
//
// For each model NAME (the directory's base name) and data set, in -out
// (default: a new temporary directory, named at the end):
//
//	NAME/xquad-r/report.{json,md,csv}, map.{png,svg}, runs/*.trec, qrels/*.qrels
//	                                   (runs of the mono and multi settings;
//	                                   -cross-runs adds cross-<Y>.trec)
//	NAME/mlqa-r/...                    the same
//	NAME/miracl-<lang>/run.trec, results.json, results.txt (trec_eval -q layout)
//
// and prints a summary table. Progress goes to standard error.
package main
