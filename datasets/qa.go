package datasets

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/polyret/polyret/metrics"
)

// QAConfig configures LoadQA and LoadXQuADR. The zero value loads every
// language, with sentence-only candidates, following LAReQA's reference
// rules, and fails on an answer that lies in no sentence.
type QAConfig struct {
	// Languages selects the languages to load; nil loads every file.
	// Asking for a language that has no file is an error.
	Languages []Lang
	// Context fills Candidate.Context with the sentence's paragraph, for
	// encoders that read (sentence, context) pairs as LAReQA's do.
	Context bool
	// SkipUnlocated drops a question whose answer_start lies in no
	// sentence break (or outside the context), as LAReQA's reference code
	// does after printing a warning. By default such a question is an
	// error wrapping ErrNoSentence or ErrOffset.
	SkipUnlocated bool
	// AllParagraphs makes candidates of the sentences of every paragraph.
	// By default, as in LAReQA's load_data, a paragraph contributes
	// candidates only if at least one of its questions is kept. XQuAD-R
	// and MLQA-R have no paragraph without questions, so this changes
	// nothing for them.
	AllParagraphs bool
}

//go:embed xquadr/*.json.gz xquadr/LICENSE.txt xquadr/README.md
var xquadrFiles embed.FS

// XQuADRFS returns the embedded XQuAD-R files: <lang>.json.gz for the 11
// languages, LICENSE.txt (CC BY-SA 4.0) and README.md (attribution and
// checksums).
func XQuADRFS() fs.FS {
	sub, err := fs.Sub(xquadrFiles, "xquadr")
	if err != nil {
		panic(err) // unreachable: the directory is embedded
	}
	return sub
}

// LoadXQuADR loads the embedded XQuAD-R as one pooled task named "xquad-r"
// in the Multi setting: 1,190 questions in each of 11 languages, 13,014
// candidate sentences, 11 relevant sentences per question. It reads no
// file outside the module.
func LoadXQuADR(cfg QAConfig) (*Task, error) {
	t, err := LoadQA(XQuADRFS(), ".", cfg)
	if err != nil {
		return nil, err
	}
	t.Name = "xquad-r"
	return t, nil
}

// LoadQA loads a SQuAD-format dataset with sentence breaks (XQuAD-R,
// MLQA-R) from dir in fsys: one file per language named <lang>.json or
// <lang>.json.gz. It returns one pooled task, named after dir, in the Multi
// setting; Task.Mono, Task.Cross, Task.Multi and Task.Subtasks derive the
// evaluation settings. Files are parsed concurrently. Bad input gives a
// *ParseError naming the file and line.
func LoadQA(fsys fs.FS, dir string, cfg QAConfig) (*Task, error) {
	files, err := qaFiles(fsys, dir, cfg.Languages)
	if err != nil {
		return nil, err
	}
	parsed := make([]*qaFile, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, name := range files {
		g.Go(func() error {
			src, err := readText(fsys, name)
			if err == nil {
				parsed[i], err = parseQA(src, name)
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	name := path.Base(dir)
	if name == "." {
		name = "qa"
	}
	return buildQA(name, parsed, cfg)
}

// qaFiles returns the file names of the selected languages, sorted by
// language.
func qaFiles(fsys fs.FS, dir string, langs []Lang) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	byLang := make(map[Lang]string)
	for _, e := range entries {
		lang, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			lang, ok = strings.CutSuffix(e.Name(), ".json.gz")
		}
		if !ok || e.IsDir() || lang == "" || strings.Contains(lang, ".") {
			continue
		}
		if prev, dup := byLang[Lang(lang)]; dup {
			return nil, fmt.Errorf("datasets: %s and %s hold the same language", prev, path.Join(dir, e.Name()))
		}
		byLang[Lang(lang)] = path.Join(dir, e.Name())
	}
	if langs == nil {
		for l := range byLang {
			langs = append(langs, l)
		}
	}
	langs = slices.Clone(langs)
	slices.Sort(langs)
	langs = slices.Compact(langs)
	files := make([]string, len(langs))
	for i, l := range langs {
		if files[i] = byLang[l]; files[i] == "" {
			return nil, fmt.Errorf("datasets: no %s.json or %s.json.gz in %s", l, l, dir)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("datasets: no <lang>.json or <lang>.json.gz file in %s", dir)
	}
	return files, nil
}

// qaLang returns the language of a file named <lang>.json[.gz].
func qaLang(name string) Lang {
	base := path.Base(name)
	return Lang(base[:strings.IndexByte(base, '.')])
}

// candidateID returns LAReQA's candidate uid: the language, the 1-based
// number of the paragraph in its file (counting every paragraph of every
// article) and the 0-based sentence index.
func candidateID(lang Lang, paragraph, sentence int) string {
	b := make([]byte, 0, len(lang)+12)
	b = append(b, lang...)
	b = append(b, '_')
	b = strconv.AppendInt(b, int64(paragraph), 10)
	b = append(b, '_')
	b = strconv.AppendInt(b, int64(sentence), 10)
	return string(b)
}

// buildQA assembles the pooled task from parsed files sorted by language.
func buildQA(name string, files []*qaFile, cfg QAConfig) (*Task, error) {
	t := &Task{Name: name, Setting: Multi}
	nq, nc := 0, 0
	for _, f := range files {
		for _, a := range f.articles {
			for _, p := range a.paragraphs {
				nq += len(p.qas)
				nc += len(p.sentences)
			}
		}
	}
	t.Queries = make([]Query, 0, nq)
	t.Candidates = make([]Candidate, 0, nc)
	relevant := make(map[string][]string, nq/max(len(files), 1)) // group → answer sentences, all languages
	for _, f := range files {
		lang := qaLang(f.name)
		number := 0
		for ai, a := range f.articles {
			for pi := range a.paragraphs {
				p := &a.paragraphs[pi]
				number++
				kept := 0
				for _, q := range p.qas {
					si := p.sentenceOf(q.answerStart)
					if si < 0 {
						if cfg.SkipUnlocated {
							continue
						}
						err := errorf(ErrNoSentence, "question %q: answer_start %d is in none of %d sentence breaks",
							q.id, q.answerStart, len(p.breaks))
						if n := utf8.RuneCountInString(p.context); q.answerStart < 0 || q.answerStart >= n {
							err = errorf(ErrOffset, "question %q: answer_start %d outside the context's %d code points",
								q.id, q.answerStart, n)
						}
						return nil, f.at(q.answerOff, fmt.Sprintf("data[%d].paragraphs[%d]", ai, pi), err)
					}
					kept++
					t.Queries = append(t.Queries, Query{ID: q.id + "_" + string(lang), Group: q.id, Lang: lang, Text: q.text})
					relevant[q.id] = append(relevant[q.id], candidateID(lang, number, si))
				}
				if kept == 0 && !cfg.AllParagraphs {
					continue
				}
				for si, text := range p.sentences {
					c := Candidate{ID: candidateID(lang, number, si), Lang: lang, Text: text,
						Article: ai, Paragraph: pi, Sentence: si}
					if cfg.Context {
						c.Context = p.context
					}
					t.Candidates = append(t.Candidates, c)
				}
			}
		}
	}
	t.Qrels = make(metrics.Qrels, len(t.Queries))
	for _, q := range t.Queries {
		rel := make(map[string]int, len(relevant[q.Group]))
		for _, id := range relevant[q.Group] {
			rel[id] = 1
		}
		t.Qrels[q.ID] = rel
	}
	return t, nil
}
