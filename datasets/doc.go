// Package datasets loads retrieval training and evaluation data (XQuAD-R,
// MLQA-R, MIRACL, mMARCO / MS MARCO and polyret's own JSONL tuples) into
// language-tagged, parallel-grouped types.
//
// Two kinds of value come out of it:
//
//   - A Dataset of training Tuples. A Tuple is one example in one or more
//     languages: per language a Triplet (query, positive passage, zero or
//     more hard negatives), all sharing the tuple's Group id so that a loss
//     can keep parallel translations from acting as each other's negatives.
//   - An evaluation Task: Queries (id, group, language, text), Candidates
//     (id, language, text) and qrels in package metrics' type
//     (metrics.Qrels: query id → candidate id → grade), ready for
//     metrics.Evaluate.
//
// A sketch of both uses:
//
//	pool, _ := datasets.LoadXQuADR(datasets.QAConfig{})  // embedded, offline
//	train, test := pool.SplitByArticle(0.25, 1)           // disjoint articles
//	data, _ := datasets.BuildTuples(train, datasets.TupleConfig{Seed: 1})
//	for _, task := range test.Subtasks(datasets.Cross) {  // every ordered pair X→Y
//		// encode task.QueryTexts() and task.CandidateTexts(), search,
//		// then score the run against task.Qrels with package metrics.
//	}
//
// # XQuAD-R and MLQA-R
//
// Both come as one SQuAD v1.1 JSON file per language (<lang>.json, or
// <lang>.json.gz) whose paragraphs also carry "sentences" (the candidate
// texts) and "sentence_breaks" ([start, end) offsets into "context").
// LoadQA reads such a directory from any fs.FS; LoadXQuADR reads the copy of
// XQuAD-R embedded in this package (1.8 MB gzipped, CC BY-SA 4.0, see
// xquadr/README.md and xquadr/LICENSE.txt; XQuADRFS exposes the files).
// MLQA-R (CC BY-NC 4.0) is not embedded: pass its mlqa-dev-r directory to
// LoadQA.
//
// The rules are those of LAReQA's reference load_data (google-research
// xtreme, third_party/utils_lareqa.py), which the tests reproduce exactly on
// all of XQuAD-R and, when the files are present, MLQA-R:
//
//   - Offsets are Unicode code points, not bytes, and breaks are half-open:
//     the relevant sentence of a question is the first break with start ≤
//     answer_start < end, so an answer that starts where two touching
//     sentences meet (common in zh) belongs to the later one. Only the
//     first answer of a question counts (the files have exactly one).
//   - Candidate texts come from "sentences", not from slicing the context:
//     in XQuAD-R tr (data[9].paragraphs[3], sentences 2 and 3) the context
//     holds a mojibake "⁄" and the offsets no longer match it.
//     (load_data slices the context; only those two texts differ.)
//   - A paragraph contributes candidates only if at least one of its
//     questions is kept; QAConfig.AllParagraphs makes every paragraph's
//     sentences candidates. XQuAD-R and MLQA-R have no paragraph without
//     questions, so the published counts hold either way: XQuAD-R has 1,190
//     questions per language and 13,014 candidates (ar 1222, de 1276, el
//     1234, en 1180, es 1215, hi 1244, ru 1219, th 852, tr 1167, vi 1209,
//     zh 1196).
//   - A question's gold set is its answer sentence in every language that
//     has the question (the question id is shared across languages): 11
//     sentences in XQuAD-R, 2 to 4 in MLQA-R. Relevance is by position, so
//     a sentence that merely repeats the answer's text is not relevant
//     (load_data compares texts; no XQuAD-R or MLQA-R answer is affected).
//   - An answer_start outside every sentence is an error by default;
//     QAConfig.SkipUnlocated drops the question instead, as load_data does.
//   - QAConfig.Context fills Candidate.Context with the paragraph, for
//     encoders that read the (sentence, context) pair as LAReQA's do.
//
// # Identifiers
//
// Query IDs are LAReQA's question uids, "<question id>_<lang>"; Query.Group
// is the question id. Candidate IDs are LAReQA's candidate uids,
// "<lang>_<paragraph>_<sentence>": paragraph is the 1-based number of the
// paragraph in its file, counting every paragraph of every article in file
// order (so it encodes the article too), and sentence the 0-based index in
// the paragraph's "sentences"; for example en_1_0 is the first sentence of
// the first English paragraph. The IDs depend only on the file, never on
// texts (a few texts repeat) or on what else is loaded, and they equal the
// uids LAReQA's evaluation code writes, so rankings that break score ties
// by id (trec_eval's rule, followed by metrics) agree with its references.
// Candidate.Article, Paragraph and Sentence give the same position as
// 0-based indices within the file and the article.
//
// # Evaluation settings
//
// The QA loaders return one pooled Task (Setting Multi, every query
// language) from which the settings derive: Task.Mono(X) pairs queries in X
// with candidates in X; Task.Cross(X, Y) pairs queries in X with candidates
// in Y ≠ X; Task.Multi(X) pairs queries in X with the candidates of every
// language; Task.Subtasks enumerates one setting over all languages (Cross:
// every ordered pair). A derived task keeps only the judgements of its own
// candidates and drops queries left with no relevant candidate: in MLQA-R a
// question exists in only some languages, so Cross(X, Y) skips the
// questions of X that have no answer in Y, as the LAReQA evaluation does.
//
// SplitByArticle holds out whole articles for a train / test split; in
// MLQA-R the translations of an article sit at unrelated positions in each
// file, so articles linked by a shared question id move together.
// BuildTuples turns a QA task into training tuples: group = question id,
// query = question, positive = answer sentence, hard negatives = other
// sentences of the same paragraph, drawn with math/rand/v2 PCG seeded per
// (seed, group, language).
//
// # MIRACL and mMARCO
//
// ReadCorpus streams a JSONL corpus ({"docid", "title", "text"}; BEIR's
// "_id" and Pyserini's "id"/"contents" are accepted too), plain or gzipped,
// in constant memory: only the current line is held. ReadTopics reads
// "qid<TAB>query" topics; qrels are read by metrics.ReadQrels. LoadMIRACL
// puts one language's topics, qrels and (small) corpus in a Mono Task.
//
// ReadRecords streams "id<TAB>text" files (MS MARCO and mMARCO collections
// and queries), ReadTriples "qid<TAB>pos_pid<TAB>neg_pid" training triples.
// LoadMarco joins the triples with one collection and queries file per
// language, read concurrently, into parallel tuples: ids are shared across
// mMARCO languages, so the same triple in several languages is one tuple,
// whose Group is the query id.
//
// # The JSONL tuple format
//
// polyret's training format holds one tuple per line, UTF-8, "\n"-ended
// (a trailing "\r" is white space), plain or gzipped:
//
//	{"group": "q42", "langs": {"de": {"query": "Siedepunkt?", "pos": "100 °C."},
//	                           "en": {"query": "boiling point?", "pos": "100 °C.", "negs": ["0 °C."]}}}
//
// (shown on two lines here; a file has one line per tuple). "group" is a
// non-empty string; "langs" a non-empty object from language code to
// triplet; each triplet has non-empty "query" and "pos" strings and
// optionally "negs", an array of non-empty strings (absent, null or [] for
// none). These are the rules package sampler checks too.
// Keys may come in any order; unknown keys are ignored, so the format can
// grow; a key repeated in one object is an error. Blank lines are skipped.
// Several tuples may share a group (for example mMARCO triples of one
// query). TupleWriter writes the keys in the order above, languages sorted,
// no white space, and escapes only the quote, the backslash, control
// characters and U+2028/U+2029; ReadTuples reads it back identically.
// WriteTuplesFile writes atomically (temporary file, then rename) and
// gzips when the name ends in ".gz".
//
// # Errors
//
// Programmer errors panic with messages starting "datasets: " (Cross with
// one language twice, a SplitByArticle fraction outside [0, 1], an invalid
// Setting). Bad input is returned as a *ParseError with the file, line,
// column (in code points) when known, the record (JSON path such as
// data[9].paragraphs[3], an id, or "triple 5") and a cause wrapping one of
// the sentinels: ErrSyntax (malformed JSON or TSV, with position),
// ErrMissingField, ErrOffset (a break or answer_start outside its context),
// ErrNoSentence, ErrSentenceCount, ErrDuplicateID (question ids within a
// file, topic ids, docids in LoadMIRACL, repeated JSON keys), ErrUnknownID,
// ErrInvalidUTF8, ErrTooLong (lines over MaxLineBytes, files over
// MaxFileBytes), ErrTruncated and ErrCorrupt (damaged .gz; the gzip error
// is wrapped too). Use errors.Is and errors.AsType[*ParseError]. Errors of
// the file system are returned as they are; qrels errors are metrics'
// *ParseError. Streaming iterators (iter.Seq2) yield the error once, with a
// zero value, and stop. No input makes a parser panic, hang or allocate
// more than its limits; fuzz tests check this.
//
// Gzip is recognised by its magic bytes, not by the file name.
//
// # Concurrency
//
// Loaders return values that share nothing with each other, except that
// Task.Multi shares its parent's Candidates slice and loaded strings share
// the memory of the text they were parsed from. Nothing is safe for
// concurrent modification; concurrent reads are fine. LoadQA parses its
// files concurrently and LoadMarco reads its files with MarcoConfig.Workers
// goroutines; both join every goroutine before returning. The iterators
// read their reader as they go and can be ranged over once. A TupleWriter
// is not safe for concurrent use.
package datasets
