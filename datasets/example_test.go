package datasets_test

import (
	"context"
	"fmt"
	"log"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/polyret/polyret/datasets"
)

func ExampleLoadXQuADR() {
	pool, err := datasets.LoadXQuADR(datasets.QAConfig{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pool.Name, len(pool.Queries), "queries,", len(pool.Candidates), "candidates")
	for _, s := range []datasets.Setting{datasets.Mono, datasets.Cross, datasets.Multi} {
		fmt.Println(s, len(pool.Subtasks(s)), "tasks")
	}
	cross := pool.Cross("en", "de")
	q := cross.Queries[0]
	fmt.Println(cross.Name, len(cross.Queries), "queries,", len(cross.Candidates), "candidates")
	fmt.Println(q.ID, q.Text)
	for _, id := range slices.Sorted(maps.Keys(cross.Qrels[q.ID])) {
		fmt.Println("  relevant:", id)
	}
	fmt.Println("multi/en gold per query:", len(pool.Multi("en").Qrels[q.ID]))
	// Output:
	// xquad-r 13090 queries, 13014 candidates
	// mono 11 tasks
	// cross 110 tasks
	// multi 11 tasks
	// xquad-r/cross/en-de 1190 queries, 1276 candidates
	// 56beb4343aeaaa14008c925b_en How many points did the Panthers defense surrender?
	//   relevant: de_1_0
	// multi/en gold per query: 11
}

// MLQA-R questions exist in only some languages: a cross-lingual task keeps
// the questions that have an answer in its candidate language.
func ExampleLoadQA() {
	pool, err := datasets.LoadQA(os.DirFS("testdata"), "mlqa", datasets.QAConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range pool.Subtasks(datasets.Cross) {
		var groups []string
		for _, q := range t.Queries {
			groups = append(groups, q.Group)
		}
		fmt.Printf("%s: %s\n", t.Name, strings.Join(groups, " "))
	}
	// Output:
	// mlqa/cross/ar-de: m1
	// mlqa/cross/ar-en: m2 m1 m4
	// mlqa/cross/de-ar: m1
	// mlqa/cross/de-en: m1 m3
	// mlqa/cross/en-ar: m1 m2 m4
	// mlqa/cross/en-de: m1 m3
}

func ExampleBuildTuples() {
	pool, err := datasets.LoadXQuADR(datasets.QAConfig{})
	if err != nil {
		log.Fatal(err)
	}
	train, test := pool.SplitByArticle(0.25, 1)
	data, err := datasets.BuildTuples(train, datasets.TupleConfig{Negatives: 1, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(train.Queries)/11, "train questions,", len(test.Queries)/11, "test questions")
	fmt.Println(data.Name, len(data.Tuples), "tuples in", len(data.Languages()), "languages")
	en := data.Tuples[0].Langs["en"]
	fmt.Printf("%s\n  query: %s\n  positive: %.60s...\n  negatives: %d\n", data.Tuples[0].Group, en.Query, en.Positive, len(en.Negatives))
	// Output:
	// 913 train questions, 277 test questions
	// xquad-r/train 913 tuples in 11 languages
	// 56beb4343aeaaa14008c925b
	//   query: How many points did the Panthers defense surrender?
	//   positive: The Panthers defense gave up just 308 points, ranking sixth ...
	//   negatives: 1
}

func ExampleReadCorpus() {
	corpus := `{"docid": "7#0", "title": "Zürich", "text": "Zürich liegt am Zürichsee."}
{"docid": "7#1", "title": "Zürich", "text": "Die Limmat fliesst durch die Stadt."}
`
	for p, err := range datasets.ReadCorpus(strings.NewReader(corpus), "corpus.jsonl") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s [%s] %s\n", p.ID, p.Title, p.Text)
	}
	for _, err := range datasets.ReadCorpus(strings.NewReader(`{"docid": "8#0", "text": "x"`), "bad.jsonl") {
		fmt.Println(err)
	}
	// Output:
	// 7#0 [Zürich] Zürich liegt am Zürichsee.
	// 7#1 [Zürich] Die Limmat fliesst durch die Stadt.
	// bad.jsonl:1:29: 8#0: syntax error: unexpected end of input, want ',' or '}'
}

func ExampleLoadMIRACL() {
	task, err := datasets.LoadMIRACL(context.Background(), os.DirFS("testdata/miracl"), "de", datasets.MIRACLFiles{
		Topics: "topics.miracl-v1.0-de-dev.tsv",
		Qrels:  "qrels.miracl-v1.0-de-dev.tsv",
		Corpus: []string{"corpus.jsonl.gz"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(task.Name, len(task.Queries), "topics,", len(task.Candidates), "passages")
	q := task.Queries[0]
	fmt.Println(q.ID, q.Text, len(task.Qrels[q.ID]), "judgements")
	// Output:
	// miracl-de 305 topics, 42 passages
	// 81674#0 Wo ist das Gebiet der Irokesen-Indianer in Kanada? 18 judgements
}

func ExampleLoadMarco() {
	langs := map[datasets.Lang]datasets.MarcoFiles{
		"en": {Collection: "en/collection.tsv", Queries: "en/queries.tsv"},
		"de": {Collection: "de/collection.tsv", Queries: "de/queries.tsv"},
	}
	data, err := datasets.LoadMarco(context.Background(), os.DirFS("testdata/mmarco"), "triples.tsv", langs,
		datasets.MarcoConfig{MaxTriples: 2})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range data.Tuples {
		for _, l := range []datasets.Lang{"de", "en"} {
			tr := t.Langs[l]
			fmt.Printf("%s %s: %s | %s | %s\n", t.Group, l, tr.Query, tr.Positive, tr.Negatives[0])
		}
	}
	// Output:
	// 10 de: hauptstadt von frankreich | Paris ist die Hauptstadt Frankreichs. | Berlin ist die Hauptstadt Deutschlands.
	// 10 en: capital of france | Paris is the capital of France. | Berlin is the capital of Germany.
	// 11 de: hauptstadt von deutschland | Berlin ist die Hauptstadt Deutschlands. | Der Rhein fließt durch Basel.
	// 11 en: capital of germany | Berlin is the capital of Germany. | The Rhine flows through Basel.
}

func ExampleTupleWriter() {
	tw := datasets.NewTupleWriter(os.Stdout)
	err := tw.Write(datasets.Tuple{Group: "q42", Langs: map[datasets.Lang]datasets.Triplet{
		"en": {Query: "boiling point?", Positive: "100 °C.", Negatives: []string{"0 °C."}},
		"de": {Query: "Siedepunkt?", Positive: "100 °C."},
	}})
	if err != nil {
		log.Fatal(err)
	}
	tw.Flush()
	// Output:
	// {"group":"q42","langs":{"de":{"query":"Siedepunkt?","pos":"100 °C."},"en":{"query":"boiling point?","pos":"100 °C.","negs":["0 °C."]}}}
}

func ExampleReadTuples() {
	jsonl := `{"group": "q42", "langs": {"en": {"query": "boiling point?", "pos": "100 °C.", "negs": ["0 °C."]}}}
{"group": "q43", "langs": {}}
`
	for t, err := range datasets.ReadTuples(strings.NewReader(jsonl), "train.jsonl") {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(t.Group, t.Langs["en"].Query, t.Langs["en"].Negatives)
	}
	// Output:
	// q42 boiling point? [0 °C.]
	// train.jsonl:2:1: q43: missing field: no "langs"
}

func ExampleReadTriples() {
	triples := "1185869\t0\t2543\n1185868\t16\t9\n"
	for t, err := range datasets.ReadTriples(strings.NewReader(triples), "qidpidtriples.tsv") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("query %s: positive %s, negative %s\n", t.Query, t.Positive, t.Negative)
	}
	// Output:
	// query 1185869: positive 0, negative 2543
	// query 1185868: positive 16, negative 9
}

func ExampleReadTopics() {
	topics := "81674#0\tWo ist das Gebiet der Irokesen-Indianer in Kanada?\n9789633#0\tWie viele Arten von Jellyfish?\n"
	qs, err := datasets.ReadTopics(strings.NewReader(topics), "topics.tsv", "de")
	if err != nil {
		log.Fatal(err)
	}
	for _, q := range qs {
		fmt.Printf("%s (%s): %s\n", q.ID, q.Lang, q.Text)
	}
	// Output:
	// 81674#0 (de): Wo ist das Gebiet der Irokesen-Indianer in Kanada?
	// 9789633#0 (de): Wie viele Arten von Jellyfish?
}
