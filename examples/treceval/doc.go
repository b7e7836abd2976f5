// Command treceval is a drop-in NIST trec_eval 10.0 for the measures of
// package metrics, written on top of it.
//
// Usage:
//
//	treceval [-q] [-c] [-n] [-l N] [-M N] [-m MEASURE[.k,k,...]]... QRELS RUN
//
// Flags may be combined and attached as in trec_eval ("-qc", "-mmap",
// "-l2"). Measures: num_q, runid, num_ret, num_rel, num_rel_ret, map,
// gm_map, Rprec, bpref, recip_rank (recip_rank.k is MRR@k, an extension),
// iprec_at_recall.L (recall levels in [0, 1]), P.k, recall.k, map_cut.k,
// ndcg, ndcg_cut.k, success.k; a measure that takes parameters gets
// trec_eval's defaults without them. Without -m, treceval prints
// trec_eval's default set (runid, num_q, num_ret, num_rel, num_rel_ret,
// map, gm_map, Rprec, bpref, recip_rank, iprec_at_recall at 0, 0.1, …, 1
// and P at the default cut-offs), byte for byte as trec_eval does; -m
// official names that set.
//
// The output is trec_eval's: "measure<TAB>topic<TAB>value" lines, the name
// padded to 22 columns, values with 4 decimals and counts as integers, the
// measures in trec_eval's order; -q adds a block per topic (qrels topics in
// byte order) before the "all" block, which -n drops.
//
// Exit status, as trec_eval's: 0 on success; 1 for a usage error; 2 for an
// unreadable or malformed file; 4 when a qrels topic is missing from the
// run without -c, or when a topic being evaluated has the same document
// twice in the run or in the qrels (the per-topic lines of the topics
// before it are already printed); 7 when no topic has both results and
// judgements. Error messages go to standard error and name the file and
// line where there is one.
//
// Where treceval deliberately differs from trec_eval 10.0 (everything else,
// stdout included, is byte-identical on the test goldens):
//   - Two -m for the same measure merge their cut-offs (-m P.5 -m P.10
//     gives P_5 and P_10; trec_eval keeps the first only).
//   - recip_rank.k is MRR@k, printed as recip_rank_k (trec_eval ignores the
//     parameter); parameters on other measures without cut-offs are errors.
//   - iprec_at_recall levels must lie in [0, 1] (trec_eval takes any
//     number, and a level above 1 or below 0 means nothing).
//   - With -c and -l other than 1, the "all" num_rel is the sum of the
//     topics' num_rel (trec_eval counts the qrels grades > 0 instead).
//   - Qrels may hold any number of '#' comment lines and blank lines.
//   - A qrels grade with a non-zero fraction ("2.5") is an error; trec_eval
//     truncates it. "1.0" is 1 in both.
package main
