// Package metrics computes retrieval measures in float64, exactly as NIST
// trec_eval 10.0 and the LAReQA reference code compute them; reads and
// writes qrels and runs; ranks candidates by exact (brute-force) search;
// and reports results per evaluation setting and language pair as
// Markdown, CSV, JSON and heat maps.
//
// It knows nothing of models or datasets: embeddings are plain float32
// matrices (Embeddings), language codes plain strings, ids plain strings
// ("007" and "7" are different documents).
//
// # Data
//
// Qrels map a topic id to document grades; Run maps a topic id to scored
// documents in any order. ReadQrels, ReadRun and their File variants read
// TREC qrels ("qid iter docid grade"), TREC runs ("qid Q0 docid rank score
// tag"), 3-column runs ("qid docid score") and MS MARCO runs
// ("qid\tdocid\trank", read as score −rank). QrelsReader and RunReader
// stream one line at a time. Lines are at most MaxLineBytes long; fields
// are separated by spaces or tabs; blank lines and lines whose first field
// starts with '#' are skipped (trec_eval 10 allows '#' comments in runs;
// metrics allows them in qrels too, any number of them). Grades are
// integers, which may be written with a zero fraction ("1.0"; trec_eval's
// atol also truncates "2.5" to 2, which is an error here). Scores are parsed by strconv.ParseFloat, which reads every
// decimal spelling C's atof does ("+0.5", "5.0E-01", "-0"); NaN is
// rejected, ±Inf accepted. The rank column of TREC runs is ignored, as
// trec_eval ignores it.
//
// The writers (WriteRun, WriteQrels, RunWriter) write scores with
// strconv.FormatFloat(s, 'g', -1, 64), the shortest text that reads back
// to the same float64, so a written run ranks exactly as the original:
// 0.30000000000000004 and 0.3 stay distinct and no ties are created.
// WriteRunFile and WriteQrelsFile are atomic: a temporary file in the same
// directory, synced, then renamed over the target.
//
// # Errors
//
// Malformed input gives a *ParseError naming the file and line, wrapping a
// sentinel: ErrFieldCount, ErrBadGrade, ErrBadScore, ErrNaNScore,
// ErrBadRank, ErrLineTooLong, ErrDuplicateDoc. The same document twice in
// one topic of the qrels or of a run is an error (trec_eval 10 stops with
// exit status 4 on both), reported at the line that repeats it. Evaluate
// returns *TopicError for ErrMissingTopic and ErrDuplicateDoc, and
// ErrNoTopics; search and EvaluateLAReQA return ErrDuplicateID for
// repeated embedding ids. Programmer errors panic with a message starting
// "metrics: ": a cut-off or k ≤ 0, an unknown measure or format,
// inconsistent Embeddings (len(Vectors) ≠ len(IDs)·Dim, Dim ≤ 0, a Dim
// mismatch), negative Workers or MaxDocs.
//
// # trec_eval measures
//
// Evaluate and EvaluateTopic compute map, gm_map, map_cut.k, Rprec, bpref,
// recip_rank (and recip_rank.k, MRR@k, which trec_eval does not have),
// iprec_at_recall.L, P.k, recall.k, ndcg, ndcg_cut.k, success.k, num_rel,
// num_rel_ret and num_ret (trec_eval's default set and the measures of
// MIRACL and MS MARCO) with trec_eval 10.0's semantics and order of
// floating-point operations, so values are bit-identical to trec_eval's
// (tested on 22,767 values from trec_eval itself, every one identical to
// the last bit):
//
//   - Ranking: by score descending, ties by document id descending in byte
//     order (strcmp): "d9" before "d10", "7" before "10", "d55" before "d5".
//     -0 and 0 are equal. A NaN score ranks last. The order of the input
//     and the rank column play no part (CompareRank, SortDocs).
//     Options.MaxDocs keeps the first MaxDocs of the ranking (-M).
//   - Relevance: a grade ≥ Options.RelevanceLevel (default 1, -l) is
//     relevant. Grades below it, unjudged documents and negative grades are
//     not; negative grades are "judged but unjudged": not relevant, no
//     gain, not in R, not in the ideal ranking. R counts the relevant
//     documents of the topic's qrels, retrieved or not.
//   - map = (1/R)·Σ precision at the rank of each relevant retrieved
//     document, summed in rank order; map_cut.k counts the top k only and
//     still divides by R. P.k divides by k even when fewer than k documents
//     were retrieved. recall.k divides by R. Rprec is the relevant
//     documents in the top min(R, num_ret), divided by R. recip_rank is
//     1/rank of the first relevant document, 0 if none. success.k is 1 if
//     a relevant document is in the top k.
//   - gm_map is map per topic; its "all" value is the geometric mean
//     exp(mean(ln(max(map, 1e-5)))), with ln and exp correctly rounded
//     (double-double arithmetic), as glibc's are in all but rare cases
//     (Go's math.Log and math.Exp differ from them in the last bit for
//     7% and 13% of gm_map's arguments). trec_eval prints no per-topic
//     gm_map.
//   - bpref = (1/R)·Σ over the relevant retrieved documents d of
//     1 − min(n_d, R)/min(N, R), where n_d counts the judged non-relevant
//     documents ranked above d and N those in the qrels (a term is 1 when
//     n_d = 0); unjudged documents and negative grades are skipped.
//   - iprec_at_recall.L is the interpolated precision at recall level L:
//     with c = round(L·R) (halves away from zero), the largest precision
//     at any rank from that of the c-th relevant retrieved document down
//     (for c = 0, from the first relevant one), and 0 when fewer than c
//     relevant documents are retrieved.
//   - nDCG: the gain is the raw grade for grades > 0 (whatever the
//     relevance level), discount log2(rank+1); DCG is summed in rank order;
//     the ideal DCG sums all grades > 0 of the qrels sorted in descending
//     order, cut at k for ndcg_cut.k; nDCG = DCG/IDCG, 0 when IDCG = 0.
//     log2 is computed in double-double arithmetic and rounded once,
//     because Go's math.Log2 differs from the C library's in the last bit
//     for 1.5% of integers. It matches glibc's log2 (which trec_eval
//     calls) for every rank below 1,620 and all but 14 of the ranks up to
//     200,000, where glibc's error is just above half an ulp.
//   - A topic whose judgements have nothing relevant, or only negative
//     grades, or none at all (an empty map), is evaluated: every measure
//     is 0, num_rel 0, and it counts in the means. An empty ranking scores
//     0 on every measure (num_rel stays R).
//   - Topics (Options.Topics): only qrels topics are evaluated, in byte
//     order; run topics without qrels are ignored. TopicsTrecEval (the
//     zero value) is trec_eval 10 without -c: a qrels topic missing from
//     the run is an error (trec_eval prints its message and exits 4).
//     TopicsComplete is -c: the missing topic scores 0 (num_ret 0, num_rel
//     its R) and counts in the means. TopicsCommon averages over the
//     topics present in both, as trec_eval 9 did. So an empty run fails
//     on the first qrels topic, scores every topic 0, or gives ErrNoTopics,
//     respectively; empty qrels always give ErrNoTopics.
//   - Results.All is trec_eval's "all" line: each measure summed over the
//     topics in byte order and divided by their number, except num_ret,
//     num_rel and num_rel_ret, which are sums. (trec_eval -c with -l other
//     than 1 prints, as its all num_rel, the count of grades > 0 in the
//     whole qrels; metrics prints the sum of the per-topic values.)
//
// # LAReQA measures and language bias
//
// Ranks holds the 1-based ranks of all relevant items of a query in a full
// ranking. Ranks.AP is the LAReQA authors' average precision
// (google-research/xtreme third_party/utils_lareqa.py,
// average_precision_at_k with k=None): (1/|R|)·Σ_i i/rank_i, summed in
// rank order, bit-identical to the reference on the same ranking and to
// trec_eval's map. APAt(k) divides by min(|R|, k), as the reference does
// (trec_eval's map_cut divides by |R|). RecallAt(k) = |R ∩ top k|/|R|,
// HitAt(k) = 1 if any relevant item is in the top k, Distance = last rank
// − first rank (the rank distance of arXiv 2408.10536 §4.1).
//
// EvaluateLAReQA scores every query against every candidate by dot product
// and evaluates three kinds of setting per query language X: Monolingual
// (candidates in X), Crosslingual (candidates in one Y ≠ X, each pair a
// cell) and Multilingual (the candidates of all languages pooled). Ranks
// are positions in the full ranking of the setting's pool, ties broken by
// candidate id descending: the LAReQA code ranks with numpy's unstable
// argsort, so its order among tied scores is an accident of numpy's
// implementation, and metrics uses trec_eval's rule instead (the goldens
// do too). In a setting, R_q is the set of q's relevant candidates in the
// pool; a query with an empty R_q is skipped and counted in Cell.Skipped
// (the reference would divide by zero). Each cell averages its queries;
// each kind's Summary gives the macro mean over its cells, the micro mean
// over all its queries and the means per query language. The language
// bias of the paper is the Multilingual rank_distance: mean per language,
// then macro over languages (Summary.Macro). Means use compensated sums.
//
// # Exact search
//
// SearchHits and Search return the top k candidates of each query by dot
// product (k ≥ the number of candidates gives the full ranking), with
// trec_eval's tie order. Scores are float32 sums of float32 products, so
// they may differ from a float64 or BLAS computation in the last bits, and
// two near-equal scores may swap; integer-grid embeddings (as in the
// goldens) give exact scores. Queries are scored a block at a time
// (SearchConfig.BlockSize, default 96) by SearchConfig.Workers goroutines
// (default GOMAXPROCS): memory is O(Workers · BlockSize · candidates),
// never O(queries · candidates). A block's scores are one float32 matrix
// product, queries × candidatesᵀ, computed on the worker's goroutine by
// polyret's shared GEMM (internal/gemm, documented as model/gemm; its
// Implementation is the one set by model/gemm.Use): with d ≥ 512 and at
// least 2,048 candidates it reads both matrices in place, a tile of 4×4
// (AVX-512) or 3×4 (AVX2 with FMA) dot products at a time over chunks of
// candidates that fit in the L2 cache, and packs them otherwise; other
// architectures and the purego build tag use its pure-Go kernels, about
// twenty times slower. Top-k selection keeps a k-element heap per worker.
// For cosine similarity, normalise the embeddings first.
//
// # Reports
//
// Report.WriteMarkdown, WriteCSV and WriteJSON write the cells and the
// summaries (undefined values, such as rank_distance outside Multilingual,
// are "–", empty or null). Report.Matrix gives a measure as a query
// language × candidate language matrix (the Monolingual cells on the
// diagonal, the Multilingual ones in an "all" column), and WriteHeatmap
// draws such a matrix as PNG or SVG with gonum/plot, the value printed in
// each cell.
//
// # Concurrency and progress
//
// Functions may be called concurrently; Results, Report and the readers
// and writers are not safe for concurrent use. SearchHits, Search and
// EvaluateLAReQA take a context.Context, check it between blocks and
// return ctx.Err() once it is cancelled; they report the number of queries
// done to SearchConfig.Recorder (nil means silent). The package never
// prints or logs.
//
// # Sources
//
// NIST trec_eval 10.0 (github.com/usnistgov/trec_eval); the LAReQA
// evaluation code (github.com/google-research/xtreme,
// third_party/utils_lareqa.py); Roy et al., LAReQA (arXiv 2004.05484);
// arXiv 2408.10536 §4. The goldens in testdata and their README state how
// every reference value was produced.
package metrics
