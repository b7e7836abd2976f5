package datasets

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"runtime"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"
)

// MarcoFiles names one language's mMARCO (or MS MARCO) files: the
// collection ("pid<TAB>passage") and the queries ("qid<TAB>query"), plain
// or gzipped.
type MarcoFiles struct {
	Collection string
	Queries    string
}

// MarcoConfig configures LoadMarco. The zero value reads every triple with
// GOMAXPROCS workers and fails on a missing text.
type MarcoConfig struct {
	// MaxTriples limits the triples read from the start of the file; 0
	// reads them all.
	MaxTriples int
	// Workers is the number of files read at once; 0 means GOMAXPROCS.
	Workers int
	// Partial leaves a language out of a tuple when one of the tuple's
	// texts is missing from that language's files or empty, and drops a
	// tuple left with no language. By default a missing text is an
	// ErrUnknownID error and an empty one an ErrMissingField error.
	Partial bool
	// Recorder, if not nil, receives progress: stage "triples", then
	// "queries/<lang>" and "collection/<lang>", with lines read so far and
	// total 0. Calls are serialized.
	Recorder Recorder
}

// progressEvery is how many lines pass between context checks and
// Recorder calls.
const progressEvery = 1 << 16

// LoadMarco builds parallel training tuples from mMARCO-style files:
// triples by id (shared by every language) and, per language, a
// collection and a queries file. Each triple becomes one tuple whose Group
// is the query id (tuples of the same query share it) and whose triplet in
// each language holds that language's query, positive and negative texts.
// Tuples keep the triples' order; the dataset is named "mmarco".
//
// Memory grows with the triples read and their texts, not with the
// collections: the triples are read first, then every language's files are
// streamed concurrently, keeping only the needed texts. An id needed twice
// in one file is an ErrDuplicateID *ParseError. LoadMarco checks ctx between
// blocks of lines and returns ctx.Err() when cancelled.
func LoadMarco(ctx context.Context, fsys fs.FS, triples string, langs map[Lang]MarcoFiles, cfg MarcoConfig) (*Dataset, error) {
	if len(langs) == 0 {
		return nil, fmt.Errorf("datasets: LoadMarco with no language")
	}
	var mu sync.Mutex
	record := func(stage string, done int) error {
		if cfg.Recorder == nil {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if err := cfg.Recorder.Record(stage, done, 0); err != nil {
			return fmt.Errorf("datasets: LoadMarco: recorder: %w", err)
		}
		return nil
	}

	var ts []TripleIDs
	needQ, needP := make(map[string]struct{}), make(map[string]struct{})
	err := eachLine(ctx, fsys, triples, ReadTriples, "triples", record, func(t TripleIDs) bool {
		ts = append(ts, t)
		needQ[t.Query] = struct{}{}
		needP[t.Positive] = struct{}{}
		needP[t.Negative] = struct{}{}
		return cfg.MaxTriples <= 0 || len(ts) < cfg.MaxTriples
	})
	if err != nil {
		return nil, err
	}

	order := make([]Lang, 0, len(langs))
	for l := range langs {
		order = append(order, l)
	}
	slices.Sort(order)
	queries := make([]map[string]string, len(order))
	passages := make([]map[string]string, len(order))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmpOr(cfg.Workers, runtime.GOMAXPROCS(0)))
	for i, l := range order {
		g.Go(func() (err error) {
			queries[i], err = neededTexts(gctx, fsys, langs[l].Queries, needQ, "queries/"+string(l), record)
			return err
		})
		g.Go(func() (err error) {
			passages[i], err = neededTexts(gctx, fsys, langs[l].Collection, needP, "collection/"+string(l), record)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	d := &Dataset{Name: "mmarco", Tuples: make([]Tuple, 0, len(ts))}
	for n, t := range ts {
		tu := Tuple{Group: t.Query, Langs: make(map[Lang]Triplet, len(order))}
		for i, l := range order {
			q, okQ := queries[i][t.Query]
			p, okP := passages[i][t.Positive]
			neg, okN := passages[i][t.Negative]
			if q != "" && p != "" && neg != "" {
				tu.Langs[l] = Triplet{Query: q, Positive: p, Negatives: []string{neg}}
				continue
			}
			if cfg.Partial {
				continue
			}
			var err error
			switch {
			case !okQ:
				err = errorf(ErrUnknownID, "query %q is not in %s", t.Query, langs[l].Queries)
			case q == "":
				err = errorf(ErrMissingField, "query %q has an empty text in %s", t.Query, langs[l].Queries)
			case !okP || !okN:
				missing := t.Positive
				if okP {
					missing = t.Negative
				}
				err = errorf(ErrUnknownID, "passage %q is not in %s", missing, langs[l].Collection)
			default:
				empty := t.Positive
				if p != "" {
					empty = t.Negative
				}
				err = errorf(ErrMissingField, "passage %q has an empty text in %s", empty, langs[l].Collection)
			}
			return nil, &ParseError{File: triples, Record: fmt.Sprintf("triple %d", n+1), Err: err}
		}
		if len(tu.Langs) > 0 {
			d.Tuples = append(d.Tuples, tu)
		}
	}
	return d, nil
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// neededTexts streams an id-and-text file and keeps the texts of the ids
// in need.
func neededTexts(ctx context.Context, fsys fs.FS, name string, need map[string]struct{}, stage string,
	record func(string, int) error) (map[string]string, error) {
	texts := make(map[string]string, len(need))
	var dup error
	err := eachLine(ctx, fsys, name, ReadRecords, stage, record, func(r Record) bool {
		if _, ok := need[r.ID]; !ok {
			return true
		}
		if _, ok := texts[r.ID]; ok {
			dup = &ParseError{File: name, Record: r.ID, Err: errorf(ErrDuplicateID, "id %q occurs twice", r.ID)}
			return false
		}
		texts[r.ID] = r.Text
		return true
	})
	if err == nil {
		err = dup
	}
	return texts, err
}

// eachLine opens name and feeds the items that read yields to use until it
// returns false, checking ctx and reporting progress every progressEvery
// items.
func eachLine[T any](ctx context.Context, fsys fs.FS, name string, read func(r io.Reader, name string) iter.Seq2[T, error],
	stage string, record func(string, int) error, use func(T) bool) error {
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	n := 0
	for v, err := range read(f, name) {
		if err != nil {
			return err
		}
		if n++; n%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := record(stage, n); err != nil {
				return err
			}
		}
		if !use(v) {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return record(stage, n)
}
