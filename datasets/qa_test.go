package datasets

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

var xquadrLangs = []Lang{"ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh"}

// Published XQuAD-R candidate counts (LAReQA README and paper, Table 1).
var xquadrCandidates = map[Lang]int{"ar": 1222, "de": 1276, "el": 1234, "en": 1180, "es": 1215,
	"hi": 1244, "ru": 1219, "th": 852, "tr": 1167, "vi": 1209, "zh": 1196}

var (
	xquadrOnce sync.Once
	xquadrTask *Task
	xquadrErr  error
)

// loadXQuADR loads the embedded XQuAD-R once per test binary. Tests must
// not modify the result.
func loadXQuADR(t testing.TB) *Task {
	xquadrOnce.Do(func() { xquadrTask, xquadrErr = LoadXQuADR(QAConfig{}) })
	if xquadrErr != nil {
		t.Fatal(xquadrErr)
	}
	return xquadrTask
}

func TestXQuADRCounts(t *testing.T) {
	task := loadXQuADR(t)
	if task.Name != "xquad-r" || task.Setting != Multi {
		t.Errorf("Name, Setting = %q, %v", task.Name, task.Setting)
	}
	if got := task.QueryLanguages(); !slices.Equal(got, xquadrLangs) {
		t.Errorf("QueryLanguages() = %v", got)
	}
	questions := map[Lang]int{}
	for _, q := range task.Queries {
		questions[q.Lang]++
	}
	candidates := map[Lang]int{}
	for _, c := range task.Candidates {
		candidates[c.Lang]++
	}
	for _, l := range xquadrLangs {
		if questions[l] != 1190 {
			t.Errorf("%s: %d questions, want 1190", l, questions[l])
		}
		if candidates[l] != xquadrCandidates[l] {
			t.Errorf("%s: %d candidates, want %d", l, candidates[l], xquadrCandidates[l])
		}
	}
	if len(task.Candidates) != 13014 || len(task.Queries) != 13090 {
		t.Errorf("%d candidates, %d queries; want 13014, 13090", len(task.Candidates), len(task.Queries))
	}
	// Every query's gold set in the pool: one sentence in each of the 11
	// languages, the same set for every translation of the question.
	lang := map[string]Lang{}
	for _, c := range task.Candidates {
		lang[c.ID] = c.Lang
	}
	gold := map[string][]string{}
	for _, q := range task.Queries {
		rel := task.Qrels[q.ID]
		var langs []Lang
		for id, g := range rel {
			if g != 1 {
				t.Fatalf("qrels[%s][%s] = %d, want 1", q.ID, id, g)
			}
			langs = append(langs, lang[id])
		}
		slices.Sort(langs)
		if !slices.Equal(langs, xquadrLangs) {
			t.Fatalf("query %s: relevant languages %v, want one in each of 11", q.ID, langs)
		}
		ids := slices.Sorted(maps.Keys(rel))
		if prev, ok := gold[q.Group]; ok && !slices.Equal(prev, ids) {
			t.Fatalf("query %s: gold %v differs from its translation's %v", q.ID, ids, prev)
		}
		gold[q.Group] = ids
	}
}

func TestXQuADRMatchesLAReQAReference(t *testing.T) {
	checkAgainstLAReQA(t, loadXQuADR(t), "testdata/xquadr_lareqa_gold.tsv.gz")
}

// TestMLQARMatchesLAReQAReference runs only where the MLQA-R files (CC
// BY-NC 4.0, so not in this repository) are available:
// POLYRET_MLQA_R=dir, with dir holding ar/de/en/es/hi/vi/zh.json from
// google-research-datasets/lareqa, commit 5405d2a, mlqa-dev-r/.
func TestMLQARMatchesLAReQAReference(t *testing.T) {
	dir := os.Getenv("POLYRET_MLQA_R")
	if dir == "" {
		t.Skip("set POLYRET_MLQA_R to the mlqa-dev-r directory to run")
	}
	task, err := LoadQA(os.DirFS(dir), ".", QAConfig{})
	if err != nil {
		t.Fatal(err)
	}
	// Published MLQA-R counts (LAReQA README).
	want := map[Lang][2]int{"ar": {517, 2545}, "de": {512, 2362}, "en": {1148, 6264}, "es": {500, 1787},
		"hi": {507, 2426}, "vi": {511, 2828}, "zh": {504, 2322}}
	got := map[Lang][2]int{}
	for _, q := range task.Queries {
		c := got[q.Lang]
		c[0]++
		got[q.Lang] = c
	}
	for _, c := range task.Candidates {
		n := got[c.Lang]
		n[1]++
		got[c.Lang] = n
	}
	if !maps.Equal(got, want) {
		t.Errorf("questions, candidates per language = %v, want %v", got, want)
	}
	checkAgainstLAReQA(t, task, "testdata/mlqar_lareqa_gold.tsv.gz")
}

func TestXQuADREmbeddedChecksums(t *testing.T) {
	want := map[string]string{
		"ar": "c52922d3b8ac1ae03ed5ac38647ad59870dca3dda2beefe18ecdc30729acb69d",
		"de": "16fb0f4bf4916154b585a20c24c66074591c9718a1affe764ff4697572328949",
		"el": "163fd43ee785a30eb534ae2061e9eaa766a7ee4e8ffce5e4b422480c150f64b6",
		"en": "7b0954f39297c27a31fef610f0883337dd2907fa8699151dc922afdd0fa12ffe",
		"es": "f8e836b2d91009c4363e04315f7ede363eedbbb49c67dda60de6c4aa782f58de",
		"hi": "ea45ba8ae4513d1533b222bebdc02a90bc319c055d3aeea68584a053d2e92872",
		"ru": "7f4dff853538b9a5fcc28c070b8bb983a5c5d190ac747b8e005a1ada9cab18f1",
		"th": "c3a041864c3a9fb0b4dd91cfdf99cf36b411b3e704c58a303c97bc6dc786cfe4",
		"tr": "f3e8c13002bbce154a4578f535f7533cb70f3da08840e6b62735935baec7bd94",
		"vi": "e35926bf5cc6fc6ecbdfca49467aabeb454f08d152d7818143a906bd31dde995",
		"zh": "80c2cde7b9c2fb134c303cbb52f2ba396ead9eb0014aec43993543d2ba9e93ed",
	}
	fsys := XQuADRFS()
	total := int64(0)
	for lang, sum := range want {
		f, err := fsys.Open(lang + ".json.gz")
		if err != nil {
			t.Fatal(err)
		}
		info, _ := f.Stat()
		total += info.Size()
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, zr); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if got := hex.EncodeToString(h.Sum(nil)); got != sum {
			t.Errorf("%s.json sha256 = %s, want %s", lang, got, sum)
		}
	}
	for _, name := range []string{"LICENSE.txt", "README.md"} {
		if b, err := fs.ReadFile(fsys, name); err != nil || len(b) == 0 {
			t.Errorf("embedded %s: %v", name, err)
		}
	}
	if total > 2<<20 {
		t.Errorf("embedded XQuAD-R takes %d bytes, want under 2 MiB", total)
	}
}

// sliceRunes returns the code points [start, end) of s.
func sliceRunes(s string, start, end int) string {
	return string([]rune(s)[start:end])
}

var (
	parsedMu sync.Mutex
	parsed   = map[string]*qaFile{}
)

// parseEmbedded parses one embedded XQuAD-R file, once per test binary.
func parseEmbedded(t *testing.T, lang string) *qaFile {
	parsedMu.Lock()
	defer parsedMu.Unlock()
	if f, ok := parsed[lang]; ok {
		return f
	}
	src, err := readText(XQuADRFS(), lang+".json.gz")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseQA(src, lang+".json.gz")
	if err != nil {
		t.Fatal(err)
	}
	parsed[lang] = f
	return f
}

// Two tr sentences disagree with their offsets: the context holds "⁄" as
// mojibake (three code points), which shifts the later offsets by two. The
// candidate text must come from the sentences list.
func TestXQuADRTurkishOffsetMismatch(t *testing.T) {
	type where struct{ article, paragraph, sentence int }
	var mismatched []where
	for _, l := range xquadrLangs {
		f := parseEmbedded(t, string(l))
		for ai, a := range f.articles {
			for pi, p := range a.paragraphs {
				context := []rune(p.context)
				for si, b := range p.breaks {
					if string(context[b.start:b.end]) != p.sentences[si] {
						if l != "tr" {
							t.Errorf("%s: data[%d].paragraphs[%d] sentence %d disagrees with its offsets", l, ai, pi, si)
						}
						mismatched = append(mismatched, where{ai, pi, si})
					}
				}
			}
		}
	}
	if want := []where{{9, 3, 2}, {9, 3, 3}}; !slices.Equal(mismatched, want) {
		t.Fatalf("tr mismatches at %v, want %v", mismatched, want)
	}
	task := loadXQuADR(t)
	texts := map[string]string{}
	for _, c := range task.Candidates {
		texts[c.ID] = c.Text
	}
	// Paragraph number: 9 articles before, each of 5 paragraphs? Look it up.
	byPos := map[where]Candidate{}
	for _, c := range task.Candidates {
		if c.Lang == "tr" {
			byPos[where{c.Article, c.Paragraph, c.Sentence}] = c
		}
	}
	c2, c3 := byPos[where{9, 3, 2}], byPos[where{9, 3, 3}]
	if !strings.HasPrefix(c2.Text, "Ancak, eyaletler") || !strings.HasSuffix(c2.Text, "dönüştürülmüştür.") {
		t.Errorf("tr sentence 2 = %q", c2.Text)
	}
	if !strings.HasPrefix(c3.Text, "İki turistik") || !strings.HasSuffix(c3.Text, "göstermektedir.") {
		t.Errorf("tr sentence 3 = %q", c3.Text)
	}
	// The answers of that paragraph fall where the offsets say.
	f := parseEmbedded(t, "tr")
	p := &f.articles[9].paragraphs[3]
	for _, tc := range []struct{ start, sentence int }{{211, 1}, {362, 2}, {539, 3}, {454, 3}, {511, 3}} {
		if got := p.sentenceOf(tc.start); got != tc.sentence {
			t.Errorf("sentenceOf(%d) = %d, want %d", tc.start, got, tc.sentence)
		}
	}
}

// In zh (and a few ar and hi paragraphs) sentences touch: one ends where
// the next starts, with no space between. An answer starting at the shared
// offset belongs to the later sentence ([start, end) breaks).
func TestXQuADRTouchingSentences(t *testing.T) {
	want := map[Lang]int{"zh": 831, "ar": 10, "hi": 7}
	for _, l := range xquadrLangs {
		f := parseEmbedded(t, string(l))
		touching, atBoundary := 0, 0
		for _, a := range f.articles {
			for _, p := range a.paragraphs {
				for i := 1; i < len(p.breaks); i++ {
					if p.breaks[i-1].end == p.breaks[i].start {
						touching++
					}
				}
				for _, q := range p.qas {
					si := p.sentenceOf(q.answerStart)
					if si > 0 && p.breaks[si].start == q.answerStart && p.breaks[si-1].end == q.answerStart {
						atBoundary++
					}
				}
			}
		}
		if touching != want[l] {
			t.Errorf("%s: %d touching sentence pairs, want %d", l, touching, want[l])
		}
		if l == "zh" && atBoundary == 0 {
			t.Errorf("zh: no answer starts at a touching boundary")
		}
	}
	// One zh paragraph, checked by hand: sentences 1 and 2 touch at 42.
	f := parseEmbedded(t, "zh")
	p := &f.articles[46].paragraphs[4]
	if p.breaks[1] != (span{34, 42}) || p.breaks[2] != (span{42, 70}) {
		t.Fatalf("zh data[46].paragraphs[4] breaks = %v", p.breaks[:3])
	}
	if p.sentences[1] != "阿伯克龙比少将。" || !strings.HasPrefix(p.sentences[2], "这些人都不像法国") {
		t.Errorf("zh sentences = %q, %q", p.sentences[1], p.sentences[2])
	}
	if p.sentenceOf(41) != 1 || p.sentenceOf(42) != 2 {
		t.Errorf("sentenceOf(41), sentenceOf(42) = %d, %d, want 1, 2", p.sentenceOf(41), p.sentenceOf(42))
	}
	// Offsets are code points: the same text in bytes would put the
	// answer at 168 in the wrong sentence.
	q := p.qas[2]
	if q.answerStart != 168 || p.sentenceOf(168) != 10 {
		t.Errorf("answer_start %d in sentence %d, want 168 in 10", q.answerStart, p.sentenceOf(168))
	}
	if got := len(sliceRunes(p.context, 0, 168)); got == 168 {
		t.Errorf("byte and code-point offsets agree; the check would not catch byte offsets")
	}
}

func TestSmallSquadMatchesLAReQA(t *testing.T) {
	// The problem file lists what LAReQA's load_data built from the same
	// four files (shared/testdata/metrics/lareqa).
	problem := readProblem(t)
	task, err := LoadQA(os.DirFS("testdata/lareqa"), ".", QAConfig{})
	if err != nil {
		t.Fatal(err)
	}
	perLang := map[Lang]int{}
	ids := map[string]bool{}
	for _, c := range task.Candidates {
		perLang[c.Lang]++
		ids[c.ID] = true
	}
	if want := map[Lang]int{"ar": 55, "de": 53, "en": 53, "zh": 56}; !maps.Equal(perLang, want) {
		t.Errorf("candidates per language = %v, want %v", perLang, want)
	}
	for _, c := range problem.Candidates {
		if !ids[c.UID] {
			t.Errorf("candidate %s missing", c.UID)
		}
	}
	if len(ids) != len(problem.Candidates) {
		t.Errorf("%d candidates, want %d", len(ids), len(problem.Candidates))
	}
	if len(task.Queries) != len(problem.Questions) {
		t.Errorf("%d queries, want %d", len(task.Queries), len(problem.Questions))
	}
	for _, q := range problem.Questions {
		got := slices.Sorted(maps.Keys(task.Qrels[q.UID]))
		want := slices.Sorted(slices.Values(problem.Relevant[q.XlingID]))
		if !slices.Equal(got, want) {
			t.Errorf("qrels[%s] = %v, want %v", q.UID, got, want)
		}
	}
	// Paragraph 4 has no question: its 3 sentences per language become
	// candidates only with AllParagraphs.
	all, err := LoadQA(os.DirFS("testdata/lareqa"), ".", QAConfig{AllParagraphs: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(all.Candidates); got != 217+4*3 {
		t.Errorf("AllParagraphs: %d candidates, want %d", got, 217+4*3)
	}
	extra := 0
	for _, c := range all.Candidates {
		if !ids[c.ID] {
			extra++
			if !strings.Contains(c.ID, "_4_") {
				t.Errorf("AllParagraphs added %s, not of paragraph 4", c.ID)
			}
		}
	}
	if extra != 12 {
		t.Errorf("AllParagraphs added %d candidates, want 12", extra)
	}
}

func TestQAContextOption(t *testing.T) {
	plain, err := LoadQA(os.DirFS("testdata/mlqa"), ".", QAConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := LoadQA(os.DirFS("testdata/mlqa"), ".", QAConfig{Context: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range ctx.Candidates {
		if plain.Candidates[i].Context != "" {
			t.Errorf("Context set without QAConfig.Context")
		}
		if c.Text != plain.Candidates[i].Text || !strings.Contains(c.Context, c.Text) {
			t.Errorf("candidate %s: Text %q, Context %q", c.ID, c.Text, c.Context)
		}
	}
}

func TestQALanguagesOption(t *testing.T) {
	task, err := LoadQA(XQuADRFS(), ".", QAConfig{Languages: []Lang{"zh", "en", "zh"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := task.CandidateLanguages(); !slices.Equal(got, []Lang{"en", "zh"}) {
		t.Errorf("CandidateLanguages() = %v", got)
	}
	if len(task.Candidates) != 1180+1196 {
		t.Errorf("%d candidates", len(task.Candidates))
	}
	for _, q := range task.Queries {
		if len(task.Qrels[q.ID]) != 2 {
			t.Fatalf("query %s: %d relevant, want 2", q.ID, len(task.Qrels[q.ID]))
		}
	}
	if _, err := LoadQA(XQuADRFS(), ".", QAConfig{Languages: []Lang{"xx"}}); err == nil {
		t.Errorf("LoadQA with an absent language: no error")
	}
	if _, err := LoadQA(os.DirFS("testdata"), "miracl", QAConfig{}); err == nil {
		t.Errorf("LoadQA of a directory without QA files: no error")
	}
}

func TestCandidateID(t *testing.T) {
	for _, tc := range []struct {
		lang    Lang
		p, s    int
		want    string
		article int
	}{{"en", 1, 0, "en_1_0", 0}, {"zh", 240, 12, "zh_240_12", 47}} {
		if got := candidateID(tc.lang, tc.p, tc.s); got != tc.want {
			t.Errorf("candidateID(%s, %d, %d) = %q, want %q", tc.lang, tc.p, tc.s, got, tc.want)
		}
	}
	// The paragraph number counts across articles: XQuAD-R has 48 articles
	// of 5 paragraphs, so en article 47 paragraph 4 is paragraph 240.
	task := loadXQuADR(t)
	for _, c := range task.Candidates {
		if c.Lang == "en" && c.Article == 47 && c.Paragraph == 4 && c.Sentence == 0 && c.ID != "en_240_0" {
			t.Errorf("ID = %s, want en_240_0", c.ID)
		}
	}
}
