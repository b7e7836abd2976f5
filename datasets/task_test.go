package datasets

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestXQuADRSubtasks(t *testing.T) {
	task := loadXQuADR(t)
	mono := task.Subtasks(Mono)
	if len(mono) != 11 {
		t.Fatalf("%d mono tasks, want 11", len(mono))
	}
	for i, m := range mono {
		l := xquadrLangs[i]
		if m.Name != "xquad-r/mono/"+string(l) || m.Setting != Mono || m.QueryLang != l || m.CandidateLang != l {
			t.Errorf("mono %d: %q %v %q %q", i, m.Name, m.Setting, m.QueryLang, m.CandidateLang)
		}
		if len(m.Queries) != 1190 || len(m.Candidates) != xquadrCandidates[l] {
			t.Errorf("%s: %d queries, %d candidates", m.Name, len(m.Queries), len(m.Candidates))
		}
		checkQrels(t, m, 1)
	}
	cross := task.Subtasks(Cross)
	if len(cross) != 110 {
		t.Fatalf("%d cross tasks, want 110", len(cross))
	}
	for _, c := range cross {
		if c.QueryLang == c.CandidateLang || len(c.Queries) != 1190 || len(c.Candidates) != xquadrCandidates[c.CandidateLang] {
			t.Errorf("%s: %d queries, %d candidates", c.Name, len(c.Queries), len(c.Candidates))
		}
		checkQrels(t, c, 1)
	}
	if cross[0].Name != "xquad-r/cross/ar-de" || cross[109].Name != "xquad-r/cross/zh-vi" {
		t.Errorf("cross order: %s ... %s", cross[0].Name, cross[109].Name)
	}
	multi := task.Subtasks(Multi)
	if len(multi) != 11 {
		t.Fatalf("%d multi tasks, want 11", len(multi))
	}
	for _, m := range multi {
		if len(m.Queries) != 1190 || len(m.Candidates) != 13014 || m.CandidateLang != "" {
			t.Errorf("%s: %d queries, %d candidates", m.Name, len(m.Queries), len(m.Candidates))
		}
		checkQrels(t, m, 11)
	}
}

// checkQrels checks that every query of task has exactly n relevant
// candidates, all among the task's candidates and in its candidate
// language, and that qrels has no other topic.
func checkQrels(t *testing.T, task *Task, n int) {
	t.Helper()
	lang := map[string]Lang{}
	for _, c := range task.Candidates {
		lang[c.ID] = c.Lang
	}
	for _, q := range task.Queries {
		if task.QueryLang != "" && q.Lang != task.QueryLang {
			t.Fatalf("%s: query %s in %s", task.Name, q.ID, q.Lang)
		}
		rel := task.Qrels[q.ID]
		if len(rel) != n {
			t.Fatalf("%s: query %s has %d relevant, want %d", task.Name, q.ID, len(rel), n)
		}
		for id := range rel {
			l, ok := lang[id]
			if !ok || (task.CandidateLang != "" && l != task.CandidateLang) {
				t.Fatalf("%s: query %s: relevant %s not a candidate of the task", task.Name, q.ID, id)
			}
		}
	}
	if len(task.Qrels) != len(task.Queries) {
		t.Fatalf("%s: %d qrels topics, %d queries", task.Name, len(task.Qrels), len(task.Queries))
	}
}

// The settings of the small LAReQA problem, as the reference
// filter_by_langs built them: same queries, candidates and |R_q|.
func TestSmallSquadSettingsMatchLAReQA(t *testing.T) {
	b, err := os.ReadFile("testdata/lareqa/small.settings.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]struct {
		NumQueries    int            `json:"num_queries"`
		NumCandidates int            `json:"num_candidates"`
		NumRel        map[string]int `json:"num_rel"`
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	task, err := LoadQA(os.DirFS("testdata/lareqa"), ".", QAConfig{})
	if err != nil {
		t.Fatal(err)
	}
	task.Name = "small"
	var all []*Task
	for _, s := range []Setting{Mono, Cross, Multi} {
		all = append(all, task.Subtasks(s)...)
	}
	if len(all) != len(want) {
		t.Errorf("%d settings, want %d", len(all), len(want))
	}
	for _, sub := range all {
		name := strings.TrimPrefix(sub.Name, "small/")
		w, ok := want[name]
		if !ok {
			t.Errorf("setting %s not in the reference", name)
			continue
		}
		got := map[string]int{}
		for _, q := range sub.Queries {
			got[q.ID] = len(sub.Qrels[q.ID])
		}
		if len(sub.Queries) != w.NumQueries || len(sub.Candidates) != w.NumCandidates || !maps.Equal(got, w.NumRel) {
			t.Errorf("%s: %d queries, %d candidates; want %d, %d; |R_q| equal: %v",
				name, len(sub.Queries), len(sub.Candidates), w.NumQueries, w.NumCandidates, maps.Equal(got, w.NumRel))
		}
	}
}

// The MLQA-style files: m1 in en, de, ar; m2, m4 in en, ar; m3 in en, de;
// m5 only in de. A cross pair keeps only the questions with an answer in
// the candidate language.
func TestMLQAStyleCrossSkipping(t *testing.T) {
	task, err := LoadQA(os.DirFS("testdata/mlqa"), ".", QAConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if task.Name != "qa" {
		t.Errorf("Name = %q", task.Name)
	}
	groups := func(u *Task) string {
		var g []string
		for _, q := range u.Queries {
			g = append(g, q.Group)
		}
		slices.Sort(g)
		return strings.Join(g, " ")
	}
	for _, tc := range []struct {
		query, cand Lang
		want        string
	}{
		{"en", "de", "m1 m3"}, {"en", "ar", "m1 m2 m4"},
		{"de", "en", "m1 m3"}, {"de", "ar", "m1"},
		{"ar", "en", "m1 m2 m4"}, {"ar", "de", "m1"},
	} {
		u := task.Cross(tc.query, tc.cand)
		if got := groups(u); got != tc.want {
			t.Errorf("Cross(%s, %s) questions = %q, want %q", tc.query, tc.cand, got, tc.want)
		}
		checkQrels(t, u, 1)
	}
	if got := len(task.Subtasks(Cross)); got != 6 {
		t.Errorf("%d cross tasks, want 6", got)
	}
	gold := map[string]int{"m1": 3, "m2": 2, "m3": 2, "m4": 2, "m5": 1}
	for _, l := range []Lang{"ar", "de", "en"} {
		m := task.Multi(l)
		for _, q := range m.Queries {
			if len(m.Qrels[q.ID]) != gold[q.Group] {
				t.Errorf("multi/%s: %s has %d gold, want %d", l, q.ID, len(m.Qrels[q.ID]), gold[q.Group])
			}
		}
	}
	// Offsets are code points: "Über allem steht es hier." starts at code
	// point 26 but byte 28 of its de context.
	rel := task.Qrels["m3_de"]
	if len(rel) != 2 || rel["de_2_1"] != 1 || rel["en_2_1"] != 1 {
		t.Errorf("qrels[m3_de] = %v", rel)
	}
	// The ar file (gzipped) has touching sentences; m4's answer starts at
	// their boundary, so it belongs to the later one.
	if rel := task.Qrels["m4_ar"]; len(rel) != 2 || rel["ar_2_1"] != 1 || rel["en_3_0"] != 1 {
		t.Errorf("qrels[m4_ar] = %v", rel)
	}
}

func TestCrossPanicsOnSameLanguage(t *testing.T) {
	defer func() {
		if r := recover(); r != "datasets: Cross with the same query and candidate language; use Mono" {
			t.Errorf("panic = %v", r)
		}
	}()
	(&Task{}).Cross("en", "en")
}

func TestSplitByArticle(t *testing.T) {
	task := loadXQuADR(t)
	train, test := task.SplitByArticle(0.25, 7)
	if train.Name != "xquad-r/train" || test.Name != "xquad-r/test" {
		t.Errorf("names %q %q", train.Name, test.Name)
	}
	if len(train.Queries)+len(test.Queries) != len(task.Queries) ||
		len(train.Candidates)+len(test.Candidates) != len(task.Candidates) {
		t.Fatalf("split loses items: %d+%d queries, %d+%d candidates", len(train.Queries), len(test.Queries),
			len(train.Candidates), len(test.Candidates))
	}
	// 48 articles, 12 held out, each in all 11 languages.
	articles := func(u *Task) map[Lang][]int {
		m := map[Lang][]int{}
		for _, c := range u.Candidates {
			if a := m[c.Lang]; len(a) == 0 || a[len(a)-1] != c.Article {
				m[c.Lang] = append(a, c.Article)
			}
		}
		return m
	}
	ta := articles(test)
	for _, l := range xquadrLangs {
		if len(ta[l]) != 12 || !slices.Equal(ta[l], ta["en"]) {
			t.Errorf("test articles of %s = %v, en = %v", l, ta[l], ta["en"])
		}
		if n := len(articles(train)[l]); n != 36 {
			t.Errorf("%s: %d train articles, want 36", l, n)
		}
	}
	if len(test.Queries) != 11*len(test.Queries)/11 || len(test.Queries)%11 != 0 {
		t.Errorf("%d test queries", len(test.Queries))
	}
	trainGroups := map[string]bool{}
	for _, q := range train.Queries {
		trainGroups[q.Group] = true
	}
	for _, q := range test.Queries {
		if trainGroups[q.Group] {
			t.Fatalf("question %s on both sides", q.Group)
		}
	}
	checkQrels(t, train, 11)
	checkQrels(t, test, 11)
	// Deterministic in the seed, and the seed matters.
	_, again := task.SplitByArticle(0.25, 7)
	if !slices.Equal(articles(again)["en"], ta["en"]) {
		t.Errorf("same seed, different split")
	}
	_, other := task.SplitByArticle(0.25, 8)
	if slices.Equal(articles(other)["en"], ta["en"]) {
		t.Errorf("seeds 7 and 8 give the same split")
	}
	if tr, te := task.SplitByArticle(0, 1); len(te.Queries) != 0 || len(tr.Queries) != len(task.Queries) {
		t.Errorf("fraction 0: %d test queries", len(te.Queries))
	}
	if tr, te := task.SplitByArticle(1, 1); len(tr.Candidates) != 0 || len(te.Candidates) != len(task.Candidates) {
		t.Errorf("fraction 1: %d train candidates", len(tr.Candidates))
	}
	for _, f := range []float64{-0.1, 1.5, math.NaN()} {
		func() {
			defer func() {
				if r := recover(); r != "datasets: SplitByArticle fraction outside [0, 1]" {
					t.Errorf("SplitByArticle(%v): panic = %v", f, r)
				}
			}()
			task.SplitByArticle(f, 1)
		}()
	}
}

// In MLQA-style data an article's translations sit at different positions
// in different files; questions link them into one unit.
func TestSplitByArticleLinksLanguages(t *testing.T) {
	task, err := LoadQA(os.DirFS("testdata/mlqa"), ".", QAConfig{})
	if err != nil {
		t.Fatal(err)
	}
	// Units: {en 0, de 0, ar 0} via m1/m2/m3, {en 1, ar 1} via m4.
	seen := map[string]bool{}
	for seed := range uint64(20) {
		train, test := task.SplitByArticle(0.5, seed)
		var g []string
		for _, q := range test.Queries {
			g = append(g, string(q.Lang)+":"+q.Group)
		}
		slices.Sort(g)
		seen[strings.Join(g, " ")] = true
		if len(train.Queries)+len(test.Queries) != len(task.Queries) {
			t.Fatalf("seed %d: queries lost", seed)
		}
	}
	want := []string{
		"ar:m1 ar:m2 de:m1 de:m3 de:m5 en:m1 en:m2 en:m3",
		"ar:m4 en:m4",
	}
	if got := slices.Sorted(maps.Keys(seen)); !slices.Equal(got, want) {
		t.Errorf("test sides over 20 seeds = %q, want %q", got, want)
	}
}

func TestBuildTuples(t *testing.T) {
	task := loadXQuADR(t)
	d, err := BuildTuples(task, TupleConfig{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "xquad-r" || len(d.Tuples) != 1190 {
		t.Fatalf("%q: %d tuples", d.Name, len(d.Tuples))
	}
	if got := d.Languages(); !slices.Equal(got, xquadrLangs) {
		t.Errorf("Languages() = %v", got)
	}
	cands := map[string]Candidate{}
	byText := map[Lang]map[string][]Candidate{}
	for _, c := range task.Candidates {
		cands[c.ID] = c
		if byText[c.Lang] == nil {
			byText[c.Lang] = map[string][]Candidate{}
		}
		byText[c.Lang][c.Text] = append(byText[c.Lang][c.Text], c)
	}
	negatives := 0
	tupleOf := map[string]Tuple{}
	for _, u := range d.Tuples {
		tupleOf[u.Group] = u
	}
	for _, q := range task.Queries {
		tr := tupleOf[q.Group].Langs[q.Lang]
		var pos Candidate
		for id := range task.Qrels[q.ID] {
			if cands[id].Lang == q.Lang {
				pos = cands[id]
			}
		}
		if tr.Query != q.Text || tr.Positive != pos.Text {
			t.Fatalf("%s: triplet %q / %q", q.ID, tr.Query, tr.Positive)
		}
		if len(tr.Negatives) > 1 {
			t.Fatalf("%s: %d negatives, want at most 1", q.ID, len(tr.Negatives))
		}
		for _, n := range tr.Negatives {
			negatives++
			ok := false
			for _, c := range byText[q.Lang][n] {
				ok = ok || (c.Article == pos.Article && c.Paragraph == pos.Paragraph && c.Sentence != pos.Sentence)
			}
			if !ok || n == pos.Text {
				t.Fatalf("%s: negative %q is not another sentence of the answer's paragraph", q.ID, n)
			}
		}
	}
	if negatives < 12000 {
		t.Errorf("only %d of 13090 triplets have a negative", negatives)
	}
	// All negatives, and determinism independent of the rest of the task.
	all, err := BuildTuples(task, TupleConfig{Negatives: -1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	type para struct {
		l    Lang
		a, p int
	}
	texts := map[para][]string{}
	for _, c := range task.Candidates {
		k := para{c.Lang, c.Article, c.Paragraph}
		texts[k] = append(texts[k], c.Text)
	}
	for i, u := range all.Tuples {
		for l, tr := range u.Langs {
			p := cands[l2id(task, u.Group, l)]
			want := 0
			for _, text := range texts[para{l, p.Article, p.Paragraph}] {
				if text != p.Text {
					want++
				}
			}
			if len(tr.Negatives) != want {
				t.Fatalf("tuple %d %s: %d negatives, want %d", i, l, len(tr.Negatives), want)
			}
		}
	}
	_, test := task.SplitByArticle(0.25, 1)
	sub, err := BuildTuples(test, TupleConfig{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	full := map[string]Tuple{}
	for _, u := range d.Tuples {
		full[u.Group] = u
	}
	changed := 0
	other, _ := BuildTuples(test, TupleConfig{Seed: 4})
	for i, u := range sub.Tuples {
		for l, tr := range u.Langs {
			if !slices.Equal(tr.Negatives, full[u.Group].Langs[l].Negatives) {
				t.Fatalf("%s %s: negatives depend on the rest of the task", u.Group, l)
			}
			if !slices.Equal(tr.Negatives, other.Tuples[i].Langs[l].Negatives) {
				changed++
			}
		}
	}
	if changed == 0 {
		t.Errorf("seeds 3 and 4 draw the same negatives")
	}
	if _, err := BuildTuples(task.Cross("en", "de"), TupleConfig{}); err == nil {
		t.Errorf("BuildTuples on a cross task (no positive in the query language): no error")
	}
}

// l2id returns the id of the answer sentence in lang of question group.
func l2id(task *Task, group string, lang Lang) string {
	for id := range task.Qrels[group+"_"+string(lang)] {
		if strings.HasPrefix(id, string(lang)+"_") {
			return id
		}
	}
	panic(fmt.Sprint("no answer for ", group, lang))
}

func TestTaskTexts(t *testing.T) {
	task, err := LoadQA(os.DirFS("testdata/mlqa"), ".", QAConfig{})
	if err != nil {
		t.Fatal(err)
	}
	m := task.Mono("de")
	if got := strings.Join(m.QueryTexts(), "|"); got != "Wo ist Alpha zwei?|Was steht hier?|Was endet?" {
		t.Errorf("QueryTexts() = %q", got)
	}
	if got := len(m.CandidateTexts()); got != 5 {
		t.Errorf("%d candidate texts, want 5", got)
	}
	if Setting(9).String() != "Setting(9)" || Cross.String() != "cross" {
		t.Errorf("Setting.String wrong")
	}
}
