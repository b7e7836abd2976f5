package datasets

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/polyret/polyret/metrics"
)

// MIRACLFiles names one MIRACL language's files in an fs.FS, each plain or
// gzipped: the topics ("qid<TAB>query", as topics.miracl-v1.0-<lang>-dev.tsv),
// the TREC qrels ("qid Q0 docid grade") and the corpus JSONL shards
// ({"docid", "title", "text"} per line).
type MIRACLFiles struct {
	Topics string
	Qrels  string
	Corpus []string
}

// LoadMIRACL loads one MIRACL language as a Mono task named
// "miracl-<lang>" whose queries are the topics (in file order), whose
// candidates are the passages of every corpus shard (in order, Text and
// Title kept apart) and whose qrels are read by metrics.ReadQrels with
// every grade kept (0 marks a judged non-relevant passage). The whole
// corpus is held in memory: for a full MIRACL corpus (up to 33 M
// passages) stream it with OpenCorpus instead.
//
// Bad lines give a *ParseError (from this package for topics and corpus,
// from package metrics for qrels). A docid seen twice in the corpus is an
// ErrDuplicateID error, and so is a repeated topic id; a qrels topic that is
// not a topic is an ErrUnknownID error. Qrels may name passages absent
// from the corpus (they still count as relevant, as in trec_eval).
// LoadMIRACL checks ctx between blocks of lines and returns ctx.Err() when
// cancelled.
func LoadMIRACL(ctx context.Context, fsys fs.FS, lang Lang, files MIRACLFiles) (*Task, error) {
	t := &Task{Name: "miracl-" + string(lang), Setting: Mono, QueryLang: lang, CandidateLang: lang}
	f, err := fsys.Open(files.Topics)
	if err != nil {
		return nil, err
	}
	t.Queries, err = ReadTopics(f, files.Topics, lang)
	f.Close()
	if err != nil {
		return nil, err
	}
	if f, err = fsys.Open(files.Qrels); err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := decompressed(f, files.Qrels)
	if err != nil {
		return nil, err
	}
	if t.Qrels, err = metrics.ReadQrels(r, files.Qrels); err != nil {
		if ge := gzipError(err); ge != nil {
			return nil, &ParseError{File: files.Qrels, Err: ge}
		}
		return nil, err
	}
	topics := make(map[string]bool, len(t.Queries))
	for _, q := range t.Queries {
		topics[q.ID] = true
	}
	for _, topic := range t.Qrels.Topics() {
		if !topics[topic] {
			return nil, &ParseError{File: files.Qrels, Record: topic,
				Err: errorf(ErrUnknownID, "topic %q is not in %s", topic, files.Topics)}
		}
	}
	seen := make(map[string]bool)
	for _, name := range files.Corpus {
		n := 0
		for p, err := range OpenCorpus(fsys, name) {
			if err != nil {
				return nil, err
			}
			if n++; n%progressEvery == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			if seen[p.ID] {
				return nil, &ParseError{File: name, Record: p.ID, Err: errorf(ErrDuplicateID, "docid %q", p.ID)}
			}
			seen[p.ID] = true
			t.Candidates = append(t.Candidates, Candidate{ID: p.ID, Lang: lang, Text: p.Text, Title: p.Title})
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(t.Queries) == 0 {
		return nil, fmt.Errorf("datasets: LoadMIRACL: no topic in %s", files.Topics)
	}
	return t, nil
}
