package datasets

import (
	"fmt"
	"slices"

	"github.com/polyret/polyret/metrics"
)

// Lang is a language code as the datasets spell it, such as "en", "zh" or "ar".
type Lang string

// A Triplet is one language's view of a training example: a query, its
// positive passage, and zero or more hard-negative passages.
type Triplet struct {
	Query     string
	Positive  string
	Negatives []string
}

// A Tuple is one training example in one or more languages. The triplets of
// a tuple are parallel translations of each other and share the tuple's
// Group id, so a loss can keep them from acting as each other's negatives.
// Several tuples may share a group: LoadMarco gives every triple of one
// query the query's id, since their positives must not be each other's
// negatives either.
type Tuple struct {
	Group string
	Langs map[Lang]Triplet
}

// A Dataset is a named collection of training tuples.
type Dataset struct {
	Name   string
	Tuples []Tuple
}

// Languages returns the sorted union of the languages of d's tuples.
func (d *Dataset) Languages() []Lang {
	seen := make(map[Lang]struct{})
	for _, t := range d.Tuples {
		for l := range t.Langs {
			seen[l] = struct{}{}
		}
	}
	langs := make([]Lang, 0, len(seen))
	for l := range seen {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	return langs
}

// A Query is one question or topic of an evaluation task.
type Query struct {
	// ID is unique within a task. QA loaders use LAReQA's question uid,
	// "<question id>_<lang>"; MIRACL uses the topic id.
	ID string
	// Group is shared by the translations of one question (the SQuAD
	// question id, which XQuAD-R and MLQA-R keep across languages); it is
	// the query ID when a query has no translations.
	Group string
	Lang  Lang
	Text  string
}

// A Candidate is one retrievable item of an evaluation task: a sentence of
// a QA paragraph, or a corpus passage.
type Candidate struct {
	// ID is unique within a task. QA sentences have LAReQA's candidate uid
	// "<lang>_<paragraph>_<sentence>" (see the package documentation);
	// passages keep their corpus docid.
	ID   string
	Lang Lang
	// Text is the sentence (taken from the file's sentences list) or the
	// passage text.
	Text string
	// Title is a passage's title; empty for QA sentences.
	Title string
	// Context is the sentence's whole paragraph when QAConfig.Context is
	// set, and empty otherwise. LAReQA encodes the pair (Text, Context).
	Context string
	// Article, Paragraph and Sentence are the 0-based positions of a QA
	// sentence in its file: the article in data, the paragraph in the
	// article, the sentence in the paragraph. They are 0 for passages.
	Article, Paragraph, Sentence int
}

// Setting is the language setting of an evaluation task.
type Setting uint8

const (
	// Multi pairs queries with the candidates of every language pooled.
	// The QA loaders return the whole pool (queries of every language) in
	// this setting; Task.Multi restricts it to one query language.
	Multi Setting = iota
	// Mono pairs queries in one language with candidates in the same one.
	Mono
	// Cross pairs queries in one language with candidates in another.
	Cross
)

// String returns "multi", "mono" or "cross".
func (s Setting) String() string {
	switch s {
	case Multi:
		return "multi"
	case Mono:
		return "mono"
	case Cross:
		return "cross"
	}
	return fmt.Sprintf("Setting(%d)", uint8(s))
}

// A Task is a retrieval evaluation problem: queries, candidates and the
// relevance judgements between them. Qrels maps query IDs to candidate IDs
// with grade 1 for relevant; a query absent from Qrels has no relevant
// candidate.
type Task struct {
	// Name identifies the task in reports, such as "xquad-r",
	// "xquad-r/cross/en-de" or "miracl-de".
	Name string
	// Setting, QueryLang and CandidateLang describe how the task was
	// restricted; QueryLang (and, outside Mono and Cross, CandidateLang)
	// is empty when the task holds every language.
	Setting       Setting
	QueryLang     Lang
	CandidateLang Lang

	Queries    []Query
	Candidates []Candidate
	Qrels      metrics.Qrels
}

// A Recorder receives progress from long operations: the stage (such as
// "collection/de"), the work done and the total, which is 0 when unknown.
// An error from Record stops the operation, which returns it wrapped. It
// must not retain or modify anything.
type Recorder interface {
	Record(stage string, done, total int) error
}
