package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The synthetic test files (MLQA-style QA files with absent languages, a
// tiny two-language mMARCO and a MIRACL-style corpus.jsonl.gz) are made by
// the functions below. TestSyntheticTestdata checks that the committed
// files hold exactly this content; `go test -run TestSyntheticTestdata
// -gen` rewrites them.
var regenerate = flag.Bool("gen", false, "rewrite the synthetic files in testdata")

// synthParagraph is one paragraph: sentences joined by sep, and the
// questions (id, text, sentence index of the answer, answer offset within
// that sentence in code points).
type synthParagraph struct {
	sentences []string
	sep       string
	questions []synthQuestion
}

type synthQuestion struct {
	id, text        string
	sentence, start int
}

// squadJSON renders articles of paragraphs in XQuAD-R format, computing
// code-point offsets.
func squadJSON(articles map[string][]synthParagraph, titles []string) []byte {
	type answer struct {
		AnswerStart int    `json:"answer_start"`
		Text        string `json:"text"`
	}
	type qa struct {
		Answers  []answer `json:"answers"`
		ID       string   `json:"id"`
		Question string   `json:"question"`
	}
	type paragraph struct {
		Context        string   `json:"context"`
		QAs            []qa     `json:"qas"`
		SentenceBreaks [][2]int `json:"sentence_breaks"`
		Sentences      []string `json:"sentences"`
	}
	type article struct {
		Paragraphs []paragraph `json:"paragraphs"`
		Title      string      `json:"title"`
	}
	var doc struct {
		Data    []article `json:"data"`
		Version string    `json:"version"`
	}
	doc.Version = "1.1"
	for _, title := range titles {
		a := article{Title: title}
		for _, sp := range articles[title] {
			p := paragraph{Context: strings.Join(sp.sentences, sp.sep), QAs: []qa{}}
			at := 0
			starts := make([]int, len(sp.sentences))
			for i, s := range sp.sentences {
				n := utf8.RuneCountInString(s)
				starts[i] = at
				p.SentenceBreaks = append(p.SentenceBreaks, [2]int{at, at + n})
				p.Sentences = append(p.Sentences, s)
				at += n + utf8.RuneCountInString(sp.sep)
			}
			for _, q := range sp.questions {
				text := string([]rune(sp.sentences[q.sentence])[q.start:][:3])
				p.QAs = append(p.QAs, qa{ID: q.id, Question: q.text,
					Answers: []answer{{AnswerStart: starts[q.sentence] + q.start, Text: text}}})
			}
			a.Paragraphs = append(a.Paragraphs, p)
		}
		doc.Data = append(doc.Data, a)
	}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// synthMLQA returns the MLQA-style files: question m1 is in en, de and ar;
// m2 and m4 in en and ar; m3 in en and de; m5 only in de. Non-ASCII text
// makes byte and code-point offsets differ.
func synthMLQA() map[string][]byte {
	en := map[string][]synthParagraph{
		"Alpha": {
			{sentences: []string{"Alpha one is first.", "Alpha two is here.", "Alpha three ends."}, sep: " ",
				questions: []synthQuestion{{"m1", "Where is alpha two?", 1, 6}, {"m2", "Which alpha is first?", 0, 0}}},
			{sentences: []string{"Café crème is served.", "Über alles steht hier."}, sep: " ",
				questions: []synthQuestion{{"m3", "What stands here?", 1, 0}}},
		},
		"Beta": {
			{sentences: []string{"Beta one.", "Beta two."}, sep: " ",
				questions: []synthQuestion{{"m4", "Which beta is first?", 0, 5}}},
		},
	}
	de := map[string][]synthParagraph{
		"Alpha": {
			{sentences: []string{"Alpha eins ist zuerst.", "Alpha zwei ist hier."}, sep: " ",
				questions: []synthQuestion{{"m1", "Wo ist Alpha zwei?", 1, 0}}},
			{sentences: []string{"Café Crème wird serviert.", "Über allem steht es hier.", "Ende."}, sep: " ",
				questions: []synthQuestion{{"m3", "Was steht hier?", 1, 11}, {"m5", "Was endet?", 2, 0}}},
		},
	}
	ar := map[string][]synthParagraph{
		"ألفا": {
			{sentences: []string{"ألفا واحد هو الأول.", "ألفا اثنان هنا."}, sep: " ",
				questions: []synthQuestion{{"m2", "أي ألفا هو الأول؟", 0, 5}, {"m1", "أين ألفا اثنان؟", 1, 0}}},
		},
		"بيتا": {
			{sentences: []string{"بيتا واحد.", "بيتا اثنان."}, sep: "",
				questions: []synthQuestion{{"m4", "أي بيتا هو الثاني؟", 1, 0}}},
		},
	}
	return map[string][]byte{
		"mlqa/en.json":    squadJSON(en, []string{"Alpha", "Beta"}),
		"mlqa/de.json":    squadJSON(de, []string{"Alpha"}),
		"mlqa/ar.json.gz": squadJSON(ar, []string{"ألفا", "بيتا"}),
	}
}

// synthMarco returns a tiny mMARCO in en and de. The de collection lacks
// passage 7, the negative of the last triple.
func synthMarco() map[string][]byte {
	passages := map[string][2]string{
		"1": {"Paris is the capital of France.", "Paris ist die Hauptstadt Frankreichs."},
		"2": {"Berlin is the capital of Germany.", "Berlin ist die Hauptstadt Deutschlands."},
		"3": {"The Rhine flows through Basel.", "Der Rhein fließt durch Basel."},
		"4": {"Water boils at 100 °C at sea level.", "Wasser siedet auf Meereshöhe bei 100 °C."},
		"5": {"Ice melts at 0 °C.", "Eis schmilzt bei 0 °C."},
		"6": {"A tab\tinside a passage stays.", "Ein Tab\tim Text bleibt."},
		"7": {"Only English has this passage.", ""},
	}
	queries := map[string][2]string{
		"10": {"capital of france", "hauptstadt von frankreich"},
		"11": {"capital of germany", "hauptstadt von deutschland"},
		"12": {"boiling point of water", "siedepunkt von wasser"},
	}
	var col [2]strings.Builder
	for _, id := range []string{"1", "2", "3", "4", "5", "6", "7"} {
		for l, text := range passages[id] {
			if text != "" {
				fmt.Fprintf(&col[l], "%s\t%s\n", id, text)
			}
		}
	}
	var qs [2]strings.Builder
	for _, id := range []string{"10", "11", "12"} {
		for l, text := range queries[id] {
			fmt.Fprintf(&qs[l], "%s\t%s\r\n", id, text) // CRLF on purpose
		}
	}
	triples := "10\t1\t2\n11\t2\t3\n10\t1\t6\n\n12\t4\t5\n12\t4\t7\n"
	return map[string][]byte{
		"mmarco/triples.tsv":       []byte(triples),
		"mmarco/en/collection.tsv": []byte(col[0].String()),
		"mmarco/en/queries.tsv":    []byte(qs[0].String()),
		"mmarco/de/collection.tsv": []byte(col[1].String()),
		"mmarco/de/queries.tsv":    []byte(qs[1].String()),
	}
}

// synthCorpus returns a MIRACL-style corpus.jsonl.gz (uncompressed content)
// holding every document judged for the first three topics of
// testdata/miracl/qrels.miracl-v1.0-de-dev.tsv, plus two distractors.
func synthCorpus(qrels []byte) []byte {
	var buf bytes.Buffer
	topics := map[string]bool{}
	var order []string
	sc := bufio.NewScanner(bytes.NewReader(qrels))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if !topics[f[0]] {
			if len(topics) == 3 {
				break
			}
			topics[f[0]] = true
		}
		order = append(order, f[2])
	}
	order = append(order, "999#0", "999#1")
	for i, id := range order {
		title, _, _ := strings.Cut(id, "#")
		rec := map[string]string{"docid": id, "title": "Artikel " + title,
			"text": fmt.Sprintf("Synthetischer Abschnitt %d über „%s“.", i, id)}
		b, _ := json.Marshal(rec)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func syntheticFiles(t *testing.T) map[string][]byte {
	files := synthMLQA()
	for k, v := range synthMarco() {
		files[k] = v
	}
	qrels, err := os.ReadFile("testdata/miracl/qrels.miracl-v1.0-de-dev.tsv")
	if err != nil {
		t.Fatal(err)
	}
	files["miracl/corpus.jsonl.gz"] = synthCorpus(qrels)
	return files
}

func TestSyntheticTestdata(t *testing.T) {
	for name, want := range syntheticFiles(t) {
		path := filepath.Join("testdata", name)
		if *regenerate {
			data := want
			if strings.HasSuffix(name, ".gz") {
				var buf bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
				zw.Write(want)
				zw.Close()
				data = buf.Bytes()
			}
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestSyntheticTestdata -gen)", err)
		}
		var r io.Reader = f
		if strings.HasSuffix(name, ".gz") {
			if r, err = gzip.NewReader(f); err != nil {
				t.Fatal(err)
			}
		}
		got, err := io.ReadAll(r)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from its generator (run go test -run TestSyntheticTestdata -gen)", path)
		}
	}
}
