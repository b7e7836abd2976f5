package datasets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/polyret/polyret/metrics"
)

var sampleTuples = []Tuple{
	{Group: "g1", Langs: map[Lang]Triplet{
		"en": {Query: "who?", Positive: "Ann.", Negatives: []string{"Bob.", "Cy."}},
		"de": {Query: "wer?", Positive: "Anna."},
	}},
	{Group: "g\"2\\", Langs: map[Lang]Triplet{
		"zh": {Query: "谁？\n\t", Positive: "安。\u2028\u2029\x01\x7f", Negatives: []string{" "}},
	}},
}

const sampleJSONL = `{"group":"g1","langs":{"de":{"query":"wer?","pos":"Anna."},"en":{"query":"who?","pos":"Ann.","negs":["Bob.","Cy."]}}}
{"group":"g\"2\\","langs":{"zh":{"query":"谁？\n\t","pos":"安。\u2028\u2029\u0001` + "\x7f" + `","negs":[" "]}}}
`

func TestTupleWriterGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTuples(&buf, &Dataset{Tuples: sampleTuples}); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != sampleJSONL {
		t.Errorf("WriteTuples wrote\n%s\nwant\n%s", got, sampleJSONL)
	}
	var got []Tuple
	for tu, err := range ReadTuples(strings.NewReader(sampleJSONL), "x.jsonl") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tu)
	}
	if !reflect.DeepEqual(got, sampleTuples) {
		t.Errorf("ReadTuples = %#v", got)
	}
}

func TestTuplesFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	d, err := BuildTuples(loadXQuADR(t).Mono("de"), TupleConfig{Negatives: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"de.jsonl", "de.jsonl.gz"} {
		path := filepath.Join(dir, name)
		if err := WriteTuplesFile(path, d); err != nil {
			t.Fatal(err)
		}
		back, err := LoadTuples(os.DirFS(dir), name)
		if err != nil {
			t.Fatal(err)
		}
		if back.Name != "de" || !reflect.DeepEqual(back.Tuples, d.Tuples) {
			t.Errorf("%s: round trip differs (%d vs %d tuples)", name, len(back.Tuples), len(d.Tuples))
		}
	}
	// A failed write leaves the old file and no temporary file.
	path := filepath.Join(dir, "de.jsonl")
	before, _ := os.ReadFile(path)
	bad := &Dataset{Tuples: []Tuple{sampleTuples[0], {Group: "x", Langs: map[Lang]Triplet{"en": {Query: "q"}}}}}
	if err := WriteTuplesFile(path, bad); !errors.Is(err, ErrMissingField) {
		t.Errorf("WriteTuplesFile(no positive) = %v", err)
	}
	after, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(dir)
	if !bytes.Equal(before, after) || len(entries) != 2 {
		t.Errorf("failed write changed the directory: %d entries", len(entries))
	}
}

func TestTupleWriterRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    Tuple
		want error
	}{
		{"no group", Tuple{Langs: sampleTuples[0].Langs}, ErrMissingField},
		{"no langs", Tuple{Group: "g"}, ErrMissingField},
		{"empty lang", Tuple{Group: "g", Langs: map[Lang]Triplet{"": {Query: "q", Positive: "p"}}}, ErrMissingField},
		{"empty query", Tuple{Group: "g", Langs: map[Lang]Triplet{"en": {Positive: "p"}}}, ErrMissingField},
		{"empty negative", Tuple{Group: "g", Langs: map[Lang]Triplet{"en": {Query: "q", Positive: "p", Negatives: []string{"n", ""}}}}, ErrMissingField},
		{"bad UTF-8", Tuple{Group: "g", Langs: map[Lang]Triplet{"en": {Query: "q\xff", Positive: "p"}}}, ErrInvalidUTF8},
	} {
		var buf bytes.Buffer
		tw := NewTupleWriter(&buf)
		if err := tw.Write(tc.t); !errors.Is(err, tc.want) {
			t.Errorf("%s: Write = %v, want %v", tc.name, err, tc.want)
		}
		tw.Flush()
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %q", tc.name, buf.String())
		}
	}
}

func TestReadTuplesBadInput(t *testing.T) {
	good := `{"group":"g","langs":{"en":{"query":"q","pos":"p"}}}`
	for _, tc := range []struct {
		name, line string
		want       error
		col        int
	}{
		{"truncated", good[:30], ErrSyntax, 31},
		{"not an object", `["g"]`, ErrSyntax, 1},
		{"no group", `{"langs":{"en":{"query":"q","pos":"p"}}}`, ErrMissingField, 1},
		{"no langs", `{"group":"g"}`, ErrMissingField, 1},
		{"empty langs", `{"group":"g","langs":{}}`, ErrMissingField, 1},
		{"no query", `{"group":"g","langs":{"en":{"pos":"p"}}}`, ErrMissingField, 28},
		{"no pos", `{"group":"g","langs":{"en":{"query":"q"}}}`, ErrMissingField, 28},
		{"empty lang", `{"group":"g","langs":{"":{"query":"q","pos":"p"}}}`, ErrMissingField, 26},
		{"lang twice", `{"group":"g","langs":{"en":{"query":"q","pos":"p"},"en":{"query":"q","pos":"p"}}}`, ErrDuplicateID, 57},
		{"group twice", `{"group":"g","group":"h","langs":{"en":{"query":"q","pos":"p"}}}`, ErrDuplicateID, 22},
		{"empty negative", `{"group":"g","langs":{"en":{"query":"q","pos":"p","negs":["n",""]}}}`, ErrMissingField, 28},
		{"negs not strings", `{"group":"g","langs":{"en":{"query":"q","pos":"p","negs":[1]}}}`, ErrSyntax, 59},
		{"invalid UTF-8", `{"group":"g` + "\xc3" + `","langs":{"en":{"query":"q","pos":"p"}}}`, ErrInvalidUTF8, 12},
		{"trailing", good + ` x`, ErrSyntax, len(good) + 2},
	} {
		input := good + "\n\n" + tc.line + "\n" + good + "\n"
		n := 0
		var err error
		for _, e := range ReadTuples(strings.NewReader(input), "t.jsonl") {
			if e != nil {
				err = e
				break
			}
			n++
		}
		pe, ok := errors.AsType[*ParseError](err)
		if !ok || !errors.Is(err, tc.want) || pe.Line != 3 || pe.Column != tc.col || n != 1 {
			t.Errorf("%s: after %d tuples, error %v; want %v at t.jsonl:3:%d", tc.name, n, err, tc.want, tc.col)
		}
	}
	// Unknown keys and null negs are accepted; stopping early is fine.
	extra := `{"v":[1,{"a":null}],"group":"g","langs":{"en":{"query":"q","pos":"p","negs":null,"x":true}}}` + "\n" + good
	for tu, err := range ReadTuples(strings.NewReader(extra), "t.jsonl") {
		if err != nil || tu.Group != "g" || tu.Langs["en"].Negatives != nil {
			t.Errorf("extra keys: %v %v", tu, err)
		}
		break
	}
}

func TestReadCorpus(t *testing.T) {
	var got []Passage
	for p, err := range OpenCorpus(os.DirFS("testdata/miracl"), "corpus.jsonl.gz") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if len(got) != 42 {
		t.Fatalf("%d passages, want 42", len(got))
	}
	if want := (Passage{ID: "2653#14", Title: "Artikel 2653", Text: "Synthetischer Abschnitt 0 über „2653#14“."}); got[0] != want {
		t.Errorf("first passage = %+v", got[0])
	}
	// Aliases: BEIR (_id) and Pyserini (id, contents); escapes; CRLF.
	src := `{"_id": "a", "title": "T", "text": "x\u00e9\ud83d\ude00"}` + "\r\n" +
		`{"id": "b", "contents": "y", "extra": {"k": [1, 2.5e3, null, true]}}` + "\n   \n" +
		`{"docid": "c", "text": ""}`
	var ps []Passage
	for p, err := range ReadCorpus(strings.NewReader(src), "c.jsonl") {
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	want := []Passage{{"a", "T", "xé😀"}, {"b", "", "y"}, {"c", "", ""}}
	if !slices.Equal(ps, want) {
		t.Errorf("ReadCorpus = %q, want %q", ps, want)
	}
}

func TestReadCorpusBadInput(t *testing.T) {
	good := `{"docid":"1#0","title":"t","text":"x"}`
	full := bytes.Repeat([]byte(good+"\n"), 2000)
	gzFull := gz(full)
	for _, tc := range []struct {
		name string
		data []byte
		want error
		line int
	}{
		{"malformed", []byte(good + "\n" + `{"docid":"1#1","text":"x"` + "\n"), ErrSyntax, 2},
		{"no docid", []byte(good + "\n" + `{"text":"x"}`), ErrMissingField, 2},
		{"no text", []byte(good + "\n" + `{"docid":"1#1","title":"x"}`), ErrMissingField, 2},
		{"docid twice", []byte(`{"docid":"a","id":"b","text":"x"}`), ErrDuplicateID, 1},
		{"invalid UTF-8", []byte(good + "\n" + `{"docid":"1#1","text":"` + "\xe2\x82" + `"}`), ErrInvalidUTF8, 2},
		{"truncated gz", gzFull[:len(gzFull)-20], ErrTruncated, 0},
		{"corrupt gz", append(bytes.Clone(gzFull[:len(gzFull)-8]), 0, 0, 0, 0, 0, 0, 0, 0), ErrCorrupt, 2001},
	} {
		n := 0
		var err error
		for _, e := range ReadCorpus(bytes.NewReader(tc.data), "c.jsonl") {
			if e != nil {
				err = e
				break
			}
			n++
		}
		pe, ok := errors.AsType[*ParseError](err)
		if !ok || !errors.Is(err, tc.want) || (tc.line != 0 && pe.Line != tc.line) {
			t.Errorf("%s: error %v after %d passages, want %v at line %d", tc.name, err, n, tc.want, tc.line)
		}
	}
}

func TestLineTooLong(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 64 MiB")
	}
	r := io.MultiReader(strings.NewReader(`{"docid":"a","text":"`), &repeatReader{b: 'x', n: MaxLineBytes + 10})
	for _, err := range ReadCorpus(r, "long.jsonl") {
		if pe, ok := errors.AsType[*ParseError](err); !ok || !errors.Is(err, ErrTooLong) || pe.Line != 1 {
			t.Errorf("error %v, want ErrTooLong at line 1", err)
		}
		break
	}
}

type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	p[0] = r.b
	for i := 1; i < k; i *= 2 {
		copy(p[i:k], p[:i])
	}
	r.n -= k
	return k, nil
}

func TestReadRecordsAndTriples(t *testing.T) {
	var recs []Record
	for r, err := range ReadRecords(strings.NewReader("1\tone\r\n2\t\n\n3\ta\tb c\n"), "c.tsv") {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if want := []Record{{"1", "one"}, {"2", ""}, {"3", "a\tb c"}}; !slices.Equal(recs, want) {
		t.Errorf("ReadRecords = %q, want %q", recs, want)
	}
	for _, tc := range []struct {
		name, src string
		triples   bool
		want      error
		line      int
	}{
		{"no tab", "1\tx\n2 y\n", false, ErrSyntax, 2},
		{"empty id", "1\tx\n\ty\n", false, ErrMissingField, 2},
		{"bad UTF-8", "1\tx\n2\t\xff\n", false, ErrInvalidUTF8, 2},
		{"2 fields", "1\t2\t3\n1\t2\n", true, ErrSyntax, 2},
		{"4 fields", "1\t2\t3\t4\n", true, ErrSyntax, 1},
		{"empty field", "1\t\t3\n", true, ErrMissingField, 1},
	} {
		var err error
		if tc.triples {
			for _, e := range ReadTriples(strings.NewReader(tc.src), "f.tsv") {
				if err = e; e != nil {
					break
				}
			}
		} else {
			for _, e := range ReadRecords(strings.NewReader(tc.src), "f.tsv") {
				if err = e; e != nil {
					break
				}
			}
		}
		if pe, ok := errors.AsType[*ParseError](err); !ok || !errors.Is(err, tc.want) || pe.Line != tc.line {
			t.Errorf("%s: error %v, want %v at line %d", tc.name, err, tc.want, tc.line)
		}
	}
}

func TestReadTopics(t *testing.T) {
	f, err := os.Open("testdata/miracl/topics.miracl-v1.0-de-dev.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := ReadTopics(f, f.Name(), "de")
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 305 {
		t.Errorf("%d topics, want 305", len(qs))
	}
	if want := (Query{ID: "81674#0", Group: "81674#0", Lang: "de", Text: "Wo ist das Gebiet der Irokesen-Indianer in Kanada?"}); qs[0] != want {
		t.Errorf("first topic %+v", qs[0])
	}
	_, err = ReadTopics(strings.NewReader("1\ta\n2\tb\n1\tc\n"), "t.tsv", "en")
	if pe, ok := errors.AsType[*ParseError](err); !ok || !errors.Is(err, ErrDuplicateID) || pe.Line != 3 {
		t.Errorf("duplicate topic: %v", err)
	}
}

func marcoLangs() map[Lang]MarcoFiles {
	return map[Lang]MarcoFiles{
		"en": {Collection: "en/collection.tsv", Queries: "en/queries.tsv"},
		"de": {Collection: "de/collection.tsv", Queries: "de/queries.tsv"},
	}
}

type countRecorder struct {
	stages map[string]int
	stop   string
}

func (r *countRecorder) Record(stage string, done, total int) error {
	r.stages[stage] = done
	if stage == r.stop {
		return errors.New("stop")
	}
	return nil
}

func TestLoadMarco(t *testing.T) {
	fsys := os.DirFS("testdata/mmarco")
	ctx := context.Background()
	_, err := LoadMarco(ctx, fsys, "triples.tsv", marcoLangs(), MarcoConfig{})
	if pe, ok := errors.AsType[*ParseError](err); !ok || !errors.Is(err, ErrUnknownID) || pe.Record != "triple 5" {
		t.Fatalf("missing de passage 7: error %v", err)
	}
	rec := &countRecorder{stages: map[string]int{}}
	d, err := LoadMarco(ctx, fsys, "triples.tsv", marcoLangs(), MarcoConfig{MaxTriples: 4, Workers: 1, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "mmarco" || len(d.Tuples) != 4 || !slices.Equal(d.Languages(), []Lang{"de", "en"}) {
		t.Fatalf("%s: %d tuples, languages %v", d.Name, len(d.Tuples), d.Languages())
	}
	want := Tuple{Group: "10", Langs: map[Lang]Triplet{
		"en": {Query: "capital of france", Positive: "Paris is the capital of France.", Negatives: []string{"A tab\tinside a passage stays."}},
		"de": {Query: "hauptstadt von frankreich", Positive: "Paris ist die Hauptstadt Frankreichs.", Negatives: []string{"Ein Tab\tim Text bleibt."}},
	}}
	if !reflect.DeepEqual(d.Tuples[2], want) {
		t.Errorf("tuple 2 = %+v", d.Tuples[2])
	}
	if d.Tuples[0].Group != d.Tuples[2].Group {
		t.Errorf("tuples of the same query have groups %q, %q", d.Tuples[0].Group, d.Tuples[2].Group)
	}
	wantStages := map[string]int{"triples": 4, "queries/en": 3, "queries/de": 3, "collection/en": 7, "collection/de": 6}
	if !reflect.DeepEqual(rec.stages, wantStages) {
		t.Errorf("recorded %v, want %v", rec.stages, wantStages)
	}
	p, err := LoadMarco(ctx, fsys, "triples.tsv", marcoLangs(), MarcoConfig{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tuples) != 5 || len(p.Tuples[4].Langs) != 1 || p.Tuples[4].Langs["en"].Negatives[0] != "Only English has this passage." {
		t.Errorf("Partial: %d tuples, last %+v", len(p.Tuples), p.Tuples[len(p.Tuples)-1])
	}
	// Errors: recorder, cancelled context, missing file, duplicate id.
	if _, err := LoadMarco(ctx, fsys, "triples.tsv", marcoLangs(), MarcoConfig{Recorder: &countRecorder{stages: map[string]int{}, stop: "collection/de"}}); err == nil || !strings.Contains(err.Error(), "stop") {
		t.Errorf("recorder error: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := LoadMarco(cctx, fsys, "triples.tsv", marcoLangs(), MarcoConfig{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := LoadMarco(ctx, fsys, "nope.tsv", marcoLangs(), MarcoConfig{}); err == nil {
		t.Errorf("missing triples file: no error")
	}
	dup := fstest.MapFS{
		"t.tsv": {Data: []byte("1\t2\t3\n")},
		"q.tsv": {Data: []byte("1\tq\n")},
		"c.tsv": {Data: []byte("2\ta\n3\tb\n2\tc\n")},
	}
	_, err = LoadMarco(ctx, dup, "t.tsv", map[Lang]MarcoFiles{"en": {Collection: "c.tsv", Queries: "q.tsv"}}, MarcoConfig{})
	if !errors.Is(err, ErrDuplicateID) {
		t.Errorf("duplicate pid: %v", err)
	}
	for _, tc := range []struct {
		queries, collection string
		want                error
		text                string
	}{
		{"2\tq\n", "2\ta\n3\tb\n", ErrUnknownID, `query "1"`},
		{"1\t\n", "2\ta\n3\tb\n", ErrMissingField, `query "1"`},
		{"1\tq\n", "2\ta\n", ErrUnknownID, `passage "3"`},
		{"1\tq\n", "3\tb\n", ErrUnknownID, `passage "2"`},
		{"1\tq\n", "2\ta\n3\t\n", ErrMissingField, `passage "3"`},
	} {
		fsys := fstest.MapFS{"t.tsv": {Data: []byte("1\t2\t3\n")}, "q.tsv": {Data: []byte(tc.queries)},
			"c.tsv": {Data: []byte(tc.collection)}}
		files := map[Lang]MarcoFiles{"en": {Collection: "c.tsv", Queries: "q.tsv"}}
		_, err := LoadMarco(ctx, fsys, "t.tsv", files, MarcoConfig{})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("queries %q, collection %q: error %v, want %v about %s", tc.queries, tc.collection, err, tc.want, tc.text)
		}
		if d, err := LoadMarco(ctx, fsys, "t.tsv", files, MarcoConfig{Partial: true}); err != nil || len(d.Tuples) != 0 {
			t.Errorf("Partial: %v, %v", d, err)
		}
	}
}

func TestLoadMIRACL(t *testing.T) {
	files := MIRACLFiles{
		Topics: "topics.miracl-v1.0-de-dev.tsv",
		Qrels:  "qrels.miracl-v1.0-de-dev.tsv",
		Corpus: []string{"corpus.jsonl.gz"},
	}
	task, err := LoadMIRACL(context.Background(), os.DirFS("testdata/miracl"), "de", files)
	if err != nil {
		t.Fatal(err)
	}
	if task.Name != "miracl-de" || task.Setting != Mono || task.QueryLang != "de" || task.CandidateLang != "de" {
		t.Errorf("task %q %v %q %q", task.Name, task.Setting, task.QueryLang, task.CandidateLang)
	}
	judged, relevant := 0, 0
	for _, docs := range task.Qrels {
		for _, g := range docs {
			judged++
			if g > 0 {
				relevant++
			}
		}
	}
	// 305 dev topics, 3,144 judgements of which 811 relevant (wc and awk
	// on the file); the synthetic corpus has 42 passages.
	if len(task.Queries) != 305 || len(task.Qrels) != 305 || judged != 3144 || relevant != 811 || len(task.Candidates) != 42 {
		t.Errorf("%d queries, %d qrels topics, %d judged, %d relevant, %d candidates",
			len(task.Queries), len(task.Qrels), judged, relevant, len(task.Candidates))
	}
	if task.Qrels["10055536#0"]["2653#14"] != 1 || task.Qrels["10055536#0"]["220710#0"] != 0 {
		t.Errorf("qrels of 10055536#0: %v", task.Qrels["10055536#0"])
	}
	c := task.Candidates[0]
	if c.ID != "2653#14" || c.Title != "Artikel 2653" || c.Lang != "de" {
		t.Errorf("first candidate %+v", c)
	}
	m := task.Mono("de")
	if len(m.Queries) != 3 {
		t.Errorf("Mono(de) keeps %d queries with a relevant passage in the corpus, want 3", len(m.Queries))
	}

	bad := fstest.MapFS{
		"t.tsv":   {Data: []byte("1\ta\n2\tb\n")},
		"q.tsv":   {Data: []byte("1 Q0 d1 1\n3 Q0 d1 1\n")},
		"ok.tsv":  {Data: gz([]byte("1 Q0 d1 1\n2 Q0 d2 0\n"))},
		"dup.tsv": {Data: []byte("1 Q0 d1 1\n1 Q0 d1 0\n")},
		"c.jsonl": {Data: []byte(`{"docid":"d1","text":"x"}` + "\n" + `{"docid":"d1","text":"y"}` + "\n")},
		"e.jsonl": {Data: []byte{}},
	}
	for _, tc := range []struct {
		name  string
		files MIRACLFiles
		want  error
	}{
		{"qrels topic not a topic", MIRACLFiles{"t.tsv", "q.tsv", nil}, ErrUnknownID},
		{"duplicate docid", MIRACLFiles{"t.tsv", "ok.tsv", []string{"c.jsonl"}}, ErrDuplicateID},
		{"duplicate qrels", MIRACLFiles{"t.tsv", "dup.tsv", nil}, metrics.ErrDuplicateDoc},
		{"missing file", MIRACLFiles{"t.tsv", "ok.tsv", []string{"nope.jsonl"}}, fs.ErrNotExist},
	} {
		if _, err := LoadMIRACL(context.Background(), bad, "xx", tc.files); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
	task, err = LoadMIRACL(context.Background(), bad, "xx", MIRACLFiles{"t.tsv", "ok.tsv", []string{"e.jsonl"}})
	if err != nil || len(task.Qrels["2"]) != 1 {
		t.Errorf("gzipped qrels: %v, %v", err, task)
	}
}

// Passages must stay intact after the reader has reused its buffer (the
// parser reads lines in place).
func TestReadCorpusKeepsPassages(t *testing.T) {
	var src strings.Builder
	want := make([]Passage, 6000)
	for i := range want {
		want[i] = Passage{ID: fmt.Sprint(i, "#0"), Title: fmt.Sprint("T", i), Text: strings.Repeat(fmt.Sprint("w", i, " "), 40)}
		fmt.Fprintf(&src, `{"docid":%q,"title":%q,"text":%q}`+"\n", want[i].ID, want[i].Title, want[i].Text)
	}
	var got []Passage
	for p, err := range ReadCorpus(strings.NewReader(src.String()), "big.jsonl") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if src.Len() < 4*readBufferBytes || !slices.Equal(got, want) {
		t.Errorf("passages changed after reading on (%d bytes)", src.Len())
	}
}
