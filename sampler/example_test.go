package sampler_test

import (
	"fmt"
	"strings"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/sampler"
)

// toy returns a dataset of n parallel tuples in the given languages, with
// texts such as "q3.de" (query of tuple 3 in German) and one hard negative.
func toy(name string, n int, ls ...datasets.Lang) datasets.Dataset {
	d := datasets.Dataset{Name: name}
	for i := range n {
		tu := datasets.Tuple{Group: fmt.Sprint(name, i), Langs: map[datasets.Lang]datasets.Triplet{}}
		for _, l := range ls {
			tu.Langs[l] = datasets.Triplet{
				Query:     fmt.Sprintf("q%d.%s", i, l),
				Positive:  fmt.Sprintf("p%d.%s", i, l),
				Negatives: []string{fmt.Sprintf("n%d.%s", i, l)},
			}
		}
		d.Tuples = append(d.Tuples, tu)
	}
	return d
}

// show prints a batch on one line: its mode, then each item's query and
// positive.
func show(b sampler.Batch) {
	var items []string
	for _, it := range b.Items {
		items = append(items, it.Query+"→"+it.Positive)
	}
	fmt.Printf("%-17v %s\n", b.Mode, strings.Join(items, " "))
}

// The paper's hybrid batch training: each batch is monolingual with
// probability α, cross-lingual otherwise.
func ExampleNewHybrid() {
	data := []datasets.Dataset{toy("xquad", 12, "de", "en", "zh")}
	s, err := sampler.NewHybrid(data, sampler.Config{Alpha: 0.5, BatchSize: 4, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 6 {
		b, err := s.Next()
		if err != nil {
			fmt.Println(err)
			return
		}
		show(b)
	}
	fmt.Println("batches per epoch:", s.BatchesPerEpoch(0))
	// Output:
	// monolingual       q4.de→p4.de q11.de→p11.de q10.de→p10.de q6.de→p6.de
	// cross-lingual     q9.en→p9.de q2.zh→p2.de q3.de→p3.zh q8.en→p8.de
	// cross-lingual     q1.en→p1.de q0.zh→p0.en q5.de→p5.zh q7.de→p7.zh
	// monolingual       q0.de→p0.de q10.de→p10.de q7.de→p7.de q8.de→p8.de
	// monolingual       q11.en→p11.en q5.en→p5.en q3.en→p3.en q6.en→p6.en
	// monolingual       q4.zh→p4.zh q9.zh→p9.zh q2.zh→p2.zh q1.zh→p1.zh
	// batches per epoch: 3
}

// The baselines: X-X-mono (α = 1), X-Y (α = 0, here with one language
// pair per batch) and LAReQA's X-X (each item in its own language).
func ExampleStrategy() {
	data := []datasets.Dataset{toy("xquad", 12, "de", "en", "zh")}
	for _, cfg := range []sampler.Config{
		{Strategy: sampler.XXMono},
		{Strategy: sampler.XY, PairPerBatch: true},
		{Strategy: sampler.XX},
	} {
		cfg.BatchSize, cfg.Seed = 4, 1
		s, err := sampler.NewHybrid(data, cfg)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(cfg.Strategy)
		for range 2 {
			b, _ := s.Next()
			show(b)
		}
	}
	// Output:
	// X-X-mono
	// monolingual       q4.de→p4.de q11.de→p11.de q10.de→p10.de q6.de→p6.de
	// monolingual       q9.en→p9.en q2.en→p2.en q3.en→p3.en q8.en→p8.en
	// X-Y
	// cross-lingual     q4.de→p4.zh q11.de→p11.zh q10.de→p10.zh q6.de→p6.zh
	// cross-lingual     q9.de→p9.zh q2.de→p2.zh q3.de→p3.zh q8.de→p8.zh
	// X-X
	// mixed-monolingual q4.de→p4.de q11.de→p11.de q10.en→p10.en q6.zh→p6.zh
	// mixed-monolingual q9.de→p9.de q2.zh→p2.zh q3.de→p3.de q8.de→p8.de
}

// Several datasets: by default a batch comes from one dataset, drawn in
// proportion to size; a dataset in one language gives monolingual batches
// only. MixDatasets draws each item's dataset.
func ExampleConfig_mixDatasets() {
	data := []datasets.Dataset{
		toy("mmarco", 20, "de", "en", "fr"),
		toy("msmarco", 10, "en"), // English only
	}
	for _, mix := range []bool{false, true} {
		s, err := sampler.NewHybrid(data, sampler.Config{BatchSize: 4, Seed: 1, MixDatasets: mix})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("MixDatasets:", mix)
		for range 3 {
			b, _ := s.Next()
			var groups []string
			for _, it := range b.Items {
				groups = append(groups, fmt.Sprintf("%s(%s→%s)", it.Group, it.QueryLang, it.PassageLang))
			}
			fmt.Printf("%-17v %s\n", b.Mode, strings.Join(groups, " "))
		}
	}
	// Output:
	// MixDatasets: false
	// monolingual       msmarco0(en→en) msmarco4(en→en) msmarco1(en→en) msmarco7(en→en)
	// cross-lingual     mmarco14(fr→en) mmarco18(de→fr) mmarco19(de→en) mmarco13(fr→en)
	// monolingual       mmarco15(fr→fr) mmarco4(fr→fr) mmarco17(fr→fr) mmarco3(fr→fr)
	// MixDatasets: true
	// monolingual       mmarco14(en→en) msmarco0(en→en) msmarco4(en→en) msmarco1(en→en)
	// cross-lingual     mmarco18(de→fr) mmarco19(en→de) mmarco13(en→de) mmarco15(fr→de)
	// monolingual       msmarco7(en→en) msmarco2(en→en) mmarco4(en→en) mmarco17(en→en)
}

// A run saved after some batches resumes exactly in a new sampler.
func ExampleHybrid_MarshalBinary() {
	data := []datasets.Dataset{toy("xquad", 12, "de", "en", "zh")}
	cfg := sampler.Config{BatchSize: 4, Seed: 7}
	s, _ := sampler.NewHybrid(data, cfg)
	for range 5 {
		s.Next()
	}
	state, err := s.MarshalBinary() // write it next to the checkpoint
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := s.Next()
	show(b)

	resumed, _ := sampler.NewHybrid(data, cfg)
	if err := resumed.UnmarshalBinary(state); err != nil {
		fmt.Println(err)
		return
	}
	b, _ = resumed.Next()
	show(b)
	fmt.Println("state bytes:", len(state))
	// Output:
	// monolingual       q7.de→p7.de q9.de→p9.de q4.de→p4.de q1.de→p1.de
	// monolingual       q7.de→p7.de q9.de→p9.de q4.de→p4.de q1.de→p1.de
	// state bytes: 41
}

// Data-parallel training: each rank gets its slice of the same global
// batch.
func ExampleConfig_sharding() {
	data := []datasets.Dataset{toy("xquad", 12, "de", "en", "zh")}
	for rank := range 2 {
		s, err := sampler.NewHybrid(data, sampler.Config{BatchSize: 4, Seed: 1, Rank: rank, WorldSize: 2})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Print("rank ", rank, ": ")
		b, _ := s.Next()
		show(b)
	}
	// Output:
	// rank 0: monolingual       q4.de→p4.de q11.de→p11.de
	// rank 1: monolingual       q10.de→p10.de q6.de→p6.de
}

// What a training loop hands to the encoder and the loss.
func ExampleBatch() {
	data := []datasets.Dataset{toy("xquad", 8, "de", "en")}
	s, _ := sampler.NewHybrid(data, sampler.Config{BatchSize: 3, Seed: 2, Strategy: sampler.XY})
	b, _ := s.Next()
	fmt.Println("queries:   ", b.Queries())
	fmt.Println("positives: ", b.Positives())
	fmt.Println("negatives: ", b.Negatives(), b.NegativeOf())
	fmt.Println("groups:    ", b.Groups())
	// Output:
	// queries:    [q0.en q5.en q3.de]
	// positives:  [p0.de p5.de p3.en]
	// negatives:  [n0.de n5.de n3.en] [0 1 2]
	// groups:     [xquad0 xquad5 xquad3]
}
