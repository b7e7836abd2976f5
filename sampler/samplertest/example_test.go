package samplertest_test

import (
	"fmt"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/sampler"
	"github.com/polyret/polyret/sampler/samplertest"
)

// A broken sampler: its "monolingual" batches pair an English query with a
// German passage.
type broken struct{}

func (broken) Next() (sampler.Batch, error) {
	it := sampler.Item{Group: "g1", QueryLang: "en", PassageLang: "de", Query: "q", Positive: "p"}
	return sampler.Batch{Mode: sampler.Monolingual, Items: []sampler.Item{it}}, nil
}

func ExampleCheck() {
	d := datasets.Dataset{Name: "toy"}
	for i := range 20 {
		tu := datasets.Tuple{Group: fmt.Sprint(i), Langs: map[datasets.Lang]datasets.Triplet{}}
		for _, l := range []datasets.Lang{"de", "en"} {
			tu.Langs[l] = datasets.Triplet{Query: fmt.Sprint("q", i, l), Positive: fmt.Sprint("p", i, l)}
		}
		d.Tuples = append(d.Tuples, tu)
	}
	s, err := sampler.NewHybrid([]datasets.Dataset{d}, sampler.Config{BatchSize: 4, Epochs: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Hybrid:", samplertest.Check(s))
	fmt.Println("broken:", samplertest.Check(broken{}))
	// Output:
	// Hybrid: <nil>
	// broken: samplertest: batch 0: monolingual batch in en (item 0's query language): item 0 is en→de
}
